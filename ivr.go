package anxin

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Languages and dialects a caller may choose and an operator may speak.
// Mandarin is the default: every prompt exists in it, and a caller who
// chooses nothing is served in it.
const (
	LangMandarin     = "zh"
	LangShanghainese = "wuu"
	LangCantonese    = "yue"
	LangEnglish      = "en"
)

// Languages lists the languages, Mandarin first.
func Languages() []string {
	return []string{LangMandarin, LangShanghainese, LangCantonese, LangEnglish}
}

// Menu actions: what a key of an IVR menu does.
const (
	// MenuQueue puts the caller in the queue named by the target.
	MenuQueue = "queue"
	// MenuSubmenu goes to the menu named by the target.
	MenuSubmenu = "menu"
	// MenuInfo plays the prompt named by the target, then the menu again.
	MenuInfo = "info"
	// MenuCallback takes the caller's number for a callback from the
	// queue named by the target (in the caller's place) and says goodbye.
	MenuCallback = "callback"
	// MenuMessage plays the prompt named by the target and hangs up.
	MenuMessage = "message"
	// MenuLanguage sets the caller's language (the target) — prompts and
	// the operators' skill — then goes to the menu named by Next (none:
	// this menu again).
	MenuLanguage = "language"
)

// MenuActions lists the actions.
func MenuActions() []string {
	return []string{MenuQueue, MenuSubmenu, MenuInfo, MenuCallback, MenuMessage, MenuLanguage}
}

// OperatorKey reaches a person from any menu: a menu may give it no other
// meaning.
const OperatorKey = "0"

// OperatorQueue is the queue OperatorKey leads to.
const OperatorQueue = "operator"

// MenuOption is one key of a menu.
type MenuOption struct {
	Key    string `json:"key"` // 0-9, * or #
	Action string `json:"action"`
	Target string `json:"target"`
	Next   string `json:"next,omitempty"` // MenuLanguage: the menu after
}

// Menu is an IVR menu: its greeting is played once on entry, then its
// prompt, then the caller has TimeoutSeconds to press a key (three tries).
type Menu struct {
	ID             int64        `json:"id"`
	Name           string       `json:"name"`
	Greeting       string       `json:"greeting,omitempty"`
	Prompt         string       `json:"prompt"`
	Options        []MenuOption `json:"options"`
	TimeoutSeconds int          `json:"timeout_seconds"`
	UpdatedAt      time.Time    `json:"updated_at,omitzero"`
	// Numbers are the hotline numbers whose calls start at this menu.
	Numbers []string `json:"numbers,omitempty"`
}

// Option returns the option of key.
func (m *Menu) Option(key string) (MenuOption, bool) {
	for _, o := range m.Options {
		if o.Key == key {
			return o, true
		}
	}
	return MenuOption{}, false
}

// Validate checks a menu on its own: names, keys, actions and targets'
// forms. Whether targets exist is checked where menus are stored.
func (m *Menu) Validate() error {
	m.Name = strings.TrimSpace(m.Name)
	switch {
	case m.Name == "" || len(m.Name) > 64:
		return ErrorKey(EINVALID, "err.menu_name", "A menu needs a name of at most 64 characters.")
	case !ValidPromptName(m.Prompt):
		return ErrorKey(EINVALID, "err.menu_prompt", "A menu needs a prompt (a prompt's name).")
	case m.Greeting != "" && !ValidPromptName(m.Greeting):
		return ErrorKey(EINVALID, "err.menu_prompt", "A menu needs a prompt (a prompt's name).")
	}
	if m.TimeoutSeconds == 0 {
		m.TimeoutSeconds = 8
	}
	if m.TimeoutSeconds < 2 || m.TimeoutSeconds > 60 {
		return ErrorKey(EINVALID, "err.menu_timeout", "A menu waits between 2 and 60 seconds for a key.")
	}
	seen := map[string]bool{}
	for i := range m.Options {
		o := &m.Options[i]
		o.Target, o.Next = strings.TrimSpace(o.Target), strings.TrimSpace(o.Next)
		if len(o.Key) != 1 || !strings.Contains("0123456789*#", o.Key) {
			return ErrorKey(EINVALID, "err.menu_key", "%q is no key of a telephone (0-9, * or #).", o.Key)
		}
		if seen[o.Key] {
			return ErrorKey(EINVALID, "err.menu_key_twice", "Key %s is used twice.", o.Key)
		}
		seen[o.Key] = true
		if o.Key == OperatorKey && (o.Action != MenuQueue || o.Target != OperatorQueue) {
			return ErrorKey(EINVALID, "err.menu_key_0", "Key 0 always reaches a person (the operator queue).")
		}
		var ok bool
		switch o.Action {
		case MenuQueue, MenuCallback:
			ok = ValidSkill(o.Target) // queue names have the form of skills
		case MenuSubmenu:
			ok = o.Target != "" && len(o.Target) <= 64 && o.Target != m.Name
		case MenuInfo, MenuMessage:
			ok = ValidPromptName(o.Target)
		case MenuLanguage:
			ok = slices.Contains(Languages(), o.Target)
		default:
			return ErrorKey(EINVALID, "err.menu_action", "%q is no menu action.", o.Action)
		}
		if !ok {
			return ErrorKey(EINVALID, "err.menu_target", "Key %s: %q is not a valid target for %s.", o.Key, o.Target, o.Action)
		}
	}
	slices.SortFunc(m.Options, func(a, b MenuOption) int { return strings.Compare(keyOrder(a.Key), keyOrder(b.Key)) })
	return nil
}

