package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestCampaignTasks: a district supervisor's wellness campaign targets a
// street's active elders with a number who have not opted out; tasks are
// made once (building again adds nobody), the oldest elder living alone
// first. Leases: each is a new attempt; an attempt that ends with no answer
// is tried again after the retry delay inside a calling window; the contact
// cap puts an elder called today off to the next calling day (the same
// elder in a second campaign); a caller whose lease ran out cannot finish;
// after the last attempt the elder's second number is tried, then the task
// fails; a completed call ends the task and marks the elder reached.
func TestCampaignTasks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Monday 2026-11-23 10:00 China time.
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区热线", "310107")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		op := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator))
		old := mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001", Living: anxin.LivingAlone,
			Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}, {Number: "02162541234", Label: anxin.PhoneLandline}}})
		young := mustCreateElder(t, db, &anxin.Elder{Name: "张建国", BirthDate: "1958-01-01", RegionCode: "310107005003", Living: anxin.LivingFamily,
			Phones: []anxin.Phone{{Number: "13912345678", Label: anxin.PhoneMobile}}})
		mustCreateElder(t, db, &anxin.Elder{Name: "李退出", BirthDate: "1945-01-01", RegionCode: "310107005003",
			Phones:   []anxin.Phone{{Number: "13712345678", Label: anxin.PhoneMobile}},
			Consents: []anxin.Consent{{Purpose: anxin.ConsentCheckIn, Given: false, At: now, Source: "phone"}}})
		mustCreateElder(t, db, &anxin.Elder{Name: "赵无号", BirthDate: "1945-01-01", RegionCode: "310107005003"})
		mustCreateElder(t, db, &anxin.Elder{Name: "钱外区", BirthDate: "1945-01-01", RegionCode: "310105001001",
			Phones: []anxin.Phone{{Number: "13612345678", Label: anxin.PhoneMobile}}})

		c := &anxin.Campaign{Name: "关爱问候", Type: anxin.CampaignWellness, Mode: anxin.DialPreview, StartsOn: "2026-11-23", MaxAttempts: 2, RetryMinutes: 60,
			RegionCode: "310107005"}
		if err := db.CreateCampaign(ctx, op, c); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("an operator created a campaign: %v", err)
		}
		if err := db.CreateCampaign(ctx, sup, &anxin.Campaign{Name: "x", Type: anxin.CampaignWellness, Mode: anxin.DialPreview,
			StartsOn: "2026-11-23", RegionCode: "310105"}); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("a campaign over another district: %v", err)
		}
		if err := db.CreateCampaign(ctx, sup, &anxin.Campaign{Name: "x", Type: anxin.CampaignWellness, Mode: anxin.DialPreview,
			StartsOn: "2026-11-23", Windows: []string{"18:00-09:00"}}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("a window ending before it starts: %v", err)
		}
		if err := db.CreateCampaign(ctx, sup, c); err != nil || c.RegionCode != "310107005" || c.State != anxin.CampaignDraft {
			t.Fatalf("campaign %+v %v", c, err)
		}
		if n, err := db.CountTarget(ctx, sup, c); err != nil || n != 2 {
			t.Fatalf("target counts %d %v, want 2 (opted out, no number and another street left out)", n, err)
		}
		if n, err := db.BuildTasks(ctx, sup, c.ID); err != nil || n != 2 {
			t.Fatalf("built %d %v", n, err)
		}
		if n, err := db.BuildTasks(ctx, sup, c.ID); err != nil || n != 0 {
			t.Fatalf("built again %d %v", n, err)
		}
		if a, err := db.NextTask(ctx, c.ID, "node-a", time.Minute); err != nil || a != nil {
			t.Fatalf("a draft campaign handed out %+v %v", a, err)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
			t.Fatal(err)
		}
		a1, err := db.NextTask(ctx, c.ID, "node-a", time.Minute)
		if err != nil || a1 == nil || a1.Task.ElderID != old.ID || a1.Number != "13812345678" || a1.Task.Attempts != 1 || a1.Task.Priority < 70 {
			t.Fatalf("first lease %+v %v", a1, err)
		}
		a2, err := db.NextTask(ctx, c.ID, "node-b", time.Minute)
		if err != nil || a2 == nil || a2.Task.ElderID != young.ID {
			t.Fatalf("second lease %+v %v", a2, err)
		}
		if a, _ := db.NextTask(ctx, c.ID, "node-c", time.Minute); a != nil {
			t.Fatalf("a third lease with two tasks, both leased: %+v", a.Task)
		}
		// node-b places its call (then vanishes, below): her phone may
		// have rung, so the interrupted attempt counts against her cap.
		call := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: a2.Number, ElderID: young.ID, RegionCode: young.RegionCode}
		if err := db.StartCall(ctx, call); err != nil {
			t.Fatal(err)
		}
		if err := db.LinkAttemptCall(ctx, a2.ID, "node-b", call.ID); err != nil {
			t.Fatal(err)
		}

		// No answer: again in an hour (11:00 China time).
		task, err := db.FinishAttempt(ctx, a1.ID, "node-a", anxin.DispNoAnswer, time.Time{})
		if err != nil || task.State != anxin.TaskPending || !task.NextAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("after no answer %+v %v", task, err)
		}
		if _, err := db.FinishAttempt(ctx, a1.ID, "node-a", anxin.DispCompleted, time.Time{}); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("finishing an attempt twice: %v", err)
		}
		// An hour later she is due, but was called today: the cap puts her
		// off to tomorrow's first window.
		now = now.Add(61 * time.Minute)
		if a, _ := db.NextTask(ctx, c.ID, "node-a", time.Minute); a != nil {
			t.Fatalf("the cap let a second call today through: %+v", a.Task)
		}
		// node-b's lease ran out long ago: its attempt is interrupted and
		// the task is someone else's now (but capped too: tomorrow).
		if _, err := db.FinishAttempt(ctx, a2.ID, "node-b", anxin.DispCompleted, time.Time{}); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("finishing after the lease ran out: %v", err)
		}

		// Tuesday 09:00: her second attempt (the last on the first number).
		now = time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC)
		a3, err := db.NextTask(ctx, c.ID, "node-a", time.Minute)
		if err != nil || a3 == nil || a3.Task.ElderID != old.ID || a3.Task.Attempts != 2 {
			t.Fatalf("Tuesday's first lease %+v %v", a3, err)
		}
		task, err = db.FinishAttempt(ctx, a3.ID, "node-a", anxin.DispBusy, time.Time{})
		if err != nil || task.State != anxin.TaskPending || task.PhoneRank != 1 {
			t.Fatalf("after the last attempt on the first number %+v %v", task, err)
		}
		// Wednesday: the landline, then nothing left.
		now = time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC)
		a4, err := db.NextTask(ctx, c.ID, "node-a", time.Minute)
		if err != nil || a4 == nil || a4.Task.ElderID != old.ID || a4.Number != "02162541234" {
			t.Fatalf("Wednesday: her other number %+v %v", a4, err)
		}
		task, err = db.FinishAttempt(ctx, a4.ID, "node-a", anxin.DispNoAnswer, time.Time{})
		if err != nil || task.State != anxin.TaskFailed || task.Disposition != anxin.DispNoAnswer {
			t.Fatalf("after every number %+v %v", task, err)
		}
		if knocks, err := db.CountRows(ctx, "SELECT COUNT(*) FROM door_knocks WHERE elder_id = $1 AND region_code = '310107005001' AND state = 'open'", old.ID); err != nil || knocks != 1 {
			t.Fatalf("door knocks for the unreached elder: %d %v", knocks, err)
		}
		a5, err := db.NextTask(ctx, c.ID, "node-a", time.Minute)
		if err != nil || a5 == nil || a5.Task.ElderID != young.ID || a5.Task.Attempts != 2 {
			t.Fatalf("Wednesday: the other elder %+v %v", a5, err)
		}
		if task, err = db.FinishAttempt(ctx, a5.ID, "node-a", anxin.DispCompleted, time.Time{}); err != nil || task.State != anxin.TaskDone {
			t.Fatalf("completed %+v %v", task, err)
		}
		if e, _ := db.FindElder(ctx, anxin.SystemScope(), young.ID); e.LastContactAt.IsZero() {
			t.Fatal("a completed call did not mark the elder reached")
		}

		// A second campaign over the same elder respects the cap shared
		// by all campaigns.
		c2 := &anxin.Campaign{Name: "保供", Type: anxin.CampaignSupply, Mode: anxin.DialAgentless, StartsOn: "2026-11-23", RegionCode: "310107005"}
		if err := db.CreateCampaign(ctx, sup, c2); err != nil {
			t.Fatal(err)
		}
		db.BuildTasks(ctx, sup, c2.ID)
		db.SetCampaignState(ctx, sup, c2.ID, anxin.CampaignRunning)
		if a, _ := db.NextTask(ctx, c2.ID, "node-a", time.Minute); a != nil {
			t.Fatalf("both elders were called today, yet %+v was handed out", a.Task)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignArchived); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("archiving a running campaign: %v", err)
		}
	})
}

