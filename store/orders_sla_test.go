package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
	"github.com/anxin-care/anxin/workcal"
)

func cst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workcal.Location())
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// TestSLAClocks takes an order on the Friday before the 2025 National Day
// holiday, dispatches it, and runs the SLA pass at later times — from a
// second handle on the same database, as after a restart: the warning and
// the breach of the acceptance clock come once each, at the working-time
// moments; the order becomes overdue and urgent; a pause shifts the
// clocks; completion stops them.
func TestSLAClocks(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			cfg := storetest.Config(t, engine)
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			now := cst("2025-09-26 15:00")
			db.Now = func() time.Time { return now }
			w := newOrderWorld(t, db)
			o := newServiceOrder(w.elder.ID)
			if err := db.CreateOrder(ctx, w.operator, o); err != nil {
				t.Fatal(err)
			}
			o, err = db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: w.providerOrg.ID})
			if err != nil {
				t.Fatal(err)
			}
			// Accept within 4 working hours: warn after 3 (Sunday 9/28, a
			// make-up working day, 09:00), breach at 10:00.
			if !o.NextDueAt.Equal(cst("2025-09-28 09:00")) {
				t.Fatalf("next due %v", o.NextDueAt.In(workcal.Location()))
			}
			db.Close()

			// "Restart": a new handle runs the pass.
			db2, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			run := func(at string, want int) {
				t.Helper()
				now = cst(at)
				db2.Now = func() time.Time { return now }
				n, err := db2.RunSLA(ctx, now)
				if err != nil || n != want {
					t.Fatalf("SLA pass at %s: %d points, %v; want %d", at, n, err, want)
				}
			}
			run("2025-09-27 23:00", 0) // Saturday: no working time passes
			run("2025-09-28 09:30", 1) // the warning
			run("2025-09-28 09:45", 0) // nothing new
			got, _ := db2.FindOrder(ctx, w.operator, o.ID)
			if got.Overdue || got.Urgency != anxin.UrgencyNormal || !got.NextDueAt.Equal(cst("2025-09-28 10:00")) {
				t.Fatalf("after the warning: overdue %v urgency %s next %v", got.Overdue, got.Urgency, got.NextDueAt)
			}
			run("2025-09-28 10:01", 1) // the breach
			got, _ = db2.FindOrder(ctx, w.operator, o.ID)
			if !got.Overdue || got.Urgency != anxin.UrgencyUrgent || !got.LateSince.Equal(cst("2025-09-28 10:00")) {
				t.Fatalf("after the breach: overdue %v urgency %s late since %v", got.Overdue, got.Urgency, got.LateSince)
			}
			overdue, total, _ := db2.FindOrders(ctx, w.operator, anxin.OrderFilter{Overdue: true})
			if total != 1 || overdue[0].ID != o.ID {
				t.Fatalf("overdue list %d", total)
			}
			events, _ := db2.OrderEvents(ctx, w.operator, o.ID)
			var kinds []string
			for _, e := range events {
				kinds = append(kinds, e.Action)
			}
			if join(kinds) != "create,dispatch,sla_warn,sla_breach" {
				t.Fatalf("timeline %s", join(kinds))
			}
			// Completion within 5 working days of intake: 10/10 17:30,
			// after the holiday. Pause on 10/9 08:30 for a working day:
			// due 10/11 (the make-up Saturday) 17:30.
			o, err = db2.ActOnOrder(ctx, w.provider, o.ID, anxin.OrderAction{Action: anxin.ActAccept, Version: got.Version})
			if err != nil {
				t.Fatal(err)
			}
			// Accepted 9/28 10:01, now urgent after the breach: start within
			// 1 working day (warn 9/29 13:45, due 9/29 17:30); completion
			// (from intake, normal policy) warns 9/30 17:30. The first pass
			// after the holiday reports the start's breach, dated when it
			// happened (its warning, overtaken, is skipped), and the
			// completion's warning.
			run("2025-10-09 08:00", 2)
			events, _ = db2.OrderEvents(ctx, w.operator, o.ID)
			if last := events[len(events)-2]; last.Action != "sla_breach" || last.Note != "start" || !last.At.Equal(cst("2025-09-29 17:30")) {
				t.Fatalf("start breach dated %v (%s %s), want when it happened", last.At.In(workcal.Location()), last.Action, last.Note)
			}
			if got, _ := db2.FindOrder(ctx, w.operator, o.ID); got.Urgency != anxin.UrgencyEmergency || !got.LateSince.Equal(cst("2025-09-28 10:00")) {
				t.Fatalf("after a second breach urgency %s, late since %v (want the first breach)", got.Urgency, got.LateSince)
			}
			now = cst("2025-10-09 08:30")
			o, err = db2.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActPause, Version: o.Version, Note: "老人要求下周再来"})
			if err != nil {
				t.Fatal(err)
			}
			if !o.NextDueAt.IsZero() {
				t.Fatalf("paused order has next due %v", o.NextDueAt)
			}
			run("2025-10-20 12:00", 0) // nothing runs while paused
			now = cst("2025-10-10 08:30")
			o, err = db2.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActResume, Version: o.Version})
			if err != nil {
				t.Fatal(err)
			}
			if !o.CompleteDueAt.Equal(cst("2025-10-11 17:30")) {
				t.Fatalf("complete due after the pause %v", o.CompleteDueAt.In(workcal.Location()))
			}
			// Completion stops the service clocks and starts the return
			// visit's: the order is an emergency by now (two breaches), so
			// the visit is due within a day, round the clock.
			for _, a := range []string{anxin.ActStart, anxin.ActComplete} {
				if o, err = db2.ActOnOrder(ctx, w.provider, o.ID, anxin.OrderAction{Action: a, Version: o.Version}); err != nil {
					t.Fatal(err)
				}
			}
			if o.Urgency != anxin.UrgencyEmergency || !o.NextDueAt.Equal(cst("2025-10-10 12:15")) {
				t.Fatalf("completed %s order next due %v", o.Urgency, o.NextDueAt.In(workcal.Location()))
			}
			run("2025-12-31 12:00", 1) // the visit's breach; its warning, overtaken, skipped
			// The visit made, the order closes and no clock runs.
			now = cst("2026-01-05 10:00")
			db2.Now = func() time.Time { return now }
			if _, err := db2.RecordReturnVisit(ctx, w.operator, o.ID, anxin.VisitResult{Reached: true, Score: 4}); err != nil {
				t.Fatal(err)
			}
			if got, _ := db2.FindOrder(ctx, w.operator, o.ID); got.State != anxin.StateClosed || !got.NextDueAt.IsZero() ||
				!got.LateSince.IsZero() || !got.Overdue {
				t.Fatalf("after the visit: %s, next due %v, late since %v, overdue %v", got.State, got.NextDueAt, got.LateSince, got.Overdue)
			}
			// Closed, it leaves the overdue list (and stays marked as
			// having been overdue).
			if _, total, err := db2.FindOrders(ctx, w.operator, anxin.OrderFilter{Overdue: true}); err != nil || total != 0 {
				t.Fatalf("overdue list after closing: %d, %v", total, err)
			}
		})
	}
}

