package store

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/namekey"
)

// maxRune bounds a prefix range of UTF-8 text: every string starting with
// p sorts below p + maxRune (bytewise, as SQLite's BINARY and PostgreSQL's
// C collation compare).
const maxRune = "\U0010FFFF"

// addressHints are characters that make a search text an address fragment
// rather than a name.
const addressHints = "路街弄号栋幢室楼村园苑巷里坊单元"

// searchElders adds the condition for the one search box: digits search
// phone and ID tails (and whole numbers), letters search pinyin and
// initials, Chinese searches the start of the name or, with an address
// word (路, 弄, 号 …), the address. Each form is an index range, except
// address fragments, which scan the scoped rows.
func (w *where) searchElders(q string) {
	q = strings.TrimSpace(q)
	if q == "" {
		return
	}
	d := digits(q)
	switch {
	case len(d) >= 3 && len(d)+1 == len(q) && (q[len(q)-1] == 'x' || q[len(q)-1] == 'X'):
		// The tail of an ID number ending in the check character X.
		rev := "X" + reverse(d)
		w.add("e.id_rev >= ? AND e.id_rev < ?", rev, rev+":")
	case d != "" && len(d) == len(strings.Map(dropSeparators, q)):
		rev := reverse(d)
		w.add("(e.id IN (SELECT elder_id FROM elder_phones WHERE number_rev >= ? AND number_rev < ?) OR (e.id_rev >= ? AND e.id_rev < ?))",
			rev, rev+":", rev, rev+":")
	case namekey.IsKey(q):
		// Sorted other than by name; by name, see findByKey.
		k := strings.ToLower(q)
		w.add("((e.name_initials >= ? AND e.name_initials < ?) OR (e.name_pinyin >= ? AND e.name_pinyin < ?))", k, k+"{", k, k+"{")
	case strings.ContainsAny(q, addressHints) || strings.ContainsFunc(q, unicode.IsDigit):
		w.add(`e.address LIKE ? ESCAPE '\'`, likePattern(q))
	default:
		w.add("e.name >= ? AND e.name < ?", q, q+maxRune)
	}
}

// dropSeparators removes what people type between digits (spaces, dashes,
// brackets) and keeps everything else.
func dropSeparators(r rune) rune {
	if strings.ContainsRune(" -()（）+", r) {
		return -1
	}
	return r
}

// FindElders searches the registry in scope, ordered by name pinyin (or
// f.Sort), and returns a page and the total count. Letters typed in the
// search box list the elders whose pinyin starts with them first, then
// those whose initials do (wxy: 王秀英): each part read in the order of its
// index, so that two letters matching 17,000 elders of a city cost a page,
// not a sort of them all.
func (db *DB) FindElders(ctx context.Context, sc anxin.Scope, f anxin.ElderFilter) ([]*anxin.Elder, int, error) {
	var w where
	w.scopeElders(sc)
	db.filterElders(&w, f)
	if q := strings.TrimSpace(f.Query); namekey.IsKey(q) && (f.Sort == "" || f.Sort == "name") {
		return db.findByKey(ctx, w, strings.ToLower(q), f.Offset, f.Limit)
	}
	w.searchElders(f.Query)
	total, err := db.countElders(ctx, w)
	if err != nil {
		return nil, 0, err
	}
	order := " ORDER BY e.name_pinyin, e.id"
	switch f.Sort {
	case "age":
		order = " ORDER BY e.birth_date, e.id"
	case "updated":
		order = " ORDER BY e.updated_at DESC, e.id DESC"
	case "region":
		order = " ORDER BY e.region_code, e.name_pinyin, e.id"
	}
	out, err := db.pageElders(ctx, w, order, f.Offset, f.Limit)
	return out, total, err
}

