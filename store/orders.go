package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
)

var _ anxin.OrderService = (*DB)(nil)

const orderCols = `o.id, o.number, o.type, o.channel, o.urgency, o.state, o.elder_id, COALESCE(e.name, ''), o.region_code,
	COALESCE(r.full_name, ''), o.title, o.description, COALESCE(o.category_id, 0), COALESCE(o.item_id, 0), o.total_fen,
	COALESCE(o.assignee_org_id, 0), COALESCE(g.name, ''), o.scheduled_at, COALESCE(o.merged_into, 0), COALESCE(o.parent_id, 0),
	COALESCE(o.call_id, 0), COALESCE(o.campaign_task_id, 0), COALESCE(o.owner_org_id, 0), COALESCE(o.created_by, 0),
	o.created_by_name, o.version, o.paused_at, o.overdue, o.next_due_at, o.created_at, o.updated_at, o.closed_at,
	o.accept_due_at, o.start_due_at, o.complete_due_at, o.reply_due_at, o.delivery_outcome, o.cash_fen, o.late_since`

const orderFrom = ` FROM orders o LEFT JOIN elders e ON e.id = o.elder_id LEFT JOIN regions r ON r.code = o.region_code
	LEFT JOIN orgs g ON g.id = o.assignee_org_id`

func scanOrder(s interface{ Scan(...any) error }) (*anxin.Order, error) {
	o := &anxin.Order{}
	var scheduled, paused, due, closed, accept, start, complete, reply, late sql.NullTime
	err := s.Scan(&o.ID, &o.Number, &o.Type, &o.Channel, &o.Urgency, &o.State, &o.ElderID, &o.ElderName, &o.RegionCode,
		&o.RegionName, &o.Title, &o.Description, &o.CategoryID, &o.ItemID, &o.TotalFen,
		&o.AssigneeOrgID, &o.AssigneeName, &scheduled, &o.MergedInto, &o.ParentID,
		&o.CallID, &o.CampaignTaskID, &o.OwnerOrgID, &o.CreatedByID,
		&o.CreatedByName, &o.Version, &paused, &o.Overdue, &due, &o.CreatedAt, &o.UpdatedAt, &closed,
		&accept, &start, &complete, &reply, &o.DeliveryOutcome, &o.CashFen, &late)
	if err != nil {
		return nil, err
	}
	o.ScheduledAt, o.PausedAt, o.NextDueAt, o.ClosedAt = timeOf(scheduled), timeOf(paused), timeOf(due), timeOf(closed)
	o.AcceptDueAt, o.StartDueAt, o.CompleteDueAt, o.ReplyDueAt = timeOf(accept), timeOf(start), timeOf(complete), timeOf(reply)
	o.LateSince = timeOf(late)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, nil
}

// scopeOrders restricts orders to what sc may see: its area's elders, or
// for a provider, supplier or volunteer team the orders dispatched to it.
func (w *where) scopeOrders(sc anxin.Scope) { w.scopeOrdersScan(sc, false) }

// scopeOrdersScan is scopeOrders for a page that may walk a sort-ordered
// index through a wide area (see subtreeScan).
func (w *where) scopeOrdersScan(sc anxin.Scope, scan bool) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("o.assignee_org_id = ?", sc.OrgID)
	default:
		w.subtreeScan("o.region_code", sc.Region, scan)
	}
}

func errOrderNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.order_not_found", "Work order %d not found.", id)
}

// isStaff reports whether the scope belongs to hotline, street or committee
// staff who take and steer orders (not a provider's or supplier's staff).
func isStaff(sc anxin.Scope) bool {
	if sc.AssignedOnly {
		return false
	}
	return sc.All || sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleBackOffice) || sc.Has(anxin.RoleSupervisor) ||
		sc.Has(anxin.RoleCommunity) || sc.Has(anxin.RoleAdmin)
}

// CreateOrder takes a new order for an elder in scope. An order with an
// idempotency key that the same account has used already is not created
// again: the first order is returned (a double-submitted form, a retried
// API call).
func (db *DB) CreateOrder(ctx context.Context, sc anxin.Scope, o *anxin.Order) error {
	return db.Transact(ctx, func(tx *Tx) error { return tx.CreateOrder(ctx, sc, o) })
}

