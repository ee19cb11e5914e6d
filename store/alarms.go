package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

var _ anxin.AlarmService = (*DB)(nil)

func errAlarmsForbidden() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.alarms_forbidden", "Only the platform's and a city's administrators and supervisors see the system's alarms.")
}

const alarmCols = "id, key, node, severity, message, args, raised_at, cleared_at"

// RaiseAlarm raises a.Key on a.Node at a.RaisedAt (now when zero), or
// updates the active one: its severity, message and arguments change, when
// it was first raised stays. It reports whether the alarm was not active
// before. Nodes raising the same key at once share one active alarm (a
// unique index allows one per key and node).
func (db *DB) RaiseAlarm(ctx context.Context, a *anxin.Alarm) (bool, error) {
	if err := a.Validate(); err != nil {
		return false, err
	}
	if a.RaisedAt.IsZero() {
		a.RaisedAt = db.Now()
	}
	if a.Args == nil {
		a.Args = []string{}
	}
	args, err := json.Marshal(a.Args)
	if err != nil {
		return false, fmt.Errorf("raise alarm %s: %w", a.Key, err)
	}
	update := func() (bool, error) {
		err := db.w.QueryRowContext(ctx, `UPDATE alarms SET severity = $1, message = $2, args = $3
			WHERE key = $4 AND node = $5 AND cleared_at IS NULL RETURNING id, raised_at`,
			a.Severity, a.Message, string(args), a.Key, a.Node).Scan(&a.ID, &a.RaisedAt)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		if err != nil {
			return false, mapError(fmt.Errorf("raise alarm %s: %w", a.Key, err))
		}
		a.RaisedAt = a.RaisedAt.UTC()
		return true, nil
	}
	if found, err := update(); found || err != nil {
		return false, err
	}
	err = db.w.QueryRowContext(ctx, `INSERT INTO alarms (key, node, severity, message, args, raised_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
		a.Key, a.Node, a.Severity, a.Message, string(args), a.RaisedAt.UTC()).Scan(&a.ID)
	switch {
	case errors.Is(err, sql.ErrNoRows): // another node raised it between the two statements
		_, err := update()
		return false, err
	case err != nil:
		return false, mapError(fmt.Errorf("raise alarm %s: %w", a.Key, err))
	}
	a.RaisedAt = a.RaisedAt.UTC()
	return true, nil
}

// ClearAlarm clears the active alarm key of node at the given time, if
// there is one, and reports whether there was.
func (db *DB) ClearAlarm(ctx context.Context, key, node string, at time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, "UPDATE alarms SET cleared_at = $1 WHERE key = $2 AND node = $3 AND cleared_at IS NULL",
		at.UTC(), key, node)
	if err != nil {
		return false, mapError(fmt.Errorf("clear alarm %s: %w", key, err))
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ActiveAlarms lists the active alarms, the critical first, then the
// newest (at most 1,000: more is a bug that raises alarms per call).
func (db *DB) ActiveAlarms(ctx context.Context, sc anxin.Scope) ([]*anxin.Alarm, error) {
	if !sc.SeesAlarms() {
		return nil, errAlarmsForbidden()
	}
	return db.queryAlarms(ctx, "SELECT "+alarmCols+` FROM alarms WHERE cleared_at IS NULL
		ORDER BY CASE severity WHEN 'critical' THEN 0 ELSE 1 END, raised_at DESC, id DESC LIMIT 1000`)
}

// CountActiveAlarms counts the active alarms, for the metrics.
func (db *DB) CountActiveAlarms(ctx context.Context) (int, error) {
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM alarms WHERE cleared_at IS NULL").Scan(&n); err != nil {
		return 0, fmt.Errorf("count alarms: %w", err)
	}
	return n, nil
}

// FindAlarms lists alarms, the newest raised first, with the total.
func (db *DB) FindAlarms(ctx context.Context, sc anxin.Scope, f anxin.AlarmFilter) ([]*anxin.Alarm, int, error) {
	if !sc.SeesAlarms() {
		return nil, 0, errAlarmsForbidden()
	}
	var w where
	if f.ActiveOnly {
		w.add("cleared_at IS NULL")
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM alarms"+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count alarms: %w", err)
	}
	out, err := db.queryAlarms(ctx, "SELECT "+alarmCols+" FROM alarms"+w.sql()+" ORDER BY raised_at DESC, id DESC"+
		w.page(f.Offset, f.Limit), w.args...)
	return out, total, err
}

func (db *DB) queryAlarms(ctx context.Context, query string, args ...any) ([]*anxin.Alarm, error) {
	rows, err := db.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("alarms: %w", err)
	}
	defer rows.Close()
	out := []*anxin.Alarm{}
	for rows.Next() {
		a := &anxin.Alarm{}
		var argsJSON string
		var cleared sql.NullTime
		if err := rows.Scan(&a.ID, &a.Key, &a.Node, &a.Severity, &a.Message, &argsJSON, &a.RaisedAt, &cleared); err != nil {
			return nil, fmt.Errorf("alarms: %w", err)
		}
		if err := json.Unmarshal([]byte(argsJSON), &a.Args); err != nil || a.Args == nil {
			a.Args = []string{}
		}
		a.RaisedAt, a.ClearedAt = a.RaisedAt.UTC(), timeOf(cleared)
		out = append(out, a)
	}
	return out, rows.Err()
}
