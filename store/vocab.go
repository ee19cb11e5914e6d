package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
)

var _ anxin.VocabService = (*DB)(nil)

const termCols = "id, kind, value, aliases, position, active, created_at, updated_at"

func scanTerm(s interface{ Scan(...any) error }) (*anxin.Term, error) {
	t := &anxin.Term{}
	var aliases string
	if err := s.Scan(&t.ID, &t.Kind, &t.Value, &aliases, &t.Position, &t.Active, &t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	t.Aliases = []string{}
	for _, a := range strings.Split(aliases, ",") {
		if a != "" {
			t.Aliases = append(t.Aliases, a)
		}
	}
	t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	return t, nil
}

func errTermNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.term_not_found", "List entry %d not found.", id)
}

func errVocabAdminOnly() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.vocab_admin_only", "Only administrators of the platform can change the lists of tags and dialects.")
}

// FindTerms lists the terms of kind ("" for every kind) by kind and
// position, deactivated ones only when all is set. The lists hold no
// personal data: every signed-in account may read them.
func (db *DB) FindTerms(ctx context.Context, kind string, all bool) ([]*anxin.Term, error) {
	return findTerms(ctx, db.r, kind, all)
}

func findTerms(ctx context.Context, q queryer, kind string, all bool) ([]*anxin.Term, error) {
	var w where
	if kind != "" {
		w.add("kind = ?", kind)
	}
	if !all {
		w.add("active = ?", true)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+termCols+" FROM vocab"+w.sql()+" ORDER BY kind, position, id", w.args...)
	if err != nil {
		return nil, fmt.Errorf("find terms: %w", err)
	}
	defer rows.Close()
	out := []*anxin.Term{}
	for rows.Next() {
		t, err := scanTerm(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// FindTerm returns one term, or ENOTFOUND.
func (db *DB) FindTerm(ctx context.Context, id int64) (*anxin.Term, error) {
	return findTerm(ctx, db.r, id)
}

func findTerm(ctx context.Context, q queryer, id int64) (*anxin.Term, error) {
	t, err := scanTerm(q.QueryRowContext(ctx, "SELECT "+termCols+" FROM vocab WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTermNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find term %d: %w", id, err)
	}
	return t, nil
}

// Vocabulary returns every list, deactivated terms included, for
// resolving what people type and rosters hold.
func (db *DB) Vocabulary(ctx context.Context) (*anxin.Vocabulary, error) {
	ts, err := db.FindTerms(ctx, "", true)
	if err != nil {
		return nil, err
	}
	return anxin.NewVocabulary(ts), nil
}

// checkTermKeys refuses a term whose value or an alias already names
// another term of its list, ignoring case, width and spaces (ECONFLICT).
func (tx *Tx) checkTermKeys(ctx context.Context, t *anxin.Term) error {
	others, err := findTerms(ctx, tx, t.Kind, true)
	if err != nil {
		return err
	}
	taken := map[string]*anxin.Term{}
	for _, o := range others {
		if o.ID == t.ID {
			continue
		}
		for _, k := range o.Keys() {
			taken[k] = o
		}
	}
	names := append([]string{t.Value}, t.Aliases...)
	for i, k := range t.Keys() {
		if o, ok := taken[k]; ok {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.term_taken", "%q already names %q on this list.", names[i], o.Value)
		}
	}
	return nil
}

// CreateTerm validates a new term and appends it to the end of its list,
// active. EFORBIDDEN unless the scope is a platform administrator's;
// ECONFLICT when the value or an alias already names a term of the list.
func (db *DB) CreateTerm(ctx context.Context, sc anxin.Scope, t *anxin.Term) error {
	if !sc.CanEditVocab() {
		return errVocabAdminOnly()
	}
	t.ID = 0
	if err := t.Validate(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if err := tx.checkTermKeys(ctx, t); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), 0) + 1 FROM vocab WHERE kind = $1", t.Kind).Scan(&t.Position); err != nil {
			return err
		}
		now := db.Now()
		t.Active, t.CreatedAt, t.UpdatedAt = true, now, now
		return tx.QueryRowContext(ctx, `INSERT INTO vocab (kind, value, aliases, position, active, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.Kind, t.Value, strings.Join(t.Aliases, ","), t.Position, t.Active, now, now).Scan(&t.ID)
	})
}

// UpdateTerm saves a term's value, aliases and active state; its kind and
// position stay (MoveTerm reorders). A new value renames the term on every
// elder who carries it, in the same transaction, with a history entry for
// each elder, and the old value becomes an alias so that rosters written
// the old way still resolve. It returns the number of elders renamed.
func (db *DB) UpdateTerm(ctx context.Context, sc anxin.Scope, t *anxin.Term) (renamed int, err error) {
	if !sc.CanEditVocab() {
		return 0, errVocabAdminOnly()
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		renamed = 0
		cur, err := findTerm(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		t.Kind, t.Position, t.CreatedAt = cur.Kind, cur.Position, cur.CreatedAt
		if err := t.Validate(); err != nil {
			return err
		}
		if t.Value != cur.Value && !slices.Contains(t.Keys(), anxin.TermKey(cur.Value)) {
			t.Aliases = append(t.Aliases, cur.Value)
			if err := t.Validate(); err != nil {
				return err
			}
		}
		if err := tx.checkTermKeys(ctx, t); err != nil {
			return err
		}
		t.UpdatedAt = db.Now()
		_, err = tx.ExecContext(ctx, "UPDATE vocab SET value = $1, aliases = $2, active = $3, updated_at = $4 WHERE id = $5",
			t.Value, strings.Join(t.Aliases, ","), t.Active, t.UpdatedAt, t.ID)
		if err != nil {
			return fmt.Errorf("update term %d: %w", t.ID, err)
		}
		if t.Value != cur.Value {
			renamed, err = tx.renameTerm(ctx, sc, t.Kind, cur.Value, t.Value)
		}
		return err
	})
	return renamed, err
}

// termUse returns the condition and argument that select the elders who
// carry a term.
func termUse(kind, value string) (string, any) {
	if kind == anxin.TermDialect {
		return "dialect = $1", value
	}
	return `tags LIKE $1 ESCAPE '\'`, "%," + likeEscaper.Replace(value) + ",%"
}

// renameTerm rewrites a term's value on every elder who carries it, with a
// history entry per elder, in two set-wise statements.
func (tx *Tx) renameTerm(ctx context.Context, sc anxin.Scope, kind, old, new string) (int, error) {
	name := "system"
	var actor any
	if sc.AccountID != 0 {
		actor = sc.AccountID
		if err := tx.QueryRowContext(ctx, "SELECT username FROM accounts WHERE id = $1", sc.AccountID).Scan(&name); err != nil {
			return 0, fmt.Errorf("rename actor: %w", err)
		}
	}
	cond, arg := termUse(kind, old)
	col, oldVal, newVal := "dialect", old, new
	if kind == anxin.TermTag {
		col, oldVal, newVal = "tags", ","+old+",", ","+new+","
	}
	now := tx.db.Now()
	// Placeholders: $1 selects, $2.. fill in; the condition uses $1.
	_, err := tx.ExecContext(ctx, `INSERT INTO elder_history (elder_id, at, actor_id, actor_name, field, old_value, new_value)
		SELECT id, $2, $3, $4, $5, `+col+`, REPLACE(`+col+`, $6, $7) FROM elders WHERE `+cond,
		arg, now, actor, name, col, oldVal, newVal)
	if err != nil {
		return 0, fmt.Errorf("rename %s history: %w", kind, err)
	}
	res, err := tx.ExecContext(ctx, "UPDATE elders SET "+col+" = REPLACE("+col+", $2, $3), updated_at = $4 WHERE "+cond,
		arg, oldVal, newVal, now)
	if err != nil {
		return 0, fmt.Errorf("rename %s on elders: %w", kind, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// MoveTerm moves a term to position (from 1; beyond the end means last) in
// its list and numbers the list 1, 2, 3 … again.
func (db *DB) MoveTerm(ctx context.Context, sc anxin.Scope, id int64, position int) error {
	if !sc.CanEditVocab() {
		return errVocabAdminOnly()
	}
	return db.Transact(ctx, func(tx *Tx) error {
		t, err := findTerm(ctx, tx, id)
		if err != nil {
			return err
		}
		list, err := findTerms(ctx, tx, t.Kind, true)
		if err != nil {
			return err
		}
		list = slices.DeleteFunc(list, func(o *anxin.Term) bool { return o.ID == id })
		i := min(max(position, 1), len(list)+1) - 1
		list = slices.Insert(list, i, t)
		for n, o := range list {
			if o.Position == n+1 {
				continue
			}
			if _, err := tx.ExecContext(ctx, "UPDATE vocab SET position = $1 WHERE id = $2", n+1, o.ID); err != nil {
				return fmt.Errorf("move term %d: %w", o.ID, err)
			}
		}
		return nil
	})
}

// CountTermUse returns the number of elders who carry the term. It reads
// every elder's tags or dialect, so it is for one term at a time.
func (db *DB) CountTermUse(ctx context.Context, id int64) (int, error) {
	return countTermUse(ctx, db.r, id)
}

func countTermUse(ctx context.Context, q queryer, id int64) (int, error) {
	t, err := findTerm(ctx, q, id)
	if err != nil {
		return 0, err
	}
	cond, arg := termUse(t.Kind, t.Value)
	var n int
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM elders WHERE "+cond, arg).Scan(&n); err != nil {
		return 0, fmt.Errorf("count term use: %w", err)
	}
	return n, nil
}

// DeleteTerm removes a term that no elder carries, for entries added by
// mistake; a term in use can only be deactivated (ECONFLICT).
func (db *DB) DeleteTerm(ctx context.Context, sc anxin.Scope, id int64) error {
	if !sc.CanEditVocab() {
		return errVocabAdminOnly()
	}
	return db.Transact(ctx, func(tx *Tx) error {
		n, err := countTermUse(ctx, tx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.term_in_use", "%d elders carry this value: deactivate it instead of deleting it.", n)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM vocab WHERE id = $1", id); err != nil {
			return fmt.Errorf("delete term %d: %w", id, err)
		}
		return nil
	})
}
