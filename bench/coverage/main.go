// Command coverage times the registry's coverage report (store.Coverage,
// store.CoverageElders) on an existing database, such as a copy of one
// filled with `anxin gen elders --count 1000000 --region 3101` (issue 6).
// The database is migrated first; with -fill it gives the elders a spread
// of last contacts (by id modulo 10: three never reached, the others 6
// hours to 45 days ago), which it writes — never point it at data that
// matters.
//
//	go run ./bench/coverage -data /tmp/cov-1m -fill
//	go run ./bench/coverage -db 'postgres://…' -fill
//
// Each report is run once to warm up, then -runs times; it prints the
// minimum and median, and on SQLite the query plan of the city's GROUP BY
// (by committee, in the order of the index it reads).
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	_ "modernc.org/sqlite"
)

func main() {
	dataDir := flag.String("data", "", "SQLite data directory holding anxin.db")
	url := flag.String("db", "", "PostgreSQL URL (instead of -data)")
	fill := flag.Bool("fill", false, "spread last contacts over the elders first (writes)")
	runs := flag.Int("runs", 5, "timed runs per report")
	flag.Parse()
	if err := run(context.Background(), *dataDir, *url, *fill, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "coverage:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dataDir, url string, fill bool, runs int) error {
	db, err := store.Open(ctx, store.Config{DataDir: dataDir, URL: url})
	if err != nil {
		return err
	}
	defer db.Close()
	t0 := time.Now()
	if v, err := db.Migrate(ctx); err != nil {
		return err
	} else if len(v) > 0 {
		fmt.Printf("migrated %d versions in %v\n", len(v), time.Since(t0).Round(time.Millisecond))
	}
	raw, err := rawDB(dataDir, url)
	if err != nil {
		return err
	}
	defer raw.Close()
	now := time.Now().UTC()
	if fill {
		if err := spread(ctx, raw, url != "", now); err != nil {
			return err
		}
	}
	var n int
	if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM elders").Scan(&n); err != nil {
		return err
	}
	fmt.Printf("elders: %d (%s)\n", n, db.Engine())
	reports := []struct {
		name string
		fn   func() (string, error)
	}{
		{"platform (opens on the city's districts)", func() (string, error) { return coverage(ctx, db, "", now) }},
		{"district 310107 (its streets)", func() (string, error) { return coverage(ctx, db, "310107", now) }},
		{"street 310107005 (its committees)", func() (string, error) { return coverage(ctx, db, "310107005", now) }},
		{"at-risk list, city, first page", func() (string, error) { return list(ctx, db, "3101", anxin.CoverageAtRisk, now) }},
		{"never-reached list, street, first page", func() (string, error) { return list(ctx, db, "310107005", anxin.CoverageNever, now) }},
	}
	for _, r := range reports {
		what, err := r.fn()
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		var times []time.Duration
		for range runs {
			t := time.Now()
			if _, err := r.fn(); err != nil {
				return err
			}
			times = append(times, time.Since(t))
		}
		slices.Sort(times)
		fmt.Printf("%-42s min %8v  median %8v  %s\n", r.name, times[0].Round(100*time.Microsecond), times[len(times)/2].Round(100*time.Microsecond), what)
	}
	if url == "" {
		return explain(ctx, raw)
	}
	return nil
}

func coverage(ctx context.Context, db *store.DB, area string, now time.Time) (string, error) {
	c, err := db.Coverage(ctx, anxin.SystemScope(), area, now)
	if err != nil {
		return "", err
	}
	a := c.Area
	return fmt.Sprintf("%s: %d rows, %d active, 7 days %.1f%%, at risk %d", a.Code, len(c.Rows), a.Active, a.Share(a.Reached7), a.AtRisk), nil
}

func list(ctx context.Context, db *store.DB, area, kind string, now time.Time) (string, error) {
	es, total, err := db.CoverageElders(ctx, anxin.SystemScope(), area, kind, now, 0, 50)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d of %d", len(es), total), nil
}

func rawDB(dataDir, url string) (*sql.DB, error) {
	if url != "" {
		return sql.Open("pgx", url)
	}
	return sql.Open("sqlite", "file:"+filepath.Join(dataDir, "anxin.db")+"?_pragma=busy_timeout(10000)")
}

// spread sets last contacts by id modulo 10: 0–2 never, then 6 hours, 2,
// 3, 5, 10, 20 and 45 days ago.
func spread(ctx context.Context, raw *sql.DB, pg bool, now time.Time) error {
	t0 := time.Now()
	ago := []time.Duration{-1, -1, -1, 6 * time.Hour, 48 * time.Hour, 72 * time.Hour, 120 * time.Hour, 240 * time.Hour, 480 * time.Hour, 1080 * time.Hour}
	q := "UPDATE elders SET last_contact_at = ? WHERE id % 10 = ?"
	if pg {
		q = "UPDATE elders SET last_contact_at = $1 WHERE id % 10 = $2"
	}
	for m, d := range ago {
		var v any
		if d > 0 {
			v = now.Add(-d)
		}
		if _, err := raw.ExecContext(ctx, q, v, m); err != nil {
			return err
		}
	}
	if pg {
		_, err := raw.ExecContext(ctx, "ANALYZE elders")
		return err
	}
	fmt.Printf("spread last contacts in %v\n", time.Since(t0).Round(time.Millisecond))
	return nil
}

func explain(ctx context.Context, raw *sql.DB) error {
	rows, err := raw.QueryContext(ctx, `EXPLAIN QUERY PLAN SELECT e.region_code, COUNT(*),
		SUM(CASE WHEN e.last_contact_at > ? THEN 1 ELSE 0 END), SUM(CASE WHEN COALESCE(e.last_contact_at, e.created_at) <= ? THEN 1 ELSE 0 END)
		FROM elders e WHERE e.status = 'active' AND e.region_code >= '3101' AND e.region_code < '3101:'
		GROUP BY e.region_code ORDER BY e.region_code`, time.Now(), time.Now())
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Println("plan of the city's GROUP BY:")
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return err
		}
		fmt.Println("  ", detail)
	}
	return rows.Err()
}
