package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/anxin-care/anxin"
)

// The script form: a block per question (key, type, wording in Mandarin
// and Shanghainese with the other languages folded away, the IVR prompt,
// the next question) with a row per option (key, wording, phone key, next
// question, and two actions — the second folded away — each a kind with
// its category, urgency, status or note), and blank blocks and rows to add
// to, as the IVR menu form has. Fields are named by position: q2_o1_a0_kind is the first
// action of the second option of the third question.

// Blank blocks and rows the form adds.
const (
	blankQuestions    = 1 // after the script's questions (3 for a new script)
	blankOptions      = 1 // after each question's options
	minOptionRows     = 3 // rows of a question without options
	actionsPerOption  = 2
	maxFormQuestions  = 60
	maxFormOptionRows = 30
)

// scriptLangs are the wording languages of the form; the first two are
// shown, the others folded away.
var scriptLangs = []string{anxin.LangMandarin, anxin.LangShanghainese, anxin.LangCantonese, anxin.LangEnglish}

// scriptForm is a script as the form shows and posts it.
type scriptForm struct {
	ID        int64
	Name      string
	Version   int // the version shown (0: new)
	Latest    int // the latest version
	Questions []questionForm
	Error     string
	// Invalid is the key (or 1-based number) of the question to fix.
	Invalid string
}

type questionForm struct {
	Index             int
	Key, Type         string
	Text              map[string]string
	Prompt, Next      string
	Options           []optionForm
	Invalid, Blank    bool
	HasOtherLanguages bool
}

type optionForm struct {
	Index     int
	Key, DTMF string
	Next      string
	Text      map[string]string
	Actions   []anxin.Action
	HasOthers bool
}

// Name returns a field's name for question q, option o (-1: the
// question's own), action a (-1: the option's own).
func fieldName(q, o, a int, field string) string {
	switch {
	case o < 0:
		return fmt.Sprintf("q%d_%s", q, field)
	case a < 0:
		return fmt.Sprintf("q%d_o%d_%s", q, o, field)
	}
	return fmt.Sprintf("q%d_o%d_a%d_%s", q, o, a, field)
}

// F names a field of the question.
func (q questionForm) F(field string) string { return fieldName(q.Index, -1, -1, field) }

// OF names a field of an option of the question.
func (q questionForm) OF(o optionForm, field string) string {
	return fieldName(q.Index, o.Index, -1, field)
}

// AF names a field of an action of an option of the question.
func (q questionForm) AF(o optionForm, a int, field string) string {
	return fieldName(q.Index, o.Index, a, field)
}

// scriptFormOf fills the form from a script (nil: a new one) and adds the
// blank blocks and rows.
func scriptFormOf(s *anxin.Script) *scriptForm {
	f := &scriptForm{}
	if s != nil {
		f.ID, f.Name, f.Version = s.ID, s.Name, s.Version
		for _, q := range s.Questions {
			qf := questionForm{Key: q.Key, Type: q.Type, Text: q.Text, Prompt: q.Prompt, Next: q.Next}
			for _, o := range q.Options {
				qf.Options = append(qf.Options, optionForm{Key: o.Key, DTMF: o.DTMF, Next: o.Next, Text: o.Text, Actions: o.Actions})
			}
			f.Questions = append(f.Questions, qf)
		}
	}
	f.pad()
	return f
}

// pad numbers the blocks and rows and adds the blank ones.
func (f *scriptForm) pad() {
	blank := blankQuestions
	if len(f.Questions) == 0 {
		blank = 3
	}
	for range blank {
		f.Questions = append(f.Questions, questionForm{Type: anxin.QuestionYesNo, Blank: true})
	}
	for i := range f.Questions {
		q := &f.Questions[i]
		q.Index = i
		if q.Text == nil {
			q.Text = map[string]string{}
		}
		q.HasOtherLanguages = q.Text[anxin.LangCantonese] != "" || q.Text[anxin.LangEnglish] != ""
		rows := len(q.Options) + blankOptions
		if len(q.Options) == 0 {
			rows = minOptionRows
		}
		for len(q.Options) < rows {
			q.Options = append(q.Options, optionForm{})
		}
		for j := range q.Options {
			o := &q.Options[j]
			o.Index = j
			if o.Text == nil {
				o.Text = map[string]string{}
			}
			o.HasOthers = o.Text[anxin.LangCantonese] != "" || o.Text[anxin.LangEnglish] != ""
			for len(o.Actions) < actionsPerOption {
				o.Actions = append(o.Actions, anxin.Action{})
			}
		}
	}
}

