package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

var _ anxin.AgentService = (*DB)(nil)

const agentCols = `s.account_id, COALESCE(a.display_name, ''), s.state, s.reason, s.since, s.wrap_until, COALESCE(s.call_id, 0), s.node`

func scanAgent(row interface{ Scan(...any) error }) (anxin.AgentStatus, error) {
	var s anxin.AgentStatus
	var wrap sql.NullTime
	err := row.Scan(&s.AccountID, &s.Name, &s.State, &s.Reason, &s.Since, &wrap, &s.CallID, &s.Node)
	s.Since, s.WrapUntil = s.Since.UTC(), timeOf(wrap)
	return s, err
}

// settle applies a wrap-up that has run out by now, as reads see it.
func settle(s anxin.AgentStatus, now time.Time) anxin.AgentStatus {
	if next, err := anxin.NextAgentState(s, anxin.AgentEvent{Event: anxin.EvWrapUpEnd}, now); err == nil {
		return next
	}
	return s
}

// AgentStatusOf returns an operator's state, a wrap-up that ran out read
// as ready.
func (db *DB) AgentStatusOf(ctx context.Context, accountID int64) (anxin.AgentStatus, error) {
	s, err := scanAgent(db.r.QueryRowContext(ctx, "SELECT "+agentCols+
		" FROM agent_states s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.account_id = $1", accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return anxin.AgentStatus{AccountID: accountID, State: anxin.AgentSignedOut}, nil
	} else if err != nil {
		return s, fmt.Errorf("agent state: %w", err)
	}
	return settle(s, db.Now()), nil
}

// MoveAgent applies an event to an operator's state in a transaction (on
// PostgreSQL the row is locked, so two moves at once apply one after the
// other).
func (db *DB) MoveAgent(ctx context.Context, accountID int64, ev anxin.AgentEvent) (anxin.AgentStatus, error) {
	var out anxin.AgentStatus
	err := db.Transact(ctx, func(tx *Tx) error {
		now := db.Now()
		if _, err := tx.ExecContext(ctx, `INSERT INTO agent_states (account_id, state, since) VALUES ($1, 'signed_out', $2)
			ON CONFLICT (account_id) DO NOTHING`, accountID, now); err != nil {
			return fmt.Errorf("agent state: %w", err)
		}
		lock := ""
		if db.engine == Postgres {
			lock = " FOR UPDATE OF s"
		}
		cur, err := scanAgent(tx.QueryRowContext(ctx, "SELECT "+agentCols+
			" FROM agent_states s LEFT JOIN accounts a ON a.id = s.account_id WHERE s.account_id = $1"+lock, accountID))
		if err != nil {
			return fmt.Errorf("agent state: %w", err)
		}
		cur = settle(cur, now)
		next, err := anxin.NextAgentState(cur, ev, now)
		if err != nil {
			return err
		}
		out = next
		// Signing out also leaves the progressive campaign she worked
		// (JoinCampaign): Anxin dials for nobody who is not taking calls.
		_, err = tx.ExecContext(ctx, `UPDATE agent_states SET state = $1, reason = $2, since = $3, wrap_until = $4,
			call_id = $5, node = $6, campaign_id = CASE WHEN $1 = 'signed_out' THEN NULL ELSE campaign_id END WHERE account_id = $7`,
			next.State, next.Reason, next.Since.UTC(), nullTime(next.WrapUntil), nullID(next.CallID), next.Node, accountID)
		return err
	})
	return out, err
}

// FindAgents lists the states of the operators whose organisation is in
// scope (signed-out rows included), by name.
func (db *DB) FindAgents(ctx context.Context, sc anxin.Scope) ([]anxin.AgentStatus, error) {
	var w where
	w.scopeOrgs(sc, "g")
	rows, err := db.r.QueryContext(ctx, "SELECT "+agentCols+` FROM agent_states s JOIN accounts a ON a.id = s.account_id
		JOIN orgs g ON g.id = a.org_id`+w.sql()+" ORDER BY a.display_name, s.account_id LIMIT 1000", w.args...)
	if err != nil {
		return nil, fmt.Errorf("find agents: %w", err)
	}
	defer rows.Close()
	now := db.Now()
	var out []anxin.AgentStatus
	for rows.Next() {
		s, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, settle(s, now))
	}
	return out, rows.Err()
}

// ResetAgents frees the operators left ringing or on a call carried by
// node.
func (db *DB) ResetAgents(ctx context.Context, node string) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE agent_states SET state = 'ready', since = $1, call_id = NULL, node = ''
		WHERE state IN ('ringing', 'on_call') AND node = $2`, db.Now().UTC(), node)
	if err != nil {
		return 0, fmt.Errorf("reset agents: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
