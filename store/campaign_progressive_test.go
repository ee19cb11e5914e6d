package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestProgressiveCampaigns: the progressive dialler dials running
// progressive campaigns within their dates only; only those can be joined.
func TestProgressiveCampaigns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // Monday 10:00 China time
		db.Now = func() time.Time { return now }
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		op := mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator)
		mk := func(mode, starts, ends string, run bool) *anxin.Campaign {
			c := &anxin.Campaign{Name: "保供", Type: anxin.CampaignSupply, Mode: mode, StartsOn: starts, EndsOn: ends, RegionCode: "310107005"}
			if err := db.CreateCampaign(ctx, sup, c); err != nil {
				t.Fatal(err)
			}
			if run {
				if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
					t.Fatal(err)
				}
			}
			return c
		}
		c := mk(anxin.DialProgressive, "2026-11-01", "", true)
		mk(anxin.DialProgressive, "2026-11-01", "", false)                  // a draft
		preview := mk(anxin.DialPreview, "2026-11-01", "", true)            // operators take tasks by hand
		mk(anxin.DialAgentless, "2026-11-01", "", true)                     // the machine calls
		mk(anxin.DialProgressive, "2026-11-24", "", true)                   // from tomorrow
		mk(anxin.DialProgressive, "2026-11-01", "2026-11-22", true)         // ended yesterday
		last := mk(anxin.DialProgressive, "2026-11-23", "2026-11-23", true) // today only
		got, err := db.DiallingCampaigns(ctx, anxin.DialProgressive)
		if err != nil || len(got) != 2 || got[0].ID != c.ID || got[1].ID != last.ID {
			t.Fatalf("progressive campaigns %+v %v, want %d and %d", got, err, c.ID, last.ID)
		}
		wantCode(t, db.JoinCampaign(ctx, op.ID, preview.ID), anxin.EINVALID)
		wantCode(t, db.JoinCampaign(ctx, op.ID, 99999), anxin.ENOTFOUND)
		if id, err := db.DiallingCampaign(ctx, op.ID); err != nil || id != 0 {
			t.Fatalf("dialling campaign before joining: %d %v", id, err)
		}
		if err := db.JoinCampaign(ctx, op.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		// Joining another leaves the first.
		if err := db.JoinCampaign(ctx, op.ID, last.ID); err != nil {
			t.Fatal(err)
		}
		if id, err := db.DiallingCampaign(ctx, op.ID); err != nil || id != last.ID {
			t.Fatalf("dialling campaign %d %v, want %d", id, err, last.ID)
		}
		// Joining does not sign her in to take calls.
		if s, _ := db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentSignedOut {
			t.Fatalf("state after joining: %s", s.State)
		}
		if err := db.LeaveCampaign(ctx, op.ID); err != nil {
			t.Fatal(err)
		}
		if id, _ := db.DiallingCampaign(ctx, op.ID); id != 0 {
			t.Fatalf("dialling campaign %d after leaving", id)
		}
	})
}

