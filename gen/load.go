package gen

import (
	"context"
	"fmt"
	"math"
	"sort"
	"sync"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// DefaultBatch is the number of elders Generate writes per transaction.
const DefaultBatch = 2000

// Committees returns the residents' and village committees in the region
// within (a committee, street, district, city or province code), ordered
// by code. It answers EINVALID for a malformed code, ENOTFOUND for an
// unknown region or one whose committees are not in the database.
func Committees(ctx context.Context, db *store.DB, within string) ([]*anxin.Region, error) {
	level := anxin.RegionLevel(within)
	if level == 0 {
		return nil, anxin.Errorf(anxin.EINVALID, "region code %q must have 2, 4, 6, 9 or 12 digits", within)
	}
	root, err := db.FindRegion(ctx, within)
	if err != nil {
		return nil, err
	}
	regions := []*anxin.Region{root}
	for ; level < anxin.LevelCommittee; level++ {
		var next []*anxin.Region
		for _, p := range regions {
			kids, err := db.FindRegions(ctx, anxin.RegionFilter{Parent: p.Code})
			if err != nil {
				return nil, fmt.Errorf("committees in %s: %w", within, err)
			}
			next = append(next, kids...)
		}
		regions = next
	}
	if len(regions) == 0 {
		return nil, anxin.Errorf(anxin.ENOTFOUND,
			"%s (%s) has no residents' or village committees in the database: Anxin ships those of Shanghai (3101) and Wuxi (3202); add others with `anxin regions import FILE.csv` first",
			root.FullName, within)
	}
	sort.Slice(regions, func(i, j int) bool { return regions[i].Code < regions[j].Code })
	return regions, nil
}

// Generate writes count synthetic elders into the committees of the region
// within (see Committees), spread unevenly as real committees are, and
// returns how many it wrote. It calls progress, when not nil and from one
// goroutine at a time, with the number written so far after each
// transaction of DefaultBatch elders, and refreshes the planner's
// statistics at the end. On an error the elders of committed transactions
// stay.
func (g *Generator) Generate(ctx context.Context, db *store.DB, within string, count int, progress func(done int)) (int, error) {
	if count <= 0 {
		return 0, anxin.Errorf(anxin.EINVALID, "the number of elders to generate must be positive, not %d", count)
	}
	cs, err := Committees(ctx, db, within)
	if err != nil {
		return 0, err
	}
	return g.Populate(ctx, db, cs, count, progress)
}

// Populate is Generate into a list of committees.
func (g *Generator) Populate(ctx context.Context, db *store.DB, committees []*anxin.Region, count int, progress func(done int)) (int, error) {
	if len(committees) == 0 || count <= 0 {
		return 0, anxin.Errorf(anxin.EINVALID, "nothing to generate: %d elders into %d committees", count, len(committees))
	}
	// ID numbers are unique in a run; against elders already stored they
	// must be checked, which costs a query per elder.
	existing, err := db.CountElders(ctx)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		done    int
		failed  error
		wg      sync.WaitGroup
		batches = make(chan []*anxin.Elder, 1)
	)
	// On PostgreSQL several transactions at once hide the round trips;
	// SQLite has one writer.
	workers := 1
	if db.Engine() == store.Postgres {
		workers = postgresWriters
	}
	for range workers {
		wg.Go(func() {
			for b := range batches {
				err := insert(ctx, db, b)
				mu.Lock()
				if err == nil {
					done += len(b)
					if progress != nil {
						progress(done)
					}
				} else if failed == nil {
					failed = err
					cancel()
				}
				mu.Unlock()
			}
		})
	}
	err = g.produce(ctx, db, committees, count, existing > 0, batches)
	close(batches)
	wg.Wait()
	if failed != nil {
		return done, failed
	}
	if err != nil {
		return done, err
	}
	return done, db.AnalyzeElders(ctx)
}

// postgresWriters is the number of transactions Populate runs at once on
// PostgreSQL.
const postgresWriters = 4

// produce generates count elders into committees and sends them in
// batches until done or ctx ends. With check, it gives an elder whose ID
// number is stored already another one.
func (g *Generator) produce(ctx context.Context, db *store.DB, committees []*anxin.Region, count int, check bool, out chan<- []*anxin.Elder) error {
	today := db.Now()
	sc := anxin.SystemScope()
	batch := make([]*anxin.Elder, 0, DefaultBatch)
	send := func() error {
		select {
		case out <- batch:
			batch = make([]*anxin.Elder, 0, DefaultBatch)
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for i, n := range g.spread(count, len(committees)) {
		for range n {
			e := g.Elder(committees[i], today)
			for check && e.IDNumber != "" {
				_, err := db.MatchElder(ctx, sc, e.IDNumber, "", "", "")
				if anxin.ErrorCode(err) == anxin.ENOTFOUND {
					break
				} else if err != nil {
					return fmt.Errorf("check generated ID number: %w", err)
				}
				g.reissue(e)
			}
			if err := e.Validate(); err != nil {
				return fmt.Errorf("generated an invalid elder %+v: %w", e, err)
			}
			if batch = append(batch, e); len(batch) == DefaultBatch {
				if err := send(); err != nil {
					return err
				}
			}
		}
	}
	if len(batch) > 0 {
		return send()
	}
	return nil
}

// insert stores a batch of elders in one transaction.
func insert(ctx context.Context, db *store.DB, batch []*anxin.Elder) error {
	sc := anxin.SystemScope()
	return db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateElders(ctx, sc, batch); err != nil {
			return fmt.Errorf("store generated elders: %w", err)
		}
		return nil
	})
}

// spread divides count elders among n committees in proportion to random
// sizes between 100 and 1,500 older residents, more of them small than
// large, rounding by largest remainder so the parts add up to count.
func (g *Generator) spread(count, n int) []int {
	sizes := make([]float64, n)
	total := 0.0
	for i := range sizes {
		sizes[i] = 100 + 1400*math.Pow(g.r.Float64(), 1.5)
		total += sizes[i]
	}
	parts := make([]int, n)
	rest := make([]int, n)
	frac := make([]float64, n)
	left := count
	for i, s := range sizes {
		exact := float64(count) * s / total
		parts[i] = int(exact)
		frac[i] = exact - float64(parts[i])
		left -= parts[i]
		rest[i] = i
	}
	sort.SliceStable(rest, func(a, b int) bool { return frac[rest[a]] > frac[rest[b]] })
	for _, i := range rest[:left] {
		parts[i]++
	}
	return parts
}
