package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/anxin-care/anxin"
)

// SetExtension gives an operator's account a SIP extension and its digest
// secret (HA1, computed by the caller for the SIP realm): administrators
// whose area holds the account. Extensions are 3 to 8 digits, one per
// account and each used once.
func (db *DB) SetExtension(ctx context.Context, sc anxin.Scope, accountID int64, ext, ha1 string) error {
	if !sc.Has(anxin.RoleAdmin) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.admin_only", "Only administrators can do this.")
	}
	if _, err := db.FindAccount(ctx, sc, accountID); err != nil {
		return err
	}
	if len(ext) < 3 || len(ext) > 8 || !allDigits(ext) {
		return anxin.ErrorKey(anxin.EINVALID, "err.extension_digits", "An extension is 3 to 8 digits.")
	}
	if len(ha1) != 32 {
		return anxin.Errorf(anxin.EINVALID, "the digest secret is 32 hex characters")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO extensions (account_id, ext, ha1) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET ext = excluded.ext, ha1 = excluded.ha1`, accountID, ext, ha1)
	return mapError(err)
}

// ExtensionSecret returns the account and digest secret of an extension,
// or ENOTFOUND.
func (db *DB) ExtensionSecret(ctx context.Context, ext string) (int64, string, error) {
	var id int64
	var ha1 string
	err := db.r.QueryRowContext(ctx, "SELECT account_id, ha1 FROM extensions WHERE ext = $1", ext).Scan(&id, &ha1)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", anxin.ErrorKey(anxin.ENOTFOUND, "err.extension_not_found", "No extension %s.", ext)
	} else if err != nil {
		return 0, "", fmt.Errorf("extension %s: %w", ext, err)
	}
	return id, ha1, nil
}

// ExtensionOf returns an account's extension ("" for none).
func (db *DB) ExtensionOf(ctx context.Context, accountID int64) (string, error) {
	var ext string
	err := db.r.QueryRowContext(ctx, "SELECT ext FROM extensions WHERE account_id = $1", accountID).Scan(&ext)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return ext, err
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