// CreateOrder is CreateOrder inside a transaction, for loaders that write
// many orders at once.
func (tx *Tx) CreateOrder(ctx context.Context, sc anxin.Scope, o *anxin.Order) error {
	if !isStaff(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.order_create_forbidden", "Your role cannot take work orders.")
	}
	if o.Urgency == "" {
		o.Urgency = anxin.UrgencyNormal
	}
	if err := o.Validate(); err != nil {
		return err
	}
	key := ""
	if o.IdempotencyKey != "" {
		if utf8.RuneCountInString(o.IdempotencyKey) > 200 {
			return anxin.ErrorKey(anxin.EINVALID, "err.idempotency_key", "An idempotency key has at most 200 characters.")
		}
		key = fmt.Sprintf("%d:%s", sc.AccountID, o.IdempotencyKey)
		var id int64
		err := tx.QueryRowContext(ctx, "SELECT id FROM orders WHERE idempotency_key = $1", key).Scan(&id)
		if err == nil {
			cur, err := findOrder(ctx, tx, sc, id)
			if err != nil {
				return err
			}
			*o = *cur
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("idempotency key: %w", err)
		}
	}
	elder, err := findElder(ctx, tx, sc, o.ElderID)
	if err != nil {
		return err
	}
	if o.CallID != 0 {
		// The call it was taken on: one the actor may see.
		var w where
		w.add("c.id = ?", o.CallID)
		w.scopeCalls(sc)
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM calls c"+w.sql(), w.args...).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return anxin.ErrorKey(anxin.EINVALID, "err.order_call_unknown", "Call %d is not one of yours to link.", o.CallID)
		} else if err != nil {
			return fmt.Errorf("order call: %w", err)
		}
	}
	if err := tx.createOrder(ctx, sc, o, elder, key); err != nil {
		return err
	}
	if o.CallID != 0 {
		// The call record points at the first order taken on it.
		if _, err := tx.ExecContext(ctx, "UPDATE calls SET order_id = $1 WHERE id = $2 AND order_id IS NULL", o.ID, o.CallID); err != nil {
			return fmt.Errorf("link call: %w", err)
		}
	}
	return tx.autoDispatch(ctx, sc, o)
}

