package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// The recording flags default to 180 days and 2 GiB, read days and
// percentages, and refuse what they cannot read.
func TestRecordingFlags(t *testing.T) {
	parse := func(env map[string]string, args ...string) (*Config, error) {
		var c Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.DataDir = t.TempDir()
		c.serveFlags(fs, func(k string) string { return env[k] })
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		return &c, c.Validate()
	}
	c, err := parse(nil)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := c.recordingsConfig()
	if err != nil || rc.Retention != recordings.DefaultRetention || rc.MinFree != (recordings.MinFree{Bytes: 2 << 30}) {
		t.Errorf("defaults: %+v, %v", rc, err)
	}
	c, err = parse(map[string]string{"ANXIN_RECORDING_MIN_FREE": "5%"}, "--recording-retention", "0")
	if err != nil {
		t.Fatal(err)
	}
	if rc, _ := c.recordingsConfig(); rc.Retention != 0 || rc.MinFree != (recordings.MinFree{Percent: 5}) {
		t.Errorf("forever and 5%%: %+v", rc)
	}
	for _, args := range [][]string{{"--recording-retention", "half a year"}, {"--recording-min-free", "plenty"}} {
		if _, err := parse(nil, args...); err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("%v: %v, want an error naming the flag", args, err)
		}
	}
}

// startRecordings makes the directory, runs the loop and stops with ctx.
func TestStartRecordings(t *testing.T) {
	db, dir := storetest.Open(t, store.SQLite)
	c := &Config{DataDir: dir, RecordingRetention: "30d", RecordingMinFree: "1MiB"}
	ctx, cancel := context.WithCancel(context.Background())
	rs, wait, err := startRecordings(ctx, c, db, "node-a", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	name, f, err := rs.Create(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), 7)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if name != "2026/11/23/call-7.wav" || rs.Dir() != filepath.Join(dir, "recordings") {
		t.Errorf("recording %s in %s", name, rs.Dir())
	}
	cancel()
	wait()
}
