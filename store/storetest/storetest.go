// Package storetest gives tests a fresh, migrated database on each engine
// under test: SQLite always, and PostgreSQL when ANXIN_TEST_POSTGRES_URL is
// set. Each engine is migrated once per test binary into a template that is
// then copied per test, so a test starts in milliseconds.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/anxin-care/anxin/store"
)

// EnvPostgres names the variable that holds the URL of a PostgreSQL
// database the tests may create and drop databases from.
const EnvPostgres = "ANXIN_TEST_POSTGRES_URL"

// Engines returns the engines to test: SQLite, and Postgres when
// ANXIN_TEST_POSTGRES_URL is set.
func Engines() []string {
	if os.Getenv(EnvPostgres) != "" {
		return []string{store.SQLite, store.Postgres}
	}
	return []string{store.SQLite}
}

// Templates are made once per test binary and shared by its tests.
type templates struct {
	once   map[string]*sync.Once
	sqlite string // path of the migrated template file
	pgName string // name of the migrated template database
	err    map[string]error
}

var tmpl = &templates{
	once: map[string]*sync.Once{store.SQLite: {}, store.Postgres: {}},
	err:  map[string]error{},
}

// Config returns the location of a fresh migrated database on engine: a
// copy of the template, removed (on PostgreSQL dropped) when the test ends.
func Config(t testing.TB, engine string) store.Config {
	t.Helper()
	tmpl.once[engine].Do(func() { tmpl.err[engine] = tmpl.make(engine) })
	if err := tmpl.err[engine]; err != nil {
		t.Fatalf("storetest: template for %s: %v", engine, err)
	}
	dir := t.TempDir()
	cfg := store.Config{DataDir: dir}
	if engine == store.Postgres {
		name := "anxin_t_" + randomHex(6)
		if err := pgExec(os.Getenv(EnvPostgres), fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl.pgName)); err != nil {
			t.Fatalf("storetest: create database: %v", err)
		}
		cfg.URL = withDatabase(os.Getenv(EnvPostgres), name)
		t.Cleanup(func() {
			if err := pgExec(os.Getenv(EnvPostgres), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
				t.Logf("storetest: drop %s: %v", name, err)
			}
		})
	} else if err := copyFile(tmpl.sqlite, filepath.Join(dir, "anxin.db")); err != nil {
		t.Fatalf("storetest: copy template: %v", err)
	}
	return cfg
}

// Open returns a fresh migrated database on engine, closed when the test
// ends, and its data directory.
func Open(t testing.TB, engine string) (db *store.DB, dataDir string) {
	t.Helper()
	cfg := Config(t, engine)
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db, cfg.DataDir
}

// Exec runs one SQL statement on the database at cfg outside the store,
// for tests that must put a database into a state Anxin never would.
func Exec(t testing.TB, cfg store.Config, query string) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+filepath.Join(cfg.DataDir, "anxin.db")
	if cfg.URL != "" {
		driver, dsn = "pgx", cfg.URL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatalf("storetest: %s: %v", query, err)
	}
}

// Each runs f as a subtest named after each engine under test.
func Each(t *testing.T, f func(t *testing.T, db *store.DB)) {
	for _, e := range Engines() {
		t.Run(e, func(t *testing.T) {
			db, _ := Open(t, e)
			f(t, db)
		})
	}
}

// EmptyPostgres returns a new empty PostgreSQL database's URL (dropped when the test
// ends), or skips the test when PostgreSQL is not configured.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip("PostgreSQL not configured: set " + EnvPostgres)
	}
	name := "anxin_e_" + randomHex(6)
	if err := pgExec(base, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() { pgExec(base, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return withDatabase(base, name)
}

func (tp *templates) make(engine string) error {
	ctx := context.Background()
	if engine == store.Postgres {
		base := os.Getenv(EnvPostgres)
		tp.pgName = "anxin_tmpl_" + randomHex(6)
		if err := pgExec(base, "CREATE DATABASE "+tp.pgName); err != nil {
			return err
		}
		db, err := store.Open(ctx, store.Config{URL: withDatabase(base, tp.pgName)})
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.Migrate(ctx)
		return err
	}
	dir, err := os.MkdirTemp("", "anxin-storetest-")
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		return err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return err
	}
	// Fold the WAL into the main file so one file is the whole template.
	if err := db.Checkpoint(ctx); err != nil {
		db.Close()
		return err
	}
	tp.sqlite = filepath.Join(dir, "anxin.db")
	return db.Close()
}

// Cleanup drops the PostgreSQL template and removes the SQLite one; call it
// from TestMain after m.Run.
func Cleanup() {
	if tmpl.pgName != "" {
		pgExec(os.Getenv(EnvPostgres), "DROP DATABASE IF EXISTS "+tmpl.pgName+" WITH (FORCE)")
	}
	if tmpl.sqlite != "" {
		os.RemoveAll(filepath.Dir(tmpl.sqlite))
	}
}

func pgExec(base, stmt string) error {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.Exec(stmt)
	return err
}

func withDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
