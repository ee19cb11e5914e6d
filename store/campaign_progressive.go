package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/anxin-care/anxin"
)

// What the progressive dialler (callflow.RunProgressive) needs: the
// campaigns it dials, the operators who work one (agent_states.campaign_id,
// set from the workspace), and the claim that reserves a ready operator
// for the one call a node places for her — her state becomes ringing, so
// neither a queue nor another node's dialler takes her meanwhile. A claim
// is a conditional UPDATE of her row: of two nodes claiming her at once,
// one changes it and the other finds her no longer ready.

// JoinCampaign has the operator work campaignID progressively: Anxin
// calls its elders for her whenever she is ready. She works one campaign
// at a time (joining another leaves the first); signing out of taking
// calls leaves it (MoveAgent), as does LeaveCampaign. The campaign must be
// a progressive one (EINVALID otherwise).
func (db *DB) JoinCampaign(ctx context.Context, accountID, campaignID int64) error {
	return db.Transact(ctx, func(tx *Tx) error {
		var mode string
		if err := tx.QueryRowContext(ctx, "SELECT mode FROM campaigns WHERE id = $1", campaignID).Scan(&mode); errors.Is(err, sql.ErrNoRows) {
			return errCampaignNotFound(campaignID)
		} else if err != nil {
			return fmt.Errorf("join campaign %d: %w", campaignID, err)
		}
		if mode != anxin.DialProgressive {
			return anxin.ErrorKey(anxin.EINVALID, "err.campaign_not_progressive", "Anxin dials for operators in progressive campaigns only.")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_states (account_id, state, since) VALUES ($1, 'signed_out', $2)
			ON CONFLICT (account_id) DO NOTHING`, accountID, db.Now().UTC()); err != nil {
			return fmt.Errorf("join campaign %d: %w", campaignID, err)
		}
		_, err := tx.ExecContext(ctx, "UPDATE agent_states SET campaign_id = $1 WHERE account_id = $2", campaignID, accountID)
		return err
	})
}

// LeaveCampaign stops Anxin dialling for the operator (a call already
// placed for her goes on).
func (db *DB) LeaveCampaign(ctx context.Context, accountID int64) error {
	if _, err := db.w.ExecContext(ctx, "UPDATE agent_states SET campaign_id = NULL WHERE account_id = $1", accountID); err != nil {
		return fmt.Errorf("leave campaign: %w", err)
	}
	return nil
}

// DiallingCampaign returns the campaign the operator works progressively,
// 0 when none.
func (db *DB) DiallingCampaign(ctx context.Context, accountID int64) (int64, error) {
	var id sql.NullInt64
	err := db.r.QueryRowContext(ctx, "SELECT campaign_id FROM agent_states WHERE account_id = $1", accountID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("dialling campaign: %w", err)
	}
	return id.Int64, nil
}

// readyNow is the condition on agent_states s for an operator ready at $1
// (a wrap-up that has run out counts, as reads see it).
const readyNow = `(s.state = 'ready' OR (s.state = 'wrap_up' AND s.wrap_until <= $1))`

// CampaignOperators returns the operators who work the campaign and are
// ready now, idle longest first: those the dialler may call an elder for
// (ClaimOperator says for sure).
func (db *DB) CampaignOperators(ctx context.Context, campaignID int64) ([]int64, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT s.account_id FROM agent_states s WHERE s.campaign_id = $2 AND `+readyNow+`
		ORDER BY CASE WHEN s.state = 'wrap_up' THEN s.wrap_until ELSE s.since END, s.account_id`, db.Now().UTC(), campaignID)
	if err != nil {
		return nil, fmt.Errorf("operators of campaign %d: %w", campaignID, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// TaskDue reports whether the campaign has a task due now that NextTask
// would lease to the operator accountID (one not assigned to someone
// else; the contact cap left aside): the dialler claims no operator when
// there is nothing to call for her.
func (db *DB) TaskDue(ctx context.Context, campaignID, accountID int64) (bool, error) {
	var one int
	err := db.r.QueryRowContext(ctx, `SELECT 1 FROM campaign_tasks WHERE campaign_id = $1 AND state IN ('pending', 'leased')
		AND next_at <= $2 AND (state = 'pending' OR lease_until < $2) AND (assigned_to IS NULL OR assigned_to = $3) LIMIT 1`,
		campaignID, db.Now().UTC(), accountID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("task due in campaign %d: %w", campaignID, err)
	}
	return true, nil
}

// ClaimOperator reserves the operator for one call node places for her in
// the campaign: she must work it, be ready (or done wrapping up) and hold
// none of its tasks (an answered elder she has not finished with). Her
// state becomes ringing on node, so no queue offers her a call and no
// other dialler claims her; false when she was not free. The call is
// named on the claim when it exists (ClaimCall), and the claim given back
// by ReleaseOperator — or by ResetAgents when the node restarts.
func (db *DB) ClaimOperator(ctx context.Context, accountID, campaignID int64, node string) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE agent_states SET state = 'ringing', reason = '', since = $1, wrap_until = NULL,
		call_id = NULL, node = $2 WHERE account_id = $3 AND campaign_id = $4
		AND (state = 'ready' OR (state = 'wrap_up' AND wrap_until <= $1))
		AND NOT EXISTS (SELECT 1 FROM campaign_tasks t WHERE t.campaign_id = $4 AND t.state = 'leased' AND t.lease_owner = $5 AND t.lease_until > $1)`,
		db.Now().UTC(), node, accountID, campaignID, OperatorOwner(accountID))
	if err != nil {
		return false, fmt.Errorf("claim operator %d: %w", accountID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ClaimCall names the call placed for a claimed operator on her state, as
// a queue's offer does (the agents' list shows it, and ReleaseOperator
// matches it).
func (db *DB) ClaimCall(ctx context.Context, accountID int64, node string, callID int64) error {
	res, err := db.w.ExecContext(ctx, `UPDATE agent_states SET call_id = $1 WHERE account_id = $2 AND state = 'ringing' AND node = $3
		AND call_id IS NULL`, callID, accountID, node)
	if err != nil {
		return fmt.Errorf("claim call %d for operator %d: %w", callID, accountID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return anxin.Errorf(anxin.ECONFLICT, "operator %d is no longer reserved by node %s", accountID, node)
	}
	return nil
}

// ReleaseOperator gives back a claim: the operator is ready again, unless
// she has moved on since (her phone was offered the call, she answered
// it) — the claim must still be node's and name callID (0: none yet). It
// reports whether there was a claim to give back.
func (db *DB) ReleaseOperator(ctx context.Context, accountID int64, node string, callID int64) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE agent_states SET state = 'ready', since = $1, call_id = NULL, node = ''
		WHERE account_id = $2 AND state = 'ringing' AND node = $3 AND COALESCE(call_id, 0) = $4`, db.Now().UTC(), accountID, node, callID)
	if err != nil {
		return false, fmt.Errorf("release operator %d: %w", accountID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CallAttempt is the campaign attempt a call was placed for.
type CallAttempt struct {
	ID, TaskID, CampaignID, ElderID, CallID int64
	Number                                  string // the number the attempt rings
	Caller                                  string // who holds it ("account:17", "node:a")
	Open                                    bool   // not finished yet
}

// AttemptOfCall returns the attempt call callID was placed for, nil when
// it was placed for none.
func (db *DB) AttemptOfCall(ctx context.Context, callID int64) (*CallAttempt, error) {
	a := &CallAttempt{CallID: callID}
	var ended sql.NullTime
	err := db.r.QueryRowContext(ctx, `SELECT a.id, a.task_id, t.campaign_id, a.elder_id, a.number, a.caller, a.ended_at
		FROM calls c JOIN campaign_attempts a ON a.task_id = c.campaign_task_id AND a.call_id = c.id
		JOIN campaign_tasks t ON t.id = a.task_id WHERE c.id = $1`, callID).
		Scan(&a.ID, &a.TaskID, &a.CampaignID, &a.ElderID, &a.Number, &a.Caller, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("attempt of call %d: %w", callID, err)
	}
	a.Open = !ended.Valid
	return a, nil
}

// UnconnectedAttempts returns the open attempts of progressive campaigns
// that operators hold for calls node placed and that ended without
// reaching the operator: a node that stopped in the middle of them
// finishes them when it starts again (the operator never spoke with the
// elder, so nobody else would).
func (db *DB) UnconnectedAttempts(ctx context.Context, node string) ([]CallAttempt, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT a.id, a.task_id, c.id, a.elder_id, a.number, a.caller, k.id
		FROM campaigns c JOIN campaign_tasks t ON t.campaign_id = c.id AND t.state = 'leased'
		JOIN campaign_attempts a ON a.task_id = t.id AND a.attempt = t.attempts AND a.caller = t.lease_owner
		JOIN calls k ON k.id = a.call_id
		WHERE c.mode = $1 AND c.state IN ('running', 'paused') AND a.ended_at IS NULL AND a.caller LIKE 'account:%'
		AND k.node = $2 AND k.ended_at IS NOT NULL AND k.agent_id IS NULL ORDER BY a.id`, anxin.DialProgressive, node)
	if err != nil {
		return nil, fmt.Errorf("unconnected attempts of node %s: %w", node, err)
	}
	defer rows.Close()
	var out []CallAttempt
	for rows.Next() {
		a := CallAttempt{Open: true}
		if err := rows.Scan(&a.ID, &a.TaskID, &a.CampaignID, &a.ElderID, &a.Number, &a.Caller, &a.CallID); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
