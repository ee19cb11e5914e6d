package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
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

// TestCallsPageAndRecording: the calls page lists a recorded call with a
// player; playing it serves the WAV (ranges too) and audits the playback
// once; another area's staff and providers cannot; a path outside the
// recordings directory is refused.
func TestCallsPageAndRecording(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		c := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: "13812345678", ToNumber: "966666",
			ElderID: el.ID, RegionCode: el.RegionCode}
		if err := e.db.StartCall(ctx, c); err != nil {
			t.Fatal(err)
		}
		name := "2026/11/23/call-1.wav"
		wav := append([]byte("RIFF\x24\x00\x00\x00WAVEfmt "), make([]byte, 1000)...)
		if err := os.MkdirAll(filepath.Join(e.records, "2026/11/23"), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(e.records, name), wav, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := e.db.SetCallRecording(ctx, c.ID, name); err != nil {
			t.Fatal(err)
		}
		op := e.signIn("operator1")
		st, body := op.get("/calls")
		wantStatus(t, "calls page", st, http.StatusOK)
		wantBody(t, body, "138****5678", "王秀英", fmt.Sprintf(`src="/calls/%d/recording"`, c.ID), "通话中")
		st, got := op.get(fmt.Sprintf("/calls/%d/recording", c.ID))
		wantStatus(t, "play", st, http.StatusOK)
		if got != string(wav) {
			t.Fatalf("served %d bytes, want the file's %d", len(got), len(wav))
		}
		req, _ := http.NewRequest("GET", e.ts.URL+fmt.Sprintf("/calls/%d/recording", c.ID), nil)
		req.Header.Set("Range", "bytes=500-599")
		if st, part := op.do(req); st != http.StatusPartialContent || len(part) != 100 {
			t.Fatalf("range: %d, %d bytes", st, len(part))
		}
		entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditPlayback, Limit: 5})
		if err != nil || len(entries) != 1 || entries[0].TargetID != fmt.Sprint(c.ID) {
			t.Fatalf("audit %+v %v (one playback, the range request not counted)", entries, err)
		}
		st, _ = e.signIn("provider1").get(fmt.Sprintf("/calls/%d/recording", c.ID))
		wantStatus(t, "provider plays", st, http.StatusNotFound)
		st, _ = e.signIn("provider1").get("/calls")
		wantStatus(t, "provider lists", st, http.StatusForbidden)
		if err := e.db.SetCallRecording(ctx, c.ID, "../../etc/passwd"); err != nil {
			t.Fatal(err)
		}
		st, _ = op.get(fmt.Sprintf("/calls/%d/recording", c.ID))
		wantStatus(t, "path outside", st, http.StatusNotFound)
	})
}

// fakeDialer records the calls the console asks for.
type fakeDialer struct {
	number            string
	elder, callbackOf int64
}

func (f *fakeDialer) CallOut(_ context.Context, _ anxin.Scope, number string, elderID, callbackOf int64) (int64, error) {
	f.number, f.elder, f.callbackOf = number, elderID, callbackOf
	return 77, nil
}

func (f *fakeDialer) CallElderFirst(_ context.Context, _ anxin.Scope, number string, elderID, agentID int64) (int64, error) {
	f.number, f.elder, f.callbackOf = number, elderID, -agentID
	return 79, nil
}

func (f *fakeDialer) CheckIn(_ context.Context, _ anxin.Scope, number string, elderID int64) (int64, error) {
	f.number, f.elder, f.callbackOf = number, elderID, -1
	return 78, nil
}

