package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"time"

	"github.com/anxin-care/anxin/store"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	_ "modernc.org/sqlite"
)

// rawDB is a connection of the bench's own to the store's database, for
// what the store does not offer: the floor's bare INSERT … SELECT,
// checkpoints and clean-up. On SQLite it has the store writer's settings.
type rawDB struct {
	*sql.DB
	engine string
}

func openRaw(ctx context.Context, cfg store.Config) (*rawDB, error) {
	if store.IsPostgresURL(cfg.URL) {
		db, err := sql.Open("pgx", cfg.URL)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(1)
		return &rawDB{DB: db, engine: store.Postgres}, db.PingContext(ctx)
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "foreign_keys(ON)", "synchronous(NORMAL)", "cache_size(-65536)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(cfg.DataDir, "anxin.db")+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return &rawDB{DB: db, engine: store.SQLite}, db.PingContext(ctx)
}

// benchCampaigns selects the campaigns the bench made.
const benchCampaigns = "SELECT id FROM campaigns WHERE name LIKE 'bench:%'"

// cleanup removes the bench's campaigns, tasks, attempts and door-knocks
// (with answers, if any), and sets the
// elders its calls reached, moved or buried back to active and never
// reached (as generated elders are).
func (r *rawDB) cleanup(ctx context.Context) error {
	for _, q := range []string{
		`UPDATE elders SET status = 'active', last_contact_at = NULL WHERE id IN (SELECT a.elder_id FROM campaign_attempts a
			JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id IN (` + benchCampaigns + `))`,
		"DELETE FROM door_knocks WHERE task_id IN (SELECT id FROM campaign_tasks WHERE campaign_id IN (" + benchCampaigns + "))",
		"DELETE FROM campaign_answers WHERE task_id IN (SELECT id FROM campaign_tasks WHERE campaign_id IN (" + benchCampaigns + "))",
		"DELETE FROM campaign_attempts WHERE task_id IN (SELECT id FROM campaign_tasks WHERE campaign_id IN (" + benchCampaigns + "))",
		"DELETE FROM campaign_tasks WHERE campaign_id IN (" + benchCampaigns + ")",
		"DELETE FROM campaigns WHERE id IN (" + benchCampaigns + ")",
	} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return r.checkpoint(ctx)
}

// deleteTasks removes a campaign's tasks (after a timing).
func (r *rawDB) deleteTasks(ctx context.Context, campaignID int64) error {
	if _, err := r.ExecContext(ctx, "DELETE FROM campaign_tasks WHERE campaign_id = $1", campaignID); err != nil {
		return fmt.Errorf("delete tasks: %w", err)
	}
	return r.checkpoint(ctx)
}

// checkpoint empties SQLite's write-ahead log into the database, or on
// PostgreSQL vacuums the tasks and checkpoints, so a timing does not pay
// for the one before.
func (r *rawDB) checkpoint(ctx context.Context) error {
	if r.engine == store.SQLite {
		_, err := r.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		return err
	}
	for _, q := range []string{"VACUUM campaign_tasks", "VACUUM campaign_attempts", "CHECKPOINT"} {
		if _, err := r.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// countElders counts the elders in the area and in all.
func (r *rawDB) countElders(ctx context.Context, area string) (inArea, all int, err error) {
	err = r.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN region_code >= $1 AND region_code < $2 THEN 1 ELSE 0 END), 0) FROM elders",
		area, area+":").Scan(&all, &inArea)
	return inArea, all, err
}

// floor inserts a task for every elder of the area into the campaign with
// a bare INSERT … SELECT: the area as the only filter, no priority, the
// columns' defaults. It is what any build must at least cost.
func (r *rawDB) floor(ctx context.Context, campaignID int64, area string, due time.Time) (int, time.Duration, error) {
	t0 := time.Now()
	res, err := r.ExecContext(ctx, `INSERT INTO campaign_tasks (campaign_id, elder_id, region_code, next_at)
		SELECT $1, e.id, e.region_code, $2 FROM elders e WHERE e.region_code >= $3 AND e.region_code < $4`,
		campaignID, due.UTC(), area, area+":")
	el := time.Since(t0)
	if err != nil {
		return 0, el, fmt.Errorf("floor: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), el, err
}

// taskCounts counts a campaign's tasks by what they wait for at now.
type taskCounts struct {
	due, later, leased, done, failed int
}

func (r *rawDB) taskCounts(ctx context.Context, campaignID int64, now time.Time) (taskCounts, error) {
	var c taskCounts
	err := r.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN state = 'pending' AND next_at <= $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'pending' AND next_at > $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'leased' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0)
		FROM campaign_tasks WHERE campaign_id = $1`, campaignID, now.UTC()).Scan(&c.due, &c.later, &c.leased, &c.done, &c.failed)
	return c, err
}

// age makes a campaign look hours old: of its first n tasks in the order
// NextTask takes them, 6 in 10 are done and the others wait for a retry
// 45 minutes after now (those NextTask must pass over).
func (r *rawDB) age(ctx context.Context, campaignID int64, n int, now time.Time) (done, later int, err error) {
	first := "SELECT id FROM campaign_tasks WHERE campaign_id = $1 ORDER BY priority DESC, next_at, id LIMIT $2"
	res, err := r.ExecContext(ctx, `UPDATE campaign_tasks SET state = 'done', disposition = 'completed', attempts = 1, done_at = $3
		WHERE id % 10 < 6 AND id IN (`+first+`)`, campaignID, n, now.UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("age: %w", err)
	}
	d, _ := res.RowsAffected()
	res, err = r.ExecContext(ctx, `UPDATE campaign_tasks SET attempts = 1, next_at = $3
		WHERE id % 10 >= 6 AND id IN (`+first+`)`, campaignID, n, now.Add(45*time.Minute).UTC())
	if err != nil {
		return 0, 0, fmt.Errorf("age: %w", err)
	}
	l, _ := res.RowsAffected()
	return int(d), int(l), r.checkpoint(ctx)
}
