package callflow

import (
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// TestDisposition: how a check-in call's record becomes its attempt's
// disposition.
func TestDisposition(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rec      anxin.Call
		stopping bool
		want     string
	}{
		{"key pressed", anxin.Call{Cause: anxin.CauseAnswered, CheckIn: anxin.CheckInWell, HangupBy: anxin.HangupSystem}, false, anxin.DispCompleted},
		{"key pressed, then the node stopped", anxin.Call{Cause: anxin.CauseAnswered, CheckIn: anxin.CheckInHelp, HangupBy: anxin.HangupSystem}, true, anxin.DispCompleted},
		{"answered, no key", anxin.Call{Cause: anxin.CauseAnswered, HangupBy: anxin.HangupCaller}, false, anxin.DispNoAnswer},
		{"answered, no key, prompts over", anxin.Call{Cause: anxin.CauseAnswered, HangupBy: anxin.HangupSystem}, false, anxin.DispNoAnswer},
		{"answered, the node stopped", anxin.Call{Cause: anxin.CauseAnswered, HangupBy: anxin.HangupSystem}, true, anxin.DispInterrupted},
		{"busy", anxin.Call{Cause: anxin.CauseBusy}, false, anxin.DispBusy},
		{"rang out", anxin.Call{Cause: anxin.CauseNoAnswer}, false, anxin.DispNoAnswer},
		{"rejected", anxin.Call{Cause: anxin.CauseRejected}, false, anxin.DispUnreachable},
		{"unreachable", anxin.Call{Cause: anxin.CauseUnreachable}, false, anxin.DispUnreachable},
		{"failed", anxin.Call{Cause: anxin.CauseFailed}, false, anxin.DispUnreachable},
		{"failed while stopping", anxin.Call{Cause: anxin.CauseFailed}, true, anxin.DispInterrupted},
		{"busy while stopping", anxin.Call{Cause: anxin.CauseBusy}, true, anxin.DispBusy},
		{"cancelled while stopping", anxin.Call{Cause: anxin.CauseCancelled}, true, anxin.DispInterrupted},
		{"lost to a restart", anxin.Call{Cause: anxin.CauseInterrupted}, false, anxin.DispInterrupted},
		{"no record", anxin.Call{}, false, anxin.DispInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := disposition(&tc.rec, tc.stopping); got != tc.want {
				t.Fatalf("disposition %s, want %s", got, tc.want)
			}
		})
	}
}

// TestCheckInOrder: all well opens nothing; supplies a service order for
// the back office (a supply order needs packages); help an urgent
// escalation; each once per attempt (the idempotency key).
func TestCheckInOrder(t *testing.T) {
	c := &anxin.Campaign{Name: "关爱问候"}
	a := &store.Attempt{ID: 7, Task: &anxin.Task{ID: 3, ElderID: 5}}
	if o := checkInOrder(c, a, anxin.CheckInWell); o != nil {
		t.Fatalf("all well opened %+v", o)
	}
	s := checkInOrder(c, a, anxin.CheckInSupplies)
	if s == nil || s.Type != anxin.TypeService || s.Channel != anxin.ChannelOutbound || s.ElderID != 5 || s.CampaignTaskID != 3 || s.Validate() != nil {
		t.Fatalf("supplies %+v", s)
	}
	h := checkInOrder(c, a, anxin.CheckInHelp)
	if h == nil || h.Type != anxin.TypeEscalation || h.Urgency != anxin.UrgencyUrgent || h.Validate() != nil || h.IdempotencyKey == s.IdempotencyKey {
		t.Fatalf("help %+v", h)
	}
}
