package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

// Supervisors move a campaign's work between operators (issue 6, the live
// view's 改派): an operator's tasks — those she holds and those assigned to
// her — go to another operator or back to the pool, and the next pending
// tasks (of one committee, say) are assigned to an operator. NextTask
// offers an assigned task to its operator only (campaign_tasks.go).

// DispReassigned ends an attempt a supervisor took back from its operator
// before anything was dialled through Anxin for it (ReassignTasks). It is
// no call: it counts neither against the campaign's attempts nor against
// the elder's contact cap, but the row stays, with who was given which
// number and when.
const DispReassigned = "reassigned"

// MaxAssigned is the most open tasks of a campaign assigned to operators
// at a time. Assigned tasks keep their place in the line, and every other
// caller's NextTask passes over those that are due ahead of hers (about
// 0.85 ms per thousand on SQLite, docs/decisions.md): 2,000 — a hundred
// each for twenty operators — keeps a lease within a few milliseconds.
const MaxAssigned = 2000

// Reassignment is what a supervisor moves in a campaign.
type Reassignment struct {
	// From is the operator whose tasks move (0: none): the attempts she
	// holds are taken back and their tasks, with those assigned to her,
	// go to To.
	From int64 `json:"from,omitempty"`
	// To is the operator who gets them; 0 puts them back in the pool
	// (anyone may take them).
	To int64 `json:"to,omitempty"`
	// Count pending tasks nobody is assigned, the next by priority, are
	// assigned to To (who must be given), of elders Within an area of the
	// campaign (a committee; "" the whole campaign).
	Count  int    `json:"count,omitempty"`
	Within string `json:"within,omitempty"`
}

// Reassigned counts what a reassignment moved.
type Reassigned struct {
	// Released are the tasks From held, now pending again; their
	// attempts ended as DispReassigned (as interrupted when a call had
	// been placed for them: a call was made).
	Released int `json:"released"`
	// Moved are the tasks assigned to From now assigned to To (or to
	// nobody).
	Moved int `json:"moved"`
	// Assigned are the pending tasks newly assigned to To.
	Assigned int `json:"assigned"`
}

// worksCampaign reports whether sc calls the elders of campaign c:
// operators, supervisors and community staff whose area covers the
// campaign's.
func worksCampaign(sc anxin.Scope, c *anxin.Campaign) bool {
	return !sc.AssignedOnly && (sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleCommunity)) &&
		sc.CoversRegion(c.RegionCode)
}

