package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestNextTaskPriorities: NextTask takes the due task of highest priority
// even when higher priorities hold only tasks due later (a retry) or
// leased to someone else, finds nothing when nothing is due, and once all
// are due again takes them by priority, a lease that ran out included.
func TestNextTaskPriorities(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Monday 2026-11-23 10:00 China time.
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
		alone80 := mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001", Living: anxin.LivingAlone,
			Phones: []anxin.Phone{{Number: "13812345671", Label: anxin.PhoneMobile}}})
		family80 := mustCreateElder(t, db, &anxin.Elder{Name: "李桂兰", BirthDate: "1941-06-01", RegionCode: "310107005001", Living: anxin.LivingFamily,
			Phones: []anxin.Phone{{Number: "13812345672", Label: anxin.PhoneMobile}}})
		young := mustCreateElder(t, db, &anxin.Elder{Name: "张建国", BirthDate: "1960-01-01", RegionCode: "310107005003", Living: anxin.LivingFamily,
			Phones: []anxin.Phone{{Number: "13812345673", Label: anxin.PhoneMobile}}})
		c := &anxin.Campaign{Name: "关爱", Type: anxin.CampaignWellness, Mode: anxin.DialPreview, StartsOn: "2026-11-23", RetryMinutes: 60}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if n, err := db.BuildTasks(ctx, sup, c.ID); err != nil || n != 3 {
			t.Fatalf("built %d %v", n, err)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
			t.Fatal(err)
		}
		lease := func(owner string) *store.Attempt {
			t.Helper()
			a, err := db.NextTask(ctx, c.ID, owner, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}

		a := lease("op1")
		if a == nil || a.Task.ElderID != alone80.ID || a.Task.Priority != 90 {
			t.Fatalf("first lease %+v, want the elder of 80 living alone (priority 90)", a)
		}
		if task, err := db.FinishAttempt(ctx, a.ID, "op1", anxin.DispNoAnswer, time.Time{}); err != nil || !task.NextAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("after no answer %+v %v", task, err)
		}
		// Priority 90 holds only a retry due at 11:00.
		b := lease("op2")
		if b == nil || b.Task.ElderID != family80.ID || b.Task.Priority != 60 {
			t.Fatalf("second lease %+v, want the elder of 80 with family (priority 60)", b)
		}
		// Priority 60 holds only op2's lease.
		if y := lease("op3"); y == nil || y.Task.ElderID != young.ID || y.Task.Priority != 20 {
			t.Fatalf("third lease %+v, want the younger elder (priority 20)", y)
		}
		if x := lease("op4"); x != nil {
			t.Fatalf("a lease with nothing due: %+v", x.Task)
		}

		// Tuesday 09:00: all three due again (the leases ran out): by
		// priority, op2's lapsed lease closed as interrupted.
		now = time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
		for _, want := range []*anxin.Elder{alone80, family80, young} {
			if a := lease("op1"); a == nil || a.Task.ElderID != want.ID || a.Task.Attempts != 2 {
				t.Fatalf("Tuesday: lease %+v, want elder %d's second attempt", a, want.ID)
			}
		}
		if n, err := db.CountRows(ctx, "SELECT COUNT(*) FROM campaign_attempts WHERE disposition = 'interrupted'"); err != nil || n != 2 {
			t.Fatalf("interrupted attempts: %d %v, want 2 (op2's and op3's)", n, err)
		}
	})
}