func (tx *Tx) createOrder(ctx context.Context, sc anxin.Scope, o *anxin.Order, elder *anxin.Elder, key string) error {
	now := tx.db.Now()
	_, actorName, err := tx.actor(ctx, sc)
	if err != nil {
		return err
	}
	// The day's number is taken last: on PostgreSQL its counter row stays
	// locked until the commit, and concurrent intakes queue on it.
	o.Number, o.State, o.RegionCode, o.ElderName, o.RegionName = "~"+password.Token(12), anxin.StateNew, elder.RegionCode, elder.Name, elder.RegionName
	o.CreatedAt, o.UpdatedAt, o.Version, o.CreatedByID, o.CreatedByName = now, now, 1, sc.AccountID, actorName
	if sc.OrgID != 0 {
		o.OwnerOrgID = sc.OrgID
	}
	if o.Type == anxin.TypeSupply {
		if o.TotalFen, err = tx.priceLines(ctx, o.Lines, elder.RegionCode); err != nil {
			return err
		}
		if o.Title == "" {
			o.Title = o.Lines[0].ItemName
			if len(o.Lines) > 1 {
				o.Title += fmt.Sprintf(" 等 %d 项", len(o.Lines))
			}
		}
	}
	args := []any{o.Number, o.Type, o.Channel, o.Urgency, o.State, o.ElderID, o.RegionCode, strings.TrimSpace(o.Title),
		o.Description, nullID(o.CategoryID), nullID(o.ItemID), o.TotalFen, nullID(o.ParentID), nullID(o.CallID),
		nullID(o.CampaignTaskID), nullID(o.OwnerOrgID), nullID(sc.AccountID), actorName, nullString(key), now}
	args = append(args, tx.startClocks(o)...)
	err = tx.QueryRowContext(ctx, `INSERT INTO orders (number, type, channel, urgency, state, elder_id, region_code, title,
		description, category_id, item_id, total_fen, parent_id, call_id, campaign_task_id, owner_org_id, created_by,
		created_by_name, idempotency_key, version, created_at, updated_at, `+slaSetCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1, $20, $20,
		$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33) RETURNING id`, args...).Scan(&o.ID)
	if err != nil {
		return fmt.Errorf("insert order: %w", err)
	}
	var lines [][]any
	for i, l := range o.Lines {
		lines = append(lines, []any{o.ID, i + 1, l.ItemID, l.ItemName, l.Quantity, l.UnitFen, nullID(l.SupplierID)})
	}
	if err := tx.insertRows(ctx, "order_lines (order_id, line_no, item_id, item_name, quantity, unit_fen, supplier_org_id)", lines); err != nil {
		return fmt.Errorf("insert order lines: %w", err)
	}
	if _, err := tx.addOrderEvent(ctx, sc, o, "create", "", o.State, o.Title, 0); err != nil {
		return err
	}
	if o.Number, err = tx.numberOrder(ctx, o.ID, now); err != nil {
		return err
	}
	return tx.addElderEvent(ctx, o.ElderID, now, "order", o, actorName, o.Number+" "+o.Title)
}

// priceLines fills in each line's package name, price and supplier from
// the catalogue: an item offered now (approved, priced, its supplier
// approved) in an area containing the elder's committee. It returns the
// total in fen.
func (tx *Tx) priceLines(ctx context.Context, lines []anxin.OrderLine, region string) (int64, error) {
	var total int64
	for i := range lines {
		l := &lines[i]
		it, err := tx.offeredItem(ctx, l.ItemID, region)
		if err != nil {
			return 0, err
		}
		l.ItemName, l.UnitFen, l.SupplierID = it.Name, it.PriceFen, it.ProviderOrgID
		total += l.UnitFen * int64(l.Quantity)
	}
	return total, nil
}

// offeredItem returns a catalogue item that may be ordered now for an
// elder of the region, or EINVALID.
func (tx *Tx) offeredItem(ctx context.Context, id int64, region string) (*anxin.CatalogueItem, error) {
	it, err := findItem(ctx, tx, anxin.SystemScope(), id)
	if anxin.ErrorCode(err) == anxin.ENOTFOUND || (err == nil && (!it.Offered() || !anxin.RegionWithin(region, it.AreaCode))) {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_line_item_unknown", "Package %d is not in the approved catalogue.", id)
	}
	return it, err
}

// numberOrder gives order id the day's next number, GD20261123-0042: the
// day in China and a sequence readable over the phone.
func (tx *Tx) numberOrder(ctx context.Context, id int64, now time.Time) (string, error) {
	day := now.In(chinaZone).Format("20060102")
	var number string
	if tx.db.engine == Postgres {
		// One round trip: the counter row is locked until the commit.
		err := tx.QueryRowContext(ctx, `WITH c AS (INSERT INTO order_counters (day, n) VALUES ($1, 1)
			ON CONFLICT (day) DO UPDATE SET n = order_counters.n + 1 RETURNING n)
			UPDATE orders SET number = 'GD' || $1 || '-' || CASE WHEN c.n < 10000 THEN lpad(c.n::text, 4, '0') ELSE c.n::text END
			FROM c WHERE orders.id = $2 RETURNING orders.number`, day, id).Scan(&number)
		if err != nil {
			return "", fmt.Errorf("number order: %w", err)
		}
		return number, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, `INSERT INTO order_counters (day, n) VALUES ($1, 1)
		ON CONFLICT (day) DO UPDATE SET n = order_counters.n + 1 RETURNING n`, day).Scan(&n)
	if err != nil {
		return "", fmt.Errorf("order number: %w", err)
	}
	number = fmt.Sprintf("GD%s-%04d", day, n)
	if _, err := tx.ExecContext(ctx, "UPDATE orders SET number = $1 WHERE id = $2", number, id); err != nil {
		return "", fmt.Errorf("number order: %w", err)
	}
	return number, nil
}

// chinaZone is China Standard Time, the day orders are numbered by.
var chinaZone = time.FixedZone("CST", 8*3600)

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// addOrderEvent appends a step to an order's timeline.
func (tx *Tx) addOrderEvent(ctx context.Context, sc anxin.Scope, o *anxin.Order, action, from, to, note string, target int64) (int64, error) {
	return tx.addOrderEventAt(ctx, sc, o, tx.db.Now(), action, from, to, note, target)
}

// addOrderEventAt is addOrderEvent dated at: the SLA pass dates a breach
// when it happened, not when a pass after a restart noticed it.
func (tx *Tx) addOrderEventAt(ctx context.Context, sc anxin.Scope, o *anxin.Order, at time.Time, action, from, to, note string, target int64) (int64, error) {
	actor, name, err := tx.actor(ctx, sc)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO order_events (order_id, at, actor_id, actor_name, actor_org_id, action,
		from_state, to_state, note, target_org_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		o.ID, at, actor, name, nullID(sc.OrgID), action, from, to, note, nullID(target)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("order event: %w", err)
	}
	return id, nil
}

// addElderEvent puts an entry on the elder's timeline.
func (tx *Tx) addElderEvent(ctx context.Context, elderID int64, at time.Time, kind string, o *anxin.Order, actor, summary string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO elder_events (elder_id, at, kind, ref_type, ref_id, actor, summary)
		VALUES ($1, $2, $3, 'order', $4, $5, $6)`, elderID, at, kind, fmt.Sprint(o.ID), actor, summary)
	return err
}

