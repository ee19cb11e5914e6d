package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

// Satisfaction campaigns are fed from completed orders (issue 6): every
// completed order gets a return visit (return_visits.go), and the running
// satisfaction campaigns over the elder's area get a task for her that
// names the order; the task's completed call records the return visit from
// the script's answers — the question keyed ScoreQuestion gives the score,
// CommentQuestion the comment. Started with an empty target, a
// satisfaction campaign takes the return visits already due in its area.

// The keys of a satisfaction script's questions that record the return
// visit: a number 1–5 (or a single choice whose option keys are 1 … 5),
// and a free text.
const (
	ScoreQuestion   = "score"
	CommentQuestion = "comment"
)

// FeedsOnReturnVisits reports whether building campaign c's tasks takes
// the return visits due in its area rather than the registry: a
// satisfaction campaign with an empty target.
func FeedsOnReturnVisits(c *anxin.Campaign) bool {
	return c.Type == anxin.CampaignSatisfaction && sameTarget(c.Target, anxin.Target{})
}

// feedSatisfaction gives the elder of order o, just completed, a task
// naming the order in every running satisfaction campaign over her area
// whose target takes her, due at its next calling time. An elder with a
// pending task there already has it point at this newer order; a task
// being called, done or failed is left alone (the order's return visit
// stays on the return-visit list for the back office).
func (tx *Tx) feedSatisfaction(ctx context.Context, o *anxin.Order, now time.Time) error {
	today := now.In(chinaDay).Format(time.DateOnly)
	rows, err := tx.QueryContext(ctx, "SELECT "+campaignCols+campaignFrom+` WHERE c.type = $1 AND c.state = $2
		AND $3 LIKE c.region_code || '%' AND (c.ends_on = '' OR c.ends_on >= $4) ORDER BY c.id`,
		anxin.CampaignSatisfaction, anxin.CampaignRunning, o.RegionCode, today)
	if err != nil {
		return fmt.Errorf("satisfaction campaigns: %w", err)
	}
	var cs []*anxin.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			rows.Close()
			return err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range cs {
		due, version, err := tx.db.taskStart(ctx, tx, c, now)
		if err != nil {
			return err
		}
		w := tx.db.targetWhere(c)
		w.add("e.id = ?", o.ElderID)
		prio := taskPriority(&w, now)
		q := fmt.Sprintf(`INSERT INTO campaign_tasks (campaign_id, elder_id, region_code, priority, next_at, script_version, order_id)
			SELECT %s, e.id, e.region_code, %s, %s, %s, %s FROM elders e%s
			ON CONFLICT (campaign_id, elder_id) DO UPDATE SET order_id = excluded.order_id WHERE campaign_tasks.state = 'pending'`,
			w.arg(c.ID), prio, w.arg(due), w.arg(version), w.arg(o.ID), w.sql())
		if _, err := tx.ExecContext(ctx, q, w.args...); err != nil {
			return fmt.Errorf("satisfaction task in campaign %d: %w", c.ID, err)
		}
	}
	return nil
}

// taskStart returns when a new task of campaign c is first due (its next
// calling time from now or its start) and the script version it is asked
// with (the latest; 0 without a script).
func (db *DB) taskStart(ctx context.Context, q queryer, c *anxin.Campaign, now time.Time) (time.Time, int, error) {
	start, _ := time.ParseInLocation(time.DateOnly, c.StartsOn, chinaDay)
	due := anxin.NextCallTime(maxTime(now, start), c.Windows, db.Calendar().IsWorkday).UTC()
	version := 0
	if c.ScriptID != 0 {
		if err := q.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM script_versions WHERE script_id = $1", c.ScriptID).Scan(&version); err != nil {
			return due, 0, fmt.Errorf("campaign %d script: %w", c.ID, err)
		}
	}
	return due, version, nil
}

// dueVisits is the query of the elders of c's area with a return visit
// due (of a completed order), each with her newest such order: what a
// satisfaction campaign with an empty target calls.
func dueVisits(w *where, c *anxin.Campaign) string {
	return fmt.Sprintf(`SELECT v.elder_id, MAX(v.order_id) AS order_id FROM return_visits v JOIN orders o ON o.id = v.order_id
		WHERE v.state = %s AND o.state = %s AND v.region_code >= %s AND v.region_code < %s GROUP BY v.elder_id`,
		w.arg(anxin.VisitDue), w.arg(anxin.StateCompleted), w.arg(c.RegionCode), w.arg(c.RegionCode+":"))
}

