package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// inboundCall records a call from the elder's number to the hotline.
func inboundCall(t *testing.T, db *store.DB, e *anxin.Elder) *anxin.Call {
	t.Helper()
	c := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: e.Phones[0].Number, ToNumber: "966666",
		ElderID: e.ID, RegionCode: e.RegionCode}
	if err := db.StartCall(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTakeTaskInCall: an elder who did not answer rings back; the
// operator who took the call sees her open task and takes it as a new
// attempt of that call (due later or not, over the day's cap: she rang),
// numbered with the calling number; another operator cannot, the same
// operator gets the same attempt back; it completes like any attempt, and
// then is no longer open. Calls that are not hers or not inbound, done
// tasks and paused campaigns are refused.
func TestTakeTaskInCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-23 10:00")
		db.Now = func() time.Time { return now }
		w := newWorkWorld(t, db, 3)
		op1, op2 := store.OperatorOwner(w.op1.AccountID), store.OperatorOwner(w.op2.AccountID)
		a, err := db.NextTask(ctx, w.c.ID, "node:anxin-1", 10*time.Minute)
		if err != nil || a == nil {
			t.Fatal(a, err)
		}
		elders := map[int64]*anxin.Elder{w.a.ID: w.a, w.b.ID: w.b, w.cc.ID: w.cc, w.d.ID: w.d}
		e := elders[a.Task.ElderID]
		if _, err := db.FinishAttempt(ctx, a.ID, "node:anxin-1", anxin.DispNoAnswer, time.Time{}); err != nil {
			t.Fatal(err)
		}
		now = now.Add(10 * time.Minute)
		call := inboundCall(t, db, e)

		open, err := db.ElderOpenTasks(ctx, w.op1, e.ID)
		if err != nil || len(open) != 1 || open[0].ID != a.Task.ID || open[0].CampaignName != "关爱" || open[0].State != anxin.TaskPending {
			t.Fatalf("open tasks %+v %v", open, err)
		}
		taken, err := db.TakeTask(ctx, a.Task.ID, op1, call.ID)
		if err != nil || taken.Task.Attempts != 2 || taken.Number != e.Phones[0].Number || taken.Task.LeaseOwner != op1 {
			t.Fatalf("taken %+v %v", taken, err)
		}
		if n, err := db.CountRows(ctx, "SELECT COUNT(*) FROM campaign_attempts WHERE id = $1 AND call_id = $2", taken.ID, call.ID); err != nil || n != 1 {
			t.Fatalf("the attempt does not name the call: %d %v", n, err)
		}
		if c, err := db.FindCall(ctx, anxin.SystemScope(), call.ID); err != nil || c.CampaignTaskID != a.Task.ID {
			t.Fatalf("the call does not name the task: %+v %v", c, err)
		}
		if h, err := db.HeldAttempt(ctx, w.c.ID, op1); err != nil || h == nil || h.ID != taken.ID {
			t.Fatalf("the workspace's held attempt %+v %v", h, err)
		}
		if open, _ := db.ElderOpenTasks(ctx, w.op2, e.ID); len(open) != 1 || open[0].HolderName == "" {
			t.Fatalf("open tasks for another operator %+v: want who holds it", open)
		}
		_, err = db.TakeTask(ctx, a.Task.ID, op2, call.ID)
		wantCode(t, err, anxin.ECONFLICT)
		if again, err := db.TakeTask(ctx, a.Task.ID, op1, call.ID); err != nil || again.ID != taken.ID {
			t.Fatalf("taken again %+v %v, want attempt %d", again, err, taken.ID)
		}
		if _, err := db.ReportAttempt(ctx, w.op1, taken.ID, op1, store.AttemptReport{Disposition: anxin.DispCompleted}); err != nil {
			t.Fatal(err)
		}
		_, err = db.TakeTask(ctx, a.Task.ID, op1, call.ID)
		wantCode(t, err, anxin.ECONFLICT)
		if open, _ := db.ElderOpenTasks(ctx, w.op1, e.ID); len(open) != 0 {
			t.Fatalf("a completed task is still open: %+v", open)
		}

		// Refused: a call from someone else, an outbound call, a task that
		// does not exist, a paused campaign.
		var next *anxin.Elder
		for _, x := range elders {
			if x.ID != e.ID {
				next = x
			}
		}
		tasks, err := db.FindTasks(ctx, w.sup, w.c.ID, anxin.TaskPending, 10)
		if err != nil {
			t.Fatal(err)
		}
		var task int64
		for _, x := range tasks {
			if x.ElderID == next.ID {
				task = x.ID
			}
		}
		_, err = db.TakeTask(ctx, task, op1, call.ID)
		wantCode(t, err, anxin.EINVALID)
		out := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: next.Phones[0].Number, ElderID: next.ID, RegionCode: next.RegionCode}
		if err := db.StartCall(ctx, out); err != nil {
			t.Fatal(err)
		}
		_, err = db.TakeTask(ctx, task, op1, out.ID)
		wantCode(t, err, anxin.EINVALID)
		_, err = db.TakeTask(ctx, 99999, op1, call.ID)
		wantCode(t, err, anxin.ENOTFOUND)
		if err := db.SetCampaignState(ctx, w.sup, w.c.ID, anxin.CampaignPaused); err != nil {
			t.Fatal(err)
		}
		_, err = db.TakeTask(ctx, task, op1, inboundCall(t, db, next).ID)
		wantCode(t, err, anxin.ECONFLICT)
		if open, _ := db.ElderOpenTasks(ctx, w.op1, next.ID); len(open) != 0 {
			t.Fatalf("a paused campaign's task is offered: %+v", open)
		}
	})
}

// TestInboundContact: an inbound call from a known elder that an operator
// answered marks her reached when it ends; a call the menu answered and
// nobody took does not, and a later contact is kept.
func TestInboundContact(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-23 10:00")
		db.Now = func() time.Time { return now }
		w := newWorkWorld(t, db, 3)
		reached := func(e *anxin.Elder) time.Time {
			t.Helper()
			got, err := db.FindElder(ctx, anxin.SystemScope(), e.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.LastContactAt
		}
		menuOnly := inboundCall(t, db, w.a)
		if err := db.CallAnswered(ctx, menuOnly.ID, now, 0); err != nil {
			t.Fatal(err)
		}
		if err := db.EndCall(ctx, menuOnly.ID, now.Add(time.Minute), 200, "", anxin.HangupCaller); err != nil {
			t.Fatal(err)
		}
		if !reached(w.a).IsZero() {
			t.Fatal("a call nobody took marked the elder reached")
		}
		taken := inboundCall(t, db, w.a)
		if err := db.CallAnswered(ctx, taken.ID, now, 0); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCallAgent(ctx, taken.ID, w.op1.AccountID); err != nil {
			t.Fatal(err)
		}
		end := now.Add(3 * time.Minute)
		if err := db.EndCall(ctx, taken.ID, end, 200, "", anxin.HangupCaller); err != nil {
			t.Fatal(err)
		}
		if got := reached(w.a); !got.Equal(end) {
			t.Fatalf("last contact %v, want the call's end %v", got, end)
		}
		// A second end of the same call changes nothing.
		if err := db.EndCall(ctx, taken.ID, end.Add(time.Hour), 200, "", anxin.HangupCaller); err != nil || !reached(w.a).Equal(end) {
			t.Fatalf("ended again: %v, last contact %v", err, reached(w.a))
		}
	})
}
