package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

// TestAgentBar: an operator signs in to take calls from the header of any
// page, takes a break with a reason and comes back; the supervisor sees
// the team; providers and bad moves are refused; the API agrees.
func TestAgentBar(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("operator1")
		_, body := c.get("/orders")
		wantBody(t, body, "未签入", `value="sign_in"`)
		if strings.Contains(body, `value="sign_out"`) {
			t.Fatal("a signed-out operator is offered to sign out")
		}
		st, _ := c.post("/agent/state", url.Values{"event": {"sign_in"}, "back": {"/orders?view=overdue"}})
		wantStatus(t, "sign in", st, http.StatusSeeOther)
		_, body = c.get("/orders")
		wantBody(t, body, "就绪", `value="break"`, `value="sign_out"`)
		st, _ = c.post("/agent/state", url.Values{"event": {"break"}, "reason": {"sleeping"}})
		wantStatus(t, "bad reason", st, http.StatusBadRequest)
		st, _ = c.post("/agent/state", url.Values{"event": {"break"}, "reason": {"meal"}})
		wantStatus(t, "break", st, http.StatusSeeOther)
		_, body = c.get("/")
		wantBody(t, body, "小休 · 用餐", `value="ready"`)
		st, _ = c.post("/agent/state", url.Values{"event": {"offer"}})
		wantStatus(t, "offer by hand", st, http.StatusBadRequest)

		_, body = e.signIn("supervisor1").get("/agents")
		wantBody(t, body, "坐席状态", "小休")
		st, _ = e.signIn("provider1").post("/agent/state", url.Values{"event": {"sign_in"}})
		wantStatus(t, "provider", st, http.StatusForbidden)
		st, _ = e.signIn("operator2").get("/agents")
		wantStatus(t, "operator lists agents", st, http.StatusForbidden)

		var s anxin.AgentStatus
		tok := e.token("operator1")
		wantStatus(t, "API ready", e.api("POST", "/api/v1/agent/state", tok, map[string]any{"event": "ready"}, &s), http.StatusOK)
		if s.State != anxin.AgentReady {
			t.Fatalf("API state %+v", s)
		}
		wantStatus(t, "API sign in twice", e.api("POST", "/api/v1/agent/state", tok, map[string]any{"event": "sign_in"}, nil), http.StatusConflict)
		var list struct{ Items []anxin.AgentStatus }
		wantStatus(t, "API agents", e.api("GET", "/api/v1/agents", e.token("supervisor1"), nil, &list), http.StatusOK)
		if len(list.Items) != 1 || list.Items[0].Name == "" || list.Items[0].State != anxin.AgentReady {
			t.Fatalf("agents %+v", list.Items)
		}
	})
}
