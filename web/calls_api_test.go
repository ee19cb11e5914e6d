package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// TestCallsAPI lists call records: numbers masked (hotline numbers shown),
// revealed with a reason (audited), filtered by cause, scoped to the area;
// bad filters are refused.
func TestCallsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		c := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: "13812345678", ToNumber: "966666",
			StartedAt: at, ElderID: el.ID, RegionCode: el.RegionCode}
		if err := e.db.StartCall(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := e.db.EndCall(ctx, c.ID, at.Add(40*time.Second), 487, "", anxin.HangupCaller); err != nil {
			t.Fatal(err)
		}
		op := e.token("operator1")
		var list struct {
			Items []anxin.Call
			Total int
		}
		wantStatus(t, "list", e.api("GET", "/api/v1/calls", op, nil, &list), http.StatusOK)
		if list.Total != 1 || list.Items[0].FromNumber != "138****5678" || list.Items[0].ToNumber != "966666" ||
			list.Items[0].Cause != anxin.CauseCancelled || list.Items[0].ElderName != "王秀英" {
			t.Fatalf("calls %+v", list)
		}
		wantStatus(t, "reveal without reason", e.api("GET", "/api/v1/calls?reveal=true", op, nil, nil), http.StatusBadRequest)
		var one anxin.Call
		wantStatus(t, "reveal", e.api("GET", fmt.Sprintf("/api/v1/calls/%d?reveal=true&reason=%s", c.ID, "%E5%9B%9E%E6%8B%A8"), op, nil, &one), http.StatusOK)
		if one.FromNumber != "13812345678" {
			t.Fatalf("revealed %+v", one)
		}
		entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditReveal, Limit: 5})
		if err != nil || len(entries) != 1 || entries[0].TargetType != "call" || entries[0].Reason != "回拨" {
			t.Fatalf("audit %+v %v", entries, err)
		}
		wantStatus(t, "by cause", e.api("GET", "/api/v1/calls?cause=busy", op, nil, &list), http.StatusOK)
		if list.Total != 0 {
			t.Fatalf("busy calls %d", list.Total)
		}
		wantStatus(t, "bad cause", e.api("GET", "/api/v1/calls?cause=x", op, nil, nil), http.StatusBadRequest)
		wantStatus(t, "bad time", e.api("GET", "/api/v1/calls?from=yesterday", op, nil, nil), http.StatusBadRequest)
		wantStatus(t, "provider", e.api("GET", fmt.Sprintf("/api/v1/calls/%d", c.ID), e.token("provider1"), nil, nil), http.StatusNotFound)
	})
}

// TestDialAllowListAPI: the platform administrator lists a relative's
// international number (audited); operators cannot; removal works once.
func TestDialAllowListAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.token("admin")
		body := map[string]any{"number": "+44 20 7946 0000", "note": "儿子（英国）"}
		wantStatus(t, "operator", e.api("POST", "/api/v1/dial-allowlist", e.token("operator1"), body, nil), http.StatusForbidden)
		var a struct{ Number, Note string }
		wantStatus(t, "allow", e.api("POST", "/api/v1/dial-allowlist", admin, body, &a), http.StatusCreated)
		if a.Number != "+442079460000" {
			t.Fatalf("allowed %+v", a)
		}
		var list struct{ Items []struct{ Number string } }
		wantStatus(t, "list", e.api("GET", "/api/v1/dial-allowlist", admin, nil, &list), http.StatusOK)
		if len(list.Items) != 1 {
			t.Fatalf("list %+v", list)
		}
		entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditDialAllow, Limit: 5})
		if err != nil || len(entries) != 1 || entries[0].TargetID != "+442079460000" {
			t.Fatalf("audit %+v %v", entries, err)
		}
		wantStatus(t, "remove", e.api("DELETE", "/api/v1/dial-allowlist/%2B442079460000", admin, nil, nil), http.StatusNoContent)
		wantStatus(t, "remove again", e.api("DELETE", "/api/v1/dial-allowlist/%2B442079460000", admin, nil, nil), http.StatusNotFound)
	})
}