// keyOrder sorts keys as on a telephone: 1-9, 0, *, #.
func keyOrder(k string) string {
	switch k {
	case "0":
		return "9z"
	case "*":
		return "9zz"
	case "#":
		return "9zzz"
	}
	return k
}

// Queue is how an ACD queue serves its callers.
type Queue struct {
	Name  string `json:"name"`
	Label string `json:"label"`
	// Skill is what an operator needs to be offered the queue's calls
	// (besides the caller's language); "" any operator.
	Skill string `json:"skill,omitempty"`
	// OverflowSeconds: after so long a call goes to any ready operator,
	// skill or not.
	OverflowSeconds int `json:"overflow_seconds"`
	// MaxWaitSeconds: after so long the caller is offered a callback that
	// keeps their place.
	MaxWaitSeconds int `json:"max_wait_seconds"`
	// AnnounceSeconds: how often the caller hears their place (0 never).
	AnnounceSeconds int `json:"announce_seconds"`
}

// DefaultQueue is how a queue with no settings of its own serves.
func DefaultQueue(name string) Queue {
	return Queue{Name: name, Label: name, OverflowSeconds: 30, MaxWaitSeconds: 120, AnnounceSeconds: 30}
}

// Validate checks a queue's settings.
func (q *Queue) Validate() error {
	q.Label = strings.TrimSpace(q.Label)
	if q.Label == "" {
		q.Label = q.Name
	}
	switch {
	case !ValidSkill(q.Name):
		return ErrorKey(EINVALID, "err.queue_name", "A queue's name is 1 to 32 lower-case letters, digits, - or _.")
	case q.Skill != "" && !ValidSkill(q.Skill):
		return ErrorKey(EINVALID, "err.skill", "A skill is 1 to 32 lower-case letters, digits, - or _.")
	case q.OverflowSeconds < 0 || q.MaxWaitSeconds < 10 || q.MaxWaitSeconds > 3600 || q.AnnounceSeconds < 0 || q.AnnounceSeconds > 600:
		return ErrorKey(EINVALID, "err.queue_times", "Overflow 0 s or more, maximum wait 10 s to 1 h, announcements every 0 (never) to 600 s.")
	}
	return nil
}

// ValidSkill reports whether s has the form of a skill (and of a queue's
// name): 1 to 32 lower-case ASCII letters, digits, - or _.
func ValidSkill(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ValidPromptName reports whether s has the form of a prompt's name:
// lower_snake_case ASCII, at most 64 characters.
func ValidPromptName(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// CanTake reports whether an operator with skills may be offered a call
// of queue q in language lang before the queue overflows: she speaks the
// language (Mandarin is assumed of everyone) and has the queue's skill.
func CanTake(skills []string, q Queue, lang string) bool {
	if lang != "" && lang != LangMandarin && !slices.Contains(skills, lang) {
		return false
	}
	return q.Skill == "" || slices.Contains(skills, q.Skill)
}

// Prompt is a telephone prompt in one language: built in (Mandarin) or
// uploaded by staff.
type Prompt struct {
	Name           string    `json:"name"`
	Lang           string    `json:"lang"`
	Millis         int       `json:"millis"`
	Builtin        bool      `json:"builtin,omitempty"`
	UploadedBy     int64     `json:"uploaded_by,omitempty"`
	UploadedByName string    `json:"uploaded_by_name,omitempty"`
	UploadedAt     time.Time `json:"uploaded_at,omitzero"`
}

// String names a prompt for logs.
func (p Prompt) String() string { return fmt.Sprintf("%s/%s", p.Lang, p.Name) }
