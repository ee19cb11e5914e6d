package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/xuri/excelize/v2"
)

// auditActions lists every audit action in the order the filter offers
// them; each has an audit.action.* message.
var auditActions = []string{
	anxin.AuditSignIn, anxin.AuditSignInFailed, anxin.AuditSignOut,
	anxin.AuditPasswordChange, anxin.AuditPasswordReset,
	anxin.AuditAccountCreate, anxin.AuditAccountUpdate,
	anxin.AuditOrgCreate, anxin.AuditOrgUpdate,
	anxin.AuditTokenCreate, anxin.AuditTokenRevoke,
	anxin.AuditReveal, anxin.AuditExport, anxin.AuditPlayback, anxin.AuditRegionsImport, auditEldersImport,
	anxin.AuditVocabCreate, anxin.AuditVocabUpdate, anxin.AuditVocabDelete, anxin.AuditCalendarUpdate, anxin.AuditCategoryUpdate, anxin.AuditSLAUpdate, anxin.AuditSLAReset, anxin.AuditDialAllow, anxin.AuditDialDisallow,
	anxin.AuditItemCreate, anxin.AuditItemUpdate, anxin.AuditItemPrice, anxin.AuditItemApprove, anxin.AuditItemReject, anxin.AuditItemRetire,
	auditMenuCreate, auditMenuUpdate, auditMenuDelete, auditQueueUpdate, auditPromptUpload, auditPromptDelete, auditSkillsUpdate,
	anxin.AuditTrunkCreate, anxin.AuditTrunkUpdate, anxin.AuditDIDSave,
	anxin.AuditProviderApply, anxin.AuditProviderReview, anxin.AuditDocumentUpload, anxin.AuditDocumentDownload, anxin.AuditDocumentDelete,
	auditCampaignCreate, auditCampaignUpdate, auditCampaignState, auditCampaignTasks, auditScriptSave,
}

// maxAuditExport caps one export; a larger log is exported in date ranges.
const maxAuditExport = 100_000

// routesAudit registers the audit log pages. Nothing edits or deletes the
// log; the store decides who sees which entries (admins, by region).
func (s *Server) routesAudit() {
	s.page("GET /admin/audit", s.getAudit)
	s.page("GET /admin/audit/export", s.getAuditExport)
}

// apiAudit registers the audit log API.
func (s *Server) apiAudit() {
	s.api("GET /api/v1/audit", s.apiListAudit)
}

// auditQuery is the audit filter as typed: it refills the form and builds
// the paging and export links.
type auditQuery struct {
	Action, Actor, From, To string
}

// parseAuditQuery reads action, actor, from and to. From and to are China
// dates (YYYY-MM-DD, to inclusive) or, for API clients, RFC 3339 instants
// (to exclusive).
func parseAuditQuery(r *http.Request) (auditQuery, anxin.AuditFilter, error) {
	v := r.URL.Query()
	q := auditQuery{
		Action: strings.TrimSpace(v.Get("action")),
		Actor:  strings.TrimSpace(v.Get("actor")),
		From:   strings.TrimSpace(v.Get("from")),
		To:     strings.TrimSpace(v.Get("to")),
	}
	f := anxin.AuditFilter{Action: q.Action, Actor: q.Actor}
	if q.Action != "" && !validAuditAction(q.Action) {
		return q, f, anxin.ErrorKey(anxin.EINVALID, "err.audit_action", "Unknown audit action %q.", truncate(q.Action, 40))
	}
	if utf8.RuneCountInString(q.Actor) > 64 || !isPlainText(q.Actor) {
		return q, f, anxin.ErrorKey(anxin.EINVALID, "err.audit_actor", "Actor must be a username.")
	}
	var err error
	if f.From, err = parseAuditTime(q.From, false); err != nil {
		return q, f, err
	}
	if f.To, err = parseAuditTime(q.To, true); err != nil {
		return q, f, err
	}
	return q, f, nil
}

func validAuditAction(a string) bool {
	for _, x := range auditActions {
		if x == a {
			return true
		}
	}
	return false
}

// parseAuditTime reads a China date or an RFC 3339 time; a date as the end
// of a range means the end of that day.
func parseAuditTime(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, chinaTime); err == nil {
		if end {
			t = t.AddDate(0, 0, 1)
		}
		return t.UTC(), nil
	}
	// An unencoded "+08:00" arrives as " 08:00"; RFC 3339 has no spaces.
	if t, err := time.Parse(time.RFC3339, strings.ReplaceAll(s, " ", "+")); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, anxin.ErrorKey(anxin.EINVALID, "err.audit_date", "Dates must be YYYY-MM-DD or RFC 3339, not %q.", truncate(s, 40))
}

// fields lists the filter's parameters in a fixed order.
func (q auditQuery) fields() [][2]string {
	return [][2]string{{"action", q.Action}, {"actor", q.Actor}, {"from", q.From}, {"to", q.To}}
}

// values encodes the filter for links, leaving out what is empty.
func (q auditQuery) values() url.Values { return queryFields(q.fields()).values() }