// FindOrder returns one order in scope with its lines, or ENOTFOUND.
func (db *DB) FindOrder(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Order, error) {
	return findOrder(ctx, db.r, sc, id)
}

func findOrder(ctx context.Context, q queryer, sc anxin.Scope, id int64) (*anxin.Order, error) {
	var w where
	w.add("o.id = ?", id)
	w.scopeOrders(sc)
	o, err := scanOrder(q.QueryRowContext(ctx, "SELECT "+orderCols+orderFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errOrderNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find order %d: %w", id, err)
	}
	if o.Type != anxin.TypeSupply {
		return o, nil // only supply orders have lines
	}
	rows, err := q.QueryContext(ctx, `SELECT item_id, item_name, quantity, unit_fen, COALESCE(supplier_org_id, 0)
		FROM order_lines WHERE order_id = $1 ORDER BY line_no`, id)
	if err != nil {
		return nil, fmt.Errorf("order lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l anxin.OrderLine
		if err := rows.Scan(&l.ItemID, &l.ItemName, &l.Quantity, &l.UnitFen, &l.SupplierID); err != nil {
			return nil, err
		}
		o.Lines = append(o.Lines, l)
	}
	return o, rows.Err()
}

// FindOrders lists orders in scope, newest first (or by due time), and
// the total count, exact up to anxin.MaxOrderCount (MaxOrderCount+1 means
// more).
func (db *DB) FindOrders(ctx context.Context, sc anxin.Scope, f anxin.OrderFilter) ([]*anxin.Order, int, error) {
	number := false
	// build writes the filters; scan says whether the area conditions let a
	// sort-ordered index drive (the page of a wide area, see subtreeScan).
	build := func(scan bool) *where {
		var w where
		w.scopeOrdersScan(sc, scan && db.wideArea(sc.Region))
		if q := strings.TrimSpace(f.Query); q != "" {
			if strings.HasPrefix(strings.ToUpper(q), "GD") {
				w.add("o.number >= ? AND o.number < ?", strings.ToUpper(q), strings.ToUpper(q)+maxRune)
				number = true
			} else {
				w.add("o.elder_id IN (SELECT id FROM elders WHERE name >= ? AND name < ?)", q, q+maxRune)
			}
		}
		if len(f.Types) > 0 {
			w.in("o.type", f.Types)
		}
		if len(f.States) > 0 {
			w.in("o.state", f.States)
		} else if f.Open {
			w.in("o.state", anxin.OpenStates)
		}
		if f.Urgency != "" {
			w.add("o.urgency = ?", f.Urgency)
		}
		if f.Within != "" {
			w.subtreeScan("o.region_code", f.Within, scan && db.wideArea(f.Within))
		}
		if f.AssigneeOrgID != 0 {
			w.add("o.assignee_org_id = ?", f.AssigneeOrgID)
		}
		if f.ElderID != 0 {
			w.add("o.elder_id = ?", f.ElderID)
		}
		if f.CreatedByID != 0 {
			w.add("o.created_by = ?", f.CreatedByID)
		}
		if f.Overdue {
			w.add("o.late_since IS NOT NULL") // as the partial indexes orders_late* say it
		}
		return &w
	}
	// The count reads the area's range unless a filter narrower than any
	// area drives it (an account's, a provider's or an elder's orders, a
	// number): then that filter's index counts, the area checked inside it.
	narrow := f.CreatedByID != 0 || f.AssigneeOrgID != 0 || f.ElderID != 0 || strings.TrimSpace(f.Query) != ""
	w := build(narrow)
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM orders o"+w.sql()+
		fmt.Sprintf(" LIMIT %d) c", anxin.MaxOrderCount+1), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count orders: %w", err)
	}
	order := " ORDER BY o.created_at DESC, o.id DESC"
	switch {
	case f.Sort == "due" && f.Overdue:
		order = " ORDER BY o.late_since, o.id" // from orders_late, longest late first
	case f.Sort == "due":
		order = " ORDER BY o.next_due_at IS NULL, o.next_due_at, o.id"
	case number:
		order = " ORDER BY o.number DESC" // a day's numbers follow its intakes
	}
	w = build(true)
	rows, err := db.r.QueryContext(ctx, "SELECT "+orderCols+orderFrom+" WHERE o.id IN (SELECT o.id FROM orders o"+w.sql()+
		order+w.page(f.Offset, f.Limit)+")"+order, w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find orders: %w", err)
	}
	defer rows.Close()
	var out []*anxin.Order
	for rows.Next() {
		o, err := scanOrder(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, rows.Err()
}

// setDelivery records a supply order's delivery outcome and cash.
func (tx *Tx) setDelivery(ctx context.Context, id int64, outcome string, cashFen int64) error {
	_, err := tx.ExecContext(ctx, "UPDATE orders SET delivery_outcome = $1, cash_fen = $2 WHERE id = $3", outcome, cashFen, id)
	return err
}

// assigneeActions are done by the organisation an order is dispatched to
// (or by staff on its behalf, when it phones in).
var assigneeActions = []string{anxin.ActAccept, anxin.ActReturn, anxin.ActSchedule, anxin.ActStart, anxin.ActComplete, anxin.ActDeliveryFailed}

// maxAttachments bounds the photos of one action.
const maxAttachments = 6

// ActOnOrder moves an order along its loop: it checks the scope, the
// version the actor saw (someone else acting first is a conflict), and the
// transition, then records the event with its note and photos.
func (db *DB) ActOnOrder(ctx context.Context, sc anxin.Scope, id int64, a anxin.OrderAction) (*anxin.Order, error) {
	var out *anxin.Order
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		out, err = tx.ActOnOrder(ctx, sc, id, a)
		return err
	})
	return out, err
}

// ActOnOrder is ActOnOrder inside a transaction.
func (tx *Tx) ActOnOrder(ctx context.Context, sc anxin.Scope, id int64, a anxin.OrderAction) (*anxin.Order, error) {
	if a.Version < 1 {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_version_missing", "Say which version of the order you acted on.")
	}
	if utf8.RuneCountInString(a.Note) > 2000 {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_note_long", "A note has at most 2,000 characters.")
	}
	if len(a.Attachments) > maxAttachments {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_attachments_many", "At most %d photos at a time.", maxAttachments)
	}
	for i := range a.Attachments {
		if err := checkPhoto(&a.Attachments[i]); err != nil {
			return nil, err
		}
	}
	o, err := findOrder(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if err := mayAct(sc, o, a.Action); err != nil {
		return nil, err
	}
	if o.Version != a.Version {
		return nil, anxin.ErrorKey(anxin.ECONFLICT, "err.order_version",
			"Someone else changed work order %s since you opened it; reload it and try again.", o.Number)
	}
	to, err := anxin.Transition(o.State, a.Action)
	if err != nil {
		return nil, err
	}
	if err := tx.applyAction(ctx, sc, o, a, to); err != nil {
		return nil, err
	}
	return findOrder(ctx, tx, anxin.SystemScope(), id)
}

// mayAct says whether the scope may take the action on the order: staff
// in whose area the elder lives steer every order; the organisation an
// order is dispatched to accepts, returns, schedules, starts and
// completes it, and adds notes.
func mayAct(sc anxin.Scope, o *anxin.Order, action string) error {
	if isStaff(sc) {
		return nil
	}
	assignee := o.AssigneeOrgID != 0 && o.AssigneeOrgID == sc.OrgID
	if assignee && (slices.Contains(assigneeActions, action) || action == anxin.ActNote) {
		return nil
	}
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.order_action_forbidden", "Your organisation cannot do this to the work order.")
}

func (tx *Tx) applyAction(ctx context.Context, sc anxin.Scope, o *anxin.Order, a anxin.OrderAction, to string) error {
	now := tx.db.Now()
	from := o.State
	assignee, scheduled, merged, paused, closed := nullID(o.AssigneeOrgID), nullTime(o.ScheduledAt), nullID(o.MergedInto), nullTime(o.PausedAt), nullTime(o.ClosedAt)
	var target int64
	note := strings.TrimSpace(a.Note)
	switch a.Action {
	case anxin.ActDispatch:
		org, err := tx.dispatchTarget(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if org.ID == o.AssigneeOrgID && from != anxin.StateReturned {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.order_same_assignee", "The order is already with %s.", org.Name)
		}
		target, assignee = org.ID, org.ID
		if a.ItemID != 0 {
			if err := tx.chooseItem(ctx, o, a.ItemID, org.ID); err != nil {
				return err
			}
		}
	case anxin.ActReturn, anxin.ActCancel, anxin.ActReopen:
		if note == "" {
			return anxin.ErrorKey(anxin.EINVALID, "err.order_reason", "Give a reason.")
		}
	case anxin.ActSchedule:
		if a.ScheduledAt.IsZero() {
			return anxin.ErrorKey(anxin.EINVALID, "err.order_schedule", "Give the date and time of the visit.")
		}
		scheduled = a.ScheduledAt.UTC()
	case anxin.ActMerge:
		if a.MergeInto == 0 || a.MergeInto == o.ID {
			return anxin.ErrorKey(anxin.EINVALID, "err.order_merge_target", "Name the order to merge this one into.")
		}
		into, err := findOrder(ctx, tx, sc, a.MergeInto)
		if err != nil {
			return err
		}
		if into.ElderID != o.ElderID || !anxin.Open(into.State) {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.order_merge_into", "Only an open order of the same elder can take a duplicate.")
		}
		merged = into.ID
	case anxin.ActPause:
		if !o.PausedAt.IsZero() {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.order_paused", "The order is already waiting on the elder.")
		}
		paused = now
	case anxin.ActResume:
		if o.PausedAt.IsZero() {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.order_not_paused", "The order is not waiting.")
		}
		paused = nil
	case anxin.ActNote:
		if note == "" && len(a.Attachments) == 0 {
			return anxin.ErrorKey(anxin.EINVALID, "err.order_note_empty", "Write a note or attach a photo.")
		}
	case anxin.ActComplete:
		if o.Type == anxin.TypeSupply {
			if a.Outcome != anxin.DeliveredGate && a.Outcome != anxin.DeliveredVolunteer {
				return anxin.ErrorKey(anxin.EINVALID, "err.delivery_outcome", "Say how the packages were delivered: at the gate or by a volunteer.")
			}
			if err := anxin.ValidatePrice(a.CashFen); err != nil {
				return err
			}
			if err := tx.setDelivery(ctx, o.ID, a.Outcome, a.CashFen); err != nil {
				return err
			}
		}
	case anxin.ActDeliveryFailed:
		if o.Type != anxin.TypeSupply {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.delivery_not_supply", "Only supply orders are delivered.")
		}
		if note == "" {
			return anxin.ErrorKey(anxin.EINVALID, "err.order_reason", "Give a reason.")
		}
		if err := tx.setDelivery(ctx, o.ID, anxin.DeliveryFailed, 0); err != nil {
			return err
		}
	}
	switch to {
	case anxin.StateClosed, anxin.StateCancelled, anxin.StateMerged:
		closed, paused = now, nil // and no longer late: nobody needs to act
	case anxin.StateNew:
		closed, assignee = nil, nil // reopened: dispatched afresh
	}
	// The update returns the clocks as they were, for moveClocks.
	st, err := scanSLA(tx.QueryRowContext(ctx, `UPDATE orders SET state = $1, assignee_org_id = $2, scheduled_at = $3, merged_into = $4,
		paused_at = $5, closed_at = $6, version = version + 1, updated_at = $7,
		late_since = CASE WHEN $10 THEN NULL ELSE late_since END WHERE id = $8 AND version = $9 RETURNING `+slaCols,
		to, assignee, scheduled, merged, paused, closed, now, o.ID, o.Version, closed != nil))
	if errors.Is(err, sql.ErrNoRows) {
		// Another node's transaction changed it between our read and write.
		return anxin.ErrorKey(anxin.ECONFLICT, "err.order_version",
			"Someone else changed work order %s since you opened it; reload it and try again.", o.Number)
	} else if err != nil {
		return fmt.Errorf("update order: %w", err)
	}
	event := a.Action
	if a.Auto && a.Action == anxin.ActDispatch {
		event = "auto_dispatch"
	}
	eventID, err := tx.addOrderEvent(ctx, sc, o, event, from, to, note, target)
	if err != nil {
		return err
	}
	if err := tx.moveClocks(ctx, o, st, a.Action, to, paused != nil, now); err != nil {
		return err
	}
	if to == anxin.StateCompleted && from != to {
		if err := tx.openReturnVisit(ctx, sc, o, now); err != nil {
			return err
		}
	}
	for _, p := range a.Attachments {
		_, err := tx.ExecContext(ctx, `INSERT INTO order_attachments (order_id, event_id, filename, content_type, size, data, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, o.ID, eventID, p.Filename, p.ContentType, len(p.Data), p.Data, now)
		if err != nil {
			return fmt.Errorf("attach photo: %w", err)
		}
	}
	if from != to && (to == anxin.StateCompleted || to == anxin.StateClosed || to == anxin.StateCancelled) {
		_, name, _ := tx.actor(ctx, sc)
		if err := tx.addElderEvent(ctx, o.ElderID, now, "order_"+to, o, name, o.Number+" "+o.Title); err != nil {
			return err
		}
	}
	return nil
}

// dispatchTarget returns the organisation an order may be dispatched to:
// an enabled provider, supplier, volunteer team, committee, street office
// or hotline.
func (tx *Tx) dispatchTarget(ctx context.Context, id int64) (*anxin.Org, error) {
	if id == 0 {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_dispatch_to", "Choose whom to dispatch the order to.")
	}
	org, err := findOrg(ctx, tx, anxin.SystemScope(), id)
	if err != nil {
		return nil, err
	}
	if org.Disabled || org.Kind == anxin.OrgPlatform {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_dispatch_target", "%s cannot take work orders.", org.Name)
	}
	return org, nil
}

// checkPhoto accepts JPEG, PNG, GIF and WebP images up to
// MaxAttachmentBytes, by their content, whatever their name claims.
func checkPhoto(p *anxin.OrderAttachment) error {
	if len(p.Data) == 0 {
		return anxin.ErrorKey(anxin.EINVALID, "err.photo_empty", "The photo %s is empty.", p.Filename)
	}
	if len(p.Data) > anxin.MaxAttachmentBytes {
		return anxin.ErrorKey(anxin.EINVALID, "err.photo_large", "The photo %s is larger than %d MB.", p.Filename, anxin.MaxAttachmentBytes>>20)
	}
	switch ct := http.DetectContentType(p.Data); ct {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		p.ContentType = ct
	default:
		return anxin.ErrorKey(anxin.EINVALID, "err.photo_type", "%s is not a photo (JPEG, PNG, GIF or WebP).", p.Filename)
	}
	if p.Filename == "" || utf8.RuneCountInString(p.Filename) > 200 {
		p.Filename = "photo"
	}
	return nil
}

// OrderEvents returns an order's timeline, oldest first, with the
// attachments' descriptions (not their data).
func (db *DB) OrderEvents(ctx context.Context, sc anxin.Scope, id int64) ([]anxin.OrderEvent, error) {
	if _, err := db.FindOrder(ctx, sc, id); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT v.id, v.order_id, v.at, COALESCE(v.actor_id, 0), v.actor_name,
		COALESCE(v.actor_org_id, 0), v.action, v.from_state, v.to_state, v.note, COALESCE(v.target_org_id, 0),
		COALESCE(a.display_name, ''), COALESCE(g.name, ''), COALESCE(t.name, '')
		FROM order_events v LEFT JOIN accounts a ON a.id = v.actor_id LEFT JOIN orgs g ON g.id = v.actor_org_id
		LEFT JOIN orgs t ON t.id = v.target_org_id WHERE v.order_id = $1 ORDER BY v.id`, id)
	if err != nil {
		return nil, fmt.Errorf("order events: %w", err)
	}
	var out []anxin.OrderEvent
	index := map[int64]int{}
	for rows.Next() {
		var e anxin.OrderEvent
		if err := rows.Scan(&e.ID, &e.OrderID, &e.At, &e.ActorID, &e.ActorName, &e.ActorOrgID, &e.Action, &e.FromState,
			&e.ToState, &e.Note, &e.TargetOrgID, &e.ActorDisplayName, &e.ActorOrgName, &e.TargetOrgName); err != nil {
			rows.Close()
			return nil, err
		}
		e.At = e.At.UTC()
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.r.QueryContext(ctx, `SELECT id, event_id, filename, content_type, size, created_at FROM order_attachments
		WHERE order_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("order attachments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p anxin.OrderAttachment
		if err := rows.Scan(&p.ID, &p.EventID, &p.Filename, &p.ContentType, &p.Size, &p.CreatedAt); err != nil {
			return nil, err
		}
		if i, ok := index[p.EventID]; ok {
			out[i].Attachments = append(out[i].Attachments, p)
		}
	}
	return out, rows.Err()
}

// OrderAttachment returns one photo of an order in scope, with its data.
func (db *DB) OrderAttachment(ctx context.Context, sc anxin.Scope, orderID, id int64) (*anxin.OrderAttachment, error) {
	if _, err := db.FindOrder(ctx, sc, orderID); err != nil {
		return nil, err
	}
	p := &anxin.OrderAttachment{}
	err := db.r.QueryRowContext(ctx, `SELECT id, event_id, filename, content_type, size, data, created_at FROM order_attachments
		WHERE id = $1 AND order_id = $2`, id, orderID).Scan(&p.ID, &p.EventID, &p.Filename, &p.ContentType, &p.Size, &p.Data, &p.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.photo_not_found", "Photo not found.")
	}
	return p, err
}

// chooseItem sets the catalogue item (and so the price) of a service order
// dispatched to org: an item org offers now where the elder lives.
func (tx *Tx) chooseItem(ctx context.Context, o *anxin.Order, itemID, orgID int64) error {
	it, err := tx.offeredItem(ctx, itemID, o.RegionCode)
	if anxin.ErrorCode(err) == anxin.EINVALID || (err == nil && it.ProviderOrgID != orgID) {
		return anxin.ErrorKey(anxin.EINVALID, "err.order_item_offer", "That organisation does not offer this item at an approved price.")
	} else if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, "UPDATE orders SET item_id = $1, category_id = $2, total_fen = $3 WHERE id = $4", itemID, it.CategoryID, it.PriceFen, o.ID)
	return err
}

// AnalyzeOrders refreshes the planner's statistics of the work orders
// after a bulk load (the demo, benchmarks).
func (db *DB) AnalyzeOrders(ctx context.Context) error {
	stmts := []string{"ANALYZE orders", "ANALYZE order_events", "ANALYZE order_lines"}
	if db.engine == SQLite {
		stmts = append([]string{"PRAGMA analysis_limit = 1000"}, stmts...)
	}
	for _, q := range stmts {
		if _, err := db.w.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("analyze: %w", err)
		}
	}
	return nil
}

// CountOrders returns the number of work orders, exactly.
func (db *DB) CountOrders(ctx context.Context) (int, error) {
	var n int
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders").Scan(&n)
	return n, err
}
