package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// outcomes is the mix of attempts' outcomes, in per cent: about half the
// elders answer and finish the call, a quarter do not answer.
var outcomes = []struct {
	disposition string
	share       int
}{
	{anxin.DispCompleted, 50}, {anxin.DispNoAnswer, 25}, {anxin.DispBusy, 5}, {anxin.DispUnreachable, 5},
	{anxin.DispCallback, 5}, {anxin.DispRefused, 4}, {anxin.DispWrongNumber, 3}, {anxin.DispMoved, 2}, {anxin.DispDeceased, 1},
}

func outcome(r *rand.Rand) string {
	x := r.IntN(100)
	for _, o := range outcomes {
		if x < o.share {
			return o.disposition
		}
		x -= o.share
	}
	return anxin.DispCompleted
}

// operatorLog is what one caller saw after the warm-up.
type operatorLog struct {
	next, finish []time.Duration
	empty        int // NextTask found nothing due
	outcomes     map[string]int
}

// measureLoad builds the load campaign, starts it and runs o.operators
// callers on it for o.duration.
func measureLoad(ctx context.Context, db *store.DB, raw *rawDB, sc anxin.Scope, o options) error {
	t, err := targetOf(o.loadTarget)
	if err != nil {
		return err
	}
	c, err := newCampaign(ctx, db, sc, o.area, "load "+o.loadTarget, t)
	if err != nil {
		return err
	}
	t0 := time.Now()
	n, err := db.BuildTasks(ctx, sc, c.ID)
	if err != nil {
		return err
	}
	fmt.Printf("load: campaign %d, target %s: %d tasks built in %s\n", c.ID, o.loadTarget, n, secs(time.Since(t0)))
	if o.aged > 0 {
		done, later, err := raw.age(ctx, c.ID, int(o.aged*float64(n)), db.Now())
		if err != nil {
			return err
		}
		fmt.Printf("load: aged: the first %d tasks called already: %d done, %d to try again in 45 minutes\n", done+later, done, later)
	}
	if err := db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning); err != nil {
		return err
	}
	if err := raw.checkpoint(ctx); err != nil {
		return err
	}
	fmt.Printf("load: %d operators for %s (the first %s left out), talk time %s on average, lease %s\n",
		o.operators, o.duration, o.warmup, o.think, o.lease)

	cpu := markCPU()
	runCtx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	start := time.Now()
	logs := make([]*operatorLog, o.operators)
	errs := make(chan error, o.operators)
	var wg sync.WaitGroup
	for i := range o.operators {
		logs[i] = &operatorLog{outcomes: map[string]int{}}
		wg.Go(func() {
			errs <- operate(runCtx, db, c.ID, fmt.Sprintf("account:%d", 100000+i), rand.New(rand.NewPCG(uint64(i), 6)), o, start, logs[i])
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	measured := time.Since(start) - o.warmup

	var next, finish []time.Duration
	empty := 0
	mix := map[string]int{}
	for _, l := range logs {
		next = append(next, l.next...)
		finish = append(finish, l.finish...)
		empty += l.empty
		for k, v := range l.outcomes {
			mix[k] += v
		}
	}
	counts, err := raw.taskCounts(ctx, c.ID, db.Now())
	if err != nil {
		return err
	}
	fmt.Printf("load: %d leases in %s: %.0f a second; NextTask found nothing due %d times\n", len(next), secs(measured),
		float64(len(next))/measured.Seconds(), empty)
	fmt.Printf("load: other processes used %.2f cores on average meanwhile\n", cpu.others())
	fmt.Printf("load: outcomes %v\n", mix)
	fmt.Printf("load: tasks now: %d due, %d due later (retries, callbacks), %d leased, %d done, %d failed\n\n",
		counts.due, counts.later, counts.leased, counts.done, counts.failed)
	fmt.Println("| call | n | p50 | p90 | p99 | p99.9 | max |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, k := range []struct {
		name string
		lat  []time.Duration
	}{{"NextTask", next}, {"FinishAttempt", finish}} {
		if len(k.lat) == 0 {
			continue
		}
		slices.Sort(k.lat)
		q := func(p float64) time.Duration { return k.lat[min(len(k.lat)-1, int(p*float64(len(k.lat))))] }
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %s |\n", k.name, len(k.lat), ms(q(0.5)), ms(q(0.9)), ms(q(0.99)), ms(q(0.999)), ms(k.lat[len(k.lat)-1]))
	}
	fmt.Println()
	return nil
}

// operate is one caller: lease, talk, finish, until ctx ends.
func operate(ctx context.Context, db *store.DB, campaignID int64, owner string, r *rand.Rand, o options, start time.Time, l *operatorLog) error {
	for ctx.Err() == nil {
		t0 := time.Now()
		a, err := db.NextTask(ctx, campaignID, owner, o.lease)
		took := time.Since(t0)
		if ctx.Err() != nil {
			return nil
		} else if err != nil {
			return fmt.Errorf("%s: next task: %w", owner, err)
		}
		counted := t0.Sub(start) >= o.warmup
		if counted {
			l.next = append(l.next, took)
		}
		if a == nil {
			l.empty++
			pause(ctx, 100*time.Millisecond)
			continue
		}
		if o.think > 0 {
			pause(ctx, time.Duration(r.Int64N(int64(2*o.think))))
		}
		d := outcome(r)
		t0 = time.Now()
		_, err = db.FinishAttempt(ctx, a.ID, owner, d, db.Now().Add(2*time.Hour))
		took = time.Since(t0)
		if ctx.Err() != nil {
			return nil
		} else if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("%s: finish attempt %d: %w", owner, a.ID, err)
		}
		if counted {
			l.finish = append(l.finish, took)
			l.outcomes[d]++
		}
	}
	return nil
}

func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
