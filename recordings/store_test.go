package recordings_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

const gib = 1 << 30

// disk is a file system whose free space the test sets.
type disk struct {
	mu sync.Mutex
	sp recordings.Space
}

func (d *disk) set(free uint64) {
	d.mu.Lock()
	d.sp = recordings.Space{Free: free, Total: 100 * gib, FreeFiles: 1000, TotalFiles: 2000}
	d.mu.Unlock()
}

func (d *disk) space(string) (recordings.Space, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sp, nil
}

// mustStore returns a Store on a fresh directory and db, with a minimum of
// 1 GiB free on a disk the test controls.
func mustStore(t *testing.T, db *store.DB, retention time.Duration) (*recordings.Store, *disk) {
	t.Helper()
	d := &disk{}
	d.set(50 * gib)
	s, err := recordings.New(recordings.Config{Dir: filepath.Join(t.TempDir(), "recordings"), DB: db, Node: "node-a",
		MinFree: recordings.MinFree{Bytes: gib}, Retention: retention, FreeSpace: d.space})
	if err != nil {
		t.Fatal(err)
	}
	return s, d
}

// activeAlarm returns the active alarm key of node-a, or nil.
func activeAlarm(t *testing.T, db *store.DB, key string) *anxin.Alarm {
	t.Helper()
	as, err := db.ActiveAlarms(ctx, anxin.SystemScope())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Key == key && a.Node == "node-a" {
			return a
		}
	}
	return nil
}

// Create makes the day's directory and an exclusive file; below the
// minimum free space it refuses and raises the alarm, which the minute's
// check keeps while the disk stays near the minimum and clears once it is
// a tenth above.
func TestCreateAndDiskFull(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, d := mustStore(t, db, 0)
		at := time.Date(2026, 11, 23, 23, 30, 0, 0, time.FixedZone("CST", 8*3600))
		name, f, err := s.Create(at, 42)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if name != "2026/11/23/call-42.wav" {
			t.Errorf("name %q, want the UTC day", name)
		}
		if _, err := os.Stat(filepath.Join(s.Dir(), "2026", "11", "23", "call-42.wav")); err != nil {
			t.Errorf("file: %v", err)
		}
		if _, _, err := s.Create(at, 42); !errors.Is(err, fs.ErrExist) {
			t.Errorf("second Create of a call: %v, want ErrExist", err)
		}

		d.set(900 << 20)
		if _, _, err := s.Create(at, 43); !errors.Is(err, recordings.ErrDiskFull) {
			t.Fatalf("Create below the minimum: %v, want ErrDiskFull", err)
		}
		if _, err := os.Stat(filepath.Join(s.Dir(), "2026", "11", "23", "call-43.wav")); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a refused recording left a file: %v", err)
		}
		a := activeAlarm(t, db, recordings.KeyDiskFull)
		if a == nil {
			t.Fatal("no alarm after a refused recording")
		}
		if a.Message != recordings.MessageDiskFull || len(a.Args) != 3 || a.Args[0] != s.Dir() || a.Args[1] != "900.0 MiB" || a.Args[2] != "1.0 GiB" {
			t.Errorf("alarm %+v", a)
		}

		d.set(gib + 50<<20) // above the minimum, under a tenth above
		if _, _, err := s.Create(at, 44); err != nil {
			t.Errorf("Create above the minimum: %v", err)
		}
		if _, err := s.CheckSpace(ctx); err != nil {
			t.Fatal(err)
		}
		if activeAlarm(t, db, recordings.KeyDiskFull) == nil {
			t.Error("alarm cleared just above the minimum")
		}
		d.set(2 * gib)
		if _, err := s.CheckSpace(ctx); err != nil {
			t.Fatal(err)
		}
		if a := activeAlarm(t, db, recordings.KeyDiskFull); a != nil {
			t.Errorf("alarm still active with 2 GiB free: %+v", a)
		}

		d.set(100 << 20)
		if _, err := s.CheckSpace(ctx); err != nil {
			t.Fatal(err)
		}
		if a := activeAlarm(t, db, recordings.KeyDiskFull); a == nil || a.Args[1] != "100.0 MiB" {
			t.Errorf("the minute's check below the minimum: alarm %+v", a)
		}
	})
}

// A percentage minimum is of the file system's size; no free inode is full
// too.
func TestMinFree(t *testing.T) {
	for _, c := range []struct {
		in    string
		sp    recordings.Space
		below bool
	}{
		{"5%", recordings.Space{Free: 4 * gib, Total: 100 * gib}, true},
		{"5%", recordings.Space{Free: 6 * gib, Total: 100 * gib}, false},
		{"2GiB", recordings.Space{Free: 2*gib - 1, Total: 100 * gib}, true},
		{"2 GB", recordings.Space{Free: 2e9, Total: 100 * gib}, false},
		{"500MiB", recordings.Space{Free: gib, Total: 100 * gib, FreeFiles: 0, TotalFiles: 10}, true},
		{"0", recordings.Space{}, false},
	} {
		m, err := recordings.ParseMinFree(c.in)
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if got := m.Below(c.sp); got != c.below {
			t.Errorf("%s below with %+v: %v, want %v", c.in, c.sp, got, c.below)
		}
	}
	for _, bad := range []string{"", "lots", "-1GiB", "120%", "1XB"} {
		if _, err := recordings.ParseMinFree(bad); err == nil {
			t.Errorf("ParseMinFree(%q): no error", bad)
		}
	}
	for in, want := range map[string]time.Duration{"180d": 180 * 24 * time.Hour, "0": 0, "720h": 30 * 24 * time.Hour} {
		if got, err := recordings.ParseRetention(in); err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "forever", "-5d", "1.5d", "-1h"} {
		if _, err := recordings.ParseRetention(bad); err == nil {
			t.Errorf("ParseRetention(%q): no error", bad)
		}
	}
}

// A write that finds the disk full raises the disk-full alarm; another
// failure raises the write alarm, which the minute's check clears once a
// write works again.
func TestWriteFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		s, _ := mustStore(t, db, 0)
		s.WriteFailed(nil)
		if a := activeAlarm(t, db, recordings.KeyDiskFull); a != nil {
			t.Fatalf("alarm for no error: %+v", a)
		}
		s.WriteFailed(&fs.PathError{Op: "write", Path: "x.wav", Err: syscall.ENOSPC})
		if activeAlarm(t, db, recordings.KeyDiskFull) == nil {
			t.Error("no disk-full alarm after ENOSPC")
		}
		s.WriteFailed(&fs.PathError{Op: "write", Path: "x.wav", Err: syscall.EIO})
		a := activeAlarm(t, db, recordings.KeyWriteFailed)
		if a == nil || a.Message != recordings.MessageWriteFailed || len(a.Args) != 2 || a.Args[1] != "write x.wav: input/output error" {
			t.Fatalf("write alarm %+v", a)
		}
		if _, err := s.CheckSpace(ctx); err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{recordings.KeyWriteFailed, recordings.KeyDiskFull} {
			if a := activeAlarm(t, db, key); a != nil {
				t.Errorf("%s still active after a check that wrote: %+v", key, a)
			}
		}
	})
}
