package web_test

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/xuri/excelize/v2"
)

// coverageSheet fetches an export as c and returns its rows (header
// first), failing unless it is a workbook of one sheet.
func coverageSheet(t *testing.T, c *testClient, path string) [][]string {
	t.Helper()
	resp, b := auditFetch(t, c, path, nil)
	wantStatus(t, path, resp.StatusCode, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("%s: content type %q", path, ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasSuffix(cd, `-20261123.xlsx"`) {
		t.Fatalf("%s: content disposition %q", path, cd)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not an XLSX file: %v", path, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) != 1 {
		t.Fatalf("%s: sheets %v", path, sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCoverage on a small known registry: in 曹杨新村 one elder of 源园
// reached by a call today, two of 花溪园 never (one registered ten days
// ago: at risk; one yesterday: not yet) and one in hospital (not counted).
// The street office sees its committees with counts and shares, drills
// down, lists the elders at risk (numbers masked) and exports both to
// XLSX (audited); a committee sees itself only; an operator nothing.
func TestCoverage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.atMonday()
		a := knockElder(t, e, "甲阿婆", "310107005001", "13800000001")
		if id := campaignCall(t, e, a, anxin.DispCompleted); id != 0 {
			t.Fatal("a completed call opened a door-knock")
		}
		e.now = monday.AddDate(0, 0, -10)
		knockElder(t, e, "乙阿婆", "310107005003", "13800000002")
		e.now = monday.AddDate(0, 0, -1)
		knockElder(t, e, "丙阿婆", "310107005003", "13800000003")
		if err := e.db.CreateElder(ctx, anxin.SystemScope(), &anxin.Elder{Name: "丁阿婆", RegionCode: "310107005003", Status: anxin.StatusInHospital}); err != nil {
			t.Fatal(err)
		}
		e.now = monday

		c := e.signIn("street1")
		st, body := c.get("/coverage")
		wantStatus(t, "coverage", st, http.StatusOK)
		wantBody(t, body, "联系覆盖率：曹杨新村街道", `href="/coverage?area=310107005001"`, "源园居委会", "花溪园居委会",
			`<meter min="0" max="100" low="50" high="80" optimum="100" value="100">`, "合计（曹杨新村街道）", "33.3%",
			`href="/coverage/elders?area=310107005003&amp;list=at_risk"`)
		st, body = c.get("/coverage?area=310107005003")
		wantStatus(t, "a committee", st, http.StatusOK)
		wantBody(t, body, "联系覆盖率：花溪园居委会", `<a href="/coverage?area=310107005">曹杨新村街道</a>`)
		st, body = c.get("/coverage/elders?area=310107005&list=at_risk")
		wantStatus(t, "at risk", st, http.StatusOK)
		wantBody(t, body, "失联风险老人：曹杨新村街道", "乙阿婆", "138****0002")
		if strings.Contains(body, "丙阿婆") || strings.Contains(body, "甲阿婆") {
			t.Fatal("the at-risk list holds elders who are not at risk")
		}
		if st, _ := c.get("/coverage/elders?area=310107005&list=soon"); st != http.StatusBadRequest {
			t.Fatalf("an unknown list: %d", st)
		}

		rows := coverageSheet(t, c, "/coverage/export?area=310107005")
		header := []string{"区划代码", "区域", "在住老人", "1 天内", "1 天内占比", "7 天内", "7 天内占比", "30 天内", "30 天内占比", "从未联系", "失联风险"}
		if !slices.Equal(rows[0], header) {
			t.Fatalf("coverage header %q", rows[0])
		}
		if len(rows) < 1+20+1 {
			t.Fatalf("%d rows, want every committee of the street and the total", len(rows))
		}
		find := func(code string) []string {
			for _, r := range rows[1:] {
				if r[0] == code {
					return r
				}
			}
			t.Fatalf("no row %s in %q", code, rows)
			return nil
		}
		if r := find("310107005001"); !slices.Equal(r, []string{"310107005001", "源园居委会", "1", "1", "100.00%", "1", "100.00%", "1", "100.00%", "0", "0"}) {
			t.Fatalf("源园 row %q", r)
		}
		if r := find("310107005003"); !slices.Equal(r, []string{"310107005003", "花溪园居委会", "2", "0", "0.00%", "0", "0.00%", "0", "0.00%", "2", "1"}) {
			t.Fatalf("花溪园 row %q", r)
		}
		if r := rows[len(rows)-1]; !slices.Equal(r, []string{"310107005", "合计（曹杨新村街道）", "3", "1", "33.33%", "1", "33.33%", "1", "33.33%", "2", "1"}) {
			t.Fatalf("total row %q", r)
		}
		rows = coverageSheet(t, c, "/coverage/export?area=310107005&list=at_risk")
		if len(rows) != 2 || rows[1][0] != "乙阿婆" || rows[1][5] != "手机 138****0002" {
			t.Fatalf("at-risk export %q", rows)
		}
		log, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditExport})
		if err != nil || len(log) != 2 || log[0].TargetType != "coverage" || log[0].ActorName != "street1" {
			t.Fatalf("exports audited: %+v %v", log, err)
		}

		tok := e.token("street1")
		var cov anxin.Coverage
		if st := e.api("GET", "/api/v1/coverage", tok, nil, &cov); st != http.StatusOK || cov.Area.Code != "310107005" ||
			cov.Area.Active != 3 || cov.Area.Reached7 != 1 || cov.Area.AtRisk != 1 || len(cov.Rows) < 20 {
			t.Fatalf("API coverage %d %+v", st, cov.Area)
		}
		if st := e.api("GET", "/api/v1/coverage?area=310105", tok, nil, nil); st != http.StatusNotFound {
			t.Fatalf("API coverage of another district: %d", st)
		}

		committee := e.signIn("committee1-2")
		st, body = committee.get("/coverage")
		wantStatus(t, "the committee's coverage", st, http.StatusOK)
		wantBody(t, body, "联系覆盖率：花溪园居委会")
		if st, _ := committee.get("/coverage?area=310107005001"); st != http.StatusNotFound {
			t.Fatalf("another committee's coverage: %d", st)
		}
		if st, _ := e.signIn("operator1").get("/coverage"); st != http.StatusForbidden {
			t.Fatalf("an operator's coverage: %d", st)
		}
	})
}

