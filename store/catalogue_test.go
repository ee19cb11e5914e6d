package store_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// validLicence completes 17 characters with the check character that
// makes them a unified social credit code.
func validLicence(t *testing.T, first17 string) string {
	t.Helper()
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if s, ok := anxin.NormaliseLicence(first17 + string(c)); ok {
			return s
		}
	}
	t.Fatalf("no check character for %s", first17)
	return ""
}

// catalogueWorld is a city with a platform, hotlines, two providers and a
// supplier, each with accounts, for the catalogue tests.
type catalogueWorld struct {
	db                            *store.DB
	platform, city, putuo         anxin.Scope // admins
	operator, backoffice, putuoOp anxin.Scope
	provA, provB, supplier        *anxin.Org
	staffA, staffB, staffS        anxin.Scope
	cats                          map[string]*anxin.Category
	seq                           int
}

func scopeOf(a *anxin.Account) anxin.Scope { return anxin.ScopeOf(a) }

func newCatalogueWorld(t *testing.T, db *store.DB) *catalogueWorld {
	t.Helper()
	w := &catalogueWorld{db: db, cats: map[string]*anxin.Category{}}
	platform := mustCreateOrg(t, db, anxin.OrgPlatform, "平台", "")
	city := mustCreateOrg(t, db, anxin.OrgHotline, "上海市热线", "3101")
	putuo := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区热线", "310107")
	w.platform = scopeOf(mustCreateAccount(t, db, platform, "root", anxin.RoleAdmin))
	w.city = scopeOf(mustCreateAccount(t, db, city, "cityadmin", anxin.RoleAdmin))
	w.operator = scopeOf(mustCreateAccount(t, db, city, "op", anxin.RoleOperator))
	w.backoffice = scopeOf(mustCreateAccount(t, db, city, "bo", anxin.RoleBackOffice))
	w.putuo = scopeOf(mustCreateAccount(t, db, putuo, "putuoadmin", anxin.RoleAdmin))
	w.putuoOp = scopeOf(mustCreateAccount(t, db, putuo, "putuoop", anxin.RoleOperator))
	w.provA = mustCreateOrg(t, db, anxin.OrgProvider, "安康居家", "3101")
	w.provB = mustCreateOrg(t, db, anxin.OrgProvider, "申城陪诊", "3101")
	w.supplier = mustCreateOrg(t, db, anxin.OrgSupplier, "家乐福保供", "3101")
	w.staffA = scopeOf(mustCreateAccount(t, db, w.provA, "staffa", anxin.RolePartner))
	w.staffB = scopeOf(mustCreateAccount(t, db, w.provB, "staffb", anxin.RolePartner))
	w.staffS = scopeOf(mustCreateAccount(t, db, w.supplier, "staffs", anxin.RolePartner))
	cats, err := db.FindCategories(ctx, "", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		w.cats[c.Code] = c
	}
	w.apply(t, w.staffA, w.provA, "3101", "soc-daily", "soc-repair", "soc-housekeeping")
	w.approve(t, w.provA)
	w.apply(t, w.staffB, w.provB, "310107", "soc-escort", "soc-daily")
	w.approve(t, w.provB)
	w.apply(t, w.staffS, w.supplier, "3101", "sup-food")
	w.approve(t, w.supplier)
	return w
}

func (w *catalogueWorld) apply(t *testing.T, sc anxin.Scope, org *anxin.Org, area string, cats ...string) *anxin.ProviderProfile {
	t.Helper()
	w.seq++
	p := &anxin.ProviderProfile{OrgID: org.ID, Company: org.Name + "有限公司", LicenceNo: validLicence(t, fmt.Sprintf("9131010%010d", w.seq)),
		Categories: cats, AreaCode: area, ContactName: "联系人", ContactPhone: "021-62541234"}
	if err := w.db.ApplyProvider(ctx, sc, p); err != nil {
		t.Fatalf("apply %s: %v", org.Name, err)
	}
	return p
}

