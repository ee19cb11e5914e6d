package anxin

import (
	"context"
	"time"
)

// Call directions.
const (
	CallInbound  = "inbound"  // an elder or family member rang a hotline number
	CallOutbound = "outbound" // Anxin rang out: click-to-call, campaign, callback
)

// CallDirections lists the directions.
var CallDirections = []string{CallInbound, CallOutbound}

// Call legs: one record per leg and attempt. An inbound call is the
// caller's leg and, when an operator takes it, the agent's leg offered to
// their phone (one per offer); an outbound call is the leg to the elder
// and, agent-first, the leg to the operator's phone.
const (
	LegCaller = "caller" // the leg to or from the elder (or whoever rang)
	LegAgent  = "agent"  // the leg to an operator's phone
)

// Call causes: how a leg ended, in words.
const (
	CauseAnswered    = "answered"
	CauseBusy        = "busy"
	CauseNoAnswer    = "no_answer"
	CauseRejected    = "rejected"
	CauseUnreachable = "unreachable"
	CauseCancelled   = "cancelled" // the caller hung up before it was answered
	CauseFailed      = "failed"
	// CauseInterrupted closes a leg Anxin lost: a restart in the middle of
	// the call.
	CauseInterrupted = "interrupted"
)

// CallCauses lists the causes.
var CallCauses = []string{CauseAnswered, CauseBusy, CauseNoAnswer, CauseRejected, CauseUnreachable, CauseCancelled, CauseFailed, CauseInterrupted}

// Who hung up an answered call.
const (
	HangupCaller = "caller" // the far end of the caller leg (the elder)
	HangupAgent  = "agent"  // the operator
	HangupSystem = "system" // Anxin: end of a prompt flow, a limit, shutdown
)

// ClassifyCause turns the final SIP status of a leg into a cause in words:
// 2xx answered; 486 and 600 busy; 408 and 480 no answer (the network gave
// up ringing, or the phone is off); 403, 603 and 607 rejected; 404, 410,
// 484, 485, 502, 503 and 504 unreachable; 487 cancelled; everything else
// failed. code 0 (no final response: the leg was never sent, or the
// transport failed) is failed.
func ClassifyCause(code int) string {
	switch {
	case code >= 200 && code < 300:
		return CauseAnswered
	}
	switch code {
	case 486, 600:
		return CauseBusy
	case 408, 480:
		return CauseNoAnswer
	case 403, 603, 607:
		return CauseRejected
	case 404, 410, 484, 485, 502, 503, 504:
		return CauseUnreachable
	case 487:
		return CauseCancelled
	}
	return CauseFailed
}

// Call is the record of one call leg and attempt.
type Call struct {
	ID        int64  `json:"id"`
	ParentID  int64  `json:"parent_id,omitempty"` // the caller leg an agent leg belongs to
	Direction string `json:"direction"`
	Leg       string `json:"leg"`
	// FromNumber and ToNumber are as dialled (phone numbers are masked in
	// lists unless revealed); Trunk names the trunk or extension used.
	FromNumber string `json:"from_number"`
	ToNumber   string `json:"to_number"`
	Trunk      string `json:"trunk,omitempty"`
	// SIPCallID is the SIP Call-ID of the leg.
	SIPCallID  string    `json:"sip_call_id,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	RingingAt  time.Time `json:"ringing_at,omitzero"`
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	EndedAt    time.Time `json:"ended_at,omitzero"`
	// SIPCode is the final SIP status (0 while the leg lasts or when none
	// came); Cause says it in words (see ClassifyCause); HangupBy says who
	// ended an answered call.
	SIPCode  int    `json:"sip_code,omitempty"`
	Cause    string `json:"cause,omitempty"`
	HangupBy string `json:"hangup_by,omitempty"`
	// Queue is where an inbound call waited, and for how long.
	Queue       string `json:"queue,omitempty"`
	WaitSeconds int    `json:"wait_seconds,omitempty"`
	AgentID     int64  `json:"agent_id,omitempty"`
	AgentName   string `json:"agent_name,omitempty"`
	// Recording is the recording's file name under the data directory
	// (empty when none); it plays through the console, audited.
	Recording string `json:"recording,omitempty"`
	// The elder matched by number, and the order and campaign task the
	// call belongs to.
	ElderID        int64  `json:"elder_id,omitempty"`
	ElderName      string `json:"elder_name,omitempty"`
	OrderID        int64  `json:"order_id,omitempty"`
	CampaignTaskID int64  `json:"campaign_task_id,omitempty"`
	// RegionCode scopes the record: the elder's committee, else the area
	// of the hotline number or trunk.
	RegionCode string `json:"region_code,omitempty"`
	// Node names the anxin process that carries the leg (several may run
	// behind one PostgreSQL): a restarting node closes only its own legs.
	Node string `json:"node,omitempty"`
	// CheckIn is what the elder answered an agentless check-in: one of
	// CheckInWell, CheckInSupplies, CheckInHelp; empty when no key came.
	CheckIn string `json:"checkin,omitempty"`
	// Lang is the language or dialect the caller chose in the menu (empty:
	// none chosen, Mandarin).
	Lang string `json:"lang,omitempty"`
	// CallbackRequested is true when the caller asked to be called back
	// (rather than hanging up while waiting).
	CallbackRequested bool `json:"callback_requested,omitempty"`
}

// Check-in answers: the keys of the check-in prompt (1, 2, 3).
const (
	CheckInWell     = "well"     // 1: all well
	CheckInSupplies = "supplies" // 2: needs food or goods
	CheckInHelp     = "help"     // 3: needs help, asked for a person
)

// Duration returns how long an answered call talked (zero otherwise).
func (c *Call) Duration() time.Duration {
	if c.AnsweredAt.IsZero() || c.EndedAt.IsZero() {
		return 0
	}
	return c.EndedAt.Sub(c.AnsweredAt)
}

// CallFilter selects call records. Scope is always applied.
type CallFilter struct {
	Direction     string
	Cause         string
	Number        string // calls from or to this number (as stored)
	ElderID       int64
	AgentID       int64
	From, To      time.Time
	Offset, Limit int
}

// CallService keeps call records.
type CallService interface {
	// StartCall records a new leg as it starts; ID and StartedAt are set.
	StartCall(ctx context.Context, c *Call) error
	// FindCalls lists records in scope, newest first, with the total
	// (exact up to MaxOrderCount, as the order lists count).
	FindCalls(ctx context.Context, sc Scope, f CallFilter) ([]*Call, int, error)
	// FindCall returns one record in scope, or ENOTFOUND.
	FindCall(ctx context.Context, sc Scope, id int64) (*Call, error)
	// CallRinging, CallAnswered and EndCall record a leg's progress;
	// EndCall with cause "" classifies the SIP code (ClassifyCause).
	CallRinging(ctx context.Context, id int64, at time.Time) error
	CallAnswered(ctx context.Context, id int64, at time.Time, agentID int64) error
	EndCall(ctx context.Context, id int64, at time.Time, sipCode int, cause, hangupBy string) error
	// CloseInterruptedCalls closes every leg of node still open as
	// interrupted, at start-up: no call survives a restart. It returns how
	// many.
	CloseInterruptedCalls(ctx context.Context, node string, at time.Time) (int, error)
}
