package store

import (
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// where builds a WHERE clause from conditions written with ? placeholders,
// numbering them $1, $2 ... as both engines accept.
type where struct {
	conds []string
	args  []any
}

// add appends a condition; each ? in cond takes the next of args.
func (w *where) add(cond string, args ...any) {
	var b strings.Builder
	i := 0
	for _, r := range cond {
		if r == '?' && i < len(args) {
			w.args = append(w.args, args[i])
			i++
			b.WriteString("$" + strconv.Itoa(len(w.args)))
			continue
		}
		b.WriteRune(r)
	}
	w.conds = append(w.conds, b.String())
}

// arg appends a bare argument and returns its placeholder, for LIMIT and the like.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// sql returns " WHERE a AND b" or "".
func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// in adds "col IN (…)" for the values.
func (w *where) in(col string, values []string) { whereIn(w, col, values) }

// whereIn adds "col IN (…)" for values of any type.
func whereIn[T any](w *where, col string, values []T) {
	w.conds = append(w.conds, col+" IN ("+argList(w, values)+")")
}

// argList adds the values as arguments and returns their placeholders,
// "$1, $2, …", for an IN list written by hand.
func argList[T any](w *where, values []T) string {
	ph := make([]string, len(values))
	for i, v := range values {
		ph[i] = w.arg(v)
	}
	return strings.Join(ph, ", ")
}

// subtree restricts col (a region code column) to the subtree rooted at
// code, as an index-friendly range: codes are digits, ':' sorts right after
// '9'. PostgreSQL code columns use the C collation so the range is bytewise.
func (w *where) subtree(col, code string) {
	w.add(col+" >= ? AND "+col+" < ?", code, code+":")
}

// subtreeScan is subtree for a list that walks an index in its sort order
// and filters the area as it goes: on SQLite, for a wide area (scan), the
// unary + keeps the planner off the region indexes, whose range it would
// otherwise read whole and sort — a district's or city's orders. A street
// or committee reads its range and sorts it.
func (w *where) subtreeScan(col, code string, scan bool) {
	if scan {
		w.add("+"+col+" >= ? AND +"+col+" < ?", code, code+":")
		return
	}
	w.subtree(col, code)
}

// wideArea reports whether lists of the area code (a district, a city, or
// "" for all) should walk a sort-ordered index on this engine rather than
// the area's range (see subtreeScan). PostgreSQL's planner weighs the
// LIMIT itself.
func (db *DB) wideArea(code string) bool { return db.engine == SQLite && len(code) <= 6 }

// scopeOrgs restricts an orgs table alias to what sc may see.
func (w *where) scopeOrgs(sc anxin.Scope, alias string) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add(alias+".id = ?", sc.OrgID)
	default:
		w.add("("+alias+".id = ? OR ("+alias+".region_code >= ? AND "+alias+".region_code < ?))", sc.OrgID, sc.Region, sc.Region+":")
	}
}

// page returns " LIMIT $n OFFSET $m" with a default and maximum limit.
func (w *where) page(offset, limit int) string {
	offset, limit = pageBounds(offset, limit)
	return " LIMIT " + w.arg(limit) + " OFFSET " + w.arg(offset)
}

// pageBounds applies the default page size (50), its maximum (1,000) and
// a non-negative offset.
func pageBounds(offset, limit int) (int, int) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	return max(offset, 0), limit
}

// clone returns a copy of w that can grow without changing w.
func (w where) clone() where {
	return where{conds: slices.Clone(w.conds), args: slices.Clone(w.args)}
}
