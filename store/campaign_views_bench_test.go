package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// BenchmarkCampaignViews times what the console reads of a street's
// campaign of ANXIN_BENCH_ELDERS elders (default 20,000) with a quarter of
// them called: the supervisor's live figures, the list's progress, an
// operator's return to the workspace (HeldAttempt, which reads her
// leases) and the failed tasks; then an operator's next
// task, and again with store.MaxAssigned tasks at the head of the line
// assigned to someone else (which her walk passes over). On each engine
// under test:
//
//	go test ./store -run '^$' -bench CampaignViews -benchtime 20x
func BenchmarkCampaignViews(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			street := newBenchStreet(b, engine, &anxin.Org{Kind: anxin.OrgStreet, Name: "曹杨新村街道办事处", RegionCode: "310107005"})
			db := street.db
			acc := street.account(b, "staff", anxin.RoleCommunity)
			sc := anxin.ScopeOf(acc)
			c := &anxin.Campaign{Name: "保供", Type: anxin.CampaignSupply, Mode: anxin.DialPreview, StartsOn: "2026-11-23"}
			tasks := street.running(b, sc, c)
			disps := []string{anxin.DispCompleted, anxin.DispNoAnswer, anxin.DispRefused, anxin.DispBusy}
			for i := 0; i < tasks/4; i++ {
				owner := store.OperatorOwner(int64(1 + i%20))
				a, err := db.NextTask(ctx, c.ID, owner, 15*time.Minute)
				if err != nil || a == nil {
					b.Fatalf("lease %d: %v", i, err)
				}
				if _, err := db.FinishAttempt(ctx, a.ID, owner, disps[i%len(disps)], time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
			held, err := db.NextTask(ctx, c.ID, "account:99", 15*time.Minute)
			if err != nil || held == nil {
				b.Fatal(err)
			}
			for _, q := range []struct {
				name string
				f    func() error
			}{
				{"stats", func() error { _, err := db.CampaignStats(ctx, sc, c.ID); return err }},
				{"progress", func() error { _, err := db.CampaignsProgress(ctx, sc, []int64{c.ID}); return err }},
				{"held", func() error {
					a, err := db.HeldAttempt(ctx, c.ID, "account:99")
					if err == nil && (a == nil || a.ID != held.ID) {
						err = fmt.Errorf("held %+v", a)
					}
					return err
				}},
				{"failed", func() error { _, err := db.FindTasks(ctx, sc, c.ID, anxin.TaskFailed, 50); return err }},
			} {
				b.Run(fmt.Sprintf("%s/%dtasks", q.name, tasks), func(b *testing.B) {
					for b.Loop() {
						if err := q.f(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			// Each lease is a new operator's, of a task nobody holds.
			op := 1000
			next := func(b *testing.B) {
				for b.Loop() {
					op++
					if a, err := db.NextTask(ctx, c.ID, store.OperatorOwner(int64(op)), 15*time.Minute); err != nil || a == nil {
						b.Fatalf("lease: %+v %v", a, err)
					}
				}
			}
			b.Run(fmt.Sprintf("next/%dtasks", tasks), next)
			if _, err := db.ReassignTasks(ctx, sc, c.ID, store.Reassignment{To: acc.ID, Count: store.MaxAssigned}); err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("next-past-%dassigned/%dtasks", store.MaxAssigned, tasks), next)
		})
	}
}
