package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
)

// Door-knocks (issue 6, the welfare chain): FinishAttempt opens one when a
// wellness or supply task fails after every attempt and number; the
// committee's staff acknowledge it and record the visit; RunDoorKnocks
// hands it up to the street office (then the hotline) when nobody
// acknowledges it in time or nobody works at the committee at all.

// DoorKnockEscalatedWithin is how long the area a door-knock was handed up
// to has to acknowledge it, when it was handed up for being late.
const DoorKnockEscalatedWithin = 12 * time.Hour

// DoorKnockRevisitWithin is when a door-knock whose elder was not home is
// due to be visited again.
const DoorKnockRevisitWithin = 24 * time.Hour

// codeCol is a door_knocks region code column for comparisons with region
// codes: on PostgreSQL the columns of door_knocks have the database's
// collation, not "C" like regions.code and elders.region_code, and the
// two cannot be compared (nor ranged bytewise) without saying which.
func (db *DB) codeCol(col string) string {
	if db.engine == Postgres {
		return col + ` COLLATE "C"`
	}
	return col
}

func (db *DB) knockCols() string {
	return `k.id, COALESCE(k.task_id, 0), k.elder_id, e.name, k.region_code, COALESCE(r.full_name, ''), k.escalated_to,
	COALESCE(x.full_name, ''), k.state, k.due_at, COALESCE(k.acknowledged_by, 0), COALESCE(NULLIF(a.display_name, ''), a.username, ''),
	k.acknowledged_at, k.result, k.note, k.closed_at, k.created_at, COALESCE(t.campaign_id, 0), COALESCE(c.name, ''),
	COALESCE(t.attempts, 0), COALESCE(t.disposition, ''),
	(SELECT COUNT(*) FROM elder_events v WHERE v.elder_id = k.elder_id AND v.kind = 'door_knock_visit' AND v.ref_type = 'door_knock'
		AND v.ref_id = CAST(k.id AS TEXT)),
	COALESCE((SELECT MAX(o.id) FROM orders o WHERE o.elder_id = k.elder_id AND o.campaign_task_id = k.task_id
		AND o.channel = 'committee' AND o.created_at >= k.created_at), 0)
	FROM door_knocks k JOIN elders e ON e.id = k.elder_id
	LEFT JOIN regions r ON r.code = ` + db.codeCol("k.region_code") + `
	LEFT JOIN regions x ON x.code = ` + db.codeCol("k.escalated_to") + `
	LEFT JOIN accounts a ON a.id = k.acknowledged_by
	LEFT JOIN campaign_tasks t ON t.id = k.task_id LEFT JOIN campaigns c ON c.id = t.campaign_id`
}

func scanKnock(s interface{ Scan(...any) error }) (*anxin.DoorKnock, error) {
	k := &anxin.DoorKnock{}
	var ack, closed sql.NullTime
	err := s.Scan(&k.ID, &k.TaskID, &k.ElderID, &k.ElderName, &k.RegionCode, &k.RegionName, &k.EscalatedTo,
		&k.EscalatedName, &k.State, &k.DueAt, &k.AcknowledgedBy, &k.AcknowledgedByName,
		&ack, &k.Result, &k.Note, &closed, &k.CreatedAt, &k.CampaignID, &k.CampaignName,
		&k.Attempts, &k.Disposition, &k.Visits, &k.OrderID)
	if err != nil {
		return nil, err
	}
	k.AcknowledgedAt, k.ClosedAt = timeOf(ack), timeOf(closed)
	k.DueAt, k.CreatedAt = k.DueAt.UTC(), k.CreatedAt.UTC()
	return k, nil
}

func errKnockNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.knock_not_found", "Door-knock %d not found.", id)
}

// scopeKnocks restricts door_knocks k to what sc may see: those of the
// elders of its area (a street office sees its committees' door-knocks,
// escalated or not). Suppliers, providers and volunteer teams see none.
func (db *DB) scopeKnocks(w *where, sc anxin.Scope) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("1 = 0")
	default:
		db.knockSubtree(w, sc.Region)
	}
}

