package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
	"github.com/anxin-care/anxin/workcal"
)

// The SLA policies start as the shipped defaults. A platform administrator
// shortens the completion time of normal service requests: orders taken
// from then on get the new deadline, orders taken before keep theirs, a
// second node counts on it after its next LoadCalendar, and a reset brings
// the default back.
func TestSLAPolicies(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			cfg := storetest.Config(t, engine)
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			now := cst("2027-03-01 09:00") // a Monday
			db.Now = func() time.Time { return now }
			if err := db.LoadCalendar(ctx); err != nil {
				t.Fatal(err)
			}
			all, err := db.SLAPolicies(ctx)
			if err != nil || len(all) != len(anxin.OrderTypes)*len(anxin.OrderUrgencies) {
				t.Fatalf("%d policies, %v", len(all), err)
			}
			for i, want := range sla.Defaults() {
				if p := all[i]; p.Custom || p.Policy != want || p.Default != want {
					t.Errorf("policy %d: %+v, want the default %+v", i, p, want)
				}
			}

			w := newOrderWorld(t, db)
			platform := mustCreateOrg(t, db, anxin.OrgPlatform, "平台", "")
			admin := anxin.ScopeOf(mustCreateAccount(t, db, platform, "sla-admin", anxin.RoleAdmin))
			newOrder := func() *anxin.Order {
				t.Helper()
				o := newServiceOrder(w.elder.ID)
				if err := db.CreateOrder(ctx, w.operator, o); err != nil {
					t.Fatal(err)
				}
				o, err := db.FindOrder(ctx, w.operator, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				return o
			}
			before := newOrder()
			if !before.CompleteDueAt.Equal(cst("2027-03-08 17:30")) { // 5 working days
				t.Fatalf("default: complete by %v", before.CompleteDueAt.In(workcal.Location()))
			}

			p, err := db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyNormal)
			if err != nil {
				t.Fatal(err)
			}
			next := p.Policy
			next.Complete = workcal.Budget{Days: 2}
			next.Accept = workcal.Budget{Working: 2 * time.Hour}
			next.RoundTheClock = true
			if err := db.SetSLAPolicy(ctx, admin, next); err != nil {
				t.Fatal(err)
			}
			after := newOrder()
			// Round the clock, two days are 48 hours.
			if !after.CompleteDueAt.Equal(cst("2027-03-03 09:00")) {
				t.Fatalf("changed: complete by %v", after.CompleteDueAt.In(workcal.Location()))
			}
			got, err := db.FindOrder(ctx, w.operator, before.ID)
			if err != nil || !got.CompleteDueAt.Equal(before.CompleteDueAt) {
				t.Fatalf("the order taken before moved to %v (%v)", got.CompleteDueAt, err)
			}
			p, err = db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyNormal)
			if err != nil || !p.Custom || p.Policy != next || p.UpdatedBy == "" || !p.UpdatedAt.Equal(now) || p.Default != sla.Defaults()[0] {
				t.Fatalf("after the change: %+v, %v", p, err)
			}
			// The other policies are untouched.
			if p, _ := db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyUrgent); p.Custom {
				t.Fatalf("service/urgent changed too: %+v", p)
			}

			// A second node sees the change after its next LoadCalendar.
			db2, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			if p, _ := db2.Clocks().Policy(anxin.TypeService, anxin.UrgencyNormal); p.Complete != (workcal.Budget{Days: 5}) {
				t.Fatalf("second node before loading: %+v", p)
			}
			if err := db2.LoadCalendar(ctx); err != nil {
				t.Fatal(err)
			}
			p2, c2 := db2.Clocks().Policy(anxin.TypeService, anxin.UrgencyNormal)
			if p2 != next || c2 != (workcal.Continuous{}) {
				t.Fatalf("second node after loading: %+v on %T", p2, c2)
			}

			// Reset: the default again, here and on the second node.
			if err := db.ResetSLAPolicy(ctx, admin, anxin.TypeService, anxin.UrgencyNormal); err != nil {
				t.Fatal(err)
			}
			if o := newOrder(); !o.CompleteDueAt.Equal(before.CompleteDueAt) {
				t.Fatalf("reset: complete by %v", o.CompleteDueAt.In(workcal.Location()))
			}
			if p, _ := db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyNormal); p.Custom || p.Policy != p.Default {
				t.Fatalf("after the reset: %+v", p)
			}
			if err := db2.LoadCalendar(ctx); err != nil {
				t.Fatal(err)
			}
			if p, _ := db2.Clocks().Policy(anxin.TypeService, anxin.UrgencyNormal); p != sla.Defaults()[0] {
				t.Fatalf("second node after the reset: %+v", p)
			}
			// Resetting a default policy does nothing; saving the default
			// stores nothing.
			if err := db.ResetSLAPolicy(ctx, admin, anxin.TypeService, anxin.UrgencyNormal); err != nil {
				t.Fatal(err)
			}
			if err := db.SetSLAPolicy(ctx, admin, sla.Defaults()[0]); err != nil {
				t.Fatal(err)
			}
			if p, _ := db.SLAPolicy(ctx, anxin.TypeService, anxin.UrgencyNormal); p.Custom {
				t.Fatalf("saving the default stored a change: %+v", p)
			}
		})
	}
}

