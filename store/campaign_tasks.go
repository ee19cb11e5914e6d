package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

// Contact caps across campaigns: at most so many campaign calls to one
// elder a day, and in seven days (issue 6's defaults).
const (
	CapPerDay  = 1
	CapPerWeek = 3
)

// DoorKnockWithin is how long a residents' committee has to knock on the
// door of an elder a wellness or supply campaign could not reach.
const DoorKnockWithin = 24 * time.Hour

// Attempt is a task leased for one attempt: the elder's number to ring
// and the attempt's record.
type Attempt struct {
	ID     int64
	Task   *anxin.Task
	Number string // the elder's number this attempt rings ("" none left)
}

// errLeaseLost is a caller finishing an attempt it no longer holds.
func errLeaseLost() error {
	return anxin.ErrorKey(anxin.ECONFLICT, "err.task_lease_lost", "This task is no longer yours: its time ran out and someone else has it.")
}

// NextTask leases the campaign's next task to owner (a node's dialler or
// an operator, "account:17") for lease, as a new attempt: the available
// task of highest priority that is due — pending, or leased to someone
// whose lease ran out (that attempt is closed as interrupted). Tasks a
// supervisor assigned to an operator (ReassignTasks) are offered to her
// only, before any other, and never to a node; unassigned tasks to anyone.
// An elder at the contact cap (CapPerDay, CapPerWeek over all campaigns)
// is put off to the next calling day. Each lease is a new attempt with its
// own number, so no elder is ever rung twice for one attempt. nil when
// none is due.
func (db *DB) NextTask(ctx context.Context, campaignID int64, owner string, lease time.Duration) (*Attempt, error) {
	var out *Attempt
	err := db.Transact(ctx, func(tx *Tx) error {
		out = nil
		now := db.Now().UTC()
		var state, windows string
		if err := tx.QueryRowContext(ctx, "SELECT state, windows FROM campaigns WHERE id = $1", campaignID).Scan(&state, &windows); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errCampaignNotFound(campaignID)
			}
			return err
		}
		if state != anxin.CampaignRunning {
			return nil
		}
		l := &leaser{db: db, tx: tx, campaign: campaignID, windows: strings.Split(windows, ","), owner: owner, lease: lease, now: now}
		if db.engine == Postgres {
			l.lock = " FOR UPDATE SKIP LOCKED"
		}
		tries := 0
		// Her own tasks first: an operator's assigned tasks, by priority,
		// read from campaign_tasks_assigned (on SQLite the unary + keeps
		// the planner off campaign_tasks_next, whose walk in priority
		// order would pass over every open task of the campaign).
		if account := ownerAccount(owner); account != 0 {
			campaign := "campaign_id"
			if db.engine == SQLite {
				campaign = "+campaign_id"
			}
			for ; tries < 20; tries++ {
				t, err := l.pick(ctx, `assigned_to = $3 AND `+campaign+` = $1 AND state IN ('pending', 'leased') AND next_at <= $2
					AND (state = 'pending' OR lease_until < $2) ORDER BY priority DESC, next_at, id`, account)
				if err != nil || t == nil {
					if err != nil {
						return err
					}
					break
				}
				if out, err = l.take(ctx, t); err != nil || out != nil {
					return err
				}
			}
		}
		// The tasks are walked one priority at a time (there are a handful),
		// each from its earliest due task: one ordered walk over all of
		// them would pass, at every lease, over each priority's tasks due
		// later (retries, callbacks: in a campaign some hours old, tens of
		// thousands) before reaching the next priority's due ones.
		prio, ok, err := topPriority(ctx, tx, campaignID, nil)
		if err != nil {
			return err
		}
		for ok && tries < 20 {
			t, err := l.pick(ctx, `campaign_id = $1 AND state IN ('pending', 'leased') AND priority = $3 AND next_at <= $2
				AND (state = 'pending' OR lease_until < $2) AND assigned_to IS NULL ORDER BY next_at, id`, prio)
			if err != nil {
				return err
			}
			if t == nil {
				// Nothing of this priority is due: the next lower one.
				if prio, ok, err = topPriority(ctx, tx, campaignID, &prio); err != nil {
					return err
				}
				continue
			}
			tries++
			if out, err = l.take(ctx, t); err != nil || out != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// leaser leases one campaign's tasks to one caller within a transaction.
type leaser struct {
	db       *DB
	tx       *Tx
	campaign int64
	windows  []string
	owner    string
	lease    time.Duration
	now      time.Time
	lock     string // FOR UPDATE SKIP LOCKED on PostgreSQL
}

// pick returns the first task of the campaign meeting cond (which ends with
// its ORDER BY; $1 is the campaign, $2 now, $3 arg), nil when none does.
func (l *leaser) pick(ctx context.Context, cond string, arg any) (*anxin.Task, error) {
	t := &anxin.Task{CampaignID: l.campaign}
	var leaseUntil sql.NullTime
	err := l.tx.QueryRowContext(ctx, `SELECT id, elder_id, region_code, state, priority, attempts, phone_rank, next_at, lease_owner, lease_until,
		COALESCE(order_id, 0) FROM campaign_tasks WHERE `+cond+` LIMIT 1`+l.lock, l.campaign, l.now, arg).
		Scan(&t.ID, &t.ElderID, &t.RegionCode, &t.State, &t.Priority, &t.Attempts, &t.PhoneRank, &t.NextAt, &t.LeaseOwner, &leaseUntil, &t.OrderID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("next task: %w", err)
	}
	return t, nil
}

// take leases task t as a new attempt, nil when the elder is at the
// contact cap (the task is put off to the next calling day).
func (l *leaser) take(ctx context.Context, t *anxin.Task) (*Attempt, error) {
	tx, now := l.tx, l.now
	if t.State == anxin.TaskLeased {
		// The last caller vanished mid-attempt.
		if _, err := tx.ExecContext(ctx, `UPDATE campaign_attempts SET ended_at = $1, disposition = $2
			WHERE task_id = $3 AND attempt = $4 AND ended_at IS NULL`, now, anxin.DispInterrupted, t.ID, t.Attempts); err != nil {
			return nil, err
		}
	}
	capped, err := l.db.overCap(ctx, tx, t.ElderID, now)
	if err != nil {
		return nil, err
	}
	if capped {
		next := anxin.NextCallTime(nextChinaDay(now), l.windows, l.db.Calendar().IsWorkday).UTC()
		_, err := tx.ExecContext(ctx, "UPDATE campaign_tasks SET state = 'pending', next_at = $1, lease_owner = '', lease_until = NULL WHERE id = $2",
			next, t.ID)
		return nil, err
	}
	number, err := phoneOfRank(ctx, tx, t.ElderID, t.PhoneRank)
	if err != nil {
		return nil, err
	}
	t.Attempts++
	t.State, t.LeaseOwner, t.LeaseUntil = anxin.TaskLeased, l.owner, now.Add(l.lease)
	if _, err := tx.ExecContext(ctx, `UPDATE campaign_tasks SET state = 'leased', lease_owner = $1, lease_until = $2, attempts = $3
		WHERE id = $4`, l.owner, t.LeaseUntil, t.Attempts, t.ID); err != nil {
		return nil, err
	}
	a := &Attempt{Task: t, Number: number}
	if err := tx.QueryRowContext(ctx, `INSERT INTO campaign_attempts (task_id, elder_id, attempt, number, caller, started_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.ID, t.ElderID, t.Attempts, number, l.owner, now).Scan(&a.ID); err != nil {
		return nil, fmt.Errorf("attempt: %w", err)
	}
	return a, nil
}

// topPriority returns the highest priority of the campaign's pending and
// leased tasks, below the priority below when it is not nil; false when
// there is none.
func topPriority(ctx context.Context, tx *Tx, campaignID int64, below *int) (int, bool, error) {
	q, args := `SELECT MAX(priority) FROM campaign_tasks WHERE campaign_id = $1 AND state IN ('pending', 'leased')`, []any{campaignID}
	if below != nil {
		q, args = q+" AND priority < $2", append(args, *below)
	}
	var p sql.NullInt64
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&p); err != nil {
		return 0, false, fmt.Errorf("next task's priority: %w", err)
	}
	return int(p.Int64), p.Valid, nil
}

// overCap reports whether the elder has had CapPerDay campaign calls today
// (China's day) or CapPerWeek in the last seven days. Attempts a
// supervisor took back undialled (DispReassigned) were no calls.
func (db *DB) overCap(ctx context.Context, tx *Tx, elder int64, now time.Time) (bool, error) {
	local := now.In(chinaDay)
	midnight := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, chinaDay).UTC()
	var today, week int
	// Not counted: attempts taken back unrung (reassigned), and those
	// interrupted before Anxin placed a call (a node stopped, a lease ran
	// out) where only Anxin could have rung her — every mode but manual,
	// whose operator dials on her own phone.
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN a.started_at >= $2 THEN 1 ELSE 0 END), 0), COUNT(*)
		FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id JOIN campaigns c ON c.id = t.campaign_id
		WHERE a.elder_id = $1 AND a.started_at >= $3 AND a.disposition <> $4
		AND NOT (a.disposition = $5 AND a.call_id IS NULL AND c.mode <> $6)`,
		elder, midnight, now.AddDate(0, 0, -7), DispReassigned, anxin.DispInterrupted, anxin.DialManual).
		Scan(&today, &week)
	if err != nil {
		return false, fmt.Errorf("contact cap: %w", err)
	}
	return today >= CapPerDay || week >= CapPerWeek, nil
}

// nextChinaDay is midnight of the next day, China time.
func nextChinaDay(t time.Time) time.Time {
	l := t.In(chinaDay)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, chinaDay)
}

// phoneOfRank returns the elder's own number of the rank (in order of
// preference), "" when there is no such number.
func phoneOfRank(ctx context.Context, tx *Tx, elder int64, rank int) (string, error) {
	var n string
	err := tx.QueryRowContext(ctx, `SELECT number FROM elder_phones WHERE elder_id = $1 AND contact = FALSE
		ORDER BY rank, number LIMIT 1 OFFSET $2`, elder, rank).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return n, err
}

// FinishAttempt records how an attempt ended and what becomes of its task
// (owner must still hold the lease):
//   - completed, refused, moved, deceased end the task (reached, or gone;
//     moved and deceased also change the elder's status);
//   - callback: called again at callbackAt (moved into a calling window);
//   - wrong number: the elder's next number, at once; none left: failed;
//   - no answer, busy, unreachable, interrupted: again after the
//     campaign's retry delay (in a window); after the last attempt the
//     elder's other numbers are tried once each, then the task fails.
//
// It returns the task as it now is.
func (db *DB) FinishAttempt(ctx context.Context, attemptID int64, owner, disposition string, callbackAt time.Time) (*anxin.Task, error) {
	var out *anxin.Task
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.finishAttempt(ctx, attemptID, owner, disposition, callbackAt)
		return err
	})
	return out, err
}

