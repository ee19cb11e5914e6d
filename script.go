package anxin

import (
	"slices"
	"strings"
	"time"
)

// Question types of a campaign's script.
const (
	QuestionYesNo  = "yesno"
	QuestionSingle = "single"
	QuestionMulti  = "multi"
	QuestionNumber = "number"
	QuestionText   = "text"
)

// QuestionTypes lists them.
func QuestionTypes() []string {
	return []string{QuestionYesNo, QuestionSingle, QuestionMulti, QuestionNumber, QuestionText}
}

// What an answer does (an option's actions).
const (
	ActSupplyOrder = "supply_order" // a supply order (Note names the packages)
	ActWorkOrder   = "work_order"   // a service work order of Category
	ActEscalation  = "escalation"   // an escalation of Urgency
	ActCallback    = "callback"     // call the elder again (the operator picks the time)
	ActUpdateElder = "update_elder" // the elder's status becomes Status (moved, in hospital …)
)

// ActionKinds lists them.
func ActionKinds() []string {
	return []string{ActSupplyOrder, ActWorkOrder, ActEscalation, ActCallback, ActUpdateElder}
}

// Script is a version of a campaign's questionnaire. Editing it makes a
// new version; tasks and answers name the version they used.
type Script struct {
	ID        int64      `json:"id"`
	OrgID     int64      `json:"org_id"`
	Name      string     `json:"name"`
	Version   int        `json:"version"`
	Questions []Question `json:"questions"`
	CreatedAt time.Time  `json:"created_at,omitzero"`
	CreatedBy string     `json:"created_by,omitempty"`
}

// Question is one question. Text holds its wording per language (zh
// required; wuu Shanghainese …), Prompt the IVR prompt that asks it.
type Question struct {
	Key     string            `json:"key"`
	Type    string            `json:"type"`
	Text    map[string]string `json:"text"`
	Prompt  string            `json:"prompt,omitempty"`
	Options []Option          `json:"options,omitempty"`
	// Next is the question after this one ("" the end) unless the option
	// chosen says otherwise.
	Next string `json:"next,omitempty"`
}

// Option is a possible answer of a choice question.
type Option struct {
	Key     string            `json:"key"`
	Text    map[string]string `json:"text"`
	DTMF    string            `json:"dtmf,omitempty"` // the key that answers it on the phone
	Next    string            `json:"next,omitempty"`
	Actions []Action          `json:"actions,omitempty"`
}

// Action is what an answer makes happen.
type Action struct {
	Kind     string `json:"kind"`
	Category string `json:"category,omitempty"`
	Urgency  string `json:"urgency,omitempty"`
	Status   string `json:"status,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Wording returns a question's or option's text in lang, else Mandarin.
func Wording(text map[string]string, lang string) string {
	if s := text[lang]; s != "" {
		return s
	}
	return text[LangMandarin]
}

// Question returns the question of key.
func (s *Script) Question(key string) (Question, bool) {
	for _, q := range s.Questions {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// IVRCapable reports whether the script can be asked by the machine: every
// question is yes/no or single choice, has a prompt, and each option a key.
func (s *Script) IVRCapable() bool {
	for _, q := range s.Questions {
		if (q.Type != QuestionYesNo && q.Type != QuestionSingle) || q.Prompt == "" {
			return false
		}
		for _, o := range q.Options {
			if o.DTMF == "" {
				return false
			}
		}
	}
	return len(s.Questions) > 0
}

// Validate checks a script: names, question types, wording in Mandarin,
// options of choice questions, keys, actions, and that the questions lead
// only forward (no loop) to questions that exist.
func (s *Script) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	if s.Name == "" || len([]rune(s.Name)) > 80 {
		return ErrorKey(EINVALID, "err.script_name", "A script needs a name of at most 80 characters.")
	}
	if len(s.Questions) == 0 || len(s.Questions) > 50 {
		return ErrorKey(EINVALID, "err.script_questions", "A script has 1 to 50 questions.")
	}
	keys := map[string]int{}
	for i, q := range s.Questions {
		if !ValidSkill(q.Key) {
			return ErrorKey(EINVALID, "err.script_key", "Question %d: a key is 1 to 32 lower-case letters, digits, - or _.", i+1)
		}
		if _, dup := keys[q.Key]; dup {
			return ErrorKey(EINVALID, "err.script_key_twice", "Question key %q is used twice.", q.Key)
		}
		keys[q.Key] = i
	}
	for _, q := range s.Questions {
		if !slices.Contains(QuestionTypes(), q.Type) {
			return ErrorKey(EINVALID, "err.script_type", "Question %q: %q is no question type.", q.Key, q.Type)
		}
		if strings.TrimSpace(q.Text[LangMandarin]) == "" {
			return ErrorKey(EINVALID, "err.script_text", "Question %q needs its Mandarin wording.", q.Key)
		}
		if q.Prompt != "" && !ValidPromptName(q.Prompt) {
			return ErrorKey(EINVALID, "err.menu_prompt", "A menu needs a prompt (a prompt's name).")
		}
		choice := q.Type == QuestionYesNo || q.Type == QuestionSingle || q.Type == QuestionMulti
		if choice != (len(q.Options) > 0) || q.Type == QuestionYesNo && len(q.Options) != 2 {
			return ErrorKey(EINVALID, "err.script_options", "Question %q: choice questions have options (yes/no: two), others none.", q.Key)
		}
		if err := s.checkNext(keys, q.Key, q.Next); err != nil {
			return err
		}
		seen, dtmf := map[string]bool{}, map[string]bool{}
		for _, o := range q.Options {
			if !ValidSkill(o.Key) || seen[o.Key] || strings.TrimSpace(o.Text[LangMandarin]) == "" {
				return ErrorKey(EINVALID, "err.script_option", "Question %q: each option needs its own key and Mandarin wording.", q.Key)
			}
			seen[o.Key] = true
			if o.DTMF != "" {
				if len(o.DTMF) != 1 || !strings.Contains("123456789*#", o.DTMF) || dtmf[o.DTMF] {
					return ErrorKey(EINVALID, "err.script_dtmf", "Question %q: each option's phone key is its own, 1-9, * or # (0 reaches a person).", q.Key)
				}
				dtmf[o.DTMF] = true
			}
			if err := s.checkNext(keys, q.Key, o.Next); err != nil {
				return err
			}
			for _, a := range o.Actions {
				if !slices.Contains(ActionKinds(), a.Kind) {
					return ErrorKey(EINVALID, "err.script_action", "Question %q: %q is no action.", q.Key, a.Kind)
				}
				if a.Kind == ActEscalation && a.Urgency != "" && !slices.Contains(OrderUrgencies, a.Urgency) {
					return ErrorKey(EINVALID, "err.script_action", "Question %q: %q is no action.", q.Key, a.Urgency)
				}
			}
		}
	}
	return nil
}

// checkNext checks that from leads to a later question (or the end): a
// script only goes forward, so it always ends.
func (s *Script) checkNext(keys map[string]int, from, next string) error {
	if next == "" {
		return nil
	}
	if j, ok := keys[next]; !ok || j <= keys[from] {
		return ErrorKey(EINVALID, "err.script_next", "Question %q leads to %q, which is not a later question.", from, next)
	}
	return nil
}
