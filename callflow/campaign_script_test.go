package callflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// wellScript is a two-question IVR script: are you well (yes/no; no
// opens an urgent escalation and ends the call), then, for those who are,
// are supplies enough (single choice; 3 "short" opens a work order for an
// hourly helper). Each question plays the built-in beep (any prompt does:
// a short one keeps the tests short).
func wellScript() *anxin.Script {
	zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
	return &anxin.Script{Name: "自动问候", Questions: []anxin.Question{
		{Key: "well", Type: anxin.QuestionYesNo, Prompt: "beep", Text: zh("您身体好吗？好请按1，不好请按2。"), Options: []anxin.Option{
			{Key: "yes", DTMF: "1", Next: "supplies", Text: zh("好")},
			{Key: "no", DTMF: "2", Text: zh("不好"),
				Actions: []anxin.Action{{Kind: anxin.ActEscalation, Urgency: anxin.UrgencyUrgent, Note: "自动问候：老人说身体不好"}}},
		}},
		{Key: "supplies", Type: anxin.QuestionSingle, Prompt: "beep", Text: zh("菜米油够吗？够请按1，不够请按3。"), Options: []anxin.Option{
			{Key: "enough", DTMF: "1", Text: zh("够")},
			{Key: "short", DTMF: "3", Text: zh("不够"),
				Actions: []anxin.Action{{Kind: anxin.ActWorkOrder, Category: "soc-daily", Note: "自动问候：老人说菜米油不够"}}},
		}},
	}}
}

