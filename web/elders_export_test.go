package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/store"
	"github.com/xuri/excelize/v2"
)

// eldersExportHeader is the workbook's header in Chinese.
var eldersExportHeader = []string{"姓名", "性别", "出生日期", "年龄", "身份证号", "电话", "街道/居委", "地址", "居住状况", "标签", "方言", "状态", "紧急联系人", "最近联系"}

// exportRows fetches an export as c and returns its rows (header first),
// failing unless it is a workbook named for today.
func exportRows(t *testing.T, c *testClient, path string) [][]string {
	t.Helper()
	resp, b := auditFetch(t, c, path, nil)
	wantStatus(t, path, resp.StatusCode, http.StatusOK)
	if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("%s: content type %q", path, ct)
	}
	name := "elders-" + time.Now().In(time.FixedZone("CST", 8*3600)).Format("20060102") + ".xlsx"
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+name+`"` {
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
	if len(rows) == 0 || !slices.Equal(rows[0], eldersExportHeader) {
		t.Fatalf("%s: header %q, want %q", path, rows, eldersExportHeader)
	}
	return rows
}

// rowNames lists the names (first column) of the rows after the header.
func rowNames(rows [][]string) []string {
	var out []string
	for _, r := range rows[1:] {
		out = append(out, r[0])
	}
	slices.Sort(out)
	return out
}

// cellOf returns the cell of the row named name under the header col.
func cellOf(t *testing.T, rows [][]string, name, col string) string {
	t.Helper()
	i := slices.Index(eldersExportHeader, col)
	for _, r := range rows[1:] {
		if r[0] == name {
			if i < len(r) {
				return r[i]
			}
			return ""
		}
	}
	t.Fatalf("no row %s in %q", name, rows)
	return ""
}

func TestEldersExport(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		seedElders(t, e)
		c := e.signIn("operator1")

		// The search page links to the export of the current search.
		_, body := c.get("/elders?q=" + url.QueryEscape("王") + "&status=active")
		wantBody(t, body, "导出 Excel", "/elders/export?", "status=active")

		// A filtered export holds what the search finds, numbers masked.
		rows := exportRows(t, c, "/elders/export?q="+url.QueryEscape("王")+"&status=active")
		if got := rowNames(rows); !slices.Equal(got, []string{"王小明", "王秀英"}) {
			t.Fatalf("filtered export holds %v", got)
		}
		if ph := cellOf(t, rows, "王秀英", "电话"); ph != "固话 021-****1234；子女 138****5678" {
			t.Errorf("phones %q", ph)
		}
		if id := cellOf(t, rows, "王秀英", "身份证号"); !strings.Contains(id, "****") || strings.Contains(id, "19420305") {
			t.Errorf("id number %q is not masked", id)
		}
		for col, want := range map[string]string{
			"性别": "女", "出生日期": "1942-03-05", "居住状况": "独居", "标签": "高龄、行动不便", "方言": "上海话",
			"状态": "正常", "紧急联系人": "李明 儿子 139****1111", "地址": "兰溪路 120 弄 5 号 302 室", "最近联系": "",
		} {
			if got := cellOf(t, rows, "王秀英", col); got != want {
				t.Errorf("%s: %q, want %q", col, got, want)
			}
		}
		if r := cellOf(t, rows, "王秀英", "街道/居委"); !strings.Contains(r, "源园") {
			t.Errorf("region %q", r)
		}
		if age := cellOf(t, rows, "王秀英", "年龄"); age == "" || age == "0" {
			t.Errorf("age %q", age)
		}
		for _, r := range rows {
			for _, cell := range r {
				if strings.Contains(cell, "高血压") || strings.Contains(cell, "健康") || strings.Contains(cell, "62541234") || strings.Contains(cell, wangID) {
					t.Fatalf("the masked export leaks %q", cell)
				}
			}
		}

		// Unfiltered: everyone in scope.
		if got := rowNames(exportRows(t, c, "/elders/export")); len(got) != 3 {
			t.Fatalf("unfiltered export holds %v", got)
		}

		// A committee exports only its own elders.
		cc := e.signIn("committee1-1")
		if got := rowNames(exportRows(t, cc, "/elders/export")); !slices.Equal(got, []string{"王小明", "王秀英"}) {
			t.Fatalf("committee1-1 exports %v", got)
		}

		// Full numbers need a reason.
		for _, q := range []string{"reveal=1", "reveal=1&reason=+", "q=%00"} {
			resp, b := auditFetch(t, c, "/elders/export?"+q, nil)
			wantStatus(t, q, resp.StatusCode, http.StatusBadRequest)
			if bytes.HasPrefix(b, []byte("PK")) {
				t.Fatalf("%s: a workbook was served", q)
			}
		}
		reason := "街道办走访名单"
		rows = exportRows(t, c, "/elders/export?q="+url.QueryEscape("王秀英")+"&reveal=1&reason="+url.QueryEscape(reason))
		if got := rowNames(rows); !slices.Equal(got, []string{"王秀英"}) {
			t.Fatalf("revealed export holds %v", got)
		}
		if ph := cellOf(t, rows, "王秀英", "电话"); strings.Contains(ph, "*") || !strings.Contains(ph, "62541234") || !strings.Contains(ph, "13812345678") {
			t.Errorf("revealed phones %q", ph)
		}
		if id := cellOf(t, rows, "王秀英", "身份证号"); id != wangID {
			t.Errorf("revealed id number %q, want %q", id, wangID)
		}
		if ct := cellOf(t, rows, "王秀英", "紧急联系人"); ct != "李明 儿子 13900001111" {
			t.Errorf("revealed contact %q", ct)
		}

		// Registry-less organisations and cross-site links are refused.
		resp, _ := auditFetch(t, e.signIn("supplier1"), "/elders/export", nil)
		wantStatus(t, "supplier export", resp.StatusCode, http.StatusForbidden)
		resp, _ = auditFetch(t, c, "/elders/export", http.Header{"Sec-Fetch-Site": {"cross-site"}})
		wantStatus(t, "cross-site export", resp.StatusCode, http.StatusForbidden)

		// Each export is in the log: what it held, and why numbers were shown.
		var out auditList
		st := e.api("GET", "/api/v1/audit?action=export", e.token("admin"), nil, &out)
		wantStatus(t, "export entries", st, http.StatusOK)
		if out.Total != 4 {
			t.Fatalf("%d export entries, want 4: %+v", out.Total, out.Items)
		}
		var masked, revealed int
		for _, x := range out.Items {
			if x.TargetType != "elders" {
				t.Errorf("export entry of %q", x.TargetType)
			}
			switch {
			case strings.HasSuffix(x.Detail, "; masked"):
				masked++
				if x.Reason != "" {
					t.Errorf("masked export with reason %q", x.Reason)
				}
				if x.ActorName == "operator1" && strings.Contains(x.Detail, "status=active") && !strings.Contains(x.Detail, "rows=2") {
					t.Errorf("filtered export entry %q", x.Detail)
				}
			case strings.HasSuffix(x.Detail, "; revealed"):
				revealed++
				if x.Reason != reason || x.ActorName != "operator1" || !strings.Contains(x.Detail, "rows=1") {
					t.Errorf("revealed export entry %+v", x)
				}
			default:
				t.Errorf("export entry detail %q", x.Detail)
			}
		}
		if masked != 3 || revealed != 1 {
			t.Errorf("%d masked and %d revealed exports logged", masked, revealed)
		}
		_, body = e.signIn("admin").get("/admin/audit?action=export")
		wantBody(t, body, "<td>导出数据</td>", reason)
	})
}

