package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestCampaignDialler: what a node's dialler needs of the store. Only
// running agentless campaigns within their dates are dialled. An attempt
// is linked to one call, by its owner, while it lasts: a second call, a
// stranger's, or a call for an attempt closed when its lease was given
// back are refused. Extending the node's leases keeps a long call's task
// from being taken by another node. The audit finds a call placed outside
// an attempt, and one overlapping another call to the same elder.
func TestCampaignDialler(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // Monday 10:00 China time
		db.Now = func() time.Time { return now }
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		for _, n := range []string{"13800000001", "13800000002"} {
			mustCreateElder(t, db, &anxin.Elder{Name: "老人", BirthDate: "1940-01-01", RegionCode: "310107005001",
				Phones: []anxin.Phone{{Number: n, Label: anxin.PhoneMobile}}})
		}
		mk := func(mode, starts, ends string, run bool) *anxin.Campaign {
			c := &anxin.Campaign{Name: "问候", Type: anxin.CampaignWellness, Mode: mode, StartsOn: starts, EndsOn: ends, RegionCode: "310107005"}
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
		c := mk(anxin.DialAgentless, "2026-11-01", "", true)
		mk(anxin.DialAgentless, "2026-11-01", "", false)                  // a draft
		mk(anxin.DialPreview, "2026-11-01", "", true)                     // operators call
		mk(anxin.DialAgentless, "2026-11-24", "", true)                   // from tomorrow
		mk(anxin.DialAgentless, "2026-11-01", "2026-11-22", true)         // ended yesterday
		last := mk(anxin.DialAgentless, "2026-11-23", "2026-11-23", true) // today only
		got, err := db.DiallingCampaigns(ctx, anxin.DialAgentless)
		if err != nil || len(got) != 2 || got[0].ID != c.ID || got[1].ID != last.ID {
			t.Fatalf("agentless campaigns %+v %v, want %d and %d", got, err, c.ID, last.ID)
		}

		if _, err := db.BuildTasks(ctx, sup, c.ID); err != nil {
			t.Fatal(err)
		}
		a, err := db.NextTask(ctx, c.ID, "node:a", 10*time.Minute)
		if err != nil || a == nil {
			t.Fatalf("lease %+v %v", a, err)
		}
		call := func(task int64, elder int64) *anxin.Call {
			rec := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: a.Number, ElderID: elder,
				CampaignTaskID: task, RegionCode: "310107005001", Node: "a", StartedAt: time.Now()}
			if err := db.StartCall(ctx, rec); err != nil {
				t.Fatal(err)
			}
			return rec
		}
		first := call(a.Task.ID, a.Task.ElderID)
		if err := db.LinkAttemptCall(ctx, a.ID, "node:b", first.ID); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("another node linked a call to node a's attempt: %v", err)
		}
		if err := db.LinkAttemptCall(ctx, a.ID, "node:a", first.ID); err != nil {
			t.Fatal(err)
		}
		second := call(a.Task.ID, a.Task.ElderID)
		if err := db.LinkAttemptCall(ctx, a.ID, "node:a", second.ID); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("a second call for one attempt: %v", err)
		}
		audit, err := db.AuditDialling(ctx, c.ID)
		if err != nil || audit.Attempts != 1 || audit.Calls != 2 || audit.UnlinkedCalls != 1 || audit.Overlapping != 1 ||
			audit.SharedCalls != 0 || audit.DuplicateAttempts != 0 {
			t.Fatalf("audit with a call outside an attempt %+v %v", audit, err)
		}
		db.EndCall(ctx, first.ID, time.Now(), 200, "", anxin.HangupCaller)
		db.EndCall(ctx, second.ID, time.Now(), 487, "", anxin.HangupSystem)

		// Twelve minutes on, node a's call still lasts: its lease,
		// extended a minute ago, keeps the task from node b.
		now = now.Add(9 * time.Minute)
		if n, err := db.ExtendLeases(ctx, "node:a", 10*time.Minute); err != nil || n != 1 {
			t.Fatalf("extended %d %v", n, err)
		}
		now = now.Add(3 * time.Minute)
		if b, err := db.NextTask(ctx, c.ID, "node:b", 10*time.Minute); err != nil || b == nil || b.Task.ID == a.Task.ID {
			t.Fatalf("node b's lease %+v %v: want the other task", b, err)
		}
		// Node a restarts: its attempt is closed and never gets a call.
		if n, err := db.ReleaseLeases(ctx, "node:a"); err != nil || n != 1 {
			t.Fatalf("released %d %v", n, err)
		}
		third := call(a.Task.ID, a.Task.ElderID)
		if err := db.LinkAttemptCall(ctx, a.ID, "node:a", third.ID); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("a call for an interrupted attempt: %v", err)
		}
		if n, err := db.ExtendLeases(ctx, "node:a", 10*time.Minute); err != nil || n != 0 {
			t.Fatalf("extended %d %v after the release", n, err)
		}
	})
}

// TestTaskCall: before dialling, the dialler reads the script version the
// task was made with (an edit made afterwards is for new tasks), the
// elder's dialect and the area of the campaign's owner, whose operators
// take the call when she asks for a person.
func TestTaskCall(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		mustCreateElder(t, db, &anxin.Elder{Name: "老人", BirthDate: "1940-01-01", RegionCode: "310107005001", Dialect: "上海话",
			Phones: []anxin.Phone{{Number: "13800000001", Label: anxin.PhoneMobile}}})
		s := &anxin.Script{Name: "问候", Questions: []anxin.Question{{Key: "well", Type: anxin.QuestionYesNo, Prompt: "checkin",
			Text: map[string]string{anxin.LangMandarin: "您好吗？"}, Options: []anxin.Option{
				{Key: "yes", DTMF: "1", Text: map[string]string{anxin.LangMandarin: "好"}},
				{Key: "no", DTMF: "2", Text: map[string]string{anxin.LangMandarin: "不好"}}}}}}
		if err := db.SaveScript(ctx, sup, s); err != nil {
			t.Fatal(err)
		}
		c := &anxin.Campaign{Name: "问候", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-01", RegionCode: "310107005"}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignScript(ctx, sup, c.ID, s.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.BuildTasks(ctx, sup, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveScript(ctx, sup, s); err != nil || s.Version != 2 {
			t.Fatalf("the script's second version %d %v", s.Version, err)
		}
		tasks, err := db.FindTasks(ctx, sup, c.ID, "", 10)
		if err != nil || len(tasks) != 1 {
			t.Fatalf("tasks %+v %v", tasks, err)
		}
		tc, err := db.TaskCall(ctx, tasks[0].ID)
		if err != nil || tc != (store.TaskCall{ScriptVersion: 1, Dialect: "上海话", OwnerRegion: "3101"}) {
			t.Fatalf("task call %+v %v", tc, err)
		}
		if _, err := db.TaskCall(ctx, tasks[0].ID+100); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("an unknown task: %v", err)
		}
	})
}
