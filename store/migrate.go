package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/divisions"
)

//go:embed migrations
var migrationFiles embed.FS

// migration is one numbered step of the schema. The same numbers exist for
// both engines; a step is SQL from migrations/ENGINE/NNNN_name.sql, or Go
// code for data that SQL cannot carry.
type migration struct {
	version int
	name    string
	sql     string
	apply   func(ctx context.Context, tx *Tx) error
}

// goMigrations are steps written in Go, by version.
var goMigrations = map[int]migration{
	2:  {version: 2, name: "regions", apply: loadShippedRegions},
	14: {version: 14, name: "calendar", apply: loadShippedCalendar},
}

// migrations returns the engine's steps in order.
func (db *DB) migrations() ([]migration, error) {
	dir := "migrations/" + db.engine
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := migrationFiles.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	for _, m := range goMigrations {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("migrations must be numbered 1, 2, 3 ...: found %04d at position %d", m.version, i+1)
		}
	}
	return ms, nil
}

// SchemaVersion returns the latest schema version this build knows.
func (db *DB) SchemaVersion() int {
	ms, err := db.migrations()
	if err != nil {
		return 0
	}
	return len(ms)
}

// ErrSchemaNewer is the code-carrying error for a database written by a
// newer version of Anxin.
func errSchemaNewer(have, know int) error {
	return anxin.Errorf(anxin.EUNAVAILABLE,
		"the database has schema version %d but this anxin knows only up to %d: it was written by a newer version of anxin; run that version (or newer) instead", have, know)
}

// CurrentVersion returns the schema version recorded in the database (0 for
// an empty database).
func (db *DB) CurrentVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.r.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&v)
	if err != nil {
		if db.tableMissing(err) {
			return 0, nil
		}
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

func (db *DB) tableMissing(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "does not exist")
}

// CheckSchema returns nil when the database is fully migrated, and a clear
// error otherwise (EUNAVAILABLE).
func (db *DB) CheckSchema(ctx context.Context) error {
	have, err := db.CurrentVersion(ctx)
	if err != nil {
		return err
	}
	know := db.SchemaVersion()
	if have > know {
		return errSchemaNewer(have, know)
	} else if have < know {
		return anxin.Errorf(anxin.EUNAVAILABLE, "the database has schema version %d, this anxin needs %d: run anxin migrate", have, know)
	}
	return nil
}

// migrateLockKey is the PostgreSQL advisory lock that serialises migrations
// of several nodes starting at once ("anxin" in ASCII).
const migrateLockKey = 0x616e78696e

// Migrate applies every missing step, each in its own transaction, and
// returns the versions it applied. Nodes migrating at once take turns (an
// advisory lock on PostgreSQL, an immediate transaction on SQLite); a step
// found applied after the lock is skipped. A database newer than this build
// is refused.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	ms, err := db.migrations()
	if err != nil {
		return nil, err
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		if err := tx.lockMigrations(ctx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TIMESTAMP NOT NULL)`)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var applied []int
	for _, m := range ms {
		done := false
		err := db.Transact(ctx, func(tx *Tx) error {
			if err := tx.lockMigrations(ctx); err != nil {
				return err
			}
			var have sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&have); err != nil {
				return err
			}
			if int(have.Int64) > len(ms) {
				return errSchemaNewer(int(have.Int64), len(ms))
			}
			if int(have.Int64) >= m.version {
				done = true
				return nil
			}
			if m.apply != nil {
				if err := m.apply(ctx, tx); err != nil {
					return err
				}
			} else if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", m.version, m.name, db.Now())
			return err
		})
		if err != nil {
			var ae *anxin.Error
			if errors.As(err, &ae) {
				return applied, err
			}
			return applied, fmt.Errorf("error applying version %04d [%s]: %w", m.version, m.name, err)
		}
		if !done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}

func (tx *Tx) lockMigrations(ctx context.Context) error {
	if tx.db.engine != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrateLockKey))
	return err
}

// loadShippedRegions loads China's divisions shipped in the binary.
func loadShippedRegions(ctx context.Context, tx *Tx) error {
	rs, err := divisions.Shipped()
	if err != nil {
		return err
	}
	if _, err = tx.upsertRegions(ctx, rs); err != nil {
		return err
	}
	return tx.analyzeRegions(ctx)
}
