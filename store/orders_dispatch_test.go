package store_test

import (
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// approvedProvider gives org an approved provider profile for category
// code in 310107 and an approved item at fen.
func approvedProvider(t *testing.T, db *store.DB, staff anxin.Scope, org *anxin.Org, licence17, code string, fen int64) *anxin.CatalogueItem {
	t.Helper()
	p := &anxin.ProviderProfile{OrgID: org.ID, Company: org.Name + "有限公司", LicenceNo: validLicence(t, licence17),
		Categories: []string{code}, AreaCode: "310107", ContactName: "经理", ContactPhone: "13800001111"}
	if err := db.ApplyProvider(ctx, staff, p); err != nil {
		t.Fatal(err)
	}
	if err := db.ReviewProvider(ctx, anxin.SystemScope(), org.ID, 1, anxin.ReviewApprove, ""); err != nil {
		t.Fatal(err)
	}
	cats, err := db.FindCategories(ctx, "", false)
	if err != nil {
		t.Fatal(err)
	}
	var catID int64
	for _, c := range cats {
		if c.Code == code {
			catID = c.ID
		}
	}
	it := &anxin.CatalogueItem{CategoryID: catID, Name: "居家保洁", Unit: "小时", ProviderOrgID: org.ID, AreaCode: "310107", Contents: "保洁 2 小时起"}
	if err := db.CreateItem(ctx, staff, it, fen); err != nil {
		t.Fatal(err)
	}
	cur, err := db.FindItem(ctx, anxin.SystemScope(), it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ApproveItem(ctx, anxin.SystemScope(), it.ID, cur.Version); err != nil {
		t.Fatal(err)
	}
	approved, err := db.FindItem(ctx, anxin.SystemScope(), it.ID)
	if err != nil || !approved.Offered() {
		t.Fatalf("approved item %+v: %v", approved, err)
	}
	return approved
}

func TestDispatchSuggestions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		a := approvedProvider(t, db, w.provider, w.providerOrg, "91310107MA1G00101", "soc-nursing", 6000)
		b := approvedProvider(t, db, w.other, w.otherOrg, "91310107MA1G00102", "soc-nursing", 4500)
		o := newServiceOrder(w.elder.ID)
		o.CategoryID = a.CategoryID
		if err := db.CreateOrder(ctx, w.operator, o); err != nil {
			t.Fatal(err)
		}
		// Both unrated, nobody loaded: the cheaper first.
		sug, err := db.SuggestAssignees(ctx, w.operator, o.ID)
		if err != nil || len(sug) != 2 || sug[0].OrgID != w.otherOrg.ID || sug[0].PriceFen != 4500 {
			t.Fatalf("suggestions %+v %v", sug, err)
		}
		// Give the cheaper one two open orders: equal ratings, so the
		// less loaded comes first.
		for range 2 {
			x := newServiceOrder(w.elder.ID)
			if err := db.CreateOrder(ctx, w.operator, x); err != nil {
				t.Fatal(err)
			}
			if _, err := db.ActOnOrder(ctx, w.operator, x.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: w.otherOrg.ID}); err != nil {
				t.Fatal(err)
			}
		}
		sug, _ = db.SuggestAssignees(ctx, w.operator, o.ID)
		if sug[0].OrgID != w.providerOrg.ID || sug[1].OpenOrders != 2 {
			t.Fatalf("with load %+v", sug)
		}
		// Dispatching with the suggested item sets its price; another
		// organisation's item is refused.
		_, err = db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: w.providerOrg.ID, ItemID: b.ID})
		wantCode(t, err, anxin.EINVALID)
		got, err := db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: w.providerOrg.ID, ItemID: a.ID})
		if err != nil || got.ItemID != a.ID || got.TotalFen != 6000 {
			t.Fatalf("dispatched %+v %v", got, err)
		}
		// No category, no suggestions.
		plain := newServiceOrder(w.elder.ID)
		if err := db.CreateOrder(ctx, w.operator, plain); err != nil {
			t.Fatal(err)
		}
		if sug, err := db.SuggestAssignees(ctx, w.operator, plain.ID); err != nil || len(sug) != 0 {
			t.Fatalf("no category: %+v %v", sug, err)
		}
	})
}

