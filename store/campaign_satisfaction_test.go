package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// satisfactionScript is a return-visit questionnaire: the score as a
// choice of 1 … 5, and a comment.
func satisfactionScript() *anxin.Script {
	score := anxin.Question{Key: store.ScoreQuestion, Type: anxin.QuestionSingle, Text: map[string]string{"zh": "您对这次服务满意吗？1 到 5 分"}}
	for _, k := range []string{"1", "2", "3", "4", "5"} {
		score.Options = append(score.Options, anxin.Option{Key: k, Text: map[string]string{"zh": k + " 分"}, DTMF: k})
	}
	return &anxin.Script{Name: "服务回访", Questions: []anxin.Question{score,
		{Key: store.CommentQuestion, Type: anxin.QuestionText, Text: map[string]string{"zh": "还有什么意见？"}}}}
}

// taskOrder returns the order the elder's task in the campaign names (0
// none) and the task's state.
func taskOrder(t *testing.T, db *store.DB, campaignID, elderID int64) (int64, string) {
	t.Helper()
	tasks, err := db.FindTasks(ctx, anxin.SystemScope(), campaignID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		if task.ElderID == elderID {
			n, err := db.CountRows(ctx, "SELECT COALESCE(order_id, 0) FROM campaign_tasks WHERE id = $1", task.ID)
			if err != nil {
				t.Fatal(err)
			}
			return int64(n), task.State
		}
	}
	return 0, ""
}

// TestSatisfactionCampaign: a satisfaction campaign with an empty target
// takes the return visits already due in its area (not the whole
// registry); an order completed while it runs gives its elder a task, a
// pending task points at the newer order, a done one is left alone; the
// completed call records the return visit from the script's score and
// comment (a low score opens a complaint, the order closes), a call
// without a score is refused and nothing is written.
func TestSatisfactionCampaign(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-23 10:00") // a Monday, in the calling windows
		db.Now = func() time.Time { return now }
		w := newOrderWorld(t, db)
		w.elder = mustCreateElder(t, db, &anxin.Elder{Name: "李桂兰", BirthDate: "1941-06-01", RegionCode: "310107005001",
			Phones: []anxin.Phone{{Number: "13812345671", Label: anxin.PhoneMobile}}})
		other := mustCreateElder(t, db, &anxin.Elder{Name: "张建国", BirthDate: "1950-01-01", RegionCode: "310107005003",
			Phones: []anxin.Phone{{Number: "13812345672", Label: anxin.PhoneMobile}}})
		mustCreateElder(t, db, &anxin.Elder{Name: "赵阿姨", RegionCode: "310107005003",
			Phones: []anxin.Phone{{Number: "13812345673", Label: anxin.PhoneMobile}}}) // no order: no task
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))

		backlog := completedOrder(t, db, w, "打扫卫生") // before any campaign
		script := satisfactionScript()
		if err := db.SaveScript(ctx, sup, script); err != nil {
			t.Fatal(err)
		}
		c := &anxin.Campaign{Name: "服务回访", Type: anxin.CampaignSatisfaction, Mode: anxin.DialPreview, StartsOn: "2026-11-23"}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignScript(ctx, sup, c.ID, script.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
			t.Fatal(err)
		}
		// The live count says what building will take: the one elder with
		// a return visit due, not the street's registry.
		if n, err := db.CountTarget(ctx, sup, c); err != nil || n != 1 {
			t.Fatalf("counted %d %v: want the one elder with a return visit due", n, err)
		}
		if n, err := db.BuildTasks(ctx, sup, c.ID); err != nil || n != 1 {
			t.Fatalf("built %d %v: want the one elder with a return visit due", n, err)
		}
		if o, st := taskOrder(t, db, c.ID, w.elder.ID); o != backlog.ID || st != anxin.TaskPending {
			t.Fatalf("backlog task: order %d %s, want %d pending", o, st, backlog.ID)
		}

		// Completed while the campaign runs: the pending task points at
		// the newer order; the other elder gets a task.
		newer := completedOrder(t, db, w, "维修水管")
		if o, _ := taskOrder(t, db, c.ID, w.elder.ID); o != newer.ID {
			t.Fatalf("task's order %d, want the newer %d", o, newer.ID)
		}
		wo := w
		wo.elder = other
		theirs := completedOrder(t, db, wo, "助浴")
		if o, st := taskOrder(t, db, c.ID, other.ID); o != theirs.ID || st != anxin.TaskPending {
			t.Fatalf("fed task: order %d %s, want %d pending", o, st, theirs.ID)
		}

		// The calls. A completed call without a score is refused, and the
		// attempt is still hers.
		owner := store.OperatorOwner(w.operator.AccountID)
		attempts := map[int64]*store.Attempt{}
		for range 2 {
			a, err := db.NextTask(ctx, c.ID, owner, 15*time.Minute)
			if err != nil || a == nil {
				t.Fatalf("lease %+v %v", a, err)
			}
			attempts[a.Task.ElderID] = a
		}
		mine := attempts[w.elder.ID]
		_, err := db.ReportAttempt(ctx, w.operator, mine.ID, owner, store.AttemptReport{Disposition: anxin.DispCompleted})
		wantCode(t, err, anxin.EINVALID)
		_, err = db.ReportAttempt(ctx, w.operator, mine.ID, owner, store.AttemptReport{Disposition: anxin.DispCompleted,
			Answers: map[string]string{store.ScoreQuestion: "2", store.CommentQuestion: "师傅迟到两小时"}})
		if err != nil {
			t.Fatal(err)
		}
		v, err := db.FindReturnVisit(ctx, w.operator, newer.ID)
		if err != nil || v.State != anxin.VisitDone || v.Score != 2 || v.Comment != "师傅迟到两小时" || v.ComplaintOrderID == 0 || v.Calls != 1 {
			t.Fatalf("return visit of the task's order %+v %v", v, err)
		}
		if o, _ := db.FindOrder(ctx, w.operator, newer.ID); o.State != anxin.StateClosed {
			t.Fatalf("order after its visit: %s", o.State)
		}
		// The complaint is the call's: the campaign counts it.
		if cp, err := db.FindOrder(ctx, w.operator, v.ComplaintOrderID); err != nil || cp.CampaignTaskID != mine.Task.ID {
			t.Fatalf("complaint %+v names task %d, want %d (%v)", cp, cp.CampaignTaskID, mine.Task.ID, err)
		}
		if st, err := db.CampaignStats(ctx, anxin.SystemScope(), mine.Task.CampaignID); err != nil || st.Orders[anxin.TypeComplaint] != 1 {
			t.Fatalf("campaign's orders %v, want the complaint (%v)", st.Orders, err)
		}
		if v, _ := db.FindReturnVisit(ctx, w.operator, backlog.ID); v.State != anxin.VisitDue {
			t.Fatalf("the older order's visit %s, want due (on the back office's list)", v.State)
		}
		// Their score as a number; the back office's cap of a visit call
		// a day does not refuse a call the campaign made.
		if _, err := db.RecordReturnVisit(ctx, w.operator, theirs.ID, anxin.VisitResult{Reached: false}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReportAttempt(ctx, w.operator, attempts[other.ID].ID, owner, store.AttemptReport{Disposition: anxin.DispCompleted,
			Answers: map[string]string{store.ScoreQuestion: "5"}}); err != nil {
			t.Fatal(err)
		}
		if v, err := db.FindReturnVisit(ctx, w.operator, theirs.ID); err != nil || v.State != anxin.VisitDone || v.Score != 5 || v.ComplaintOrderID != 0 {
			t.Fatalf("their visit %+v %v", v, err)
		}

		// A task done is left alone when another order completes.
		now = now.Add(time.Hour)
		third := completedOrder(t, db, w, "换灯泡")
		if o, st := taskOrder(t, db, c.ID, w.elder.ID); o != newer.ID || st != anxin.TaskDone {
			t.Fatalf("done task: order %d %s, want %d done", o, st, newer.ID)
		}
		if v, _ := db.FindReturnVisit(ctx, w.operator, third.ID); v.State != anxin.VisitDue {
			t.Fatalf("the third order's visit %s, want due", v.State)
		}
	})
}

