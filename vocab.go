package anxin

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kinds of the lists administrators edit.
const (
	TermTag     = "tag"     // elder tags: 高龄, 失能, 低保 …
	TermDialect = "dialect" // preferred language or dialect on the phone: 普通话, 上海话 …
)

// TermKinds lists the kinds of lists in display order.
var TermKinds = []string{TermTag, TermDialect}

// Limits of a term's value and aliases.
const (
	MaxTermLen     = 20
	MaxAliasLen    = 40
	MaxTermAliases = 30
)

// TermSeparators are the characters that separate several values in one
// roster cell (高龄、低保 / 高龄,低保 / 高龄；低保 …). A value or alias
// cannot contain them, nor may a value contain spaces, which also separate
// tags.
const TermSeparators = ",，、;；/／\n\r\t|｜"

// Term is one value of an administrator-edited list: a tag an elder can
// carry or a dialect an elder prefers. Aliases are other spellings seen in
// rosters (上海方言, 沪语 for 上海话; 80岁以上 for 高龄) that resolve to
// Value. Position orders the list, from 1. A term that is not Active is no
// longer offered in forms and filters, but elders who carry it keep it and
// every write still accepts it.
type Term struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Value     string    `json:"value"`
	Aliases   []string  `json:"aliases"`
	Position  int       `json:"position"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate trims and checks the term's kind, value and aliases; aliases
// are de-duplicated, and an alias that only respells the value is dropped.
func (t *Term) Validate() error {
	if !slices.Contains(TermKinds, t.Kind) {
		return ErrorKey(EINVALID, "err.term_kind", "Unknown list %q: tag or dialect.", t.Kind)
	}
	t.Value = strings.TrimSpace(t.Value)
	switch n := utf8.RuneCountInString(t.Value); {
	case n == 0:
		return ErrorKey(EINVALID, "err.term_value_required", "The value is required.")
	case n > MaxTermLen:
		return ErrorKey(EINVALID, "err.term_value_long", "The value is too long (at most %d characters).", MaxTermLen)
	case strings.ContainsFunc(t.Value, func(r rune) bool { return unicode.IsSpace(r) || badTermRune(r) }):
		return ErrorKey(EINVALID, "err.term_value_chars", "The value %q cannot contain spaces or separators (, 、 ; / |).", t.Value)
	}
	seen := map[string]bool{TermKey(t.Value): true}
	var aliases []string
	for _, a := range t.Aliases {
		a = strings.Join(strings.Fields(a), " ")
		switch {
		case a == "":
			continue
		case utf8.RuneCountInString(a) > MaxAliasLen:
			return ErrorKey(EINVALID, "err.term_alias_long", "An alias is too long (at most %d characters).", MaxAliasLen)
		case strings.ContainsFunc(a, badTermRune):
			return ErrorKey(EINVALID, "err.term_alias_chars", "The alias %q cannot contain separators (, 、 ; / |).", a)
		}
		if k := TermKey(a); !seen[k] {
			seen[k] = true
			aliases = append(aliases, a)
		}
	}
	if len(aliases) > MaxTermAliases {
		return ErrorKey(EINVALID, "err.term_aliases_many", "At most %d aliases.", MaxTermAliases)
	}
	t.Aliases = nonNilStrings(aliases)
	return nil
}

// Keys returns the lookup keys of the value and every alias (see TermKey).
func (t *Term) Keys() []string {
	keys := []string{TermKey(t.Value)}
	for _, a := range t.Aliases {
		keys = append(keys, TermKey(a))
	}
	return keys
}

func badTermRune(r rune) bool {
	return strings.ContainsRune(TermSeparators, r) || unicode.IsControl(r)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// TermKey is what two spellings of a term must share to be the same: full
// width letters and digits folded to ASCII (８０ → 80), lower case, and no
// spaces of any width.
func TermKey(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= '！' && r <= '～': // full-width forms of ASCII
			r -= '！' - '!'
		}
		return unicode.ToLower(r)
	}, s)
}

// Vocabulary is the lists at one moment, for checking and canonicalising
// what people type and rosters hold. It is read-only once made.
type Vocabulary struct {
	terms map[string][]*Term // kind → terms by position
	keys  map[string]*Term   // kind + "\x00" + key → term
}

// NewVocabulary indexes terms, which are in position order per kind.
func NewVocabulary(terms []*Term) *Vocabulary {
	v := &Vocabulary{terms: map[string][]*Term{}, keys: map[string]*Term{}}
	for _, t := range terms {
		v.terms[t.Kind] = append(v.terms[t.Kind], t)
	}
	// Values first, so that a value always wins over another term's alias.
	for _, t := range terms {
		v.keys[t.Kind+"\x00"+TermKey(t.Value)] = t
	}
	for _, t := range terms {
		for _, k := range t.Keys()[1:] {
			if _, taken := v.keys[t.Kind+"\x00"+k]; !taken {
				v.keys[t.Kind+"\x00"+k] = t
			}
		}
	}
	return v
}

// Terms returns the kind's terms in order, deactivated ones included.
func (v *Vocabulary) Terms(kind string) []*Term { return v.terms[kind] }

// Active returns the kind's active terms in order: what forms offer.
func (v *Vocabulary) Active(kind string) []*Term {
	var out []*Term
	for _, t := range v.terms[kind] {
		if t.Active {
			out = append(out, t)
		}
	}
	return out
}

// Resolve returns the term that text names, by its value or an alias,
// ignoring case, character width and spaces; deactivated terms resolve
// too.
func (v *Vocabulary) Resolve(kind, text string) (*Term, bool) {
	t, ok := v.keys[kind+"\x00"+TermKey(text)]
	return t, ok
}

// Canonical returns the value of the term that text names (see Resolve),
// or EINVALID naming the list when it names none.
func (v *Vocabulary) Canonical(kind, text string) (string, error) {
	if t, ok := v.Resolve(kind, text); ok {
		return t.Value, nil
	}
	if kind == TermDialect {
		return "", ErrorKey(EINVALID, "err.unknown_dialect", "Dialect %q is not on the list of dialects.", text)
	}
	return "", ErrorKey(EINVALID, "err.unknown_tag", "Tag %q is not on the list of tags.", text)
}

// VocabService stores the lists. Anyone signed in may read them; only
// administrators of the platform organisation may change them
// (EFORBIDDEN otherwise).
type VocabService interface {
	// FindTerms lists the terms of kind ("" for every kind) in order,
	// deactivated ones only when all is set.
	FindTerms(ctx context.Context, kind string, all bool) ([]*Term, error)
	// FindTerm returns one term or ENOTFOUND.
	FindTerm(ctx context.Context, id int64) (*Term, error)
	// Vocabulary returns every list, for resolving values.
	Vocabulary(ctx context.Context) (*Vocabulary, error)
	// CreateTerm validates and appends a term to the end of its list.
	// ECONFLICT when the value or an alias already names a term of the list.
	CreateTerm(ctx context.Context, sc Scope, t *Term) error
	// UpdateTerm saves a term's value, aliases and active state. A new
	// value renames the term on every elder who carries it, with a history
	// entry each, and keeps the old value as an alias; it returns the
	// number of elders renamed.
	UpdateTerm(ctx context.Context, sc Scope, t *Term) (renamed int, err error)
	// MoveTerm moves a term to position (from 1) in its list.
	MoveTerm(ctx context.Context, sc Scope, id int64, position int) error
	// DeleteTerm removes a term that no elder carries; ECONFLICT otherwise.
	DeleteTerm(ctx context.Context, sc Scope, id int64) error
	// CountTermUse returns the number of elders who carry the term.
	CountTermUse(ctx context.Context, id int64) (int, error)
}