// scriptCampaign creates the city hotline's agentless wellness campaign
// over committee 310107005003 asking s (version 1), builds its tasks and
// starts it; then s is edited (version 2: "short" moves to key 2), which
// only tasks made later would ask.
func (w *world) scriptCampaign(t *testing.T, s *anxin.Script, maxAttempts int) (*anxin.Campaign, anxin.Scope) {
	t.Helper()
	ctx := context.Background()
	sup, err := w.db.AccountByUsername(ctx, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	sc := anxin.ScopeOf(sup)
	if err := w.db.SaveScript(ctx, sc, s); err != nil {
		t.Fatal(err)
	}
	c := &anxin.Campaign{Name: "关爱问候（按键）", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-23",
		RegionCode: "310107005003", MaxAttempts: maxAttempts, RetryMinutes: 5}
	if err := w.db.CreateCampaign(ctx, sc, c); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SetCampaignScript(ctx, sc, c.ID, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.BuildTasks(ctx, sc, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	s.Questions[1].Options[1].DTMF = "2"
	if err := w.db.SaveScript(ctx, sc, s); err != nil || s.Version != 2 {
		t.Fatalf("the script's second version %d: %v", s.Version, err)
	}
	return c, sc
}

// dialectElder creates an elder in committee 310107005003 with a mobile
// and a dialect.
func (w *world) dialectElder(t *testing.T, number, dialect string) *anxin.Elder {
	t.Helper()
	e := &anxin.Elder{Name: "问候老人" + number[len(number)-2:], BirthDate: "1940-01-01", RegionCode: "310107005003", Dialect: dialect,
		Phones: []anxin.Phone{{Number: number, Label: anxin.PhoneMobile}}}
	if err := w.db.CreateElder(context.Background(), anxin.SystemScope(), e); err != nil {
		t.Fatal(err)
	}
	return e
}

// answers returns an elder's recorded answers as "question=value@version",
// in question order.
func (w *world) answers(t *testing.T, elder int64) []string {
	t.Helper()
	var out []string
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT n.question, n.value, n.script_version FROM campaign_answers n
			JOIN campaign_attempts a ON a.id = n.attempt_id WHERE a.elder_id = $1 ORDER BY n.question`, elder)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var q, v string
			var version int
			if err := rows.Scan(&q, &v, &version); err != nil {
				return err
			}
			out = append(out, fmt.Sprintf("%s=%s@%d", q, v, version))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// orders returns an elder's orders.
func (w *world) orders(t *testing.T, elder int64) []*anxin.Order {
	t.Helper()
	orders, _, err := w.db.FindOrders(context.Background(), anxin.SystemScope(), anxin.OrderFilter{ElderID: elder})
	if err != nil {
		t.Fatal(err)
	}
	return orders
}

// TestCampaignScript: an agentless campaign asks its IVR script, on each
// engine. The first elder (Shanghainese) presses 1 (well: on to the
// supplies question) and 3 (short), the second presses 2 (not well: the
// script ends there). Both attempts are completed, the answers recorded
// under the tasks' script version 1 (the edit made after the tasks were
// built moved "short" to key 2: a 3 would be no answer in version 2), and
// the options' actions carried out as an operator's report does: a work
// order of the hourly-helper category for the first, an urgent escalation
// for the second. The first call speaks Shanghainese.
func TestCampaignScript(t *testing.T) {
	for i, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, options{minPort: 37100 + 200*i, phones: true, campaignPoll: 100 * time.Millisecond, engine: engine})
			newClock(w.db, chinaTime(23))
			short := w.dialectElder(t, "13900000031", "上海话")
			unwell := w.dialectElder(t, "13900000032", "")
			c, sc := w.scriptCampaign(t, wellScript(), 3)
			carrier := sipptest.Serve(t, w.carrier, "testdata/campaign_script.xml", "-m", "2")
			time.Sleep(300 * time.Millisecond)
			w.dialler(t, "test")
			if out, err := carrier(); err != nil {
				t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
			}
			w.settle(t, c.ID, 2)
			for _, e := range []*anxin.Elder{short, unwell} {
				if got := w.attempts(t, e.ID); fmt.Sprint(got) != "[completed/answered/-]" {
					t.Fatalf("%s's attempts %q", e.Name, got)
				}
				if st, d := w.task(t, c.ID, e.ID); st != anxin.TaskDone || d != anxin.DispCompleted {
					t.Fatalf("%s's task is %s/%s", e.Name, st, d)
				}
			}
			if got := w.answers(t, short.ID); fmt.Sprint(got) != "[supplies=short@1 well=yes@1]" {
				t.Fatalf("answers of the elder short of supplies %q", got)
			}
			if got := w.answers(t, unwell.ID); fmt.Sprint(got) != "[well=no@1]" {
				t.Fatalf("answers of the unwell elder %q", got)
			}
			orders := w.orders(t, short.ID)
			if len(orders) != 1 {
				t.Fatalf("orders for the elder short of supplies: %+v", orders)
			}
			if o := orders[0]; o.Type != anxin.TypeService || o.CategoryID == 0 || o.Title != "自动问候：老人说菜米油不够" ||
				o.Channel != anxin.ChannelOutbound || o.CampaignTaskID == 0 {
				t.Fatalf("work order %+v", o)
			}
			orders = w.orders(t, unwell.ID)
			if len(orders) != 1 {
				t.Fatalf("orders for the unwell elder: %+v", orders)
			}
			if o := orders[0]; o.Type != anxin.TypeEscalation || o.Urgency != anxin.UrgencyUrgent || o.Channel != anxin.ChannelOutbound ||
				o.CampaignTaskID == 0 {
				t.Fatalf("escalation %+v", o)
			}
			counts, err := w.db.AnswerCounts(ctx, sc, c.ID)
			if err != nil || fmt.Sprint(counts) != "[{1 supplies short 1} {1 well no 1} {1 well yes 1}]" {
				t.Fatalf("answer counts %v %v", counts, err)
			}
			calls, _, err := w.db.FindCalls(ctx, anxin.SystemScope(), anxin.CallFilter{})
			if err != nil || len(calls) != 2 {
				t.Fatalf("calls %+v %v", calls, err)
			}
			for _, call := range calls {
				want := map[int64]string{short.ID: anxin.LangShanghainese, unwell.ID: ""}[call.ElderID]
				if call.Lang != want || call.CheckIn != "" || call.HangupBy != anxin.HangupSystem {
					t.Fatalf("call %+v: want language %q, Anxin hanging up", call, want)
				}
			}
			w.audit(t, c.ID, 2)
		})
	}
}

// TestCampaignScriptHelp: the elder answers the first question and
// presses 0 at the second: while the call is still up an urgent
// escalation is opened for her, linked to the call, before she is
// transferred; the call queues for the campaign owner's operators and
// operator1 (ready, her phone registered) takes it. The attempt is
// completed with the answer given and "help", on each engine.
func TestCampaignScriptHelp(t *testing.T) {
	for i, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, options{minPort: 37500 + 200*i, phones: true, campaignPoll: 100 * time.Millisecond, queueWait: time.Minute,
				ringTime: 5 * time.Second, engine: engine})
			newClock(w.db, chinaTime(23))
			op, login := w.operator(t, "operator1")
			phone := w.phone(t, login)
			elder := w.dialectElder(t, "13900000033", "普通话")
			c, _ := w.scriptCampaign(t, wellScript(), 3)
			carrier := sipptest.Serve(t, w.carrier, "testdata/campaign_script_help.xml")
			time.Sleep(300 * time.Millisecond)
			w.dialler(t, "test")
			var orders []*anxin.Order
			for deadline := time.Now().Add(20 * time.Second); len(orders) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				orders = w.orders(t, elder.ID)
			}
			if len(orders) != 1 {
				t.Fatalf("orders for the elder who pressed 0: %+v", orders)
			}
			o := orders[0]
			call, err := w.db.FindCall(ctx, anxin.SystemScope(), o.CallID)
			if err != nil || !call.EndedAt.IsZero() {
				t.Fatalf("the escalation's call %+v %v: want it still up", call, err)
			}
			if o.Type != anxin.TypeEscalation || o.Urgency != anxin.UrgencyUrgent || o.Channel != anxin.ChannelOutbound ||
				o.CampaignTaskID == 0 || o.Title != "自动问候：老人按 0 求助" {
				t.Fatalf("escalation %+v", o)
			}
			if out, err := carrier(); err != nil {
				t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
			}
			if out, err := phone(); err != nil {
				t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
			}
			w.settle(t, c.ID, 1)
			if got := w.attempts(t, elder.ID); fmt.Sprint(got) != "[completed/answered/help]" {
				t.Fatalf("attempts %q", got)
			}
			if got := w.answers(t, elder.ID); fmt.Sprint(got) != "[checkin=help@1 well=yes@1]" {
				t.Fatalf("answers %q", got)
			}
			call = w.ended(t, anxin.SystemScope(), call.ID)
			if call.Queue != "checkin_help" || call.CheckIn != anxin.CheckInHelp || call.AgentID != op.ID || call.HangupBy != anxin.HangupCaller ||
				call.OrderID != o.ID {
				t.Fatalf("call %+v: want it taken by operator1 from the help queue", call)
			}
			if n := w.count(t, "SELECT COUNT(*) FROM calls WHERE parent_id = $1 AND agent_id = $2 AND answered_at IS NOT NULL",
				call.ID, op.ID); n != 1 {
				t.Fatalf("%d answered legs to operator1's phone", n)
			}
			if n := len(w.orders(t, elder.ID)); n != 1 {
				t.Fatalf("%d orders, want the escalation only", n)
			}
			w.audit(t, c.ID, 1)
		})
	}
}

// TestCampaignScriptNoKey: the elder (or her voicemail) answers and
// presses nothing: the first question is asked twice and Anxin says
// goodbye. Nothing is recorded, and the attempt is no answer: her task
// is due again after the campaign's delay.
func TestCampaignScriptNoKey(t *testing.T) {
	t.Parallel()
	w := newWorld(t, options{minPort: 37900, phones: true, campaignPoll: 100 * time.Millisecond})
	newClock(w.db, chinaTime(23))
	elder := w.dialectElder(t, "13900000034", "")
	c, _ := w.scriptCampaign(t, wellScript(), 3)
	carrier := sipptest.Serve(t, w.carrier, "testdata/uas_answer_wait_bye.xml")
	time.Sleep(300 * time.Millisecond)
	w.dialler(t, "test")
	if out, err := carrier(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	w.settle(t, c.ID, 1)
	if got := w.attempts(t, elder.ID); fmt.Sprint(got) != "[no_answer/answered/-]" {
		t.Fatalf("attempts %q", got)
	}
	if got := w.answers(t, elder.ID); len(got) != 0 {
		t.Fatalf("answers %q", got)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM campaign_tasks WHERE campaign_id = $1 AND state = $2 AND attempts = 1 AND next_at = $3",
		c.ID, anxin.TaskPending, chinaTime(23).Add(5*time.Minute)); n != 1 {
		t.Fatal("the task is not due again five minutes on")
	}
	if n := len(w.orders(t, elder.ID)); n != 0 {
		t.Fatalf("%d orders", n)
	}
}