// buildReturnVisitTasks makes the tasks of a satisfaction campaign with an
// empty target: one for each elder of its area with a return visit due
// (of a completed order; the newest order when she has several) who is
// active, has a number and has not opted out, due at its first calling
// time. It returns how many it made; elders with a task already keep it.
func (db *DB) buildReturnVisitTasks(ctx context.Context, c *anxin.Campaign, due time.Time, version int) (int, error) {
	now := db.Now()
	w := db.targetWhere(c)
	prio := taskPriority(&w, now)
	visits := dueVisits(&w, c)
	q := fmt.Sprintf(`INSERT INTO campaign_tasks (campaign_id, elder_id, region_code, priority, next_at, script_version, order_id)
		SELECT %s, e.id, e.region_code, %s, %s, %s, rv.order_id FROM (%s) rv JOIN elders e ON e.id = rv.elder_id%s
		ON CONFLICT (campaign_id, elder_id) DO NOTHING`, w.arg(c.ID), prio, w.arg(due), w.arg(version), visits, w.sql())
	res, err := db.w.ExecContext(ctx, q, w.args...)
	if err != nil {
		return 0, fmt.Errorf("return-visit tasks of campaign %d: %w", c.ID, err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// finishReport finishes a reported attempt (FinishAttempt) and, when it
// completed a satisfaction call, records the return visit of the task's
// order from the answers, with sc's rights, in the same transaction: a low
// score opens its complaint, the order closes. A task without an order, a
// visit made meanwhile by the back office, or a script without a score
// question leaves the return visit as it is.
func (db *DB) finishReport(ctx context.Context, sc anxin.Scope, c *anxin.Campaign, script *anxin.Script, attemptID int64, owner string,
	answers map[string]string, rep AttemptReport) (*anxin.Task, error) {
	var out *anxin.Task
	err := db.Transact(ctx, func(tx *Tx) error {
		t, err := tx.finishAttempt(ctx, attemptID, owner, rep.Disposition, rep.CallbackAt)
		if err != nil {
			return err
		}
		if c.Type == anxin.CampaignSatisfaction && rep.Disposition == anxin.DispCompleted {
			if err := tx.recordSatisfaction(ctx, sc, t.ID, attemptID, script, answers); err != nil {
				return err
			}
		}
		out = t
		return nil
	})
	return out, err
}

// recordSatisfaction records the return visit of task taskID's order as
// reached, scored and commented as the answers say. The call was made in
// the campaign (under the campaigns' contact cap): the return visits' own
// cap of calls a day does not refuse it.
func (tx *Tx) recordSatisfaction(ctx context.Context, sc anxin.Scope, taskID, attemptID int64, script *anxin.Script, answers map[string]string) error {
	var orderID sql.NullInt64
	if err := tx.QueryRowContext(ctx, "SELECT order_id FROM campaign_tasks WHERE id = $1", taskID).Scan(&orderID); err != nil {
		return fmt.Errorf("task %d order: %w", taskID, err)
	}
	if !orderID.Valid || script == nil {
		return nil
	}
	if _, ok := script.Question(ScoreQuestion); !ok {
		return nil
	}
	v, err := findReturnVisit(ctx, tx, orderID.Int64)
	if anxin.ErrorCode(err) == anxin.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	var state string
	if err := tx.QueryRowContext(ctx, "SELECT state FROM orders WHERE id = $1", orderID.Int64).Scan(&state); err != nil {
		return fmt.Errorf("order %d: %w", orderID.Int64, err)
	}
	if v.State != anxin.VisitDue || state != anxin.StateCompleted {
		return nil // made meanwhile, or the order moved on
	}
	score, err := satisfactionScore(answers[ScoreQuestion])
	if err != nil {
		return err
	}
	r := anxin.VisitResult{Reached: true, Score: score, Comment: strings.TrimSpace(answers[CommentQuestion])}
	v, err = tx.recordReturnVisit(ctx, sc, orderID.Int64, r, false)
	if err != nil {
		return fmt.Errorf("return visit of order %d: %w", orderID.Int64, err)
	}
	if v.ComplaintOrderID != 0 {
		// The complaint a low score opened was made by this call: the
		// campaign counts it with the orders its answers made.
		if _, err := tx.ExecContext(ctx, `UPDATE orders SET campaign_task_id = $1,
			call_id = (SELECT call_id FROM campaign_attempts WHERE id = $2) WHERE id = $3`, taskID, attemptID, v.ComplaintOrderID); err != nil {
			return fmt.Errorf("complaint %d of the return visit: %w", v.ComplaintOrderID, err)
		}
	}
	return nil
}

// satisfactionScore reads the answer to the score question: a whole
// number from 1 to 5 (a number, or the key of a choice).
func satisfactionScore(v string) (int, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f != math.Trunc(f) || f < 1 || f > 5 {
		return 0, anxin.ErrorKey(anxin.EINVALID, "err.visit_score", "Give a satisfaction score from 1 to 5.")
	}
	return int(f), nil
}
