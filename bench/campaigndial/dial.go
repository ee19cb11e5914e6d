//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/callflow"
	"github.com/anxin-care/anxin/store"
)

// point is the campaign's attempts by disposition at one moment ("" for
// those still under way).
type point struct {
	at    time.Time
	disps map[string]int
}

func (p point) total() (n int) {
	for _, v := range p.disps {
		n += v
	}
	return n
}

// result is what a run measured.
type result struct {
	// Dialling started, ran out, the dialler had stopped, every call had
	// ended.
	start, end, stopped, settled time.Time
	points                       []point
	selfTicks, sippTick          int64 // CPU over the dialling, clock ticks
	load                         [2]string
}

// dial runs the dialler for o.duration, printing progress, then stops it.
func dial(ctx context.Context, db *store.DB, flows *callflow.Flows, c *anxin.Campaign, o *options, sipp *carrier, out io.Writer) (*result, error) {
	r := &result{start: time.Now(), load: [2]string{loadavg(), ""}}
	self0, sipp0 := procTicks(os.Getpid()), sipp.cpuTicks()
	dctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() { flows.RunCampaigns(dctx, "bench"); close(done) }()
	tick := time.NewTicker(o.progressEvery)
	defer tick.Stop()
	deadline := time.NewTimer(o.duration)
	defer deadline.Stop()
	prev := point{at: r.start, disps: map[string]int{}}
loop:
	for {
		select {
		case <-tick.C:
			p, err := snapshot(ctx, db, c.ID)
			if err != nil {
				return nil, err
			}
			r.points = append(r.points, p)
			done := p.total() - p.disps[""]
			rate := float64(done-(prev.total()-prev.disps[""])) / p.at.Sub(prev.at).Hours()
			fmt.Fprintf(out, "t=%4.0fs  attempts %6d  over %6d  up %4d  completed %6d  rate %7.0f/h  (%s)\n",
				p.at.Sub(r.start).Seconds(), p.total(), done, p.disps[""], p.disps[anxin.DispCompleted], rate, dispositions(p))
			prev = p
		case <-deadline.C:
			break loop
		case <-ctx.Done():
			break loop
		case err := <-sipp.done:
			return nil, fmt.Errorf("sipp exited early (%v); see %s", err, sipp.log)
		}
	}
	r.end = time.Now()
	p, err := snapshot(ctx, db, c.ID)
	if err != nil {
		return nil, err
	}
	r.points = append(r.points, p)
	r.selfTicks, r.sippTick = procTicks(os.Getpid())-self0, sipp.cpuTicks()-sipp0
	r.load[1] = loadavg()
	cancel()
	<-done
	r.stopped = time.Now()
	// Calls whose BYE went unanswered (SIPp's phone was not expecting one
	// yet) end up to 10 s later, after the dialler's 15 s drain.
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(time.Second) {
		var open int
		err := db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM calls WHERE ended_at IS NULL").Scan(&open)
		})
		if err != nil || open == 0 {
			break
		}
	}
	r.settled = time.Now()
	return r, nil
}

// snapshot counts the campaign's attempts by disposition.
func snapshot(ctx context.Context, db *store.DB, campaign int64) (point, error) {
	p := point{at: time.Now(), disps: map[string]int{}}
	err := db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT a.disposition, COUNT(*) FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
			WHERE t.campaign_id = $1 GROUP BY a.disposition`, campaign)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d string
			var n int
			if err := rows.Scan(&d, &n); err != nil {
				return err
			}
			p.disps[d] = n
		}
		return rows.Err()
	})
	return p, err
}

// dispositions lists a point's finished attempts by disposition.
func dispositions(p point) string {
	var keys []string
	for k := range p.disps {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", k, p.disps[k])
	}
	return b.String()
}

// loadavg is the machine's load average (1, 5, 15 minutes).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
