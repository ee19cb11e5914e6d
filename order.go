package anxin

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Work order types.
const (
	TypeService      = "service"      // 服务需求: a cleaner, an escort, a repair …
	TypeSupply       = "supply"       // 保供订单: lines of supply packages
	TypeConsultation = "consultation" // 咨询
	TypeComplaint    = "complaint"    // 投诉
	TypeEscalation   = "escalation"   // 紧急求助: urgent help for the committee
)

// OrderTypes lists the work order types in the order the console shows them.
var OrderTypes = []string{TypeService, TypeSupply, TypeConsultation, TypeComplaint, TypeEscalation}

// Channels an order comes in by.
const (
	ChannelInbound   = "inbound_call"
	ChannelOutbound  = "outbound_campaign"
	ChannelCommittee = "committee"
	ChannelWalkIn    = "walk_in"
	ChannelWeb       = "web"
)

// OrderChannels lists the channels.
var OrderChannels = []string{ChannelInbound, ChannelOutbound, ChannelCommittee, ChannelWalkIn, ChannelWeb}

// Urgencies, lowest first. A breached clock raises an order one step.
const (
	UrgencyNormal    = "normal"
	UrgencyUrgent    = "urgent"
	UrgencyEmergency = "emergency"
)

// OrderUrgencies lists the urgencies, lowest first.
var OrderUrgencies = []string{UrgencyNormal, UrgencyUrgent, UrgencyEmergency}

// Order states: the closed loop of China's 12345 hotlines.
const (
	StateNew        = "new"        // taken, not yet dispatched
	StateDispatched = "dispatched" // sent to an organisation, not yet accepted
	StateAccepted   = "accepted"   // the organisation took it on
	StateReturned   = "returned"   // the organisation gave it back (退单); to be re-dispatched
	StateInService  = "in_service" // being carried out
	StateCompleted  = "completed"  // done; the return visit (回访) is due
	StateClosed     = "closed"     // return visit made, or closed without one
	StateCancelled  = "cancelled"
	StateMerged     = "merged" // a duplicate folded into another order (并单)
)

// OrderStates lists the states in the order of the loop.
var OrderStates = []string{StateNew, StateDispatched, StateAccepted, StateReturned, StateInService, StateCompleted,
	StateClosed, StateCancelled, StateMerged}

// OpenStates are the states whose clocks run.
var OpenStates = []string{StateNew, StateDispatched, StateAccepted, StateReturned, StateInService}

// Order actions: each moves an order along one edge of the loop (see
// Transition).
const (
	ActDispatch = "dispatch" // to an organisation; again from dispatched or accepted is 改派
	ActAccept   = "accept"
	ActReturn   = "return" // 退单, with a reason
	ActSchedule = "schedule"
	ActStart    = "start"
	ActComplete = "complete"
	ActHandle   = "handle" // the hotline or committee takes it on itself
	ActClose    = "close"
	ActCancel   = "cancel"
	ActReopen   = "reopen"
	ActMerge    = "merge"
	ActPause    = "pause" // waiting on the elder: the clocks stop
	ActResume   = "resume"
	ActNote     = "note" // a note or photos, no change
	// ActDeliveryFailed records a supply delivery that did not reach the
	// elder (nobody home, wrong address), with the reason; the order stays
	// with the supplier for another attempt.
	ActDeliveryFailed = "delivery_failed"
)

// Delivery outcomes of a supply order.
const (
	DeliveredGate      = "gate"      // left at the gate or door, the elder told
	DeliveredVolunteer = "volunteer" // handed over by a volunteer (the last 100 m)
	DeliveryFailed     = "failed"    // an attempt that did not reach the elder
)

// transitions maps an action to the states it starts from and the state it
// leads to ("" keeps the state).
var transitions = map[string]struct {
	from []string
	to   string
}{
	ActDispatch: {[]string{StateNew, StateDispatched, StateAccepted, StateReturned}, StateDispatched},
	ActAccept:   {[]string{StateDispatched}, StateAccepted},
	ActReturn:   {[]string{StateDispatched, StateAccepted}, StateReturned},
	ActSchedule: {[]string{StateAccepted, StateInService}, ""},
	ActStart:    {[]string{StateAccepted}, StateInService},
	ActComplete: {[]string{StateInService}, StateCompleted},
	ActHandle:   {[]string{StateNew, StateReturned}, StateInService},
	ActClose:    {[]string{StateCompleted}, StateClosed},
	ActCancel:   {[]string{StateNew, StateDispatched, StateAccepted, StateReturned, StateInService}, StateCancelled},
	ActReopen:   {[]string{StateCompleted, StateClosed}, StateNew},
	ActMerge:    {[]string{StateNew, StateDispatched, StateAccepted, StateReturned, StateInService}, StateMerged},
	ActPause:    {OpenStates, ""},
	ActResume:   {OpenStates, ""},
	ActNote:     {OrderStates, ""},

	ActDeliveryFailed: {[]string{StateAccepted, StateInService}, ""},
}