// scriptFormInput reads the posted form: blocks without key and Mandarin
// wording, options without key and wording and actions without kind are
// blank and left out.
func scriptFormInput(v url.Values, f *scriptForm) {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f.Name = get("name")
	f.Questions = nil
	for i := 0; i < maxFormQuestions; i++ {
		if _, ok := v[fieldName(i, -1, -1, "key")]; !ok {
			break
		}
		q := questionForm{Key: get(fieldName(i, -1, -1, "key")), Type: get(fieldName(i, -1, -1, "type")),
			Prompt: get(fieldName(i, -1, -1, "prompt")), Next: get(fieldName(i, -1, -1, "next")), Text: map[string]string{}}
		for _, l := range scriptLangs {
			if t := get(fieldName(i, -1, -1, "text_"+l)); t != "" {
				q.Text[l] = t
			}
		}
		for j := 0; j < maxFormOptionRows; j++ {
			if _, ok := v[fieldName(i, j, -1, "key")]; !ok {
				break
			}
			o := optionForm{Key: get(fieldName(i, j, -1, "key")), DTMF: get(fieldName(i, j, -1, "dtmf")),
				Next: get(fieldName(i, j, -1, "next")), Text: map[string]string{}}
			for _, l := range scriptLangs {
				if t := get(fieldName(i, j, -1, "text_"+l)); t != "" {
					o.Text[l] = t
				}
			}
			for a := 0; a < actionsPerOption; a++ {
				act := anxin.Action{Kind: get(fieldName(i, j, a, "kind")), Category: get(fieldName(i, j, a, "category")),
					Urgency: get(fieldName(i, j, a, "urgency")), Status: get(fieldName(i, j, a, "status")), Note: get(fieldName(i, j, a, "note"))}
				if act.Kind != "" {
					o.Actions = append(o.Actions, trimAction(act))
				}
			}
			if o.Key == "" && len(o.Text) == 0 {
				continue
			}
			q.Options = append(q.Options, o)
		}
		if q.Key == "" && len(q.Text) == 0 {
			continue
		}
		f.Questions = append(f.Questions, q)
	}
}

// script returns the script the form describes: only the options of
// choice questions count.
func (f *scriptForm) script() *anxin.Script {
	s := &anxin.Script{ID: f.ID, Name: f.Name}
	for _, qf := range f.Questions {
		q := anxin.Question{Key: qf.Key, Type: qf.Type, Text: qf.Text, Prompt: qf.Prompt, Next: qf.Next}
		if qf.Type == anxin.QuestionYesNo || qf.Type == anxin.QuestionSingle || qf.Type == anxin.QuestionMulti {
			for _, of := range qf.Options {
				var acts []anxin.Action
				for _, a := range of.Actions {
					if a.Kind != "" {
						acts = append(acts, a)
					}
				}
				q.Options = append(q.Options, anxin.Option{Key: of.Key, Text: of.Text, DTMF: of.DTMF, Next: of.Next, Actions: acts})
			}
		}
		s.Questions = append(s.Questions, q)
	}
	return s
}

// refuse marks the question an error is about.
func (f *scriptForm) refuse(p *Page, msgs catalog, err error) {
	f.Error = msgs.userMessage(p.Lang, err)
	var e *anxin.Error
	if !errors.As(err, &e) || len(e.Args) == 0 {
		return
	}
	switch a := e.Args[0].(type) {
	case string:
		f.Invalid = a
	case int:
		f.Invalid = fmt.Sprint(a)
	}
	for i := range f.Questions {
		q := &f.Questions[i]
		q.Invalid = f.Invalid != "" && (q.Key == f.Invalid || fmt.Sprint(i+1) == f.Invalid)
	}
}

// trimAction keeps only the detail that the action's kind uses.
func trimAction(a anxin.Action) anxin.Action {
	out := anxin.Action{Kind: a.Kind, Note: a.Note}
	switch a.Kind {
	case anxin.ActWorkOrder:
		out.Category = a.Category
	case anxin.ActEscalation:
		out.Urgency = a.Urgency
	case anxin.ActUpdateElder:
		out.Status = a.Status
	}
	return out
}
