package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// BenchmarkProgressiveRound times what one round of the progressive
// dialler asks the store each second for a street's progressive campaign
// of ANXIN_BENCH_ELDERS elders (default 20,000) worked by 20 operators,
// all ready and each holding a task (recording an elder's answers), and
// one more ready operator holding none: the ready operators, whether a
// task is due, a refused claim for each of the 20, and the 21st claimed
// and given back. On each engine under test:
//
//	go test ./store -run '^$' -bench ProgressiveRound -benchtime 20x
func BenchmarkProgressiveRound(b *testing.B) {
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			street := newBenchStreet(b, engine, &anxin.Org{Kind: anxin.OrgHotline, Name: "热线", RegionCode: "3101"})
			db := street.db
			newAccount := func(name, role string) *anxin.Account { return street.account(b, name, role) }
			sc := anxin.ScopeOf(newAccount("sup", anxin.RoleSupervisor))
			c := &anxin.Campaign{Name: "保供", Type: anxin.CampaignSupply, Mode: anxin.DialProgressive, StartsOn: "2026-11-23", RegionCode: "310107005"}
			tasks := street.running(b, sc, c)
			var ops []int64
			for i := 0; i < 20; i++ {
				op := newAccount(fmt.Sprintf("op%d", i), anxin.RoleOperator)
				if _, err := db.MoveAgent(ctx, op.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
					b.Fatal(err)
				}
				if err := db.JoinCampaign(ctx, op.ID, c.ID); err != nil {
					b.Fatal(err)
				}
				if a, err := db.NextTask(ctx, c.ID, store.OperatorOwner(op.ID), time.Hour); err != nil || a == nil {
					b.Fatalf("lease %+v %v", a, err)
				}
				ops = append(ops, op.ID)
			}
			// One more, free: her claim reads all the campaign's tasks to
			// find she holds none.
			free := newAccount("free", anxin.RoleOperator)
			if _, err := db.MoveAgent(ctx, free.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
				b.Fatal(err)
			}
			if err := db.JoinCampaign(ctx, free.ID, c.ID); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ready, err := db.CampaignOperators(ctx, c.ID)
				if err != nil || len(ready) != len(ops)+1 {
					b.Fatalf("ready operators %v %v", ready, err)
				}
				if due, err := db.TaskDue(ctx, c.ID, 0); err != nil || !due {
					b.Fatalf("due %v %v", due, err)
				}
				for _, op := range ops {
					if ok, err := db.ClaimOperator(ctx, op, c.ID, "n"); err != nil || ok {
						b.Fatalf("claimed an operator who holds a task: %v %v", ok, err)
					}
				}
				if ok, err := db.ClaimOperator(ctx, free.ID, c.ID, "n"); err != nil || !ok {
					b.Fatalf("the free operator was not claimed: %v %v", ok, err)
				}
				if ok, err := db.ReleaseOperator(ctx, free.ID, "n", 0); err != nil || !ok {
					b.Fatalf("release %v %v", ok, err)
				}
			}
			b.ReportMetric(float64(tasks), "tasks")
		})
	}
}
