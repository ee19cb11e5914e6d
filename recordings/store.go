package recordings

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// Alarms this package raises, and the keys of their messages in the
// console (arguments: the directory, then what the message says).
const (
	// KeyDiskFull: the recordings' file system is below the minimum free
	// space (or a write found it full). Arguments: directory, free space,
	// minimum.
	KeyDiskFull     = "recordings.disk_full"
	MessageDiskFull = "alarm.recordings.disk_full"
	// KeyWriteFailed: recordings cannot be written for another reason (a
	// read-only or failing disk, permissions). Arguments: directory, error.
	KeyWriteFailed     = "recordings.write_failed"
	MessageWriteFailed = "alarm.recordings.write_failed"
)

// ErrDiskFull reports a recording refused because the disk is below the
// minimum free space.
var ErrDiskFull = errors.New("recordings: disk below the minimum free space")

// DB is what a Store needs of the database: the alarms and the call
// records' recordings (store.DB).
type DB interface {
	RaiseAlarm(ctx context.Context, a *anxin.Alarm) (bool, error)
	ClearAlarm(ctx context.Context, key, node string, at time.Time) (bool, error)
	ExpiredRecordings(ctx context.Context, before time.Time, limit int) ([]store.CallRecording, error)
	PurgeRecordings(ctx context.Context, recs []store.CallRecording, at time.Time) (int, error)
}

var _ DB = (*store.DB)(nil)

// Config is what a Store needs.
type Config struct {
	// Dir is the recordings directory (DATA/recordings); New creates it.
	Dir string
	DB  DB
	// Node names this machine in its alarms (the host name, as calls.node).
	Node string
	// MinFree is the free space recordings leave on Dir's file system
	// (zero: none); Retention how long they are kept (zero: forever).
	MinFree   MinFree
	Retention time.Duration
	Logger    *slog.Logger
	// FreeSpace measures the file system holding a directory; tests
	// replace it. Nil: statfs(2).
	FreeSpace func(dir string) (Space, error)
	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// Store keeps the recordings of one node. Its methods are safe for
// concurrent use.
type Store struct {
	cfg Config
	log *slog.Logger

	mu          sync.Mutex
	full        bool // this node raised KeyDiskFull and has not cleared it
	writeFailed bool // this node raised KeyWriteFailed and has not cleared it
	checked     bool // CheckSpace ran once (before, the alarms' state is unknown)
}

// New returns a Store for cfg, creating the directory.
func New(cfg Config) (*Store, error) {
	if cfg.Dir == "" || cfg.DB == nil {
		return nil, errors.New("recordings: a directory and a database are needed")
	}
	if cfg.Retention < 0 {
		return nil, errors.New("recordings: negative retention")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.FreeSpace == nil {
		cfg.FreeSpace = statfs
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if err := os.MkdirAll(cfg.Dir, 0o750); err != nil {
		return nil, fmt.Errorf("recordings: %w", err)
	}
	return &Store{cfg: cfg, log: cfg.Logger.With("dir", cfg.Dir)}, nil
}

// Dir returns the recordings directory.
func (s *Store) Dir() string { return s.cfg.Dir }

// Name returns the name of the recording of call callID started at
// startedAt: YYYY/MM/DD/call-ID.wav, the day in UTC.
func Name(startedAt time.Time, callID int64) string {
	return fmt.Sprintf("%s/call-%d.wav", startedAt.UTC().Format("2006/01/02"), callID)
}

// Path returns the file of a recording's name, or an error for a name that
// leaves the directory.
func (s *Store) Path(name string) (string, error) {
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return "", fmt.Errorf("recordings: %q is not a recording's name", name)
	}
	return filepath.Join(s.cfg.Dir, filepath.FromSlash(name)), nil
}

// Create creates the file of the recording of call callID, which started
// at startedAt, and returns its name (for store.SetCallRecording) and the
// file, open for writing and seeking (for rtp.Leg.Record); the caller
// closes it. It refuses, with an error wrapping ErrDiskFull, when the disk
// is below the minimum free space, and then raises the alarm; a file that
// exists already is an error too (fs.ErrExist).
func (s *Store) Create(startedAt time.Time, callID int64) (name string, f *os.File, err error) {
	sp, err := s.cfg.FreeSpace(s.cfg.Dir)
	switch {
	case err != nil && !errors.Is(err, ErrUnsupported):
		s.log.Warn("recordings: free space unknown", "err", err) // record anyway: the write will tell
	case err == nil && s.cfg.MinFree.Below(sp):
		s.diskFull(sp, "")
		return "", nil, fmt.Errorf("%w: %s has %s free, the minimum is %s; call %d is not recorded",
			ErrDiskFull, s.cfg.Dir, formatBytes(sp.Free), s.cfg.MinFree, callID)
	}
	name = Name(startedAt, callID)
	path := filepath.Join(s.cfg.Dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		s.WriteFailed(err)
		return "", nil, fmt.Errorf("recordings: %w", err)
	}
	f, err = os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o640)
	if err != nil {
		if !errors.Is(err, os.ErrExist) {
			s.WriteFailed(err)
		}
		return "", nil, fmt.Errorf("recordings: %w", err)
	}
	return name, f, nil
}

// WriteFailed reports that writing a recording failed (rtp.Leg.RecordNotify
// calls it, or the error StopRecording returned): it logs the error and
// raises KeyDiskFull when the disk is full, KeyWriteFailed otherwise. The
// first failure of an episode writes the alarm to the database, waiting
// for it at most 5 s; the next ones only log until CheckSpace finds the
// condition over. Call it from the recording's goroutine (RecordNotify's
// failed), not from the one answering calls.
func (s *Store) WriteFailed(err error) {
	if err == nil {
		return
	}
	s.log.Error("recording failed: the call goes on unrecorded", "err", err)
	if isFull(err) {
		sp, _ := s.cfg.FreeSpace(s.cfg.Dir)
		s.diskFull(sp, err.Error())
		return
	}
	s.failed(err)
}

// isFull reports whether a write error means the disk (or the quota) is
// full.
func isFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// alarmTimeout bounds raising an alarm from a call's path.
const alarmTimeout = 5 * time.Second

// diskFull raises KeyDiskFull, once while it lasts: CheckSpace raises it
// again every minute with fresh figures.
func (s *Store) diskFull(sp Space, cause string) {
	s.mu.Lock()
	already := s.full
	s.full = true
	s.mu.Unlock()
	if already {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), alarmTimeout)
	defer cancel()
	s.raise(ctx, KeyDiskFull, sp, cause)
}

