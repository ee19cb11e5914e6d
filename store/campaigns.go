package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

// Campaigns (issue 6): campaigns, the tasks made from their targets, and
// the attempts of each task. Supervisors and administrators run campaigns
// of their area; operators work their tasks.

// chinaDay is the campaigns' calendar day.
var chinaDay = time.FixedZone("CST", 8*3600)

func errCampaignStaff() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_staff_only", "Campaigns are run by supervisors, administrators and community staff of their area.")
}

func errCampaignNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.campaign_not_found", "Campaign %d not found.", id)
}

// runsCampaigns reports whether sc may create and change campaigns:
// hotline supervisors and administrators, and street and committee staff
// (who call their own elders, as Shanghai's committees did).
func runsCampaigns(sc anxin.Scope) bool {
	return !sc.AssignedOnly && (sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleAdmin) || sc.Has(anxin.RoleCommunity))
}

const campaignCols = `c.id, c.name, c.type, c.mode, c.state, c.org_id, COALESCE(g.name, ''), c.region_code, c.starts_on, c.ends_on,
	c.windows, c.max_attempts, c.retry_minutes, c.target, COALESCE(c.script_id, 0), c.created_at, c.updated_at`

const campaignFrom = ` FROM campaigns c LEFT JOIN orgs g ON g.id = c.org_id`

