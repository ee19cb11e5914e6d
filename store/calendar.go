package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
	"github.com/anxin-care/anxin/workcal"
)

// Clocks returns the work orders' SLA policies on the current calendar.
func (db *DB) Clocks() *sla.Book { return db.clocks.Load() }

// CalendarDays returns the holiday list administrators keep: the State
// Council's schedules shipped with Anxin (migration 14), as edited since.
func (db *DB) CalendarDays(ctx context.Context) ([]workcal.Day, error) {
	rows, err := db.r.QueryContext(ctx, "SELECT day, kind, name FROM calendar_days ORDER BY day")
	if err != nil {
		return nil, fmt.Errorf("calendar: %w", err)
	}
	defer rows.Close()
	var out []workcal.Day
	for rows.Next() {
		var day, kind string
		var d workcal.Day
		if err := rows.Scan(&day, &kind, &d.Name); err != nil {
			return nil, err
		}
		if d.Date, err = workcal.ParseDate(day); err != nil {
			return nil, fmt.Errorf("calendar day %q: %w", day, err)
		}
		d.Kind = workcal.Kind(kind)
		out = append(out, d)
	}
	return out, rows.Err()
}

// LoadCalendar builds the SLA clocks on the stored holiday list and SLA
// policies (the defaults with administrators' changes over them). Every
// node calls it before each SLA pass, so an edit reaches all nodes within
// a pass. A stored list or policy that is invalid leaves the clocks as
// they were and returns EINVALID.
func (db *DB) LoadCalendar(ctx context.Context) error {
	days, err := db.CalendarDays(ctx)
	if err != nil {
		return err
	}
	cal, err := workcal.New(days, workcal.OfficeHours())
	if err != nil {
		return anxin.Errorf(anxin.EINVALID, "the stored holiday list is invalid: %v", err)
	}
	policies, err := db.slaPolicies(ctx)
	if err != nil {
		return err
	}
	db.clocks.Store(sla.NewBook(policies, cal))
	db.calendar.Store(cal)
	return nil
}

// Calendar returns the working-day calendar in force.
func (db *DB) Calendar() *workcal.Calendar { return db.calendar.Load() }

// SetCalendarYear replaces the listed days of one year (platform
// administrators): every day must be in that year, and the whole list must
// be valid (a make-up working day on a Saturday or Sunday, no date twice).
// The clocks use it at once on this node.
func (db *DB) SetCalendarYear(ctx context.Context, sc anxin.Scope, year int, days []workcal.Day) error {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.calendar_admin_only", "Only the platform's administrators change the holiday calendar.")
	}
	if year < 2000 || year > 2100 {
		return anxin.ErrorKey(anxin.EINVALID, "err.calendar_year", "Choose a year between 2000 and 2100.")
	}
	for _, d := range days {
		if d.Date.Year != year {
			return anxin.ErrorKey(anxin.EINVALID, "err.calendar_other_year", "%s is not in %d.", d.Date, year)
		}
	}
	all, err := db.CalendarDays(ctx)
	if err != nil {
		return err
	}
	all = slices.DeleteFunc(all, func(d workcal.Day) bool { return d.Date.Year == year })
	all = append(all, days...)
	if _, err := workcal.New(all, workcal.OfficeHours()); err != nil {
		return anxin.ErrorKey(anxin.EINVALID, "err.calendar_invalid", "The list is not valid: %v", err)
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		lo, hi := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-01-01", year+1)
		if _, err := tx.ExecContext(ctx, "DELETE FROM calendar_days WHERE day >= $1 AND day < $2", lo, hi); err != nil {
			return err
		}
		return tx.insertCalendar(ctx, days)
	})
	if err != nil {
		return err
	}
	return db.LoadCalendar(ctx)
}

func (tx *Tx) insertCalendar(ctx context.Context, days []workcal.Day) error {
	rows := make([][]any, len(days))
	for i, d := range days {
		rows[i] = []any{d.Date.String(), string(d.Kind), d.Name}
	}
	return tx.insertRows(ctx, "calendar_days (day, kind, name)", rows)
}

// loadShippedCalendar is migration 14: the calendar table, filled with the
// schedules shipped in package workcal.
func loadShippedCalendar(ctx context.Context, tx *Tx) error {
	if _, err := tx.ExecContext(ctx, `CREATE TABLE calendar_days (
		day  TEXT PRIMARY KEY,
		kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
		name TEXT NOT NULL DEFAULT ''
	)`); err != nil {
		return err
	}
	return tx.insertCalendar(ctx, workcal.Shipped())
}