// TestCallbacks: a caller nobody took waits on the operator's to-call-back
// list with the number masked; "call back" without telephony says so; with
// it, the dialer gets the full number and the call it calls back; the API
// does click-to-call; providers may not.
func TestCallbacks(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		c := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: "13812345678", ToNumber: "966666",
			ElderID: el.ID, RegionCode: el.RegionCode}
		if err := e.db.StartCall(ctx, c); err != nil {
			t.Fatal(err)
		}
		e.db.SetCallQueue(ctx, c.ID, "consultation", 30)
		if err := e.db.EndCall(ctx, c.ID, time.Now(), 200, "", anxin.HangupSystem); err != nil {
			t.Fatal(err)
		}
		op := e.signIn("operator1")
		_, body := op.get("/callbacks")
		wantBody(t, body, "138****5678", "王秀英", fmt.Sprintf(`action="/calls/%d/callback"`, c.ID))
		st, body := op.post(fmt.Sprintf("/calls/%d/callback", c.ID), nil)
		wantStatus(t, "no telephony", st, http.StatusServiceUnavailable)
		wantBody(t, body, "未启用电话功能")
		d := &fakeDialer{}
		e.srv.SetDialer(d)
		st, _ = op.post(fmt.Sprintf("/calls/%d/callback", c.ID), nil)
		wantStatus(t, "call back", st, http.StatusSeeOther)
		if d.number != "13812345678" || d.callbackOf != c.ID || d.elder != el.ID {
			t.Fatalf("dialer got %+v", d)
		}
		var res struct {
			CallID int64 `json:"call_id"`
		}
		wantStatus(t, "click-to-call", e.api("POST", "/api/v1/calls", e.token("operator1"), map[string]any{"number": "13812345678", "elder_id": el.ID}, &res), http.StatusAccepted)
		if res.CallID != 77 || d.callbackOf != 0 {
			t.Fatalf("click-to-call %+v %+v", res, d)
		}
		wantStatus(t, "provider", e.api("POST", "/api/v1/calls", e.token("provider1"), map[string]any{"number": "13812345678"}, nil), http.StatusForbidden)
		wantStatus(t, "elder first", e.api("POST", "/api/v1/calls", e.token("supervisor1"),
			map[string]any{"number": "13812345678", "elder_id": el.ID, "mode": "elder_first", "agent_id": 5}, &res), http.StatusAccepted)
		if res.CallID != 79 || d.callbackOf != -5 || d.elder != el.ID {
			t.Fatalf("elder first %+v %+v", res, d)
		}
		wantStatus(t, "unknown mode", e.api("POST", "/api/v1/calls", e.token("operator1"), map[string]any{"number": "13812345678", "mode": "robocall"}, nil), http.StatusBadRequest)
		wantStatus(t, "provider elder first", e.api("POST", "/api/v1/calls", e.token("provider1"), map[string]any{"number": "13812345678", "mode": "elder_first"}, nil), http.StatusForbidden)
		wantStatus(t, "check-in", e.api("POST", "/api/v1/checkins", e.token("supervisor1"), map[string]any{"number": "13812345678", "elder_id": el.ID}, &res), http.StatusAccepted)
		if res.CallID != 78 || d.callbackOf != -1 || d.elder != el.ID {
			t.Fatalf("check-in %+v %+v", res, d)
		}
		wantStatus(t, "provider check-in", e.api("POST", "/api/v1/checkins", e.token("provider1"), map[string]any{"number": "13812345678"}, nil), http.StatusForbidden)

		// An elder who asked for help on a check-in nobody took is on the
		// list too, and is called back at the number Anxin rang.
		help := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: "966666", ToNumber: "13912345678",
			ElderID: el.ID, RegionCode: el.RegionCode, Queue: "checkin"}
		if err := e.db.StartCall(ctx, help); err != nil {
			t.Fatal(err)
		}
		e.db.SetCallQueue(ctx, help.ID, "checkin_help", 40)
		if err := e.db.EndCall(ctx, help.ID, time.Now(), 200, "", anxin.HangupCaller); err != nil {
			t.Fatal(err)
		}
		_, body = op.get("/callbacks")
		wantBody(t, body, "139****5678", "问候求助", fmt.Sprintf(`action="/calls/%d/callback"`, help.ID))
		st, _ = op.post(fmt.Sprintf("/calls/%d/callback", help.ID), nil)
		wantStatus(t, "call back a check-in", st, http.StatusSeeOther)
		if d.number != "13912345678" || d.callbackOf != help.ID {
			t.Fatalf("dialer got %+v", d)
		}
	})
}