// TestSatisfactionScores: the score is a whole number from 1 to 5.
func TestSatisfactionScores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := cst("2026-11-23 10:00")
		db.Now = func() time.Time { return now }
		w := newOrderWorld(t, db)
		w.elder = mustCreateElder(t, db, &anxin.Elder{Name: "李桂兰", RegionCode: "310107005001",
			Phones: []anxin.Phone{{Number: "13812345671", Label: anxin.PhoneMobile}}})
		street := mustCreateOrg(t, db, anxin.OrgStreet, "长风新村街道", "310107005")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, street, "staff", anxin.RoleCommunity))
		script := &anxin.Script{Name: "回访", Questions: []anxin.Question{{Key: store.ScoreQuestion, Type: anxin.QuestionNumber,
			Text: map[string]string{"zh": "打几分？"}}}}
		if err := db.SaveScript(ctx, sup, script); err != nil {
			t.Fatal(err)
		}
		c := &anxin.Campaign{Name: "回访", Type: anxin.CampaignSatisfaction, Mode: anxin.DialManual, StartsOn: "2026-11-23"}
		if err := db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignScript(ctx, sup, c.ID, script.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
			t.Fatal(err)
		}
		o := completedOrder(t, db, w, "打扫卫生")
		owner := store.OperatorOwner(w.operator.AccountID)
		a, err := db.NextTask(ctx, c.ID, owner, 15*time.Minute)
		if err != nil || a == nil {
			t.Fatalf("lease %+v %v", a, err)
		}
		for _, bad := range []string{"0", "6", "4.5", "x"} {
			_, err := db.ReportAttempt(ctx, w.operator, a.ID, owner, store.AttemptReport{Disposition: anxin.DispCompleted,
				Answers: map[string]string{store.ScoreQuestion: bad}})
			wantCode(t, err, anxin.EINVALID)
		}
		if _, err := db.ReportAttempt(ctx, w.operator, a.ID, owner, store.AttemptReport{Disposition: anxin.DispCompleted,
			Answers: map[string]string{store.ScoreQuestion: "4.0"}}); err != nil {
			t.Fatal(err)
		}
		if v, err := db.FindReturnVisit(ctx, w.operator, o.ID); err != nil || v.Score != 4 {
			t.Fatalf("visit %+v %v", v, err)
		}
	})
}