// knockSubtree restricts door-knocks to the elders of an area.
func (db *DB) knockSubtree(w *where, code string) {
	col := db.codeCol("k.region_code")
	w.add(col+" >= ? AND "+col+" < ?", code, code+":")
}

// FindDoorKnock returns one door-knock in scope with its elder, or
// ENOTFOUND.
func (db *DB) FindDoorKnock(ctx context.Context, sc anxin.Scope, id int64) (*anxin.DoorKnock, error) {
	k, err := db.findKnock(ctx, db.r, sc, id)
	if err != nil {
		return nil, err
	}
	if k.Elder, err = findElder(ctx, db.r, anxin.SystemScope(), k.ElderID); err != nil {
		return nil, err
	}
	return k, nil
}

func (db *DB) findKnock(ctx context.Context, q queryer, sc anxin.Scope, id int64) (*anxin.DoorKnock, error) {
	var w where
	w.add("k.id = ?", id)
	db.scopeKnocks(&w, sc)
	k, err := scanKnock(q.QueryRowContext(ctx, "SELECT "+db.knockCols()+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errKnockNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find door-knock %d: %w", id, err)
	}
	return k, nil
}

// filterKnocks adds f's conditions to w.
func (db *DB) filterKnocks(w *where, f anxin.KnockFilter, now time.Time) error {
	switch f.State {
	case "", "open":
		w.add("k.state <> 'closed'")
	case "all":
	case anxin.KnockEscalated, anxin.KnockAcknowledged, anxin.KnockClosed:
		w.add("k.state = ?", f.State)
	default:
		return anxin.ErrorKey(anxin.EINVALID, "err.knock_state", "Unknown door-knock state %q.", f.State)
	}
	if f.Within != "" {
		if anxin.RegionLevel(f.Within) == 0 {
			return anxin.ErrorKey(anxin.EINVALID, "err.elder_within", "The region must be a division code (4, 6, 9 or 12 digits).")
		}
		db.knockSubtree(w, f.Within)
	}
	if f.Overdue {
		w.add("k.state <> 'closed' AND k.due_at <= ?", now)
	}
	return nil
}

// FindDoorKnocks lists door-knocks in scope with their elders, and the
// total: those still to do by due time (the most overdue first), others
// the newest first.
func (db *DB) FindDoorKnocks(ctx context.Context, sc anxin.Scope, f anxin.KnockFilter) ([]*anxin.DoorKnock, int, error) {
	var w where
	db.scopeKnocks(&w, sc)
	if err := db.filterKnocks(&w, f, db.Now()); err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM door_knocks k"+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count door-knocks: %w", err)
	}
	order := " ORDER BY k.created_at DESC, k.id DESC"
	if f.State == "" || f.State == "open" {
		order = " ORDER BY k.due_at, k.id"
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+db.knockCols()+w.sql()+order+w.page(f.Offset, f.Limit), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("door-knocks: %w", err)
	}
	defer rows.Close()
	var out []*anxin.DoorKnock
	for rows.Next() {
		k, err := scanKnock(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	return out, total, db.knockElders(ctx, out)
}

// knockElders fills in the door-knocks' elders with their numbers.
func (db *DB) knockElders(ctx context.Context, ks []*anxin.DoorKnock) error {
	if len(ks) == 0 {
		return nil
	}
	var w where
	ids := make([]int64, len(ks))
	for i, k := range ks {
		ids[i] = k.ElderID
	}
	whereIn(&w, "e.id", ids)
	rows, err := db.r.QueryContext(ctx, "SELECT "+elderCols+elderFrom+w.sql(), w.args...)
	if err != nil {
		return fmt.Errorf("door-knock elders: %w", err)
	}
	defer rows.Close()
	var es []*anxin.Elder
	byID := map[int64]*anxin.Elder{}
	for rows.Next() {
		e, err := scanElder(rows)
		if err != nil {
			return err
		}
		es = append(es, e)
		byID[e.ID] = e
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := loadPhones(ctx, db.r, es); err != nil {
		return err
	}
	for _, k := range ks {
		k.Elder = byID[k.ElderID]
	}
	return nil
}

// KnockCounts are the door-knocks of a viewer's home page.
type KnockCounts struct {
	Open    int // still to do, in the viewer's area
	Overdue int // of them, past their due time
	Mine    int // of them, owed by the viewer's own level (its committee, or handed up to it)
}

// CountDoorKnocks counts the open door-knocks in scope at now.
func (db *DB) CountDoorKnocks(ctx context.Context, sc anxin.Scope, now time.Time) (KnockCounts, error) {
	var w where
	db.scopeKnocks(&w, sc)
	w.add("k.state <> 'closed'")
	mine := "0"
	if !sc.All && !sc.AssignedOnly {
		mine = "CASE WHEN k.escalated_to = " + w.arg(sc.Region) + " OR k.escalated_to = '' AND k.region_code = " + w.arg(sc.Region) + " THEN 1 ELSE 0 END"
	}
	var c KnockCounts
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN k.due_at <= "+w.arg(now)+" THEN 1 ELSE 0 END), 0), COALESCE(SUM("+mine+"), 0) FROM door_knocks k"+w.sql(),
		w.args...).Scan(&c.Open, &c.Overdue, &c.Mine)
	if err != nil {
		return c, fmt.Errorf("count door-knocks: %w", err)
	}
	return c, nil
}

