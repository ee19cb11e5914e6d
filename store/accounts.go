package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

var _ anxin.AccountService = (*DB)(nil)

const accountCols = "a.id, a.org_id, a.username, a.display_name, a.roles, a.locale, a.disabled, a.password_hash, a.failed_logins, a.locked_until, a.last_login_at, a.created_at, a.updated_at, " + orgCols
const accountFrom = " FROM accounts a JOIN orgs o ON o.id = a.org_id LEFT JOIN regions r ON r.code = o.region_code"

func scanAccount(s interface{ Scan(...any) error }) (*anxin.Account, error) {
	a := &anxin.Account{Org: &anxin.Org{}}
	o := a.Org
	var roles string
	var locked, last sql.NullTime
	err := s.Scan(&a.ID, &a.OrgID, &a.Username, &a.DisplayName, &roles, &a.Locale, &a.Disabled, &a.PasswordHash,
		&a.FailedLogins, &locked, &last, &a.CreatedAt, &a.UpdatedAt,
		&o.ID, &o.Kind, &o.Name, &o.RegionCode, &o.RegionName, &o.Disabled, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if roles != "" {
		a.Roles = strings.Split(roles, ",")
	}
	a.LockedUntil, a.LastLoginAt = timeOf(locked), timeOf(last)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, nil
}

func errAccountNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.account_not_found", "Account %d not found.", id)
}

// FindAccount returns one account whose organisation is visible in scope.
func (db *DB) FindAccount(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Account, error) {
	return findAccount(ctx, db.r, sc, id)
}

func findAccount(ctx context.Context, q queryer, sc anxin.Scope, id int64) (*anxin.Account, error) {
	var w where
	w.add("a.id = ?", id)
	w.scopeOrgs(sc, "o")
	a, err := scanAccount(q.QueryRowContext(ctx, "SELECT "+accountCols+accountFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errAccountNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find account %d: %w", id, err)
	}
	return a, nil
}

// FindAccounts lists accounts whose organisation is visible in scope.
func (db *DB) FindAccounts(ctx context.Context, sc anxin.Scope, f anxin.AccountFilter) ([]*anxin.Account, int, error) {
	var w where
	w.scopeOrgs(sc, "o")
	if f.OrgID != 0 {
		w.add("a.org_id = ?", f.OrgID)
	}
	if f.Role != "" {
		w.add("(',' || a.roles || ',') LIKE ?", "%,"+f.Role+",%")
	}
	if f.Query != "" {
		p := likePattern(f.Query)
		w.add(`(a.username LIKE ? ESCAPE '\' OR lower(a.display_name) LIKE ? ESCAPE '\')`, p, p)
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*)"+accountFrom+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count accounts: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+accountCols+accountFrom+w.sql()+" ORDER BY COALESCE(o.region_code, ''), o.name, a.username"+w.page(f.Offset, f.Limit), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find accounts: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	return out, total, rows.Err()
}

// AccountByUsername returns an account with its organisation, for sign-in.
func (db *DB) AccountByUsername(ctx context.Context, username string) (*anxin.Account, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	a, err := scanAccount(db.r.QueryRowContext(ctx, "SELECT "+accountCols+accountFrom+" WHERE a.username = $1", username))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.account_not_found", "Account %q not found.", username)
	} else if err != nil {
		return nil, fmt.Errorf("find account %q: %w", username, err)
	}
	return a, nil
}

