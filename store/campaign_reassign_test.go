package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// workWorld is a running wellness campaign of 长风新村 over four
// elders — two in committee 001, two in 003 — with the street's staff
// running it and two hotline operators working it.
type workWorld struct {
	sup, op1, op2 anxin.Scope
	c             *anxin.Campaign
	// a and b live in committee 001, cc and d in 003.
	a, b, cc, d *anxin.Elder
}

func newWorkWorld(t *testing.T, db *store.DB, maxAttempts int) workWorld {
	t.Helper()
	street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
	hotline := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区为老服务热线", "310107")
	w := workWorld{
		sup: anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity)),
		op1: anxin.ScopeOf(mustCreateAccount(t, db, hotline, "op1", anxin.RoleOperator)),
		op2: anxin.ScopeOf(mustCreateAccount(t, db, hotline, "op2", anxin.RoleOperator)),
	}
	elder := func(name, region, number string) *anxin.Elder {
		return mustCreateElder(t, db, &anxin.Elder{Name: name, RegionCode: region, Phones: []anxin.Phone{{Number: number, Label: anxin.PhoneMobile}}})
	}
	w.a, w.b = elder("王秀英", "310107005001", "13812345671"), elder("李桂兰", "310107005001", "13812345672")
	w.cc, w.d = elder("张建国", "310107005003", "13812345673"), elder("赵阿姨", "310107005003", "13812345674")
	w.c = &anxin.Campaign{Name: "关爱", Type: anxin.CampaignWellness, Mode: anxin.DialPreview, StartsOn: "2026-11-23", MaxAttempts: maxAttempts}
	if err := db.CreateCampaign(ctx, w.sup, w.c); err != nil {
		t.Fatal(err)
	}
	if n, err := db.BuildTasks(ctx, w.sup, w.c.ID); err != nil || n != 4 {
		t.Fatalf("built %d %v", n, err)
	}
	if err := db.SetCampaignState(ctx, w.sup, w.c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestReassignTasks: tasks assigned to an operator are offered to her
// only, first, and never to a node's dialler; moving an operator's work
// takes back her attempts in hand — no call when nothing was dialled for
// it (neither an attempt of the campaign nor against the contact cap),
// interrupted when a call was placed — and hands her tasks on; back to
// the pool, anyone takes them. The live figures count it per operator.
func TestReassignTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-23 10:00")
		db.Now = func() time.Time { return now }
		w := newWorkWorld(t, db, 2)
		op1, op2 := store.OperatorOwner(w.op1.AccountID), store.OperatorOwner(w.op2.AccountID)
		lease := func(owner string) *store.Attempt {
			t.Helper()
			a, err := db.NextTask(ctx, w.c.ID, owner, 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		r, err := db.ReassignTasks(ctx, w.sup, w.c.ID, store.Reassignment{To: w.op2.AccountID, Count: 5, Within: "310107005003"})
		if err != nil || r.Assigned != 2 {
			t.Fatalf("assign committee 003's tasks: %+v %v", r, err)
		}
		// op1 gets the two unassigned tasks and nothing more; neither
		// does a node; op2 gets hers.
		got := map[int64]*store.Attempt{}
		for range 2 {
			a := lease(op1)
			if a == nil || (a.Task.ElderID != w.a.ID && a.Task.ElderID != w.b.ID) {
				t.Fatalf("op1's lease %+v, want an elder of committee 001", a)
			}
			got[a.Task.ElderID] = a
		}
		if a := lease(op1); a != nil {
			t.Fatalf("op1 leased op2's task of elder %d", a.Task.ElderID)
		}
		// The progressive dialler sees nothing due for op1, two for op2.
		if due, err := db.TaskDue(ctx, w.c.ID, w.op1.AccountID); err != nil || due {
			t.Fatalf("a task due for op1 when all left are op2's: %v %v", due, err)
		}
		if due, err := db.TaskDue(ctx, w.c.ID, w.op2.AccountID); err != nil || !due {
			t.Fatalf("nothing due for op2: %v %v", due, err)
		}
		if a := lease("node:anxin-1"); a != nil {
			t.Fatalf("a node leased an assigned task of elder %d", a.Task.ElderID)
		}
		if a := lease(op2); a == nil || (a.Task.ElderID != w.cc.ID && a.Task.ElderID != w.d.ID) {
			t.Fatalf("op2's lease %+v, want one of hers", a)
		}
		// A call was placed for op1's attempt on b.
		call := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: "13812345672", ElderID: w.b.ID, RegionCode: "310107005001"}
		if err := db.StartCall(ctx, call); err != nil {
			t.Fatal(err)
		}
		if err := db.LinkAttemptCall(ctx, got[w.b.ID].ID, op1, call.ID); err != nil {
			t.Fatal(err)
		}

		// op1 leaves: her work goes to op2.
		r, err = db.ReassignTasks(ctx, w.sup, w.c.ID, store.Reassignment{From: w.op1.AccountID, To: w.op2.AccountID})
		if err != nil || r.Released != 2 || r.Moved != 0 || r.Assigned != 0 {
			t.Fatalf("reassign op1 → op2: %+v %v", r, err)
		}
		for disp, want := range map[string]int{store.DispReassigned: 1, anxin.DispInterrupted: 1} {
			if n, err := db.CountRows(ctx, "SELECT COUNT(*) FROM campaign_attempts WHERE disposition = $1", disp); err != nil || n != want {
				t.Fatalf("%s attempts: %d %v, want %d", disp, n, err, want)
			}
		}
		if _, err := db.FinishAttempt(ctx, got[w.a.ID].ID, op1, anxin.DispCompleted, time.Time{}); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("op1 finishing a task taken back: %v", err)
		}
		st, err := db.CampaignStats(ctx, w.sup, w.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Attempts != 2 || st.Dispositions[store.DispReassigned] != 1 || st.InProgress != 1 {
			t.Fatalf("stats: %d attempts, %d in progress, %v", st.Attempts, st.InProgress, st.Dispositions)
		}
		callers := map[int64]store.CallerCount{}
		for _, c := range st.Callers {
			callers[c.AccountID] = c
		}
		if c := callers[w.op2.AccountID]; c.Assigned != 4 || c.Holding != 1 || c.Attempts != 1 || c.Name == "" {
			t.Fatalf("op2's row %+v, want 4 assigned, 1 held, 1 attempt", c)
		}
		if c := callers[w.op1.AccountID]; c.Assigned != 0 || c.Holding != 0 || c.Attempts != 1 {
			t.Fatalf("op1's row %+v, want the one call she placed", c)
		}

		// a's attempt taken back was no call: op2 calls her today (the cap
		// is one a day), and after a no answer she is tried again (two
		// attempts, the first not counted).
		var onA *store.Attempt
		for range 3 {
			if a := lease(op2); a != nil && a.Task.ElderID == w.a.ID {
				onA = a
			}
		}
		if onA == nil || onA.Task.Attempts != 2 {
			t.Fatalf("op2 did not get a's second attempt: %+v", onA)
		}
		task, err := db.FinishAttempt(ctx, onA.ID, op2, anxin.DispNoAnswer, time.Time{})
		if err != nil || task.State != anxin.TaskPending {
			t.Fatalf("after one counted attempt of two: %+v %v", task, err)
		}

		// op2 leaves too, to the pool: anyone takes her tasks again.
		r, err = db.ReassignTasks(ctx, w.sup, w.c.ID, store.Reassignment{From: w.op2.AccountID})
		if err != nil || r.Released != 2 || r.Moved != 2 {
			t.Fatalf("op2 → pool: %+v %v", r, err)
		}
		if n, err := db.CountRows(ctx, "SELECT COUNT(*) FROM campaign_tasks WHERE assigned_to IS NOT NULL"); err != nil || n != 0 {
			t.Fatalf("assigned after the pool: %d %v", n, err)
		}
		if a := lease("node:anxin-1"); a == nil {
			t.Fatal("the pool's tasks are not offered to a node")
		}
	})
}

