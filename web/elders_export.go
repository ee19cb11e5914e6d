package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
	"github.com/xuri/excelize/v2"
)

// Export of the registry search (/elders/export): every elder the current
// filter finds in the viewer's scope, as an XLSX workbook in the viewer's
// language. Numbers are masked unless the request asks for them with
// reveal=1 and a reason (a supervisor handing a list to a street office);
// health and medication are never exported. The export is recorded in the
// audit log before a single byte is sent, and a cross-site request is
// refused, as for the audit log's own export (audit.go).

const (
	// maxEldersExport caps one export; a larger list is exported by region.
	maxEldersExport = 100_000
	// eldersExportBatch is the page size used to read the matching elders.
	eldersExportBatch = 1000
)

// eldersExportColumns are the message keys of the workbook's columns.
var eldersExportColumns = []string{
	"elders_export.col.name", "elders_export.col.gender", "elders_export.col.birth_date", "elders_export.col.age",
	"elders_export.col.id_number", "elders_export.col.phones", "elders_export.col.region", "elders_export.col.address",
	"elders_export.col.living", "elders_export.col.tags", "elders_export.col.dialect", "elders_export.col.status",
	"elders_export.col.contacts", "elders_export.col.last_contact",
}

// eldersExportWidths are the column widths, in the order of the columns.
var eldersExportWidths = []float64{10, 6, 12, 6, 22, 36, 30, 30, 12, 20, 10, 10, 36, 18}

// fields lists the search's parameters in a fixed order.
func (q elderQuery) fields() [][2]string {
	return [][2]string{
		{"q", q.Q}, {"within", q.Within}, {"tag", q.Tag}, {"living", q.Living}, {"status", q.Status},
		{"dialect", q.Dialect}, {"min_age", q.MinAge}, {"max_age", q.MaxAge},
		{"not_contacted_days", q.NotContacted}, {"sort", q.Sort},
	}
}

// values encodes the search for links, leaving out what is empty.
func (q elderQuery) values() url.Values { return queryFields(q.fields()).values() }

// describe says in the audit entry of an export which elders it held.
func (q elderQuery) describe() string { return queryFields(q.fields()).describe("none") }

// ExportURL is the masked export of the current search, for the search
// page's link.
func (p *eldersPage) ExportURL() string {
	v := p.Query.values()
	if len(v) == 0 {
		return "/elders/export"
	}
	return "/elders/export?" + v.Encode()
}

// getEldersExport sends the elders the filter finds as an XLSX workbook.
// The elders are read and the workbook built first (so the row count is
// known); then the export is audited, and only when that succeeded is the
// file sent.
func (s *Server) getEldersExport(w http.ResponseWriter, r *http.Request) error {
	// A cross-site link must not make someone export (and be logged as
	// exporting) the registry without meaning to.
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.forbidden", "Cross-site export refused.")
	}
	sc, err := elderScopeOf(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	q, f, err := parseElderQuery(v)
	if err != nil {
		return err
	}
	revealed, reason := false, ""
	if v.Get("reveal") == "1" {
		if reason, err = revealReason(v.Get("reason")); err != nil {
			return err
		}
		revealed = true
	}
	var elders []*anxin.Elder
	total := 0
	for {
		f.Offset, f.Limit = len(elders), min(eldersExportBatch, maxEldersExport-len(elders))
		batch, n, err := s.db.FindElders(r.Context(), sc, f)
		if err != nil {
			return err
		}
		elders = append(elders, batch...)
		total = n
		if len(batch) < f.Limit || len(elders) >= total || len(elders) >= maxEldersExport {
			break
		}
	}
	mode := "masked"
	if revealed {
		mode = "revealed"
	}
	detail := fmt.Sprintf("filters: %s; rows=%d", q.describe(), len(elders))
	if total > len(elders) {
		detail += fmt.Sprintf(" of %d (truncated)", total)
	}
	detail += "; " + mode
	p := s.newPage(r, "elders.title")
	buf, err := eldersWorkbook(p, elders, revealed, s.cfg.Now())
	if err != nil {
		return fmt.Errorf("build elders workbook: %w", err)
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditExport, TargetType: "elders", Detail: detail, Reason: reason}); err != nil {
		return fmt.Errorf("elders export refused, not recorded: %w", err)
	}
	name := "elders-" + s.cfg.Now().In(chinaTime).Format("20060102") + ".xlsx"
	h := w.Header()
	h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Content-Length", strconv.Itoa(len(buf)))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(buf)
	return nil
}

// eldersWorkbook writes elders to an XLSX workbook in p's language with
// the stream writer and returns its bytes. Numbers are masked unless
// revealed; health and medication are left out.
func eldersWorkbook(p *Page, elders []*anxin.Elder, revealed bool, now time.Time) ([]byte, error) {
	t := table{Sheet: p.T("elders.title"), Widths: eldersExportWidths, Header: headerOf(p, eldersExportColumns)}
	return t.write(func(_ *excelize.File, add func([]any) error) error {
		for _, e := range elders {
			if err := add(eldersExportRow(p, e, revealed, now)); err != nil {
				return err
			}
		}
		return nil
	})
}

// eldersExportRow is one elder's line of the workbook, in the order of
// eldersExportColumns. Every cell is text but the age, so that numbers
// keep their leading zeros and are never shown in scientific notation.
func eldersExportRow(p *Page, e *anxin.Elder, revealed bool, now time.Time) []any {
	num := func(n string) string {
		if revealed {
			return n
		}
		return phone.Mask(n)
	}
	id := e.IDNumber
	if !revealed {
		id = maskID(id)
	}
	var phones []string
	for _, x := range e.Phones {
		s := num(x.Number)
		if x.Label != "" {
			s = p.T("elders.label."+x.Label) + " " + s
		}
		phones = append(phones, s)
	}
	var contacts []string
	for _, c := range e.Contacts {
		parts := []string{c.Name, c.Relation}
		for _, n := range c.Phones {
			parts = append(parts, num(n))
		}
		contacts = append(contacts, strings.Join(strings.Fields(strings.Join(parts, " ")), " "))
	}
	var gender, living, status, lastContact string
	if e.Gender != "" {
		gender = p.T("elders.gender." + e.Gender)
	}
	if e.Living != "" {
		living = p.T("elders.living." + e.Living)
	}
	if e.Status != "" {
		status = p.T("elders.status." + e.Status)
	}
	if !e.LastContactAt.IsZero() {
		lastContact = e.LastContactAt.In(chinaTime).Format(time.DateTime)
	}
	var age any = ""
	if a := ageOn(e.BirthDate, now); a >= 0 {
		age = a
	}
	return []any{
		e.Name, gender, e.BirthDate, age, id, strings.Join(phones, "；"), e.RegionName, e.Address,
		living, strings.Join(e.Tags, "、"), e.Dialect, status, strings.Join(contacts, "；"), lastContact,
	}
}
