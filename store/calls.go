package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/anxin-care/anxin"
)

var _ anxin.CallService = (*DB)(nil)

const callCols = `c.id, COALESCE(c.parent_id, 0), c.direction, c.leg, c.from_number, c.to_number, c.trunk, c.sip_call_id,
	c.started_at, c.ringing_at, c.answered_at, c.ended_at, c.sip_code, c.cause, c.hangup_by, c.queue, c.wait_seconds,
	COALESCE(c.agent_id, 0), COALESCE(a.display_name, ''), c.recording, COALESCE(c.elder_id, 0), COALESCE(e.name, ''),
	COALESCE(c.order_id, 0), COALESCE(c.campaign_task_id, 0), c.region_code, c.node, c.checkin,
	c.lang, c.callback_requested`

const callFrom = ` FROM calls c LEFT JOIN accounts a ON a.id = c.agent_id LEFT JOIN elders e ON e.id = c.elder_id`

func scanCall(s interface{ Scan(...any) error }) (*anxin.Call, error) {
	c := &anxin.Call{}
	var ringing, answered, ended sql.NullTime
	err := s.Scan(&c.ID, &c.ParentID, &c.Direction, &c.Leg, &c.FromNumber, &c.ToNumber, &c.Trunk, &c.SIPCallID,
		&c.StartedAt, &ringing, &answered, &ended, &c.SIPCode, &c.Cause, &c.HangupBy, &c.Queue, &c.WaitSeconds,
		&c.AgentID, &c.AgentName, &c.Recording, &c.ElderID, &c.ElderName, &c.OrderID, &c.CampaignTaskID, &c.RegionCode, &c.Node, &c.CheckIn,
		&c.Lang, &c.CallbackRequested)
	if err != nil {
		return nil, err
	}
	c.StartedAt = c.StartedAt.UTC()
	c.RingingAt, c.AnsweredAt, c.EndedAt = timeOf(ringing), timeOf(answered), timeOf(ended)
	return c, nil
}

// scopeCalls restricts call records to what sc may see: staff see the
// calls of their area; providers' and suppliers' staff see none (they
// take no calls through Anxin).
func (w *where) scopeCalls(sc anxin.Scope) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("1 = 0")
	default:
		w.subtree("c.region_code", sc.Region)
	}
}

