package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// TestAgentStateRules walks an operator's day and the ways a call can go
// wrong: nobody is left ringing, on a call or wrapping up for ever.
func TestAgentStateRules(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	s := anxin.AgentStatus{AccountID: 7, State: anxin.AgentSignedOut}
	step := func(ev anxin.AgentEvent, at time.Duration, want string) {
		t.Helper()
		next, err := anxin.NextAgentState(s, ev, t0.Add(at))
		if err != nil {
			t.Fatalf("%s from %s: %v", ev.Event, s.State, err)
		}
		if next.State != want {
			t.Fatalf("%s from %s: %s, want %s", ev.Event, s.State, next.State, want)
		}
		s = next
	}
	refused := func(ev anxin.AgentEvent, code string) {
		t.Helper()
		if _, err := anxin.NextAgentState(s, ev, t0); anxin.ErrorCode(err) != code {
			t.Fatalf("%s from %s: %v, want %s", ev.Event, s.State, err, code)
		}
	}
	refused(anxin.AgentEvent{Event: anxin.EvOffer}, anxin.ECONFLICT) // signed out: no offers
	step(anxin.AgentEvent{Event: anxin.EvSignIn}, 0, anxin.AgentReady)
	refused(anxin.AgentEvent{Event: anxin.EvSignIn}, anxin.ECONFLICT)
	refused(anxin.AgentEvent{Event: anxin.EvAnswer}, anxin.ECONFLICT) // nothing offered
	// An offer the phone does not answer: back to ready.
	step(anxin.AgentEvent{Event: anxin.EvOffer, CallID: 41, Node: "a"}, time.Minute, anxin.AgentRinging)
	if s.CallID != 41 || s.Node != "a" {
		t.Fatalf("ringing %+v", s)
	}
	refused(anxin.AgentEvent{Event: anxin.EvOffer, CallID: 42}, anxin.ECONFLICT) // one offer at a time
	refused(anxin.AgentEvent{Event: anxin.EvSignOut}, anxin.ECONFLICT)           // not while it rings
	step(anxin.AgentEvent{Event: anxin.EvOfferFailed}, 2*time.Minute, anxin.AgentReady)
	step(anxin.AgentEvent{Event: anxin.EvOfferFailed}, 2*time.Minute, anxin.AgentReady) // a late repeat changes nothing
	// An answered call: on call, then wrap-up for the queue's time.
	step(anxin.AgentEvent{Event: anxin.EvOffer, CallID: 43}, 3*time.Minute, anxin.AgentRinging)
	step(anxin.AgentEvent{Event: anxin.EvAnswer}, 3*time.Minute+5*time.Second, anxin.AgentOnCall)
	if s.CallID != 43 {
		t.Fatalf("on call %+v", s)
	}
	refused(anxin.AgentEvent{Event: anxin.EvBreak, Reason: "meal"}, anxin.ECONFLICT)
	step(anxin.AgentEvent{Event: anxin.EvHangup, WrapUp: time.Minute}, 8*time.Minute, anxin.AgentWrapUp)
	if !s.WrapUntil.Equal(t0.Add(9 * time.Minute)) {
		t.Fatalf("wrap until %v", s.WrapUntil)
	}
	step(anxin.AgentEvent{Event: anxin.EvHangup}, 8*time.Minute, anxin.AgentWrapUp) // the other leg's BYE: no change
	step(anxin.AgentEvent{Event: anxin.EvWrapUpEnd}, 8*time.Minute+30*time.Second, anxin.AgentWrapUp)
	step(anxin.AgentEvent{Event: anxin.EvWrapUpEnd}, 9*time.Minute, anxin.AgentReady)
	// Breaks need a reason.
	refused(anxin.AgentEvent{Event: anxin.EvBreak, Reason: " "}, anxin.EINVALID)
	step(anxin.AgentEvent{Event: anxin.EvBreak, Reason: "meal"}, 10*time.Minute, anxin.AgentBreak)
	refused(anxin.AgentEvent{Event: anxin.EvOffer}, anxin.ECONFLICT)
	step(anxin.AgentEvent{Event: anxin.EvReady}, 40*time.Minute, anxin.AgentReady)
	// A restart in the middle of a call frees the operator.
	step(anxin.AgentEvent{Event: anxin.EvOffer, CallID: 44}, 41*time.Minute, anxin.AgentRinging)
	step(anxin.AgentEvent{Event: anxin.EvAnswer}, 41*time.Minute, anxin.AgentOnCall)
	step(anxin.AgentEvent{Event: anxin.EvReset}, 50*time.Minute, anxin.AgentReady)
	step(anxin.AgentEvent{Event: anxin.EvReset}, 50*time.Minute, anxin.AgentReady) // nothing to reset
	step(anxin.AgentEvent{Event: anxin.EvSignOut}, 60*time.Minute, anxin.AgentSignedOut)
	refused(anxin.AgentEvent{Event: "dance"}, anxin.EINVALID)
}
