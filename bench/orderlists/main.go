// Command orderlists measures work-order lists and the SLA pass on a large
// SQLite or PostgreSQL database (issue 4: with 1,000,000 orders, filtered
// lists p95 < 50 ms; an SLA pass < 1 s).
//
//	go run ./bench/orderlists -data DIR -fill 1000000   # play orders until the database holds that many
//	go run ./bench/orderlists -data DIR                 # measure
//
// The database must hold the demo dataset (`anxin demo`): -fill plays more
// orders of the demo's kind through the store (demo.PlayOrders), dated over
// the last 90 days. Measuring times store.FindOrders, as the console's
// lists call it, for the saved views and common filters, in the city
// hotline's scope, a street's and a supplier's (each query once after a
// warm-up pass; p50, p95, max), then the SLA pass: once with nothing new
// due, and once an hour later, with what that hour brings due.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/store"
)

func main() {
	data := flag.String("data", "", "SQLite data directory")
	url := flag.String("database", "", "PostgreSQL URL instead of -data")
	fill := flag.Int("fill", 0, "play orders until the database holds this many")
	samples := flag.Int("samples", 200, "queries per kind")
	flag.Parse()
	if err := run(context.Background(), store.Config{DataDir: *data, URL: *url}, *fill, *samples); err != nil {
		fmt.Fprintln(os.Stderr, "orderlists:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg store.Config, fill, samples int) error {
	db, err := store.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.LoadCalendar(ctx); err != nil {
		return err
	}
	have, err := db.CountOrders(ctx) // FindOrders counts only to 10,001
	if err != nil {
		return err
	}
	if fill > have {
		t0 := time.Now()
		err := demo.PlayOrders(ctx, db, fill-have, uint64(have)+1, time.Now().UTC(), func(done int) {
			if done%20000 == 0 {
				fmt.Fprintf(os.Stderr, "orderlists: %d orders played, %.0f/s\n", done, float64(done)/time.Since(t0).Seconds())
			}
		})
		if err != nil {
			return err
		}
		fmt.Printf("played %d orders in %s (%.0f/s)\n", fill-have, time.Since(t0).Round(time.Second), float64(fill-have)/time.Since(t0).Seconds())
		if err := db.AnalyzeOrders(ctx); err != nil {
			return err
		}
		return nil
	}
	return measure(ctx, db, have, samples)
}

func measure(ctx context.Context, db *store.DB, have, samples int) error {
	city, err := scopeOf(ctx, db, "operator1")
	if err != nil {
		return err
	}
	street, err := scopeOf(ctx, db, "street1")
	if err != nil {
		return err
	}
	supplier, err := scopeOf(ctx, db, "supplier1")
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	elders, _, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Limit: 1000})
	if err != nil {
		return err
	}
	orgs, _, err := db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Limit: 1000})
	if err != nil {
		return err
	}
	var providers []int64
	for _, o := range orgs {
		if o.Kind == anxin.OrgProvider || o.Kind == anxin.OrgSupplier {
			providers = append(providers, o.ID)
		}
	}
	kinds := []struct {
		name string
		sc   anxin.Scope
		f    func() anxin.OrderFilter
	}{
		{"city: open, newest first", city, func() anxin.OrderFilter { return anxin.OrderFilter{Open: true} }},
		{"city: open, page 20", city, func() anxin.OrderFilter { return anxin.OrderFilter{Open: true, Offset: 950} }},
		{"city: overdue, longest late first", city, func() anxin.OrderFilter { return anxin.OrderFilter{Overdue: true, Sort: "due"} }},
		{"city: overdue, page 20", city, func() anxin.OrderFilter { return anxin.OrderFilter{Overdue: true, Sort: "due", Offset: 950} }},
		{"city: awaiting return visit", city, func() anxin.OrderFilter { return anxin.OrderFilter{States: []string{anxin.StateCompleted}} }},
		{"city: complaints", city, func() anxin.OrderFilter { return anxin.OrderFilter{Types: []string{anxin.TypeComplaint}} }},
		{"city: all, newest first", city, func() anxin.OrderFilter { return anxin.OrderFilter{} }},
		{"city: mine", city, func() anxin.OrderFilter { return anxin.OrderFilter{CreatedByID: city.AccountID} }},
		{"city: one elder's orders", city, func() anxin.OrderFilter {
			return anxin.OrderFilter{ElderID: elders[r.IntN(len(elders))].ID}
		}},
		{"city: elder name", city, func() anxin.OrderFilter { return anxin.OrderFilter{Query: elders[r.IntN(len(elders))].Name} }},
		{"city: number prefix", city, func() anxin.OrderFilter {
			d := time.Now().AddDate(0, 0, -r.IntN(90)).Format("20060102")
			return anxin.OrderFilter{Query: "GD" + d}
		}},
		{"street: open", street, func() anxin.OrderFilter { return anxin.OrderFilter{Open: true} }},
		{"street: overdue", street, func() anxin.OrderFilter { return anxin.OrderFilter{Overdue: true, Sort: "due"} }},
		{"city: urgent, one provider's", city, func() anxin.OrderFilter {
			return anxin.OrderFilter{Urgency: anxin.UrgencyUrgent, AssigneeOrgID: providers[r.IntN(len(providers))]}
		}},
		{"city: one committee's open", city, func() anxin.OrderFilter {
			return anxin.OrderFilter{Open: true, Within: elders[r.IntN(len(elders))].RegionCode}
		}},
		{"supplier: its open orders", supplier, func() anxin.OrderFilter { return anxin.OrderFilter{Open: true} }},
	}
	fmt.Printf("%d orders\n\n| scope: list | n | p50 | p95 | max | total (avg) |\n|---|---:|---:|---:|---:|---:|\n", have)
	for _, k := range kinds {
		for range 3 { // warm up
			if _, _, err := db.FindOrders(ctx, k.sc, k.f()); err != nil {
				return err
			}
		}
		var lat []time.Duration
		totals := 0
		for range samples {
			f := k.f()
			t0 := time.Now()
			_, total, err := db.FindOrders(ctx, k.sc, f)
			if err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
			totals += total
		}
		slices.Sort(lat)
		fmt.Printf("| %s | %d | %s | %s | %s | %d |\n", k.name, len(lat), ms(lat[len(lat)/2]), ms(lat[len(lat)*95/100]), ms(lat[len(lat)-1]), totals/len(lat))
	}
	for _, k := range []struct {
		name string
		sc   anxin.Scope
	}{{"city", city}, {"street", street}} {
		var lat []time.Duration
		for range samples {
			t0 := time.Now()
			if _, err := db.FindNotifications(ctx, k.sc, 10); err != nil {
				return err
			}
			if _, err := db.CountUnread(ctx, k.sc, time.Now().AddDate(0, 0, -r.IntN(30))); err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
		}
		slices.Sort(lat)
		fmt.Printf("| %s: home page alerts (10 newest, unread count) | %d | %s | %s | %s | |\n", k.name, len(lat), ms(lat[len(lat)/2]), ms(lat[len(lat)*95/100]), ms(lat[len(lat)-1]))
	}
	now := time.Now().UTC()
	for _, step := range []struct {
		name string
		at   time.Time
	}{{"now (caught up)", now}, {"again, nothing due", now}, {"an hour later", now.Add(time.Hour)}, {"a day later", now.Add(24 * time.Hour)}} {
		t0 := time.Now()
		n, err := db.RunSLA(ctx, step.at)
		if err != nil {
			return err
		}
		fmt.Printf("SLA pass %-20s: %d points in %s\n", step.name, n, time.Since(t0).Round(time.Millisecond))
	}
	return nil
}

func scopeOf(ctx context.Context, db *store.DB, username string) (anxin.Scope, error) {
	a, err := db.AccountByUsername(ctx, username)
	if err != nil {
		return anxin.Scope{}, err
	}
	return anxin.ScopeOf(a), nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }
