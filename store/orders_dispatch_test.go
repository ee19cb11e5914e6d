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