// describe says in the audit entry of an export which entries it held.
func (q auditQuery) describe() string { return queryFields(q.fields()).describe("all entries") }

// auditPage is the audit log viewer.
type auditPage struct {
	*Page
	Query          auditQuery
	Actions        []string
	Entries        []*anxin.AuditEntry
	Total          int
	First, Last    int // 1-based positions shown
	PrevURL        string
	NextURL        string
	ExportURL      string
	ExportTooLarge bool
}

// getAudit shows a page of the audit log, newest first.
func (s *Server) getAudit(w http.ResponseWriter, r *http.Request) error {
	q, f, err := parseAuditQuery(r)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = pageParams(r)
	es, total, err := s.db.FindAudit(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	p := &auditPage{Page: s.newPage(r, "audit.title"), Query: q, Actions: auditActions, Entries: es, Total: total}
	if len(es) > 0 {
		p.First, p.Last = f.Offset+1, f.Offset+len(es)
	}
	link := func(path string, offset int) string {
		v := q.values()
		if offset > 0 {
			v.Set("offset", strconv.Itoa(offset))
		}
		if f.Limit != 50 && path == "/admin/audit" {
			v.Set("limit", strconv.Itoa(f.Limit))
		}
		if len(v) == 0 {
			return path
		}
		return path + "?" + v.Encode()
	}
	if f.Offset > 0 {
		p.PrevURL = link("/admin/audit", max(f.Offset-f.Limit, 0))
	}
	if f.Offset+len(es) < total {
		p.NextURL = link("/admin/audit", f.Offset+f.Limit)
	}
	p.ExportURL = link("/admin/audit/export", 0)
	p.ExportTooLarge = total > maxAuditExport
	s.render(w, r, http.StatusOK, "audit", p)
	return nil
}

// apiListAudit answers GET /api/v1/audit with the list envelope; only
// admins may read the log (403 otherwise).
func (s *Server) apiListAudit(w http.ResponseWriter, r *http.Request) error {
	_, f, err := parseAuditQuery(r)
	if err != nil {
		return err
	}
	f.Offset, f.Limit = pageParams(r)
	es, total, err := s.db.FindAudit(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, es, total, f.Offset, f.Limit)
	return nil
}

// getAuditExport sends the filtered log as an XLSX workbook. The entries
// are read first (so the store refuses non-admins before anything is
// written, and the row count is known) and the workbook is built in
// memory; then the export is recorded in the log, and only when that
// succeeded is a single byte sent.
func (s *Server) getAuditExport(w http.ResponseWriter, r *http.Request) error {
	// A cross-site link must not make an admin export (and be logged as
	// exporting) without meaning to.
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.forbidden", "Cross-site export refused.")
	}
	q, f, err := parseAuditQuery(r)
	if err != nil {
		return err
	}
	f.Limit = maxAuditExport
	es, total, err := s.db.FindAudit(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("audit log: %s; rows=%d", q.describe(), len(es))
	if total > len(es) {
		detail += fmt.Sprintf(" of %d (truncated)", total)
	}
	buf, err := auditWorkbook(s.newPage(r, "audit.title"), es)
	if err != nil {
		return fmt.Errorf("build audit workbook: %w", err)
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditExport, TargetType: "audit_log", Detail: detail}); err != nil {
		return fmt.Errorf("audit export refused, not recorded: %w", err)
	}
	name := "audit-" + s.cfg.Now().In(chinaTime).Format("20060102") + ".xlsx"
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

// auditColumns are the message keys of the columns of the table and of
// the workbook.
var auditColumns = []string{"audit.col.at", "audit.col.actor", "audit.col.action", "audit.col.target", "audit.col.detail", "audit.col.reason", "audit.col.ip", "audit.col.region"}

// auditWorkbook writes entries to an XLSX workbook in p's language with
// the stream writer, times in China time, and returns its bytes.
func auditWorkbook(p *Page, es []*anxin.AuditEntry) ([]byte, error) {
	t := table{Sheet: p.T("audit.title"), Widths: []float64{18, 14, 14, 22, 50, 24, 16, 14}, Header: headerOf(p, auditColumns)}
	return t.write(func(_ *excelize.File, add func([]any) error) error {
		for _, e := range es {
			row := []any{
				e.At.In(chinaTime).Format(time.DateTime), e.ActorName, auditActionLabel(p, e.Action),
				strings.TrimSpace(e.TargetType + " " + e.TargetID), e.Detail, e.Reason, e.IP, e.Region,
			}
			if err := add(row); err != nil {
				return err
			}
		}
		return nil
	})
}

// auditActionLabel translates an action, keeping unknown ones as they are.
func auditActionLabel(p *Page, action string) string {
	if m, ok := p.msgs.lookup(p.Lang, "audit.action."+action); ok {
		return m
	}
	return action
}

// ActionLabel translates an audit action for the template.
func (p *auditPage) ActionLabel(action string) string { return auditActionLabel(p.Page, action) }
