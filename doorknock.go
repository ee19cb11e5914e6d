package anxin

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The welfare chain (issue 6): a wellness or supply campaign that could not
// reach an elder by phone hands her to her residents' committee, whose
// staff knock on her door. Nobody acknowledging in time moves the
// door-knock up to the street office, then to the hotline.

// Door-knock states: open → acknowledged → closed; escalated is open, but
// handed up a level because nobody acknowledged it in time (or nobody
// works at the level below).
const (
	KnockOpen         = "open"
	KnockEscalated    = "escalated"
	KnockAcknowledged = "acknowledged"
	KnockClosed       = "closed"
)

// Visit results of a door-knock.
const (
	KnockAllWell        = "all_well"        // seen, nothing needed
	KnockNeedsSomething = "needs_something" // a service work order is opened
	KnockEmergency      = "emergency"       // an escalation order, urgency emergency
	KnockNotHome        = "not_home"        // nobody opened: visit again
)

// KnockResults lists the visit results in the order the console offers them.
func KnockResults() []string {
	return []string{KnockAllWell, KnockNeedsSomething, KnockEmergency, KnockNotHome}
}

// KnockOpenStates are the states of a door-knock still to be done.
func KnockOpenStates() []string { return []string{KnockOpen, KnockEscalated, KnockAcknowledged} }

// DoorKnock is a home visit a residents' committee owes an elder nobody
// could reach by phone.
type DoorKnock struct {
	ID      int64 `json:"id"`
	TaskID  int64 `json:"task_id,omitempty"` // the campaign task that failed
	ElderID int64 `json:"elder_id"`
	// ElderName is her name; Elder, in lists, her record with address,
	// numbers and emergency contacts (the web masks the numbers).
	ElderName string `json:"elder_name,omitempty"`
	Elder     *Elder `json:"elder,omitempty"`
	// RegionCode is the elder's committee; EscalatedTo the street or
	// hotline area it was handed up to ("" while with the committee).
	RegionCode    string `json:"region_code"`
	RegionName    string `json:"region_name,omitempty"`
	EscalatedTo   string `json:"escalated_to,omitempty"`
	EscalatedName string `json:"escalated_name,omitempty"`
	State         string `json:"state"`
	// DueAt is when it must be acknowledged (after "not home": visited
	// again).
	DueAt              time.Time `json:"due_at"`
	AcknowledgedBy     int64     `json:"acknowledged_by,omitempty"`
	AcknowledgedByName string    `json:"acknowledged_by_name,omitempty"`
	AcknowledgedAt     time.Time `json:"acknowledged_at,omitzero"`
	Result             string    `json:"result,omitempty"`
	Note               string    `json:"note,omitempty"`
	// Visits counts the visits recorded (each "not home" and the last).
	Visits int `json:"visits"`
	// OrderID is the work order a visit opened (needs something, emergency).
	OrderID   int64     `json:"order_id,omitempty"`
	ClosedAt  time.Time `json:"closed_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
	// Why: the campaign whose calls went unanswered, how many were made
	// and how the last ended.
	CampaignID   int64  `json:"campaign_id,omitempty"`
	CampaignName string `json:"campaign_name,omitempty"`
	Attempts     int    `json:"attempts,omitempty"`
	Disposition  string `json:"disposition,omitempty"`
}

// Responsible is the area whose staff owe the visit now: the committee,
// or the area it was escalated to.
func (k *DoorKnock) Responsible() string {
	if k.EscalatedTo != "" {
		return k.EscalatedTo
	}
	return k.RegionCode
}

// Overdue reports whether an open door-knock is past its due time.
func (k *DoorKnock) Overdue(now time.Time) bool {
	return k.State != KnockClosed && !now.Before(k.DueAt)
}

// KnockFilter selects door-knocks for lists. Scope is always applied.
type KnockFilter struct {
	// State is "" or "open" (still to do: open, escalated or acknowledged),
	// "all", or one of escalated, acknowledged and closed.
	State  string
	Within string // area subtree of the elder's committee
	// Overdue keeps those past their due time.
	Overdue       bool
	Offset, Limit int
}

// KnockVisit is what staff record after a visit.
type KnockVisit struct {
	Result string `json:"result"`
	Note   string `json:"note,omitempty"`
}

// MaxKnockNote bounds a visit's note, in characters.
const MaxKnockNote = 2000

// Validate checks a visit: a known result, a note of what is needed for
// "needs something" and "emergency", and a sane length.
func (v *KnockVisit) Validate() error {
	v.Note = strings.TrimSpace(v.Note)
	switch {
	case !slices.Contains(KnockResults(), v.Result):
		return ErrorKey(EINVALID, "err.knock_result", "Unknown visit result %q.", v.Result)
	case v.Note == "" && (v.Result == KnockNeedsSomething || v.Result == KnockEmergency):
		return ErrorKey(EINVALID, "err.knock_note_required", "Say what the elder needs: it becomes the work order.")
	case utf8.RuneCountInString(v.Note) > MaxKnockNote:
		return ErrorKey(EINVALID, "err.knock_note_long", "The note has at most %d characters.", MaxKnockNote)
	}
	return nil
}

// SeesDoorKnocks reports whether the scope works door-knocks: street and
// committee staff, and the supervisors and administrators of wider areas.
// Suppliers, providers and volunteer teams do not.
func (s Scope) SeesDoorKnocks() bool {
	if s.AssignedOnly && !s.All {
		return false
	}
	return s.Has(RoleCommunity) || s.Has(RoleSupervisor) || s.Has(RoleAdmin)
}

// AtRiskDays is how long without a successful contact makes an elder "at
// risk" (失联风险).
const AtRiskDays = 7

// AtRisk reports whether an elder last reached at lastContact is at risk
// at now: nobody has reached her for AtRiskDays days or more. For an elder
// never reached, pass when she was registered (see Elder.AtRisk); a zero
// lastContact counts as at risk.
func AtRisk(lastContact, now time.Time) bool {
	return !now.Before(lastContact.AddDate(0, 0, AtRiskDays))
}

// AtRisk reports whether the elder is at risk at now: active (an elder in
// hospital, in a care home, moved away or deceased is not), and not
// reached for AtRiskDays days — or, never reached, registered that long
// ago.
func (e *Elder) AtRisk(now time.Time) bool {
	if e.Status != StatusActive {
		return false
	}
	since := e.LastContactAt
	if since.IsZero() {
		since = e.CreatedAt
	}
	return AtRisk(since, now)
}
