//go:build linux

package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// report prints the rates, the extrapolation, the CPU, and the audit from
// the database: no attempt dialled twice (errDoubleDial otherwise).
func report(ctx context.Context, db *store.DB, c *anxin.Campaign, o *options, r *result, out io.Writer) error {
	end := r.points[len(r.points)-1]
	ran := r.end.Sub(r.start)
	over := end.total() - end.disps[""]
	completed := end.disps[anxin.DispCompleted]
	perHour := float64(completed) / ran.Hours()
	fmt.Fprintf(out, "\n## result\n")
	fmt.Fprintf(out, "dialled for %s: %d attempts, %d over (%s), %d up when it ran out\n",
		ran.Round(time.Second), end.total(), over, dispositions(end), end.disps[""])
	fmt.Fprintf(out, "completed calls per hour: %.0f over the whole run", perHour)
	// Steady state: from the first progress point a minute or more in.
	for _, p := range r.points {
		if p.at.Sub(r.start) >= time.Minute && r.end.Sub(p.at) >= time.Minute {
			n := completed - p.disps[anxin.DispCompleted]
			fmt.Fprintf(out, "; %.0f from minute %.1f on (ramp-up left out)", float64(n)/r.end.Sub(p.at).Hours(), p.at.Sub(r.start).Minutes())
			break
		}
	}
	fmt.Fprintln(out)
	secs := ran.Seconds()
	fmt.Fprintf(out, "CPU over the run: anxin (in-process, with this benchmark's sampling) %.2f cores, SIPp %.2f cores; load average %s → %s\n",
		float64(r.selfTicks)/100/secs, float64(r.sippTick)/100/secs, r.load[0], r.load[1])
	fmt.Fprintf(out, "the dialler stopped %s after the deadline (calls up hung up, attempts closed as interrupted); every call had ended %s after it\n",
		r.stopped.Sub(r.end).Round(time.Millisecond), r.settled.Sub(r.end).Round(time.Second))

	// Everything from the database, after the dialler stopped.
	a, err := db.AuditDialling(ctx, c.ID)
	if err != nil {
		return err
	}
	count := func(q string) int {
		var n int
		if err := db.View(ctx, func(tx *store.Tx) error { return tx.QueryRowContext(ctx, q, c.ID).Scan(&n) }); err != nil {
			fmt.Fprintf(out, "query failed: %v\n", err)
			return -1
		}
		return n
	}
	tasks := count(`SELECT COUNT(*) FROM campaign_tasks WHERE campaign_id = $1`)
	twice := count(`SELECT COUNT(*) FROM (SELECT c.elder_id FROM calls c JOIN campaign_tasks t ON t.id = c.campaign_task_id
		WHERE t.campaign_id = $1 GROUP BY c.elder_id HAVING COUNT(*) > 1) d`)
	answers := count(`SELECT COUNT(*) FROM campaign_answers a JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id = $1`)
	failedCalls := count(`SELECT COUNT(*) FROM calls c JOIN campaign_tasks t ON t.id = c.campaign_task_id
		WHERE t.campaign_id = $1 AND c.cause <> 'answered'`)
	fmt.Fprintf(out, "\n## audit (database, after the stop)\n")
	fmt.Fprintf(out, "tasks %d; attempts %d; calls %d (not answered: %d); check-in answers recorded %d\n",
		tasks, a.Attempts, a.Calls, failedCalls, answers)
	fmt.Fprintf(out, "(task, attempt) recorded twice: %d; calls outside an attempt: %d; calls shared by attempts: %d; "+
		"calls to one elder up at once: %d; elders with more than one call: %d\n",
		a.DuplicateAttempts, a.UnlinkedCalls, a.SharedCalls, a.Overlapping, twice)

	fmt.Fprintf(out, "\n## extrapolation\n")
	if perHour > 0 {
		fmt.Fprintf(out, "%d tasks at %.0f completed calls/hour: %.1f hours of dialling (one node, %d channels, calls of ~%s)\n",
			tasks, perHour, float64(tasks)/perHour, o.channels, callLength(o).Round(100*time.Millisecond))
	}
	if a.DuplicateAttempts != 0 || a.UnlinkedCalls != 0 || a.SharedCalls != 0 || a.Overlapping != 0 || twice != 0 {
		return errDoubleDial
	}
	return nil
}

// callLength is about how long a bench call lasts: ringing, the key, the
// thanks (5.0 s), the hang-up.
func callLength(o *options) time.Duration {
	return o.ring + o.keyAfter + 5*time.Second + 300*time.Millisecond
}
