package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
	"github.com/anxin-care/anxin/workcal"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engines.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Config says where the database is: a PostgreSQL URL, or else a SQLite file
// in DataDir.
type Config struct {
	// URL selects PostgreSQL when it starts with postgres:// or postgresql://.
	URL string
	// DataDir holds anxin.db when URL is empty.
	DataDir string
	// Readers is the size of the SQLite reader pool (default 8) or of the
	// PostgreSQL pool (default 16).
	Readers int
}

// DB is Anxin's database: on SQLite one writer connection and a pool of
// readers on the same file, so writes never meet SQLITE_BUSY; on PostgreSQL
// one pool for both.
type DB struct {
	engine string
	w      *pool // writes and transactions
	r      *pool // reads
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// clocks holds the work orders' clock policies on the working-day
	// calendar administrators keep (see LoadCalendar); replaced whole, read
	// by every request.
	clocks atomic.Pointer[sla.Book]
	// calendar is the working-day calendar the clocks use (campaigns'
	// calling days).
	calendar atomic.Pointer[workcal.Calendar]
	// VisitCallsPerDay caps return-visit calls per elder per China day,
	// across orders (default 1).
	VisitCallsPerDay int
}

// Open opens the database and checks that it answers. It does not migrate.
// It returns EUNAVAILABLE with a clear message when PostgreSQL cannot be
// reached or the data directory cannot be used.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }, VisitCallsPerDay: 1}
	db.clocks.Store(sla.NewBook(sla.Defaults(), workcal.Default()))
	db.calendar.Store(workcal.Default())
	if IsPostgresURL(cfg.URL) {
		if err := db.openPostgres(ctx, cfg); err != nil {
			return nil, err
		}
		return db, nil
	} else if cfg.URL != "" {
		return nil, anxin.Errorf(anxin.EINVALID, "database URL must start with postgres:// (got %q); leave it empty to use SQLite in the data directory", redactURL(cfg.URL))
	}
	if err := db.openSQLite(ctx, cfg); err != nil {
		return nil, err
	}
	return db, nil
}

// IsPostgresURL reports whether u selects PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

func (db *DB) openPostgres(ctx context.Context, cfg Config) error {
	db.engine = Postgres
	dsn := cfg.URL
	if !strings.Contains(dsn, "connect_timeout=") {
		sep := "?"
		if strings.Contains(dsn, "?") {
			sep = "&"
		}
		dsn += sep + "connect_timeout=5"
	}
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return anxin.Errorf(anxin.EINVALID, "bad PostgreSQL URL %s: %v", redactURL(cfg.URL), err)
	}
	n := cfg.Readers
	if n <= 0 {
		n = 16
	}
	p.SetMaxOpenConns(n)
	p.SetMaxIdleConns(n)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return anxin.Errorf(anxin.EUNAVAILABLE, "cannot connect to PostgreSQL at %s: %v", redactURL(cfg.URL), err)
	}
	db.w = &pool{DB: p}
	db.r = db.w
	return nil
}

func (db *DB) openSQLite(ctx context.Context, cfg Config) error {
	db.engine = SQLite
	dir := cfg.DataDir
	if dir == "" {
		dir = "anxin-data"
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return anxin.Errorf(anxin.EUNAVAILABLE, "cannot create data directory %s: %v", dir, err)
	}
	path := filepath.Join(dir, "anxin.db")
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	// The one writer gets a 64 MB page cache (SQLite's default is 2 MB): a
	// roster import or a generator batch touches every index of a million
	// elders, and a small cache spills the transaction to the log and reads
	// the same pages again and again. The readers keep the default each.
	w, err := sql.Open("sqlite", dsn+"&_pragma=cache_size(-65536)")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return anxin.Errorf(anxin.EUNAVAILABLE, "cannot open database %s: %v", path, err)
	}
	// Touch the file so that a read-only or full data directory shows now.
	if _, err := w.ExecContext(ctx, "PRAGMA user_version"); err != nil {
		w.Close()
		return anxin.Errorf(anxin.EUNAVAILABLE, "cannot use database %s: %v", path, err)
	}
	r, err := sql.Open("sqlite", dsn+"&_pragma=query_only(ON)")
	if err != nil {
		w.Close()
		return fmt.Errorf("open %s: %w", path, err)
	}
	n := cfg.Readers
	if n <= 0 {
		n = 8
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.w, db.r = &pool{DB: w, stmts: newStmtCache(w)}, &pool{DB: r, stmts: newStmtCache(r)}
	return nil
}

// Engine returns SQLite or Postgres.
func (db *DB) Engine() string { return db.engine }

