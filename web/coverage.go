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

// Coverage of the registry (/coverage, issue 6): the share of the active
// elders somebody reached within 1, 7 and 30 days, by district, street and
// committee, from the viewer's own area down (a click on an area opens
// it); the never-reached and at-risk elders of an area, a page at a time;
// both exported to XLSX (masked numbers, audited like every export).

// coverageScopeOf returns the request's scope, or EFORBIDDEN for those
// who may not read coverage (anxin.Scope.SeesCoverage).
func coverageScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if !sc.All && !sc.SeesCoverage() {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.coverage_forbidden", "Coverage is for supervisors, administrators and street and committee staff.")
	}
	return sc, nil
}

type coveragePage struct {
	*Page
	Cov *anxin.Coverage
	// Child is the message key naming the rows' level.
	Child string
}

// Href opens an area's coverage.
func (p *coveragePage) Href(code string) string {
	return "/coverage?" + url.Values{"area": {code}}.Encode()
}

// ListHref is an area's list of never-reached or at-risk elders.
func (p *coveragePage) ListHref(code, list string) string {
	return "/coverage/elders?" + url.Values{"area": {code}, "list": {list}}.Encode()
}

// ExportHref exports the area's table.
func (p *coveragePage) ExportHref() string {
	return "/coverage/export?" + url.Values{"area": {p.Cov.Area.Code}}.Encode()
}

// levelKeys name the levels, by anxin.Level*.
var levelKeys = map[int]string{
	anxin.LevelProvince: "coverage.level.province", anxin.LevelCity: "coverage.level.city", anxin.LevelDistrict: "coverage.level.district",
	anxin.LevelStreet: "coverage.level.street", anxin.LevelCommittee: "coverage.level.committee",
}

// getCoverage shows an area's coverage (?area=, the viewer's own area by
// default).
func (s *Server) getCoverage(w http.ResponseWriter, r *http.Request) error {
	sc, err := coverageScopeOf(r)
	if err != nil {
		return err
	}
	p := &coveragePage{Page: s.newPage(r, "coverage.title")}
	if p.Cov, err = s.db.Coverage(r.Context(), sc, strings.TrimSpace(r.URL.Query().Get("area")), p.now); err != nil {
		return err
	}
	if len(p.Cov.Rows) > 0 {
		p.Child = levelKeys[p.Cov.Rows[0].Level]
	}
	if p.Cov.Area.Name != "" {
		p.Title = p.T("coverage.title_of", p.Cov.Area.Name)
	}
	s.render(w, r, http.StatusOK, "coverage", p)
	return nil
}

// coverageList reads and checks ?list=.
func coverageList(r *http.Request) (string, error) {
	list := r.URL.Query().Get("list")
	if list != anxin.CoverageNever && list != anxin.CoverageAtRisk {
		return "", anxin.ErrorKey(anxin.EINVALID, "err.coverage_list", "The list is never or at_risk, not %q.", truncate(list, 20))
	}
	return list, nil
}

type coverageEldersPage struct {
	*Page
	Area      anxin.CoverageRow
	List      string
	Rows      []coverageElder
	Pager     listPager
	ExportURL string
}

// coverageElder is one line of an area's list.
type coverageElder struct {
	*anxin.Elder
	Committee string
	Phone     string // the first number, masked
	AtRisk    bool
}

// getCoverageElders lists a page of an area's never-reached or at-risk
// elders, by committee.
func (s *Server) getCoverageElders(w http.ResponseWriter, r *http.Request) error {
	sc, err := coverageScopeOf(r)
	if err != nil {
		return err
	}
	list, err := coverageList(r)
	if err != nil {
		return err
	}
	area := strings.TrimSpace(r.URL.Query().Get("area"))
	offset, limit := pageParams(r)
	p := &coverageEldersPage{Page: s.newPage(r, "coverage.list."+list), List: list}
	elders, total, err := s.db.CoverageElders(r.Context(), sc, area, list, p.now, offset, limit)
	if err != nil {
		return err
	}
	if area == "" {
		area = sc.Region
	}
	p.Area = anxin.CoverageRow{Code: area}
	if area != "" {
		reg, err := s.db.FindRegion(r.Context(), area)
		if err != nil {
			return err
		}
		p.Area.Name = reg.Name
		p.Title = p.T("coverage.list_of."+list, reg.Name)
	}
	for _, e := range elders {
		p.Rows = append(p.Rows, coverageElderRow(e, p.now))
	}
	p.Pager = newListPager(r.URL, len(elders), total, offset, limit)
	p.ExportURL = "/coverage/export?" + url.Values{"area": {area}, "list": {list}}.Encode()
	s.render(w, r, http.StatusOK, "coverage_elders", p)
	return nil
}

func coverageElderRow(e *anxin.Elder, now time.Time) coverageElder {
	row := coverageElder{Elder: e, Committee: shortRegion(e.RegionName), AtRisk: e.AtRisk(now)}
	if len(e.Phones) > 0 {
		row.Phone = phone.Mask(e.Phones[0].Number)
	}
	return row
}

