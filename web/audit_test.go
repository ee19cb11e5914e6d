package web_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/xuri/excelize/v2"
)

// auditList is the API's list envelope of audit entries.
type auditList struct {
	Items  []anxin.AuditEntry `json:"items"`
	Total  int                `json:"total"`
	Offset int                `json:"offset"`
	Limit  int                `json:"limit"`
}

// auditFetch gets a path with the client's cookies and extra headers and
// returns the whole response.
func auditFetch(t *testing.T, c *testClient, path string, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", c.e.ts.URL+path, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestAuditLogPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.signIn("operator1")
		c := e.signIn("admin")

		st, body := c.get("/admin/audit")
		wantStatus(t, "audit log", st, http.StatusOK)
		wantBody(t, body, "<h1>审计日志</h1>", "<td>admin</td>", "<td>operator1</td>", "<td>登录</td>", `name="action"`, `type="date"`, "/admin/audit/export")
		if strings.Contains(body, "audit.action.") {
			t.Fatal("an audit action has no translation")
		}
		if strings.Index(body, "<td>admin</td>") > strings.Index(body, "<td>operator1</td>") {
			t.Fatal("entries are not newest first")
		}

		st, body = c.get("/admin/audit?action=signin&actor=operator1")
		wantStatus(t, "filtered", st, http.StatusOK)
		wantBody(t, body, "<td>operator1</td>", `<option value="signin" selected>`, `value="operator1"`)
		if strings.Contains(body, "<td>admin</td>") {
			t.Fatal("actor filter shows admin's entries")
		}

		today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
		st, body = c.get("/admin/audit?from=" + today + "&to=" + today)
		wantStatus(t, "today", st, http.StatusOK)
		wantBody(t, body, "<td>admin</td>")
		st, body = c.get("/admin/audit?from=2000-01-01&to=2000-01-31")
		wantStatus(t, "long ago", st, http.StatusOK)
		wantBody(t, body, "没有符合条件的记录")

		st, body = c.get("/admin/audit?limit=1")
		wantStatus(t, "first page", st, http.StatusOK)
		wantBody(t, body, "第 1–1 条，共 2 条", `href="/admin/audit?limit=1&amp;offset=1"`)
		st, body = c.get("/admin/audit?limit=1&offset=1")
		wantStatus(t, "second page", st, http.StatusOK)
		wantBody(t, body, "第 2–2 条，共 2 条", "<td>operator1</td>", `href="/admin/audit?limit=1"`)

		for _, q := range []string{"action=bogus", "from=yesterday", "to=2026-13-01", "actor=%00"} {
			st, _ = c.get("/admin/audit?" + q)
			wantStatus(t, q, st, http.StatusBadRequest)
		}
	})
}

func TestAuditAdminsOnly(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("operator1")
		_, home := c.get("/")
		if strings.Contains(home, `href="/admin/audit"`) {
			t.Fatal("an operator's navigation offers the audit log")
		}
		for _, path := range []string{"/admin/audit", "/admin/audit/export"} {
			st, _ := c.get(path)
			wantStatus(t, path, st, http.StatusForbidden)
		}
		st := e.api("GET", "/api/v1/audit", e.token("operator1"), nil, nil)
		wantStatus(t, "api", st, http.StatusForbidden)
		st = e.api("GET", "/api/v1/audit", "", nil, nil)
		wantStatus(t, "api without token", st, http.StatusUnauthorized)
		// The refused export left no trace of an export.
		es, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditExport})
		if err != nil || len(es) != 0 {
			t.Fatalf("export entries after a refused export: %v, %v", es, err)
		}
	})
}

func TestAuditScopedByRegion(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.signIn("admin")
		e.signIn("cityadmin")
		e.signIn("street1") // 曹杨新村街道, inside the city
		count := func(token, query string) int {
			t.Helper()
			var out auditList
			st := e.api("GET", "/api/v1/audit?"+query, token, nil, &out)
			wantStatus(t, query, st, http.StatusOK)
			if len(out.Items) != min(out.Total, out.Limit) {
				t.Fatalf("%s: %d items of %d", query, len(out.Items), out.Total)
			}
			return out.Total
		}
		city, platform := e.token("cityadmin"), e.token("admin")
		if n := count(city, "actor=admin"); n != 0 {
			t.Fatalf("the city admin sees %d entries of the platform admin", n)
		}
		if n := count(city, "actor=cityadmin"); n != 1 {
			t.Fatalf("the city admin sees %d of its own entries", n)
		}
		if n := count(city, "actor=street1&action=signin"); n != 1 {
			t.Fatalf("the city admin sees %d entries of a street in the city", n)
		}
		for _, actor := range []string{"admin", "cityadmin", "street1"} {
			if n := count(platform, "action=signin&actor="+actor); n != 1 {
				t.Fatalf("the platform admin sees %d sign-ins of %s", n, actor)
			}
		}
		var out auditList
		e.api("GET", "/api/v1/audit?limit=2&offset=1", platform, nil, &out)
		if out.Offset != 1 || out.Limit != 2 || len(out.Items) != 2 || out.Total != 3 {
			t.Fatalf("paged list %+v", out)
		}
		if out.Items[0].ID < out.Items[1].ID {
			t.Fatalf("not newest first: %+v", out.Items)
		}
		today := time.Now().UTC().Format(time.DateOnly)
		if n := count(platform, "from="+today+"&to="+url.QueryEscape(time.Now().Add(time.Hour).Format(time.RFC3339))); n != 3 {
			t.Fatalf("today's entries: %d", n)
		}
		cst := time.FixedZone("CST", 8*3600)
		y, m, d := time.Now().In(cst).Date()
		midnight := time.Date(y, m, d, 0, 0, 0, 0, cst).Format(time.RFC3339) // "+08:00", "+" left unencoded
		if n := count(platform, "from="+midnight); n != 3 {
			t.Fatalf("entries since %s: %d", midnight, n)
		}
		for _, q := range []string{"from=x", "action=nope"} {
			st := e.api("GET", "/api/v1/audit?"+q, platform, nil, nil)
			wantStatus(t, q, st, http.StatusBadRequest)
		}

		c := e.signIn("cityadmin")
		_, body := c.get("/admin/audit?actor=admin")
		wantBody(t, body, "没有符合条件的记录")
	})
}

