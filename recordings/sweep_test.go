package recordings_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// mustRecordedCall records a call started at, with its recording written
// through s (unless missing) and named in the call record.
func mustRecordedCall(t *testing.T, db *store.DB, s *recordings.Store, at time.Time, missing bool) *anxin.Call {
	t.Helper()
	c := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: "13812345678", ToNumber: "966666", StartedAt: at}
	if err := db.StartCall(ctx, c); err != nil {
		t.Fatal(err)
	}
	name, f, err := s.Create(at, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(make([]byte, 1000))
	f.Close()
	if missing {
		os.Remove(filepath.Join(s.Dir(), name))
	}
	if err := db.SetCallRecording(ctx, c.ID, name); err != nil {
		t.Fatal(err)
	}
	c.Recording = name
	return c
}

func mustWrite(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o640); err != nil {
		t.Fatal(err)
	}
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	_, err := os.Stat(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	return err == nil
}

// Sweep deletes the recordings older than the retention, by the call
// records and by the day directories, marks the records purged (a missing
// file too), keeps the recent ones and what is not a recording, and
// removes the directories it empties. Two nodes sweeping the same
// directory at once mark each record once; sweeping again does nothing.
func TestSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := mustStore(t, db, 180*24*time.Hour)
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		cutoff := now.AddDate(0, 0, -180) // 2026-05-27 12:00
		old := mustRecordedCall(t, db, s, time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), false)
		gone := mustRecordedCall(t, db, s, time.Date(2026, 5, 2, 9, 0, 0, 0, time.UTC), true)
		edge := mustRecordedCall(t, db, s, cutoff.Add(-time.Hour), false)   // expired; its day is not
		sameDay := mustRecordedCall(t, db, s, cutoff.Add(time.Hour), false) // the same day, kept
		recent := mustRecordedCall(t, db, s, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), false)
		orphan := filepath.Join(s.Dir(), "2026", "04", "30", "call-999999.wav") // no record names it
		mustWrite(t, orphan)
		notes := filepath.Join(s.Dir(), "2026", "03", "15", "notes.txt") // not a recording
		mustWrite(t, notes)

		// A second node sharing the directory sweeps at the same time.
		other, err := recordings.New(recordings.Config{Dir: s.Dir(), DB: db, Node: "node-b", Retention: 180 * 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var stats [2]recordings.SweepStats
		var errs [2]error
		for i, st := range []*recordings.Store{s, other} {
			wg.Go(func() { stats[i], errs[i] = st.Sweep(ctx, now) })
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatal(err)
		}
		files, records := stats[0].Files+stats[1].Files, stats[0].Records+stats[1].Records
		if files != 3 || records != 3 {
			t.Errorf("deleted %d files and marked %d records, want 3 and 3 (%+v)", files, records, stats)
		}

		for _, c := range []*anxin.Call{old, gone, edge} {
			got, err := db.FindCall(ctx, anxin.SystemScope(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			purged, err := db.RecordingPurgedAt(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Recording != "" || !purged.Equal(now) {
				t.Errorf("call of %v: recording %q purged at %v, want purged at %v", c.StartedAt, got.Recording, purged, now)
			}
			if exists(t, filepath.Join(s.Dir(), c.Recording)) {
				t.Errorf("%s not deleted", c.Recording)
			}
		}
		for _, c := range []*anxin.Call{sameDay, recent} {
			got, _ := db.FindCall(ctx, anxin.SystemScope(), c.ID)
			if purged, _ := db.RecordingPurgedAt(ctx, c.ID); got.Recording != c.Recording || !purged.IsZero() {
				t.Errorf("call of %v: recording %q purged at %v, want kept", c.StartedAt, got.Recording, purged)
			}
			if !exists(t, filepath.Join(s.Dir(), c.Recording)) {
				t.Errorf("%s deleted", c.Recording)
			}
		}
		if exists(t, orphan) || exists(t, filepath.Dir(orphan)) {
			t.Error("the orphan recording or its day directory is left")
		}
		for _, dir := range []string{"2026/05/01", "2026/05/02", "2026/04"} {
			if exists(t, filepath.Join(s.Dir(), dir)) {
				t.Errorf("emptied directory %s left", dir)
			}
		}
		if !exists(t, notes) {
			t.Error("a file that is not a recording was deleted")
		}

		again, err := s.Sweep(ctx, now)
		if err != nil || again != (recordings.SweepStats{}) {
			t.Errorf("second sweep: %+v, %v; want nothing done", again, err)
		}
	})
}

// With no retention, recordings are kept forever.
func TestSweepKeepsForever(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := mustStore(t, db, 0)
		c := mustRecordedCall(t, db, s, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), false)
		st, err := s.Sweep(ctx, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC))
		if err != nil || st != (recordings.SweepStats{}) || !exists(t, filepath.Join(s.Dir(), c.Recording)) {
			t.Errorf("sweep without retention: %+v, %v", st, err)
		}
	})
}
