package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/anxin-care/anxin"
)

// unratedScore is the rating an unrated provider is ranked with: a
// newcomer sits between the satisfied (4–5) and the criticised (1–3).
const unratedScore = 3.5

// SuggestAssignees ranks who could take an order: the approved items of
// its category offered in the elder's committee (see OffersFor), best
// rated first (unrated providers as 3.5), then the least loaded, then the
// cheapest. An order without a category gets none: the operator picks.
func (db *DB) SuggestAssignees(ctx context.Context, sc anxin.Scope, orderID int64) ([]anxin.Suggestion, error) {
	o, err := db.FindOrder(ctx, sc, orderID)
	if err != nil {
		return nil, err
	}
	category := o.CategoryID
	if category == 0 && o.ItemID != 0 {
		it, err := db.FindItem(ctx, anxin.SystemScope(), o.ItemID)
		if err != nil {
			return nil, err
		}
		category = it.CategoryID
	}
	if category == 0 {
		return nil, nil
	}
	items, err := db.OffersFor(ctx, anxin.SystemScope(), category, o.RegionCode)
	if err != nil {
		return nil, err
	}
	out := make([]anxin.Suggestion, 0, len(items))
	orgs := map[int64]bool{}
	for _, it := range items {
		out = append(out, anxin.Suggestion{OrgID: it.ProviderOrgID, OrgName: it.ProviderName, ItemID: it.ID, ItemName: it.Name,
			Unit: it.Unit, PriceFen: it.PriceFen, Rating: it.Rating, RatingCount: it.RatingCount})
		orgs[it.ProviderOrgID] = true
	}
	load, err := db.openLoad(ctx, orgs)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].OpenOrders = load[out[i].OrgID]
	}
	score := func(s anxin.Suggestion) float64 {
		if s.RatingCount == 0 {
			return unratedScore
		}
		return s.Rating
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if score(a) != score(b) {
			return score(a) > score(b)
		}
		if a.OpenOrders != b.OpenOrders {
			return a.OpenOrders < b.OpenOrders
		}
		return a.PriceFen < b.PriceFen
	})
	return out, nil
}

// openLoad counts each organisation's orders dispatched, accepted or in
// service.
func (db *DB) openLoad(ctx context.Context, orgs map[int64]bool) (map[int64]int, error) {
	load := map[int64]int{}
	if len(orgs) == 0 {
		return load, nil
	}
	var w where
	whereIn(&w, "assignee_org_id", slices.Collect(maps.Keys(orgs)))
	w.in("state", []string{anxin.StateDispatched, anxin.StateAccepted, anxin.StateInService})
	rows, err := db.r.QueryContext(ctx, "SELECT assignee_org_id, COUNT(*) FROM orders"+w.sql()+" GROUP BY assignee_org_id", w.args...)
	if err != nil {
		return nil, fmt.Errorf("provider load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		load[id] = n
	}
	return load, rows.Err()
}
