package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

// An elder with an open campaign task who rings the hotline (the callback
// number) has the task done in that call (issue 6): the operator who took
// the call sees the elder's open tasks and takes one as a new attempt of
// the call, then works it in the campaign's workspace.

// TakeLease is how long an operator holds a task she took in a call.
const TakeLease = 15 * time.Minute

func errTaskNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.task_not_found", "Task %d not found.", id)
}

// OpenTask is an elder's campaign task still to do, with its campaign.
type OpenTask struct {
	anxin.Task
	CampaignName   string `json:"campaign_name"`
	CampaignType   string `json:"campaign_type"`
	CampaignMode   string `json:"campaign_mode"`
	CampaignRegion string `json:"campaign_region"`
	// HolderName is the operator calling her for it now ("" when nobody
	// holds it, or a node's dialler does: see LeaseOwner).
	HolderName string `json:"holder_name,omitempty"`
}

// ElderOpenTasks returns the elder's pending and leased tasks in running
// campaigns sc sees that operators work (not agentless ones), by campaign.
// A lease that ran out is shown as pending.
func (db *DB) ElderOpenTasks(ctx context.Context, sc anxin.Scope, elderID int64) ([]OpenTask, error) {
	var w where
	w.add("t.elder_id = ?", elderID)
	w.add("t.state IN ('pending', 'leased')")
	w.add("c.state = ?", anxin.CampaignRunning)
	w.add("c.mode <> ?", anxin.DialAgentless)
	scopeCampaigns(&w, sc)
	rows, err := db.r.QueryContext(ctx, `SELECT t.id, t.campaign_id, t.elder_id, t.region_code, t.state, t.priority, t.attempts, t.phone_rank,
		t.next_at, t.lease_owner, t.lease_until, c.name, c.type, c.mode, c.region_code
		FROM campaign_tasks t JOIN campaigns c ON c.id = t.campaign_id`+w.sql()+" ORDER BY t.campaign_id LIMIT 100", w.args...)
	if err != nil {
		return nil, fmt.Errorf("elder %d open tasks: %w", elderID, err)
	}
	defer rows.Close()
	now := db.Now()
	var out []OpenTask
	var owners []string
	for rows.Next() {
		var t OpenTask
		var until sql.NullTime
		if err := rows.Scan(&t.ID, &t.CampaignID, &t.ElderID, &t.RegionCode, &t.State, &t.Priority, &t.Attempts, &t.PhoneRank,
			&t.NextAt, &t.LeaseOwner, &until, &t.CampaignName, &t.CampaignType, &t.CampaignMode, &t.CampaignRegion); err != nil {
			return nil, err
		}
		t.NextAt = t.NextAt.UTC()
		if until.Valid {
			t.LeaseUntil = until.Time.UTC()
		}
		if t.State == anxin.TaskLeased && !t.LeaseUntil.After(now) {
			t.State, t.LeaseOwner, t.LeaseUntil = anxin.TaskPending, "", time.Time{}
		}
		owners = append(owners, t.LeaseOwner)
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := db.accountNames(ctx, owners)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].HolderName = names[ownerAccount(out[i].LeaseOwner)]
	}
	return out, nil
}

// FindTask returns a task of a campaign sc sees, or ENOTFOUND.
func (db *DB) FindTask(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Task, error) {
	var w where
	w.add("t.id = ?", id)
	scopeCampaigns(&w, sc)
	t := &anxin.Task{}
	var until, done sql.NullTime
	err := db.r.QueryRowContext(ctx, `SELECT t.id, t.campaign_id, t.elder_id, COALESCE(e.name, ''), t.region_code, t.state, t.priority,
		t.attempts, t.phone_rank, t.next_at, t.lease_owner, t.lease_until, t.disposition, t.done_at, COALESCE(t.order_id, 0)
		FROM campaign_tasks t JOIN campaigns c ON c.id = t.campaign_id LEFT JOIN elders e ON e.id = t.elder_id`+w.sql(), w.args...).
		Scan(&t.ID, &t.CampaignID, &t.ElderID, &t.ElderName, &t.RegionCode, &t.State, &t.Priority, &t.Attempts, &t.PhoneRank,
			&t.NextAt, &t.LeaseOwner, &until, &t.Disposition, &done, &t.OrderID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errTaskNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("task %d: %w", id, err)
	}
	t.NextAt, t.LeaseUntil, t.DoneAt = t.NextAt.UTC(), timeOf(until), timeOf(done)
	return t, nil
}