func (w *catalogueWorld) approve(t *testing.T, org *anxin.Org) {
	t.Helper()
	p, err := w.db.FindProvider(ctx, w.platform, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.ReviewProvider(ctx, w.platform, org.ID, p.Version, anxin.ReviewApprove, ""); err != nil {
		t.Fatalf("approve %s: %v", org.Name, err)
	}
}

// propose creates an item as sc and returns it as stored.
func (w *catalogueWorld) propose(t *testing.T, sc anxin.Scope, org *anxin.Org, cat, name, area string, fen int64) *anxin.CatalogueItem {
	t.Helper()
	it := &anxin.CatalogueItem{CategoryID: w.cats[cat].ID, ProviderOrgID: org.ID, Name: name, Unit: "次", AreaCode: area, Contents: "内容"}
	if err := w.db.CreateItem(ctx, sc, it, fen); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	got, err := w.db.FindItem(ctx, w.platform, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func (w *catalogueWorld) item(t *testing.T, id int64) *anxin.CatalogueItem {
	t.Helper()
	it, err := w.db.FindItem(ctx, w.platform, id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func TestCatalogueCategories(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		count := map[string]int{}
		cats, err := db.FindCategories(ctx, "", false)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cats {
			count[c.Family]++
			if c.Family == anxin.FamilyGovernment && c.OwnerDept == "" {
				t.Errorf("government category %s has no owner department", c.Code)
			}
			if c.Name == "" || c.NameEN == "" {
				t.Errorf("category %s lacks a name", c.Code)
			}
		}
		// Wuxi: 9 categories of government-guaranteed services, 7 of
		// social services; and the supply packages of Shanghai.
		if count[anxin.FamilyGovernment] != 9 || count[anxin.FamilySocial] != 7 || count[anxin.FamilySupply] != 2 {
			t.Errorf("categories per family: %v", count)
		}
		gov, _ := db.FindCategories(ctx, anxin.FamilyGovernment, false)
		if len(gov) != 9 || gov[0].Position != 1 {
			t.Errorf("government categories: %d", len(gov))
		}
	})
}

// A new item and a price change wait for an administrator; the approved
// price stays what operators see until a change is approved; every
// proposal stays in the history.
func TestCatalogueApprovalFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		it := w.propose(t, w.staffA, w.provA, "soc-daily", "钟点工（做饭保洁）", "3101", 4000)
		if it.State != anxin.ItemPending || it.Priced || it.Proposal == nil || it.Proposal.PriceFen != 4000 || it.Version != 1 {
			t.Fatalf("new item: %+v %+v", it, it.Proposal)
		}
		if _, err := db.FindItem(ctx, w.operator, it.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("operator sees a pending item: %v", err)
		}
		// Providers cannot approve; a district admin not for a city-wide item.
		wantCode(t, db.ApproveItem(ctx, w.staffA, it.ID, it.Version), anxin.EFORBIDDEN)
		wantCode(t, db.ApproveItem(ctx, w.backoffice, it.ID, it.Version), anxin.EFORBIDDEN)
		wantCode(t, db.ApproveItem(ctx, w.putuo, it.ID, it.Version), anxin.EFORBIDDEN)
		wantCode(t, db.ApproveItem(ctx, w.city, it.ID, it.Version+1), anxin.ECONFLICT)
		if err := db.ApproveItem(ctx, w.city, it.ID, it.Version); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		if it.State != anxin.ItemApproved || !it.Priced || it.PriceFen != 4000 || it.Proposal != nil || it.Version != 2 {
			t.Fatalf("approved item: %+v", it)
		}
		if seen, err := db.FindItem(ctx, w.operator, it.ID); err != nil || seen.PriceFen != 4000 || seen.ProviderName != "安康居家" {
			t.Fatalf("operator's view: %+v, %v", seen, err)
		}

		// A price change: the approved price stays live until approved.
		pc, err := db.ProposePrice(ctx, w.staffA, it.ID, it.Version, 4500)
		if err != nil {
			t.Fatal(err)
		}
		again, err := db.ProposePrice(ctx, w.staffA, it.ID, it.Version, 4500) // the form sent twice
		if err != nil || again.ID != pc.ID {
			t.Fatalf("second identical proposal: %+v, %v", again, err)
		}
		_, err = db.ProposePrice(ctx, w.staffA, it.ID, 0, 4800)
		wantCode(t, err, anxin.ECONFLICT)
		it = w.item(t, it.ID)
		if it.PriceFen != 4000 || it.Proposal == nil || it.Proposal.PriceFen != 4500 {
			t.Fatalf("during a price change: %d, %+v", it.PriceFen, it.Proposal)
		}
		if seen, _ := db.FindItem(ctx, w.operator, it.ID); seen.PriceFen != 4000 {
			t.Fatalf("operator sees %d during a price change", seen.PriceFen)
		}
		wantCode(t, db.RejectItem(ctx, w.city, it.ID, it.Version, "  "), anxin.EINVALID)
		if err := db.RejectItem(ctx, w.city, it.ID, it.Version, "高于区域指导价"); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		if it.State != anxin.ItemApproved || it.PriceFen != 4000 || it.Proposal != nil {
			t.Fatalf("after rejected change: %+v", it)
		}
		// A second change, approved by the platform.
		if _, err := db.ProposePrice(ctx, w.backoffice, it.ID, it.Version, 4200); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		if err := db.ApproveItem(ctx, w.platform, it.ID, it.Version); err != nil {
			t.Fatal(err)
		}
		if it = w.item(t, it.ID); it.PriceFen != 4200 {
			t.Fatalf("price after approval %d", it.PriceFen)
		}
		_, err = db.ProposePrice(ctx, w.staffA, it.ID, it.Version, 4200)
		wantCode(t, err, anxin.EINVALID) // already the price
		wantCode(t, db.ApproveItem(ctx, w.city, it.ID, it.Version), anxin.ECONFLICT)

		hist, err := db.FindPrices(ctx, w.staffA, it.ID)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, h := range hist {
			got = append(got, fmt.Sprintf("%d %s", h.PriceFen, h.Status))
		}
		if want := "4200 approved|4500 rejected|4000 approved"; strings.Join(got, "|") != want {
			t.Fatalf("history %q, want %q", strings.Join(got, "|"), want)
		}
		if hist[1].Reason != "高于区域指导价" || hist[1].DecidedByName == "" || hist[2].ProposedByName == "" || hist[0].DecidedAt.IsZero() {
			t.Errorf("history details: %+v %+v", hist[1], hist[2])
		}

		// Retire: final; the provider's staff may.
		if err := db.RetireItem(ctx, w.staffA, it.ID, it.Version); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		wantCode(t, db.RetireItem(ctx, w.staffA, it.ID, it.Version), anxin.ECONFLICT)
		_, err = db.ProposePrice(ctx, w.staffA, it.ID, it.Version, 100)
		wantCode(t, err, anxin.ECONFLICT)
		// The name is free again.
		w.propose(t, w.staffA, w.provA, "soc-daily", "钟点工（做饭保洁）", "3101", 4000)
	})
}

// Rejecting a new item is final; editing a pending item is the provider's
// until it is approved, then the back office's.
func TestCatalogueRejectAndEdit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		it := w.propose(t, w.staffA, w.provA, "soc-repair", "管道疏通", "3101", 8000)
		// The provider fixes the pending item and its price.
		edit := *it
		edit.Name, edit.Unit = "下水道疏通", "次"
		if err := db.UpdateItem(ctx, w.staffA, &edit); err != nil {
			t.Fatal(err)
		}
		stale := *it
		stale.Name = "别的名字"
		wantCode(t, db.UpdateItem(ctx, w.staffA, &stale), anxin.ECONFLICT)
		if _, err := db.ProposePrice(ctx, w.staffA, it.ID, 0, 7000); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		if it.Name != "下水道疏通" || it.Proposal.PriceFen != 7000 || it.Version != 3 {
			t.Fatalf("edited pending item: %+v %+v", it, it.Proposal)
		}
		if err := db.ApproveItem(ctx, w.city, it.ID, it.Version); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		if it.PriceFen != 7000 {
			t.Fatalf("approved at %d", it.PriceFen)
		}
		edit = *it
		edit.Contents = "含上门费"
		wantCode(t, db.UpdateItem(ctx, w.staffA, &edit), anxin.EFORBIDDEN)
		if err := db.UpdateItem(ctx, w.backoffice, &edit); err != nil {
			t.Fatal(err)
		}

		bad := w.propose(t, w.staffA, w.provA, "soc-repair", "空调加氟", "3101", 30000)
		if err := db.RejectItem(ctx, w.city, bad.ID, bad.Version, "请注明是否含材料费"); err != nil {
			t.Fatal(err)
		}
		bad = w.item(t, bad.ID)
		if bad.State != anxin.ItemRejected || bad.Reason != "请注明是否含材料费" || bad.Priced {
			t.Fatalf("rejected item: %+v", bad)
		}
		edit = *bad
		wantCode(t, db.UpdateItem(ctx, w.staffA, &edit), anxin.ECONFLICT)
		_, err := db.ProposePrice(ctx, w.staffA, bad.ID, 0, 25000)
		wantCode(t, err, anxin.ECONFLICT)
		// Proposed again as a new item under the same name.
		w.propose(t, w.staffA, w.provA, "soc-repair", "空调加氟", "3101", 25000)
	})
}

