package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
)

// TestServeReleasesCampaignLeases: a node crashed while its campaign
// dialler had an elder's task leased (the attempt open); `anxin serve` with
// telephony starts the dialler, which gives the node's leases back at once:
// the attempt is closed as interrupted and the task is pending again, to be
// called as a new attempt. (The campaign ran on a past day, so nothing is
// dialled now.)
func TestServeReleasesCampaignLeases(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.LoadCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return time.Date(2025, 6, 4, 2, 0, 0, 0, time.UTC) } // a Wednesday, 10:00 China time
	e := &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	if err := db.CreateElder(ctx, anxin.SystemScope(), e); err != nil {
		t.Fatal(err)
	}
	sup, err := db.AccountByUsername(ctx, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	sc := anxin.ScopeOf(sup)
	c := &anxin.Campaign{Name: "关爱问候", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2025-06-04", EndsOn: "2025-06-04",
		RegionCode: "310107005001"}
	if err := db.CreateCampaign(ctx, sc, c); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BuildTasks(ctx, sc, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	a, err := db.NextTask(ctx, c.ID, "node:"+host, time.Hour)
	if err != nil || a == nil {
		t.Fatalf("lease %+v %v", a, err)
	}

	serveAnxin(t, "--data", dir, "--rtp-ports", "34600-34700")
	var state, disp string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		err := db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT t.state, a.disposition FROM campaign_tasks t JOIN campaign_attempts a ON a.task_id = t.id
				WHERE a.id = $1`, a.ID).Scan(&state, &disp)
		})
		if err != nil {
			t.Fatal(err)
		}
		if state == anxin.TaskPending && disp == anxin.DispInterrupted {
			return
		}
	}
	t.Fatalf("after the start-up the task is %s and its attempt %q; want pending and interrupted", state, disp)
}
