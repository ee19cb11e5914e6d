package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// campaignWorld is a street's supply campaign with the seed's question,
// two elders to call, a supplier's package and a district operator.
type campaignWorld struct {
	now      time.Time
	staff    anxin.Scope // the street's community staff, who run it
	op       anxin.Scope // a district hotline operator, who calls
	opName   string
	c        *anxin.Campaign
	script   *anxin.Script
	pkg      *anxin.CatalogueItem
	old, two *anxin.Elder
}

func newCampaignWorld(t *testing.T, db *store.DB) *campaignWorld {
	t.Helper()
	// Monday 2026-11-23 10:00 China time.
	w := &campaignWorld{now: time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)}
	db.Now = func() time.Time { return w.now }
	street := mustCreateOrg(t, db, anxin.OrgStreet, "曹杨新村街道办事处", "310107005")
	hotline := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区为老服务热线", "310107")
	w.staff = anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
	opAcc := mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator)
	w.op, w.opName = anxin.ScopeOf(opAcc), opAcc.DisplayName
	sup := mustCreateOrg(t, db, anxin.OrgSupplier, "家乐福", "3101")
	// The test catalogue's package is called 居家保洁 whatever its category.
	w.pkg = approvedProvider(t, db, anxin.ScopeOf(mustCreateAccount(t, db, sup, "carrefour", anxin.RolePartner)), sup, "91310107MA1G00201", "sup-food", 5000)
	w.old = mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001", Living: anxin.LivingAlone,
		Dialect: "上海话", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}})
	w.two = mustCreateElder(t, db, &anxin.Elder{Name: "张建国", BirthDate: "1958-01-01", RegionCode: "310107005003",
		Phones: []anxin.Phone{{Number: "13912345678", Label: anxin.PhoneMobile}}})
	zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
	w.script = &anxin.Script{Name: "保供问询", Questions: []anxin.Question{
		{Key: "enough", Type: anxin.QuestionYesNo,
			Text: map[string]string{anxin.LangMandarin: "您家里菜、米、油、肉还有吗？够吃吗？", anxin.LangShanghainese: "侬屋里厢菜、米、油、肉还有伐？够吃了伐？"},
			Options: []anxin.Option{{Key: "yes", Text: zh("够")},
				{Key: "no", Text: zh("不够"), Actions: []anxin.Action{{Kind: anxin.ActSupplyOrder, Note: w.pkg.Name}}}}},
		{Key: "health", Type: anxin.QuestionSingle, Text: zh("身体怎么样？"), Options: []anxin.Option{
			{Key: "ok", Text: zh("挺好")},
			{Key: "fell", Text: zh("摔倒了"), Actions: []anxin.Action{{Kind: anxin.ActEscalation, Urgency: anxin.UrgencyEmergency, Note: "老人摔倒"}}},
			{Key: "hospital", Text: zh("住院了"), Actions: []anxin.Action{{Kind: anxin.ActUpdateElder, Status: anxin.StatusInHospital}}},
		}},
		{Key: "age", Type: anxin.QuestionNumber, Text: zh("今年几岁？")},
	}}
	if err := db.SaveScript(ctx, w.staff, w.script); err != nil {
		t.Fatal(err)
	}
	w.c = &anxin.Campaign{Name: "曹杨保供", Type: anxin.CampaignSupply, Mode: anxin.DialPreview, StartsOn: "2026-11-23"}
	if err := db.CreateCampaign(ctx, w.staff, w.c); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCampaignScript(ctx, w.staff, w.c.ID, w.script.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := db.BuildTasks(ctx, w.staff, w.c.ID); err != nil || n != 2 {
		t.Fatalf("built %d %v", n, err)
	}
	if err := db.SetCampaignState(ctx, w.staff, w.c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	return w
}

// TestReportAttempt: an operator's wrong answer is refused with nothing
// written; "no food" and "fell" make a supply order of the package the
// script names and an emergency escalation, both linked to the task with
// the question and answer in their descriptions, and end the task; a
// second report of the same attempt is a lost lease; another elder not
// answering is tried again after the retry delay; "in hospital" changes
// the elder's status; a callback needs its time. (The figures of this
// campaign: TestCampaignStats.)
func TestReportAttempt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		owner := store.OperatorOwner(w.op.AccountID)
		a1, err := db.NextTask(ctx, w.c.ID, owner, 15*time.Minute)
		if err != nil || a1 == nil || a1.Task.ElderID != w.old.ID {
			t.Fatalf("lease %+v %v", a1, err)
		}
		if held, err := db.HeldAttempt(ctx, w.c.ID, owner); err != nil || held == nil || held.ID != a1.ID || held.Number != "13812345678" || held.Task.ElderName != "王秀英" {
			t.Fatalf("held %+v %v", held, err)
		}
		if held, err := db.HeldAttempt(ctx, w.c.ID, "account:999"); err != nil || held != nil {
			t.Fatalf("someone else holds %+v %v", held, err)
		}
		_, err = db.OpenAttempt(ctx, w.c.ID, a1.ID, "account:999")
		wantCode(t, err, anxin.ECONFLICT)
		_, err = db.OpenAttempt(ctx, w.c.ID+1, a1.ID, owner)
		wantCode(t, err, anxin.ENOTFOUND)

		for name, rep := range map[string]store.AttemptReport{
			"unknown option":   {Answers: map[string]string{"enough": "maybe"}, Disposition: anxin.DispCompleted},
			"unknown question": {Answers: map[string]string{"pets": "yes"}, Disposition: anxin.DispCompleted},
			"two of a single":  {Answers: map[string]string{"health": "ok,fell"}, Disposition: anxin.DispCompleted},
			"not a number":     {Answers: map[string]string{"age": "eighty"}, Disposition: anxin.DispCompleted},
			"no outcome":       {Answers: map[string]string{"enough": "yes"}, Disposition: "chatted"},
			"callback no time": {Answers: map[string]string{"enough": "yes"}, Disposition: anxin.DispCallback},
		} {
			_, err := db.ReportAttempt(ctx, w.op, a1.ID, owner, rep)
			if anxin.ErrorCode(err) != anxin.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		if n, _ := db.CountRows(ctx, "SELECT COUNT(*) FROM campaign_answers"); n != 0 {
			t.Fatalf("refused reports recorded %d answers", n)
		}

		res, err := db.ReportAttempt(ctx, w.op, a1.ID, owner, store.AttemptReport{
			Answers: map[string]string{"enough": "no", "health": "fell", "age": " 86 "}, Disposition: anxin.DispCompleted})
		if err != nil {
			t.Fatal(err)
		}
		if res.Task.State != anxin.TaskDone || res.Task.Disposition != anxin.DispCompleted || len(res.Orders) != 2 {
			t.Fatalf("report %+v task %+v", res, res.Task)
		}
		supply, esc := res.Orders[0], res.Orders[1]
		if supply.Type != anxin.TypeSupply || supply.Channel != anxin.ChannelOutbound || supply.CampaignTaskID != a1.Task.ID ||
			len(supply.Lines) != 1 || supply.Lines[0].ItemID != w.pkg.ID || supply.ElderID != w.old.ID ||
			!strings.Contains(supply.Description, "您家里菜、米、油、肉还有吗？够吃吗？") || !strings.Contains(supply.Description, "答：不够") {
			t.Fatalf("supply order %+v", supply)
		}
		if esc.Type != anxin.TypeEscalation || esc.Urgency != anxin.UrgencyEmergency || esc.Title != "老人摔倒" || !strings.Contains(esc.Description, "摔倒了") {
			t.Fatalf("escalation %+v", esc)
		}
		_, err = db.ReportAttempt(ctx, w.op, a1.ID, owner, store.AttemptReport{Answers: map[string]string{"enough": "no"}, Disposition: anxin.DispCompleted})
		wantCode(t, err, anxin.ECONFLICT)
		if n, _ := db.CountRows(ctx, "SELECT COUNT(*) FROM orders WHERE elder_id = $1", w.old.ID); n != 2 {
			t.Fatalf("the repeated report made orders: %d", n)
		}
		if n, _ := db.CountRows(ctx, "SELECT COUNT(*) FROM campaign_answers WHERE attempt_id = $1 AND question = 'age' AND value = '86'", a1.ID); n != 1 {
			t.Fatal("the number answer was not recorded trimmed")
		}

		a2, err := db.NextTask(ctx, w.c.ID, owner, 15*time.Minute)
		if err != nil || a2 == nil || a2.Task.ElderID != w.two.ID {
			t.Fatalf("second lease %+v %v", a2, err)
		}
		res, err = db.ReportAttempt(ctx, w.op, a2.ID, owner, store.AttemptReport{Disposition: anxin.DispNoAnswer})
		if err != nil || res.Task.State != anxin.TaskPending || !res.Task.NextAt.Equal(w.now.Add(time.Hour)) || len(res.Orders) != 0 {
			t.Fatalf("no answer %+v %v", res, err)
		}

		// The next day: in hospital.
		w.now = time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
		a3, err := db.NextTask(ctx, w.c.ID, owner, 15*time.Minute)
		if err != nil || a3 == nil || a3.Task.ElderID != w.two.ID {
			t.Fatalf("third lease %+v %v", a3, err)
		}
		if res, err = db.ReportAttempt(ctx, w.op, a3.ID, owner, store.AttemptReport{Answers: map[string]string{"health": "hospital"},
			Disposition: anxin.DispCompleted}); err != nil || res.ElderStatus != anxin.StatusInHospital {
			t.Fatalf("in hospital %+v %v", res, err)
		}
		if e, _ := db.FindElder(ctx, anxin.SystemScope(), w.two.ID); e.Status != anxin.StatusInHospital {
			t.Fatalf("elder status %s", e.Status)
		}
	})
}

