package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/anxin-care/anxin"
)

var _ anxin.OrgService = (*DB)(nil)

const orgCols = "o.id, o.kind, o.name, COALESCE(o.region_code, ''), COALESCE(r.full_name, ''), o.disabled, o.created_at, o.updated_at"
const orgFrom = " FROM orgs o LEFT JOIN regions r ON r.code = o.region_code"

func scanOrg(s interface{ Scan(...any) error }) (*anxin.Org, error) {
	o := &anxin.Org{}
	err := s.Scan(&o.ID, &o.Kind, &o.Name, &o.RegionCode, &o.RegionName, &o.Disabled, &o.CreatedAt, &o.UpdatedAt)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

func errOrgNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.org_not_found", "Organisation %d not found.", id)
}

// FindOrg returns one organisation visible in scope, or ENOTFOUND.
func (db *DB) FindOrg(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Org, error) {
	return findOrg(ctx, db.r, sc, id)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func findOrg(ctx context.Context, q queryer, sc anxin.Scope, id int64) (*anxin.Org, error) {
	var w where
	w.add("o.id = ?", id)
	w.scopeOrgs(sc, "o")
	o, err := scanOrg(q.QueryRowContext(ctx, "SELECT "+orgCols+orgFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errOrgNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find org %d: %w", id, err)
	}
	return o, nil
}

// FindOrgs lists organisations visible in scope, by region and name, and the
// total count.
func (db *DB) FindOrgs(ctx context.Context, sc anxin.Scope, f anxin.OrgFilter) ([]*anxin.Org, int, error) {
	var w where
	w.scopeOrgs(sc, "o")
	if f.Kind != "" {
		w.add("o.kind = ?", f.Kind)
	}
	if f.Within != "" {
		w.subtree("o.region_code", f.Within)
	}
	if f.Query != "" {
		w.add(`(lower(o.name) LIKE ? ESCAPE '\' OR o.region_code LIKE ? ESCAPE '\')`, likePattern(f.Query), likePattern(f.Query))
	}
	if !f.IncludeHidden {
		w.add("o.disabled = ?", false)
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs o"+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count orgs: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+orgCols+orgFrom+w.sql()+" ORDER BY COALESCE(o.region_code, ''), o.kind, o.name, o.id"+w.page(f.Offset, f.Limit), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find orgs: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

func errOutsideArea() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.outside_area", "That region is outside your area.")
}

func errAdminOnly() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.admin_only", "Only administrators can do this.")
}

// CreateOrg validates and stores a new organisation. The scope must hold
// the admin role and cover the organisation's region (EFORBIDDEN).
func (db *DB) CreateOrg(ctx context.Context, sc anxin.Scope, o *anxin.Org) error {
	if !sc.Has(anxin.RoleAdmin) {
		return errAdminOnly()
	}
	if err := o.Validate(); err != nil {
		return err
	}
	if !sc.CanAdminister(o.RegionCode) {
		return errOutsideArea()
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if err := tx.regionExists(ctx, o.RegionCode); err != nil {
			return err
		}
		now := db.Now()
		o.CreatedAt, o.UpdatedAt = now, now
		return tx.QueryRowContext(ctx, `INSERT INTO orgs (kind, name, region_code, disabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, o.Kind, o.Name, nullString(o.RegionCode), o.Disabled, now, now).Scan(&o.ID)
	})
}

// UpdateOrg saves an organisation's name, region and disabled state; its
// kind never changes. ENOTFOUND outside scope, EFORBIDDEN without the right.
func (db *DB) UpdateOrg(ctx context.Context, sc anxin.Scope, o *anxin.Org) error {
	return db.Transact(ctx, func(tx *Tx) error {
		cur, err := findOrg(ctx, tx, sc, o.ID)
		if err != nil {
			return err
		}
		if !sc.Has(anxin.RoleAdmin) || !sc.CanAdminister(cur.RegionCode) {
			return errAdminOnly()
		}
		o.Kind = cur.Kind
		if err := o.Validate(); err != nil {
			return err
		}
		if !sc.CanAdminister(o.RegionCode) {
			return errOutsideArea()
		}
		if o.ID == sc.OrgID && o.Disabled {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.disable_own_org", "You cannot disable your own organisation.")
		}
		if err := tx.regionExists(ctx, o.RegionCode); err != nil {
			return err
		}
		o.CreatedAt, o.UpdatedAt = cur.CreatedAt, db.Now()
		_, err = tx.ExecContext(ctx, "UPDATE orgs SET name = $1, region_code = $2, disabled = $3, updated_at = $4 WHERE id = $5",
			o.Name, nullString(o.RegionCode), o.Disabled, o.UpdatedAt, o.ID)
		return err
	})
}

func (tx *Tx) regionExists(ctx context.Context, code string) error {
	if code == "" || tx.regions[code] {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM regions WHERE code = $1", code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return anxin.ErrorKey(anxin.EINVALID, "err.region_unknown", "Unknown region %s.", code)
	}
	if tx.regions == nil {
		tx.regions = map[string]bool{}
	}
	tx.regions[code] = true
	return nil
}