// Bad proposals are refused with the reason.
func TestCatalogueCreateRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		base := anxin.CatalogueItem{CategoryID: w.cats["soc-daily"].ID, ProviderOrgID: w.provA.ID, Name: "代买药品", Unit: "次", AreaCode: "310107"}
		cases := []struct {
			name string
			sc   anxin.Scope
			edit func(it *anxin.CatalogueItem)
			fen  int64
			code string
		}{
			{"negative price", w.staffA, nil, -1, anxin.EINVALID},
			{"huge price", w.staffA, nil, anxin.MaxPriceFen + 1, anxin.EINVALID},
			{"no name", w.staffA, func(it *anxin.CatalogueItem) { it.Name = " " }, 100, anxin.EINVALID},
			{"no unit", w.staffA, func(it *anxin.CatalogueItem) { it.Unit = "" }, 100, anxin.EINVALID},
			{"bad area", w.staffA, func(it *anxin.CatalogueItem) { it.AreaCode = "31x" }, 100, anxin.EINVALID},
			{"unknown area", w.staffA, func(it *anxin.CatalogueItem) { it.AreaCode = "310199" }, 100, anxin.EINVALID},
			{"area outside the provider's", w.staffB, func(it *anxin.CatalogueItem) { it.ProviderOrgID, it.AreaCode = w.provB.ID, "310105" }, 100, anxin.EINVALID},
			{"category not approved for the provider", w.staffA, func(it *anxin.CatalogueItem) { it.CategoryID = w.cats["soc-escort"].ID }, 100, anxin.EINVALID},
			{"supply package by a provider", w.staffA, func(it *anxin.CatalogueItem) { it.CategoryID, it.Contents = w.cats["sup-food"].ID, "青菜" }, 100, anxin.EINVALID},
			{"supply package without contents", w.staffS, func(it *anxin.CatalogueItem) { it.CategoryID, it.ProviderOrgID = w.cats["sup-food"].ID, w.supplier.ID }, 5000, anxin.EINVALID},
			{"for another provider", w.staffB, nil, 100, anxin.EFORBIDDEN},
			{"operator", w.operator, nil, 100, anxin.EFORBIDDEN},
			{"district back office outside its area", w.putuoOp, nil, 100, anxin.EFORBIDDEN},
			{"unknown category", w.staffA, func(it *anxin.CatalogueItem) { it.CategoryID = 9999 }, 100, anxin.EINVALID},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				it := base
				if c.edit != nil {
					c.edit(&it)
				}
				wantCode(t, db.CreateItem(ctx, c.sc, &it, c.fen), c.code)
			})
		}
		// Twice the same form: the second is a clear conflict.
		it := base
		if err := db.CreateItem(ctx, w.staffA, &it, 1500); err != nil {
			t.Fatal(err)
		}
		again := base
		err := db.CreateItem(ctx, w.staffA, &again, 1500)
		wantCode(t, err, anxin.ECONFLICT)
		wantContains(t, anxin.ErrorMessage(err), fmt.Sprintf("item %d", it.ID))
		// A provider that is not approved cannot propose.
		c := mustCreateOrg(t, db, anxin.OrgProvider, "新申请服务商", "3101")
		staffC := scopeOf(mustCreateAccount(t, db, c, "staffc", anxin.RolePartner))
		w.apply(t, staffC, c, "3101", "soc-daily")
		it = base
		it.ProviderOrgID = c.ID
		wantCode(t, db.CreateItem(ctx, staffC, &it, 100), anxin.ECONFLICT)
	})
}