// TestReportAttemptPackages: an answer asking for a supply order with no
// package picked and none named in the script is refused; picked
// packages are ordered as picked.
func TestReportAttemptPackages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		w.script.Questions[0].Options[1].Actions[0].Note = ""
		if err := db.SaveScript(ctx, w.staff, w.script); err != nil {
			t.Fatal(err)
		}
		// Tasks already made keep version 1, which names the package:
		// a new campaign uses version 2.
		c := &anxin.Campaign{Name: "第二轮", Type: anxin.CampaignSupply, Mode: anxin.DialManual, StartsOn: "2026-11-23", RegionCode: "310107005001"}
		if err := db.CreateCampaign(ctx, w.staff, c); err != nil {
			t.Fatal(err)
		}
		db.SetCampaignScript(ctx, w.staff, c.ID, w.script.ID)
		db.BuildTasks(ctx, w.staff, c.ID)
		db.SetCampaignState(ctx, w.staff, c.ID, anxin.CampaignRunning)
		owner := store.OperatorOwner(w.op.AccountID)
		a, err := db.NextTask(ctx, c.ID, owner, 15*time.Minute)
		if err != nil || a == nil {
			t.Fatalf("lease %+v %v", a, err)
		}
		_, err = db.ReportAttempt(ctx, w.op, a.ID, owner, store.AttemptReport{Answers: map[string]string{"enough": "no"}, Disposition: anxin.DispCompleted})
		wantCode(t, err, anxin.EINVALID)
		res, err := db.ReportAttempt(ctx, w.op, a.ID, owner, store.AttemptReport{Answers: map[string]string{"enough": "no"}, Disposition: anxin.DispCompleted,
			Lines: []anxin.OrderLine{{ItemID: w.pkg.ID, Quantity: 3}}})
		if err != nil || len(res.Orders) != 1 || res.Orders[0].Lines[0].Quantity != 3 || res.Orders[0].TotalFen != 3*w.pkg.PriceFen {
			t.Fatalf("picked packages %+v %v", res, err)
		}
	})
}

