package store

import "context"

// ExecWriter runs a statement on the writer connection, for tests that set
// per-connection pragmas or tamper with rows.
func (db *DB) ExecWriter(ctx context.Context, q string, args ...any) error {
	_, err := db.w.ExecContext(ctx, q, args...)
	return err
}

// CountRows counts the rows a query selects (SELECT COUNT(*) …), for tests.
func (db *DB) CountRows(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}