// Close closes both pools.
func (db *DB) Close() error {
	var errs []error
	if db.r != nil && db.r != db.w {
		errs = append(errs, db.r.Close())
	}
	if db.w != nil {
		errs = append(errs, db.w.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return anxin.Errorf(anxin.EUNAVAILABLE, "database unreachable: %v", err)
	}
	return nil
}

// Tx is a database transaction. Services that must write several things
// atomically (a work order and its call log) take one through Transact.
type Tx struct {
	*sql.Tx
	db    *DB
	pool  *pool
	stmts map[string]*sql.Stmt
	// fresh are the queries this transaction prepared for itself, for the
	// pool's cache once it ends.
	fresh []string
	// What a long transaction looks up again and again: usernames by
	// account and the region codes known to exist.
	usernames map[int64]string
	regions   map[string]bool
}

// username returns an account's username, once per transaction.
func (tx *Tx) username(ctx context.Context, id int64) (string, error) {
	if n, ok := tx.usernames[id]; ok {
		return n, nil
	}
	var n string
	if err := tx.QueryRowContext(ctx, "SELECT username FROM accounts WHERE id = $1", id).Scan(&n); err != nil {
		return "", err
	}
	if tx.usernames == nil {
		tx.usernames = map[int64]string{}
	}
	tx.usernames[id] = n
	return n, nil
}

// maxTxStatements bounds the statements a transaction keeps prepared.
const maxTxStatements = 64

// stmt returns the statement for query on SQLite, where compiling SQL
// costs as much as running a small insert: the pool's cached statement
// taken over by the transaction, or one prepared for this transaction and
// cached in the pool when it ends; nil when it is not cached (PostgreSQL,
// whose driver caches statements per connection already, or a
// transaction already holding many).
func (tx *Tx) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if tx.pool.stmts == nil {
		return nil, nil
	}
	if st, ok := tx.stmts[query]; ok {
		return st, nil
	}
	if len(tx.stmts) >= maxTxStatements {
		return nil, nil
	}
	var st *sql.Stmt
	if shared := tx.pool.stmts.cached(query); shared != nil {
		st = tx.Tx.StmtContext(ctx, shared)
	} else {
		var err error
		if st, err = tx.Tx.PrepareContext(ctx, query); err != nil {
			return nil, err
		}
		tx.fresh = append(tx.fresh, query)
	}
	if tx.stmts == nil {
		tx.stmts = map[string]*sql.Stmt{}
	}
	tx.stmts[query] = st
	return st, nil
}

// ExecContext executes a statement in the transaction (see stmt).
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.Tx.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction (see stmt).
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := tx.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return tx.Tx.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a query expected to return at most one row in the
// transaction (see stmt).
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := tx.stmt(ctx, query)
	if err != nil || st == nil {
		// A statement that fails to prepare reports its error from Scan.
		return tx.Tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Transact runs fn in a transaction and commits when fn returns nil. On
// PostgreSQL it retries serialization failures and deadlocks a few times,
// so fn must be safe to run again.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	const attempts = 4
	var err error
	for i := 0; i < attempts; i++ {
		err = db.transactOnce(ctx, fn)
		if !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(10*(i+1)) * time.Millisecond)
	}
	return err
}

// View runs fn in a read-only transaction on the readers: one consistent
// snapshot, and on SQLite statements prepared once for the whole of fn (a
// roster preview matches 100,000 rows with the same two queries). fn must
// not write. Keep it short: on SQLite an open snapshot holds back the
// checkpoint of the write-ahead log.
func (db *DB) View(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return mapError(fmt.Errorf("begin read: %w", err))
	}
	defer sqlTx.Rollback()
	tx := &Tx{Tx: sqlTx, db: db, pool: db.r}
	if err := fn(tx); err != nil {
		return mapError(err)
	}
	sqlTx.Rollback() // release the connection before caching statements on the pool
	db.r.stmts.remember(ctx, tx.fresh)
	return nil
}

func (db *DB) transactOnce(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return mapError(fmt.Errorf("begin: %w", err))
	}
	tx := &Tx{Tx: sqlTx, db: db, pool: db.w}
	defer func() {
		if p := recover(); p != nil {
			sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return mapError(err)
	}
	if err = sqlTx.Commit(); err != nil {
		return mapError(fmt.Errorf("commit: %w", err))
	}
	db.w.stmts.remember(ctx, tx.fresh)
	return nil
}

func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// mapError turns driver errors that users should understand into coded
// errors, keeping the cause for the log.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var ae *anxin.Error
	if errors.As(err, &ae) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return fmt.Errorf("%w: %v", anxin.Errorf(anxin.ECONFLICT, "Already exists."), err)
		case "53100", "53200":
			return fmt.Errorf("%w: %v", anxin.Errorf(anxin.EUNAVAILABLE, "The database server is out of disk space or memory; nothing was saved."), err)
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CONSTRAINT:
			if se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
				return fmt.Errorf("%w: %v", anxin.Errorf(anxin.ECONFLICT, "Already exists."), err)
			}
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w: %v", anxin.Errorf(anxin.EUNAVAILABLE, "The disk holding the data directory is full; nothing was saved."), err)
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("%w: %v", anxin.Errorf(anxin.EUNAVAILABLE, "The data directory cannot be written; nothing was saved."), err)
		}
	}
	return err
}

// redactURL hides the password in a database URL for messages.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

// nullString stores the empty string as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// timeOf reads a nullable time.
func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// likeEscaper escapes LIKE's wildcards for ... ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// prefixPattern turns a user's text into a LIKE prefix match.
func prefixPattern(s string) string {
	return likeEscaper.Replace(strings.TrimSpace(s)) + "%"
}

// likePattern turns a user's text into a case-insensitive LIKE substring
// match (compare with lower(column)).
func likePattern(s string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(strings.TrimSpace(s))) + "%"
}

// Checkpoint folds SQLite's write-ahead log into the database file; a no-op
// on PostgreSQL.
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	_, err := db.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// Stats returns the writer pool's statistics (the only pool on PostgreSQL).
func (db *DB) Stats() sql.DBStats { return db.w.Stats() }

// IntegrityCheck runs SQLite's integrity check; a no-op on PostgreSQL.
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.engine != SQLite {
		return nil
	}
	var res string
	if err := db.w.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("integrity check: %s", res)
	}
	return nil
}
