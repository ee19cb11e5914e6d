package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

// What a node's agentless dialler (callflow.RunCampaigns) needs beyond
// leasing and finishing attempts (campaign_tasks.go): the campaigns to
// dial, what a task's call needs (the script version, the elder's dialect),
// the link from an attempt to its one call, leases kept alive while calls
// last, and the audit that no attempt was dialled twice.

// DiallingCampaigns returns the running campaigns of a dial mode
// (agentless, progressive) whose dates include today (China's day), oldest
// first: what a node's diallers dial.
func (db *DB) DiallingCampaigns(ctx context.Context, mode string) ([]*anxin.Campaign, error) {
	today := db.Now().In(chinaDay).Format(time.DateOnly)
	rows, err := db.r.QueryContext(ctx, "SELECT "+campaignCols+campaignFrom+` WHERE c.state = $1 AND c.mode = $2
		AND c.starts_on <= $3 AND (c.ends_on = '' OR c.ends_on >= $3) ORDER BY c.id`, anxin.CampaignRunning, mode, today)
	if err != nil {
		return nil, fmt.Errorf("%s campaigns: %w", mode, err)
	}
	defer rows.Close()
	var out []*anxin.Campaign
	for rows.Next() {
		c, err := scanCampaign(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LinkAttemptCall records the call placed for an attempt, before it is
// dialled: an attempt has one call at most. An attempt that is over
// (interrupted when its lease ran out), is not owner's, or has a call
// already is ECONFLICT, and the call must not be dialled.
func (db *DB) LinkAttemptCall(ctx context.Context, attemptID int64, owner string, callID int64) error {
	res, err := db.w.ExecContext(ctx, `UPDATE campaign_attempts SET call_id = $1
		WHERE id = $2 AND caller = $3 AND ended_at IS NULL AND call_id IS NULL`, callID, attemptID, owner)
	if err != nil {
		return fmt.Errorf("link attempt %d to call %d: %w", attemptID, callID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.attempt_dialled",
			"Attempt %d is over, someone else's, or has its call already: it is not dialled again.", attemptID)
	}
	return nil
}

// AttemptCallID returns the call linked to an attempt, 0 when none.
func (db *DB) AttemptCallID(ctx context.Context, attemptID int64) (int64, error) {
	var id sql.NullInt64
	if err := db.r.QueryRowContext(ctx, "SELECT call_id FROM campaign_attempts WHERE id = $1", attemptID).Scan(&id); err != nil {
		return 0, fmt.Errorf("attempt %d call: %w", attemptID, err)
	}
	return id.Int64, nil
}

// TaskCall is what the agentless dialler reads about a task before it
// dials the elder.
type TaskCall struct {
	// ScriptVersion is the version of the campaign's script the task was
	// made with (0: none yet, the latest; see TaskScript).
	ScriptVersion int
	// Dialect is the elder's (anxin.DialectLang: the language of her
	// call's prompts).
	Dialect string
	// OwnerRegion is the area of the campaign's owner: its operators take
	// the call when the elder asks for a person.
	OwnerRegion string
}

// TaskCall returns what the agentless dialler needs for a call of task
// taskID (ENOTFOUND when there is no such task).
func (db *DB) TaskCall(ctx context.Context, taskID int64) (TaskCall, error) {
	var tc TaskCall
	err := db.r.QueryRowContext(ctx, `SELECT t.script_version, e.dialect, g.region_code FROM campaign_tasks t
		JOIN elders e ON e.id = t.elder_id JOIN campaigns c ON c.id = t.campaign_id JOIN orgs g ON g.id = c.org_id
		WHERE t.id = $1`, taskID).Scan(&tc.ScriptVersion, &tc.Dialect, &tc.OwnerRegion)
	if errors.Is(err, sql.ErrNoRows) {
		return tc, anxin.Errorf(anxin.ENOTFOUND, "campaign task %d not found", taskID)
	} else if err != nil {
		return tc, fmt.Errorf("task %d for its call: %w", taskID, err)
	}
	return tc, nil
}

// ExtendLeases keeps owner's leases (a node's calls in progress) for lease
// from now, so that a call ringing or talking longer than its first lease
// is not taken for a vanished caller's. It returns how many it extended.
func (db *DB) ExtendLeases(ctx context.Context, owner string, lease time.Duration) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE campaign_tasks SET lease_until = $1 WHERE state = 'leased' AND lease_owner = $2`,
		db.Now().UTC().Add(lease), owner)
	if err != nil {
		return 0, fmt.Errorf("extend leases of %s: %w", owner, err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DialAudit counts, for a campaign, what shows whether any elder was rung
// twice for one attempt. All but Attempts and Calls must be zero.
type DialAudit struct {
	// Attempts made and calls placed for the campaign's tasks.
	Attempts, Calls int
	// DuplicateAttempts are (task, attempt number) pairs recorded more
	// than once.
	DuplicateAttempts int
	// UnlinkedCalls are calls naming a task of the campaign that no
	// attempt of that task names: dialled outside an attempt.
	UnlinkedCalls int
	// SharedCalls are calls named by more than one attempt.
	SharedCalls int
	// Overlapping are pairs of the campaign's calls to one elder that were
	// up at the same time.
	Overlapping int
}

// AuditDialling checks a campaign's attempts against its calls (see
// DialAudit).
func (db *DB) AuditDialling(ctx context.Context, campaignID int64) (DialAudit, error) {
	var a DialAudit
	queries := []struct {
		dst *int
		q   string
	}{
		{&a.Attempts, `SELECT COUNT(*) FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id = $1`},
		{&a.Calls, `SELECT COUNT(*) FROM calls c JOIN campaign_tasks t ON t.id = c.campaign_task_id WHERE t.campaign_id = $1`},
		{&a.DuplicateAttempts, `SELECT COUNT(*) FROM (SELECT a.task_id, a.attempt FROM campaign_attempts a
			JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id = $1 GROUP BY a.task_id, a.attempt HAVING COUNT(*) > 1) d`},
		{&a.UnlinkedCalls, `SELECT COUNT(*) FROM calls c JOIN campaign_tasks t ON t.id = c.campaign_task_id WHERE t.campaign_id = $1
			AND NOT EXISTS (SELECT 1 FROM campaign_attempts a WHERE a.task_id = c.campaign_task_id AND a.call_id = c.id)`},
		{&a.SharedCalls, `SELECT COUNT(*) FROM (SELECT a.call_id FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
			WHERE t.campaign_id = $1 AND a.call_id IS NOT NULL GROUP BY a.call_id HAVING COUNT(*) > 1) d`},
		{&a.Overlapping, `SELECT COUNT(*) FROM calls x JOIN campaign_tasks t ON t.id = x.campaign_task_id
			JOIN calls y ON y.campaign_task_id = x.campaign_task_id AND y.id > x.id
			WHERE t.campaign_id = $1 AND (x.ended_at IS NULL OR y.started_at < x.ended_at)`},
	}
	for _, q := range queries {
		if err := db.r.QueryRowContext(ctx, q.q, campaignID).Scan(q.dst); err != nil {
			return a, fmt.Errorf("audit dialling of campaign %d: %w", campaignID, err)
		}
	}
	return a, nil
}
