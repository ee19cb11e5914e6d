package web_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/workcal"
	"github.com/chromedp/chromedp"
)

// slaForm is a row of the SLA page as a form posts it.
func slaForm(accept, start, complete, visit string, rtc bool) url.Values {
	v := url.Values{"accept": {accept}, "start": {start}, "complete": {complete}, "visit": {visit}}
	if rtc {
		v.Set("round_the_clock", "true")
	}
	return v
}

// The platform administrator changes a policy on /admin/sla, sees a typo
// refused with what was typed, and restores the default; each change is
// audited. A hotline administrator reads the page; an operator may not.
func TestSLAPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.signIn("admin")
		st, body := admin.get("/admin/sla")
		wantStatus(t, "page", st, http.StatusOK)
		wantBody(t, body, "服务需求", "紧急求助", "办结时限", "答复时限", `value="4h"`, `value="5d"`, `value="13d"`,
			`action="/admin/sla/service/normal"`, `form="sla-form-service-normal"`, "默认")
		if strings.Contains(body, "/reset") {
			t.Fatal("a default policy offers a reset")
		}

		st, loc, _ := postWithLocation(t, admin, "/admin/sla/service/normal", slaForm("2小时", "2d", " 3 天 ", "3d", false))
		wantStatus(t, "save", st, http.StatusSeeOther)
		if !strings.Contains(loc, "flash=sla_saved") || !strings.HasSuffix(loc, "#sla-service-normal") {
			t.Fatalf("redirect to %s", loc)
		}
		p, err := e.db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyNormal)
		if err != nil || !p.Custom || p.Accept != (workcal.Budget{Working: 2 * time.Hour}) || p.Complete != (workcal.Budget{Days: 3}) {
			t.Fatalf("stored %+v, %v", p, err)
		}
		// The clocks of this node follow at once.
		if c, _ := e.db.Clocks().Policy(anxin.TypeService, anxin.UrgencyNormal); c.Complete != (workcal.Budget{Days: 3}) {
			t.Fatalf("clocks: %+v", c)
		}
		if a := lastAudit(t, e, "sla.update"); a.TargetID != "service/normal" || a.Detail != "accept 4h→2h; complete 5d→3d" || a.ActorName != "admin" {
			t.Fatalf("audit %+v", a)
		}
		_, body = admin.get("/admin/sla?flash=sla_saved")
		wantBody(t, body, "已保存", `value="2h"`, `value="3d"`, "默认 4h", "默认 5d", "修改", `action="/admin/sla/service/normal/reset"`)

		// The same again changes nothing and audits nothing.
		st, loc, _ = postWithLocation(t, admin, "/admin/sla/service/normal", slaForm("2h", "2d", "3d", "3d", false))
		if st != http.StatusSeeOther || !strings.Contains(loc, "flash=sla_unchanged") {
			t.Fatalf("unchanged: %d %s", st, loc)
		}

		// A typo: the row comes back with what was typed and the field marked.
		st, body = admin.post("/admin/sla/service/urgent", slaForm("1h", "abc", "2d", "3d", false))
		wantStatus(t, "typo", st, http.StatusBadRequest)
		wantBody(t, body, `value="abc"`, "开始服务时限：“abc”不是有效的时限", `aria-invalid="true"`)
		st, body = admin.post("/admin/sla/service/urgent", slaForm("1h", "1d", "", "3d", true))
		wantStatus(t, "no completion", st, http.StatusBadRequest)
		wantBody(t, body, "须有办结时限", `value="1h"`)
		if p, _ := e.db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyUrgent); p.Custom {
			t.Fatalf("a refused row was stored: %+v", p)
		}
		// A consultation has a reply time, which its form posts as complete's
		// place: the column is "reply".
		st, _ = admin.post("/admin/sla/consultation/normal", url.Values{"accept": {""}, "start": {""}, "reply": {"2d"}, "visit": {""}})
		wantStatus(t, "consultation", st, http.StatusSeeOther)
		if p, _ := e.db.SLAPolicy(ctx, anxin.TypeConsultation, anxin.UrgencyNormal); p.Reply != (workcal.Budget{Days: 2}) {
			t.Fatalf("consultation: %+v", p)
		}
		st, _ = admin.post("/admin/sla/repair/normal", slaForm("1h", "1d", "2d", "3d", false))
		wantStatus(t, "unknown type", st, http.StatusNotFound)
		st, _ = admin.postForm("/admin/sla/service/normal/reset", url.Values{})
		wantStatus(t, "no csrf", st, http.StatusForbidden)

		// Restore the default.
		st, loc, _ = postWithLocation(t, admin, "/admin/sla/service/normal/reset", url.Values{})
		if st != http.StatusSeeOther || !strings.Contains(loc, "flash=sla_reset") {
			t.Fatalf("reset: %d %s", st, loc)
		}
		if p, _ := e.db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyNormal); p.Custom || p.Policy != p.Default {
			t.Fatalf("after reset: %+v", p)
		}
		if a := lastAudit(t, e, "sla.reset"); a.TargetID != "service/normal" || a.Detail != "accept 2h→4h; complete 3d→5d" {
			t.Fatalf("reset audit %+v", a)
		}

		// Others.
		st, _ = e.signIn("operator1").get("/admin/sla")
		wantStatus(t, "operator", st, http.StatusForbidden)
		city := e.signIn("cityadmin")
		st, body = city.get("/admin/sla")
		wantStatus(t, "city admin reads", st, http.StatusOK)
		wantBody(t, body, "readonly", "只有平台管理员可以修改")
		if strings.Contains(body, `action="/admin/sla/`) {
			t.Fatal("a hotline administrator is offered a save")
		}
		st, _ = city.post("/admin/sla/service/normal", slaForm("1h", "2d", "5d", "3d", false))
		wantStatus(t, "city admin saves", st, http.StatusForbidden)
		st, _ = city.post("/admin/sla/service/normal/reset", nil)
		wantStatus(t, "city admin resets", st, http.StatusForbidden)

		// The calendar links to the page.
		_, body = admin.get("/admin/calendar")
		wantBody(t, body, `href="/admin/sla"`)
	})
}

