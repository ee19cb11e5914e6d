package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestFindScripts: the street's staff and the district's operator see the
// street's script with its versions; another district and a supplier do
// not.
func TestFindScripts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		if err := db.SaveScript(ctx, w.staff, w.script); err != nil {
			t.Fatal(err)
		}
		for _, sc := range []anxin.Scope{w.staff, w.op} {
			list, err := db.FindScripts(ctx, sc)
			if err != nil || len(list) != 1 || list[0].Name != "保供问询" || list[0].Version != 2 || list[0].OrgName != "曹杨新村街道办事处" {
				t.Fatalf("scripts %+v %v", list, err)
			}
		}
		if vs, err := db.ScriptVersions(ctx, w.staff, w.script.ID); err != nil || len(vs) != 2 || vs[0].Version != 2 {
			t.Fatalf("versions %+v %v", vs, err)
		}
		if s, err := db.FindScript(ctx, w.op, w.script.ID, 1); err != nil || s.Version != 1 {
			t.Fatalf("version 1 %+v %v", s, err)
		}
		other := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgHotline, "长宁热线", "310105"), "cn", anxin.RoleSupervisor))
		supplier := anxin.Scope{AssignedOnly: true, OrgID: 99, Roles: []string{anxin.RolePartner}}
		for _, sc := range []anxin.Scope{other, supplier} {
			if list, _ := db.FindScripts(ctx, sc); len(list) != 0 {
				t.Fatalf("%+v sees %+v", sc, list)
			}
			_, err := db.FindScript(ctx, sc, w.script.ID, 0)
			wantCode(t, err, anxin.ENOTFOUND)
		}
	})
}

// TestCampaignStats: after one completed call that made a supply order
// and an escalation and one unanswered call, the supervisor's figures
// count tasks by state, attempts by outcome and by operator (named),
// orders by type, answers by version; the list's progress agrees; the
// task's attempts and the elder's answers read back; another district
// sees nothing.
func TestCampaignStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCampaignWorld(t, db)
		owner := store.OperatorOwner(w.op.AccountID)
		a1, _ := db.NextTask(ctx, w.c.ID, owner, 15*time.Minute)
		if _, err := db.ReportAttempt(ctx, w.op, a1.ID, owner, store.AttemptReport{
			Answers: map[string]string{"enough": "no", "health": "fell", "age": "86"}, Disposition: anxin.DispCompleted}); err != nil {
			t.Fatal(err)
		}
		a2, _ := db.NextTask(ctx, w.c.ID, owner, 15*time.Minute)
		if st, err := db.CampaignStats(ctx, w.staff, w.c.ID); err != nil || st.InProgress != 1 || st.States[anxin.TaskLeased] != 1 {
			t.Fatalf("with a call in progress %+v %v", st, err)
		}
		if _, err := db.ReportAttempt(ctx, w.op, a2.ID, owner, store.AttemptReport{Disposition: anxin.DispNoAnswer}); err != nil {
			t.Fatal(err)
		}
		// Stats: tasks by state, attempts by outcome and caller, orders.
		st, err := db.CampaignStats(ctx, w.staff, w.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Tasks != 2 || st.Done != 1 || st.Reached != 1 || st.ReachedPercent() != 50 || st.States[anxin.TaskDone] != 1 || st.States[anxin.TaskPending] != 1 ||
			st.Attempts != 2 || st.InProgress != 0 || st.Dispositions[anxin.DispCompleted] != 1 || st.Dispositions[anxin.DispNoAnswer] != 1 ||
			st.Orders[anxin.TypeSupply] != 1 || st.Orders[anxin.TypeEscalation] != 1 || len(st.Answers) != 3 {
			t.Fatalf("stats %+v", st)
		}
		if len(st.Callers) != 1 || st.Callers[0].Caller != owner || st.Callers[0].AccountID != w.op.AccountID || st.Callers[0].Name != w.opName ||
			st.Callers[0].Attempts != 2 || st.Callers[0].Reached != 1 {
			t.Fatalf("callers %+v", st.Callers)
		}
		progress, err := db.CampaignsProgress(ctx, w.staff, []int64{w.c.ID, w.c.ID + 100})
		if err != nil || progress[w.c.ID] != st.CampaignProgress || len(progress) != 1 || st.Area != "" {
			t.Fatalf("progress %+v %v (area %q)", progress, err, st.Area)
		}
		// A committee sees its own elders' share of the street's campaign:
		// 王秀英's committee her completed call, its orders and answers;
		// 张建国's his unanswered one — nothing of the other's.
		for _, tc := range []struct {
			committee                           string
			done, reached, attempts, orders, qs int
		}{{"310107005001", 1, 1, 1, 2, 3}, {"310107005003", 0, 0, 1, 0, 0}} {
			sc := anxin.Scope{Region: tc.committee, Roles: []string{anxin.RoleCommunity}}
			cst, err := db.CampaignStats(ctx, sc, w.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			orders := 0
			for _, n := range cst.Orders {
				orders += n
			}
			if cst.Area != tc.committee || cst.Tasks != 1 || cst.Done != tc.done || cst.Reached != tc.reached || cst.Attempts != tc.attempts ||
				orders != tc.orders || len(cst.Answers) != tc.qs {
				t.Errorf("committee %s sees %+v", tc.committee, cst)
			}
			if p, err := db.CampaignsProgress(ctx, sc, []int64{w.c.ID}); err != nil || p[w.c.ID] != cst.CampaignProgress {
				t.Errorf("committee %s list progress %+v, live view %+v (%v)", tc.committee, p[w.c.ID], cst.CampaignProgress, err)
			}
		}
		if _, err := db.CampaignStats(ctx, anxin.Scope{Region: "310105", Roles: []string{anxin.RoleSupervisor}}, w.c.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("another district's stats: %v", err)
		}
		hist, err := db.TaskAttempts(ctx, a2.Task.ID)
		if err != nil || len(hist) != 1 || hist[0].Disposition != anxin.DispNoAnswer || hist[0].CallerName != w.opName || hist[0].EndedAt.IsZero() {
			t.Fatalf("history %+v %v", hist, err)
		}
		answers, err := db.ElderAnswers(ctx, w.old.ID, 0, 10)
		if err != nil || len(answers) != 3 || answers[0].CampaignName != "曹杨保供" || answers[0].Version != 1 {
			t.Fatalf("elder answers %+v %v", answers, err)
		}
		if answers, _ := db.ElderAnswers(ctx, w.old.ID, a1.Task.ID, 10); len(answers) != 0 {
			t.Fatalf("answers of the task itself %+v", answers)
		}

		if tasks, err := db.FindTasks(ctx, w.staff, w.c.ID, anxin.TaskPending, 10); err != nil || len(tasks) != 1 || tasks[0].ElderName != "张建国" {
			t.Fatalf("pending tasks %+v %v", tasks, err)
		}
	})
}
