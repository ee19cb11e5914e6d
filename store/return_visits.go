package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
)

// openReturnVisit creates the return visit of an order just completed, due
// within its policy's working days. An order whose type gets no return
// visit (consultations) is closed at once instead.
func (tx *Tx) openReturnVisit(ctx context.Context, sc anxin.Scope, o *anxin.Order, now time.Time) error {
	p, c := tx.db.Clocks().Policy(o.Type, o.Urgency)
	if p.ReturnVisit.Days == 0 && p.ReturnVisit.Working == 0 {
		if _, err := tx.ExecContext(ctx, "UPDATE orders SET state = $1, closed_at = $2, updated_at = $2, late_since = NULL, version = version + 1 WHERE id = $3",
			anxin.StateClosed, now, o.ID); err != nil {
			return err
		}
		if _, err := tx.addOrderEvent(ctx, sc, o, anxin.ActClose, anxin.StateCompleted, anxin.StateClosed, "", 0); err != nil {
			return err
		}
		st, err := tx.loadSLA(ctx, o.ID)
		if err != nil {
			return err
		}
		return tx.saveSLA(ctx, o, anxin.StateClosed, false, st)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO return_visits (order_id, elder_id, region_code, due_at, state, created_at)
		VALUES ($1, $2, $3, $4, 'due', $5) ON CONFLICT (order_id) DO UPDATE SET state = 'due', due_at = excluded.due_at,
		score = NULL, comment = '', done_at = NULL, done_by = NULL`,
		o.ID, o.ElderID, o.RegionCode, p.ReturnVisit.End(c, now).UTC(), now)
	if err != nil {
		return fmt.Errorf("return visit: %w", err)
	}
	// The running satisfaction campaigns over her area call her about it.
	return tx.feedSatisfaction(ctx, o, now)
}

// FindReturnVisit returns the return visit of an order in scope, or
// ENOTFOUND.
func (db *DB) FindReturnVisit(ctx context.Context, sc anxin.Scope, orderID int64) (*anxin.ReturnVisit, error) {
	if _, err := db.FindOrder(ctx, sc, orderID); err != nil {
		return nil, err
	}
	return findReturnVisit(ctx, db.r, orderID)
}

func findReturnVisit(ctx context.Context, q queryer, orderID int64) (*anxin.ReturnVisit, error) {
	v := &anxin.ReturnVisit{}
	var score sql.NullInt64
	var done sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT v.id, v.order_id, v.elder_id, v.due_at, v.state, v.score, v.comment, v.family_answered,
		v.done_at, COALESCE(v.complaint_order_id, 0), (SELECT COUNT(*) FROM return_visit_calls c WHERE c.visit_id = v.id)
		FROM return_visits v WHERE v.order_id = $1`, orderID).
		Scan(&v.ID, &v.OrderID, &v.ElderID, &v.DueAt, &v.State, &score, &v.Comment, &v.FamilyAnswered, &done, &v.ComplaintOrderID, &v.Calls)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.visit_not_found", "This work order has no return visit.")
	} else if err != nil {
		return nil, fmt.Errorf("return visit: %w", err)
	}
	v.Score, v.DoneAt, v.DueAt = int(score.Int64), timeOf(done), v.DueAt.UTC()
	return v, nil
}

// RecordReturnVisit records a return-visit call of an order by staff in
// scope. Reached with a score 1–5 ends the visit and closes the order; a
// score of ComplaintScore or less opens a complaint linked to the order;
// the provider's rating follows the score. Not reached leaves the visit
// due (or, with GiveUp, ends it unreachable and closes the order). At most
// one return-visit call per elder per day, across orders (ECONFLICT).
func (db *DB) RecordReturnVisit(ctx context.Context, sc anxin.Scope, orderID int64, r anxin.VisitResult) (*anxin.ReturnVisit, error) {
	var out *anxin.ReturnVisit
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.RecordReturnVisit(ctx, sc, orderID, r)
		return err
	})
	return out, err
}

// RecordReturnVisit is RecordReturnVisit inside a transaction.
func (tx *Tx) RecordReturnVisit(ctx context.Context, sc anxin.Scope, orderID int64, r anxin.VisitResult) (*anxin.ReturnVisit, error) {
	return tx.recordReturnVisit(ctx, sc, orderID, r, true)
}