// TestAtRiskBadges: an elder not reached for a week is flagged on the
// registry's list and profile, and on the order page's elder block.
func TestAtRiskBadges(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.atMonday()
		e.now = monday.AddDate(0, 0, -8)
		old := knockElder(t, e, "久未联系", "310107005001", "13800000009")
		e.now = monday
		knockElder(t, e, "新登记", "310107005001", "13800000008")
		c := e.signIn("operator1")
		_, body := c.get("/elders?within=310107005001")
		if strings.Count(body, `class="badge at-risk"`) != 1 {
			t.Fatalf("the registry flags %d elders, want 1:\n%s", strings.Count(body, `class="badge at-risk"`), body)
		}
		_, body = c.get("/elders/" + strconv.FormatInt(old.ID, 10))
		wantBody(t, body, `class="badge at-risk"`, "失联风险")
		o := &anxin.Order{Type: anxin.TypeService, Channel: anxin.ChannelInbound, ElderID: old.ID, Title: "需要助浴"}
		if err := e.db.CreateOrder(ctx, e.scopeOfUser("operator1"), o); err != nil {
			t.Fatal(err)
		}
		_, body = c.get("/orders/" + strconv.FormatInt(o.ID, 10))
		wantBody(t, body, `class="badge at-risk"`)
		e.now = e.now.Add(-24 * time.Hour * 2)
		if _, body = c.get("/elders/" + strconv.FormatInt(old.ID, 10)); strings.Contains(body, `class="badge at-risk"`) {
			t.Fatal("flagged after six days")
		}
	})
}
