package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

// Campaign views (issue 6): what the console shows of campaigns beyond the
// core — each campaign's progress on the list, a campaign's live figures
// for its supervisor, the attempt an operator has in hand with its task's
// earlier attempts and the elder's earlier answers, and the scripts an area
// sees.

// reachedDispositions are the ends of an attempt in which someone spoke
// with the elder.
var reachedDispositions = []string{anxin.DispCompleted, anxin.DispRefused, anxin.DispCallback}

// CampaignProgress is how far a campaign has come.
type CampaignProgress struct {
	Tasks int `json:"tasks"`
	// Done counts the tasks with nothing left to call: done or failed.
	Done int `json:"done"`
	// Reached counts the tasks whose elder was spoken to in an attempt
	// (completed, refused, or a callback asked for).
	Reached int `json:"reached"`
}

// ReachedPercent is the share of tasks reached, in whole percent.
func (p CampaignProgress) ReachedPercent() int {
	if p.Tasks == 0 {
		return 0
	}
	return p.Reached * 100 / p.Tasks
}

// taskArea narrows a campaign's figures to the elders sc sees: staff of
// a committee see their own elders' share of a city's campaign, never
// the rest of the city (PIPL: each sees their own area). Staff whose area
// covers the campaign's see all of it.
func taskArea(w *where, sc anxin.Scope) {
	if !sc.All {
		w.add("t.region_code >= ? AND t.region_code < ?", sc.Region, sc.Region+":")
	}
}

