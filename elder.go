package anxin

import (
	"context"
	"time"
)

// Genders.
const (
	GenderMale   = "M"
	GenderFemale = "F"
)

// Living arrangements.
const (
	LivingAlone      = "alone"       // 独居
	LivingEldersOnly = "elders_only" // 纯老家庭
	LivingFamily     = "family"      // 与家人同住
)

// Elder statuses. Every status but active stops all calls.
const (
	StatusActive     = "active"
	StatusMovedAway  = "moved_away"
	StatusInHospital = "in_hospital"
	StatusCareHome   = "care_home"
	StatusDeceased   = "deceased"
)

// Phone labels.
const (
	PhoneLandline  = "landline"
	PhoneMobile    = "mobile"
	PhoneChild     = "child"
	PhoneNeighbour = "neighbour"
	PhoneOther     = "other"
)

// Consent purposes (PIPL: separate consent per purpose).
const (
	ConsentCheckIn   = "checkin"   // check-in calls
	ConsentHealth    = "health"    // health data
	ConsentRecording = "recording" // call recording
)

// Phone is one of an elder's numbers, in canonical form (see package
// phone), ordered by preference (0 first).
type Phone struct {
	Number string `json:"number"`
	Label  string `json:"label"`
	Rank   int    `json:"rank"`
}

// Contact is an emergency contact.
type Contact struct {
	Name     string   `json:"name"`
	Relation string   `json:"relation"`
	Phones   []string `json:"phones"`
}

// Consent records one purpose the elder agreed to, when, and how we know
// (paper form, phone call, committee).
type Consent struct {
	Purpose string    `json:"purpose"`
	Given   bool      `json:"given"`
	At      time.Time `json:"at"`
	Source  string    `json:"source"`
}

// Elder is an older person in the registry.
type Elder struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Gender     string    `json:"gender,omitempty"`
	BirthDate  string    `json:"birth_date,omitempty"` // YYYY-MM-DD
	IDNumber   string    `json:"id_number,omitempty"`  // 18-character resident ID, masked unless revealed
	Phones     []Phone   `json:"phones"`
	RegionCode string    `json:"region_code"` // the committee
	RegionName string    `json:"region_name,omitempty"`
	Address    string    `json:"address,omitempty"` // building / unit / room
	Living     string    `json:"living,omitempty"`
	Tags       []string  `json:"tags"`
	Dialect    string    `json:"dialect,omitempty"`
	Hearing    string    `json:"hearing,omitempty"`
	BestTime   string    `json:"best_time,omitempty"`
	Health     string    `json:"health,omitempty"`     // sensitive
	Medication string    `json:"medication,omitempty"` // sensitive
	Contacts   []Contact `json:"contacts"`
	Consents   []Consent `json:"consents"`
	Status     string    `json:"status"`
	Notes      string    `json:"notes,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
	// LastContactAt is the last time anyone reached the elder (calls fill it
	// in later issues).
	LastContactAt time.Time `json:"last_contact_at,omitzero"`
}

// ElderFilter selects elders. Scope is always applied.
type ElderFilter struct {
	Query           string // name, pinyin, initials, phone tail, ID tail, address fragment
	Within          string // region subtree
	Tags            []string
	Living          string
	Status          string
	Dialect         string
	MinAge, MaxAge  int
	NotContactedFor int // days
	Sort            string
	Offset, Limit   int
}

// ElderService stores the registry. Reads outside the scope answer
// ENOTFOUND; writes outside it EFORBIDDEN.
type ElderService interface {
	FindElder(ctx context.Context, sc Scope, id int64) (*Elder, error)
	FindElders(ctx context.Context, sc Scope, f ElderFilter) ([]*Elder, int, error)
	CreateElder(ctx context.Context, sc Scope, e *Elder) error
	UpdateElder(ctx context.Context, sc Scope, e *Elder) error
	// LookupPhone returns every elder in scope who has the canonical number,
	// as their own phone or an emergency contact's.
	LookupPhone(ctx context.Context, sc Scope, number string) ([]*Elder, error)
	CountElders(ctx context.Context) (int, error)
}
