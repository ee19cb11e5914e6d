package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
)

// slaState is what the SLA clocks keep on an order row.
type slaState struct {
	deadlines map[string]sla.Deadline
	checked   time.Time // the last point acted on
	next      sla.Point
	hasNext   bool
}

// slaClocks name the clock columns of slaCols and slaSetCols, which
// follow sla.Clocks' order: accept, start, complete, reply, visit.
var slaClocks = sla.Clocks

// slaCols are the clock columns as loadSLA and scanSLA read them.
const slaCols = `accept_warn_at, accept_due_at, start_warn_at, start_due_at, complete_warn_at,
	complete_due_at, reply_warn_at, reply_due_at, visit_warn_at, visit_due_at, sla_checked_at`

func (tx *Tx) loadSLA(ctx context.Context, id int64) (*slaState, error) {
	st, err := scanSLA(tx.QueryRowContext(ctx, "SELECT "+slaCols+" FROM orders WHERE id = $1", id))
	if err != nil {
		return nil, fmt.Errorf("load clocks: %w", err)
	}
	return st, nil
}

// scanSLA reads the slaCols of a row.
func scanSLA(row interface{ Scan(...any) error }) (*slaState, error) {
	st := &slaState{deadlines: map[string]sla.Deadline{}}
	var t [10]sql.NullTime
	var checked sql.NullTime
	err := row.Scan(&t[0], &t[1], &t[2], &t[3], &t[4], &t[5], &t[6], &t[7], &t[8], &t[9], &checked)
	if err != nil {
		return nil, err
	}
	for i, name := range slaClocks {
		st.deadlines[name] = sla.Deadline{Warn: timeOf(t[2*i]), Due: timeOf(t[2*i+1])}
	}
	st.checked = timeOf(checked)
	return st, nil
}

// slaSetCols are the columns slaValues fills, in order.
const slaSetCols = `accept_warn_at, accept_due_at, start_warn_at, start_due_at, complete_warn_at,
	complete_due_at, reply_warn_at, reply_due_at, visit_warn_at, visit_due_at, sla_checked_at, next_due_at, next_due_kind`

// slaValues decides what the SLA pass acts on next for an order in state
// (paused or not) after st.checked, and returns the values of slaSetCols.
func (st *slaState) slaValues(o *anxin.Order, state string, paused bool) []any {
	st.next, st.hasNext = sla.Next(sla.Running(o.Type, state, paused), st.deadlines, st.checked)
	var next any
	kind := ""
	if st.hasNext {
		next, kind = st.next.At.UTC(), st.next.Kind()
	}
	args := make([]any, 0, 13)
	for _, name := range slaClocks {
		d := st.deadlines[name]
		args = append(args, nullTime(d.Warn), nullTime(d.Due))
	}
	return append(args, nullTime(st.checked), next, kind)
}

// saveSLA writes the deadlines and what the SLA pass acts on next for an
// order in state (paused or not) after `checked`.
func (tx *Tx) saveSLA(ctx context.Context, o *anxin.Order, state string, paused bool, st *slaState) error {
	args := append(st.slaValues(o, state, paused), o.ID)
	_, err := tx.ExecContext(ctx, `UPDATE orders SET accept_warn_at = $1, accept_due_at = $2, start_warn_at = $3,
		start_due_at = $4, complete_warn_at = $5, complete_due_at = $6, reply_warn_at = $7, reply_due_at = $8,
		visit_warn_at = $9, visit_due_at = $10, sla_checked_at = $11, next_due_at = $12, next_due_kind = $13 WHERE id = $14`, args...)
	if err != nil {
		return fmt.Errorf("save clocks: %w", err)
	}
	return nil
}

// startClocks returns the clocks of a new order, completion (or the
// reply) from intake, as the values of slaSetCols for its INSERT, and
// sets the order's deadlines.
func (tx *Tx) startClocks(o *anxin.Order) []any {
	p, c := tx.db.Clocks().Policy(o.Type, o.Urgency)
	st := &slaState{deadlines: map[string]sla.Deadline{
		sla.Complete: sla.Set(c, o.CreatedAt, p.Complete),
		sla.Reply:    sla.Set(c, o.CreatedAt, p.Reply),
	}, checked: o.CreatedAt}
	values := st.slaValues(o, o.State, false)
	o.CompleteDueAt, o.ReplyDueAt = st.deadlines[sla.Complete].Due, st.deadlines[sla.Reply].Due
	if st.hasNext {
		o.NextDueAt = st.next.At.UTC()
	}
	return values
}

