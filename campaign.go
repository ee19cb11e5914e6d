package anxin

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Campaign types (issue 6).
const (
	CampaignSupply       = "supply"       // 保供: do you have food, rice, oil, meat?
	CampaignWellness     = "wellness"     // 关爱: how are you?
	CampaignPolicy       = "policy"       // 服务找人: a benefit the elder may not know of
	CampaignSatisfaction = "satisfaction" // return visits of completed orders
	CampaignCustom       = "custom"
)

// CampaignTypes lists the types.
func CampaignTypes() []string {
	return []string{CampaignSupply, CampaignWellness, CampaignPolicy, CampaignSatisfaction, CampaignCustom}
}

// Dial modes: how a campaign's calls are placed.
const (
	DialManual      = "manual"      // the operator dials on her own phone and records the outcome
	DialPreview     = "preview"     // the operator reads the card and clicks to call through Anxin
	DialProgressive = "progressive" // Anxin dials as operators become ready
	DialAgentless   = "agentless"   // recorded prompts and keys, no operator
)

// DialModes lists the modes.
func DialModes() []string {
	return []string{DialManual, DialPreview, DialProgressive, DialAgentless}
}

// Campaign states. A campaign is never deleted: it is archived.
const (
	CampaignDraft    = "draft"
	CampaignRunning  = "running"
	CampaignPaused   = "paused"
	CampaignEnded    = "ended"
	CampaignArchived = "archived"
)

// Campaign is an outbound calling campaign.
type Campaign struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Type    string `json:"type"`
	Mode    string `json:"mode"`
	State   string `json:"state"`
	OrgID   int64  `json:"org_id"` // the owner
	OrgName string `json:"org_name,omitempty"`
	// RegionCode is the area the campaign covers (within the owner's).
	RegionCode string `json:"region_code"`
	// StartsOn and EndsOn bound it (dates, China time; EndsOn may be "").
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on,omitempty"`
	// Windows are the calling windows on working days, "09:00-11:30".
	Windows []string `json:"windows"`
	// MaxAttempts per elder (over all the elder's numbers); RetryMinutes
	// between attempts within a window.
	MaxAttempts  int `json:"max_attempts"`
	RetryMinutes int `json:"retry_minutes"`
	// Target selects the elders; tasks are made from it.
	Target Target `json:"target"`
	// ScriptID is the campaign's questionnaire; its versions are numbered.
	ScriptID  int64     `json:"script_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// DefaultWindows are the calling windows when a campaign names none.
func DefaultWindows() []string { return []string{"09:00-11:30", "14:00-17:30"} }

// Target selects elders for a campaign: within a region subtree, with all
// the tags, any of the living arrangements and dialects, of an age, with
// the consent, and not reached since a number of days. Elders who are not
// active (moved, in hospital, deceased …) and those who opted out are
// never targeted.
type Target struct {
	Within   string   `json:"within,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Living   []string `json:"living,omitempty"`
	Dialects []string `json:"dialects,omitempty"`
	MinAge   int      `json:"min_age,omitempty"`
	MaxAge   int      `json:"max_age,omitempty"`
	// Consent, when set, is a purpose the elder must have consented to
	// (ConsentCheckIn for agentless calls).
	Consent string `json:"consent,omitempty"`
	// NotReachedDays: no successful contact for at least so many days.
	NotReachedDays int `json:"not_reached_days,omitempty"`
	// WithOpenOrders: only elders with an open work order.
	WithOpenOrders bool `json:"with_open_orders,omitempty"`
}

// Validate checks a campaign's own fields.
func (c *Campaign) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	if c.Name == "" || len([]rune(c.Name)) > 80 {
		return ErrorKey(EINVALID, "err.campaign_name", "A campaign needs a name of at most 80 characters.")
	}
	if !slices.Contains(CampaignTypes(), c.Type) {
		return ErrorKey(EINVALID, "err.campaign_type", "%q is no campaign type.", c.Type)
	}
	if !slices.Contains(DialModes(), c.Mode) {
		return ErrorKey(EINVALID, "err.campaign_mode", "%q is no dial mode.", c.Mode)
	}
	if _, err := time.Parse(time.DateOnly, c.StartsOn); err != nil {
		return ErrorKey(EINVALID, "err.campaign_dates", "Dates are YYYY-MM-DD, the end not before the start.")
	}
	if c.EndsOn != "" && (c.EndsOn < c.StartsOn || !validDate(c.EndsOn)) {
		return ErrorKey(EINVALID, "err.campaign_dates", "Dates are YYYY-MM-DD, the end not before the start.")
	}
	if len(c.Windows) == 0 {
		c.Windows = DefaultWindows()
	}
	for _, w := range c.Windows {
		if _, _, err := ParseWindow(w); err != nil {
			return err
		}
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 3
	}
	if c.RetryMinutes == 0 {
		c.RetryMinutes = 60
	}
	if c.MaxAttempts < 1 || c.MaxAttempts > 20 || c.RetryMinutes < 5 || c.RetryMinutes > 24*60 {
		return ErrorKey(EINVALID, "err.campaign_attempts", "1 to 20 attempts, 5 minutes to a day apart.")
	}
	if c.Target.MinAge < 0 || c.Target.MaxAge < 0 || c.Target.MaxAge != 0 && c.Target.MaxAge < c.Target.MinAge || c.Target.NotReachedDays < 0 {
		return ErrorKey(EINVALID, "err.campaign_target", "The target's ages and days must be sensible.")
	}
	return nil
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// ParseWindow reads a calling window "HH:MM-HH:MM" into minutes after
// midnight (China time); "24:00" ends a window at midnight.
func ParseWindow(w string) (from, to int, err error) {
	bad := ErrorKey(EINVALID, "err.campaign_window", "%q is no calling window (e.g. 09:00-11:30).", w)
	a, b, ok := strings.Cut(strings.TrimSpace(w), "-")
	if !ok {
		return 0, 0, bad
	}
	parse := func(s string) (int, bool) {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, true // the end of the day
		}
		t, err := time.Parse("15:04", strings.TrimSpace(s))
		if err != nil {
			return 0, false
		}
		return t.Hour()*60 + t.Minute(), true
	}
	from, ok1 := parse(a)
	to, ok2 := parse(b)
	if !ok1 || !ok2 || to <= from {
		return 0, 0, bad
	}
	return from, to, nil
}