// A provider sees and changes only its own items; operators see approved
// items that concern their area.
func TestCatalogueScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		a := w.propose(t, w.staffA, w.provA, "soc-daily", "助浴", "3101", 12000)
		b := w.propose(t, w.staffB, w.provB, "soc-escort", "陪同就医（半天）", "310107", 15000)
		jingan := w.propose(t, w.staffA, w.provA, "soc-daily", "助浴（静安）", "310106", 12000)
		for _, it := range []*anxin.CatalogueItem{a, b, jingan} {
			if err := db.ApproveItem(ctx, w.platform, it.ID, it.Version); err != nil {
				t.Fatal(err)
			}
		}
		b = w.item(t, b.ID)
		// B's staff: A's item does not exist for them.
		if _, err := db.FindItem(ctx, w.staffB, a.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("provider B reads A's item: %v", err)
		}
		_, err := db.ProposePrice(ctx, w.staffB, a.ID, 0, 1)
		wantCode(t, err, anxin.ENOTFOUND)
		wantCode(t, db.RetireItem(ctx, w.staffB, a.ID, 2), anxin.ENOTFOUND)
		_, err = db.FindPrices(ctx, w.staffB, a.ID)
		wantCode(t, err, anxin.ENOTFOUND)
		items, total, err := db.FindItems(ctx, w.staffB, anxin.ItemFilter{})
		if err != nil || total != 1 || items[0].ID != b.ID {
			t.Fatalf("provider B lists %d items, %v", total, err)
		}
		// The Putuo operator: city-wide and Putuo items, not Jing'an's.
		items, total, err = db.FindItems(ctx, w.putuoOp, anxin.ItemFilter{})
		if err != nil || total != 2 {
			t.Fatalf("putuo operator lists %d, %v", total, err)
		}
		if _, err := db.FindItem(ctx, w.putuoOp, jingan.ID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("putuo operator reads a Jing'an item: %v", err)
		}
		// Filters.
		items, _, _ = db.FindItems(ctx, w.platform, anxin.ItemFilter{Within: "310107005", Offered: true})
		if len(items) != 2 {
			t.Errorf("items offered in 曹杨新村: %d", len(items))
		}
		items, _, _ = db.FindItems(ctx, w.platform, anxin.ItemFilter{Query: "陪同"})
		if len(items) != 1 || items[0].ID != b.ID {
			t.Errorf("query 陪同: %v", items)
		}
		items, _, _ = db.FindItems(ctx, w.platform, anxin.ItemFilter{Family: anxin.FamilySocial, ProviderOrgID: w.provA.ID})
		if len(items) != 2 {
			t.Errorf("provider A's social items: %d", len(items))
		}
		if _, err := db.ProposePrice(ctx, w.staffA, a.ID, 0, 13000); err != nil {
			t.Fatal(err)
		}
		items, _, _ = db.FindItems(ctx, w.city, anxin.ItemFilter{Waiting: true})
		if len(items) != 1 || items[0].ID != a.ID {
			t.Errorf("waiting: %v", items)
		}
	})
}

