package rtp

import (
	"errors"
	"io"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-care/anxin/media"
)

// mustOpenFull opens /dev/full, whose every write fails with ENOSPC, as a
// full disk does.
func mustOpenFull(t testing.TB) *os.File {
	t.Helper()
	f, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/full on this system: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// A recording that cannot even write its header is refused; the leg goes
// on and records to the next file it is given.
func TestRecordOnFullDisk(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a, b := mustPair(t, e, media.SendRecv, media.SendRecv)
	err := a.RecordNotify(mustOpenFull(t), func(error) { t.Error("failed called for a recording that never started") })
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Record on /dev/full: %v, want ENOSPC", err)
	}
	received := b.Stats().PacketsReceived
	waitFor(t, "the call to go on", func() bool { return b.Stats().PacketsReceived > received+5 })
	f := mustCreate(t)
	if err := a.Record(f); err != nil {
		t.Fatalf("Record after a refused recording: %v", err)
	}
	waitFor(t, "a second of audio", func() bool { return fileSize(t, f) > wavHeaderSize })
	if err := a.StopRecording(); err != nil {
		t.Fatal(err)
	}
	if left, _ := readStereo(t, f.Name()); len(left) == 0 {
		t.Error("nothing recorded after the refused recording")
	}
}

// A disk that fills in the middle of a call ends the recording, not the
// call: the error is told once, at once, StopRecording returns it, and
// the file keeps a valid WAV of what was recorded before, cut back to the
// audio its header counts even though part of a write reached the disk.
func TestRecordingDiskFills(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a, b := mustPair(t, e, media.SendRecv, media.SendRecv)
	w := &fillingDisk{File: mustCreate(t), full: mustOpenFull(t)}
	var calls atomic.Int32
	failed := make(chan error, 4)
	err := a.RecordNotify(w, func(err error) {
		calls.Add(1)
		failed <- err
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a second of audio on disk", func() bool { return fileSize(t, w.File) > wavHeaderSize })
	w.filled.Store(true)

	var got error
	select {
	case got = <-failed:
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for the recording to fail")
	}
	if !errors.Is(got, syscall.ENOSPC) {
		t.Errorf("failed called with %v, want ENOSPC", got)
	}
	received := b.Stats().PacketsReceived
	waitFor(t, "the call to go on", func() bool { return b.Stats().PacketsReceived > received+10 })
	if err := a.StopRecording(); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("StopRecording: %v, want ENOSPC", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("failed called %d times, want once", n)
	}
	if w.partial.Load() == 0 {
		t.Fatal("the test disk never took part of a write")
	}
	left, right := readStereo(t, w.Name()) // fails unless the header counts the whole file
	if len(left) < media.SampleRate || len(left)%media.FrameSamples != 0 || len(right) != len(left) {
		t.Errorf("recorded %d+%d samples, want at least a second in whole frames", len(left), len(right))
	}
	if a.Stats().PacketsSent == 0 {
		t.Error("the leg sent nothing")
	}
}

// fillingDisk is a recording file on a disk that fills once filled is
// set: the next write of audio puts its first half in the file and fails
// on /dev/full with ENOSPC, as a write does that finds the last free
// blocks; every write of audio after it fails whole. Rewriting the header
// still works: its blocks are on the disk already.
type fillingDisk struct {
	*os.File
	full    *os.File
	filled  atomic.Bool
	partial atomic.Int64 // bytes of the write that filled the disk
}

func (d *fillingDisk) Write(p []byte) (int, error) {
	if off, err := d.File.Seek(0, io.SeekCurrent); err != nil || off == 0 || !d.filled.Load() {
		return d.File.Write(p)
	}
	n := 0
	if d.partial.Load() == 0 && len(p) > 1 {
		var err error
		if n, err = d.File.Write(p[:len(p)/2]); err != nil {
			return n, err
		}
		d.partial.Store(int64(n))
	}
	m, err := d.full.Write(p[n:])
	return n + m, err
}

// fileSize returns the size of f on disk.
func fileSize(t testing.TB, f *os.File) int64 {
	t.Helper()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}