// TestInterruptedUnrungNotCapped: an attempt interrupted before Anxin
// placed its call (the node stopped) does not count against the elder's
// contact cap, so she is called again the same day; one interrupted with
// its call placed counts (her phone may have rung), so she waits for the
// next day.
func TestInterruptedUnrungNotCapped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // Monday 10:00 China time
		db.Now = func() time.Time { return now }
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
		elder := mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001",
			Phones: []anxin.Phone{{Number: "13812345671", Label: anxin.PhoneMobile}}})
		c := &anxin.Campaign{Name: "关爱", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-23", RetryMinutes: 60}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if n, err := db.BuildTasks(ctx, sup, c.ID); err != nil || n != 1 {
			t.Fatalf("built %d %v", n, err)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
			t.Fatal(err)
		}
		const node = "node:a"
		a, err := db.NextTask(ctx, c.ID, node, 10*time.Minute)
		if err != nil || a == nil {
			t.Fatalf("first lease %+v %v", a, err)
		}
		if n, err := db.ReleaseLeases(ctx, node); err != nil || n != 1 {
			t.Fatalf("released %d %v", n, err)
		}
		now = now.Add(2 * time.Hour)
		b, err := db.NextTask(ctx, c.ID, node, 10*time.Minute)
		if err != nil || b == nil || b.Task.ElderID != elder.ID || b.Task.Attempts != 2 {
			t.Fatalf("after an unrung interruption the elder is not called again the same day: %+v %v", b, err)
		}
		call := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: "13812345671", ElderID: elder.ID, RegionCode: elder.RegionCode}
		if err := db.StartCall(ctx, call); err != nil {
			t.Fatal(err)
		}
		if err := db.LinkAttemptCall(ctx, b.ID, node, call.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := db.ReleaseLeases(ctx, node); err != nil || n != 1 {
			t.Fatalf("released %d %v", n, err)
		}
		now = now.Add(2 * time.Hour)
		if x, err := db.NextTask(ctx, c.ID, node, 10*time.Minute); err != nil || x != nil {
			t.Fatalf("after an interrupted call the elder is called again the same day: %+v %v", x, err)
		}
	})
}

// TestUnrungNotAnAttempt: in preview mode an operator takes an elder and
// walks away twice (her lease runs out, no call placed); those are no
// calls, so the campaign still makes its three calls (a day apart, as the
// contact cap allows) before it gives up and a door-knock goes out. In
// manual mode the operator dials on her own phone, so a lease that ran out
// counts: her phone may have rung.
func TestUnrungNotAnAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var now time.Time
		db.Now = func() time.Time { return now }
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		staff := mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity)
		sup := anxin.ScopeOf(staff)
		owner := store.OperatorOwner(staff.ID)
		for i, tc := range []struct {
			mode, committee string
			calls           int // calls placed before the task fails
		}{{anxin.DialPreview, "310107005001", 3}, {anxin.DialManual, "310107005003", 1}} {
			now = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC) // Monday 09:00 China time
			mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: tc.committee,
				Phones: []anxin.Phone{{Number: fmt.Sprintf("1381234567%d", i), Label: anxin.PhoneMobile}}})
			c := &anxin.Campaign{Name: "关爱 " + tc.mode, Type: anxin.CampaignWellness, Mode: tc.mode, StartsOn: "2026-11-23",
				RegionCode: tc.committee, RetryMinutes: 5, MaxAttempts: 3}
			if err := db.CreateCampaign(ctx, sup, c); err != nil {
				t.Fatal(err)
			}
			if n, err := db.BuildTasks(ctx, sup, c.ID); err != nil || n != 1 {
				t.Fatalf("built %d %v", n, err)
			}
			if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
				t.Fatal(err)
			}
			next := func() *store.Attempt {
				t.Helper()
				a, err := db.NextTask(ctx, c.ID, owner, 15*time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				return a
			}
			// Taken and left twice: the lease runs out each time. In manual
			// mode each counts against the contact cap, so the second is
			// the next day.
			day := 0
			for k := 0; k < 2; k++ {
				if a := next(); a == nil {
					t.Fatalf("%s: lease %d refused", tc.mode, k+1)
				}
				now = now.Add(20 * time.Minute)
				if tc.mode == anxin.DialManual {
					day++
					now = time.Date(2026, 11, 23+day, 1, 0, 0, 0, time.UTC)
				}
			}
			calls := 0
			var task *anxin.Task
			for task == nil || task.State == anxin.TaskPending {
				a := next()
				if a == nil {
					t.Fatalf("%s: no task after %d calls (%s)", tc.mode, calls, now)
				}
				if tc.mode != anxin.DialManual {
					call := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: a.Number, ElderID: a.Task.ElderID, RegionCode: a.Task.RegionCode}
					if err := db.StartCall(ctx, call); err != nil {
						t.Fatal(err)
					}
					if err := db.LinkAttemptCall(ctx, a.ID, owner, call.ID); err != nil {
						t.Fatal(err)
					}
				}
				calls++
				var err error
				if task, err = db.FinishAttempt(ctx, a.ID, owner, anxin.DispNoAnswer, time.Time{}); err != nil {
					t.Fatal(err)
				}
				day++ // one call a day: the next morning
				now = time.Date(2026, 11, 23+day, 1, 0, 0, 0, time.UTC)
			}
			if task.State != anxin.TaskFailed || calls != tc.calls {
				t.Errorf("%s: task %s after %d calls, want failed after %d", tc.mode, task.State, calls, tc.calls)
			}
		}
	})
}