// Offers for an elder's committee: approved items of active providers
// whose area contains the committee, cheapest first.
func TestOffersFor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		cat := w.cats["soc-daily"]
		city := w.propose(t, w.staffA, w.provA, "soc-daily", "钟点工", "3101", 4000)
		putuo := w.propose(t, w.staffB, w.provB, "soc-daily", "钟点工", "310107", 3800)
		pending := w.propose(t, w.staffA, w.provA, "soc-daily", "助餐送餐", "3101", 1500)
		_ = pending
		for _, it := range []*anxin.CatalogueItem{city, putuo} {
			if err := db.ApproveItem(ctx, w.city, it.ID, it.Version); err != nil {
				t.Fatal(err)
			}
		}
		tx := func(f func(tx *store.Tx) error) {
			t.Helper()
			if err := db.Transact(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		tx(func(tx *store.Tx) error { return tx.RateProvider(ctx, w.provA.ID, 5) })
		tx(func(tx *store.Tx) error { return tx.RateProvider(ctx, w.provA.ID, 4) })
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RateProvider(ctx, w.provA.ID, 6) }); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("score 6: %v", err)
		}
		names := func(its []*anxin.CatalogueItem) []string {
			var out []string
			for _, it := range its {
				out = append(out, it.ProviderName)
			}
			return out
		}
		offers, err := db.OffersFor(ctx, w.operator, cat.ID, "310107005001")
		if err != nil {
			t.Fatal(err)
		}
		if got := names(offers); !slices.Equal(got, []string{"申城陪诊", "安康居家"}) {
			t.Fatalf("offers in 曹杨: %v", got)
		}
		if offers[1].Rating != 4.5 || offers[1].RatingCount != 2 || offers[1].PriceFen != 4000 {
			t.Errorf("rating %v (%d), price %d", offers[1].Rating, offers[1].RatingCount, offers[1].PriceFen)
		}
		offers, _ = db.OffersFor(ctx, w.operator, cat.ID, "310105011001") // 长宁: only the city-wide one
		if got := names(offers); !slices.Equal(got, []string{"安康居家"}) {
			t.Fatalf("offers in 长宁: %v", got)
		}
		// Outside the Putuo operator's area.
		_, err = db.OffersFor(ctx, w.putuoOp, cat.ID, "310105011001")
		wantCode(t, err, anxin.ENOTFOUND)
		// A suspended provider's items are not offered; reactivated, they are.
		pb, _ := db.FindProvider(ctx, w.platform, w.provB.ID)
		if err := db.ReviewProvider(ctx, w.city, w.provB.ID, pb.Version, anxin.ReviewSuspend, "投诉核查中"); err != nil {
			t.Fatal(err)
		}
		offers, _ = db.OffersFor(ctx, w.operator, cat.ID, "310107005001")
		if got := names(offers); !slices.Equal(got, []string{"安康居家"}) {
			t.Fatalf("offers with B suspended: %v", got)
		}
		// A suspended provider's staff cannot propose a price change.
		_, err = db.ProposePrice(ctx, w.staffB, putuo.ID, 0, 3500)
		wantCode(t, err, anxin.ECONFLICT)
		pb, _ = db.FindProvider(ctx, w.platform, w.provB.ID)
		if err := db.ReviewProvider(ctx, w.city, w.provB.ID, pb.Version, anxin.ReviewReactivate, ""); err != nil {
			t.Fatal(err)
		}
		// A disabled organisation's items are not offered either.
		a, _ := db.FindOrg(ctx, anxin.SystemScope(), w.provA.ID)
		a.Disabled = true
		if err := db.UpdateOrg(ctx, anxin.SystemScope(), a); err != nil {
			t.Fatal(err)
		}
		offers, _ = db.OffersFor(ctx, w.operator, cat.ID, "310107005001")
		if got := names(offers); !slices.Equal(got, []string{"申城陪诊"}) {
			t.Fatalf("offers with A disabled: %v", got)
		}
	})
}

// Two administrators approve the same price change at the same moment:
// exactly one succeeds, the other gets a conflict.
func TestCatalogueConcurrentApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newCatalogueWorld(t, db)
		it := w.propose(t, w.staffA, w.provA, "soc-housekeeping", "住家保姆", "3101", 650000)
		if err := db.ApproveItem(ctx, w.city, it.ID, it.Version); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		if _, err := db.ProposePrice(ctx, w.staffA, it.ID, it.Version, 680000); err != nil {
			t.Fatal(err)
		}
		it = w.item(t, it.ID)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, sc := range []anxin.Scope{w.city, w.platform} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.ApproveItem(ctx, sc, it.ID, it.Version)
			}()
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range errs {
			switch anxin.ErrorCode(err) {
			case "":
				ok++
			case anxin.ECONFLICT:
				conflict++
			default:
				t.Fatalf("approval: %v", err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("%d approvals, %d conflicts", ok, conflict)
		}
		hist, _ := db.FindPrices(ctx, w.platform, it.ID)
		if len(hist) != 2 || hist[0].Status != anxin.PriceApproved || w.item(t, it.ID).PriceFen != 680000 {
			t.Fatalf("after concurrent approval: %+v", hist)
		}
	})
}
