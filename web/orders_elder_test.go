package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

// TestOrderElderForProvider: the provider an order is dispatched to sees
// the elder's address and a masked phone on the order's page, reveals the
// number with a reason (audited), and loses sight of both once the job is
// done; another provider sees nothing; the API says the same.
func TestOrderElderForProvider(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := &anxin.Elder{Name: "赵桂兰", RegionCode: "310107005001", Address: "枣阳路 100 弄 5 号 302 室",
			Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}, Dialect: "上海话"}
		if err := e.db.CreateElder(ctx, anxin.SystemScope(), el); err != nil {
			t.Fatal(err)
		}
		op := anxin.ScopeOf(mustAccount(t, e, "operator1"))
		prov := anxin.ScopeOf(mustAccount(t, e, "provider1"))
		o := &anxin.Order{Type: anxin.TypeService, Channel: anxin.ChannelInbound, ElderID: el.ID, Title: "上门换药"}
		if err := e.db.CreateOrder(ctx, op, o); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/orders/%d", o.ID)
		provider := e.signIn("provider1")
		// Not yet dispatched to them: not even the order.
		st, _ := provider.get(page)
		wantStatus(t, "before dispatch", st, http.StatusNotFound)

		o, err := e.db.ActOnOrder(ctx, op, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: o.Version, OrgID: prov.OrgID})
		if err != nil {
			t.Fatal(err)
		}
		st, body := provider.get(page)
		wantStatus(t, "dispatched", st, http.StatusOK)
		if !strings.Contains(body, "枣阳路 100 弄 5 号 302 室") || !strings.Contains(body, "138****5678") || strings.Contains(body, "13812345678") {
			t.Fatalf("the provider's page should show the address and the masked phone only")
		}
		st, body = provider.post(page+"/reveal", url.Values{"reason": {""}})
		wantStatus(t, "reveal without reason", st, http.StatusBadRequest)
		if strings.Contains(body, "13812345678") {
			t.Fatal("revealed without a reason")
		}
		st, body = provider.post(page+"/reveal", url.Values{"reason": {"上门前电话确认时间"}})
		wantStatus(t, "reveal", st, http.StatusOK)
		if !strings.Contains(body, "13812345678") {
			t.Fatal("the full number is not shown after the reveal")
		}
		entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditReveal, Limit: 5})
		if err != nil || len(entries) != 1 || entries[0].Reason != "上门前电话确认时间" || !strings.Contains(entries[0].Detail, o.Number) {
			t.Fatalf("audit %+v %v", entries, err)
		}
		var shown anxin.Elder
		wantStatus(t, "API", e.api("GET", "/api/v1/orders/"+fmt.Sprint(o.ID)+"/elder", e.token("provider1"), nil, &shown), http.StatusOK)
		if shown.Address != el.Address || len(shown.Phones) != 1 || shown.Phones[0].Number != "138****5678" || shown.IDNumber != "" {
			t.Fatalf("API elder %+v", shown)
		}
		wantStatus(t, "other provider", e.api("GET", "/api/v1/orders/"+fmt.Sprint(o.ID)+"/elder", e.token("provider2"), nil, nil), http.StatusNotFound)

		// The job done, the address and phone are no longer theirs to see.
		for _, a := range []string{anxin.ActAccept, anxin.ActStart, anxin.ActComplete} {
			if o, err = e.db.ActOnOrder(ctx, prov, o.ID, anxin.OrderAction{Action: a, Version: o.Version}); err != nil {
				t.Fatal(err)
			}
		}
		st, body = provider.get(page)
		wantStatus(t, "completed", st, http.StatusOK)
		if strings.Contains(body, "枣阳路") {
			t.Fatal("the provider still sees the address after completion")
		}
		wantStatus(t, "API after completion", e.api("GET", "/api/v1/orders/"+fmt.Sprint(o.ID)+"/elder", e.token("provider1"), nil, nil), http.StatusConflict)
		// Staff still do.
		_, body = e.signIn("operator1").get(page)
		if !strings.Contains(body, "枣阳路 100 弄 5 号 302 室") {
			t.Fatal("the operator does not see the address")
		}
	})
}

// mustAccount returns a demo account.
func mustAccount(t *testing.T, e *testEnv, username string) *anxin.Account {
	t.Helper()
	a, err := e.db.AccountByUsername(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestOrderListFilters narrows the operator's list by urgency, area and
// provider, as the filter form offers them.
func TestOrderListFilters(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		op := anxin.ScopeOf(mustAccount(t, e, "operator1"))
		prov := e.mustFindOrg("安康居家养老服务有限公司")
		mk := func(title, urgency string, dispatch bool) {
			o := &anxin.Order{Type: anxin.TypeService, Channel: anxin.ChannelInbound, ElderID: el.ID, Title: title, Urgency: urgency}
			if err := e.db.CreateOrder(ctx, op, o); err != nil {
				t.Fatal(err)
			}
			if dispatch {
				if _, err := e.db.ActOnOrder(ctx, op, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: prov.ID}); err != nil {
					t.Fatal(err)
				}
			}
		}
		mk("修水龙头", anxin.UrgencyNormal, true)
		mk("老人摔倒需上门查看", anxin.UrgencyUrgent, false)
		c := e.signIn("operator1")
		_, body := c.get("/orders?view=all")
		wantBody(t, body, `name="urgency"`, `name="assignee"`, "安康居家养老服务有限公司")
		_, body = c.get("/orders?view=all&urgency=urgent")
		if !strings.Contains(body, "老人摔倒需上门查看") || strings.Contains(body, "修水龙头") {
			t.Fatal("urgency filter")
		}
		_, body = c.get(fmt.Sprintf("/orders?view=all&assignee=%d", prov.ID))
		if strings.Contains(body, "老人摔倒需上门查看") || !strings.Contains(body, "修水龙头") {
			t.Fatal("assignee filter")
		}
		_, body = c.get("/orders?view=all&within=310105")
		if strings.Contains(body, "修水龙头") || strings.Contains(body, "老人摔倒需上门查看") {
			t.Fatal("area filter: orders of 310107 listed under 310105")
		}
	})
}