// moveClocks updates the clocks after an action took an order (as it was
// before, o) to state `to` at now; st holds its clocks as they were (read
// by the order's update).
func (tx *Tx) moveClocks(ctx context.Context, o *anxin.Order, st *slaState, action, to string, paused bool, now time.Time) error {
	p, c := tx.db.Clocks().Policy(o.Type, o.Urgency)
	switch action {
	case anxin.ActDispatch:
		st.deadlines[sla.Accept] = sla.Set(c, now, p.Accept)
		st.deadlines[sla.Start] = sla.Deadline{}
	case anxin.ActAccept:
		st.deadlines[sla.Start] = sla.Set(c, now, p.Start)
	case anxin.ActComplete:
		st.deadlines[sla.Visit] = sla.Set(c, now, p.ReturnVisit)
	case anxin.ActResume:
		for name, d := range st.deadlines {
			st.deadlines[name] = d.Shift(c, o.PausedAt, now)
		}
	case anxin.ActReopen:
		st.deadlines = map[string]sla.Deadline{
			sla.Complete: sla.Set(c, now, p.Complete),
			sla.Reply:    sla.Set(c, now, p.Reply),
		}
		st.checked = now
	}
	return tx.saveSLA(ctx, o, to, paused, st)
}

// RunSLA acts on every order whose next SLA point has come by now: a
// warning adds a timeline entry and notifies the owning organisation; a
// breach marks the order overdue (late since the deadline), raises its
// urgency one step, records it and notifies the owner's supervisors. It
// reads only the orders due (orders_next_due), never all orders, and works
// in batches of slaBatch orders, each batch in one transaction (a pass
// catching up after downtime meets many); on PostgreSQL several nodes may
// run it at once (rows another node holds are skipped). It returns the
// points acted on.
func (db *DB) RunSLA(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		rows, err := db.r.QueryContext(ctx, `SELECT id FROM orders WHERE next_due_at IS NOT NULL AND next_due_at <= $1
			ORDER BY next_due_at LIMIT `+fmt.Sprint(slaBatch), now)
		if err != nil {
			return total, fmt.Errorf("due orders: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		n, moved, err := db.slaOrders(ctx, ids, now)
		total += n
		if err != nil {
			return total, err
		}
		if moved == 0 {
			return total, nil // every due order is held by another node
		}
	}
}

// slaBatch is how many due orders one transaction of the SLA pass takes.
const slaBatch = 200

// slaOrders acts on the due points of the orders ids in one transaction:
// it returns the points acted on and how many orders it moved on.
func (db *DB) slaOrders(ctx context.Context, ids []int64, now time.Time) (points, moved int, err error) {
	err = db.Transact(ctx, func(tx *Tx) error {
		points, moved = 0, 0
		lock := ""
		if db.engine == Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		var w where
		whereIn(&w, "id", ids)
		w.add("next_due_at <= ?", now) // not acted on by another node meanwhile
		rows, err := tx.QueryContext(ctx, "SELECT id FROM orders"+w.sql()+" ORDER BY id"+lock, w.args...)
		if err != nil {
			return fmt.Errorf("lock due orders: %w", err)
		}
		var due []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			due = append(due, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range due {
			n, err := tx.slaOrder(ctx, id, now)
			if err != nil {
				return fmt.Errorf("order %d: %w", id, err)
			}
			points += n
			moved++
		}
		return nil
	})
	return points, moved, err
}

// slaOrder acts on one (locked) order's due points and saves its clocks.
func (tx *Tx) slaOrder(ctx context.Context, id int64, now time.Time) (int, error) {
	o, err := findOrder(ctx, tx, anxin.SystemScope(), id)
	if err != nil {
		return 0, err
	}
	st, err := tx.loadSLA(ctx, id)
	if err != nil {
		return 0, err
	}
	n := 0
	running := sla.Running(o.Type, o.State, !o.PausedAt.IsZero())
	urgency, overdue, late := o.Urgency, o.Overdue, nullTime(o.LateSince)
	for _, p := range sla.Between(running, st.deadlines, st.checked, now) {
		// A warning whose deadline has passed too (a pass after a
		// restart catching up) says nothing the breach does not.
		if !p.Breach && !st.deadlines[p.Clock].Due.After(now) {
			continue
		}
		if p.Breach {
			overdue, urgency = true, sla.Raise(urgency)
			if late == nil {
				late = p.At.UTC()
			}
		}
		if err := tx.slaEvent(ctx, o, p); err != nil {
			return 0, err
		}
		n++
	}
	st.checked = now
	if _, err := tx.ExecContext(ctx, "UPDATE orders SET overdue = $1, urgency = $2, late_since = $3 WHERE id = $4", overdue, urgency, late, id); err != nil {
		return 0, err
	}
	return n, tx.saveSLA(ctx, o, o.State, !o.PausedAt.IsZero(), st)
}

// slaEvent records a warning or breach on the order's timeline and as a
// notification to the organisation that owns the order, dated when it
// happened.
func (tx *Tx) slaEvent(ctx context.Context, o *anxin.Order, p sla.Point) error {
	action := "sla_warn"
	if p.Breach {
		action = "sla_breach"
	}
	if _, err := tx.addOrderEventAt(ctx, anxin.SystemScope(), o, p.At, action, o.State, o.State, p.Clock, 0); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO notifications (org_id, region_code, kind, order_id, text, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, nullID(o.OwnerOrgID), o.RegionCode, action+":"+p.Clock, o.ID, o.Number+" "+o.Title, p.At)
	return err
}

// noticeScope restricts notifications to what sc may see: of orders in
// the scope's area (all for the platform), or of its own organisation.
// Both lists walk notifications_created from the newest, filtering the
// area as they go (see subtreeScan): they want ten, or a hundred.
func (db *DB) noticeScope(sc anxin.Scope) *where {
	var w where
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("org_id = ?", sc.OrgID)
	default:
		w.subtreeScan("region_code", sc.Region, db.engine == SQLite)
	}
	return &w
}

// Notification is a message for an organisation's staff: an order due soon
// or overdue.
type Notification struct {
	ID int64
	// Kind is sla_warn or sla_breach, and Clock the deadline (accept,
	// start, complete, reply).
	Kind, Clock string
	OrderID     int64
	Text        string // the order's number and summary
	CreatedAt   time.Time
}

// FindNotifications returns the newest notifications in scope: of orders
// in the scope's area (all for the platform), or of the scope's own
// organisation; at most limit.
func (db *DB) FindNotifications(ctx context.Context, sc anxin.Scope, limit int) ([]Notification, error) {
	w := db.noticeScope(sc)
	_, limit = pageBounds(0, limit)
	rows, err := db.r.QueryContext(ctx, "SELECT id, kind, COALESCE(order_id, 0), text, created_at FROM notifications"+w.sql()+
		" ORDER BY created_at DESC, id DESC LIMIT "+w.arg(limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.Kind, &n.OrderID, &n.Text, &n.CreatedAt); err != nil {
			return nil, err
		}
		n.Kind, n.Clock, _ = strings.Cut(n.Kind, ":")
		n.CreatedAt = n.CreatedAt.UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// NoticesSeen returns when the account last marked its notifications read
// (zero if never).
func (db *DB) NoticesSeen(ctx context.Context, accountID int64) (time.Time, error) {
	var at sql.NullTime
	err := db.r.QueryRowContext(ctx, "SELECT seen_at FROM notice_reads WHERE account_id = $1", accountID).Scan(&at)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("notices seen: %w", err)
	}
	return timeOf(at), nil
}

// MarkNoticesSeen marks the account's notifications read up to at.
func (db *DB) MarkNoticesSeen(ctx context.Context, accountID int64, at time.Time) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO notice_reads (account_id, seen_at) VALUES ($1, $2)
		ON CONFLICT (account_id) DO UPDATE SET seen_at = excluded.seen_at`, accountID, at.UTC())
	if err != nil {
		return fmt.Errorf("mark notices seen: %w", err)
	}
	return nil
}

// maxUnread is as far as CountUnread counts.
const maxUnread = 99

// CountUnread counts the notifications in scope newer than since, up to
// maxUnread+1 (more): read from the newest, never the whole table.
func (db *DB) CountUnread(ctx context.Context, sc anxin.Scope, since time.Time) (int, error) {
	w := db.noticeScope(sc)
	w.add("created_at > ?", since.UTC())
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM notifications"+w.sql()+
		fmt.Sprintf(" ORDER BY created_at DESC LIMIT %d) c", maxUnread+1), w.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("unread notifications: %w", err)
	}
	return n, nil
}
