package store_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/gen"
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
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("ANXIN_BENCH_ELDERS")); err == nil && v > 0 {
		n = v
	}
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			db, _ := storetest.Open(b, engine)
			now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
			db.Now = func() time.Time { return now }
			committees, err := gen.Committees(ctx, db, "310107005")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := gen.New(7).Populate(ctx, db, committees, n, nil); err != nil {
				b.Fatal(err)
			}
			org := &anxin.Org{Kind: anxin.OrgHotline, Name: "热线", RegionCode: "3101"}
			if err := db.CreateOrg(ctx, anxin.SystemScope(), org); err != nil {
				b.Fatal(err)
			}
			sup := &anxin.Account{OrgID: org.ID, Username: "sup", Roles: []string{anxin.RoleSupervisor}, PasswordHash: "x"}
			if err := db.CreateAccount(ctx, anxin.SystemScope(), sup); err != nil {
				b.Fatal(err)
			}
			sup.Org = org
			sc := anxin.ScopeOf(sup)
			c := &anxin.Campaign{Name: "关爱", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-23", RegionCode: "310107005"}
			if err := db.CreateCampaign(ctx, sc, c); err != nil {
				b.Fatal(err)
			}
			tasks, err := db.BuildTasks(ctx, sc, c.ID)
			if err != nil {
				b.Fatal(err)
			}
			db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning)
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
