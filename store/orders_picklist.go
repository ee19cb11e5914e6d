package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"github.com/anxin-care/anxin"
)

// PickList returns a supplier's supply orders to deliver on a day (China
// time): those scheduled on that day, and those not scheduled that were
// taken before the day ended, while dispatched, accepted or in service;
// ordered street → committee → compound → address, as a courier walks
// them. The supplier's own staff see their list; staff see the lists of
// orders in their area.
func (db *DB) PickList(ctx context.Context, sc anxin.Scope, supplierOrgID int64, day time.Time) ([]anxin.PickRow, error) {
	d := day.In(chinaZone)
	start := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, chinaZone)
	end := start.AddDate(0, 0, 1)
	var w where
	w.scopeOrders(sc)
	w.add("o.type = ?", anxin.TypeSupply)
	w.add("o.assignee_org_id = ?", supplierOrgID)
	w.in("o.state", []string{anxin.StateDispatched, anxin.StateAccepted, anxin.StateInService})
	w.add("((o.scheduled_at >= ? AND o.scheduled_at < ?) OR (o.scheduled_at IS NULL AND o.created_at < ?))", start.UTC(), end.UTC(), end.UTC())
	rows, err := db.r.QueryContext(ctx, `SELECT o.id, o.number, o.state, COALESCE(e.name, ''), COALESCE(e.address, ''),
		o.region_code, COALESCE(r.name, ''), COALESCE(s.name, ''), o.scheduled_at, o.total_fen,
		COALESCE((SELECT number FROM elder_phones p WHERE p.elder_id = o.elder_id AND p.contact = `+w.arg(false)+`
			ORDER BY p.rank LIMIT 1), '')
		FROM orders o LEFT JOIN elders e ON e.id = o.elder_id LEFT JOIN regions r ON r.code = o.region_code
		LEFT JOIN regions s ON s.code = r.parent_code`+w.sql()+" LIMIT 5000", w.args...)
	if err != nil {
		return nil, fmt.Errorf("pick list: %w", err)
	}
	var out []anxin.PickRow
	index := map[int64]int{}
	for rows.Next() {
		var p anxin.PickRow
		var scheduled sql.NullTime
		if err := rows.Scan(&p.OrderID, &p.Number, &p.State, &p.ElderName, &p.Address, &p.CommitteeCode, &p.CommitteeName,
			&p.StreetName, &scheduled, &p.TotalFen, &p.Phone); err != nil {
			rows.Close()
			return nil, err
		}
		p.ScheduledAt, p.Compound = timeOf(scheduled), anxin.Compound(p.Address)
		index[p.OrderID] = len(out)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for start := 0; start < len(out); start += bulkRows {
		var lw where
		ids := make([]int64, 0, bulkRows)
		for _, p := range out[start:min(start+bulkRows, len(out))] {
			ids = append(ids, p.OrderID)
		}
		whereIn(&lw, "order_id", ids)
		lrows, err := db.r.QueryContext(ctx, "SELECT order_id, item_id, item_name, quantity, unit_fen FROM order_lines"+lw.sql()+
			" ORDER BY order_id, line_no", lw.args...)
		if err != nil {
			return nil, fmt.Errorf("pick list lines: %w", err)
		}
		for lrows.Next() {
			var id int64
			var l anxin.OrderLine
			if err := lrows.Scan(&id, &l.ItemID, &l.ItemName, &l.Quantity, &l.UnitFen); err != nil {
				lrows.Close()
				return nil, err
			}
			out[index[id]].Lines = append(out[index[id]].Lines, l)
		}
		lrows.Close()
		if err := lrows.Err(); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		for _, c := range [][2]string{{a.CommitteeCode[:min(9, len(a.CommitteeCode))], b.CommitteeCode[:min(9, len(b.CommitteeCode))]},
			{a.CommitteeCode, b.CommitteeCode}, {a.Compound, b.Compound}, {a.Address, b.Address}} {
			if c[0] != c[1] {
				return c[0] < c[1]
			}
		}
		return a.Number < b.Number
	})
	return out, nil
}