func TestAuditExport(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.signIn("operator1")
		c := e.signIn("admin")

		resp, b := auditFetch(t, c, "/admin/audit/export?action=signin", nil)
		wantStatus(t, "export", resp.StatusCode, http.StatusOK)
		if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("content type %q", ct)
		}
		name := "audit-" + time.Now().In(time.FixedZone("CST", 8*3600)).Format("20060102") + ".xlsx"
		if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="`+name+`"` {
			t.Fatalf("content disposition %q", cd)
		}
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("not an XLSX file: %v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) != 1 || sheets[0] != "审计日志" {
			t.Fatalf("sheets %v", sheets)
		}
		rows, err := f.GetRows(sheets[0])
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"时间", "操作人", "操作", "对象", "详情", "事由", "IP 地址", "所属区划"}; !slices.Equal(rows[0], want) {
			t.Fatalf("header %q, want %q", rows[0], want)
		}
		if len(rows) != 3 {
			t.Fatalf("%d rows, want a header and two sign-ins", len(rows))
		}
		if rows[1][1] != "admin" || rows[1][2] != "登录" || rows[2][1] != "operator1" {
			t.Fatalf("rows %q", rows[1:])
		}
		if at, err := time.ParseInLocation(time.DateTime, rows[1][0], time.FixedZone("CST", 8*3600)); err != nil || time.Since(at) > time.Minute {
			t.Fatalf("time cell %q is not China time now (%v)", rows[1][0], err)
		}

		// The export is in the log, with what it held.
		var out auditList
		st := e.api("GET", "/api/v1/audit?action=export", e.token("admin"), nil, &out)
		wantStatus(t, "export entries", st, http.StatusOK)
		if out.Total != 1 || out.Items[0].ActorName != "admin" || !strings.Contains(out.Items[0].Detail, "action=signin") || !strings.Contains(out.Items[0].Detail, "rows=2") {
			t.Fatalf("export entries %+v", out.Items)
		}
		_, body := c.get("/admin/audit")
		wantBody(t, body, "<td>导出数据</td>")

		// A cross-site link cannot make an admin export.
		resp, _ = auditFetch(t, c, "/admin/audit/export", http.Header{"Sec-Fetch-Site": {"cross-site"}})
		wantStatus(t, "cross-site export", resp.StatusCode, http.StatusForbidden)
	})
}

func TestAuditExportEnglish(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("admin")
		st, _ := c.post("/me/locale", url.Values{"locale": {"en"}})
		wantStatus(t, "switch to English", st, http.StatusSeeOther)
		resp, b := auditFetch(t, c, "/admin/audit/export", nil)
		wantStatus(t, "export", resp.StatusCode, http.StatusOK)
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rows, err := f.GetRows("Audit log")
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "Time" || rows[0][2] != "Action" || len(rows) < 2 || rows[1][2] != "Sign-in" {
			t.Fatalf("rows %q", rows)
		}
	})
}

// TestAuditExportNeedsItsEntry checks that an export whose audit entry
// cannot be written is not served.
func TestAuditExportNeedsItsEntry(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("admin")
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
		resp, b := auditFetch(t, c, "/admin/audit/export", nil)
		wantStatus(t, "unaudited export", resp.StatusCode, http.StatusInternalServerError)
		if strings.Contains(resp.Header.Get("Content-Type"), "spreadsheet") || bytes.HasPrefix(b, []byte("PK")) {
			t.Fatal("the workbook was served without its audit entry")
		}
	})
}

// TestAuditLogAppendOnly checks that the database itself refuses to change
// or delete audit entries, whatever the code above it does.
func TestAuditLogAppendOnly(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.signIn("admin")
		_, before, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{})
		if err != nil || before == 0 {
			t.Fatalf("%d entries, %v", before, err)
		}
		stmts := []string{
			"UPDATE audit_log SET detail = 'tampered'",
			"UPDATE audit_log SET actor_name = 'nobody' WHERE action = 'signin'",
			"DELETE FROM audit_log",
			"DELETE FROM audit_log WHERE action = 'signin'",
		}
		if e.db.Engine() == store.Postgres {
			stmts = append(stmts, "TRUNCATE audit_log")
		}
		for _, q := range stmts {
			err := e.db.Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.ExecContext(ctx, q)
				return err
			})
			if err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Fatalf("%s: %v, want refused as append-only", q, err)
			}
		}
		es, after, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{})
		if err != nil || after != before {
			t.Fatalf("%d entries after tampering, had %d (%v)", after, before, err)
		}
		for _, x := range es {
			if x.Detail == "tampered" || x.ActorName == "nobody" {
				t.Fatalf("entry changed: %+v", x)
			}
		}
	})
}