// StartCall records a new leg as it starts.
func (db *DB) StartCall(ctx context.Context, c *anxin.Call) error {
	if !slices.Contains(anxin.CallDirections, c.Direction) || (c.Leg != anxin.LegCaller && c.Leg != anxin.LegAgent) {
		return anxin.Errorf(anxin.EINVALID, "call direction %q / leg %q", c.Direction, c.Leg)
	}
	if c.StartedAt.IsZero() {
		c.StartedAt = db.Now()
	}
	c.StartedAt = c.StartedAt.UTC()
	err := db.w.QueryRowContext(ctx, `INSERT INTO calls (parent_id, direction, leg, from_number, to_number, trunk, sip_call_id,
		started_at, queue, agent_id, elder_id, order_id, campaign_task_id, region_code, node)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		nullID(c.ParentID), c.Direction, c.Leg, c.FromNumber, c.ToNumber, c.Trunk, c.SIPCallID, c.StartedAt, c.Queue,
		nullID(c.AgentID), nullID(c.ElderID), nullID(c.OrderID), nullID(c.CampaignTaskID), c.RegionCode, c.Node).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("start call: %w", err)
	}
	return nil
}

// CallRinging records when the far end started ringing (the first 180 or
// 183; later ones change nothing).
func (db *DB) CallRinging(ctx context.Context, id int64, at time.Time) error {
	return db.updateCall(ctx, id, "UPDATE calls SET ringing_at = $1 WHERE id = $2 AND ringing_at IS NULL AND ended_at IS NULL", at.UTC(), id)
}

// CallAnswered records the answer, and the operator whose phone took an
// agent leg (0 for none).
func (db *DB) CallAnswered(ctx context.Context, id int64, at time.Time, agentID int64) error {
	return db.updateCall(ctx, id, `UPDATE calls SET answered_at = $1, agent_id = COALESCE($2, agent_id)
		WHERE id = $3 AND answered_at IS NULL AND ended_at IS NULL`, at.UTC(), nullID(agentID), id)
}

// EndCall closes a leg with its final SIP status, the cause in words (""
// classifies the status; an answered leg is answered whatever the BYE
// said) and who hung up. A leg already closed stays as it was.
func (db *DB) EndCall(ctx context.Context, id int64, at time.Time, sipCode int, cause, hangupBy string) error {
	if cause != "" && !slices.Contains(anxin.CallCauses, cause) {
		return anxin.Errorf(anxin.EINVALID, "call cause %q", cause)
	}
	if cause == "" {
		cause = anxin.ClassifyCause(sipCode)
	}
	if err := db.updateCall(ctx, id, `UPDATE calls SET ended_at = $1, sip_code = $2,
		cause = CASE WHEN answered_at IS NOT NULL THEN 'answered' ELSE $3 END, hangup_by = $4
		WHERE id = $5 AND ended_at IS NULL`, at.UTC(), sipCode, cause, hangupBy, id); err != nil {
		return err
	}
	return db.inboundContact(ctx, id)
}

// inboundContact marks the elder of an inbound call reached
// (elders.last_contact_at, what coverage counts) when an operator took the
// call: the menu answers every call, a person speaking with her is the
// contact. The time is the call's end; a later contact is kept.
func (db *DB) inboundContact(ctx context.Context, id int64) error {
	var elder int64
	var ended time.Time
	err := db.r.QueryRowContext(ctx, `SELECT elder_id, ended_at FROM calls WHERE id = $1 AND direction = $2 AND leg = $3
		AND elder_id IS NOT NULL AND agent_id IS NOT NULL AND answered_at IS NOT NULL AND ended_at IS NOT NULL`,
		id, anxin.CallInbound, anxin.LegCaller).Scan(&elder, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("call %d contact: %w", id, err)
	}
	if _, err := db.w.ExecContext(ctx, "UPDATE elders SET last_contact_at = $1 WHERE id = $2 AND (last_contact_at IS NULL OR last_contact_at < $1)",
		ended.UTC(), elder); err != nil {
		return fmt.Errorf("call %d contact: %w", id, err)
	}
	return nil
}

// updateCall runs a progress update; a leg that does not exist is
// ENOTFOUND, one that cannot move (already ended) is left alone.
func (db *DB) updateCall(ctx context.Context, id int64, query string, args ...any) error {
	res, err := db.w.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("update call %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	// Nothing changed: a leg that cannot move (already ended), or none.
	var one int
	err = db.r.QueryRowContext(ctx, "SELECT 1 FROM calls WHERE id = $1", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.call_not_found", "Call %d not found.", id)
	}
	return err
}

// CloseInterruptedCalls closes every open leg of node as interrupted at
// `at`.
func (db *DB) CloseInterruptedCalls(ctx context.Context, node string, at time.Time) (int, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE calls SET ended_at = $1, cause = $2, hangup_by = $3 WHERE ended_at IS NULL AND node = $4`,
		at.UTC(), anxin.CauseInterrupted, anxin.HangupSystem, node)
	if err != nil {
		return 0, fmt.Errorf("close interrupted calls: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// FindCall returns one call record in scope.
func (db *DB) FindCall(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Call, error) {
	var w where
	w.add("c.id = ?", id)
	w.scopeCalls(sc)
	c, err := scanCall(db.r.QueryRowContext(ctx, "SELECT "+callCols+callFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.call_not_found", "Call %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find call %d: %w", id, err)
	}
	return c, nil
}

// FindCalls lists call records in scope, newest first.
func (db *DB) FindCalls(ctx context.Context, sc anxin.Scope, f anxin.CallFilter) ([]*anxin.Call, int, error) {
	var w where
	w.scopeCalls(sc)
	if f.Direction != "" {
		w.add("c.direction = ?", f.Direction)
	}
	if f.Cause != "" {
		w.add("c.cause = ?", f.Cause)
	}
	if f.Number != "" {
		w.add("(c.from_number = ? OR c.to_number = ?)", f.Number, f.Number)
	}
	if f.ElderID != 0 {
		w.add("c.elder_id = ?", f.ElderID)
	}
	if f.AgentID != 0 {
		w.add("c.agent_id = ?", f.AgentID)
	}
	if !f.From.IsZero() {
		w.add("c.started_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		w.add("c.started_at < ?", f.To.UTC())
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM calls c"+w.sql()+
		fmt.Sprintf(" LIMIT %d) n", anxin.MaxOrderCount+1), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count calls: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+callCols+callFrom+w.sql()+" ORDER BY c.started_at DESC, c.id DESC"+w.page(f.Offset, f.Limit), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find calls: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Call
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}

// SetCallQueue records the queue an inbound leg waited in and for how
// long.
func (db *DB) SetCallQueue(ctx context.Context, id int64, queue string, waitSeconds int) error {
	return db.updateCall(ctx, id, "UPDATE calls SET queue = $1, wait_seconds = $2 WHERE id = $3", queue, waitSeconds, id)
}

// SetCallRecording records the leg's recording, a file name under the
// recordings directory.
func (db *DB) SetCallRecording(ctx context.Context, id int64, name string) error {
	return db.updateCall(ctx, id, "UPDATE calls SET recording = $1 WHERE id = $2", name, id)
}

// SetCallAgent records the operator who took a leg (the caller's leg of an
// inbound call once an operator answers it).
func (db *DB) SetCallAgent(ctx context.Context, id, agentID int64) error {
	return db.updateCall(ctx, id, "UPDATE calls SET agent_id = $1 WHERE id = $2", nullID(agentID), id)
}

// ToCallBack lists the callers in scope nobody took — inbound callers who
// waited in a queue, and elders who asked for help on a check-in call, whom
// no operator answered — and nobody has called back yet, oldest first (they
// have waited longest). Ended legs only.
func (db *DB) ToCallBack(ctx context.Context, sc anxin.Scope, limit int) ([]*anxin.Call, error) {
	_, limit = pageBounds(0, limit)
	// Two queries, each on its own partial index, merged by time.
	var out []*anxin.Call
	for _, which := range []string{"c.direction = 'inbound' AND c.queue <> ''", "c.direction = 'outbound' AND c.queue = 'checkin_help'"} {
		var w where
		w.scopeCalls(sc)
		w.add("c.leg = 'caller' AND " + which + " AND c.agent_id IS NULL AND c.called_back_at IS NULL")
		w.add("c.ended_at IS NOT NULL")
		rows, err := db.r.QueryContext(ctx, "SELECT "+callCols+callFrom+w.sql()+" ORDER BY c.started_at, c.id LIMIT "+w.arg(limit), w.args...)
		if err != nil {
			return nil, fmt.Errorf("to call back: %w", err)
		}
		for rows.Next() {
			c, err := scanCall(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(a, b *anxin.Call) int {
		if c := a.StartedAt.Compare(b.StartedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// MarkCalledBack takes a caller off the list: account called back with
// the call callID (0 when it was handled otherwise). A second operator
// calling back the same caller gets ECONFLICT.
func (db *DB) MarkCalledBack(ctx context.Context, sc anxin.Scope, id, callID int64) error {
	if _, err := db.FindCall(ctx, sc, id); err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, `UPDATE calls SET called_back_at = $1, called_back_by = $2, called_back_call = $3
		WHERE id = $4 AND called_back_at IS NULL`, db.Now().UTC(), nullID(sc.AccountID), nullID(callID), id)
	if err != nil {
		return fmt.Errorf("called back: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.called_back", "Someone has called this caller back already.")
	}
	return nil
}

// SetCheckIn records what the elder answered a check-in call.
func (db *DB) SetCheckIn(ctx context.Context, id int64, answer string) error {
	return db.updateCall(ctx, id, "UPDATE calls SET checkin = $1 WHERE id = $2", answer, id)
}

// CallRecording names a call's recording: the file under the recordings
// directory (YYYY/MM/DD/call-ID.wav, as SetCallRecording stored it).
type CallRecording struct {
	CallID int64
	Name   string
}

// ExpiredRecordings returns up to limit recordings of calls started before
// the given time that are still kept, the oldest first.
func (db *DB) ExpiredRecordings(ctx context.Context, before time.Time, limit int) ([]CallRecording, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT id, recording FROM calls WHERE recording <> '' AND started_at < $1
		ORDER BY started_at, id LIMIT $2`, before.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("expired recordings: %w", err)
	}
	defer rows.Close()
	var out []CallRecording
	for rows.Next() {
		var r CallRecording
		if err := rows.Scan(&r.CallID, &r.Name); err != nil {
			return nil, fmt.Errorf("expired recordings: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// PurgeRecordings marks recordings deleted at the given time: each call
// record stays, its recording becomes "" and recording_purged_at says
// when. A call whose recording is no longer the name given (purged
// already, by another node) is left as it is. It returns how many records
// it marked.
func (db *DB) PurgeRecordings(ctx context.Context, recs []CallRecording, at time.Time) (int, error) {
	marked := 0
	err := db.Transact(ctx, func(tx *Tx) error {
		marked = 0
		for _, r := range recs {
			res, err := tx.ExecContext(ctx, "UPDATE calls SET recording = '', recording_purged_at = $1 WHERE id = $2 AND recording = $3",
				at.UTC(), r.CallID, r.Name)
			if err != nil {
				return fmt.Errorf("purge recording of call %d: %w", r.CallID, err)
			}
			if n, err := res.RowsAffected(); err == nil {
				marked += int(n)
			}
		}
		return nil
	})
	return marked, err
}

// RecordingPurgedAt returns when the recording of call id was deleted
// after its retention period (zero if it was not), or ENOTFOUND.
func (db *DB) RecordingPurgedAt(ctx context.Context, id int64) (time.Time, error) {
	var at sql.NullTime
	err := db.r.QueryRowContext(ctx, "SELECT recording_purged_at FROM calls WHERE id = $1", id).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, anxin.ErrorKey(anxin.ENOTFOUND, "err.call_not_found", "Call %d not found.", id)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("recording purged: %w", err)
	}
	return timeOf(at), nil
}
