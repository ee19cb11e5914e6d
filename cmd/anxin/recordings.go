package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/store"
)

// Defaults of --recording-retention and --recording-min-free (see
// recordings.DefaultRetention and recordings.DefaultMinFree for why).
const (
	defaultRecordingRetention = "180d"
	defaultRecordingMinFree   = recordings.DefaultMinFree
)

// validateRecordings checks --recording-retention and --recording-min-free.
// Flags that serve does not define (other commands) are left empty and
// pass.
func (c *Config) validateRecordings() error {
	if c.RecordingRetention != "" {
		if _, err := recordings.ParseRetention(c.RecordingRetention); err != nil {
			return fmt.Errorf("--recording-retention: %w", err)
		}
	}
	if c.RecordingMinFree != "" {
		if _, err := recordings.ParseMinFree(c.RecordingMinFree); err != nil {
			return fmt.Errorf("--recording-min-free: %w", err)
		}
	}
	return nil
}

// recordingsConfig is the recordings' part of c: DATA/recordings, the
// retention and the minimum free space.
func (c *Config) recordingsConfig() (recordings.Config, error) {
	rc := recordings.Config{Dir: filepath.Join(c.DataDir, "recordings")}
	var err error
	if c.RecordingRetention != "" {
		if rc.Retention, err = recordings.ParseRetention(c.RecordingRetention); err != nil {
			return rc, fmt.Errorf("--recording-retention: %w", err)
		}
	}
	if c.RecordingMinFree != "" {
		if rc.MinFree, err = recordings.ParseMinFree(c.RecordingMinFree); err != nil {
			return rc, fmt.Errorf("--recording-min-free: %w", err)
		}
	}
	return rc, nil
}

// startRecordings opens the node's recordings and runs their loop until
// ctx is done: the free space checked every minute (the disk-full alarm
// raised and cleared), recordings past the retention deleted every day.
// wait returns once the loop has stopped. It runs whether or not the node
// has telephony: old recordings are deleted on time either way.
func startRecordings(ctx context.Context, c *Config, db *store.DB, node string, log *slog.Logger) (rs *recordings.Store, wait func(), err error) {
	rc, err := c.recordingsConfig()
	if err != nil {
		return nil, nil, err
	}
	rc.DB, rc.Node, rc.Logger = db, node, log
	rs, err = recordings.New(rc)
	if err != nil {
		return nil, nil, err
	}
	var wg sync.WaitGroup
	wg.Go(func() { rs.Run(ctx) })
	keep := "forever"
	if day := 24 * time.Hour; rc.Retention%day == 0 && rc.Retention > 0 {
		keep = fmt.Sprintf("%d days", rc.Retention/day)
	} else if rc.Retention > 0 {
		keep = rc.Retention.String()
	}
	log.Info("recordings", "dir", rc.Dir, "kept", keep, "min_free", rc.MinFree.String())
	return rs, wg.Wait, nil
}