// TestSLACatchUp leaves more than two batches of dispatched orders
// unattended for a month, then runs the SLA pass from two handles at once,
// as two nodes after an outage: every order ends overdue and late since its
// first deadline, each deadline's breach is recorded once (no order twice,
// none missed), and the points the two passes report add up to what the
// timelines hold.
func TestSLACatchUp(t *testing.T) {
	const orders = 450
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			cfg := storetest.Config(t, engine)
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			now := cst("2026-03-02 09:00")
			db.Now = func() time.Time { return now }
			w := newOrderWorld(t, db)
			var ids []int64
			for range orders {
				o := newServiceOrder(w.elder.ID)
				if err := db.CreateOrder(ctx, w.operator, o); err != nil {
					t.Fatal(err)
				}
				if _, err := db.ActOnOrder(ctx, w.operator, o.ID, anxin.OrderAction{Action: anxin.ActDispatch, Version: 1, OrgID: w.providerOrg.ID}); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, o.ID)
			}
			db2, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			later := cst("2026-04-01 09:00")
			var wg sync.WaitGroup
			var n [2]int
			var errs [2]error
			for i, h := range []*store.DB{db, db2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n[i], errs[i] = h.RunSLA(ctx, later)
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("passes: %v, %v", errs[0], errs[1])
			}
			recorded := 0
			for _, id := range ids {
				o, err := db.FindOrder(ctx, w.operator, id)
				if err != nil {
					t.Fatal(err)
				}
				// Dispatched at 09:00, accept within 4 working hours (the
				// lunch break not counted): late since 14:30 the same day.
				if !o.Overdue || !o.LateSince.Equal(cst("2026-03-02 14:30")) {
					t.Fatalf("order %d: overdue %v, late since %v", id, o.Overdue, o.LateSince.In(workcal.Location()))
				}
				events, err := db.OrderEvents(ctx, w.operator, id)
				if err != nil {
					t.Fatal(err)
				}
				seen := map[string]bool{}
				for _, e := range events {
					if e.Action != "sla_breach" && e.Action != "sla_warn" {
						continue
					}
					if seen[e.Action+e.Note] {
						t.Fatalf("order %d: %s %s recorded twice", id, e.Action, e.Note)
					}
					seen[e.Action+e.Note] = true
					recorded++
				}
				if !seen["sla_breachaccept"] || !seen["sla_breachcomplete"] {
					t.Fatalf("order %d: breaches %v", id, seen)
				}
			}
			if n[0]+n[1] != recorded {
				t.Fatalf("passes reported %d + %d points, timelines hold %d", n[0], n[1], recorded)
			}
			if again, err := db2.RunSLA(ctx, later); err != nil || again != 0 {
				t.Fatalf("a second pass acted on %d points, %v", again, err)
			}
			_, total, err := db.FindOrders(ctx, w.operator, anxin.OrderFilter{Overdue: true, Sort: "due"})
			if err != nil || total != orders {
				t.Fatalf("overdue list %d, %v", total, err)
			}
		})
	}
}