// OrderActions lists the actions.
var OrderActions = []string{ActDispatch, ActAccept, ActReturn, ActSchedule, ActStart, ActComplete, ActDeliveryFailed, ActHandle,
	ActClose, ActCancel, ActReopen, ActMerge, ActPause, ActResume, ActNote}

// Transition returns the state an action leads to from state, or a
// conflict error that says why it cannot: completing a cancelled order,
// starting one that nobody accepted, moving a closed order back into
// service.
func Transition(state, action string) (string, error) {
	t, ok := transitions[action]
	if !ok {
		return "", ErrorKey(EINVALID, "err.order_action", "Unknown action %q.", action)
	}
	if !slices.Contains(t.from, state) {
		return "", ErrorKey(ECONFLICT, "err.order_transition", "This cannot be done to the work order in its current state; reload it to see what it is now.")
	}
	if t.to == "" {
		return state, nil
	}
	return t.to, nil
}

// Allowed lists the actions possible from a state, in OrderActions order.
func Allowed(state string) []string {
	var out []string
	for _, a := range OrderActions {
		if slices.Contains(transitions[a].from, state) {
			out = append(out, a)
		}
	}
	return out
}

// Open reports whether an order in the state is still being worked on.
func Open(state string) bool { return slices.Contains(OpenStates, state) }

// Order is a work order (工单): one request of an elder, carried from
// intake to the return visit.
type Order struct {
	ID      int64  `json:"id"`
	Number  string `json:"number"` // GD + date + sequence, what people read out on the phone
	Type    string `json:"type"`
	Channel string `json:"channel"`
	Urgency string `json:"urgency"`
	State   string `json:"state"`

	ElderID    int64  `json:"elder_id"`
	ElderName  string `json:"elder_name,omitempty"`
	RegionCode string `json:"region_code"` // the elder's committee, for scope
	RegionName string `json:"region_name,omitempty"`

	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	// CategoryID and ItemID name the service asked for (optional).
	CategoryID int64 `json:"category_id,omitempty"`
	ItemID     int64 `json:"item_id,omitempty"`
	// Lines are the packages of a supply order.
	Lines    []OrderLine `json:"lines,omitempty"`
	TotalFen int64       `json:"total_fen"`

	// AssigneeOrgID is the organisation the order is dispatched to.
	AssigneeOrgID  int64     `json:"assignee_org_id,omitempty"`
	AssigneeName   string    `json:"assignee_name,omitempty"`
	ScheduledAt    time.Time `json:"scheduled_at,omitzero"`
	MergedInto     int64     `json:"merged_into,omitempty"`
	CallID         int64     `json:"call_id,omitempty"`
	CampaignTaskID int64     `json:"campaign_task_id,omitempty"`
	ParentID       int64     `json:"parent_id,omitempty"` // a complaint about an order
	CreatedByID    int64     `json:"created_by_id,omitempty"`
	CreatedByName  string    `json:"created_by_name,omitempty"`
	OwnerOrgID     int64     `json:"owner_org_id,omitempty"` // the hotline or committee that took it
	IdempotencyKey string    `json:"-"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
	PausedAt       time.Time `json:"paused_at,omitzero"`
	Overdue        bool      `json:"overdue"`
	// The SLA clocks' deadlines (zero when the clock never ran): accept
	// after dispatch, start after acceptance, complete (or reply, for
	// consultations and complaints) after intake.
	AcceptDueAt   time.Time `json:"accept_due_at,omitzero"`
	StartDueAt    time.Time `json:"start_due_at,omitzero"`
	CompleteDueAt time.Time `json:"complete_due_at,omitzero"`
	ReplyDueAt    time.Time `json:"reply_due_at,omitzero"`
	// DeliveryOutcome and CashFen record how a supply order was delivered
	// (gate, volunteer; failed for an attempt that did not reach the
	// elder) and the cash collected.
	DeliveryOutcome string `json:"delivery_outcome,omitempty"`
	CashFen         int64  `json:"cash_fen"`
	// NextDueAt is the next warning or deadline the SLA pass acts on;
	// Overdue is set once a deadline has passed and stays set as history;
	// LateSince is when the first deadline passed, while the order is late
	// now (cleared when it is closed, cancelled or merged).
	NextDueAt time.Time `json:"next_due_at,omitzero"`
	LateSince time.Time `json:"late_since,omitzero"`
}

// OrderLine is one line of a supply order: a package and how many.
type OrderLine struct {
	ItemID      int64  `json:"item_id"`
	ItemName    string `json:"item_name,omitempty"`
	Quantity    int    `json:"quantity"`
	UnitFen     int64  `json:"unit_fen"`
	SupplierID  int64  `json:"supplier_org_id,omitempty"`
	Description string `json:"description,omitempty"`
}

// MaxLineQuantity bounds one line of a supply order.
const MaxLineQuantity = 99

// OrderEvent is one step of an order's timeline: who did what, when, with
// a note and attachments.
type OrderEvent struct {
	ID          int64     `json:"id"`
	OrderID     int64     `json:"order_id"`
	At          time.Time `json:"at"`
	ActorID     int64     `json:"actor_id,omitempty"`
	ActorName   string    `json:"actor_name"`
	ActorOrgID  int64     `json:"actor_org_id,omitempty"`
	Action      string    `json:"action"`
	FromState   string    `json:"from_state"`
	ToState     string    `json:"to_state"`
	Note        string    `json:"note,omitempty"`
	TargetOrgID int64     `json:"target_org_id,omitempty"` // dispatch
	// ActorDisplayName, ActorOrgName and TargetOrgName name the actor, their
	// organisation and the organisation dispatched to, as they are called
	// now (ActorName is the account's username when it acted).
	ActorDisplayName string            `json:"actor_display_name,omitempty"`
	ActorOrgName     string            `json:"actor_org_name,omitempty"`
	TargetOrgName    string            `json:"target_org_name,omitempty"`
	Attachments      []OrderAttachment `json:"attachments,omitempty"`
}

// OrderAttachment is a photo attached to an order's event. Only images are
// accepted, checked by content.
type OrderAttachment struct {
	ID          int64     `json:"id"`
	EventID     int64     `json:"event_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	Data        []byte    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
}

