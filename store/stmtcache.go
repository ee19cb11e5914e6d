package store

import (
	"context"
	"database/sql"
	"sync"
)

// pool is a connection pool (the SQLite writer or readers, or PostgreSQL's
// one pool) that runs statements prepared once per pool when it has a
// statement cache (SQLite: compiling a statement costs as much as running
// a small one, and a request runs a dozen; PostgreSQL's driver caches
// statements per connection itself).
type pool struct {
	*sql.DB
	stmts *stmtCache // nil: no cache
}

// ExecContext executes a statement outside a transaction.
func (p *pool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.stmts.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.DB.ExecContext(ctx, query, args...)
}

// QueryContext runs a query outside a transaction.
func (p *pool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmts.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query expected to return at most one row outside
// a transaction.
func (p *pool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmts.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.DB.QueryRowContext(ctx, query, args...)
}

// Close closes the cached statements and the pool.
func (p *pool) Close() error {
	p.stmts.close()
	return p.DB.Close()
}

// maxCachedStatements bounds a pool's statement cache: the store's fixed
// statements fit many times over; statements built with IN lists of every
// length beyond it run unprepared.
const maxCachedStatements = 512

// stmtCache holds statements prepared on a pool, by query text.
// database/sql prepares a cached statement on each connection the first
// time it runs there, and a transaction takes it over with Tx.StmtContext.
//
// A statement is prepared on the pool only outside a transaction: inside
// one, the pool may have no other connection to prepare on (the SQLite
// writer has one), so a transaction prepares its new statements for itself
// and hands their text to the cache after it ends (see remember).
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
}

func newStmtCache(p *sql.DB) *stmtCache { return &stmtCache{pool: p, m: map[string]*sql.Stmt{}} }

// cached returns the statement for query if it is cached, else nil.
func (c *stmtCache) cached(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[query]
}

// prepared returns the statement for query, preparing it on the pool the
// first time; nil when there is no cache, it is full, or the query does
// not prepare (running it unprepared then reports the error).
func (c *stmtCache) prepared(ctx context.Context, query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	if st := c.cached(query); st != nil {
		return st
	}
	c.remember(ctx, []string{query})
	return c.cached(query)
}

// remember prepares the queries on the pool and caches them, up to
// maxCachedStatements. Called without holding a connection of the pool.
func (c *stmtCache) remember(ctx context.Context, queries []string) {
	if c == nil {
		return
	}
	for _, q := range queries {
		c.mu.Lock()
		_, have := c.m[q]
		full := len(c.m) >= maxCachedStatements
		c.mu.Unlock()
		if have || full {
			continue
		}
		st, err := c.pool.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		c.mu.Lock()
		if _, have := c.m[q]; have || len(c.m) >= maxCachedStatements {
			st.Close() // another caller prepared it meanwhile
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	m := c.m
	c.m = map[string]*sql.Stmt{}
	c.mu.Unlock()
	// Closed without holding the lock: a statement's Close waits for its
	// runs in progress, which may wait for the connection a transaction
	// holds while it asks the cache for a statement (a node stopping with
	// calls still ending).
	for _, st := range m {
		st.Close()
	}
}