// filterElders adds the filters other than the search box.
func (db *DB) filterElders(w *where, f anxin.ElderFilter) {
	if f.Within != "" {
		w.subtree("e.region_code", f.Within)
	}
	for _, t := range f.Tags {
		w.add(`e.tags LIKE ? ESCAPE '\'`, "%,"+likeEscaper.Replace(t)+",%")
	}
	if f.Living != "" {
		w.add("e.living = ?", f.Living)
	}
	if f.Status != "" {
		w.add("e.status = ?", f.Status)
	}
	if f.Dialect != "" {
		w.add("e.dialect = ?", f.Dialect)
	}
	today := db.Now().In(time.FixedZone("CST", 8*3600))
	if f.MinAge > 0 {
		w.add("e.birth_date <> '' AND e.birth_date <= ?", today.AddDate(-f.MinAge, 0, 0).Format("2006-01-02"))
	}
	if f.MaxAge > 0 {
		w.add("e.birth_date > ?", today.AddDate(-f.MaxAge-1, 0, 0).Format("2006-01-02"))
	}
	if f.NotContactedFor > 0 {
		w.add("(e.last_contact_at IS NULL OR e.last_contact_at < ?)", db.Now().AddDate(0, 0, -f.NotContactedFor))
	}
}

// findByKey lists the elders matching letters k: pinyin prefix matches by
// pinyin, then initials prefix matches by initials and pinyin.
func (db *DB) findByKey(ctx context.Context, base where, k string, offset, limit int) ([]*anxin.Elder, int, error) {
	byPinyin, byInitials := base.clone(), base.clone()
	byPinyin.add("e.name_pinyin >= ? AND e.name_pinyin < ?", k, k+"{")
	byInitials.add("e.name_initials >= ? AND e.name_initials < ?", k, k+"{")
	byInitials.add("NOT (e.name_pinyin >= ? AND e.name_pinyin < ?)", k, k+"{")
	n1, err := db.countElders(ctx, byPinyin)
	if err != nil {
		return nil, 0, err
	}
	n2, err := db.countElders(ctx, byInitials)
	if err != nil {
		return nil, 0, err
	}
	offset, limit = pageBounds(offset, limit)
	var out []*anxin.Elder
	if offset < n1 {
		if out, err = db.pageElders(ctx, byPinyin, " ORDER BY e.name_pinyin, e.id", offset, limit); err != nil {
			return nil, 0, err
		}
	}
	if len(out) < limit && offset+len(out) < n1+n2 {
		more, err := db.pageElders(ctx, byInitials, " ORDER BY e.name_initials, e.name_pinyin, e.id", max(offset-n1, 0), limit-len(out))
		if err != nil {
			return nil, 0, err
		}
		out = append(out, more...)
	}
	return out, n1 + n2, nil
}

func (db *DB) countElders(ctx context.Context, w where) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM elders e"+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count elders: %w", err)
	}
	return n, nil
}

// pageElders reads one page of the elders w selects, with their numbers.
// The page's ids are chosen first, from an index when one covers the
// search, and only those rows are read: a name prefix matching 1,400
// elders of a city sorts 1,400 index entries, not 1,400 rows.
func (db *DB) pageElders(ctx context.Context, w where, order string, offset, limit int) ([]*anxin.Elder, error) {
	q := "SELECT " + elderCols + elderFrom + " WHERE e.id IN (SELECT e.id FROM elders e" + w.sql() + order + w.page(offset, limit) + ")" + order
	rows, err := db.r.QueryContext(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find elders: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Elder
	for rows.Next() {
		e, err := scanElder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadPhones(ctx, db.r, out)
}

// LookupPhone returns every elder in scope who has one of the canonical
// numbers as their own or an emergency contact's: the screen pop.
func (db *DB) LookupPhone(ctx context.Context, sc anxin.Scope, numbers ...string) ([]*anxin.Elder, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	var w where
	w.conds = append(w.conds, "e.id IN (SELECT elder_id FROM elder_phones WHERE number IN ("+argList(&w, numbers)+"))")
	w.scopeElders(sc)
	rows, err := db.r.QueryContext(ctx, "SELECT "+elderCols+elderFrom+w.sql()+" ORDER BY e.status, e.name_pinyin, e.id LIMIT 50", w.args...)
	if err != nil {
		return nil, fmt.Errorf("lookup phone: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Elder
	for rows.Next() {
		e, err := scanElder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadPhones(ctx, db.r, out)
}