// finishAttempt is FinishAttempt inside a transaction.
func (tx *Tx) finishAttempt(ctx context.Context, attemptID int64, owner, disposition string, callbackAt time.Time) (*anxin.Task, error) {
	db := tx.db
	valid := disposition == anxin.DispInterrupted
	for _, d := range anxin.Dispositions() {
		valid = valid || d == disposition
	}
	if !valid {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.disposition", "%q is no call outcome.", disposition)
	}
	now := db.Now().UTC()
	t := &anxin.Task{}
	var attempt, uncounted int
	var caller string
	var ended sql.NullTime
	var windows, kind string
	var maxAttempts, retry int
	// Attempts that were no calls do not count against the campaign's
	// attempts, as they do not against the contact cap (overCap): taken
	// back undialled on a reassign (DispReassigned), or interrupted before
	// Anxin placed a call (a node stopped, an operator's lease ran out)
	// in every mode but manual, whose operator dials on her own phone.
	err := tx.QueryRowContext(ctx, `SELECT a.attempt, a.caller, a.ended_at, t.id, t.campaign_id, t.elder_id, t.state, t.attempts, t.phone_rank,
		t.lease_owner, c.windows, c.max_attempts, c.retry_minutes, c.type,
		(SELECT COUNT(*) FROM campaign_attempts x WHERE x.task_id = t.id AND (x.disposition = $2
			OR x.disposition = $3 AND x.call_id IS NULL AND c.mode <> $4))
		FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id JOIN campaigns c ON c.id = t.campaign_id WHERE a.id = $1`,
		attemptID, DispReassigned, anxin.DispInterrupted, anxin.DialManual).
		Scan(&attempt, &caller, &ended, &t.ID, &t.CampaignID, &t.ElderID, &t.State, &t.Attempts, &t.PhoneRank, &t.LeaseOwner,
			&windows, &maxAttempts, &retry, &kind, &uncounted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.attempt_not_found", "Attempt %d not found.", attemptID)
	} else if err != nil {
		return nil, err
	}
	if caller != owner || ended.Valid || t.State != anxin.TaskLeased || t.LeaseOwner != owner || t.Attempts != attempt {
		return nil, errLeaseLost()
	}
	calls := t.Attempts - uncounted
	if _, err := tx.ExecContext(ctx, "UPDATE campaign_attempts SET ended_at = $1, disposition = $2 WHERE id = $3", now, disposition, attemptID); err != nil {
		return nil, err
	}
	win := strings.Split(windows, ",")
	when := func(at time.Time) time.Time { return anxin.NextCallTime(at, win, db.Calendar().IsWorkday).UTC() }
	phones := 0
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM elder_phones WHERE elder_id = $1 AND contact = FALSE", t.ElderID).Scan(&phones); err != nil {
		return nil, err
	}
	t.State, t.NextAt = anxin.TaskPending, when(now.Add(time.Duration(retry)*time.Minute))
	switch {
	case anxin.FinalDisposition(disposition):
		t.State, t.Disposition, t.DoneAt = anxin.TaskDone, disposition, now
	case disposition == anxin.DispCallback:
		if callbackAt.Before(now) {
			callbackAt = now
		}
		t.NextAt = when(callbackAt)
	case disposition == anxin.DispWrongNumber:
		t.PhoneRank++
		t.NextAt = when(now)
		if t.PhoneRank >= phones {
			t.State, t.Disposition, t.DoneAt = anxin.TaskFailed, disposition, now
		}
	case calls >= maxAttempts:
		// Each other number once, then give up.
		t.PhoneRank++
		if t.PhoneRank >= phones || calls >= maxAttempts+phones-1 {
			t.State, t.Disposition, t.DoneAt = anxin.TaskFailed, disposition, now
		}
	}
	var done any
	if !t.DoneAt.IsZero() {
		done = t.DoneAt
	}
	if _, err := tx.ExecContext(ctx, `UPDATE campaign_tasks SET state = $1, next_at = $2, phone_rank = $3, lease_owner = '', lease_until = NULL,
		disposition = $4, done_at = $5 WHERE id = $6`, t.State, t.NextAt, t.PhoneRank, t.Disposition, done, t.ID); err != nil {
		return nil, err
	}
	if t.State == anxin.TaskFailed && (kind == anxin.CampaignWellness || kind == anxin.CampaignSupply) {
		// The welfare chain: nobody reached her by phone, so her
		// residents' committee knocks on the door within a day.
		if _, err := tx.ExecContext(ctx, `INSERT INTO door_knocks (task_id, elder_id, region_code, due_at, created_at)
			SELECT $1, e.id, e.region_code, $2, $3 FROM elders e WHERE e.id = $4`, t.ID, now.Add(DoorKnockWithin), now, t.ElderID); err != nil {
			return nil, fmt.Errorf("door knock: %w", err)
		}
	}
	switch disposition {
	case anxin.DispCompleted, anxin.DispRefused, anxin.DispCallback:
		// Reached: someone spoke with the elder.
		if _, err := tx.ExecContext(ctx, "UPDATE elders SET last_contact_at = $1 WHERE id = $2", now, t.ElderID); err != nil {
			return nil, err
		}
	case anxin.DispMoved, anxin.DispDeceased:
		status := anxin.StatusMovedAway
		if disposition == anxin.DispDeceased {
			status = anxin.StatusDeceased
		}
		if _, err := tx.ExecContext(ctx, "UPDATE elders SET status = $1, updated_at = $2 WHERE id = $3", status, now, t.ElderID); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ReleaseLeases returns the tasks leased to owner (a node starting up, an
// operator signing out) to the pool at once, their attempts closed as
// interrupted.
func (db *DB) ReleaseLeases(ctx context.Context, owner string) (int, error) {
	var n int64
	err := db.Transact(ctx, func(tx *Tx) error {
		now := db.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE campaign_attempts SET ended_at = $1, disposition = $2
			WHERE caller = $3 AND ended_at IS NULL`, now, anxin.DispInterrupted, owner); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE campaign_tasks SET state = 'pending', lease_owner = '', lease_until = NULL
			WHERE state = 'leased' AND lease_owner = $1`, owner)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}
