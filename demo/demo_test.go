package demo_test

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		logins, err := demo.Load(ctx, db, password.Hasher{P: password.Fast})
		if err != nil {
			t.Fatal(err)
		}
		roles := map[string]bool{}
		for _, l := range logins {
			a, err := db.AccountByUsername(ctx, l.Username)
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := password.Verify(a.PasswordHash, l.Password); !ok {
				t.Errorf("%s: printed password does not match", l.Username)
			}
			for _, r := range l.Roles {
				roles[r] = true
			}
		}
		for _, r := range anxin.Roles {
			if !roles[r] {
				t.Errorf("no demo account with role %s", r)
			}
		}
		streets, _, err := db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Kind: anxin.OrgStreet})
		if err != nil || len(streets) != 4 {
			t.Fatalf("%d street offices, %v", len(streets), err)
		}
		names := []string{}
		for _, s := range streets {
			names = append(names, s.Name)
		}
		if !slices.Contains(names, "曹杨新村街道办事处") {
			t.Errorf("street offices: %v", names)
		}
		committees, n, _ := db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Kind: anxin.OrgCommittee, Within: "310107005"})
		if n < 10 || len(committees) != n {
			t.Errorf("曹杨新村 has %d committee organisations", n)
		}
		if _, err := demo.Load(ctx, db, password.Hasher{P: password.Fast}); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("second load: %v", err)
		}

		// The elders live in the pilot streets' committees.
		all, err := db.CountElders(ctx)
		if err != nil || all != demo.DefaultElders {
			t.Fatalf("%d demo elders, %v", all, err)
		}
		inPilot := 0
		for _, street := range demo.PilotStreets {
			_, n, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Within: street, Limit: 1})
			if err != nil || n < demo.DefaultElders/10 {
				t.Errorf("street %s has %d elders, %v", street, n, err)
			}
			inPilot += n
		}
		if inPilot != all {
			t.Errorf("%d of %d elders in the pilot streets", inPilot, all)
		}
		es, _, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Within: demo.PilotStreets[0], Limit: 5})
		if err != nil || len(es) != 5 || es[0].Name == "" || es[0].RegionName == "" {
			t.Fatalf("elders of 曹杨新村: %v", err)
		}

		// Three months of work orders, in every state of the loop.
		count := func(f anxin.OrderFilter) int {
			t.Helper()
			f.Limit = 1
			_, n, err := db.FindOrders(ctx, anxin.SystemScope(), f)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(anxin.OrderFilter{Types: []string{anxin.TypeService, anxin.TypeSupply, anxin.TypeConsultation, anxin.TypeEscalation}}); n < demo.DefaultOrders*9/10 {
			t.Errorf("%d demo orders of the hotline", n)
		}
		for _, st := range []string{anxin.StateNew, anxin.StateDispatched, anxin.StateAccepted, anxin.StateInService, anxin.StateCompleted, anxin.StateClosed, anxin.StateCancelled} {
			if n := count(anxin.OrderFilter{States: []string{st}}); n == 0 {
				t.Errorf("no demo order is %s", st)
			}
		}
		if n := count(anxin.OrderFilter{Overdue: true, Open: true}); n == 0 {
			t.Error("no demo order is overdue")
		}
		complaints, _, err := db.FindOrders(ctx, anxin.SystemScope(), anxin.OrderFilter{Types: []string{anxin.TypeComplaint}, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		fromVisits := 0
		for _, c := range complaints {
			if c.ParentID != 0 {
				fromVisits++
			}
		}
		if fromVisits == 0 {
			t.Error("no low return-visit score opened a complaint")
		}

		checkDemoCampaigns(t, db)
	})
}

