//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// load places the check-in calls.
type load struct {
	o       *options
	srv     *server
	smp     *sampler
	numbers []target
	log     func(string, ...any)

	mu      sync.Mutex
	calls   []*placedCall // in the order placed
	refused atomic.Int64
}

// placedCall is one POST /api/v1/checkins.
type placedCall struct {
	due     time.Time     // when the schedule called for it
	latency time.Duration // from due to the answer (queueing included)
	id      int64         // the call record, 0 when refused
	err     string
}

// phases are the moments of a run.
type phases struct {
	start   time.Time // first check-in placed
	target  time.Time // -concurrent calls up (or the ramp gave up)
	reached bool      // the target was reached
	stop    time.Time // last check-in placed
	drained time.Time // every call over
	pops    []popResult
	// procsAtTarget and procsAtStop are every process's CPU time when the
	// target was reached and when the last check-in was placed.
	procsAtTarget, procsAtStop procCPU
}

// run places check-ins on a fixed schedule of -rate per second, skipping a
// slot whenever -concurrent calls are up (the media legs open, from
// /metrics, plus the calls placed since that scrape), until the target has
// been held for -hold and the pops are done; then it waits for every call
// to end.
func (l *load) run(ctx context.Context, pop *popper) (phases, error) {
	o := l.o
	interval := time.Duration(float64(time.Second) / o.rate)
	ph := phases{start: time.Now()}
	rampLimit := ph.start.Add(2*time.Duration(float64(o.concurrent)/o.rate*float64(time.Second)) + time.Minute)
	var (
		wg       sync.WaitGroup
		sem      = make(chan struct{}, 512) // API requests in flight
		holdEnd  time.Time
		popsDone chan []popResult
		lastLog  time.Time
	)
	l.log("placing check-ins at %.0f/s up to %d at once", o.rate, o.concurrent)
	for i := 0; ; i++ {
		due := ph.start.Add(time.Duration(i) * interval)
		if err := sleepCtx(ctx, time.Until(due)); err != nil {
			wg.Wait()
			return ph, err
		}
		now := time.Now()
		last := l.smp.latest()
		live := last.legs + l.placedSince(last.at)
		if holdEnd.IsZero() && (last.legs >= o.concurrent || now.After(rampLimit)) {
			ph.target, ph.reached = now, last.legs >= o.concurrent
			ph.procsAtTarget = allProcs()
			if !ph.reached {
				l.log("the ramp gave up at %d calls up (target %d)", last.legs, o.concurrent)
			} else {
				l.log("%d calls up after %.1f s; holding for %v", last.legs, now.Sub(ph.start).Seconds(), o.hold)
			}
			holdEnd = now.Add(o.hold)
			if pop != nil {
				popsDone = make(chan []popResult, 1)
				go func() { popsDone <- pop.run(ctx, o.pops, o.popEvery) }()
			}
		}
		if !holdEnd.IsZero() && now.After(holdEnd) {
			if popsDone == nil {
				break
			}
			select {
			case ph.pops = <-popsDone:
				popsDone = nil
			default:
			}
			if popsDone == nil {
				break
			}
		}
		if now.Sub(lastLog) >= 10*time.Second {
			l.log("%d check-ins placed, %d refused, %d media legs up", l.placed(), l.refused.Load(), last.legs)
			lastLog = now
		}
		if n := l.refused.Load(); n > 100 && n > int64(l.placed()/10) {
			wg.Wait()
			return ph, fmt.Errorf("%d of %d check-ins refused, the last: %s", n, l.placed(), l.lastRefusal())
		}
		if live >= o.concurrent {
			continue
		}
		c, t := l.add(due)
		wg.Add(1)
		go func() { defer wg.Done(); l.place(ctx, c, t, sem) }()
	}
	ph.stop = time.Now()
	ph.procsAtStop = allProcs()
	wg.Wait()
	l.log("%d check-ins placed; waiting for the calls to end", len(l.calls))
	return ph, l.drain(ctx, &ph)
}

// add records a check-in due at due, to the next elder in turn.
func (l *load) add(due time.Time) (*placedCall, target) {
	c := &placedCall{due: due}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, c)
	return c, l.numbers[(len(l.calls)-1)%len(l.numbers)]
}

// place places check-in c to t; sem bounds the requests in flight.
func (l *load) place(ctx context.Context, c *placedCall, t target, sem chan struct{}) {
	sem <- struct{}{}
	defer func() { <-sem }()
	var res struct {
		CallID int64 `json:"call_id"`
	}
	err := l.srv.api(ctx, "POST", "/api/v1/checkins", map[string]any{"number": t.number, "elder_id": t.elder}, &res)
	l.mu.Lock()
	defer l.mu.Unlock()
	c.latency = time.Since(c.due)
	if err != nil {
		c.err = err.Error()
		l.refused.Add(1)
		return
	}
	c.id = res.CallID
}

// drain waits until no media leg is open (every call over), or gives up
// after the longest a call could still last.
func (l *load) drain(ctx context.Context, ph *phases) error {
	deadline := time.Now().Add(l.o.ring + l.o.keyAt + 90*time.Second)
	for {
		if err := sleepCtx(ctx, 500*time.Millisecond); err != nil {
			return err
		}
		last := l.smp.latest()
		if last.at.After(ph.stop) && last.legs == 0 {
			ph.drained = last.at
			return nil
		}
		if time.Now().After(deadline) {
			l.log("%d media legs still open %v after the last check-in", last.legs, time.Since(ph.stop).Round(time.Second))
			ph.drained = time.Now()
			return nil
		}
	}
}

// placed counts the check-ins placed so far.
func (l *load) placed() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.calls)
}

// lastRefusal returns why the last refused check-in was refused.
func (l *load) lastRefusal() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := len(l.calls) - 1; i >= 0; i-- {
		if l.calls[i].err != "" {
			return errors.New(l.calls[i].err)
		}
	}
	return nil
}

// placedSince counts the check-ins placed after t (they may have no media
// leg yet at a scrape taken at t).
func (l *load) placedSince(t time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := sort.Search(len(l.calls), func(i int) bool { return l.calls[i].due.After(t) })
	return len(l.calls) - i
}

// String is a placed call for error messages.
func (c *placedCall) String() string {
	if c.err != "" {
		return fmt.Sprintf("refused: %s", c.err)
	}
	return fmt.Sprintf("call %d", c.id)
}
