package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/anxin-care/anxin/store"
)

// doorKnockInterval is how often anxin serve runs the door-knocks'
// escalation pass.
const doorKnockInterval = 30 * time.Second

// runDoorKnocks runs the door-knocks' escalation pass (store.RunDoorKnocks:
// late ones handed up to the street office, then the hotline; those of a
// committee nobody works at handed up at once) every interval until ctx
// ends, the first at once. Every node may run it: each step is an update
// guarded by the state it starts from, so nothing is handed up twice.
func runDoorKnocks(ctx context.Context, db *store.DB, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := db.RunDoorKnocks(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("door-knock pass", "err", err)
		} else if n > 0 {
			log.Info("door-knocks handed up", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