// mayKnock refuses the scopes that do not work door-knocks.
func mayKnock(sc anxin.Scope) error {
	if sc.All || sc.SeesDoorKnocks() {
		return nil
	}
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.knock_forbidden", "Door-knocks are for street and committee staff and their supervisors.")
}

// errKnockState says why a door-knock cannot take a step now.
func errKnockState(k *anxin.DoorKnock) error {
	if k.State == anxin.KnockClosed {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.knock_closed", "This door-knock is closed already; reload to see its result.")
	}
	return anxin.ErrorKey(anxin.ECONFLICT, "err.knock_acknowledged", "%s acknowledged this door-knock already.", k.AcknowledgedByName)
}

// AcknowledgeDoorKnock records that the scope's account takes the visit
// on: ENOTFOUND outside the scope, EFORBIDDEN for roles that do not knock,
// ECONFLICT when it is acknowledged or closed already (by someone else, on
// another node).
func (db *DB) AcknowledgeDoorKnock(ctx context.Context, sc anxin.Scope, id int64) (*anxin.DoorKnock, error) {
	if err := mayKnock(sc); err != nil {
		return nil, err
	}
	err := db.Transact(ctx, func(tx *Tx) error {
		k, err := db.findKnock(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if k.State != anxin.KnockOpen && k.State != anxin.KnockEscalated {
			return errKnockState(k)
		}
		actor, name, err := tx.actor(ctx, sc)
		if err != nil {
			return err
		}
		now := db.Now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE door_knocks SET state = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2
			WHERE id = $3 AND state = $4 AND escalated_to = $5`, actor, now, id, k.State, k.EscalatedTo)
		if err != nil {
			return fmt.Errorf("acknowledge door-knock %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.knock_changed", "Someone else changed this door-knock just now; reload it.")
		}
		return tx.knockEvent(ctx, k, now, "door_knock", name, "上门探访已接单")
	})
	if err != nil {
		return nil, err
	}
	return db.FindDoorKnock(ctx, sc, id)
}

// RecordDoorKnockVisit records a visit's result (acknowledging the
// door-knock too, if nobody had). All well, needs something and emergency
// close it and mark the elder reached; needs something opens a service
// work order for her and emergency an escalation order of urgency
// emergency, taken by the committee (channel committee) with the note as
// its description. Not home keeps it acknowledged, due to be visited again
// within DoorKnockRevisitWithin. Errors as AcknowledgeDoorKnock, and
// EINVALID for a bad visit.
func (db *DB) RecordDoorKnockVisit(ctx context.Context, sc anxin.Scope, id int64, v anxin.KnockVisit) (*anxin.DoorKnock, error) {
	if err := mayKnock(sc); err != nil {
		return nil, err
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	err := db.Transact(ctx, func(tx *Tx) error {
		k, err := db.findKnock(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if k.State == anxin.KnockClosed {
			return errKnockState(k)
		}
		actor, name, err := tx.actor(ctx, sc)
		if err != nil {
			return err
		}
		now := db.Now().UTC()
		ackBy, ackAt := nullID(k.AcknowledgedBy), nullTime(k.AcknowledgedAt)
		if k.AcknowledgedAt.IsZero() {
			ackBy, ackAt = actor, now
		}
		state, due, closed := anxin.KnockClosed, k.DueAt, any(now)
		summary := "上门探访：" + knockResultWords[v.Result]
		switch v.Result {
		case anxin.KnockNotHome:
			state, due, closed = anxin.KnockAcknowledged, now.Add(DoorKnockRevisitWithin), nil
		case anxin.KnockNeedsSomething, anxin.KnockEmergency:
			o := &anxin.Order{Type: anxin.TypeService, Channel: anxin.ChannelCommittee, Urgency: anxin.UrgencyNormal,
				ElderID: k.ElderID, Title: knockOrderTitle(v), Description: v.Note, CampaignTaskID: k.TaskID}
			if v.Result == anxin.KnockEmergency {
				o.Type, o.Urgency = anxin.TypeEscalation, anxin.UrgencyEmergency
			}
			if err := tx.CreateOrder(ctx, sc, o); err != nil {
				return fmt.Errorf("door-knock %d order: %w", id, err)
			}
			summary += " " + o.Number
		}
		res, err := tx.ExecContext(ctx, `UPDATE door_knocks SET state = $1, result = $2, note = $3, due_at = $4, closed_at = $5,
			acknowledged_by = $6, acknowledged_at = $7 WHERE id = $8 AND state = $9 AND escalated_to = $10`,
			state, v.Result, v.Note, due, closed, ackBy, ackAt, id, k.State, k.EscalatedTo)
		if err != nil {
			return fmt.Errorf("record door-knock %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.knock_changed", "Someone else changed this door-knock just now; reload it.")
		}
		if v.Result != anxin.KnockNotHome {
			// Someone saw her: she is reached.
			if _, err := tx.ExecContext(ctx, "UPDATE elders SET last_contact_at = $1 WHERE id = $2", now, k.ElderID); err != nil {
				return fmt.Errorf("door-knock %d: elder reached: %w", id, err)
			}
		}
		return tx.knockEvent(ctx, k, now, "door_knock_visit", name, summary)
	})
	if err != nil {
		return nil, err
	}
	return db.FindDoorKnock(ctx, sc, id)
}

// knockResultWords name the results on the elder's timeline.
var knockResultWords = map[string]string{
	anxin.KnockAllWell: "一切安好", anxin.KnockNeedsSomething: "需要帮助", anxin.KnockEmergency: "紧急情况", anxin.KnockNotHome: "无人在家",
}

// knockOrderTitle is the work order's summary: what the visit found, in
// the note's first words.
func knockOrderTitle(v anxin.KnockVisit) string {
	title := "上门探访" + knockResultWords[v.Result] + "："
	note := []rune(v.Note)
	for i, r := range note {
		if r == '\n' || r == '\r' {
			note = note[:i]
			break
		}
	}
	if room := 100 - utf8.RuneCountInString(title); len(note) > room {
		note = append(note[:room-1], '…')
	}
	return title + string(note)
}

// knockEvent puts a door-knock's step on the elder's timeline.
func (tx *Tx) knockEvent(ctx context.Context, k *anxin.DoorKnock, at time.Time, kind, actor, summary string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO elder_events (elder_id, at, kind, ref_type, ref_id, actor, summary)
		VALUES ($1, $2, $3, 'door_knock', $4, $5, $6)`, k.ElderID, at, kind, strconv.FormatInt(k.ID, 10), actor, summary)
	if err != nil {
		return fmt.Errorf("door-knock %d event: %w", k.ID, err)
	}
	return nil
}

// staffAt is the condition that someone works door-knocks in the
// organisation bound to a region code ($1): an enabled account with the
// community role in an enabled committee or street office there, or a
// supervisor or administrator of a hotline there.
const staffAt = `EXISTS (SELECT 1 FROM orgs o JOIN accounts a ON a.org_id = o.id
	WHERE o.region_code = %s AND o.disabled = FALSE AND a.disabled = FALSE
	AND (o.kind IN ('committee', 'street') AND (',' || a.roles || ',') LIKE '%%,community,%%'
		OR o.kind = 'hotline' AND ((',' || a.roles || ',') LIKE '%%,supervisor,%%' OR (',' || a.roles || ',') LIKE '%%,admin,%%')))`

// RunDoorKnocks is the door-knocks' escalation pass at now. A door-knock
// still open (not acknowledged) at its due time is handed up a level: from
// the committee to the street office, from the street office to the
// district's hotline, then the city's; a level where nobody works
// door-knocks (see staffAt) is skipped, and a door-knock whose committee
// (or the level it was handed to) has nobody is handed up at once, keeping
// its due time. One handed up for being late is due again within
// DoorKnockEscalatedWithin. A door-knock with nowhere higher to go stays
// where it is, overdue. Each step is an update guarded by the state it
// starts from, so two nodes running the pass at once hand nothing up
// twice. It returns how many it handed up.
func (db *DB) RunDoorKnocks(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC()
	responsible := "CASE WHEN k.escalated_to = '' THEN k.region_code ELSE k.escalated_to END"
	rows, err := db.r.QueryContext(ctx, `SELECT k.id, k.elder_id, k.region_code, k.escalated_to, k.state, k.due_at FROM door_knocks k
		WHERE k.state IN ('open', 'escalated') AND LENGTH(`+responsible+`) > 4
		AND (k.due_at <= $1 OR NOT `+fmt.Sprintf(staffAt, db.codeCol(responsible))+`)
		ORDER BY k.due_at, k.id`, now)
	if err != nil {
		return 0, fmt.Errorf("door-knocks due: %w", err)
	}
	var due []*anxin.DoorKnock
	for rows.Next() {
		k := &anxin.DoorKnock{}
		if err := rows.Scan(&k.ID, &k.ElderID, &k.RegionCode, &k.EscalatedTo, &k.State, &k.DueAt); err != nil {
			rows.Close()
			return 0, err
		}
		due = append(due, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	targets := map[string]string{} // responsible area → where it goes
	n := 0
	for _, k := range due {
		from := k.Responsible()
		to, ok := targets[from]
		if !ok {
			if to, err = db.knockTarget(ctx, from); err != nil {
				return n, err
			}
			targets[from] = to
		}
		if to == "" || to == from {
			continue
		}
		newDue := k.DueAt
		if !now.Before(k.DueAt) {
			newDue = now.Add(DoorKnockEscalatedWithin)
		}
		moved := false
		err := db.Transact(ctx, func(tx *Tx) error {
			res, err := tx.ExecContext(ctx, `UPDATE door_knocks SET state = 'escalated', escalated_to = $1, due_at = $2
				WHERE id = $3 AND state = $4 AND escalated_to = $5`, to, newDue, k.ID, k.State, k.EscalatedTo)
			if err != nil {
				return err
			}
			if c, _ := res.RowsAffected(); c != 1 {
				moved = false // another node did it, or someone acknowledged it
				return nil
			}
			moved = true
			return tx.knockEvent(ctx, k, now, "door_knock", "system", "上门探访转交上级："+to)
		})
		if err != nil {
			return n, fmt.Errorf("escalate door-knock %d: %w", k.ID, err)
		}
		if moved {
			n++
		}
	}
	return n, nil
}

// knockTarget returns the area a door-knock owed by the area from goes to:
// the nearest area above with someone to work it, at the city level at
// most. When nobody above works in Anxin it goes to the district (whose
// hotline, once staffed, and the platform see it); "" when it is at the
// district or above already.
func (db *DB) knockTarget(ctx context.Context, from string) (string, error) {
	for code := anxin.ParentRegionCode(from); anxin.RegionLevel(code) >= anxin.LevelCity; code = anxin.ParentRegionCode(code) {
		var ok bool
		if err := db.r.QueryRowContext(ctx, "SELECT "+fmt.Sprintf(staffAt, "$1"), code).Scan(&ok); err != nil {
			return "", fmt.Errorf("staff at %s: %w", code, err)
		}
		if ok {
			return code, nil
		}
	}
	if anxin.RegionLevel(from) > anxin.LevelDistrict {
		return from[:6], nil
	}
	return "", nil
}