// Only platform administrators change the policies, and only to policies
// the clocks can run.
func TestSLAPolicyRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "长宁区为老服务热线", "310105")
		districtAdmin := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "cn-admin", anxin.RoleAdmin))
		admin := anxin.SystemScope()
		service := sla.Defaults()[0]
		var consultation sla.Policy
		for _, p := range sla.Defaults() {
			if p.Type == anxin.TypeConsultation && p.Urgency == anxin.UrgencyNormal {
				consultation = p
			}
		}
		edit := func(p sla.Policy, f func(p *sla.Policy)) sla.Policy {
			f(&p)
			return p
		}
		shorter := edit(service, func(p *sla.Policy) { p.Complete = workcal.Budget{Days: 1} })
		wantCode(t, db.SetSLAPolicy(ctx, w.operator, shorter), anxin.EFORBIDDEN)
		wantCode(t, db.SetSLAPolicy(ctx, districtAdmin, shorter), anxin.EFORBIDDEN)
		wantCode(t, db.ResetSLAPolicy(ctx, districtAdmin, service.Type, service.Urgency), anxin.EFORBIDDEN)

		tests := []struct {
			name string
			p    sla.Policy
		}{
			{"unknown type", edit(service, func(p *sla.Policy) { p.Type = "repair" })},
			{"unknown urgency", edit(service, func(p *sla.Policy) { p.Urgency = "whenever" })},
			{"negative budget", edit(service, func(p *sla.Policy) { p.Accept = workcal.Budget{Working: -time.Hour} })},
			{"too many days", edit(service, func(p *sla.Policy) { p.Complete = workcal.Budget{Days: 61} })},
			{"too many hours", edit(service, func(p *sla.Policy) { p.Start = workcal.Budget{Working: 1001 * time.Hour} })},
			{"seconds", edit(service, func(p *sla.Policy) { p.Accept = workcal.Budget{Working: 90 * time.Second} })},
			{"service without completion", edit(service, func(p *sla.Policy) { p.Complete = workcal.Budget{} })},
			{"service with a reply time", edit(service, func(p *sla.Policy) { p.Reply = workcal.Budget{Days: 1} })},
			{"consultation without reply", edit(consultation, func(p *sla.Policy) { p.Reply = workcal.Budget{} })},
			{"consultation with completion", edit(consultation, func(p *sla.Policy) { p.Complete = workcal.Budget{Days: 1} })},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantCode(t, db.SetSLAPolicy(ctx, admin, tt.p), anxin.EINVALID)
			})
		}
		wantCode(t, db.ResetSLAPolicy(ctx, admin, "repair", anxin.UrgencyNormal), anxin.EINVALID)
		_, err := db.SLAPolicy(ctx, "repair", anxin.UrgencyNormal)
		wantCode(t, err, anxin.ENOTFOUND)
		all, err := db.SLAPolicies(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range all {
			if p.Custom {
				t.Errorf("a refused edit was stored: %+v", p)
			}
		}
	})
}

// A stored policy that does not parse (edited by hand in the database)
// leaves the clocks as they were and says which row is wrong.
func TestSLAPolicyStoredInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		admin := anxin.SystemScope()
		p := sla.Defaults()[0]
		p.Complete = workcal.Budget{Days: 2}
		if err := db.SetSLAPolicy(ctx, admin, p); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecWriter(ctx, "UPDATE sla_policies SET accept = 'soon'"); err != nil {
			t.Fatal(err)
		}
		err := db.LoadCalendar(ctx)
		wantCode(t, err, anxin.EINVALID)
		wantContains(t, err.Error(), "service/normal")
		if got, _ := db.Clocks().Policy(p.Type, p.Urgency); got != p {
			t.Fatalf("clocks after a failed load: %+v", got)
		}
	})
}
