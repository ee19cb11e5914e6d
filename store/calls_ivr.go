package store

import "context"

// SetCallLang records the language or dialect the caller chose.
func (db *DB) SetCallLang(ctx context.Context, id int64, lang string) error {
	return db.updateCall(ctx, id, "UPDATE calls SET lang = $1 WHERE id = $2", lang, id)
}

// RequestCallback records that the caller asked to be called back; the
// call stays on the list to call back in the place it rang at.
func (db *DB) RequestCallback(ctx context.Context, id int64) error {
	return db.updateCall(ctx, id, "UPDATE calls SET callback_requested = TRUE WHERE id = $1", id)
}
