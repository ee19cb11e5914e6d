package anxin

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
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
	LookupPhone(ctx context.Context, sc Scope, numbers ...string) ([]*Elder, error)
	CountElders(ctx context.Context) (int, error)
}

// ElderHistory is one recorded change of an elder's profile.
type ElderHistory struct {
	At        time.Time `json:"at"`
	ActorName string    `json:"actor"`
	Field     string    `json:"field"`
	Old       string    `json:"old"`
	New       string    `json:"new"`
}

var (
	genders   = []string{"", GenderMale, GenderFemale}
	livings   = []string{"", LivingAlone, LivingEldersOnly, LivingFamily}
	statuses  = []string{StatusActive, StatusMovedAway, StatusInHospital, StatusCareHome, StatusDeceased}
	labels    = []string{PhoneLandline, PhoneMobile, PhoneChild, PhoneNeighbour, PhoneOther}
	purposes  = []string{ConsentCheckIn, ConsentHealth, ConsentRecording}
	maxText   = 2000
	maxPhones = 10
)

// Validate checks the fields the registry needs in every elder: a name, a
// committee, known enumerations and sane lengths. Phone numbers and ID
// numbers must already be in canonical form (the registry package
// normalises them).
func (e *Elder) Validate() error {
	e.Name = strings.TrimSpace(e.Name)
	if e.Name == "" {
		return ErrorKey(EINVALID, "err.elder_name_required", "The elder's name is required.")
	}
	if utf8.RuneCountInString(e.Name) > 50 {
		return ErrorKey(EINVALID, "err.elder_name_long", "Name too long (at most 50 characters).")
	}
	if RegionLevel(e.RegionCode) != LevelCommittee {
		return ErrorKey(EINVALID, "err.elder_committee", "The elder must belong to a residents' or village committee.")
	}
	if e.Status == "" {
		e.Status = StatusActive
	}
	switch {
	case !slices.Contains(genders, e.Gender):
		return ErrorKey(EINVALID, "err.elder_gender", "Unknown gender %q.", e.Gender)
	case !slices.Contains(livings, e.Living):
		return ErrorKey(EINVALID, "err.elder_living", "Unknown living arrangement %q.", e.Living)
	case !slices.Contains(statuses, e.Status):
		return ErrorKey(EINVALID, "err.elder_status", "Unknown status %q.", e.Status)
	case len(e.Phones) > maxPhones:
		return ErrorKey(EINVALID, "err.elder_phones", "At most %d phone numbers.", maxPhones)
	}
	if e.BirthDate != "" {
		if _, err := time.Parse("2006-01-02", e.BirthDate); err != nil {
			return ErrorKey(EINVALID, "err.elder_birth", "Birth date must be YYYY-MM-DD.")
		}
	}
	for _, p := range e.Phones {
		if !slices.Contains(labels, p.Label) {
			return ErrorKey(EINVALID, "err.elder_phone_label", "Unknown phone label %q.", p.Label)
		}
	}
	for _, c := range e.Consents {
		if !slices.Contains(purposes, c.Purpose) {
			return ErrorKey(EINVALID, "err.elder_consent", "Unknown consent purpose %q.", c.Purpose)
		}
	}
	for _, s := range []string{e.Address, e.Hearing, e.BestTime, e.Health, e.Medication, e.Notes, e.Dialect} {
		if utf8.RuneCountInString(s) > maxText {
			return ErrorKey(EINVALID, "err.elder_text_long", "A text field is too long (at most %d characters).", maxText)
		}
	}
	return nil
}

// HasConsent reports whether the elder gave consent for purpose.
func (e *Elder) HasConsent(purpose string) bool {
	for _, c := range e.Consents {
		if c.Purpose == purpose {
			return c.Given
		}
	}
	return false
}

// Callable reports whether the elder's status allows calls.
func (e *Elder) Callable() bool { return e.Status == StatusActive }
