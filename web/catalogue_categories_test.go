package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

// TestCategoryAutoDispatch: the platform administrator turns on automatic
// dispatch for escorts on the categories page (audited); an operator's new
// escort order through the API arrives dispatched to the first suggestion,
// its timeline saying so; other administrators and operators may not
// change the setting (page and API), and the API turns it off again.
func TestCategoryAutoDispatch(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		escort := e.mustFindItem("陪同就医（半天）", "")
		admin := e.signIn("admin")
		st, body := admin.get("/catalogue/categories")
		wantStatus(t, "categories page", st, http.StatusOK)
		if !strings.Contains(body, "陪诊陪护") || !strings.Contains(body, "开启自动派单") {
			t.Fatalf("categories page lacks the escort category or its switch")
		}
		path := fmt.Sprintf("/catalogue/categories/%d/dispatch", escort.CategoryID)
		st, _ = admin.post(path, url.Values{"auto": {"1"}})
		wantStatus(t, "turn on", st, http.StatusSeeOther)
		_, body = admin.get("/catalogue/categories?flash=dispatch_auto")
		if !strings.Contains(body, "已开启自动派单") || !strings.Contains(body, "改为人工派单") {
			t.Fatalf("no confirmation after turning it on")
		}
		entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditCategoryUpdate, Limit: 5})
		if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Detail, "dispatch auto") {
			t.Fatalf("audit %+v %v", entries, err)
		}

		el := orderElder(t, e)
		var o anxin.Order
		wantStatus(t, "create", e.api("POST", "/api/v1/orders", e.token("operator1"), map[string]any{
			"type": "service", "channel": "inbound_call", "elder_id": el.ID, "category_id": escort.CategoryID,
			"title": "陪同去瑞金医院复诊"}, &o), http.StatusCreated)
		var sug struct{ Items []anxin.Suggestion }
		if o.State != anxin.StateDispatched || o.AssigneeOrgID == 0 || o.TotalFen == 0 {
			t.Fatalf("escort order not dispatched automatically: %s to %d at %d", o.State, o.AssigneeOrgID, o.TotalFen)
		}
		wantStatus(t, "suggestions", e.api("GET", fmt.Sprintf("/api/v1/orders/%d/suggestions", o.ID), e.token("operator1"), nil, &sug), http.StatusOK)
		if len(sug.Items) == 0 {
			t.Fatal("no suggestions for the escort order")
		}
		st, body = e.signIn("operator1").get(fmt.Sprintf("/orders/%d", o.ID))
		wantStatus(t, "order page", st, http.StatusOK)
		if !strings.Contains(body, "自动派单") {
			t.Fatalf("the timeline does not say the order was dispatched automatically")
		}

		st, _ = e.signIn("cityadmin").post(path, url.Values{"auto": {"0"}})
		wantStatus(t, "city administrator", st, http.StatusForbidden)
		api := fmt.Sprintf("/api/v1/catalogue/categories/%d", escort.CategoryID)
		wantStatus(t, "operator via API", e.api("PATCH", api, e.token("operator1"), map[string]any{"auto_dispatch": false}, nil), http.StatusForbidden)
		wantStatus(t, "no field", e.api("PATCH", api, e.token("admin"), map[string]any{}, nil), http.StatusBadRequest)
		wantStatus(t, "unknown category", e.api("PATCH", "/api/v1/catalogue/categories/99999", e.token("admin"), map[string]any{"auto_dispatch": true}, nil), http.StatusNotFound)
		var c anxin.Category
		wantStatus(t, "turn off", e.api("PATCH", api, e.token("admin"), map[string]any{"auto_dispatch": false}, &c), http.StatusOK)
		if c.AutoDispatch {
			t.Fatalf("still automatic: %+v", c)
		}
	})
}