// ReassignTasks moves the work of campaign id as r says, for someone who
// runs it (EFORBIDDEN otherwise). The campaign may not be over (ECONFLICT)
// nor agentless (EINVALID: the machine calls its elders); To must be an
// enabled account that works the campaign, other than From (EINVALID).
func (db *DB) ReassignTasks(ctx context.Context, sc anxin.Scope, id int64, r Reassignment) (*Reassigned, error) {
	if !runsCampaigns(sc) {
		return nil, errCampaignStaff()
	}
	c, err := db.FindCampaign(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	if !sc.CoversRegion(c.RegionCode) {
		return nil, errCampaignStaff()
	}
	switch {
	case c.State == anxin.CampaignEnded || c.State == anxin.CampaignArchived:
		return nil, anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_over", "The campaign is over.")
	case c.Mode == anxin.DialAgentless:
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.reassign_agentless", "The machine calls the elders of an agentless campaign: its tasks are not assigned to anyone.")
	case r.From == 0 && r.Count == 0:
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.reassign_nothing", "Choose whose tasks to move, or how many tasks to assign.")
	case r.Count < 0 || r.Count > MaxAssigned:
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.reassign_count", "Assign 1 to %d tasks at a time.", MaxAssigned)
	case r.Count > 0 && r.To == 0:
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.reassign_to_missing", "Choose the operator who gets the tasks.")
	case r.To != 0 && r.To == r.From:
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.reassign_same", "Choose another operator than the one whose tasks move.")
	case r.Within != "" && !anxin.RegionWithin(r.Within, c.RegionCode):
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.reassign_within", "Area %s is not within the campaign's.", r.Within)
	}
	if r.To != 0 {
		a, err := db.FindAccount(ctx, anxin.SystemScope(), r.To)
		if err != nil || !worksCampaign(anxin.ScopeOf(a), c) {
			return nil, anxin.ErrorKey(anxin.EINVALID, "err.reassign_to", "Account %d cannot work this campaign: an enabled operator, supervisor or community staff member of its area can.", r.To)
		}
	}
	out := &Reassigned{}
	err = db.Transact(ctx, func(tx *Tx) error {
		*out = Reassigned{}
		now := db.Now().UTC()
		if r.From != 0 {
			var err error
			if out.Released, out.Moved, err = tx.moveOperatorTasks(ctx, c.ID, r.From, r.To, now); err != nil {
				return err
			}
		}
		if r.Count > 0 {
			var err error
			if out.Assigned, err = tx.assignPending(ctx, c.ID, r, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// moveOperatorTasks ends the attempts operator from holds in campaign id
// — as DispReassigned when Anxin placed no call for them, else as
// interrupted (a call was made) — and gives their tasks, with those
// assigned to her, to operator to (0: the pool). It returns how many
// tasks it released and how many assigned ones it moved.
func (tx *Tx) moveOperatorTasks(ctx context.Context, id, from, to int64, now time.Time) (released, moved int, err error) {
	owner := OperatorOwner(from)
	if _, err := tx.ExecContext(ctx, `UPDATE campaign_attempts SET ended_at = $1,
		disposition = CASE WHEN call_id IS NULL THEN $2 ELSE $3 END
		WHERE caller = $4 AND ended_at IS NULL AND task_id IN (SELECT id FROM campaign_tasks
		WHERE campaign_id = $5 AND state = 'leased' AND lease_owner = $4)`,
		now, DispReassigned, anxin.DispInterrupted, owner, id); err != nil {
		return 0, 0, fmt.Errorf("take back attempts: %w", err)
	}
	if released, err = execCount(ctx, tx, `UPDATE campaign_tasks SET state = 'pending', lease_owner = '', lease_until = NULL, assigned_to = $1
		WHERE campaign_id = $2 AND state = 'leased' AND lease_owner = $3`, nullID(to), id, owner); err != nil {
		return 0, 0, fmt.Errorf("release tasks: %w", err)
	}
	if moved, err = execCount(ctx, tx, `UPDATE campaign_tasks SET assigned_to = $1
		WHERE assigned_to = $2 AND campaign_id = $3 AND state IN ('pending', 'leased')`, nullID(to), from, id); err != nil {
		return 0, 0, fmt.Errorf("move assigned tasks: %w", err)
	}
	return released, moved, nil
}

// assignPending assigns to r.To the next r.Count pending tasks of
// campaign id nobody is assigned (of elders within r.Within), in the order
// NextTask would offer them: those due now by priority, then those due
// later. At most MaxAssigned open tasks are assigned at a time
// (ECONFLICT).
func (tx *Tx) assignPending(ctx context.Context, id int64, r Reassignment, now time.Time) (int, error) {
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_tasks WHERE assigned_to IS NOT NULL AND campaign_id = $1
		AND state IN ('pending', 'leased')`, id).Scan(&open); err != nil {
		return 0, fmt.Errorf("assigned tasks: %w", err)
	}
	if open+r.Count > MaxAssigned {
		return 0, anxin.ErrorKey(anxin.ECONFLICT, "err.reassign_too_many",
			"At most %d tasks of a campaign are assigned at a time, and %d are: give fewer, or wait until they are called.", MaxAssigned, open)
	}
	assigned := 0
	for _, due := range []string{"next_at <= ?", "next_at > ?"} {
		var w where
		w.add("campaign_id = ?", id)
		w.add("state = 'pending' AND assigned_to IS NULL")
		w.add(due, now)
		if r.Within != "" {
			w.subtree("region_code", r.Within)
		}
		q := fmt.Sprintf(`UPDATE campaign_tasks SET assigned_to = %s WHERE state = 'pending' AND assigned_to IS NULL
			AND id IN (SELECT id FROM campaign_tasks%s ORDER BY priority DESC, next_at, id LIMIT %s)`, w.arg(r.To), w.sql(), w.arg(r.Count-assigned))
		n, err := execCount(ctx, tx, q, w.args...)
		if err != nil {
			return 0, fmt.Errorf("assign tasks: %w", err)
		}
		if assigned += n; assigned == r.Count {
			break
		}
	}
	return assigned, nil
}

// execCount runs a statement and returns how many rows it changed.
func execCount(ctx context.Context, tx *Tx, q string, args ...any) (int, error) {
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Worker is someone who may be given a campaign's tasks.
type Worker struct {
	AccountID int64  `json:"account_id"`
	Name      string `json:"name"`
	OrgName   string `json:"org_name"`
}

// CampaignWorkers lists the enabled accounts sc sees who work campaign c
// (operators, supervisors, community staff of an area covering it), by
// organisation and name: those a supervisor may give its tasks to.
func (db *DB) CampaignWorkers(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) ([]Worker, error) {
	var w where
	w.scopeOrgs(sc, "o")
	w.add("a.disabled = FALSE AND o.disabled = FALSE")
	var roles []string
	for _, r := range []string{anxin.RoleOperator, anxin.RoleSupervisor, anxin.RoleCommunity} {
		roles = append(roles, "(',' || a.roles || ',') LIKE "+w.arg("%,"+r+",%"))
	}
	w.add("(" + strings.Join(roles, " OR ") + ")")
	rows, err := db.r.QueryContext(ctx, "SELECT "+accountCols+accountFrom+w.sql()+" ORDER BY o.name, a.display_name, a.id LIMIT 2000", w.args...)
	if err != nil {
		return nil, fmt.Errorf("campaign %d workers: %w", c.ID, err)
	}
	defer rows.Close()
	var out []Worker
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		if worksCampaign(anxin.ScopeOf(a), c) {
			name := a.DisplayName
			if name == "" {
				name = a.Username
			}
			out = append(out, Worker{AccountID: a.ID, Name: name, OrgName: a.Org.Name})
		}
	}
	return out, rows.Err()
}
