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
	return suggest(ctx, db.r, o)
}

// orderCategory returns the catalogue category of an order: its own, its
// item's, or (supply orders) its first line's package's; 0 for none.
func orderCategory(ctx context.Context, q queryer, o *anxin.Order) (int64, error) {
	item := o.ItemID
	if o.CategoryID != 0 {
		return o.CategoryID, nil
	} else if item == 0 && len(o.Lines) > 0 {
		item = o.Lines[0].ItemID
	}
	if item == 0 {
		return 0, nil
	}
	it, err := findItem(ctx, q, anxin.SystemScope(), item)
	if err != nil {
		return 0, err
	}
	return it.CategoryID, nil
}

// suggest ranks the assignees of order o (see SuggestAssignees).
func suggest(ctx context.Context, q queryer, o *anxin.Order) ([]anxin.Suggestion, error) {
	category, err := orderCategory(ctx, q, o)
	if err != nil || category == 0 {
		return nil, err
	}
	items, err := offersFor(ctx, q, anxin.SystemScope(), category, o.RegionCode)
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
	load, err := openLoad(ctx, q, orgs)
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

// autoDispatch dispatches a new order at once when its category has
// automatic dispatch: a service order to the best suggestion, a supply
// order to its supplier when all its packages come from one. An order with
// nobody to take it stays new for the operator; so does every other type.
func (tx *Tx) autoDispatch(ctx context.Context, sc anxin.Scope, o *anxin.Order) error {
	if o.Type != anxin.TypeService && o.Type != anxin.TypeSupply {
		return nil
	}
	category, err := orderCategory(ctx, tx, o)
	if err != nil || category == 0 {
		return err
	}
	c, err := findCategory(ctx, tx, category)
	if err != nil || !c.AutoDispatch {
		return err
	}
	a := anxin.OrderAction{Action: anxin.ActDispatch, Version: o.Version, Auto: true}
	if o.Type == anxin.TypeSupply {
		for _, l := range o.Lines {
			if a.OrgID != 0 && l.SupplierID != a.OrgID {
				return nil // several suppliers: the operator splits the order
			}
			a.OrgID = l.SupplierID
		}
	} else {
		best, err := suggest(ctx, tx, o)
		if err != nil || len(best) == 0 {
			return err
		}
		a.OrgID, a.ItemID = best[0].OrgID, best[0].ItemID
	}
	if a.OrgID == 0 {
		return nil
	}
	next, err := tx.ActOnOrder(ctx, sc, o.ID, a)
	if err != nil {
		return fmt.Errorf("automatic dispatch: %w", err)
	}
	next.Lines = o.Lines
	*o = *next
	return nil
}

// openLoad counts each organisation's orders dispatched, accepted or in
// service.
func openLoad(ctx context.Context, q queryer, orgs map[int64]bool) (map[int64]int, error) {
	load := map[int64]int{}
	if len(orgs) == 0 {
		return load, nil
	}
	var w where
	whereIn(&w, "assignee_org_id", slices.Collect(maps.Keys(orgs)))
	w.in("state", []string{anxin.StateDispatched, anxin.StateAccepted, anxin.StateInService})
	rows, err := q.QueryContext(ctx, "SELECT assignee_org_id, COUNT(*) FROM orders"+w.sql()+" GROUP BY assignee_org_id", w.args...)
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