// TestCampaignOnHoliday: a campaign started during the National Day
// holiday (2026-10-01 to 10-07) calls nobody until the first working day's
// first window (Thursday 2026-10-08 09:00); a callback asked for 20:00
// (outside the windows) is moved to the next window on a working day, and
// one asked for the holiday's Saturday make-up working day is kept.
func TestCampaignOnHoliday(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := db.LoadCalendar(ctx); err != nil {
			t.Fatal(err)
		}
		cst := time.FixedZone("CST", 8*3600)
		at := func(s string) time.Time {
			v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		now := at("2026-10-02 10:00")
		db.Now = func() time.Time { return now }
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
		mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001",
			Phones: []anxin.Phone{{Number: "13812345671", Label: anxin.PhoneMobile}}})
		c := &anxin.Campaign{Name: "节日问候", Type: anxin.CampaignWellness, Mode: anxin.DialPreview, StartsOn: "2026-10-01"}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if _, err := db.BuildTasks(ctx, sup, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
			t.Fatal(err)
		}
		if a, err := db.NextTask(ctx, c.ID, "account:1", time.Minute); err != nil || a != nil {
			t.Fatalf("a task leased on a holiday: %+v %v", a, err)
		}
		tasks, err := db.FindTasks(ctx, sup, c.ID, "", 10)
		if err != nil || len(tasks) != 1 || !tasks[0].NextAt.Equal(at("2026-10-08 09:00")) {
			t.Fatalf("the task is due %v (%v), want the first working day's first window", tasks, err)
		}

		now = at("2026-10-08 10:00")
		a, err := db.NextTask(ctx, c.ID, "account:1", time.Minute)
		if err != nil || a == nil {
			t.Fatalf("no task on the first working day: %v", err)
		}
		task, err := db.FinishAttempt(ctx, a.ID, "account:1", anxin.DispCallback, at("2026-10-08 20:00"))
		if err != nil || !task.NextAt.Equal(at("2026-10-09 09:00")) {
			t.Fatalf("a callback asked for 20:00 is due %v (%v), want the next morning's window", task.NextAt.In(cst), err)
		}
		// Friday evening's callback goes to Saturday 10-10, the holiday's
		// make-up working day.
		now = at("2026-10-09 10:00")
		if a, err = db.NextTask(ctx, c.ID, "account:1", time.Minute); err != nil || a == nil {
			t.Fatalf("no task on Friday: %v", err)
		}
		task, err = db.FinishAttempt(ctx, a.ID, "account:1", anxin.DispCallback, at("2026-10-09 18:00"))
		if err != nil || !task.NextAt.Equal(at("2026-10-10 09:00")) {
			t.Fatalf("Friday 18:00's callback is due %v (%v), want the make-up Saturday's window", task.NextAt.In(cst), err)
		}
	})
}
