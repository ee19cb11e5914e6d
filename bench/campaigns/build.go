package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// buildTimes are one target's timings over the repetitions.
type buildTimes struct {
	name         string
	tasks        int
	count, build []time.Duration
	again        []time.Duration
}

// measureBuild times CountTarget, BuildTasks and BuildTasks again for each
// target, and the floor, o.reps times each, and prints the medians.
func measureBuild(ctx context.Context, db *store.DB, raw *rawDB, sc anxin.Scope, o options) error {
	floor := &buildTimes{name: "floor: bare INSERT … SELECT, area only"}
	results := make([]*buildTimes, len(o.targets))
	for i, name := range o.targets {
		if _, err := targetOf(name); err != nil {
			return err
		}
		results[i] = &buildTimes{name: name}
	}
	cpu := markCPU()
	for rep := range o.reps {
		// The floor.
		c, err := newCampaign(ctx, db, sc, o.area, "floor", anxin.Target{})
		if err != nil {
			return err
		}
		if err := raw.checkpoint(ctx); err != nil {
			return err
		}
		due := anxin.NextCallTime(db.Now(), c.Windows, db.Calendar().IsWorkday)
		n, el, err := raw.floor(ctx, c.ID, o.area, due)
		if err != nil {
			return err
		}
		floor.tasks = n
		floor.build = append(floor.build, el)
		fmt.Printf("rep %d  %-10s %8d rows  %s\n", rep+1, "floor", n, secs(el))
		if err := raw.deleteTasks(ctx, c.ID); err != nil {
			return err
		}
		// The targets.
		for _, b := range results {
			t, _ := targetOf(b.name)
			c, err := newCampaign(ctx, db, sc, o.area, b.name, t)
			if err != nil {
				return err
			}
			if err := raw.checkpoint(ctx); err != nil {
				return err
			}
			t0 := time.Now()
			counted, err := db.CountTarget(ctx, sc, c)
			if err != nil {
				return err
			}
			b.count = append(b.count, time.Since(t0))
			t0 = time.Now()
			n, err := db.BuildTasks(ctx, sc, c.ID)
			if err != nil {
				return err
			}
			b.build = append(b.build, time.Since(t0))
			t0 = time.Now()
			again, err := db.BuildTasks(ctx, sc, c.ID)
			if err != nil {
				return err
			}
			b.again = append(b.again, time.Since(t0))
			if n != counted || again != 0 {
				return fmt.Errorf("target %s: counted %d, built %d tasks, then %d more", b.name, counted, n, again)
			}
			b.tasks = n
			fmt.Printf("rep %d  %-10s %8d tasks  count %s  build %s  again %s\n", rep+1, b.name, n,
				secs(b.count[rep]), secs(b.build[rep]), secs(b.again[rep]))
			if err := raw.deleteTasks(ctx, c.ID); err != nil {
				return err
			}
		}
	}
	fl := median(floor.build)
	fmt.Printf("\nOther processes used %.2f cores on average meanwhile.\n", cpu.others())
	fmt.Printf("Medians of %d runs; × floor is the build's time over the floor's (%d rows in %s, %.0f rows/s).\n\n",
		o.reps, floor.tasks, secs(fl), float64(floor.tasks)/fl.Seconds())
	fmt.Println("| target | tasks | CountTarget | BuildTasks | tasks/s | × floor | build again |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, b := range results {
		bt := median(b.build)
		fmt.Printf("| %s | %d | %s | %s | %.0f | %.2f | %s |\n", b.name, b.tasks, secs(median(b.count)), secs(bt),
			float64(b.tasks)/bt.Seconds(), bt.Seconds()/fl.Seconds(), secs(median(b.again)))
	}
	fmt.Println()
	return nil
}

// newCampaign creates a draft campaign of the bench over the area.
func newCampaign(ctx context.Context, db *store.DB, sc anxin.Scope, area, name string, t anxin.Target) (*anxin.Campaign, error) {
	c := &anxin.Campaign{Name: "bench: " + name, Type: anxin.CampaignWellness, Mode: anxin.DialPreview, RegionCode: area,
		StartsOn: db.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly), Target: t}
	if err := db.CreateCampaign(ctx, sc, c); err != nil {
		return nil, fmt.Errorf("create campaign %s: %w", name, err)
	}
	return c, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