// failed raises KeyWriteFailed, once while it lasts.
func (s *Store) failed(err error) {
	s.mu.Lock()
	already := s.writeFailed
	s.writeFailed = true
	s.mu.Unlock()
	if already {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), alarmTimeout)
	defer cancel()
	s.raise(ctx, KeyWriteFailed, Space{}, err.Error())
}

// raise raises one of the package's alarms with its arguments.
func (s *Store) raise(ctx context.Context, key string, sp Space, cause string) {
	a := &anxin.Alarm{Key: key, Node: s.cfg.Node, Severity: anxin.AlarmWarning}
	switch key {
	case KeyDiskFull:
		free := formatBytes(sp.Free)
		if sp.Total == 0 && cause != "" {
			free = cause
		}
		a.Message, a.Args = MessageDiskFull, []string{s.cfg.Dir, free, s.cfg.MinFree.String()}
	default:
		a.Message, a.Args = MessageWriteFailed, []string{s.cfg.Dir, cause}
	}
	raised, err := s.cfg.DB.RaiseAlarm(ctx, a)
	switch {
	case err != nil:
		s.log.Error("recordings: raise alarm", "alarm", key, "err", err)
	case raised:
		s.log.Warn("recordings: alarm raised", "alarm", key, "args", a.Args)
	}
}

// clear clears one of the package's alarms.
func (s *Store) clear(ctx context.Context, key string) {
	cleared, err := s.cfg.DB.ClearAlarm(ctx, key, s.cfg.Node, s.cfg.Now())
	switch {
	case err != nil:
		s.log.Error("recordings: clear alarm", "alarm", key, "err", err)
	case cleared:
		s.log.Info("recordings: alarm cleared", "alarm", key)
	}
}

// CheckSpace measures the free space and tries a small write: it raises
// KeyDiskFull below the minimum (again, with fresh figures, while it
// lasts) and clears it a tenth above, and raises KeyWriteFailed while the
// directory cannot be written, clearing it when it can again. Run calls it
// every minute. It returns the free space measured.
func (s *Store) CheckSpace(ctx context.Context) (Space, error) {
	sp, err := s.cfg.FreeSpace(s.cfg.Dir)
	if err != nil && !errors.Is(err, ErrUnsupported) {
		return sp, err
	}
	s.mu.Lock()
	first := !s.checked
	s.checked = true
	wasFull, wasFailed := s.full, s.writeFailed
	s.mu.Unlock()

	measured := err == nil
	full := measured && s.cfg.MinFree.Below(sp)
	if full {
		s.raise(ctx, KeyDiskFull, sp, "")
	}
	var probeErr error
	if !full {
		probeErr = s.probe()
		if isFull(probeErr) {
			full = true
			s.raise(ctx, KeyDiskFull, sp, probeErr.Error())
		}
	}
	switch {
	case full:
	case !measured || sp.Free >= s.cfg.MinFree.clearAt(sp):
		if wasFull || first {
			s.clear(ctx, KeyDiskFull)
		}
	default:
		full = wasFull // between the minimum and a tenth above: as it was
	}
	failed := probeErr != nil && !isFull(probeErr)
	if failed {
		s.log.Error("recordings: the directory cannot be written", "err", probeErr)
		s.raise(ctx, KeyWriteFailed, sp, probeErr.Error())
	} else if probeErr == nil && (wasFailed || first) {
		s.clear(ctx, KeyWriteFailed)
	}
	s.mu.Lock()
	s.full = full
	s.writeFailed = failed || (wasFailed && probeErr != nil)
	s.mu.Unlock()
	return sp, nil
}

// probeSize is how much CheckSpace writes to see that the directory takes
// writes: one block.
const probeSize = 4096

// probe writes and removes a small file in the directory; its name is the
// node's, so nodes sharing the directory do not meet.
func (s *Store) probe() error {
	path := filepath.Join(s.cfg.Dir, ".probe-"+s.cfg.Node)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o640)
	if err != nil {
		return fmt.Errorf("recordings: probe: %w", err)
	}
	_, werr := f.Write(make([]byte, probeSize))
	cerr := f.Close()
	rerr := os.Remove(path)
	if err := errors.Join(werr, cerr, rerr); err != nil {
		return fmt.Errorf("recordings: probe: %w", err)
	}
	return nil
}