// CreateAccount stores a new account in an organisation the scope may
// administer. ECONFLICT when the username is taken.
func (db *DB) CreateAccount(ctx context.Context, sc anxin.Scope, a *anxin.Account) error {
	if !sc.Has(anxin.RoleAdmin) {
		return errAdminOnly()
	}
	if a.PasswordHash == "" {
		return anxin.Errorf(anxin.EINVALID, "account has no password")
	}
	return db.Transact(ctx, func(tx *Tx) error {
		org, err := findOrg(ctx, tx, sc, a.OrgID)
		if err != nil {
			return err
		}
		if !sc.CanAdminister(org.RegionCode) {
			return errOutsideArea()
		}
		if err := a.Validate(org); err != nil {
			return err
		}
		now := db.Now()
		a.CreatedAt, a.UpdatedAt, a.Org = now, now, org
		err = tx.QueryRowContext(ctx, `INSERT INTO accounts (org_id, username, display_name, roles, locale, disabled, password_hash, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			a.OrgID, a.Username, a.DisplayName, strings.Join(a.Roles, ","), a.Locale, a.Disabled, a.PasswordHash, now, now).Scan(&a.ID)
		if anxin.ErrorCode(mapError(err)) == anxin.ECONFLICT {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.username_taken", "Username %q is taken.", a.Username)
		}
		return err
	})
}

// UpdateAccount saves display name, roles, locale and disabled state. An
// account may change its own display name and locale; everything else, and
// other accounts, need the admin role over the account's organisation. An
// admin cannot disable itself or drop its own admin role.
func (db *DB) UpdateAccount(ctx context.Context, sc anxin.Scope, a *anxin.Account) error {
	return db.Transact(ctx, func(tx *Tx) error {
		cur, err := findAccount(ctx, tx, sc, a.ID)
		if err != nil {
			return err
		}
		self := cur.ID == sc.AccountID
		admin := sc.CanAdminister(cur.Org.RegionCode)
		if !admin {
			// Only the harmless fields of one's own account.
			roles := slices.Clone(a.Roles)
			slices.Sort(roles)
			if !self || a.Disabled != cur.Disabled || !slices.Equal(slices.Compact(roles), cur.Roles) {
				return errAdminOnly()
			}
		}
		if self && (a.Disabled || (cur.HasRole(anxin.RoleAdmin) && !a.HasRole(anxin.RoleAdmin))) {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.lock_self_out", "You cannot disable your own account or remove your own administrator role.")
		}
		a.Username, a.OrgID = cur.Username, cur.OrgID
		if err := a.Validate(cur.Org); err != nil {
			return err
		}
		a.Org, a.CreatedAt, a.UpdatedAt = cur.Org, cur.CreatedAt, db.Now()
		_, err = tx.ExecContext(ctx, "UPDATE accounts SET display_name = $1, roles = $2, locale = $3, disabled = $4, updated_at = $5 WHERE id = $6",
			a.DisplayName, strings.Join(a.Roles, ","), a.Locale, a.Disabled, a.UpdatedAt, a.ID)
		if err != nil {
			return err
		}
		if a.Disabled && !cur.Disabled {
			_, err = tx.ExecContext(ctx, "DELETE FROM sessions WHERE account_id = $1", a.ID)
		}
		return err
	})
}

// SetPasswordHash replaces an account's password and clears its lock; the
// caller decides which sessions to end. Allowed for the account itself and
// for admins over it.
func (db *DB) SetPasswordHash(ctx context.Context, sc anxin.Scope, id int64, hash string) error {
	return db.Transact(ctx, func(tx *Tx) error {
		cur, err := findAccount(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if cur.ID != sc.AccountID && !sc.CanAdminister(cur.Org.RegionCode) {
			return errAdminOnly()
		}
		_, err = tx.ExecContext(ctx, "UPDATE accounts SET password_hash = $1, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE id = $3", hash, db.Now(), id)
		return err
	})
}

// RecordSignIn clears the failure count and notes the time.
func (db *DB) RecordSignIn(ctx context.Context, id int64, at time.Time) error {
	_, err := db.w.ExecContext(ctx, "UPDATE accounts SET failed_logins = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2", at.UTC(), id)
	return mapError(err)
}

// RecordSignInFailure counts a failure atomically and locks the account per
// anxin.LockoutFor.
func (db *DB) RecordSignInFailure(ctx context.Context, id int64, at time.Time) (int, time.Time, error) {
	var n int
	var until time.Time
	err := db.Transact(ctx, func(tx *Tx) error {
		if err := tx.QueryRowContext(ctx, "UPDATE accounts SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins", id).Scan(&n); err != nil {
			return err
		}
		if d := anxin.LockoutFor(n); d > 0 {
			until = at.UTC().Add(d)
			_, err := tx.ExecContext(ctx, "UPDATE accounts SET locked_until = $1 WHERE id = $2", until, id)
			return err
		}
		return nil
	})
	return n, until, err
}

// CountAccounts returns the number of accounts.
func (db *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM accounts").Scan(&n)
	return n, err
}
