package recordings

import (
	"context"
	"sync"
	"time"
)

// How often Run checks the free space and sweeps.
const (
	CheckEvery = time.Minute
	SweepEvery = 24 * time.Hour
)

// Run checks the free space at once and then every minute, and sweeps at
// once and then every day (in a goroutine of its own, so a long sweep does
// not hold up the checks), until ctx is done; it returns when both have
// stopped. Errors are logged: a disk that cannot be measured this minute
// may be measured the next.
func (s *Store) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { every(ctx, SweepEvery, s.sweep) })
	every(ctx, CheckEvery, s.check)
	wg.Wait()
}

// every calls f at once and then every d until ctx is done.
func every(ctx context.Context, d time.Duration, f func(context.Context)) {
	f(ctx)
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f(ctx)
		}
	}
}

func (s *Store) check(ctx context.Context) {
	if _, err := s.CheckSpace(ctx); err != nil && ctx.Err() == nil {
		s.log.Error("recordings: check free space", "err", err)
	}
}

func (s *Store) sweep(ctx context.Context) {
	if s.cfg.Retention <= 0 {
		return
	}
	t0 := time.Now()
	st, err := s.Sweep(ctx, s.cfg.Now())
	if err != nil && ctx.Err() == nil {
		s.log.Error("recordings: sweep", "err", err, "files", st.Files, "records", st.Records)
		return
	}
	if st.Files > 0 || st.Records > 0 || st.Dirs > 0 {
		s.log.Info("recordings: swept", "retention", s.cfg.Retention, "files", st.Files, "bytes", st.Bytes,
			"records", st.Records, "dirs", st.Dirs, "took", time.Since(t0).Round(time.Millisecond))
	}
}
