package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestCallRecords follows legs through their lives: an inbound call
// answered by an operator and hung up by the elder, an outbound attempt
// that met a busy line, one cancelled while ringing, and one left open by
// a "crash" that start-up closes as interrupted; lists are scoped to the
// viewer's area and filter by cause, number and elder.
func TestCallRecords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		in := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: "13812345678", ToNumber: "966666",
			Trunk: "carrier", SIPCallID: "a84b4c76e66710", StartedAt: at, ElderID: w.elder.ID, RegionCode: w.elder.RegionCode}
		if err := db.StartCall(ctx, in); err != nil || in.ID == 0 {
			t.Fatalf("start: %v", err)
		}
		agent := &anxin.Call{ParentID: in.ID, Direction: anxin.CallInbound, Leg: anxin.LegAgent, FromNumber: "966666",
			ToNumber: "8001", Trunk: "ext", StartedAt: at.Add(20 * time.Second), RegionCode: w.elder.RegionCode, Queue: "city"}
		if err := db.StartCall(ctx, agent); err != nil {
			t.Fatal(err)
		}
		steps := []error{
			db.CallRinging(ctx, agent.ID, at.Add(21*time.Second)),
			db.CallRinging(ctx, agent.ID, at.Add(22*time.Second)), // a second 180 changes nothing
			db.CallAnswered(ctx, agent.ID, at.Add(25*time.Second), w.operator.AccountID),
			db.CallAnswered(ctx, in.ID, at.Add(25*time.Second), 0),
			db.EndCall(ctx, in.ID, at.Add(185*time.Second), 200, "", anxin.HangupCaller),
			db.EndCall(ctx, agent.ID, at.Add(185*time.Second), 200, "", anxin.HangupCaller),
		}
		for i, err := range steps {
			if err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		got, err := db.FindCall(ctx, w.operator, agent.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.RingingAt.Equal(at.Add(21*time.Second)) || got.Cause != anxin.CauseAnswered || got.AgentID != w.operator.AccountID ||
			got.Duration() != 160*time.Second || got.HangupBy != anxin.HangupCaller || got.ParentID != in.ID {
			t.Fatalf("agent leg %+v", got)
		}
		// A BYE after the answer: answered, whatever a late code says.
		if err := db.EndCall(ctx, in.ID, at.Add(200*time.Second), 487, "", anxin.HangupAgent); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.FindCall(ctx, w.operator, in.ID); c.Cause != anxin.CauseAnswered || c.HangupBy != anxin.HangupCaller || c.ElderName != w.elder.Name {
			t.Fatalf("closed leg changed by a second end: %+v", c)
		}

		out := func(n string) *anxin.Call {
			c := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: "966666", ToNumber: n,
				StartedAt: at.Add(time.Hour), RegionCode: w.elder.RegionCode}
			if err := db.StartCall(ctx, c); err != nil {
				t.Fatal(err)
			}
			return c
		}
		busy, cancelled, lost := out("13900001111"), out("13900002222"), out("13900003333")
		// Another node's call in progress is not this node's to close.
		other := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: "966666", ToNumber: "13900004444",
			StartedAt: at.Add(time.Hour), RegionCode: w.elder.RegionCode, Node: "node-b"}
		if err := db.StartCall(ctx, other); err != nil {
			t.Fatal(err)
		}
		if err := db.EndCall(ctx, busy.ID, at.Add(time.Hour+5*time.Second), 486, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := db.EndCall(ctx, cancelled.ID, at.Add(time.Hour+30*time.Second), 487, "", anxin.HangupSystem); err != nil {
			t.Fatal(err)
		}
		n, err := db.CloseInterruptedCalls(ctx, "", at.Add(2*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("interrupted %d, %v", n, err)
		}
		for id, want := range map[int64]string{busy.ID: anxin.CauseBusy, cancelled.ID: anxin.CauseCancelled, lost.ID: anxin.CauseInterrupted} {
			if c, _ := db.FindCall(ctx, w.operator, id); c.Cause != want || c.EndedAt.IsZero() {
				t.Fatalf("call %d: %s (ended %v), want %s", id, c.Cause, c.EndedAt, want)
			}
		}
		if c, _ := db.FindCall(ctx, w.operator, other.ID); !c.EndedAt.IsZero() || c.Node != "node-b" {
			t.Fatalf("another node's call closed: %+v", c)
		}
		if err := db.EndCall(ctx, other.ID, at.Add(time.Hour+9*time.Second), 480, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := db.EndCall(ctx, 999999, at, 200, "", ""); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("end of an unknown call: %v", err)
		}
		if err := db.EndCall(ctx, busy.ID, at, 200, "bogus", ""); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("unknown cause: %v", err)
		}

		list, total, err := db.FindCalls(ctx, w.operator, anxin.CallFilter{})
		if err != nil || total != 6 || list[0].ID != other.ID {
			t.Fatalf("all calls %d, %v", total, err)
		}
		if _, total, _ := db.FindCalls(ctx, w.operator, anxin.CallFilter{Cause: anxin.CauseBusy}); total != 1 {
			t.Fatalf("busy %d", total)
		}
		if _, total, _ := db.FindCalls(ctx, w.operator, anxin.CallFilter{Number: "13812345678"}); total != 1 {
			t.Fatalf("by number %d", total)
		}
		if _, total, _ := db.FindCalls(ctx, w.operator, anxin.CallFilter{ElderID: w.elder.ID}); total != 1 {
			t.Fatalf("by elder %d", total)
		}
		// Providers see no call records; another area's staff see none of these.
		if _, total, _ := db.FindCalls(ctx, w.provider, anxin.CallFilter{}); total != 0 {
			t.Fatalf("provider sees %d calls", total)
		}
		far := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgCommittee, "新泾居委会", "310105011001"), "xj", anxin.RoleCommunity))
		if _, err := db.FindCall(ctx, far, in.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("another area's committee reads the call: %v", err)
		}
	})
}
