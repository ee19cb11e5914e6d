package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestScriptVersions: editing a running campaign's script makes version 2;
// tasks made before keep version 1, tasks made after use 2; answers are
// counted per version.
func TestScriptVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		staff := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
		first := mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001",
			Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}})
		zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
		s := &anxin.Script{Name: "保供问询", Questions: []anxin.Question{{Key: "enough", Type: anxin.QuestionYesNo, Text: zh("够吃吗？"),
			Options: []anxin.Option{{Key: "yes", Text: zh("够")}, {Key: "no", Text: zh("不够")}}}}}
		if err := db.SaveScript(ctx, staff, s); err != nil || s.Version != 1 {
			t.Fatalf("script %+v %v", s, err)
		}
		c := &anxin.Campaign{Name: "保供", Type: anxin.CampaignSupply, Mode: anxin.DialPreview, StartsOn: "2026-11-23"}
		if err := db.CreateCampaign(ctx, staff, c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignScript(ctx, staff, c.ID, s.ID); err != nil {
			t.Fatal(err)
		}
		db.BuildTasks(ctx, staff, c.ID)
		db.SetCampaignState(ctx, staff, c.ID, anxin.CampaignRunning)
		a, err := db.NextTask(ctx, c.ID, "account:1", time.Minute)
		if err != nil || a == nil || a.Task.ElderID != first.ID {
			t.Fatalf("lease %+v %v", a, err)
		}
		if err := db.RecordAnswers(ctx, a.ID, map[string]string{"enough": "no"}); err != nil {
			t.Fatal(err)
		}
		s.Questions[0].Text = zh("家里菜、米、油、肉还够吃吗？")
		if err := db.SaveScript(ctx, staff, s); err != nil || s.Version != 2 {
			t.Fatalf("version 2 %+v %v", s, err)
		}
		second := mustCreateElder(t, db, &anxin.Elder{Name: "张建国", BirthDate: "1950-01-01", RegionCode: "310107005001",
			Phones: []anxin.Phone{{Number: "13912345678", Label: anxin.PhoneMobile}}})
		db.BuildTasks(ctx, staff, c.ID)
		b, err := db.NextTask(ctx, c.ID, "account:1", time.Minute)
		if err != nil || b == nil || b.Task.ElderID != second.ID {
			t.Fatalf("lease %+v %v", b, err)
		}
		db.RecordAnswers(ctx, b.ID, map[string]string{"enough": "yes"})
		counts, err := db.AnswerCounts(ctx, staff, c.ID)
		want := []store.AnswerCount{{Version: 1, Question: "enough", Value: "no", Count: 1}, {Version: 2, Question: "enough", Value: "yes", Count: 1}}
		if err != nil || len(counts) != 2 || counts[0] != want[0] || counts[1] != want[1] {
			t.Fatalf("answer counts %+v %v", counts, err)
		}
		if v1, err := db.Script(ctx, s.ID, 1); err != nil || v1.Questions[0].Text[anxin.LangMandarin] != "够吃吗？" {
			t.Fatalf("version 1 read back %+v %v", v1, err)
		}
		if latest, err := db.Script(ctx, s.ID, 0); err != nil || latest.Version != 2 {
			t.Fatalf("latest %+v %v", latest, err)
		}
	})
}

// TestCampaignScriptFixed: once a campaign has tasks its script cannot be
// swapped for another (the tasks name versions of it); setting the same
// one again is fine; a campaign whose tasks were made before it had a
// script gives them the script's latest version.
func TestCampaignScriptFixed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		staff := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
		mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001",
			Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}})
		zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
		script := func(name string) *anxin.Script {
			s := &anxin.Script{Name: name, Questions: []anxin.Question{{Key: "ok", Type: anxin.QuestionYesNo, Text: zh("都好吗？"),
				Options: []anxin.Option{{Key: "yes", Text: zh("好")}, {Key: "no", Text: zh("不好")}}}}}
			if err := db.SaveScript(ctx, staff, s); err != nil {
				t.Fatal(err)
			}
			return s
		}
		first, other := script("问候"), script("另一份")
		first.Questions[0].Text = zh("最近都好吗？")
		if err := db.SaveScript(ctx, staff, first); err != nil || first.Version != 2 {
			t.Fatalf("version 2: %v", err)
		}
		c := &anxin.Campaign{Name: "问候", Type: anxin.CampaignWellness, Mode: anxin.DialPreview, StartsOn: "2026-11-23"}
		if err := db.CreateCampaign(ctx, staff, c); err != nil {
			t.Fatal(err)
		}
		if n, err := db.BuildTasks(ctx, staff, c.ID); err != nil || n != 1 {
			t.Fatalf("%d tasks, %v", n, err)
		}
		if err := db.SetCampaignScript(ctx, staff, c.ID, first.ID); err != nil {
			t.Fatalf("first script of a campaign with tasks: %v", err)
		}
		tasks, err := db.FindTasks(ctx, staff, c.ID, "", 10)
		if err != nil || len(tasks) != 1 {
			t.Fatalf("tasks %v %v", tasks, err)
		}
		if s, err := db.TaskScript(ctx, &anxin.Campaign{ScriptID: first.ID}, tasks[0].ID); err != nil || s.Version != 2 {
			t.Fatalf("the task made before the script asks %+v, %v; want version 2", s, err)
		}
		if err := db.SetCampaignScript(ctx, staff, c.ID, first.ID); err != nil {
			t.Fatalf("the same script again: %v", err)
		}
		err = db.SetCampaignScript(ctx, staff, c.ID, other.ID)
		if anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("another script for a campaign with tasks: %v, want ECONFLICT", err)
		}
		if got, _ := db.FindCampaign(ctx, staff, c.ID); got.ScriptID != first.ID {
			t.Fatalf("the campaign's script is now %d", got.ScriptID)
		}
	})
}
