package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

func TestCalendarPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.signIn("admin")
		st, body := admin.get("/admin/calendar?year=2026")
		wantStatus(t, "calendar", st, http.StatusOK)
		wantBody(t, body, "2026-10-10,work,", "2026-02-15,off,")
		st, body = admin.get("/admin/calendar?year=2027")
		wantBody(t, body, "暂定")
		st, body = admin.post("/admin/calendar", url.Values{"year": {"2026"}, "days": {"2026-10-01,off,国庆节\n2026-10-14,work,错误\n"}})
		wantStatus(t, "bad list", st, http.StatusBadRequest)
		wantBody(t, body, "line 2", "2026-10-14,work,错误")
		st, _ = admin.post("/admin/calendar", url.Values{"year": {"2026"}, "days": {"2026-10-01,off,国庆节\n2026-10-02,off,国庆节\n"}})
		wantStatus(t, "save", st, http.StatusSeeOther)
		_, body = admin.get("/admin/calendar?year=2026")
		if want := "2026-02-15,off"; strings.Contains(body, want) {
			t.Fatalf("the replaced year still lists %s", want)
		}
		entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditCalendarUpdate, Limit: 5})
		if err != nil || len(entries) != 1 || entries[0].TargetID != "2026" {
			t.Fatalf("audit %+v %v", entries, err)
		}
		st, _ = e.signIn("operator1").get("/admin/calendar")
		wantStatus(t, "operator", st, http.StatusForbidden)
		// A hotline administrator may look but not change it.
		city := e.signIn("cityadmin")
		st, body = city.get("/admin/calendar?year=2026")
		wantStatus(t, "city admin reads", st, http.StatusOK)
		wantBody(t, body, "readonly")
		st, _ = city.post("/admin/calendar", url.Values{"year": {"2026"}, "days": {"2026-10-01,off,国庆节\n"}})
		wantStatus(t, "city admin saves", st, http.StatusForbidden)
	})
}