// TestNextTaskConcurrent: eight callers leasing at once from a street
// office's campaign
// never get the same task (each task is leased once), on both engines.
func TestNextTaskConcurrent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) }
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
		for i := 0; i < 40; i++ {
			mustCreateElder(t, db, &anxin.Elder{Name: "老人", BirthDate: "1945-01-01", RegionCode: "310107005001",
				Phones: []anxin.Phone{{Number: "139" + string(rune('1'+i%9)) + "00000" + string(rune('a'+i/9)) + "0", Label: anxin.PhoneMobile}}})
		}
		c := &anxin.Campaign{Name: "关爱", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-23"}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		n, err := db.BuildTasks(ctx, sup, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning)
		got := make(chan int64, 100)
		errs := make(chan error, 8)
		for w := 0; w < 8; w++ {
			go func(w int) {
				for {
					a, err := db.NextTask(ctx, c.ID, "caller", time.Hour)
					if err != nil || a == nil {
						errs <- err
						return
					}
					got <- a.Task.ID
				}
			}(w)
		}
		for w := 0; w < 8; w++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		close(got)
		seen := map[int64]bool{}
		for id := range got {
			if seen[id] {
				t.Fatalf("task %d leased twice", id)
			}
			seen[id] = true
		}
		if len(seen) != n {
			t.Fatalf("%d of %d tasks leased", len(seen), n)
		}
	})
}