// TestReassignRefused: only who runs the campaign moves its work, to
// someone who works it, and not in an agentless campaign.
func TestReassignRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-23 10:00")
		db.Now = func() time.Time { return now }
		w := newWorkWorld(t, db, 3)
		provider := mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgProvider, "安康家政", "310107"), "ankang", anxin.RolePartner)
		other := mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgStreet, "真如镇街道", "310107014"), "zhenru", anxin.RoleCommunity)
		for name, c := range map[string]struct {
			sc   anxin.Scope
			r    store.Reassignment
			code string
		}{
			"an operator":              {w.op1, store.Reassignment{From: w.op2.AccountID}, anxin.EFORBIDDEN},
			"nothing":                  {w.sup, store.Reassignment{}, anxin.EINVALID},
			"a count to nobody":        {w.sup, store.Reassignment{Count: 3}, anxin.EINVALID},
			"to herself":               {w.sup, store.Reassignment{From: w.op1.AccountID, To: w.op1.AccountID}, anxin.EINVALID},
			"to a provider":            {w.sup, store.Reassignment{From: w.op1.AccountID, To: provider.ID}, anxin.EINVALID},
			"to another street":        {w.sup, store.Reassignment{From: w.op1.AccountID, To: other.ID}, anxin.EINVALID},
			"outside the campaign":     {w.sup, store.Reassignment{To: w.op1.AccountID, Count: 1, Within: "310107014001"}, anxin.EINVALID},
			"too many":                 {w.sup, store.Reassignment{To: w.op1.AccountID, Count: store.MaxAssigned + 1}, anxin.EINVALID},
			"another street's runner":  {anxin.ScopeOf(other), store.Reassignment{From: w.op1.AccountID}, anxin.ENOTFOUND},
			"an unknown account":       {w.sup, store.Reassignment{To: 99999, Count: 1}, anxin.EINVALID},
			"a negative count is none": {w.sup, store.Reassignment{To: w.op1.AccountID, Count: -1}, anxin.EINVALID},
		} {
			_, err := db.ReassignTasks(ctx, c.sc, w.c.ID, c.r)
			if anxin.ErrorCode(err) != c.code {
				t.Errorf("%s: %v, want %s", name, err, c.code)
			}
		}
		agentless := &anxin.Campaign{Name: "自动关爱", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-23"}
		if err := db.CreateCampaign(ctx, w.sup, agentless); err != nil {
			t.Fatal(err)
		}
		_, err := db.ReassignTasks(ctx, w.sup, agentless.ID, store.Reassignment{To: w.op1.AccountID, Count: 1})
		wantCode(t, err, anxin.EINVALID)
		workers, err := db.CampaignWorkers(ctx, w.sup, w.c)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, x := range workers {
			names = append(names, x.Name)
		}
		// The street's staff sees her own people: the hotline's operators
		// are not in her area's organisations.
		if len(workers) != 1 || workers[0].AccountID != w.sup.AccountID {
			t.Fatalf("workers the street sees: %v", names)
		}
	})
}
