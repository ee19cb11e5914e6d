package callflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
)

// progressiveCampaign creates, builds and starts the city hotline's
// progressive supply campaign over committee 310107005003, with elders of
// the given birth dates and mobiles (the older first in line).
func (w *world) progressiveCampaign(t *testing.T, elders map[string]string) (*anxin.Campaign, map[string]*anxin.Elder) {
	t.Helper()
	ctx := context.Background()
	out := map[string]*anxin.Elder{}
	for number, born := range elders {
		e := &anxin.Elder{Name: "外呼老人" + number[len(number)-2:], BirthDate: born, RegionCode: "310107005003",
			Phones: []anxin.Phone{{Number: number, Label: anxin.PhoneMobile}}}
		if err := w.db.CreateElder(ctx, anxin.SystemScope(), e); err != nil {
			t.Fatal(err)
		}
		out[number] = e
	}
	sup, err := w.db.AccountByUsername(ctx, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	sc := anxin.ScopeOf(sup)
	c := &anxin.Campaign{Name: "保供问询", Type: anxin.CampaignSupply, Mode: anxin.DialProgressive, StartsOn: "2026-11-23",
		RegionCode: "310107005003", MaxAttempts: 3, RetryMinutes: 5}
	if err := w.db.CreateCampaign(ctx, sc, c); err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.BuildTasks(ctx, sc, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	return c, out
}

// progressiveDialler runs the progressive dialler as node until the test
// ends.
func (w *world) progressiveDialler(t *testing.T, node string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.flows.RunProgressive(ctx, node); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// TestProgressive: operator1 works a progressive supply campaign of two
// elders, ready, her phone (SIPp) registered. Anxin rings the older elder
// first, for her: busy — the attempt is finished as busy by itself and
// operator1 stays ready; at once the next elder is rung for her; she
// answers, operator1's console pops the call and her phone rings, she
// answers and the two talk until the elder hangs up. Both attempts are
// operator1's, each linked to its one call; the answered one stays open
// for her to record in the workspace (she holds it), she wraps up, and
// Anxin rings nobody else for her meanwhile.
func TestProgressive(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 38400, phones: true, ringTime: 5 * time.Second})
	newClock(w.db, chinaTime(23))
	op, login := w.operator(t, "operator1")
	owner := store.OperatorOwner(op.ID)
	c, elders := w.progressiveCampaign(t, map[string]string{"13900000031": "1930-01-01", "13900000032": "1950-01-01"})
	busy, talks := elders["13900000031"], elders["13900000032"]
	if err := w.db.JoinCampaign(ctx, op.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	phone := w.phone(t, login)
	carrier := sipptest.Serve(t, w.carrier, "testdata/progressive_elders.xml", "-m", "2")
	time.Sleep(300 * time.Millisecond)
	w.progressiveDialler(t, "test")
	if out, err := carrier(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	answered := w.answered(t, talks.ID)
	call := w.ended(t, anxin.SystemScope(), answered.ID)
	if call.AgentID != op.ID || call.HangupBy != anxin.HangupCaller || call.Queue != anxin.DialProgressive || call.Recording == "" ||
		call.CampaignTaskID == 0 || call.Direction != anxin.CallOutbound {
		t.Fatalf("the answered elder's call %+v", call)
	}
	// The busy elder's attempt was finished by the dialler; the answered
	// one is operator1's to finish.
	w.settleOpen(t, c.ID, 2, 1)
	if got := w.attempts(t, busy.ID); fmt.Sprint(got) != "[busy/busy/-]" {
		t.Fatalf("the busy elder's attempts %q", got)
	}
	if got := w.attempts(t, talks.ID); fmt.Sprint(got) != "[/answered/-]" {
		t.Fatalf("the answering elder's attempts %q", got)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM campaign_attempts WHERE caller = $1", owner); n != 2 {
		t.Fatalf("%d attempts are operator1's, want 2", n)
	}
	held, err := w.db.HeldAttempt(ctx, c.ID, owner)
	if err != nil || held == nil || held.Task.ElderID != talks.ID {
		t.Fatalf("operator1 holds %+v %v, want the answered elder's attempt", held, err)
	}
	if a, err := w.db.AttemptOfCall(ctx, call.ID); err != nil || a == nil || a.ID != held.ID {
		t.Fatalf("the call's attempt %+v %v, want %d", a, err, held.ID)
	}
	if pops := w.popped(); len(pops) != 1 || pops[0] != (pop{op.ID, call.ID}) {
		t.Fatalf("pops %+v, want operator1 for call %d", pops, call.ID)
	}
	if s, _ := w.db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentWrapUp {
		t.Fatalf("operator1 after the call: %+v", s)
	}
	w.audit(t, c.ID, 2)
}

// settleOpen waits until the campaign's attempts number n, open of them
// still open.
func (w *world) settleOpen(t *testing.T, campaign int64, n, open int) {
	t.Helper()
	q := `SELECT COUNT(*) FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id = $1`
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if w.count(t, q, campaign) == n && w.count(t, q+" AND a.ended_at IS NULL", campaign) == open {
			return
		}
	}
	t.Fatalf("campaign %d: %d attempts, %d open; want %d, %d open", campaign, w.count(t, q, campaign),
		w.count(t, q+" AND a.ended_at IS NULL", campaign), n, open)
}

// TestProgressiveMissed: the elder answers, but operator1's phone refuses
// the call (503): the elder hears at once that the hotline will ring
// again and Anxin hangs up; the attempt is finished as no answer (she will
// be called again), and operator1 is put on a break (away) so that Anxin
// rings no more elders for an empty desk.
func TestProgressiveMissed(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 38600, phones: true, ringTime: 5 * time.Second})
	newClock(w.db, chinaTime(23))
	op, login := w.operator(t, "operator1")
	c, elders := w.progressiveCampaign(t, map[string]string{"13900000033": "1930-01-01"})
	if err := w.db.JoinCampaign(ctx, op.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	port := sipptest.FreePort(t)
	if out, err := sipptest.Run(t, w.port, login.Extension, "../sipua/testdata/register.xml", "-au", login.Extension, "-ap", login.SIPPassword,
		"-p", fmt.Sprint(port)); err != nil {
		t.Fatalf("register: %v\n%s", err, sipptest.Tail(out, 1500))
	}
	phone := sipptest.Serve(t, port, "testdata/uas_503.xml")
	carrier := sipptest.Serve(t, w.carrier, "testdata/uas_answer_wait_bye.xml")
	time.Sleep(300 * time.Millisecond)
	w.progressiveDialler(t, "test")
	if out, err := carrier(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	w.settle(t, c.ID, 1)
	if got := w.attempts(t, elders["13900000033"].ID); fmt.Sprint(got) != "[no_answer/answered/-]" {
		t.Fatalf("attempts %q", got)
	}
	call := w.answered(t, elders["13900000033"].ID)
	if call = w.ended(t, anxin.SystemScope(), call.ID); call.AgentID != 0 || call.HangupBy != anxin.HangupSystem {
		t.Fatalf("call %+v", call)
	}
	if s, _ := w.db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentBreak || s.Reason != "toilet" {
		t.Fatalf("operator1 after missing the elder: %+v", s)
	}
	w.audit(t, c.ID, 1)
}
