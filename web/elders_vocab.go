package web

import (
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/registry"
)

// Tags and dialects of elders come from the lists administrators edit
// (vocab.go). The form offers the active values in order; a value the
// elder already carries stays offered, ticked, even when it was
// deactivated, so that saving the form never drops it. Form and API accept
// any value on a list, by its value or an alias, and store the value.

// checkElderTerms puts e's tags and dialect into their listed spelling
// and returns a problem for each that names nothing on its list. A value
// cur already carries is kept as it is, listed or not.
func checkElderTerms(v *anxin.Vocabulary, e, cur *anxin.Elder) []*registry.FieldError {
	var errs []*registry.FieldError
	tags := []string{}
	for _, t := range e.Tags {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		switch term, ok := v.Resolve(anxin.TermTag, t); {
		case ok:
			t = term.Value
		case cur != nil && slices.Contains(cur.Tags, t):
		default:
			errs = append(errs, &registry.FieldError{Field: "tags", Reason: registry.ReasonUnknownTag, Value: truncate(t, 40), Detail: "not on the list of tags"})
			continue
		}
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	e.Tags = tags
	if d := strings.TrimSpace(e.Dialect); d != "" {
		switch term, ok := v.Resolve(anxin.TermDialect, d); {
		case ok:
			e.Dialect = term.Value
		case cur != nil && cur.Dialect == d:
			e.Dialect = d
		default:
			errs = append(errs, &registry.FieldError{Field: "dialect", Reason: registry.ReasonUnknownDialect, Value: truncate(d, 40), Detail: "not on the list of dialects"})
		}
	} else {
		e.Dialect = ""
	}
	return errs
}

// termChoice is one tag checkbox or dialect option of the form and the
// search filters.
type termChoice struct {
	Value   string
	Checked bool
	// Note says why a value the list does not offer is shown: it was
	// deactivated, or it is not on the list at all.
	Note string
}

// noteOf explains why value is shown though the list does not offer it.
func noteOf(p *Page, v *anxin.Vocabulary, kind, value string) string {
	if t, ok := v.Resolve(kind, value); ok && t.Value == value {
		return p.T("elders.term_inactive")
	}
	return p.T("elders.term_unlisted")
}

// termChoices lists the active terms of kind in order, checked when
// chosen, then every chosen value they do not include, with a note.
func termChoices(p *Page, v *anxin.Vocabulary, kind string, chosen []string) []termChoice {
	var out []termChoice
	offered := map[string]bool{}
	for _, t := range v.Active(kind) {
		offered[t.Value] = true
		out = append(out, termChoice{Value: t.Value, Checked: slices.Contains(chosen, t.Value)})
	}
	for _, c := range chosen {
		if c != "" && !offered[c] {
			offered[c] = true
			out = append(out, termChoice{Value: c, Checked: true, Note: noteOf(p, v, kind, c)})
		}
	}
	return out
}

// termFilter is what a search filter offers for one list: the active
// terms, then in a group the deactivated ones (elders may still carry
// them) and the current filter value when it is neither.
type termFilter struct {
	Active, Retired []termChoice
	RetiredLabel    string
}

func newTermFilter(p *Page, v *anxin.Vocabulary, kind, current string) termFilter {
	f := termFilter{RetiredLabel: p.T("elders.term_inactive_group")}
	seen := false
	for _, t := range v.Terms(kind) {
		c := termChoice{Value: t.Value, Checked: t.Value == current}
		seen = seen || c.Checked
		if t.Active {
			f.Active = append(f.Active, c)
		} else {
			f.Retired = append(f.Retired, c)
		}
	}
	if current != "" && !seen {
		f.Retired = append(f.Retired, termChoice{Value: current, Checked: true, Note: p.T("elders.term_unlisted")})
	}
	return f
}
