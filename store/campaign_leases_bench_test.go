package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// BenchmarkLeaseUpkeep times the store work a node does to keep its calls'
// leases while a campaign of ANXIN_BENCH_ELDERS elders (default 20,000)
// runs: the agentless dialler holds 50 tasks and extends them, an operator
// of the progressive dialler extends her one, and both are looked up as a
// restart would (releasing nothing, since all are still held). Each
// operation should read only the leased rows, however large the campaign:
//
//	ANXIN_BENCH_ELDERS=300000 go test ./store -run '^$' -bench LeaseUpkeep -benchtime 50x
func BenchmarkLeaseUpkeep(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			street := newBenchStreet(b, engine, &anxin.Org{Kind: anxin.OrgHotline, Name: "热线", RegionCode: "3101"})
			db := street.db
			sup := street.account(b, "sup", anxin.RoleSupervisor)
			sc := anxin.ScopeOf(sup)
			c := &anxin.Campaign{Name: "关爱", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-23", RegionCode: "310107005"}
			tasks := street.running(b, sc, c)
			const node = "node:bench"
			for i := 0; i < 50; i++ {
				if a, err := db.NextTask(ctx, c.ID, node, time.Hour); err != nil || a == nil {
					b.Fatalf("lease %d: %+v %v", i, a, err)
				}
			}
			operator := store.OperatorOwner(sup.ID)
			if a, err := db.NextTask(ctx, c.ID, operator, time.Hour); err != nil || a == nil {
				b.Fatalf("operator's lease: %+v %v", a, err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if k, err := db.ExtendLeases(ctx, node, time.Hour); err != nil || k != 50 {
					b.Fatalf("extended %d of the node's 50: %v", k, err)
				}
				if k, err := db.ExtendLeases(ctx, operator, time.Hour); err != nil || k != 1 {
					b.Fatalf("extended %d of the operator's 1: %v", k, err)
				}
				if k, err := db.ReleaseLeases(ctx, "node:gone"); err != nil || k != 0 {
					b.Fatalf("released %d for a node holding none: %v", k, err)
				}
			}
			b.ReportMetric(float64(tasks), "tasks")
		})
	}
}
