package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/anxin-care/anxin"
)

var _ anxin.RegionService = (*DB)(nil)

const regionCols = "code, name, level, COALESCE(parent_code, ''), full_name"

func scanRegion(sc interface{ Scan(...any) error }) (*anxin.Region, error) {
	r := &anxin.Region{}
	err := sc.Scan(&r.Code, &r.Name, &r.Level, &r.ParentCode, &r.FullName)
	return r, err
}

// FindRegion returns one region by code, or ENOTFOUND.
func (db *DB) FindRegion(ctx context.Context, code string) (*anxin.Region, error) {
	r, err := scanRegion(db.r.QueryRowContext(ctx, "SELECT "+regionCols+" FROM regions WHERE code = $1", code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.region_not_found", "Region %s not found.", code)
	} else if err != nil {
		return nil, fmt.Errorf("find region %s: %w", code, err)
	}
	return r, nil
}

// FindRegions lists regions: the children of Parent, or matches of Query
// anywhere below Within, ordered by level and code.
func (db *DB) FindRegions(ctx context.Context, f anxin.RegionFilter) ([]*anxin.Region, error) {
	var w where
	q := strings.TrimSpace(f.Query)
	switch {
	case q != "":
		w.add(`(name LIKE ? ESCAPE '\' OR code LIKE ? ESCAPE '\')`, likePattern(q), prefixPattern(q))
	case f.Parent != "":
		w.add("parent_code = ?", f.Parent)
	default:
		w.add("level = ?", anxin.LevelProvince)
	}
	if f.Within != "" {
		w.subtree("code", f.Within)
	}
	limit := f.Limit
	if limit <= 0 || limit > 2000 {
		limit = 2000
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+regionCols+" FROM regions"+w.sql()+" ORDER BY level, code LIMIT "+w.arg(limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("find regions: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindRegionsNamed returns the regions of a level called exactly one of
// names, within a subtree ("" for anywhere), ordered by code: one index
// lookup per name, for resolving the committees a roster names.
func (db *DB) FindRegionsNamed(ctx context.Context, level int, names []string, within string) ([]*anxin.Region, error) {
	if len(names) == 0 {
		return nil, nil
	}
	var w where
	w.in("name", names)
	w.add("level = ?", level)
	if within != "" {
		w.subtree("code", within)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+regionCols+" FROM regions"+w.sql()+" ORDER BY code", w.args...)
	if err != nil {
		return nil, fmt.Errorf("find regions by name: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Region
	for rows.Next() {
		r, err := scanRegion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpsertRegions inserts regions or renames existing ones in one
// transaction, and returns how many rows it wrote.
func (db *DB) UpsertRegions(ctx context.Context, rs []*anxin.Region) (int, error) {
	var n int
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		if n, err = tx.upsertRegions(ctx, rs); err != nil {
			return err
		}
		return tx.analyzeRegions(ctx)
	})
	return n, err
}

// analyzeRegions refreshes PostgreSQL's planner statistics after a bulk
// load, so queries joining regions use the index at once instead of
// scanning 50,000 rows until autovacuum comes by.
func (tx *Tx) analyzeRegions(ctx context.Context) error {
	if tx.db.engine != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "ANALYZE regions")
	return err
}

func (tx *Tx) upsertRegions(ctx context.Context, rs []*anxin.Region) (int, error) {
	const batch = 500
	for start := 0; start < len(rs); start += batch {
		end := min(start+batch, len(rs))
		var b strings.Builder
		b.WriteString("INSERT INTO regions (code, name, level, parent_code, full_name) VALUES ")
		args := make([]any, 0, 5*(end-start))
		for i, r := range rs[start:end] {
			if i > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
			var parent any
			if r.ParentCode != "" {
				parent = r.ParentCode
			}
			args = append(args, r.Code, r.Name, r.Level, parent, r.FullName)
		}
		b.WriteString(" ON CONFLICT (code) DO UPDATE SET name = excluded.name, full_name = excluded.full_name")
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			return start, fmt.Errorf("upsert regions %s..: %w", rs[start].Code, err)
		}
	}
	return len(rs), nil
}