// TestUpdateCampaign: a draft changes its target; a running campaign
// changes its name and windows but not its target or type, and an ended
// one nothing; an operator changes nothing.
func TestUpdateCampaign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		d := &anxin.Campaign{Name: "草稿", Type: anxin.CampaignWellness, Mode: anxin.DialManual, StartsOn: "2026-11-23"}
		if err := db.CreateCampaign(ctx, w.staff, d); err != nil {
			t.Fatal(err)
		}
		d.Target = anxin.Target{Living: []string{anxin.LivingAlone}, MinAge: 80}
		d.RegionCode = "310107005001"
		if err := db.UpdateCampaign(ctx, w.staff, d); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindCampaign(ctx, w.staff, d.ID); got.Target.MinAge != 80 || got.RegionCode != "310107005001" || got.State != anxin.CampaignDraft {
			t.Fatalf("draft after update %+v", got)
		}
		if n, err := db.CountTarget(ctx, w.staff, d); err != nil || n != 1 {
			t.Fatalf("target of the draft: %d %v", n, err)
		}
		wantCode(t, db.UpdateCampaign(ctx, w.op, d), anxin.EFORBIDDEN)
		wantCode(t, db.UpdateCampaign(ctx, w.staff, &anxin.Campaign{ID: d.ID, Name: "x", Type: anxin.CampaignWellness, Mode: anxin.DialManual,
			StartsOn: "2026-11-23", RegionCode: "310105"}), anxin.EFORBIDDEN)

		run := *w.c
		run.Name, run.Windows, run.Mode = "曹杨保供（加急）", []string{"08:30-11:30"}, anxin.DialManual
		if err := db.UpdateCampaign(ctx, w.staff, &run); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindCampaign(ctx, w.staff, w.c.ID); got.Name != "曹杨保供（加急）" || got.Windows[0] != "08:30-11:30" || got.State != anxin.CampaignRunning {
			t.Fatalf("running after update %+v", got)
		}
		for name, spoil := range map[string]func(c *anxin.Campaign){
			"target":    func(c *anxin.Campaign) { c.Target.MinAge = 90 },
			"type":      func(c *anxin.Campaign) { c.Type = anxin.CampaignWellness },
			"agentless": func(c *anxin.Campaign) { c.Mode = anxin.DialAgentless },
			"area":      func(c *anxin.Campaign) { c.RegionCode = "310107005001" },
		} {
			c := run
			spoil(&c)
			if err := db.UpdateCampaign(ctx, w.staff, &c); anxin.ErrorCode(err) != anxin.ECONFLICT {
				t.Errorf("%s of a running campaign: %v", name, err)
			}
		}
		db.SetCampaignState(ctx, w.staff, w.c.ID, anxin.CampaignEnded)
		wantCode(t, db.UpdateCampaign(ctx, w.staff, &run), anxin.ECONFLICT)
	})
}
