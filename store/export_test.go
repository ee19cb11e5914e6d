package store

import "context"

// ExecWriter runs a statement on the writer connection, for tests that set
// per-connection pragmas or tamper with rows.
func (db *DB) ExecWriter(ctx context.Context, q string, args ...any) error {
	_, err := db.w.ExecContext(ctx, q, args...)
	return err
}
