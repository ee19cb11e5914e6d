package callflow_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/sipua/sipptest"
)

// ivrMenus configures the city hotline's menus as an administrator would:
// the main menu (3 complaints, 8 the dialect menu) and the dialect menu
// (2 Shanghainese, back to the main menu), and a complaint queue that
// overflows after overflow.
func ivrMenus(t *testing.T, w *world, overflow int) {
	t.Helper()
	ctx := context.Background()
	sc := anxin.SystemScope()
	dialect := &anxin.Menu{Name: "方言", Prompt: "dialect_choice", Options: []anxin.MenuOption{
		{Key: "2", Action: anxin.MenuLanguage, Target: anxin.LangShanghainese},
	}}
	if err := w.db.SaveMenu(ctx, sc, dialect); err != nil {
		t.Fatal(err)
	}
	main := &anxin.Menu{Name: "主菜单", Greeting: "welcome", Prompt: "main_menu", Numbers: []string{demo.CityHotline}, Options: []anxin.MenuOption{
		{Key: "3", Action: anxin.MenuQueue, Target: "complaint"},
		{Key: "8", Action: anxin.MenuSubmenu, Target: "方言"},
	}}
	if err := w.db.SaveMenu(ctx, sc, main); err != nil {
		t.Fatal(err)
	}
	dialect.Options[0].Next = "主菜单"
	if err := w.db.SaveMenu(ctx, sc, dialect); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SaveQueue(ctx, sc, &anxin.Queue{Name: "complaint", Label: "投诉", OverflowSeconds: overflow, MaxWaitSeconds: 120, AnnounceSeconds: 30}); err != nil {
		t.Fatal(err)
	}
}

// TestIVRDialectSkill: the city hotline plays the menus configured for it.
// The elder presses 8 (dialect menu), 2 (Shanghainese: the call's language
// becomes wuu, back to the main menu) and 3 (complaints). operator1 has
// been ready longest but speaks only Mandarin; operator2 speaks
// Shanghainese, so the call is offered to operator2 first, and to
// operator1 only once the queue overflows (after 3 s).
func TestIVRDialectSkill(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 31800})
	ivrMenus(t, w, 3)
	op1, _ := w.operator(t, "operator1")
	time.Sleep(20 * time.Millisecond) // operator1 is ready longer
	op2, _ := w.operator(t, "operator2")
	if err := w.db.SetSkills(ctx, anxin.SystemScope(), op2.ID, []string{anxin.LangShanghainese}); err != nil {
		t.Fatal(err)
	}
	w.ring(t, "testdata/hotline_keys823.xml")
	calls, _, err := w.db.FindCalls(ctx, anxin.SystemScope(), anxin.CallFilter{})
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls %+v %v", calls, err)
	}
	c := calls[0]
	if c.Lang != anxin.LangShanghainese || c.Queue != "complaint" || c.HangupBy != anxin.HangupCaller {
		t.Fatalf("call record %+v", c)
	}
	pops := w.popped()
	if len(pops) != 2 || pops[0].account != op2.ID || pops[1].account != op1.ID {
		t.Fatalf("pops %+v: want operator2 (%d, Shanghainese) first, then operator1 (%d) after the overflow", pops, op2.ID, op1.ID)
	}
}