// CampaignsProgress returns the progress of the campaigns of ids, by id
// (campaigns without tasks are missing), counting the elders of sc's area.
// The caller has found the campaigns in its scope.
func (db *DB) CampaignsProgress(ctx context.Context, sc anxin.Scope, ids []int64) (map[int64]CampaignProgress, error) {
	out := map[int64]CampaignProgress{}
	if len(ids) == 0 {
		return out, nil
	}
	var w where
	whereIn(&w, "t.campaign_id", ids)
	taskArea(&w, sc)
	rows, err := db.r.QueryContext(ctx, `SELECT t.campaign_id, COUNT(*), COALESCE(SUM(CASE WHEN t.state IN ('done', 'failed') THEN 1 ELSE 0 END), 0)
		FROM campaign_tasks t`+w.sql()+` GROUP BY t.campaign_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("campaigns progress: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p CampaignProgress
		if err := rows.Scan(&id, &p.Tasks, &p.Done); err != nil {
			return nil, err
		}
		out[id] = p
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	w = where{}
	whereIn(&w, "t.campaign_id", ids)
	whereIn(&w, "a.disposition", reachedDispositions)
	taskArea(&w, sc)
	rows, err = db.r.QueryContext(ctx, `SELECT t.campaign_id, COUNT(DISTINCT a.task_id)
		FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id`+w.sql()+` GROUP BY t.campaign_id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("campaigns reached: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		p := out[id]
		p.Reached = n
		out[id] = p
	}
	return out, rows.Err()
}

// CampaignStats are a campaign's live figures, for its supervisor.
type CampaignStats struct {
	CampaignProgress
	// Area is the viewer's area when it is narrower than the campaign's:
	// every figure counts only its elders ("" the whole campaign).
	Area string `json:"area,omitempty"`
	// States counts the tasks by state (pending, leased, done, failed).
	States map[string]int `json:"states"`
	// Attempts counts every attempt so far but those taken back undialled
	// on a reassign (DispReassigned, counted in Dispositions only),
	// InProgress those not ended.
	Attempts   int `json:"attempts"`
	InProgress int `json:"in_progress"`
	// Dispositions counts the ended attempts by how they ended.
	Dispositions map[string]int `json:"dispositions"`
	// Orders counts the work orders made from the campaign's calls, by
	// type (supply, service, escalation …).
	Orders map[string]int `json:"orders"`
	// Callers is the throughput of each caller (an operator, a node's
	// dialler), most attempts first.
	Callers []CallerCount `json:"callers"`
	// Answers is the distribution of answers by script version.
	Answers []AnswerCount `json:"answers"`
}

// CallerCount is one caller's attempts in a campaign.
type CallerCount struct {
	// Caller is the lease owner: "account:17" for an operator, a node's
	// name for the dialler.
	Caller string `json:"caller"`
	// AccountID and Name are the operator's (0 and "" for a node).
	AccountID int64  `json:"account_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Attempts  int    `json:"attempts"`
	// Reached counts the caller's attempts that spoke with the elder.
	Reached int `json:"reached"`
	// Holding counts the caller's attempts in progress (the tasks she
	// holds, or held until her lease ran out and nobody took them since);
	// Assigned the open tasks a supervisor assigned to the operator
	// (ReassignTasks).
	Holding  int `json:"holding"`
	Assigned int `json:"assigned"`
}

// CampaignStats returns the live figures of a campaign sc sees.
func (db *DB) CampaignStats(ctx context.Context, sc anxin.Scope, id int64) (*CampaignStats, error) {
	c, err := db.FindCampaign(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	st := &CampaignStats{States: map[string]int{}, Dispositions: map[string]int{}, Orders: map[string]int{}}
	callers := map[string]*CallerCount{}
	caller := func(owner string) *CallerCount {
		c := callers[owner]
		if c == nil {
			c = &CallerCount{Caller: owner}
			callers[owner] = c
		}
		return c
	}
	st.Area = sc.Region
	if sc.All || sc.CoversRegion(c.RegionCode) {
		st.Area = ""
	}
	// Every figure counts the tasks of the viewer's area (taskArea).
	var area where
	area.add("t.campaign_id = ?", id)
	taskArea(&area, sc)
	if err := db.countTasks(ctx, id, sc, st, caller); err != nil {
		return nil, err
	}
	if err := countInto(ctx, db.r, st.Orders, `SELECT o.type, COUNT(*) FROM orders o JOIN campaign_tasks t ON t.id = o.campaign_task_id`+
		area.sql()+` GROUP BY o.type`, area.args...); err != nil {
		return nil, fmt.Errorf("campaign %d orders: %w", id, err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT a.caller, a.disposition, COUNT(*) FROM campaign_attempts a
		JOIN campaign_tasks t ON t.id = a.task_id`+area.sql()+` GROUP BY a.caller, a.disposition`, area.args...)
	if err != nil {
		return nil, fmt.Errorf("campaign %d attempts: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var owner, disp string
		var n int
		if err := rows.Scan(&owner, &disp, &n); err != nil {
			return nil, err
		}
		if disp != "" {
			st.Dispositions[disp] += n
		}
		if disp == DispReassigned {
			continue // taken back undialled: no call
		}
		c := caller(owner)
		c.Attempts += n
		st.Attempts += n
		if disp == "" {
			st.InProgress += n
			c.Holding += n
		}
		if slices.Contains(reachedDispositions, disp) {
			c.Reached += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range callers {
		st.Callers = append(st.Callers, *c)
	}
	if err := db.nameCallers(ctx, st.Callers); err != nil {
		return nil, err
	}
	slices.SortFunc(st.Callers, func(a, b CallerCount) int {
		if a.Attempts != b.Attempts {
			return b.Attempts - a.Attempts
		}
		return strings.Compare(a.Caller, b.Caller)
	})
	var w where
	w.add("t.campaign_id = ?", id)
	whereIn(&w, "a.disposition", reachedDispositions)
	taskArea(&w, sc)
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(DISTINCT a.task_id) FROM campaign_attempts a
		JOIN campaign_tasks t ON t.id = a.task_id`+w.sql(), w.args...).Scan(&st.Reached); err != nil {
		return nil, fmt.Errorf("campaign %d reached: %w", id, err)
	}
	if st.Answers, err = db.AnswerCounts(ctx, sc, id); err != nil {
		return nil, err
	}
	return st, nil
}

// countTasks counts a campaign's tasks by state into st, and each
// operator's open assigned tasks into caller's counts (from
// campaign_tasks_assigned: on SQLite the unary + keeps the planner off
// campaign_tasks_next, which holds every open task of the campaign).
func (db *DB) countTasks(ctx context.Context, id int64, sc anxin.Scope, st *CampaignStats, caller func(owner string) *CallerCount) error {
	var w where
	w.add("t.campaign_id = ?", id)
	taskArea(&w, sc)
	if err := countInto(ctx, db.r, st.States, "SELECT t.state, COUNT(*) FROM campaign_tasks t"+w.sql()+" GROUP BY t.state", w.args...); err != nil {
		return fmt.Errorf("campaign %d task states: %w", id, err)
	}
	for state, n := range st.States {
		st.Tasks += n
		if state == anxin.TaskDone || state == anxin.TaskFailed {
			st.Done += n
		}
	}
	campaign := "t.campaign_id"
	if db.engine == SQLite {
		campaign = "+t.campaign_id"
	}
	w = where{}
	w.add("t.assigned_to IS NOT NULL AND "+campaign+" = ? AND t.state IN ('pending', 'leased')", id)
	taskArea(&w, sc)
	rows, err := db.r.QueryContext(ctx, `SELECT t.assigned_to, COUNT(*) FROM campaign_tasks t`+w.sql()+` GROUP BY t.assigned_to`, w.args...)
	if err != nil {
		return fmt.Errorf("campaign %d assigned tasks: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var account int64
		var n int
		if err := rows.Scan(&account, &n); err != nil {
			return err
		}
		caller(OperatorOwner(account)).Assigned += n
	}
	return rows.Err()
}

// countInto adds the (key, count) rows of a query to m.
func countInto(ctx context.Context, q queryer, m map[string]int, query string, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return err
		}
		m[k] += n
	}
	return rows.Err()
}

// OperatorOwner is the lease owner that stands for an operator's account.
func OperatorOwner(accountID int64) string { return "account:" + strconv.FormatInt(accountID, 10) }

// ownerAccount returns the account of an operator's lease owner, 0 for a
// node.
func ownerAccount(owner string) int64 {
	s, ok := strings.CutPrefix(owner, "account:")
	if !ok {
		return 0
	}
	id, _ := strconv.ParseInt(s, 10, 64)
	return id
}

// nameCallers fills in the operators' account ids and display names.
func (db *DB) nameCallers(ctx context.Context, cs []CallerCount) error {
	owners := make([]string, len(cs))
	for i, c := range cs {
		owners[i] = c.Caller
	}
	names, err := db.accountNames(ctx, owners)
	if err != nil {
		return err
	}
	for i := range cs {
		cs[i].AccountID = ownerAccount(cs[i].Caller)
		cs[i].Name = names[cs[i].AccountID]
	}
	return nil
}

// accountNames returns the display names of the accounts behind lease
// owners, by account id.
func (db *DB) accountNames(ctx context.Context, owners []string) (map[int64]string, error) {
	var ids []int64
	for _, o := range owners {
		if id := ownerAccount(o); id != 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var w where
	whereIn(&w, "id", ids)
	rows, err := db.r.QueryContext(ctx, "SELECT id, display_name FROM accounts"+w.sql(), w.args...)
	if err != nil {
		return nil, fmt.Errorf("caller names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// attemptCols reads an attempt in progress with its task.
const attemptCols = `a.id, a.number, a.caller, a.ended_at, t.id, t.campaign_id, t.elder_id, COALESCE(e.name, ''), t.region_code, t.state,
	t.priority, t.attempts, t.phone_rank, t.next_at, t.lease_owner, t.lease_until, t.disposition, COALESCE(t.order_id, 0)`

const attemptFrom = ` FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id LEFT JOIN elders e ON e.id = t.elder_id`

// scanAttempt reads attemptCols; held reports whether the attempt is still
// its caller's: not ended, the task leased to the caller for this attempt
// until after now.
func scanAttempt(s interface{ Scan(...any) error }, now time.Time) (a *Attempt, caller string, held bool, err error) {
	a = &Attempt{Task: &anxin.Task{}}
	t := a.Task
	var ended, until sql.NullTime
	err = s.Scan(&a.ID, &a.Number, &caller, &ended, &t.ID, &t.CampaignID, &t.ElderID, &t.ElderName, &t.RegionCode, &t.State,
		&t.Priority, &t.Attempts, &t.PhoneRank, &t.NextAt, &t.LeaseOwner, &until, &t.Disposition, &t.OrderID)
	if err != nil {
		return nil, "", false, err
	}
	t.NextAt = t.NextAt.UTC()
	if until.Valid {
		t.LeaseUntil = until.Time.UTC()
	}
	held = !ended.Valid && t.State == anxin.TaskLeased && t.LeaseOwner == caller && t.LeaseUntil.After(now)
	return a, caller, held, nil
}

// OpenAttempt returns attempt id while owner holds it: not ended, its
// task leased to owner until after now. ENOTFOUND when there is no such
// attempt in campaignID (0: any campaign), err.task_lease_lost
// (ECONFLICT) when it is over or someone else's.
func (db *DB) OpenAttempt(ctx context.Context, campaignID, id int64, owner string) (*Attempt, error) {
	a, caller, held, err := scanAttempt(db.r.QueryRowContext(ctx, "SELECT "+attemptCols+attemptFrom+" WHERE a.id = $1", id), db.Now())
	if errors.Is(err, sql.ErrNoRows) || err == nil && campaignID != 0 && a.Task.CampaignID != campaignID {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.attempt_not_found", "Attempt %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("attempt %d: %w", id, err)
	}
	if caller != owner || !held {
		return nil, errLeaseLost()
	}
	return a, nil
}

// HeldAttempt returns the attempt owner holds in a campaign now, nil when
// none: an operator who comes back to the campaign finds the elder she was
// calling rather than a new task. It reads only the leases owner holds
// (the index of leases by owner).
func (db *DB) HeldAttempt(ctx context.Context, campaignID int64, owner string) (*Attempt, error) {
	now := db.Now().UTC()
	a, _, held, err := scanAttempt(db.r.QueryRowContext(ctx, "SELECT "+attemptCols+attemptFrom+`
		WHERE t.campaign_id = $1 AND t.state = 'leased' AND t.lease_owner = $2 AND t.lease_until > $3
		AND a.attempt = t.attempts AND a.caller = $2 ORDER BY t.lease_until DESC LIMIT 1`, campaignID, owner, now), now)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("held attempt: %w", err)
	}
	if !held {
		return nil, nil
	}
	return a, nil
}

// AttemptRecord is one attempt of a task, as its history shows it.
type AttemptRecord struct {
	ID          int64     `json:"id"`
	Attempt     int       `json:"attempt"`
	Number      string    `json:"number"`
	Caller      string    `json:"caller"`
	CallerName  string    `json:"caller_name,omitempty"`
	CallID      int64     `json:"call_id,omitempty"`
	StartedAt   time.Time `json:"started_at"`
	EndedAt     time.Time `json:"ended_at,omitzero"`
	Disposition string    `json:"disposition,omitempty"`
}

// TaskAttempts returns the attempts of a task, first first.
func (db *DB) TaskAttempts(ctx context.Context, taskID int64) ([]AttemptRecord, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, attempt, number, caller, COALESCE(call_id, 0), started_at, ended_at, disposition
		FROM campaign_attempts WHERE task_id = $1 ORDER BY attempt`, taskID)
	if err != nil {
		return nil, fmt.Errorf("task %d attempts: %w", taskID, err)
	}
	defer rows.Close()
	var out []AttemptRecord
	for rows.Next() {
		var r AttemptRecord
		var ended sql.NullTime
		if err := rows.Scan(&r.ID, &r.Attempt, &r.Number, &r.Caller, &r.CallID, &r.StartedAt, &ended, &r.Disposition); err != nil {
			return nil, err
		}
		r.StartedAt = r.StartedAt.UTC()
		if ended.Valid {
			r.EndedAt = ended.Time.UTC()
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	owners := make([]string, len(out))
	for i, r := range out {
		owners[i] = r.Caller
	}
	names, err := db.accountNames(ctx, owners)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].CallerName = names[ownerAccount(out[i].Caller)]
	}
	return out, nil
}

// ElderAnswer is an answer an elder gave in a campaign.
type ElderAnswer struct {
	CampaignID   int64     `json:"campaign_id"`
	CampaignName string    `json:"campaign_name"`
	ScriptID     int64     `json:"script_id,omitempty"`
	Version      int       `json:"version"`
	Question     string    `json:"question"`
	Value        string    `json:"value"`
	At           time.Time `json:"at"`
}

// ElderAnswers returns the latest answers (at most limit) an elder gave in
// campaign calls other than those of task exceptTask, newest first.
func (db *DB) ElderAnswers(ctx context.Context, elderID, exceptTask int64, limit int) ([]ElderAnswer, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT c.id, c.name, COALESCE(c.script_id, 0), x.script_version, x.question, x.value, a.started_at
		FROM campaign_tasks t JOIN campaign_answers x ON x.task_id = t.id JOIN campaign_attempts a ON a.id = x.attempt_id
		JOIN campaigns c ON c.id = t.campaign_id
		WHERE t.elder_id = $1 AND t.id <> $2 ORDER BY a.started_at DESC, x.question LIMIT $3`, elderID, exceptTask, limit)
	if err != nil {
		return nil, fmt.Errorf("elder %d answers: %w", elderID, err)
	}
	defer rows.Close()
	var out []ElderAnswer
	for rows.Next() {
		var x ElderAnswer
		if err := rows.Scan(&x.CampaignID, &x.CampaignName, &x.ScriptID, &x.Version, &x.Question, &x.Value, &x.At); err != nil {
			return nil, err
		}
		x.At = x.At.UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}

// ScriptSummary is a script as its list shows it: its latest version.
type ScriptSummary struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	OrgID     int64     `json:"org_id"`
	OrgName   string    `json:"org_name"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by,omitempty"`
}

// scopeScripts shows the scripts of organisations in sc's subtree and of
// those over it (a street's staff use the city hotline's script), as
// campaigns are shown; none to providers and suppliers.
func scopeScripts(w *where, sc anxin.Scope) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("1 = 0")
	default:
		w.add("((g.region_code >= ? AND g.region_code < ?) OR ? LIKE g.region_code || '%')", sc.Region, sc.Region+":", sc.Region)
	}
}

