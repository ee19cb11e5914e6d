package registry

import (
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
)

// splitCell cuts a roster cell at the separators people put between
// values: 、 ， , ； ; / | and line breaks.
func splitCell(cell string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(anxin.TermSeparators, r) }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// rosterTags reads the tag cells of a row through the list of tags: each
// part of a cell (see splitCell) is a value or an alias, or else words
// separated by spaces that each are ("高龄 低保"). A part that names no tag
// is a problem, except 独居 and 纯老, which rosters put among the tags
// and which say how the elder lives: living is set from them when empty.
// Tags come out canonical and without repeats.
func rosterTags(v *anxin.Vocabulary, cells []string, living *string) ([]string, []*FieldError) {
	var tags []string
	var errs []*FieldError
	add := func(t string) {
		if !slices.Contains(tags, t) {
			tags = append(tags, t)
		}
	}
	for _, cell := range cells {
		for _, part := range splitCell(cell) {
			if t, ok := v.Resolve(anxin.TermTag, part); ok {
				add(t.Value)
				continue
			}
			for _, word := range strings.Fields(part) {
				if t, ok := v.Resolve(anxin.TermTag, word); ok {
					add(t.Value)
				} else if l := livingTag(word); l != "" {
					if *living == "" {
						*living = l
					}
				} else {
					errs = append(errs, &FieldError{Field: "tags", Reason: ReasonUnknownTag, Value: word, Detail: "not on the list of tags"})
				}
			}
		}
	}
	return tags, errs
}

// livingTag reads the living arrangements rosters list among tags.
func livingTag(s string) string {
	switch {
	case strings.Contains(s, "纯老"):
		return anxin.LivingEldersOnly
	case strings.Contains(s, "独居"):
		return anxin.LivingAlone
	}
	return ""
}

// rosterDialect reads a dialect cell through the list of dialects. A cell
// may name several ("上海话/普通话"): each must be on the list, and the
// first, which rosters write as the preferred one, is kept.
func rosterDialect(v *anxin.Vocabulary, cell string) (string, []*FieldError) {
	var first string
	var errs []*FieldError
	for _, part := range splitCell(cell) {
		t, ok := v.Resolve(anxin.TermDialect, part)
		switch {
		case !ok:
			errs = append(errs, &FieldError{Field: "dialect", Reason: ReasonUnknownDialect, Value: part, Detail: "not on the list of dialects"})
		case first == "":
			first = t.Value
		}
	}
	return first, errs
}
