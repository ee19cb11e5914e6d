package anxin

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Agent states: where an operator is in taking calls. The console and the
// telephony layer move an operator between them with AgentEvents; the
// rules (NextAgentState) make sure nobody is left stuck — a failed or
// unanswered offer returns the operator to ready, a call's end starts the
// wrap-up timer, a restart frees everyone still ringing or on a call.
const (
	AgentSignedOut = "signed_out" // not taking calls
	AgentReady     = "ready"      // waiting for a call
	AgentRinging   = "ringing"    // a call is being offered to their phone
	AgentOnCall    = "on_call"    // talking
	AgentWrapUp    = "wrap_up"    // finishing the notes of a call, for a while
	AgentBreak     = "break"      // away, with a reason
)

// AgentStates lists the states.
var AgentStates = []string{AgentSignedOut, AgentReady, AgentRinging, AgentOnCall, AgentWrapUp, AgentBreak}

// Agent events.
const (
	EvSignIn      = "sign_in"      // the operator starts taking calls
	EvSignOut     = "sign_out"     // the operator stops
	EvReady       = "ready"        // back from a break or done wrapping up early
	EvBreak       = "break"        // away (Reason says why)
	EvOffer       = "offer"        // the queue offers a call to their phone
	EvOfferFailed = "offer_failed" // the phone did not answer, was busy or unreachable
	EvAnswer      = "answer"       // the phone answered the offer
	EvHangup      = "hangup"       // the call ended
	EvWrapUpEnd   = "wrap_up_end"  // the wrap-up timer ran out
	EvReset       = "reset"        // Anxin restarted: calls were dropped
)

// Break reasons offered in the console (free text is allowed too).
var BreakReasons = []string{"rest", "meal", "meeting", "training", "toilet"}

// DefaultWrapUp is how long an operator wraps up after a call unless the
// queue says otherwise.
const DefaultWrapUp = 30 * time.Second

// AgentStatus is an operator's state now.
type AgentStatus struct {
	AccountID int64     `json:"account_id"`
	Name      string    `json:"name,omitempty"`
	State     string    `json:"state"`
	Reason    string    `json:"reason,omitempty"` // a break's reason
	Since     time.Time `json:"since"`
	// WrapUntil is when wrap-up ends by itself.
	WrapUntil time.Time `json:"wrap_until,omitzero"`
	// CallID is the call being offered or talked on, and Node the anxin
	// node carrying it.
	CallID int64  `json:"call_id,omitempty"`
	Node   string `json:"node,omitempty"`
	// Skills are the operator's languages and hotline tiers, where the
	// caller fills them in (the console and the API do).
	Skills []string `json:"skills,omitempty"`
}

// AgentEvent moves an operator's state.
type AgentEvent struct {
	Event  string
	Reason string        // EvBreak
	CallID int64         // EvOffer
	Node   string        // EvOffer: the node carrying the call
	WrapUp time.Duration // EvHangup: how long to wrap up (0: DefaultWrapUp)
}

// NextAgentState applies an event to an operator's status at now. It
// returns ECONFLICT for an event that makes no sense in the state (an
// offer to someone not ready, an answer nobody offered); events that
// cannot leave anyone stuck always apply: sign out (except on a call),
// offer failed, hangup, reset.
func NextAgentState(cur AgentStatus, ev AgentEvent, now time.Time) (AgentStatus, error) {
	next := AgentStatus{AccountID: cur.AccountID, Name: cur.Name, Since: now}
	conflict := func() (AgentStatus, error) {
		return cur, ErrorKey(ECONFLICT, "err.agent_state", "Cannot %s while %s.", ev.Event, cur.State)
	}
	switch ev.Event {
	case EvSignIn:
		if cur.State != AgentSignedOut && cur.State != "" {
			return conflict()
		}
		next.State = AgentReady
	case EvSignOut:
		if cur.State == AgentOnCall || cur.State == AgentRinging {
			return conflict() // finish the call first; a ringing offer fails or is answered
		}
		next.State = AgentSignedOut
	case EvReady:
		if cur.State != AgentBreak && cur.State != AgentWrapUp && cur.State != AgentReady {
			return conflict()
		}
		next.State = AgentReady
	case EvBreak:
		if cur.State != AgentReady && cur.State != AgentWrapUp && cur.State != AgentBreak {
			return conflict()
		}
		reason := strings.TrimSpace(ev.Reason)
		if reason == "" || utf8.RuneCountInString(reason) > 50 {
			return cur, ErrorKey(EINVALID, "err.agent_break_reason", "Say why you are away (at most 50 characters).")
		}
		next.State, next.Reason = AgentBreak, reason
	case EvOffer:
		if cur.State != AgentReady {
			return conflict()
		}
		next.State, next.CallID, next.Node = AgentRinging, ev.CallID, ev.Node
	case EvOfferFailed:
		if cur.State != AgentRinging {
			return cur, nil // a late report of an offer already over: nothing to undo
		}
		next.State = AgentReady
	case EvAnswer:
		if cur.State != AgentRinging {
			return conflict()
		}
		next.State, next.CallID, next.Node = AgentOnCall, cur.CallID, cur.Node
	case EvHangup:
		if cur.State != AgentOnCall && cur.State != AgentRinging {
			return cur, nil // already off the call
		}
		wrap := ev.WrapUp
		if wrap <= 0 {
			wrap = DefaultWrapUp
		}
		next.State, next.WrapUntil, next.CallID = AgentWrapUp, now.Add(wrap), cur.CallID
	case EvWrapUpEnd:
		if cur.State != AgentWrapUp || now.Before(cur.WrapUntil) {
			return cur, nil // wrapped up already, or not yet due
		}
		next.State = AgentReady
	case EvReset:
		if cur.State != AgentRinging && cur.State != AgentOnCall {
			return cur, nil
		}
		next.State = AgentReady // the call was dropped by the restart
	default:
		return cur, Errorf(EINVALID, "unknown agent event %q", ev.Event)
	}
	return next, nil
}

// Busy reports whether the state takes no new call.
func (s AgentStatus) Busy() bool { return s.State != AgentReady }

// ValidAgentState reports whether s is one of AgentStates.
func ValidAgentState(s string) bool { return slices.Contains(AgentStates, s) }

// AgentService keeps operators' states.
type AgentService interface {
	// AgentStatusOf returns an operator's state (signed out if never set).
	AgentStatusOf(ctx context.Context, accountID int64) (AgentStatus, error)
	// MoveAgent applies an event to an operator's state (NextAgentState),
	// safely against concurrent moves, and returns the new state.
	MoveAgent(ctx context.Context, accountID int64, ev AgentEvent) (AgentStatus, error)
	// FindAgents lists the states of the operators in scope.
	FindAgents(ctx context.Context, sc Scope) ([]AgentStatus, error)
	// ResetAgents frees every operator left ringing or on a call carried
	// by node (at its start-up: no call survives a restart).
	ResetAgents(ctx context.Context, node string) (int, error)
}