// FindScripts lists the scripts sc sees, by name.
func (db *DB) FindScripts(ctx context.Context, sc anxin.Scope) ([]ScriptSummary, error) {
	var w where
	scopeScripts(&w, sc)
	w.add("v.version = (SELECT MAX(version) FROM script_versions WHERE script_id = s.id)")
	rows, err := db.r.QueryContext(ctx, `SELECT s.id, s.name, s.org_id, g.name, v.version, v.created_at, COALESCE(a.display_name, '')
		FROM scripts s JOIN orgs g ON g.id = s.org_id JOIN script_versions v ON v.script_id = s.id
		LEFT JOIN accounts a ON a.id = v.created_by`+w.sql()+" ORDER BY s.name, s.id LIMIT 500", w.args...)
	if err != nil {
		return nil, fmt.Errorf("scripts: %w", err)
	}
	defer rows.Close()
	var out []ScriptSummary
	for rows.Next() {
		var s ScriptSummary
		if err := rows.Scan(&s.ID, &s.Name, &s.OrgID, &s.OrgName, &s.Version, &s.UpdatedAt, &s.UpdatedBy); err != nil {
			return nil, err
		}
		s.UpdatedAt = s.UpdatedAt.UTC()
		out = append(out, s)
	}
	return out, rows.Err()
}

