package store

import (
	"context"
	"fmt"
)

// SetCallLang records the language or dialect the caller chose.
func (db *DB) SetCallLang(ctx context.Context, id int64, lang string) error {
	return db.updateCall(ctx, id, "UPDATE calls SET lang = $1 WHERE id = $2", lang, id)
}

// RequestCallback records that the caller asked to be called back; the
// call stays on the list to call back in the place it rang at.
func (db *DB) RequestCallback(ctx context.Context, id int64) error {
	return db.updateCall(ctx, id, "UPDATE calls SET callback_requested = TRUE WHERE id = $1", id)
}

// CalledBack reports whether a caller on the list to call back has been
// called back (or taken off the list otherwise).
func (db *DB) CalledBack(ctx context.Context, id int64) (bool, error) {
	var done bool
	err := db.r.QueryRowContext(ctx, "SELECT called_back_at IS NOT NULL FROM calls WHERE id = $1", id).Scan(&done)
	if err != nil {
		return false, fmt.Errorf("called back: %w", err)
	}
	return done, nil
}