// Task states.
const (
	TaskPending = "pending" // to call at next_at
	TaskLeased  = "leased"  // being called; the lease expires
	TaskDone    = "done"    // reached, or ended for good (see Disposition)
	TaskFailed  = "failed"  // every attempt failed: the welfare chain takes over
)

// Dispositions: how an attempt, and finally a task, ended.
const (
	DispCompleted   = "completed"
	DispRefused     = "refused"
	DispCallback    = "callback" // asked to be called at a time
	DispWrongNumber = "wrong_number"
	DispNoAnswer    = "no_answer"
	DispBusy        = "busy"
	DispUnreachable = "unreachable"
	DispMoved       = "moved"
	DispDeceased    = "deceased"
)

// Dispositions lists them.
func Dispositions() []string {
	return []string{DispCompleted, DispRefused, DispCallback, DispWrongNumber, DispNoAnswer, DispBusy, DispUnreachable, DispMoved, DispDeceased}
}

// Final reports whether a disposition ends its task: the elder was
// reached (completed, refused) or is gone (moved, deceased).
func FinalDisposition(d string) bool {
	return d == DispCompleted || d == DispRefused || d == DispMoved || d == DispDeceased
}

// Task is one elder to call in a campaign.
type Task struct {
	ID         int64  `json:"id"`
	CampaignID int64  `json:"campaign_id"`
	ElderID    int64  `json:"elder_id"`
	ElderName  string `json:"elder_name,omitempty"`
	RegionCode string `json:"region_code"`
	State      string `json:"state"`
	Priority   int    `json:"priority"`
	// Attempts made so far; PhoneRank is the elder's number the next
	// attempt rings (0 first).
	Attempts  int       `json:"attempts"`
	PhoneRank int       `json:"phone_rank"`
	NextAt    time.Time `json:"next_at"`
	// LeaseOwner and LeaseUntil: who is calling, until when.
	LeaseOwner  string    `json:"lease_owner,omitempty"`
	LeaseUntil  time.Time `json:"lease_until,omitzero"`
	Disposition string    `json:"disposition,omitempty"`
	DoneAt      time.Time `json:"done_at,omitzero"`
	// OrderID is the completed order a satisfaction task's call is the
	// return visit of (0 for other tasks).
	OrderID int64 `json:"order_id,omitempty"`
}

// String names a task in logs.
func (t *Task) String() string {
	return fmt.Sprintf("task %d (campaign %d, elder %d)", t.ID, t.CampaignID, t.ElderID)
}

// DispInterrupted ends an attempt whose caller vanished (a node restarted,
// an operator's lease ran out) before saying how it went; it counts as an
// attempt and the task is tried again.
const DispInterrupted = "interrupted"

// chinaTime is the campaigns' clock: windows and days are China's.
var chinaTime = time.FixedZone("CST", 8*3600)

// NextCallTime returns the first instant at or after t that lies in one of
// the calling windows on a working day (China time); isWorkday says which
// days are (the holiday calendar). Windows must be valid (ParseWindow). It
// looks a year ahead at most and returns t when nothing fits.
func NextCallTime(t time.Time, windows []string, isWorkday func(time.Time) bool) time.Time {
	local := t.In(chinaTime)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, chinaTime)
	for i := 0; i < 366; i++ {
		d := day.AddDate(0, 0, i)
		if !isWorkday(d.Add(12 * time.Hour)) {
			continue
		}
		best := time.Time{}
		for _, w := range windows {
			from, to, err := ParseWindow(w)
			if err != nil {
				continue
			}
			start, end := d.Add(time.Duration(from)*time.Minute), d.Add(time.Duration(to)*time.Minute)
			switch {
			case !t.Before(end):
				continue
			case t.After(start):
				start = t
			}
			if best.IsZero() || start.Before(best) {
				best = start
			}
		}
		if !best.IsZero() {
			return best
		}
	}
	return t
}