// FindScript returns version v (0: the latest) of a script sc sees, or
// ENOTFOUND.
func (db *DB) FindScript(ctx context.Context, sc anxin.Scope, id int64, v int) (*anxin.Script, error) {
	var w where
	w.add("s.id = ?", id)
	scopeScripts(&w, sc)
	var one int
	err := db.r.QueryRowContext(ctx, "SELECT 1 FROM scripts s JOIN orgs g ON g.id = s.org_id"+w.sql(), w.args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errScriptNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("script %d: %w", id, err)
	}
	return db.Script(ctx, id, v)
}

// ScriptVersion is one saved version of a script.
type ScriptVersion struct {
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by,omitempty"`
}

// ScriptVersions lists the versions of a script sc sees, newest first.
func (db *DB) ScriptVersions(ctx context.Context, sc anxin.Scope, id int64) ([]ScriptVersion, error) {
	if _, err := db.FindScript(ctx, sc, id, 0); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT v.version, v.created_at, COALESCE(a.display_name, '') FROM script_versions v
		LEFT JOIN accounts a ON a.id = v.created_by WHERE v.script_id = $1 ORDER BY v.version DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("script %d versions: %w", id, err)
	}
	defer rows.Close()
	var out []ScriptVersion
	for rows.Next() {
		var v ScriptVersion
		if err := rows.Scan(&v.Version, &v.CreatedAt, &v.CreatedBy); err != nil {
			return nil, err
		}
		v.CreatedAt = v.CreatedAt.UTC()
		out = append(out, v)
	}
	return out, rows.Err()
}

