package callflow_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// clock is the store's clock in a campaign test, moved by hand: calling
// windows, retries and the contact cap follow it (call records keep the
// real time).
type clock struct{ t atomic.Int64 }

// newClock sets db's clock to start.
func newClock(db *store.DB, start time.Time) *clock {
	c := &clock{}
	c.set(start)
	db.Now = func() time.Time { return time.Unix(0, c.t.Load()).UTC() }
	return c
}

func (c *clock) set(t time.Time) { c.t.Store(t.UnixNano()) }

// chinaTime is 10:00 China time on the given day of November 2026
// (23rd: a Monday).
func chinaTime(day int) time.Time { return time.Date(2026, 11, day, 2, 0, 0, 0, time.UTC) }

// campaignElders creates elders in committee 310107005003 (where the world
// has nobody else) with the given mobiles.
func (w *world) campaignElders(t *testing.T, numbers ...string) []*anxin.Elder {
	t.Helper()
	var out []*anxin.Elder
	for i, n := range numbers {
		e := &anxin.Elder{Name: fmt.Sprintf("问候老人%d", i+1), BirthDate: "1940-01-01", RegionCode: "310107005003",
			Phones: []anxin.Phone{{Number: n, Label: anxin.PhoneMobile}}}
		if err := w.db.CreateElder(context.Background(), anxin.SystemScope(), e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// campaign creates, builds and starts the city hotline's agentless
// campaign of the type over committee 310107005003.
func (w *world) campaign(t *testing.T, kind string, maxAttempts int) *anxin.Campaign {
	t.Helper()
	ctx := context.Background()
	sup, err := w.db.AccountByUsername(ctx, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	sc := anxin.ScopeOf(sup)
	c := &anxin.Campaign{Name: "关爱问候", Type: kind, Mode: anxin.DialAgentless, StartsOn: "2026-11-23", RegionCode: "310107005003",
		MaxAttempts: maxAttempts, RetryMinutes: 5}
	if err := w.db.CreateCampaign(ctx, sc, c); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.BuildTasks(ctx, sc, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	return c
}

// dialler runs the campaign dialler as node; stop ends it and returns once
// it has (its calls hung up and their attempts closed).
func (w *world) dialler(t *testing.T, node string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.flows.RunCampaigns(ctx, node); close(done) }()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop
}

// count runs a SELECT COUNT(*) … on the world's database.
func (w *world) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	err := w.db.View(context.Background(), func(tx *store.Tx) error { return tx.QueryRowContext(context.Background(), q, args...).Scan(&n) })
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// settle waits until the campaign's attempts number n and are all over.
func (w *world) settle(t *testing.T, campaign int64, n int) {
	t.Helper()
	q := `SELECT COUNT(*) FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id = $1`
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if w.count(t, q, campaign) == n && w.count(t, q+" AND a.ended_at IS NULL", campaign) == 0 {
			return
		}
	}
	t.Fatalf("campaign %d: %d attempts, %d still open; want %d, all over", campaign, w.count(t, q, campaign),
		w.count(t, q+" AND a.ended_at IS NULL", campaign), n)
}

// attempts returns an elder's attempts in order as "disposition/call
// cause/answer" ("-" for none).
func (w *world) attempts(t *testing.T, elder int64) []string {
	t.Helper()
	var out []string
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		rows, err := tx.QueryContext(context.Background(), `SELECT a.disposition, COALESCE(c.cause, '-'), COALESCE(n.value, '-')
			FROM campaign_attempts a LEFT JOIN calls c ON c.id = a.call_id
			LEFT JOIN campaign_answers n ON n.attempt_id = a.id AND n.question = 'checkin'
			WHERE a.elder_id = $1 ORDER BY a.attempt`, elder)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d, c, v string
			if err := rows.Scan(&d, &c, &v); err != nil {
				return err
			}
			out = append(out, d+"/"+c+"/"+v)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// task returns the state and disposition of the campaign's task of elder.
func (w *world) task(t *testing.T, campaign, elder int64) (state, disposition string) {
	t.Helper()
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRowContext(context.Background(), "SELECT state, disposition FROM campaign_tasks WHERE campaign_id = $1 AND elder_id = $2",
			campaign, elder).Scan(&state, &disposition)
	})
	if err != nil {
		t.Fatal(err)
	}
	return state, disposition
}

// audit checks that no attempt was dialled twice: every call of the
// campaign is its attempt's one call, and no elder was rung twice at once.
func (w *world) audit(t *testing.T, campaign int64, attempts int) {
	t.Helper()
	a, err := w.db.AuditDialling(context.Background(), campaign)
	if err != nil {
		t.Fatal(err)
	}
	if a.Attempts != attempts || a.DuplicateAttempts != 0 || a.UnlinkedCalls != 0 || a.SharedCalls != 0 || a.Overlapping != 0 {
		t.Fatalf("dial audit %+v, want %d attempts and no attempt dialled twice", a, attempts)
	}
}

// TestAgentlessCampaign: a supply campaign of three elders (two attempts
// each), SIPp as the carrier. Monday 10:00: the first answers and presses
// 2 — completed, her answer "supplies" kept with the attempt, a work order
// for supplies opened on the call; the second is busy, the third rings out.
// Both are due again after five minutes but were called today (the
// contact cap): Tuesday 10:00 the second answers and presses 1, the third
// rings out again — her task fails and her committee has a door-knock due
// within a day. Five attempts, five calls, none dialled twice.
func TestAgentlessCampaign(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 33500, phones: true, campaignPoll: 100 * time.Millisecond})
	clk := newClock(w.db, chinaTime(23))
	elders := w.campaignElders(t, "13900000001", "13900000002", "13900000003")
	c := w.campaign(t, anxin.CampaignSupply, 2)

	day1 := sipptest.Serve(t, w.carrier, "testdata/campaign_day1.xml", "-m", "3")
	time.Sleep(300 * time.Millisecond)
	w.dialler(t, "test")
	if out, err := day1(); err != nil {
		t.Fatalf("carrier, day 1: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	w.settle(t, c.ID, 3)
	for i, want := range [][]string{{"completed/answered/supplies"}, {"busy/busy/-"}, {"no_answer/no_answer/-"}} {
		if got := w.attempts(t, elders[i].ID); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("elder %d after Monday: attempts %q, want %q", i+1, got, want)
		}
	}
	if st, d := w.task(t, c.ID, elders[0].ID); st != anxin.TaskDone || d != anxin.DispCompleted {
		t.Fatalf("the first elder's task is %s/%s", st, d)
	}
	orders, _, err := w.db.FindOrders(ctx, anxin.SystemScope(), anxin.OrderFilter{ElderID: elders[0].ID})
	if err != nil || len(orders) != 1 {
		t.Fatalf("orders for the elder who pressed 2: %+v %v", orders, err)
	}
	if o := orders[0]; o.Channel != anxin.ChannelOutbound || o.CallID == 0 || o.Type != anxin.TypeService || o.CampaignTaskID == 0 {
		t.Fatalf("supplies order %+v", o)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM door_knocks"); n != 0 {
		t.Fatalf("%d door-knocks on Monday", n)
	}

	day2 := sipptest.Serve(t, w.carrier, "testdata/campaign_day2.xml", "-m", "2")
	time.Sleep(300 * time.Millisecond)
	clk.set(chinaTime(24))
	if out, err := day2(); err != nil {
		t.Fatalf("carrier, day 2: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	w.settle(t, c.ID, 5)
	if got := w.attempts(t, elders[1].ID); fmt.Sprint(got) != fmt.Sprint([]string{"busy/busy/-", "completed/answered/well"}) {
		t.Fatalf("the busy elder's attempts %q", got)
	}
	if got := w.attempts(t, elders[2].ID); fmt.Sprint(got) != fmt.Sprint([]string{"no_answer/no_answer/-", "no_answer/no_answer/-"}) {
		t.Fatalf("the unanswered elder's attempts %q", got)
	}
	if st, d := w.task(t, c.ID, elders[2].ID); st != anxin.TaskFailed || d != anxin.DispNoAnswer {
		t.Fatalf("the unanswered elder's task is %s/%s", st, d)
	}
	if n := w.count(t, `SELECT COUNT(*) FROM door_knocks WHERE elder_id = $1 AND region_code = '310107005003' AND state = 'open'
		AND due_at = $2`, elders[2].ID, chinaTime(25)); n != 1 {
		t.Fatalf("%d door-knocks for the unanswered elder due Wednesday 10:00", n)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM orders"); n != 1 {
		t.Fatalf("%d orders, want only the supplies one", n)
	}
	w.audit(t, c.ID, 5)
}

// answered waits for a call to elder to be answered and returns it.
func (w *world) answered(t *testing.T, elder int64) *anxin.Call {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		calls, _, err := w.db.FindCalls(context.Background(), anxin.SystemScope(), anxin.CallFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			if c.ElderID == elder && !c.AnsweredAt.IsZero() {
				return c
			}
		}
	}
	t.Fatalf("no call to elder %d was answered", elder)
	return nil
}

// TestCampaignRestart: the dialler stops (anxin serve shutting down) while
// the elder listens to the prompt: Anxin hangs up and the attempt is
// closed as interrupted. Tuesday a node leases her task, places the call
// and dies without a trace (its attempt and call stay open); it starts
// again: its open calls are closed (as anxin serve does), the dialler gives
// back its lease — that attempt interrupted, never dialled again — and her
// task is called again as a new attempt (Wednesday: the contact cap counts
// Tuesday's ring). She answers and presses 2. Three attempts, each with its
// one call.
func TestCampaignRestart(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 33700, phones: true, campaignPoll: 100 * time.Millisecond})
	clk := newClock(w.db, chinaTime(23))
	elder := w.campaignElders(t, "13900000005")[0]
	c := w.campaign(t, anxin.CampaignWellness, 5)

	listens := sipptest.Serve(t, w.carrier, "testdata/uas_answer_wait_bye.xml")
	time.Sleep(300 * time.Millisecond)
	stop := w.dialler(t, "test")
	first := w.answered(t, elder.ID)
	stop()
	if out, err := listens(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if got := w.attempts(t, elder.ID); fmt.Sprint(got) != "[interrupted/answered/-]" {
		t.Fatalf("attempts after the dialler stopped %q", got)
	}
	if first, _ = w.db.FindCall(ctx, anxin.SystemScope(), first.ID); first.HangupBy != anxin.HangupSystem || first.EndedAt.IsZero() {
		t.Fatalf("the call the dialler stopped: %+v", first)
	}

	clk.set(chinaTime(24))
	a, err := w.db.NextTask(ctx, c.ID, "node:test", time.Hour)
	if err != nil || a == nil || a.Task.Attempts != 2 {
		t.Fatalf("the crashing node's lease %+v %v", a, err)
	}
	lost := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, ToNumber: a.Number, ElderID: elder.ID,
		CampaignTaskID: a.Task.ID, RegionCode: elder.RegionCode, Node: "test", Queue: "checkin"}
	if err := w.db.StartCall(ctx, lost); err != nil {
		t.Fatal(err)
	}
	if err := w.db.LinkAttemptCall(ctx, a.ID, "node:test", lost.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.CloseInterruptedCalls(ctx, "test", time.Now()); err != nil {
		t.Fatal(err)
	}
	answers := sipptest.Serve(t, w.carrier, "testdata/uas_checkin_2.xml")
	time.Sleep(300 * time.Millisecond)
	w.dialler(t, "test")
	w.settle(t, c.ID, 2)
	if err := w.db.LinkAttemptCall(ctx, a.ID, "node:test", first.ID); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("a call for the interrupted attempt: %v", err)
	}
	clk.set(chinaTime(25))
	if out, err := answers(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	w.settle(t, c.ID, 3)
	want := "[interrupted/answered/- interrupted/interrupted/- completed/answered/supplies]"
	if got := w.attempts(t, elder.ID); fmt.Sprint(got) != want {
		t.Fatalf("attempts %q, want %s", got, want)
	}
	if st, d := w.task(t, c.ID, elder.ID); st != anxin.TaskDone || d != anxin.DispCompleted {
		t.Fatalf("task %s/%s", st, d)
	}
	w.audit(t, c.ID, 3)
}

// TestCampaignTwoDiallers: two diallers (two nodes' worth, on one set of
// call flows) work one campaign of twelve elders at once, on each engine
// (PostgreSQL: SKIP LOCKED; SQLite: one writer); everyone answers and
// presses 1. Twelve attempts, twelve calls, every task completed once.
func TestCampaignTwoDiallers(t *testing.T) {
	for i, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			w := newWorld(t, options{minPort: 35000 + 200*i, phones: true, campaignPoll: 100 * time.Millisecond, engine: engine})
			newClock(w.db, chinaTime(23))
			var numbers []string
			for n := 10; n < 22; n++ {
				numbers = append(numbers, fmt.Sprintf("139000000%02d", n))
			}
			w.campaignElders(t, numbers...)
			c := w.campaign(t, anxin.CampaignWellness, 3)
			carrier := sipptest.Serve(t, w.carrier, "testdata/campaign_day2.xml", "-m", "12")
			time.Sleep(300 * time.Millisecond)
			w.dialler(t, "a")
			w.dialler(t, "b")
			if out, err := carrier(); err != nil {
				t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
			}
			w.settle(t, c.ID, 12)
			if n := w.count(t, "SELECT COUNT(*) FROM campaign_tasks WHERE campaign_id = $1 AND state = 'done' AND attempts = 1", c.ID); n != 12 {
				t.Fatalf("%d of 12 tasks completed at the first attempt", n)
			}
			w.audit(t, c.ID, 12)
			t.Logf("node a placed %d calls, node b %d",
				w.count(t, "SELECT COUNT(*) FROM campaign_attempts WHERE caller = 'node:a'"),
				w.count(t, "SELECT COUNT(*) FROM campaign_attempts WHERE caller = 'node:b'"))
		})
	}
}