// recordReturnVisit records a return-visit call; capped applies the cap of
// return-visit calls a day (a satisfaction campaign's call, made under the
// campaigns' own contact cap, is recorded without it).
func (tx *Tx) recordReturnVisit(ctx context.Context, sc anxin.Scope, orderID int64, r anxin.VisitResult, capped bool) (*anxin.ReturnVisit, error) {
	if !isStaff(sc) {
		return nil, anxin.ErrorKey(anxin.EFORBIDDEN, "err.visit_forbidden", "Only hotline, street and committee staff make return visits.")
	}
	if r.Reached && (r.Score < 1 || r.Score > 5) {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.visit_score", "Give a satisfaction score from 1 to 5.")
	}
	if utf8.RuneCountInString(r.Comment) > 2000 {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_note_long", "A note has at most 2,000 characters.")
	}
	o, err := findOrder(ctx, tx, sc, orderID)
	if err != nil {
		return nil, err
	}
	v, err := findReturnVisit(ctx, tx, orderID)
	if err != nil {
		return nil, err
	}
	if v.State != anxin.VisitDue || o.State != anxin.StateCompleted {
		return nil, anxin.ErrorKey(anxin.ECONFLICT, "err.visit_done", "The return visit of this order has been made, or the order is no longer completed.")
	}
	now := tx.db.Now()
	day := now.In(chinaZone)
	dayStart := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, chinaZone)
	var calls int
	// The day's calls only: a call recorded with a later time (a clock set
	// back, a backdated entry) does not count against today.
	if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM return_visit_calls WHERE elder_id = $1 AND at >= $2 AND at < $3",
		o.ElderID, dayStart.UTC(), dayStart.AddDate(0, 0, 1).UTC()).Scan(&calls); err != nil {
		return nil, err
	}
	if capped && calls >= tx.db.VisitCallsPerDay {
		return nil, anxin.ErrorKey(anxin.ECONFLICT, "err.visit_cap",
			"This elder has had a return-visit call today already; call again tomorrow.")
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO return_visit_calls (visit_id, elder_id, at, reached, actor_id) VALUES ($1, $2, $3, $4, $5)",
		v.ID, o.ElderID, now, r.Reached, nullID(sc.AccountID)); err != nil {
		return nil, err
	}
	comment := strings.TrimSpace(r.Comment)
	switch {
	case r.Reached:
		v.State, v.Score, v.Comment, v.FamilyAnswered = anxin.VisitDone, r.Score, comment, r.FamilyAnswered
	case r.GiveUp:
		v.State, v.Comment = anxin.VisitUnreachable, comment
	default:
		if _, err := tx.addOrderEvent(ctx, sc, o, anxin.ActNote, o.State, o.State, "回访未接通", 0); err != nil {
			return nil, err
		}
		return findReturnVisit(ctx, tx, orderID)
	}
	if v.State == anxin.VisitDone && v.Score <= anxin.ComplaintScore {
		c := &anxin.Order{Type: anxin.TypeComplaint, Channel: anxin.ChannelOutbound, Urgency: anxin.UrgencyUrgent,
			ElderID: o.ElderID, ParentID: o.ID, Title: truncateRunes("回访不满意："+o.Title, 100),
			Description: fmt.Sprintf("%s 回访评分 %d 分。%s", o.Number, v.Score, comment)}
		elder, err := findElder(ctx, tx, anxin.SystemScope(), o.ElderID)
		if err != nil {
			return nil, err
		}
		if err := tx.createOrder(ctx, sc, c, elder, ""); err != nil {
			return nil, err
		}
		v.ComplaintOrderID = c.ID
	}
	if v.State == anxin.VisitDone && o.AssigneeOrgID != 0 {
		// An assignee without a provider profile (a committee, a
		// volunteer team) has no rating to follow.
		if err := tx.RateProvider(ctx, o.AssigneeOrgID, v.Score); err != nil && anxin.ErrorCode(err) != anxin.ENOTFOUND {
			return nil, err
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE return_visits SET state = $1, score = $2, comment = $3, family_answered = $4,
		done_by = $5, done_at = $6, complaint_order_id = $7 WHERE id = $8`,
		v.State, nullInt(v.Score), v.Comment, v.FamilyAnswered, nullID(sc.AccountID), now, nullID(v.ComplaintOrderID), v.ID)
	if err != nil {
		return nil, err
	}
	note := fmt.Sprintf("回访 %d 分", v.Score)
	if v.State == anxin.VisitUnreachable {
		note = "回访未能联系上"
	}
	if comment != "" {
		note += "：" + comment
	}
	if err := tx.applyAction(ctx, sc, o, anxin.OrderAction{Action: anxin.ActClose, Version: o.Version, Note: note}, anxin.StateClosed); err != nil {
		return nil, err
	}
	return findReturnVisit(ctx, tx, orderID)
}

func nullInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