// apiCoverage answers GET /api/v1/coverage[?area=…].
func (s *Server) apiCoverage(w http.ResponseWriter, r *http.Request) error {
	sc, err := coverageScopeOf(r)
	if err != nil {
		return err
	}
	cov, err := s.db.Coverage(r.Context(), sc, strings.TrimSpace(r.URL.Query().Get("area")), s.cfg.Now())
	if err != nil {
		return err
	}
	if cov.Rows == nil {
		cov.Rows = []anxin.CoverageRow{}
	}
	writeJSON(w, http.StatusOK, cov)
	return nil
}

// maxCoverageExport caps the elders of one list export.
const maxCoverageExport = 100_000

// getCoverageExport sends an area's coverage table (or, with ?list=, its
// never-reached or at-risk elders, numbers masked) as an XLSX workbook,
// audited before a byte is sent.
func (s *Server) getCoverageExport(w http.ResponseWriter, r *http.Request) error {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.forbidden", "Cross-site export refused.")
	}
	sc, err := coverageScopeOf(r)
	if err != nil {
		return err
	}
	area := strings.TrimSpace(r.URL.Query().Get("area"))
	p := s.newPage(r, "coverage.title")
	var buf []byte
	var detail, name string
	if r.URL.Query().Get("list") == "" {
		cov, err := s.db.Coverage(r.Context(), sc, area, p.now)
		if err != nil {
			return err
		}
		if buf, err = coverageWorkbook(p, cov); err != nil {
			return fmt.Errorf("build coverage workbook: %w", err)
		}
		detail = fmt.Sprintf("coverage of %s; rows=%d", orDash(cov.Area.Code), len(cov.Rows))
		name = "coverage-" + cov.Area.Code
	} else {
		list, err := coverageList(r)
		if err != nil {
			return err
		}
		var elders []*anxin.Elder
		total := 0
		for {
			batch, n, err := s.db.CoverageElders(r.Context(), sc, area, list, p.now, len(elders), min(eldersExportBatch, maxCoverageExport-len(elders)))
			if err != nil {
				return err
			}
			elders, total = append(elders, batch...), n
			if len(batch) == 0 || len(elders) >= total || len(elders) >= maxCoverageExport {
				break
			}
		}
		t := table{Sheet: p.T("coverage.list." + list), Widths: eldersExportWidths, Header: headerOf(p, eldersExportColumns)}
		buf, err = t.write(func(_ *excelize.File, add func([]any) error) error {
			for _, e := range elders {
				if err := add(eldersExportRow(p, e, false, p.now)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("build coverage list workbook: %w", err)
		}
		detail = fmt.Sprintf("%s of %s; rows=%d; masked", list, orDash(area), len(elders))
		if total > len(elders) {
			detail += fmt.Sprintf(" of %d (truncated)", total)
		}
		name = "coverage-" + list + "-" + area
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditExport, TargetType: "coverage", TargetID: area, Detail: detail}); err != nil {
		return fmt.Errorf("coverage export refused, not recorded: %w", err)
	}
	name = strings.TrimSuffix(name, "-") + "-" + p.now.In(chinaTime).Format("20060102") + ".xlsx"
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

// coverageColumns are the message keys of the coverage workbook's columns.
var coverageColumns = []string{
	"coverage.col.code", "coverage.col.area", "coverage.col.active",
	"coverage.col.reached_1d", "coverage.col.share_1d", "coverage.col.reached_7d", "coverage.col.share_7d",
	"coverage.col.reached_30d", "coverage.col.share_30d", "coverage.col.never", "coverage.col.at_risk",
}

// coverageWorkbook writes the child areas and the area's total, counts as
// numbers and shares as percentages.
func coverageWorkbook(p *Page, cov *anxin.Coverage) ([]byte, error) {
	t := table{Sheet: p.T("coverage.title"), Widths: []float64{14, 24, 10, 10, 10, 10, 10, 10, 10, 10, 10}, Header: headerOf(p, coverageColumns)}
	return t.write(func(f *excelize.File, add func([]any) error) error {
		pct, err := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
		if err != nil {
			return err
		}
		share := func(r anxin.CoverageRow, n int) any {
			v := 0.0
			if r.Active > 0 {
				v = float64(n) / float64(r.Active)
			}
			return excelize.Cell{StyleID: pct, Value: v}
		}
		row := func(r anxin.CoverageRow, name string) []any {
			return []any{r.Code, name, r.Active, r.Reached1, share(r, r.Reached1), r.Reached7, share(r, r.Reached7),
				r.Reached30, share(r, r.Reached30), r.Never, r.AtRisk}
		}
		for _, r := range cov.Rows {
			if err := add(row(r, r.Name)); err != nil {
				return err
			}
		}
		return add(row(cov.Area, p.T("coverage.total", orDash(cov.Area.Name))))
	})
}