// TestAutoDispatch turns on a category's automatic dispatch: a new service
// order of it goes to the best suggestion at once, recorded as
// auto_dispatch with the item's price; an order of a category with nobody
// offering it in the elder's area stays new; a supply order goes to its
// one supplier; only platform administrators change the setting.
func TestAutoDispatch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		a := approvedProvider(t, db, w.provider, w.providerOrg, "91310107MA1G00101", "soc-nursing", 6000)
		approvedProvider(t, db, w.other, w.otherOrg, "91310107MA1G00102", "soc-nursing", 4500)
		platform := mustCreateOrg(t, db, anxin.OrgPlatform, "平台", "")
		admin := anxin.ScopeOf(mustCreateAccount(t, db, platform, "root", anxin.RoleAdmin))

		if _, err := db.SetAutoDispatch(ctx, w.operator, a.CategoryID, true); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("an operator turned on automatic dispatch: %v", err)
		}
		c, err := db.SetAutoDispatch(ctx, admin, a.CategoryID, true)
		if err != nil || !c.AutoDispatch {
			t.Fatalf("set: %+v %v", c, err)
		}
		o := newServiceOrder(w.elder.ID)
		o.CategoryID = a.CategoryID
		if err := db.CreateOrder(ctx, w.operator, o); err != nil {
			t.Fatal(err)
		}
		// Both unrated and idle: the cheaper one.
		if o.State != anxin.StateDispatched || o.AssigneeOrgID != w.otherOrg.ID || o.TotalFen != 4500 || o.Number == "" {
			t.Fatalf("auto-dispatched order %s to %d at %d (number %q)", o.State, o.AssigneeOrgID, o.TotalFen, o.Number)
		}
		events, err := db.OrderEvents(ctx, w.operator, o.ID)
		if err != nil || len(events) != 2 || events[1].Action != "auto_dispatch" || events[1].TargetOrgID != w.otherOrg.ID {
			t.Fatalf("timeline %+v %v", events, err)
		}
		if !o.AcceptDueAt.After(o.CreatedAt) {
			t.Fatalf("no acceptance clock after automatic dispatch: %v", o.AcceptDueAt)
		}

		// A category nobody offers here: the order waits for the operator.
		var repair int64
		cats, _ := db.FindCategories(ctx, "", false)
		for _, c := range cats {
			if c.Code == "soc-repair" {
				repair = c.ID
			}
		}
		if _, err := db.SetAutoDispatch(ctx, admin, repair, true); err != nil {
			t.Fatal(err)
		}
		lone := newServiceOrder(w.elder.ID)
		lone.CategoryID = repair
		if err := db.CreateOrder(ctx, w.operator, lone); err != nil || lone.State != anxin.StateNew {
			t.Fatalf("order without offers: %s %v", lone.State, err)
		}

		// A supply package's category: the order goes to its supplier.
		sup := mustCreateOrg(t, db, anxin.OrgSupplier, "菜篮子配送", "310107")
		staff := anxin.ScopeOf(mustCreateAccount(t, db, sup, "sup", anxin.RolePartner))
		pkg := approvedProvider(t, db, staff, sup, "91310107MA1G00201", "sup-food", 5000)
		if _, err := db.SetAutoDispatch(ctx, admin, pkg.CategoryID, true); err != nil {
			t.Fatal(err)
		}
		s := &anxin.Order{Type: anxin.TypeSupply, Channel: anxin.ChannelOutbound, ElderID: w.elder.ID,
			Lines: []anxin.OrderLine{{ItemID: pkg.ID, Quantity: 1}}}
		if err := db.CreateOrder(ctx, w.operator, s); err != nil || s.State != anxin.StateDispatched || s.AssigneeOrgID != sup.ID {
			t.Fatalf("supply order: %s to %d, %v", s.State, s.AssigneeOrgID, err)
		}
		if len(s.Lines) != 1 || s.TotalFen != 5000 {
			t.Fatalf("supply order lines %+v total %d", s.Lines, s.TotalFen)
		}
		// Off again: orders wait for the operator.
		if _, err := db.SetAutoDispatch(ctx, admin, a.CategoryID, false); err != nil {
			t.Fatal(err)
		}
		manual := newServiceOrder(w.elder.ID)
		manual.CategoryID = a.CategoryID
		if err := db.CreateOrder(ctx, w.operator, manual); err != nil || manual.State != anxin.StateNew {
			t.Fatalf("after turning it off: %s %v", manual.State, err)
		}
	})
}