// TakeTask leases task taskID to owner (an operator) for TakeLease as a
// new attempt made in inbound call callID — due or not: the elder rang.
// The attempt's number is the calling number and it is linked to the call
// (and the call to the task); it counts as an attempt and a contact like
// any other. The owner holding the task already gets her attempt back
// (linked to the call when it had none). ENOTFOUND for no such task or
// call; EINVALID for a call that is not inbound or is from another elder;
// ECONFLICT when the campaign is not running, the task is done or failed,
// or someone else holds it (another operator, a node's dialler).
func (db *DB) TakeTask(ctx context.Context, taskID int64, owner string, callID int64) (*Attempt, error) {
	var out *Attempt
	err := db.Transact(ctx, func(tx *Tx) error {
		out = nil
		now := db.Now().UTC()
		var from, direction string
		var callElder int64
		err := tx.QueryRowContext(ctx, "SELECT from_number, direction, COALESCE(elder_id, 0) FROM calls WHERE id = $1", callID).
			Scan(&from, &direction, &callElder)
		if errors.Is(err, sql.ErrNoRows) {
			return anxin.ErrorKey(anxin.ENOTFOUND, "err.call_not_found", "Call %d not found.", callID)
		} else if err != nil {
			return fmt.Errorf("call %d: %w", callID, err)
		}
		lock := ""
		if db.engine == Postgres {
			lock = " FOR UPDATE"
		}
		t := &anxin.Task{}
		var until sql.NullTime
		var campaignState string
		err = tx.QueryRowContext(ctx, `SELECT t.id, t.campaign_id, t.elder_id, t.region_code, t.state, t.priority, t.attempts, t.phone_rank,
			t.next_at, t.lease_owner, t.lease_until, (SELECT c.state FROM campaigns c WHERE c.id = t.campaign_id)
			FROM campaign_tasks t WHERE t.id = $1`+lock, taskID).
			Scan(&t.ID, &t.CampaignID, &t.ElderID, &t.RegionCode, &t.State, &t.Priority, &t.Attempts, &t.PhoneRank,
				&t.NextAt, &t.LeaseOwner, &until, &campaignState)
		if errors.Is(err, sql.ErrNoRows) {
			return errTaskNotFound(taskID)
		} else if err != nil {
			return fmt.Errorf("task %d: %w", taskID, err)
		}
		t.LeaseUntil = timeOf(until)
		held := t.State == anxin.TaskLeased && t.LeaseUntil.After(now)
		switch {
		case direction != anxin.CallInbound:
			return anxin.ErrorKey(anxin.EINVALID, "err.take_call_inbound", "A task is taken in a call the elder made to the hotline.")
		case callElder != 0 && callElder != t.ElderID:
			return anxin.ErrorKey(anxin.EINVALID, "err.take_call_elder", "This call is not from the task's elder.")
		case campaignState != anxin.CampaignRunning:
			return anxin.ErrorKey(anxin.ECONFLICT, "err.take_not_running", "The campaign is not running: its tasks wait.")
		case t.State == anxin.TaskDone || t.State == anxin.TaskFailed:
			return anxin.ErrorKey(anxin.ECONFLICT, "err.take_done", "This task is finished already.")
		case held && t.LeaseOwner != owner:
			return anxin.ErrorKey(anxin.ECONFLICT, "err.take_held", "Someone else is calling this elder for the campaign right now.")
		}
		if held {
			// Hers already: the attempt in hand, now in this call.
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_attempts SET call_id = $1 WHERE task_id = $2 AND attempt = $3 AND call_id IS NULL`,
				callID, t.ID, t.Attempts); err != nil {
				return err
			}
			a, _, _, err := scanAttempt(tx.QueryRowContext(ctx, "SELECT "+attemptCols+attemptFrom+" WHERE a.task_id = $1 AND a.attempt = $2",
				t.ID, t.Attempts), now)
			if err != nil {
				return fmt.Errorf("held attempt of task %d: %w", t.ID, err)
			}
			out = a
			return linkCallTask(ctx, tx, callID, t.ID)
		}
		if t.State == anxin.TaskLeased {
			// The last caller vanished mid-attempt.
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_attempts SET ended_at = $1, disposition = $2
				WHERE task_id = $3 AND attempt = $4 AND ended_at IS NULL`, now, anxin.DispInterrupted, t.ID, t.Attempts); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE campaign_tasks SET state = 'leased', lease_owner = $1, lease_until = $2, attempts = $3
			WHERE id = $4 AND attempts = $5 AND state = $6`, owner, now.Add(TakeLease), t.Attempts+1, t.ID, t.Attempts, t.State)
		if err != nil {
			return fmt.Errorf("take task %d: %w", t.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.take_held", "Someone else is calling this elder for the campaign right now.")
		}
		t.Attempts++
		t.State, t.LeaseOwner, t.LeaseUntil = anxin.TaskLeased, owner, now.Add(TakeLease)
		a := &Attempt{Task: t, Number: from}
		if err := tx.QueryRowContext(ctx, `INSERT INTO campaign_attempts (task_id, elder_id, attempt, number, caller, call_id, started_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, t.ID, t.ElderID, t.Attempts, from, owner, callID, now).Scan(&a.ID); err != nil {
			return fmt.Errorf("attempt: %w", err)
		}
		out = a
		return linkCallTask(ctx, tx, callID, t.ID)
	})
	return out, err
}

// linkCallTask names the task on a call that names none yet.
func linkCallTask(ctx context.Context, tx *Tx, callID, taskID int64) error {
	_, err := tx.ExecContext(ctx, "UPDATE calls SET campaign_task_id = $1 WHERE id = $2 AND campaign_task_id IS NULL", taskID, callID)
	return err
}