func scanCampaign(s interface{ Scan(...any) error }) (*anxin.Campaign, error) {
	var c anxin.Campaign
	var windows, target string
	if err := s.Scan(&c.ID, &c.Name, &c.Type, &c.Mode, &c.State, &c.OrgID, &c.OrgName, &c.RegionCode, &c.StartsOn, &c.EndsOn,
		&windows, &c.MaxAttempts, &c.RetryMinutes, &target, &c.ScriptID, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, err
	}
	c.Windows = strings.Split(windows, ",")
	if err := json.Unmarshal([]byte(target), &c.Target); err != nil {
		return nil, fmt.Errorf("campaign %d target: %w", c.ID, err)
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// CreateCampaign creates a campaign in draft for sc's organisation over an
// area sc covers.
func (db *DB) CreateCampaign(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) error {
	if !runsCampaigns(sc) {
		return errCampaignStaff()
	}
	if c.RegionCode == "" {
		c.RegionCode = sc.Region
	}
	if !sc.CoversRegion(c.RegionCode) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_area", "A campaign covers your own area or part of it.")
	}
	if err := c.Validate(); err != nil {
		return err
	}
	target, err := json.Marshal(c.Target)
	if err != nil {
		return err
	}
	now := db.Now().UTC()
	c.State, c.OrgID, c.CreatedAt, c.UpdatedAt = anxin.CampaignDraft, sc.OrgID, now, now
	err = db.w.QueryRowContext(ctx, `INSERT INTO campaigns (name, type, mode, state, org_id, region_code, starts_on, ends_on, windows,
		max_attempts, retry_minutes, target, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
		c.Name, c.Type, c.Mode, c.State, c.OrgID, c.RegionCode, c.StartsOn, c.EndsOn, strings.Join(c.Windows, ","),
		c.MaxAttempts, c.RetryMinutes, string(target), nullID(sc.AccountID), now).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("create campaign: %w", err)
	}
	return nil
}

// FindCampaign returns a campaign whose area sc sees.
func (db *DB) FindCampaign(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Campaign, error) {
	var w where
	w.add("c.id = ?", id)
	scopeCampaigns(&w, sc)
	c, err := scanCampaign(db.r.QueryRowContext(ctx, "SELECT "+campaignCols+campaignFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errCampaignNotFound(id)
	}
	return c, err
}

// FindCampaigns lists the campaigns sc sees, newest first.
func (db *DB) FindCampaigns(ctx context.Context, sc anxin.Scope) ([]*anxin.Campaign, error) {
	var w where
	scopeCampaigns(&w, sc)
	rows, err := db.r.QueryContext(ctx, "SELECT "+campaignCols+campaignFrom+w.sql()+" ORDER BY c.id DESC LIMIT 500", w.args...)
	if err != nil {
		return nil, fmt.Errorf("campaigns: %w", err)
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

// scopeCampaigns shows the campaigns over areas in sc's subtree and the
// campaigns covering sc's area (an operator of a street sees the district's
// campaign); none to providers and suppliers.
func scopeCampaigns(w *where, sc anxin.Scope) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("1 = 0")
	default:
		w.add("((c.region_code >= ? AND c.region_code < ?) OR ? LIKE c.region_code || '%')", sc.Region, sc.Region+":", sc.Region)
	}
}

// SetCampaignState moves a campaign: draft → running ⇄ paused → ended →
// archived (a draft may also end).
func (db *DB) SetCampaignState(ctx context.Context, sc anxin.Scope, id int64, state string) error {
	if !runsCampaigns(sc) {
		return errCampaignStaff()
	}
	c, err := db.FindCampaign(ctx, sc, id)
	if err != nil {
		return err
	}
	if !sc.CoversRegion(c.RegionCode) {
		return errCampaignStaff()
	}
	allowed := map[string][]string{
		anxin.CampaignDraft:   {anxin.CampaignRunning, anxin.CampaignEnded},
		anxin.CampaignRunning: {anxin.CampaignPaused, anxin.CampaignEnded},
		anxin.CampaignPaused:  {anxin.CampaignRunning, anxin.CampaignEnded},
		anxin.CampaignEnded:   {anxin.CampaignArchived},
	}
	ok := false
	for _, s := range allowed[c.State] {
		ok = ok || s == state
	}
	if !ok {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_state", "A %s campaign cannot become %s.", c.State, state)
	}
	res, err := db.w.ExecContext(ctx, "UPDATE campaigns SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4", state, db.Now().UTC(), id, c.State)
	if err != nil {
		return fmt.Errorf("campaign state: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_state", "A %s campaign cannot become %s.", c.State, state)
	}
	return nil
}

// targetWhere selects the active elders of a campaign's target within its
// area, with a number to call, who have not opted out of calls.
func (db *DB) targetWhere(c *anxin.Campaign) where {
	var w where
	w.subtree("e.region_code", c.RegionCode)
	t := c.Target
	f := anxin.ElderFilter{Within: t.Within, Tags: t.Tags, MinAge: t.MinAge, MaxAge: t.MaxAge, NotContactedFor: t.NotReachedDays}
	if t.Within != "" && !strings.HasPrefix(t.Within, c.RegionCode) {
		w.add("1 = 0") // a target outside the campaign's area
	}
	db.filterElders(&w, f)
	if db.engine == SQLite {
		// The unary + keeps SQLite off elders_coverage (status, area,
		// last contact …): see targetOrder.
		w.add("+e.status = ?", anxin.StatusActive)
	} else {
		w.add("e.status = ?", anxin.StatusActive)
	}
	if len(t.Living) > 0 {
		whereIn(&w, "e.living", t.Living)
	}
	if len(t.Dialects) > 0 {
		whereIn(&w, "e.dialect", t.Dialects)
	}
	// Opted out of calls: the check-in consent withdrawn.
	w.add("e.consents NOT LIKE ?", `%"purpose":"`+anxin.ConsentCheckIn+`","given":false%`)
	if t.Consent != "" {
		w.add(`e.consents LIKE ? ESCAPE '\'`, `%"purpose":"`+likeEscaper.Replace(t.Consent)+`","given":true%`)
	}
	if t.WithOpenOrders {
		open := make([]string, len(anxin.OpenStates))
		for i, st := range anxin.OpenStates {
			open[i] = w.arg(st)
		}
		w.add("EXISTS (SELECT 1 FROM orders o WHERE o.elder_id = e.id AND o.state IN (" + strings.Join(open, ", ") + "))")
	}
	w.add("EXISTS (SELECT 1 FROM elder_phones p WHERE p.elder_id = e.id AND p.contact = FALSE)")
	return w
}

// targetOrder is the order in which a target's elders are read: on SQLite
// that of elders_region (area, id), their rows as they lie in the file
// (and the tasks appended to their indexes in elder order). Left to itself
// the planner walks elders_region_name or elders_coverage, which read an
// area's rows in the order of names or of last contact, all over the file:
// for a city of 5,000,000, building and counting took up to twice as long
// (docs/benchmarks.md). PostgreSQL scans and hashes; an order would only
// add a sort.
func (db *DB) targetOrder() string {
	if db.engine == SQLite {
		return " ORDER BY e.region_code, e.id"
	}
	return ""
}

// CountTarget counts the elders a campaign's target selects now (the live
// count while a supervisor builds it): for a satisfaction campaign with an
// empty target, the elders of its area with a return visit due.
func (db *DB) CountTarget(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) (int, error) {
	if !sc.CoversRegion(c.RegionCode) && !sc.All {
		return 0, errCampaignStaff()
	}
	w := db.targetWhere(c)
	q := "SELECT COUNT(*) FROM elders e" + w.sql()
	if FeedsOnReturnVisits(c) {
		// The elders it will call are those with a return visit due.
		visits := dueVisits(&w, c)
		q = "SELECT COUNT(*) FROM (" + visits + ") rv JOIN elders e ON e.id = rv.elder_id" + w.sql()
	} else if order := db.targetOrder(); order != "" {
		q = "SELECT COUNT(*) FROM (SELECT 1 FROM elders e" + w.sql() + order + ") t"
	}
	var n int
	if err := db.r.QueryRowContext(ctx, q, w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count target: %w", err)
	}
	return n, nil
}

// BuildTasks makes a task for every elder the campaign's target selects
// who has none in it yet, due at the campaign's first calling time, with a
// priority: 80 or older +40, living alone +30, not reached for 14 days +20.
// It returns how many tasks it made. Building again adds the elders who
// came into the target since. A satisfaction campaign with an empty target
// takes the elders whose return visits are due instead.
func (db *DB) BuildTasks(ctx context.Context, sc anxin.Scope, id int64) (int, error) {
	if !runsCampaigns(sc) {
		return 0, errCampaignStaff()
	}
	c, err := db.FindCampaign(ctx, sc, id)
	if err != nil {
		return 0, err
	}
	if c.State == anxin.CampaignEnded || c.State == anxin.CampaignArchived {
		return 0, anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_over", "The campaign is over.")
	}
	now := db.Now()
	due, version, err := db.taskStart(ctx, db.r, c, now)
	if err != nil {
		return 0, err
	}
	if FeedsOnReturnVisits(c) {
		// A satisfaction campaign without a target calls the elders
		// whose return visits are due (campaign_satisfaction.go).
		return db.buildReturnVisitTasks(ctx, c, due, version)
	}
	w := db.targetWhere(c)
	prio := taskPriority(&w, now)
	q := fmt.Sprintf(`INSERT INTO campaign_tasks (campaign_id, elder_id, region_code, priority, next_at, script_version)
		SELECT %s, e.id, e.region_code, %s, %s, %s FROM elders e%s%s
		ON CONFLICT (campaign_id, elder_id) DO NOTHING`, w.arg(c.ID), prio, w.arg(due), w.arg(version), w.sql(), db.targetOrder())
	res, err := db.w.ExecContext(ctx, q, w.args...)
	if err != nil {
		return 0, fmt.Errorf("build tasks: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// taskPriority is the SQL of a new task's priority from its elder e: 80
// or older +40, living alone +30, not reached for 14 days +20.
func taskPriority(w *where, now time.Time) string {
	today := now.In(chinaDay)
	return fmt.Sprintf(`(CASE WHEN e.birth_date <> '' AND e.birth_date <= %s THEN 40 ELSE 0 END)
		+ (CASE WHEN e.living = %s THEN 30 ELSE 0 END)
		+ (CASE WHEN e.last_contact_at IS NULL OR e.last_contact_at < %s THEN 20 ELSE 0 END)`,
		w.arg(today.AddDate(-80, 0, 0).Format(time.DateOnly)), w.arg(anxin.LivingAlone), w.arg(now.AddDate(0, 0, -14).UTC()))
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
