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

// benchStreet is what the campaign benchmarks run on: 曹杨新村's street
// with ANXIN_BENCH_ELDERS generated elders (default 20,000) on a fresh
// database of one engine, its clock stopped on a working morning, and one
// organisation whose staff run the campaign.
type benchStreet struct {
	db  *store.DB
	org *anxin.Org
}

// newBenchStreet generates the street and creates org.
func newBenchStreet(b *testing.B, engine string, org *anxin.Org) *benchStreet {
	b.Helper()
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("ANXIN_BENCH_ELDERS")); err == nil && v > 0 {
		n = v
	}
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
	if err := db.CreateOrg(ctx, anxin.SystemScope(), org); err != nil {
		b.Fatal(err)
	}
	return &benchStreet{db: db, org: org}
}

// account creates a member of the street's organisation with role.
func (s *benchStreet) account(b *testing.B, username, role string) *anxin.Account {
	b.Helper()
	a := &anxin.Account{OrgID: s.org.ID, Username: username, Roles: []string{role}, PasswordHash: "x"}
	if err := s.db.CreateAccount(ctx, anxin.SystemScope(), a); err != nil {
		b.Fatal(err)
	}
	a.Org = s.org
	return a
}

// running creates c as sc, builds its tasks and starts it; it returns how
// many tasks it has.
func (s *benchStreet) running(b *testing.B, sc anxin.Scope, c *anxin.Campaign) int {
	b.Helper()
	if err := s.db.CreateCampaign(ctx, sc, c); err != nil {
		b.Fatal(err)
	}
	tasks, err := s.db.BuildTasks(ctx, sc, c.ID)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning); err != nil {
		b.Fatal(err)
	}
	return tasks
}