// TestIVRCallbackKeepsPlace: nobody is ready; after the queue's wait the
// elder hears that she may be called back and presses 1. Anxin confirms
// and hangs up; the call is on the list to call back, marked as asked for,
// and keeps its place in line: when operator1 (her phone registered) gets
// ready, Anxin calls back for her — operator1's phone, then the elder's
// through the trunk — and the caller is off the list.
func TestIVRCallbackKeepsPlace(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 31900, queueWait: 3 * time.Second, ringTime: 5 * time.Second, phones: true})
	w.ring(t, "testdata/hotline_callback.xml")
	list, err := w.db.ToCallBack(ctx, anxin.SystemScope(), 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("to call back %+v %v", list, err)
	}
	c := list[0]
	if !c.CallbackRequested || c.Queue != "consultation" || c.HangupBy != anxin.HangupSystem || c.WaitSeconds < 3 {
		t.Fatalf("call record %+v", c)
	}

	var login demo.Login
	for _, l := range w.logins {
		if l.Username == "operator1" {
			login = l
		}
	}
	phone := w.phone(t, login)
	elderPhone := sipptest.Serve(t, w.carrier, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	op, _ := w.operator(t, "operator1")
	if out, err := elderPhone(); err != nil {
		t.Fatalf("elder's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if list, err := w.db.ToCallBack(ctx, anxin.SystemScope(), 10); err != nil || len(list) != 0 {
		t.Fatalf("still to call back: %+v %v", list, err)
	}
	calls, _, _ := w.db.FindCalls(ctx, anxin.SystemScope(), anxin.CallFilter{})
	var back *anxin.Call
	for _, x := range calls {
		if x.Direction == anxin.CallOutbound && x.Leg == anxin.LegCaller {
			back = x
		}
	}
	if back == nil || back.ToNumber != "13812345678" || back.AgentID != op.ID || back.Cause != anxin.CauseAnswered {
		t.Fatalf("callback leg %+v among %d calls", back, len(calls))
	}
	if pops := w.popped(); len(pops) != 1 || pops[0] != (pop{op.ID, c.ID}) {
		t.Fatalf("pops %+v", pops)
	}
}

// TestElderFirst: Anxin rings the elder first (SIPp as the carrier); when
// she answers, the reserved operator1's phone rings and answers, and the
// two talk until the elder hangs up. Then, with nobody ready, an answered
// elder hears at once that the hotline will ring again, and Anxin hangs up.
func TestElderFirst(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 32000, ringTime: 5 * time.Second, phones: true})
	op, login := w.operator(t, "operator1")
	sc := anxin.ScopeOf(op)
	phone := w.phone(t, login)
	elderPhone := sipptest.Serve(t, w.carrier, "testdata/uas_answer_talk6.xml")
	time.Sleep(300 * time.Millisecond)
	id, err := w.flows.CallElderFirst(ctx, sc, "13812345678", w.elder.ID, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := elderPhone(); err != nil {
		t.Fatalf("elder's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	c := w.ended(t, sc, id)
	if c.Cause != anxin.CauseAnswered || c.AgentID != op.ID || c.HangupBy != anxin.HangupCaller || c.Direction != anxin.CallOutbound ||
		c.Queue != "elder_first" || c.Recording == "" {
		t.Fatalf("elder's leg %+v", c)
	}
	if s, _ := w.db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentWrapUp {
		t.Fatalf("operator after the call: %s", s.State)
	}
	// Her console pops the elder's number, not the trunk's caller ID.
	w.mu.Lock()
	numbers := slices.Clone(w.popNumbers)
	w.mu.Unlock()
	if len(numbers) == 0 || numbers[len(numbers)-1] != "13812345678" {
		t.Fatalf("the pop shows %q, want the elder's number", numbers)
	}

	if _, err := w.db.MoveAgent(ctx, op.ID, anxin.AgentEvent{Event: anxin.EvBreak, Reason: "meal"}); err != nil {
		t.Fatal(err)
	}
	elderPhone = sipptest.Serve(t, w.carrier, "testdata/uas_answer_wait_bye.xml")
	time.Sleep(300 * time.Millisecond)
	id, err = w.flows.CallElderFirst(ctx, sc, "13812345678", w.elder.ID, op.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := elderPhone(); err != nil {
		t.Fatalf("elder's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	c = w.ended(t, sc, id)
	if c.Cause != anxin.CauseAnswered || c.AgentID != 0 || c.HangupBy != anxin.HangupSystem {
		t.Fatalf("elder's leg with nobody free %+v", c)
	}
}