// slaItem is a policy as the API answers it.
type slaItem map[string]any

func TestSLAAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.token("admin")
		var list struct {
			Items []slaItem `json:"items"`
			Total int       `json:"total"`
		}
		st := e.api("GET", "/api/v1/sla-policies", admin, nil, &list)
		wantStatus(t, "list", st, http.StatusOK)
		if list.Total != 15 || len(list.Items) != 15 {
			t.Fatalf("%d policies", list.Total)
		}
		first := list.Items[0]
		if first["type"] != "service" || first["urgency"] != "normal" || first["accept"] != "4h" || first["complete"] != "5d" ||
			first["reply"] != "" || first["custom"] != false || first["default"].(map[string]any)["accept"] != "4h" {
			t.Fatalf("first %v", first)
		}

		body := map[string]any{"accept": "30分钟", "start": "1d", "complete": "2d", "reply": "", "return_visit": "1d", "round_the_clock": true}
		var got slaItem
		st = e.api("PUT", "/api/v1/sla-policies/service/urgent", admin, body, &got)
		wantStatus(t, "put", st, http.StatusOK)
		if got["accept"] != "30m" || got["return_visit"] != "1d" || got["round_the_clock"] != true || got["custom"] != true ||
			got["updated_by"] == "" || got["updated_at"] == nil || got["default"].(map[string]any)["accept"] != "1h" {
			t.Fatalf("after put %v", got)
		}
		if a := lastAudit(t, e, "sla.update"); a.TargetID != "service/urgent" {
			t.Fatalf("audit %+v", a)
		}
		checkSLASchema(t, e, got)

		var apiErr struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		bad := map[string]any{"accept": "soon", "start": "1d", "complete": "2d", "reply": "", "return_visit": "1d", "round_the_clock": false}
		st = e.api("PUT", "/api/v1/sla-policies/service/urgent", admin, bad, &apiErr)
		wantStatus(t, "bad budget", st, http.StatusBadRequest)
		if !strings.Contains(apiErr.Error.Message, "accept") || !strings.Contains(apiErr.Error.Message, "soon") {
			t.Fatalf("bad budget message %q", apiErr.Error.Message)
		}
		st = e.api("PUT", "/api/v1/sla-policies/service/urgent", admin, map[string]any{"complete": "2d"}, &apiErr)
		wantStatus(t, "missing fields", st, http.StatusBadRequest)
		wantBody(t, apiErr.Error.Message, "accept")
		withReply := map[string]any{"accept": "1h", "start": "1d", "complete": "2d", "reply": "1d", "return_visit": "1d", "round_the_clock": false}
		st = e.api("PUT", "/api/v1/sla-policies/service/urgent", admin, withReply, nil)
		wantStatus(t, "reply on a service", st, http.StatusBadRequest)
		st = e.api("PUT", "/api/v1/sla-policies/repair/urgent", admin, body, nil)
		wantStatus(t, "unknown type", st, http.StatusNotFound)
		st = e.api("DELETE", "/api/v1/sla-policies/service/whenever", admin, nil, nil)
		wantStatus(t, "unknown urgency", st, http.StatusNotFound)

		city := e.token("cityadmin")
		wantStatus(t, "city admin reads", e.api("GET", "/api/v1/sla-policies", city, nil, nil), http.StatusOK)
		wantStatus(t, "city admin puts", e.api("PUT", "/api/v1/sla-policies/service/urgent", city, body, nil), http.StatusForbidden)
		wantStatus(t, "city admin deletes", e.api("DELETE", "/api/v1/sla-policies/service/urgent", city, nil, nil), http.StatusForbidden)
		wantStatus(t, "operator reads", e.api("GET", "/api/v1/sla-policies", e.token("operator1"), nil, nil), http.StatusForbidden)
		wantStatus(t, "no token", e.api("GET", "/api/v1/sla-policies", "", nil, nil), http.StatusUnauthorized)

		got = slaItem{}
		st = e.api("DELETE", "/api/v1/sla-policies/service/urgent", admin, nil, &got)
		wantStatus(t, "delete", st, http.StatusOK)
		if got["custom"] != false || got["accept"] != "1h" || got["updated_by"] != nil {
			t.Fatalf("after delete %v", got)
		}
		if a := lastAudit(t, e, "sla.reset"); a.TargetID != "service/urgent" {
			t.Fatalf("reset audit %+v", a)
		}
	})
}