// TestClaimOperator: the dialler's claim on a ready operator of a
// progressive campaign. Nodes a and b claim her at once, twenty times:
// each time exactly one gets her. Claimed, she is ringing on that node —
// no break, no second claim, not listed as free; the call is named on the
// claim once; only that node's claim of that call is given back. While
// she holds a task of the campaign (an answered elder she has not
// finished with) nobody claims her; an attempt whose call ended without
// reaching her is found for the node that placed it. A wrap-up that ran
// out is ready; a break, a colleague elsewhere, or signing out (which
// leaves the campaign) is not.
func TestClaimOperator(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		op := mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator)
		away := mustCreateAccount(t, db, hotline, "away", anxin.RoleOperator)
		other := mustCreateAccount(t, db, hotline, "other", anxin.RoleOperator)
		for _, n := range []string{"13800000001", "13800000002"} {
			mustCreateElder(t, db, &anxin.Elder{Name: "老人", BirthDate: "1940-01-01", RegionCode: "310107005001",
				Phones: []anxin.Phone{{Number: n, Label: anxin.PhoneMobile}}})
		}
		c := &anxin.Campaign{Name: "保供", Type: anxin.CampaignSupply, Mode: anxin.DialProgressive, StartsOn: "2026-11-01", RegionCode: "310107005"}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if _, err := db.BuildTasks(ctx, sup, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
			t.Fatal(err)
		}
		move := func(a *anxin.Account, ev anxin.AgentEvent) {
			t.Helper()
			if _, err := db.MoveAgent(ctx, a.ID, ev); err != nil {
				t.Fatalf("%s %s: %v", a.Username, ev.Event, err)
			}
		}
		claim := func(node string) bool {
			t.Helper()
			ok, err := db.ClaimOperator(ctx, op.ID, c.ID, node)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		free := func() string {
			t.Helper()
			ids, err := db.CampaignOperators(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprint(ids)
		}

		if claim("a") {
			t.Fatal("claimed an operator who works no campaign")
		}
		move(op, anxin.AgentEvent{Event: anxin.EvSignIn})
		move(away, anxin.AgentEvent{Event: anxin.EvSignIn})
		move(away, anxin.AgentEvent{Event: anxin.EvBreak, Reason: "meal"})
		move(other, anxin.AgentEvent{Event: anxin.EvSignIn})
		for _, a := range []*anxin.Account{op, away} {
			if err := db.JoinCampaign(ctx, a.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		if got := free(); got != fmt.Sprint([]int64{op.ID}) {
			t.Fatalf("free operators %s, want only op (%d)", got, op.ID)
		}
		if ok, _ := db.ClaimOperator(ctx, away.ID, c.ID, "a"); ok {
			t.Fatal("claimed an operator on a break")
		}
		if ok, _ := db.ClaimOperator(ctx, other.ID, c.ID, "a"); ok {
			t.Fatal("claimed a ready operator who works another campaign")
		}

		for round := 0; round < 20; round++ {
			var wg sync.WaitGroup
			won := make(chan string, 2)
			for _, node := range []string{"a", "b"} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := db.ClaimOperator(ctx, op.ID, c.ID, node)
					if err != nil {
						t.Error(err)
					}
					if ok {
						won <- node
					}
				}()
			}
			wg.Wait()
			close(won)
			var winners []string
			for n := range won {
				winners = append(winners, n)
			}
			if len(winners) != 1 {
				t.Fatalf("round %d: claimed by %v, want one node", round, winners)
			}
			if s, _ := db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentRinging || s.Node != winners[0] {
				t.Fatalf("round %d: claimed operator %+v", round, s)
			}
			if ok, err := db.ReleaseOperator(ctx, op.ID, winners[0], 0); err != nil || !ok {
				t.Fatalf("round %d: release %v %v", round, ok, err)
			}
		}

		if !claim("a") || claim("b") || claim("a") {
			t.Fatal("a claimed operator was claimed again")
		}
		if _, err := db.MoveAgent(ctx, op.ID, anxin.AgentEvent{Event: anxin.EvBreak, Reason: "meal"}); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("a break while reserved: %v", err)
		}
		if got := free(); got != "[]" {
			t.Fatalf("free operators while she is claimed: %s", got)
		}
		a, err := db.NextTask(ctx, c.ID, store.OperatorOwner(op.ID), 15*time.Minute)
		if err != nil || a == nil {
			t.Fatalf("lease %+v %v", a, err)
		}
		rec := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: a.Number, ElderID: a.Task.ElderID,
			CampaignTaskID: a.Task.ID, RegionCode: a.Task.RegionCode, Node: "a", StartedAt: time.Now(), Queue: anxin.DialProgressive}
		if err := db.StartCall(ctx, rec); err != nil {
			t.Fatal(err)
		}
		if err := db.LinkAttemptCall(ctx, a.ID, store.OperatorOwner(op.ID), rec.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.ClaimCall(ctx, op.ID, "b", rec.ID), anxin.ECONFLICT)
		if err := db.ClaimCall(ctx, op.ID, "a", rec.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.ClaimCall(ctx, op.ID, "a", rec.ID+1), anxin.ECONFLICT)
		if s, _ := db.AgentStatusOf(ctx, op.ID); s.CallID != rec.ID {
			t.Fatalf("the claim names call %d, want %d", s.CallID, rec.ID)
		}
		ca, err := db.AttemptOfCall(ctx, rec.ID)
		if err != nil || ca == nil || ca.ID != a.ID || ca.CampaignID != c.ID || ca.ElderID != a.Task.ElderID || ca.Caller != store.OperatorOwner(op.ID) || !ca.Open {
			t.Fatalf("attempt of the call %+v %v", ca, err)
		}
		for _, x := range []struct {
			node string
			call int64
		}{{"b", rec.ID}, {"a", 0}, {"a", rec.ID + 1}} {
			if ok, err := db.ReleaseOperator(ctx, op.ID, x.node, x.call); err != nil || ok {
				t.Fatalf("released by node %s for call %d: %v %v", x.node, x.call, ok, err)
			}
		}
		if ok, err := db.ReleaseOperator(ctx, op.ID, "a", rec.ID); err != nil || !ok {
			t.Fatalf("release %v %v", ok, err)
		}
		// Ready again, but she holds the elder's task: not hers to claim.
		if got := free(); got != fmt.Sprint([]int64{op.ID}) {
			t.Fatalf("free operators after the release: %s", got)
		}
		if due, err := db.TaskDue(ctx, c.ID, 0); err != nil || !due {
			t.Fatalf("a second task due: %v %v", due, err)
		}
		if claim("b") {
			t.Fatal("claimed an operator who holds a task of the campaign")
		}
		// The call ends unanswered and the node stops before finishing it.
		if err := db.EndCall(ctx, rec.ID, time.Now(), 480, "", anxin.HangupSystem); err != nil {
			t.Fatal(err)
		}
		lost, err := db.UnconnectedAttempts(ctx, "a")
		if err != nil || len(lost) != 1 || lost[0].ID != a.ID || lost[0].CallID != rec.ID || lost[0].Caller != store.OperatorOwner(op.ID) {
			t.Fatalf("attempts lost by node a %+v %v", lost, err)
		}
		if lost, err := db.UnconnectedAttempts(ctx, "b"); err != nil || len(lost) != 0 {
			t.Fatalf("attempts lost by node b %+v %v", lost, err)
		}
		if _, err := db.FinishAttempt(ctx, a.ID, store.OperatorOwner(op.ID), anxin.DispNoAnswer, time.Time{}); err != nil {
			t.Fatal(err)
		}
		if lost, err := db.UnconnectedAttempts(ctx, "a"); err != nil || len(lost) != 0 {
			t.Fatalf("attempts lost by node a after finishing %+v %v", lost, err)
		}
		if ca, _ := db.AttemptOfCall(ctx, rec.ID); ca == nil || ca.Open {
			t.Fatalf("finished attempt of the call %+v", ca)
		}
		if ca, err := db.AttemptOfCall(ctx, rec.ID+1000); err != nil || ca != nil {
			t.Fatalf("attempt of no call %+v %v", ca, err)
		}

		// Wrapping up after a call: free once the wrap-up has run out.
		move(op, anxin.AgentEvent{Event: anxin.EvOffer, CallID: rec.ID, Node: "a"})
		move(op, anxin.AgentEvent{Event: anxin.EvAnswer})
		move(op, anxin.AgentEvent{Event: anxin.EvHangup})
		if claim("a") {
			t.Fatal("claimed an operator wrapping up")
		}
		now = now.Add(anxin.DefaultWrapUp)
		if !claim("b") {
			t.Fatal("an operator whose wrap-up ran out was not claimed")
		}
		if _, err := db.ReleaseOperator(ctx, op.ID, "b", 0); err != nil {
			t.Fatal(err)
		}
		// Signing out leaves the campaign.
		move(op, anxin.AgentEvent{Event: anxin.EvSignOut})
		move(op, anxin.AgentEvent{Event: anxin.EvSignIn})
		if id, _ := db.DiallingCampaign(ctx, op.ID); id != 0 || claim("a") {
			t.Fatalf("still working campaign %d after signing out", id)
		}
		if id, _ := db.DiallingCampaign(ctx, away.ID); id != c.ID {
			t.Fatalf("a colleague's campaign %d, want %d", id, c.ID)
		}
	})
}