// checkDemoCampaigns checks the demo's campaigns: the pilot streets' supply
// check partly worked in preview mode (answers that made supply orders and
// one urgent escalation, elders still to call), with the seed's question
// in Shanghainese; the agentless wellness check in draft with a script the
// machine can ask; the return visits fed from completed orders, their
// first calls recording visits and one complaint.
func checkDemoCampaigns(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	cs, err := db.FindCampaigns(ctx, anxin.SystemScope())
	if err != nil || len(cs) != 3 {
		t.Fatalf("%d demo campaigns, %v", len(cs), err)
	}
	byType := map[string]*anxin.Campaign{}
	for _, c := range cs {
		byType[c.Type] = c
	}
	supply, wellness, visits := byType[anxin.CampaignSupply], byType[anxin.CampaignWellness], byType[anxin.CampaignSatisfaction]
	if supply == nil || wellness == nil || visits == nil {
		t.Fatalf("demo campaigns: %+v", cs)
	}
	if supply.State != anxin.CampaignRunning || supply.Mode != anxin.DialPreview || wellness.State != anxin.CampaignDraft || wellness.Mode != anxin.DialAgentless {
		t.Errorf("supply %s/%s, wellness %s/%s", supply.State, supply.Mode, wellness.State, wellness.Mode)
	}
	st, err := db.CampaignStats(ctx, anxin.SystemScope(), supply.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("supply check: %d tasks %v, dispositions %v, orders %v", st.Tasks, st.States, st.Dispositions, st.Orders)
	if st.States[anxin.TaskDone] < 20 || st.States[anxin.TaskPending] < 20 {
		t.Errorf("supply check is not partly done: %v", st.States)
	}
	if st.Orders[anxin.TypeSupply] < 5 || st.Orders[anxin.TypeEscalation] != 1 {
		t.Errorf("supply check made orders %v, want supply orders and one escalation", st.Orders)
	}
	if st.Dispositions[anxin.DispNoAnswer] == 0 || st.Dispositions[anxin.DispCompleted] == 0 || len(st.Callers) != 2 {
		t.Errorf("dispositions %v, %d callers", st.Dispositions, len(st.Callers))
	}
	script, err := db.Script(ctx, supply.ScriptID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if q, _ := script.Question("supplies"); !strings.Contains(q.Text[anxin.LangShanghainese], "侬屋里厢") {
		t.Errorf("the supply question in Shanghainese: %q", q.Text[anxin.LangShanghainese])
	}
	ws, err := db.Script(ctx, wellness.ScriptID, 0)
	if err != nil || !ws.IVRCapable() {
		t.Errorf("the wellness script is not one the machine can ask (%v)", err)
	}
	if n, err := db.CountTarget(ctx, anxin.SystemScope(), wellness); err != nil || n < 50 {
		t.Errorf("the wellness check targets %d elders, %v", n, err)
	}

	vst, err := db.CampaignStats(ctx, anxin.SystemScope(), visits.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("return visits: %d tasks %v, dispositions %v, orders %v", vst.Tasks, vst.States, vst.Dispositions, vst.Orders)
	if visits.State != anxin.CampaignRunning || vst.States[anxin.TaskDone] < 5 || vst.States[anxin.TaskPending] < 10 {
		t.Errorf("return visits %s, tasks %v: want running, some done, more to call", visits.State, vst.States)
	}
	// The unhappy elder's call recorded her order's visit, which opened a
	// complaint about the order with her words.
	complaints, _, err := db.FindOrders(ctx, anxin.SystemScope(), anxin.OrderFilter{Types: []string{anxin.TypeComplaint}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, c := range complaints {
		if c.ParentID != 0 && strings.Contains(c.Description, "晚了两个多小时") {
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d complaints from the demo's unhappy return-visit call, want 1", found)
	}
}

func TestLoadWithoutElders(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountElders(ctx); err != nil || n != 0 {
		t.Fatalf("%d elders, %v", n, err)
	}
}

// BenchmarkLoad measures a demo load with and without its elders, which
// every web test pays.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{0, demo.DefaultElders} {
		b.Run(fmt.Sprintf("elders=%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db, _ := storetest.Open(b, store.SQLite)
				b.StartTimer()
				if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{Elders: n}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The demo catalogue: a few dozen approved items across the families by
// approved providers, what waits for approval, and offers for an elder of
// 曹杨新村 in every family.
func TestLoadCatalogue(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
			t.Fatal(err)
		}
		sc := anxin.SystemScope()
		items, total, err := db.FindItems(ctx, sc, anxin.ItemFilter{Offered: true, Limit: 1000})
		if err != nil || total < 30 {
			t.Fatalf("%d offered items, %v", total, err)
		}
		families := map[string]int{}
		prices := map[string]int64{}
		for _, it := range items {
			families[it.Family]++
			prices[it.Name] = it.PriceFen
		}
		if families[anxin.FamilyGovernment] < 5 || families[anxin.FamilySocial] < 10 || families[anxin.FamilySupply] < 5 {
			t.Errorf("items per family: %v", families)
		}
		for name, fen := range map[string]int64{"住家保姆": 650000, "蔬菜套餐": 5000, "水果套餐": 5000, "钟点工（做饭、保洁）": 4500, "家庭病床建床": 0} {
			if got, ok := prices[name]; !ok || got != fen {
				t.Errorf("%s costs %d (listed %v), want %d", name, got, ok, fen)
			}
		}
		_, waiting, _ := db.FindItems(ctx, sc, anxin.ItemFilter{Waiting: true})
		if waiting != 2 {
			t.Errorf("%d items waiting for approval, want a new item and a price change", waiting)
		}
		applied, _, _ := db.FindProviders(ctx, sc, anxin.ProviderFilter{Status: anxin.ProviderApplied})
		approved, _, _ := db.FindProviders(ctx, sc, anxin.ProviderFilter{Status: anxin.ProviderApproved, Kind: anxin.OrgSupplier})
		if len(applied) != 1 || len(approved) != 3 {
			t.Errorf("%d providers waiting, %d suppliers approved", len(applied), len(approved))
		}
		docs, err := db.FindProviderDocuments(ctx, sc, approved[0].OrgID)
		if err != nil || len(docs) != 1 || docs[0].ContentType != "application/pdf" {
			t.Errorf("documents: %v, %v", docs, err)
		}
		cats, _ := db.FindCategories(ctx, "", false)
		found := map[string]bool{}
		for _, c := range cats {
			offers, err := db.OffersFor(ctx, sc, c.ID, "310107005001")
			if err != nil {
				t.Fatal(err)
			}
			if len(offers) > 0 {
				found[c.Family] = true
			}
		}
		if len(found) != 3 {
			t.Errorf("offers in 曹杨新村 in families %v", found)
		}
	})
}

// TestLoadTelephony: the demo takes calls from this machine to the city
// and district hotlines, and every operator has a phone extension whose
// printed password matches the stored digest secret.
func TestLoadTelephony(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	logins, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trunks, err := db.Trunks(ctx)
	if err != nil || len(trunks) != 1 || !trunks[0].Peers[0].Contains(netip.MustParseAddr("127.0.0.1")) {
		t.Fatalf("trunks %+v %v", trunks, err)
	}
	for _, n := range []string{demo.CityHotline, demo.DistrictHotline} {
		if _, err := db.RouteDID(ctx, n); err != nil {
			t.Errorf("hotline %s: %v", n, err)
		}
	}
	dm, err := db.DIDMenus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	menus, _ := db.Menus(ctx)
	byID := map[int64]*anxin.Menu{}
	for _, m := range menus {
		byID[m.ID] = m
	}
	if m := byID[dm[demo.CityHotline]]; m == nil || m.Prompt != "main_menu" || len(m.Options) != 3 {
		t.Errorf("city hotline menu %+v", m)
	}
	if m := byID[dm[demo.DistrictHotline]]; m == nil || m.Prompt != "dialect_choice" || m.Options[1].Target != anxin.LangShanghainese {
		t.Errorf("district hotline menu %+v", m)
	}
	phones := 0
	for _, l := range logins {
		if l.Extension == "" {
			continue
		}
		phones++
		_, ha1, err := db.ExtensionSecret(ctx, l.Extension)
		if err != nil || ha1 != sipua.HA1(l.Extension, demo.SIPRealm, l.SIPPassword) {
			t.Errorf("extension %s of %s: %v", l.Extension, l.Username, err)
		}
	}
	if phones != 3 {
		t.Fatalf("%d operators with phones, want 3", phones)
	}
}
