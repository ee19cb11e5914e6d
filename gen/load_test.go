package gen_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/gen"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

func TestGenerate(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const street, count = "310107005", 2500 // 曹杨新村, two transactions
		var calls []int
		n, err := gen.New(7).Generate(ctx, db, street, count, func(done int) { calls = append(calls, done) })
		if err != nil || n != count {
			t.Fatalf("Generate: %d, %v", n, err)
		}
		// Transactions may end in any order on PostgreSQL.
		if len(calls) != 2 || calls[0] >= calls[1] || calls[1] != count {
			t.Errorf("progress calls %v", calls)
		}
		es, total, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Limit: 1000})
		if err != nil || total != count {
			t.Fatalf("FindElders: %d, %v", total, err)
		}
		perCommittee := map[string]int{}
		for _, e := range es {
			if !anxin.RegionWithin(e.RegionCode, street) {
				t.Errorf("elder %s in %s, outside %s", e.Name, e.RegionCode, street)
			}
			perCommittee[e.RegionCode]++
		}
		if len(perCommittee) < 15 {
			t.Errorf("elders in %d committees of 曹杨新村", len(perCommittee))
		}
		e, err := db.FindElder(ctx, anxin.SystemScope(), es[0].ID)
		if err != nil || e.Name != es[0].Name {
			t.Fatalf("FindElder: %+v, %v", e, err)
		}

		// The same seed again gives the same people; their ID numbers, taken
		// now, are issued anew.
		if n, err := gen.New(7).Generate(ctx, db, street, count, nil); err != nil || n != count {
			t.Fatalf("second run: %d, %v", n, err)
		}
		if total, _ := db.CountElders(ctx); total != 2*count {
			t.Fatalf("%d elders after two runs", total)
		}
	})
}

func TestGenerateErrors(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	for _, c := range []struct {
		within, code, msg string
		count             int
	}{
		{"1101", anxin.ENOTFOUND, "anxin regions import", 10},    // Beijing: committees not shipped
		{"999999", anxin.ENOTFOUND, "not found", 10},             // no such district
		{"31010", anxin.EINVALID, "2, 4, 6, 9 or 12 digits", 10}, // malformed
		{"310107005", anxin.EINVALID, "positive", 0},
	} {
		_, err := gen.New(1).Generate(ctx, db, c.within, c.count, nil)
		if anxin.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Generate(%s, %d): %v, want %s mentioning %q", c.within, c.count, err, c.code, c.msg)
		}
	}
	if n, _ := db.CountElders(ctx); n != 0 {
		t.Errorf("%d elders written", n)
	}
}

func TestCommittees(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	for _, c := range []struct {
		within   string
		min, max int
	}{
		{"310107005001", 1, 1}, // 源园居委会
		{"310107005", 15, 40},  // 曹杨新村街道
		{"310107", 200, 400},   // 普陀区
		{"3202", 1000, 3000},   // 无锡市
	} {
		cs, err := gen.Committees(ctx, db, c.within)
		if err != nil || len(cs) < c.min || len(cs) > c.max {
			t.Errorf("Committees(%s): %d, %v", c.within, len(cs), err)
			continue
		}
		for i, r := range cs {
			if r.Level != anxin.LevelCommittee || !anxin.RegionWithin(r.Code, c.within) || i > 0 && cs[i-1].Code >= r.Code {
				t.Fatalf("Committees(%s)[%d] = %+v", c.within, i, r)
			}
		}
	}
}

// BenchmarkPopulate measures writing elders into SQLite (elders/s is
// b.N/s).
func BenchmarkPopulate(b *testing.B) {
	ctx := context.Background()
	db, _ := storetest.Open(b, store.SQLite)
	cs, err := gen.Committees(ctx, db, "310107")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	if _, err := gen.New(1).Populate(ctx, db, cs, b.N, nil); err != nil {
		b.Fatal(err)
	}
}