// MaxAttachmentBytes bounds one photo.
const MaxAttachmentBytes = 8 << 20

// OrderAction is a request to move an order along its loop.
type OrderAction struct {
	Action string `json:"action"`
	// Version is the order's version the actor saw; a different current
	// version is a conflict (someone else acted first).
	Version     int       `json:"version"`
	Note        string    `json:"note,omitempty"`
	OrgID       int64     `json:"org_id,omitempty"`      // dispatch: to whom
	ItemID      int64     `json:"item_id,omitempty"`     // dispatch: the catalogue item (and price) chosen
	MergeInto   int64     `json:"merge_into,omitempty"`  // merge: the surviving order
	ScheduledAt time.Time `json:"scheduled_at,omitzero"` // schedule
	// Outcome and CashFen complete a supply order: gate or volunteer, and
	// the cash collected (0 when prepaid or free).
	Outcome     string            `json:"outcome,omitempty"`
	CashFen     int64             `json:"cash_fen,omitempty"`
	Attachments []OrderAttachment `json:"-"`
	// Auto marks a dispatch made by the category's automatic dispatch; the
	// timeline records it as auto_dispatch.
	Auto bool `json:"-"`
}

// MaxOrderCount is as far as an order list counts: a total above it is
// reported as MaxOrderCount+1 ("more than 10,000"), so that a list of a
// million orders costs a page, not a count of a million.
const MaxOrderCount = 10000

// OrderFilter selects orders for lists.
type OrderFilter struct {
	Query         string // order number or elder name
	Types         []string
	States        []string
	Urgency       string
	Within        string
	AssigneeOrgID int64
	ElderID       int64
	CreatedByID   int64
	Overdue       bool // late now (LateSince set)
	Open          bool
	// Sort is "" (newest first) or "due": by the next due point, or, with
	// Overdue, longest late first.
	Sort          string
	Offset, Limit int
}

// Validate checks a new order's fields.
func (o *Order) Validate() error {
	switch {
	case !slices.Contains(OrderTypes, o.Type):
		return ErrorKey(EINVALID, "err.order_type", "Unknown order type %q.", o.Type)
	case !slices.Contains(OrderChannels, o.Channel):
		return ErrorKey(EINVALID, "err.order_channel", "Unknown channel %q.", o.Channel)
	case !slices.Contains(OrderUrgencies, o.Urgency):
		return ErrorKey(EINVALID, "err.order_urgency", "Unknown urgency %q.", o.Urgency)
	case o.ElderID <= 0:
		return ErrorKey(EINVALID, "err.order_elder", "An order needs the elder it is for.")
	case strings.TrimSpace(o.Title) == "" && o.Type != TypeSupply:
		return ErrorKey(EINVALID, "err.order_title", "Say in a few words what is needed.")
	case utf8.RuneCountInString(o.Title) > 100:
		return ErrorKey(EINVALID, "err.order_title_long", "The summary has at most 100 characters.")
	case utf8.RuneCountInString(o.Description) > 4000:
		return ErrorKey(EINVALID, "err.order_description_long", "The description has at most 4,000 characters.")
	case o.Type == TypeSupply && len(o.Lines) == 0:
		return ErrorKey(EINVALID, "err.order_lines", "A supply order needs at least one package.")
	case o.Type != TypeSupply && len(o.Lines) > 0:
		return ErrorKey(EINVALID, "err.order_lines_supply_only", "Only supply orders have lines of packages.")
	}
	for _, l := range o.Lines {
		if l.Quantity < 1 || l.Quantity > MaxLineQuantity {
			return ErrorKey(EINVALID, "err.order_quantity", "A quantity is a whole number from 1 to %d.", MaxLineQuantity)
		}
		if l.ItemID <= 0 {
			return ErrorKey(EINVALID, "err.order_line_item", "Each line names a package.")
		}
	}
	return nil
}