// TestCampaignHelp: an elder presses 3 (needs help): while the call is
// still up — before she hears of the transfer, and whether or not an
// operator is free — an urgent escalation is opened for her, linked to the
// call; the call waits in the check-in help queue until she hangs up. The
// attempt is completed with the answer "help".
func TestCampaignHelp(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 35400, phones: true, campaignPoll: 100 * time.Millisecond, queueWait: time.Minute})
	newClock(w.db, chinaTime(23))
	elder := w.campaignElders(t, "13900000007")[0]
	c := w.campaign(t, anxin.CampaignWellness, 3)
	carrier := sipptest.Serve(t, w.carrier, "testdata/campaign_help.xml")
	time.Sleep(300 * time.Millisecond)
	w.dialler(t, "test")
	var orders []*anxin.Order
	for deadline := time.Now().Add(20 * time.Second); len(orders) == 0 && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if orders, _, err = w.db.FindOrders(ctx, anxin.SystemScope(), anxin.OrderFilter{ElderID: elder.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if len(orders) != 1 {
		t.Fatalf("orders for the elder who pressed 3: %+v", orders)
	}
	o := orders[0]
	call, err := w.db.FindCall(ctx, anxin.SystemScope(), o.CallID)
	if err != nil || !call.EndedAt.IsZero() {
		t.Fatalf("the escalation's call %+v %v: want it still up", call, err)
	}
	if o.Type != anxin.TypeEscalation || o.Urgency != anxin.UrgencyUrgent || o.Channel != anxin.ChannelOutbound || o.CampaignTaskID == 0 {
		t.Fatalf("escalation %+v", o)
	}
	if out, err := carrier(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	w.settle(t, c.ID, 1)
	if got := w.attempts(t, elder.ID); fmt.Sprint(got) != "[completed/answered/help]" {
		t.Fatalf("attempts %q", got)
	}
	if call = w.ended(t, anxin.SystemScope(), call.ID); call.Queue != "checkin_help" || call.HangupBy != anxin.HangupCaller || call.OrderID != o.ID {
		t.Fatalf("call %+v", call)
	}
	w.audit(t, c.ID, 1)
}