// checkSLASchema compares the OpenAPI schema of a policy with the fields of
// one the API answered (a changed one, which has them all).
func checkSLASchema(t *testing.T, e *testEnv, item slaItem) {
	t.Helper()
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if st := e.api("GET", "/api/v1/openapi.json", "", nil, &doc); st != http.StatusOK {
		t.Fatalf("openapi.json: %d", st)
	}
	keys := func(m map[string]any) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	if got, want := keys(doc.Components.Schemas["SLAPolicy"].Properties), keys(item); !slices.Equal(got, want) {
		t.Errorf("schema SLAPolicy: %v; the API answers %v", got, want)
	}
	if got, want := keys(doc.Components.Schemas["SLABudgets"].Properties), keys(item["default"].(map[string]any)); !slices.Equal(got, want) {
		t.Errorf("schema SLABudgets: %v; the API answers %v", got, want)
	}
}

// The page in Chromium: the platform administrator shortens a time and
// saves it with Enter, and sees a typo refused in place with what was
// typed; a hotline administrator sees the change but no forms.
func TestBrowserSLA(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	bctx := browser(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		wctx, cancel := context.WithTimeout(bctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(wctx, steps...); err != nil {
			loc, _ := chromedp.Run(bctx, chromedp.Location())
			t.Fatalf("at %s: %v", loc, err)
		}
	}
	text := browserText(t, bctx)
	do(chromedp.Navigate(e.ts.URL+"/login?next=/admin/sla"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, e.logins["admin"]+"\r"),
		chromedp.WaitVisible(`table.sla`))
	screenshot(t, bctx, "sla")

	row := `#sla-service-normal `
	do(chromedp.SetValue(row+`input[name=complete]`, "3天"), chromedp.SendKeys(row+`input[name=complete]`, "\r"),
		chromedp.WaitVisible(`p.flash`))
	if got := text(row + `td.small`); !strings.Contains(got, "修改") {
		t.Fatalf("status after saving: %q", got)
	}
	screenshot(t, bctx, "sla-saved")

	do(chromedp.SetValue(row+`input[name=accept]`, "4h30"), chromedp.SendKeys(row+`input[name=accept]`, "\r"),
		chromedp.WaitVisible(`p.error`))
	if got := text(`p.error`); !strings.Contains(got, "承接时限") {
		t.Fatalf("error %q", got)
	}
	raw, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('#sla-service-normal input[name=accept]').value`))
	if err != nil || raw != "4h30" {
		t.Fatalf("the typo was not kept: %q, %v", raw, err)
	}
	screenshot(t, bctx, "sla-refused")

	// A hotline administrator reads the page without forms.
	do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))
	do(chromedp.Navigate(e.ts.URL+"/login?next=/admin/sla"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "cityadmin"),
		chromedp.SendKeys(`input[name=password]`, e.logins["cityadmin"]+"\r"),
		chromedp.WaitVisible(`table.sla`))
	if got := text(row + `td.small`); !strings.Contains(got, "修改") {
		t.Fatalf("status seen by a hotline administrator: %q", got)
	}
	screenshot(t, bctx, "sla-read-only")
}
