package recordings

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin/store"
)

// sweepBatch is how many recordings Sweep deletes before it tells the
// database, in one transaction.
const sweepBatch = 500

// SweepStats says what a sweep did.
type SweepStats struct {
	Files   int   // recording files deleted
	Bytes   int64 // their size
	Records int   // call records marked purged
	Dirs    int   // empty day, month and year directories removed
}

// Sweep deletes the recordings of calls started before now minus the
// retention, and marks their call records purged (the record stays; its
// recording is gone). It works in two passes:
//
//   - by the database, oldest first: each expired recording's file is
//     deleted (one already gone counts as deleted) and its record marked,
//     500 at a time;
//   - by the directory: every day directory wholly older than the cutoff
//     loses its .wav files (a node's recordings whose records another node
//     marked, or files no record names), then the directories left empty.
//
// Nodes may sweep at the same time, sharing the directory or not: a file
// deleted twice and a record marked twice change nothing. With no
// retention Sweep does nothing. It stops at the first database error and
// when ctx is done, returning what it did so far.
func (s *Store) Sweep(ctx context.Context, now time.Time) (SweepStats, error) {
	var st SweepStats
	if s.cfg.Retention <= 0 {
		return st, nil
	}
	cutoff := now.Add(-s.cfg.Retention)
	if err := s.sweepRecords(ctx, now, cutoff, &st); err != nil {
		return st, err
	}
	err := s.sweepDirs(ctx, now, cutoff, &st)
	return st, err
}

// sweepRecords is the pass by the database.
func (s *Store) sweepRecords(ctx context.Context, now, cutoff time.Time, st *SweepStats) error {
	for {
		recs, err := s.cfg.DB.ExpiredRecordings(ctx, cutoff, sweepBatch)
		if err != nil {
			return fmt.Errorf("recordings: sweep: %w", err)
		}
		if len(recs) == 0 {
			return nil
		}
		for _, r := range recs {
			if p, err := s.Path(r.Name); err == nil {
				s.remove(p, st)
			} else {
				s.log.Warn("recordings: sweep: a call record names no file of the directory", "call", r.CallID, "name", r.Name)
			}
		}
		n, err := s.cfg.DB.PurgeRecordings(ctx, recs, now)
		st.Records += n
		if err != nil {
			return fmt.Errorf("recordings: sweep: %w", err)
		}
		if len(recs) < sweepBatch || n == 0 {
			return ctx.Err()
		}
	}
}

// sweepDirs is the pass by the directory: YYYY/MM/DD, in UTC.
func (s *Store) sweepDirs(ctx context.Context, now, cutoff time.Time, st *SweepStats) error {
	years, err := subdirs(s.cfg.Dir, 4)
	if err != nil {
		return err
	}
	for _, y := range years {
		months, err := subdirs(filepath.Join(s.cfg.Dir, y), 2)
		if err != nil {
			return err
		}
		for _, m := range months {
			days, err := subdirs(filepath.Join(s.cfg.Dir, y, m), 2)
			if err != nil {
				return err
			}
			for _, d := range days {
				day, err := time.Parse("2006/01/02", y+"/"+m+"/"+d)
				if err != nil || day.AddDate(0, 0, 1).After(cutoff) {
					continue // not a day, or some of its calls are recent
				}
				if err := ctx.Err(); err != nil {
					return err
				}
				if err := s.sweepDay(ctx, now, path.Join(y, m, d), st); err != nil {
					return err
				}
			}
			s.removeDir(filepath.Join(s.cfg.Dir, y, m), st)
		}
		s.removeDir(filepath.Join(s.cfg.Dir, y), st)
	}
	return nil
}

// sweepDay deletes the recordings of one day directory (dir, slashed,
// under Dir), tells the database which calls lost theirs, and removes the
// directory if it is left empty.
func (s *Store) sweepDay(ctx context.Context, now time.Time, dir string, st *SweepStats) error {
	full := filepath.Join(s.cfg.Dir, filepath.FromSlash(dir))
	entries, err := os.ReadDir(full)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // another node swept it
		}
		return fmt.Errorf("recordings: sweep: %w", err)
	}
	var recs []store.CallRecording
	flush := func() error {
		if len(recs) == 0 {
			return nil
		}
		n, err := s.cfg.DB.PurgeRecordings(ctx, recs, now)
		st.Records += n
		recs = recs[:0]
		if err != nil {
			return fmt.Errorf("recordings: sweep: %w", err)
		}
		return nil
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasSuffix(e.Name(), ".wav") {
			continue
		}
		s.remove(filepath.Join(full, e.Name()), st)
		if id, ok := callID(e.Name()); ok {
			recs = append(recs, store.CallRecording{CallID: id, Name: dir + "/" + e.Name()})
		}
		if len(recs) == sweepBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	s.removeDir(full, st)
	return nil
}

// callID reads the call's ID from a recording's file name, call-ID.wav.
func callID(name string) (int64, bool) {
	s, ok := strings.CutPrefix(name, "call-")
	if !ok {
		return 0, false
	}
	s, _ = strings.CutSuffix(s, ".wav")
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// remove deletes a recording's file; one already gone is fine.
func (s *Store) remove(p string, st *SweepStats) {
	fi, err := os.Lstat(p)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("recordings: sweep", "err", err)
		}
		return
	}
	if err := os.Remove(p); err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			s.log.Warn("recordings: sweep", "err", err)
		}
		return
	}
	st.Files++
	st.Bytes += fi.Size()
}

// removeDir removes a directory if it is empty.
func (s *Store) removeDir(dir string, st *SweepStats) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) > 0 {
		return
	}
	if err := os.Remove(dir); err == nil {
		st.Dirs++
	}
}

// subdirs lists the subdirectories of dir whose names are n digits, in
// order.
func subdirs(dir string, n int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("recordings: sweep: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && len(e.Name()) == n && strings.Trim(e.Name(), "0123456789") == "" {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