// FindTasks lists up to limit tasks of a campaign sc sees in a state (""
// any), soonest due first, with the elders' names.
func (db *DB) FindTasks(ctx context.Context, sc anxin.Scope, campaignID int64, state string, limit int) ([]*anxin.Task, error) {
	if _, err := db.FindCampaign(ctx, sc, campaignID); err != nil {
		return nil, err
	}
	var w where
	w.add("t.campaign_id = ?", campaignID)
	if state != "" {
		w.add("t.state = ?", state)
	}
	_, limit = pageBounds(0, limit)
	rows, err := db.r.QueryContext(ctx, `SELECT t.id, t.campaign_id, t.elder_id, e.name, t.region_code, t.state, t.priority, t.attempts, t.phone_rank,
		t.next_at, t.lease_owner, t.lease_until, t.disposition, t.done_at, COALESCE(t.order_id, 0) FROM campaign_tasks t JOIN elders e ON e.id = t.elder_id`+w.sql()+
		" ORDER BY t.next_at, t.id LIMIT "+w.arg(limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("campaign %d tasks: %w", campaignID, err)
	}
	defer rows.Close()
	var out []*anxin.Task
	for rows.Next() {
		t := &anxin.Task{}
		var until, done sql.NullTime
		if err := rows.Scan(&t.ID, &t.CampaignID, &t.ElderID, &t.ElderName, &t.RegionCode, &t.State, &t.Priority, &t.Attempts, &t.PhoneRank,
			&t.NextAt, &t.LeaseOwner, &until, &t.Disposition, &done, &t.OrderID); err != nil {
			return nil, err
		}
		t.NextAt = t.NextAt.UTC()
		if until.Valid {
			t.LeaseUntil = until.Time.UTC()
		}
		if done.Valid {
			t.DoneAt = done.Time.UTC()
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