// OrderService is the work order store.
type OrderService interface {
	CreateOrder(ctx context.Context, sc Scope, o *Order) error
	FindOrder(ctx context.Context, sc Scope, id int64) (*Order, error)
	FindOrders(ctx context.Context, sc Scope, f OrderFilter) ([]*Order, int, error)
	ActOnOrder(ctx context.Context, sc Scope, id int64, a OrderAction) (*Order, error)
	OrderEvents(ctx context.Context, sc Scope, id int64) ([]OrderEvent, error)
}

// Return visit states.
const (
	VisitDue         = "due"         // the satisfaction call is to be made
	VisitDone        = "done"        // the elder (or family) answered and scored
	VisitUnreachable = "unreachable" // given up after calls nobody answered
)

// ReturnVisit is the satisfaction call (回访) a completed order gets.
type ReturnVisit struct {
	ID               int64     `json:"id"`
	OrderID          int64     `json:"order_id"`
	ElderID          int64     `json:"elder_id"`
	DueAt            time.Time `json:"due_at"`
	State            string    `json:"state"`
	Score            int       `json:"score,omitempty"`
	Comment          string    `json:"comment,omitempty"`
	FamilyAnswered   bool      `json:"family_answered"`
	DoneAt           time.Time `json:"done_at,omitzero"`
	ComplaintOrderID int64     `json:"complaint_order_id,omitempty"`
	Calls            int       `json:"calls"`
}

// VisitResult is what an operator records after a return-visit call.
type VisitResult struct {
	// Reached is false when nobody answered; the visit stays due (or, with
	// GiveUp, ends unreachable).
	Reached        bool   `json:"reached"`
	GiveUp         bool   `json:"give_up,omitempty"`
	Score          int    `json:"score,omitempty"` // 1–5 when reached
	Comment        string `json:"comment,omitempty"`
	FamilyAnswered bool   `json:"family_answered,omitempty"`
}

// ComplaintScore is the highest satisfaction score that opens a complaint.
const ComplaintScore = 2

// Suggestion is an organisation an order may be dispatched to: an approved
// catalogue item of the order's category offered where the elder lives,
// with its provider's rating and current load.
type Suggestion struct {
	OrgID       int64   `json:"org_id"`
	OrgName     string  `json:"org_name"`
	ItemID      int64   `json:"item_id"`
	ItemName    string  `json:"item_name"`
	Unit        string  `json:"unit"`
	PriceFen    int64   `json:"price_fen"`
	Rating      float64 `json:"rating"` // 0 when unrated
	RatingCount int     `json:"rating_count"`
	// OpenOrders is how many orders the organisation has dispatched,
	// accepted or in service now.
	OpenOrders int `json:"open_orders"`
}

// PickRow is one supply order on a supplier's pick list: where it goes,
// for whom, and what to pack.
type PickRow struct {
	OrderID       int64       `json:"order_id"`
	Number        string      `json:"number"`
	State         string      `json:"state"`
	ElderName     string      `json:"elder_name"`
	Phone         string      `json:"phone"` // the elder's first number, canonical
	Address       string      `json:"address"`
	Compound      string      `json:"compound"` // see Compound
	StreetName    string      `json:"street_name"`
	CommitteeCode string      `json:"committee_code"`
	CommitteeName string      `json:"committee_name"`
	ScheduledAt   time.Time   `json:"scheduled_at,omitzero"`
	Lines         []OrderLine `json:"lines"`
	TotalFen      int64       `json:"total_fen"`
}

// compoundEnds are the words after which a Shanghai or Wuxi address has
// named its compound or building: 541弄, 5号, 曹杨新村, 兰花苑.
var compoundEnds = []string{"弄", "号", "小区", "新村", "村", "苑", "园", "里", "坊"}

// Compound returns the part of an address that names the compound (小区)
// a courier walks to: up to the first 弄, else the first 号, else the
// first compound word; the whole address when none is found.
// "淞滨路541弄54号602室" → "淞滨路541弄".
func Compound(address string) string {
	address = strings.TrimSpace(address)
	for _, end := range compoundEnds {
		if i := strings.Index(address, end); i > 0 {
			return address[:i+len(end)]
		}
	}
	return address
}