// An export whose audit entry cannot be written is not served.
func TestEldersExportNeedsItsEntry(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		seedElders(t, e)
		c := e.signIn("operator1")
		refuse := []string{"CREATE TRIGGER refuse_export BEFORE INSERT ON audit_log WHEN (NEW.action = 'export') BEGIN SELECT RAISE(ABORT, 'no exports'); END"}
		if e.db.Engine() == store.Postgres {
			refuse = []string{
				"CREATE FUNCTION refuse_export() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no exports'; END $$",
				"CREATE TRIGGER refuse_export BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.action = 'export') EXECUTE FUNCTION refuse_export()",
			}
		}
		err := e.db.Transact(ctx, func(tx *store.Tx) error {
			for _, q := range refuse {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		resp, b := auditFetch(t, c, "/elders/export?reveal=1&reason=x", nil)
		wantStatus(t, "unaudited export", resp.StatusCode, http.StatusInternalServerError)
		if strings.Contains(resp.Header.Get("Content-Type"), "spreadsheet") || bytes.HasPrefix(b, []byte("PK")) || strings.Contains(string(b), "王秀英") {
			t.Fatal("the workbook was served without its audit entry")
		}
	})
}

// The workbook speaks the account's language.
func TestEldersExportEnglish(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		seedElders(t, e)
		c := e.signIn("operator1")
		st, _ := c.post("/me/locale", url.Values{"locale": {"en"}})
		wantStatus(t, "switch to English", st, http.StatusSeeOther)
		resp, b := auditFetch(t, c, "/elders/export", nil)
		wantStatus(t, "export", resp.StatusCode, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("Elders")
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 4 || rows[0][0] != "Name" || rows[0][5] != "Phones" {
			t.Fatalf("rows %q", rows)
		}
	})
}
