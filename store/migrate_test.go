package store_test

import (
	"sync"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestMigrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Run("is idempotent", func(t *testing.T) {
			applied, err := db.Migrate(ctx)
			if err != nil || len(applied) != 0 {
				t.Fatalf("second migrate applied %v, err %v", applied, err)
			}
			if err := db.CheckSchema(ctx); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("loads all of China", func(t *testing.T) {
			r, err := db.FindRegion(ctx, "310107005")
			if err != nil || r.FullName != "上海市 普陀区 曹杨新村街道" || r.Level != anxin.LevelStreet {
				t.Fatalf("曹杨新村 = %+v, %v", r, err)
			}
			kids, err := db.FindRegions(ctx, anxin.RegionFilter{Parent: "310107005"})
			if err != nil || len(kids) < 10 {
				t.Fatalf("曹杨新村 committees: %d, %v", len(kids), err)
			}
			for _, q := range []string{"%", "_", `\`, "3101%"} {
				if rs, err := db.FindRegions(ctx, anxin.RegionFilter{Query: q}); err != nil || len(rs) != 0 {
					t.Fatalf("search %q is not literal: %d results, %v", q, len(rs), err)
				}
			}
			if rs, _ := db.FindRegions(ctx, anxin.RegionFilter{Query: "曹杨"}); len(rs) == 0 {
				t.Fatal("search 曹杨 finds nothing")
			}
			provs, _ := db.FindRegions(ctx, anxin.RegionFilter{})
			if len(provs) != 31 {
				t.Fatalf("%d provinces", len(provs))
			}
		})
		t.Run("refuses a newer schema", func(t *testing.T) {
			if err := db.ExecWriter(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', CURRENT_TIMESTAMP)"); err != nil {
				t.Fatal(err)
			}
			_, err := db.Migrate(ctx)
			wantCode(t, err, anxin.EUNAVAILABLE)
			wantContains(t, err.Error(), "newer version of anxin")
			wantCode(t, db.CheckSchema(ctx), anxin.EUNAVAILABLE)
		})
	})
}

// Two nodes starting at once on one PostgreSQL database must both succeed
// and apply each step exactly once.
func TestMigrateConcurrentPostgres(t *testing.T) {
	url := storetest.EmptyPostgres(t)
	const nodes = 3
	var wg sync.WaitGroup
	results := make([][]int, nodes)
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := store.Open(ctx, store.Config{URL: url})
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			results[i], errs[i] = db.Migrate(ctx)
		}()
	}
	wg.Wait()
	total := 0
	for i := range nodes {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		total += len(results[i])
	}
	db, err := store.Open(ctx, store.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if total != db.SchemaVersion() {
		t.Fatalf("steps applied in all: %d, want %d (each once): %v", total, db.SchemaVersion(), results)
	}
	if err := db.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenUnreachablePostgres(t *testing.T) {
	_, err := store.Open(ctx, store.Config{URL: "postgres://anxin:secret@127.0.0.1:1/anxin?sslmode=disable"})
	wantCode(t, err, anxin.EUNAVAILABLE)
	wantContains(t, err.Error(), "cannot connect to PostgreSQL at postgres://anxin:xxxxx@127.0.0.1:1/")
}
