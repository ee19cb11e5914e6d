package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
	"github.com/anxin-care/anxin/workcal"
)

// The work orders' SLA policies (issue 4): the shipped defaults of package
// sla, with the changes platform administrators make stored in
// sla_policies, one row per type and urgency that differs. An edit counts
// for deadlines set from then on: this node at once, the others before
// their next SLA pass (they reload with LoadCalendar). Deadlines already
// running keep their times.

// SLAPolicy is the policy of one order type and urgency in force.
type SLAPolicy struct {
	sla.Policy
	// Default is the shipped policy, which a reset restores.
	Default sla.Policy
	// Custom is true when an administrator changed the default; UpdatedBy
	// (a display name, "system" for the command line) and UpdatedAt say
	// who and when.
	Custom    bool
	UpdatedBy string
	UpdatedAt time.Time
}

// storedPolicy is a row of sla_policies.
type storedPolicy struct {
	policy    sla.Policy
	updatedBy string
	updatedAt time.Time
}

// storedSLAPolicies reads the administrators' changes by type and
// urgency. A budget that does not parse is an error naming the row.
func (db *DB) storedSLAPolicies(ctx context.Context) (map[[2]string]storedPolicy, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT p.type, p.urgency, p.accept, p.start, p.complete, p.reply, p.return_visit,
		p.round_the_clock, COALESCE(a.display_name, ''), p.updated_at
		FROM sla_policies p LEFT JOIN accounts a ON a.id = p.updated_by`)
	if err != nil {
		return nil, fmt.Errorf("sla policies: %w", err)
	}
	defer rows.Close()
	out := map[[2]string]storedPolicy{}
	for rows.Next() {
		var s storedPolicy
		var text [5]string
		p := &s.policy
		if err := rows.Scan(&p.Type, &p.Urgency, &text[0], &text[1], &text[2], &text[3], &text[4],
			&p.RoundTheClock, &s.updatedBy, &s.updatedAt); err != nil {
			return nil, err
		}
		for i, clock := range sla.Clocks {
			if *p.Budget(clock), err = workcal.ParseBudget(text[i]); err != nil {
				return nil, anxin.Errorf(anxin.EINVALID, "the stored SLA policy of %s/%s is invalid: %s: %v", p.Type, p.Urgency, clock, err)
			}
		}
		if s.updatedBy == "" {
			s.updatedBy = "system"
		}
		s.updatedAt = s.updatedAt.UTC()
		out[[2]string{p.Type, p.Urgency}] = s
	}
	return out, rows.Err()
}

// SLAPolicies returns the policy in force of every order type and urgency,
// in the order of anxin.OrderTypes and anxin.OrderUrgencies.
func (db *DB) SLAPolicies(ctx context.Context) ([]SLAPolicy, error) {
	stored, err := db.storedSLAPolicies(ctx)
	if err != nil {
		return nil, err
	}
	defaults := map[[2]string]sla.Policy{}
	for _, p := range sla.Defaults() {
		defaults[[2]string{p.Type, p.Urgency}] = p
	}
	var out []SLAPolicy
	for _, typ := range anxin.OrderTypes {
		for _, u := range anxin.OrderUrgencies {
			def := defaults[[2]string{typ, u}]
			def.Type, def.Urgency = typ, u
			p := SLAPolicy{Policy: def, Default: def}
			if s, ok := stored[[2]string{typ, u}]; ok {
				p.Policy, p.Custom, p.UpdatedBy, p.UpdatedAt = s.policy, true, s.updatedBy, s.updatedAt
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// SLAPolicy returns the policy in force of one type and urgency, or
// ENOTFOUND when either is unknown.
func (db *DB) SLAPolicy(ctx context.Context, typ, urgency string) (SLAPolicy, error) {
	all, err := db.SLAPolicies(ctx)
	if err != nil {
		return SLAPolicy{}, err
	}
	for _, p := range all {
		if p.Type == typ && p.Urgency == urgency {
			return p, nil
		}
	}
	return SLAPolicy{}, anxin.ErrorKey(anxin.ENOTFOUND, "err.sla_unknown", "No SLA policy for type %q and urgency %q.", typ, urgency)
}

// slaPolicies returns the policies for the clocks: the defaults with the
// stored changes over them.
func (db *DB) slaPolicies(ctx context.Context) ([]sla.Policy, error) {
	all, err := db.SLAPolicies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]sla.Policy, len(all))
	for i, p := range all {
		out[i] = p.Policy
	}
	return out, nil
}

// SLAField returns the name of a clock's budget in the API and the
// database: the clock's name, return_visit for sla.Visit.
func SLAField(clock string) string {
	if clock == sla.Visit {
		return "return_visit"
	}
	return clock
}

// SLABudgetError explains why a budget was refused (an error of
// workcal.ParseBudget or Budget.Check) as EINVALID, naming the field (the
// field's label on a page) and quoting the text.
func SLABudgetError(field, text string, err error) error {
	switch {
	case errors.Is(err, workcal.ErrBudgetNegative):
		return anxin.ErrorKey(anxin.EINVALID, "err.sla_budget_negative", "%s: %q: a time cannot be negative.", field, text)
	case errors.Is(err, workcal.ErrBudgetTooLong):
		return anxin.ErrorKey(anxin.EINVALID, "err.sla_budget_too_long", "%s: %q: a time is at most %d working days and %d hours.",
			field, text, workcal.MaxBudgetDays, int(workcal.MaxBudgetWorking/time.Hour))
	case errors.Is(err, workcal.ErrBudgetMinutes):
		return anxin.ErrorKey(anxin.EINVALID, "err.sla_budget_minutes", "%s: %q: a time counts whole minutes.", field, text)
	case errors.Is(err, workcal.ErrBudgetDays):
		return anxin.ErrorKey(anxin.EINVALID, "err.sla_budget_days", "%s: %q: working days count whole; write 1d4h rather than 1.5d.", field, text)
	}
	return anxin.ErrorKey(anxin.EINVALID, "err.sla_budget_syntax", "%s: %q is not a time; write it like 4h, 2d, 1d4h or 30m.", field, text)
}

func errSLAAdminOnly() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.sla_admin_only", "Only the platform's administrators change the SLA policies.")
}

// checkSLAKey refuses an unknown order type or urgency (EINVALID).
func checkSLAKey(typ, urgency string) error {
	if !slices.Contains(anxin.OrderTypes, typ) {
		return anxin.ErrorKey(anxin.EINVALID, "err.order_type", "Unknown order type %q.", typ)
	}
	if !slices.Contains(anxin.OrderUrgencies, urgency) {
		return anxin.ErrorKey(anxin.EINVALID, "err.order_urgency", "Unknown urgency %q.", urgency)
	}
	return nil
}

// checkSLAPolicy refuses an unknown type or urgency, a budget
// ParseBudget could not have read, a policy without the clock that ends
// its type's orders (Complete for services, supply orders and urgent
// help; Reply for consultations and complaints) and one with the other
// clock, which would never run (EINVALID).
func checkSLAPolicy(p sla.Policy) error {
	if err := checkSLAKey(p.Type, p.Urgency); err != nil {
		return err
	}
	for _, clock := range sla.Clocks {
		if err := p.Budget(clock).Check(); err != nil {
			return SLABudgetError(SLAField(clock), p.Budget(clock).String(), err)
		}
	}
	closing, unused := p.Complete, p.Reply
	if sla.Closing(p.Type) == sla.Reply {
		closing, unused = p.Reply, p.Complete
	}
	if closing == (workcal.Budget{}) {
		if sla.Closing(p.Type) == sla.Reply {
			return anxin.ErrorKey(anxin.EINVALID, "err.sla_reply_required", "Consultations and complaints need a reply time.")
		}
		return anxin.ErrorKey(anxin.EINVALID, "err.sla_complete_required", "Services, supply orders and urgent help need a completion time.")
	}
	if unused != (workcal.Budget{}) {
		if sla.Closing(p.Type) == sla.Reply {
			return anxin.ErrorKey(anxin.EINVALID, "err.sla_complete_unused", "Consultations and complaints have a reply time, not a completion time.")
		}
		return anxin.ErrorKey(anxin.EINVALID, "err.sla_reply_unused", "Only consultations and complaints have a reply time.")
	}
	return nil
}

// SetSLAPolicy changes the policy of p.Type and p.Urgency (platform
// administrators; EFORBIDDEN otherwise). It returns EINVALID for an
// unknown type or urgency, a budget out of range, or a policy without the
// clock that ends its orders or with the other one (see checkSLAPolicy). A
// policy equal to the default removes the change. New deadlines follow it
// at once on this node; deadlines already running keep their times.
func (db *DB) SetSLAPolicy(ctx context.Context, sc anxin.Scope, p sla.Policy) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errSLAAdminOnly()
	}
	if err := checkSLAPolicy(p); err != nil {
		return err
	}
	cur, err := db.SLAPolicy(ctx, p.Type, p.Urgency)
	if err != nil {
		return err
	}
	if p == cur.Default {
		return db.ResetSLAPolicy(ctx, sc, p.Type, p.Urgency)
	}
	var by any
	if sc.AccountID != 0 {
		by = sc.AccountID
	}
	_, err = db.w.ExecContext(ctx, `INSERT INTO sla_policies (type, urgency, accept, start, complete, reply, return_visit,
		round_the_clock, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (type, urgency) DO UPDATE SET accept = excluded.accept, start = excluded.start,
		complete = excluded.complete, reply = excluded.reply, return_visit = excluded.return_visit,
		round_the_clock = excluded.round_the_clock, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		p.Type, p.Urgency, p.Accept.String(), p.Start.String(), p.Complete.String(), p.Reply.String(),
		p.ReturnVisit.String(), p.RoundTheClock, by, db.Now().UTC())
	if err != nil {
		return mapError(fmt.Errorf("set sla policy %s/%s: %w", p.Type, p.Urgency, err))
	}
	return db.LoadCalendar(ctx)
}

// ResetSLAPolicy restores the default policy of a type and urgency
// (platform administrators; EFORBIDDEN otherwise; EINVALID for an
// unknown type or urgency). Resetting a default policy does nothing.
func (db *DB) ResetSLAPolicy(ctx context.Context, sc anxin.Scope, typ, urgency string) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return errSLAAdminOnly()
	}
	if err := checkSLAKey(typ, urgency); err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, "DELETE FROM sla_policies WHERE type = $1 AND urgency = $2", typ, urgency); err != nil {
		return fmt.Errorf("reset sla policy %s/%s: %w", typ, urgency, err)
	}
	return db.LoadCalendar(ctx)
}
