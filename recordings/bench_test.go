package recordings_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// BenchmarkCreate measures starting a recording: statfs(2) of the real
// disk, the day's directory, an exclusive file.
func BenchmarkCreate(b *testing.B) {
	db, _ := storetest.Open(b, store.SQLite)
	s, err := recordings.New(recordings.Config{Dir: filepath.Join(b.TempDir(), "recordings"), DB: db, MinFree: recordings.MinFree{Bytes: 1 << 20}})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := 0; b.Loop(); i++ {
		_, f, err := s.Create(at, int64(i+1))
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkSweep measures a day's sweep of 10,000 expired recordings
// (about a day of a large city hotline), files and call records, on each
// engine; ns/op is the whole sweep.
func BenchmarkSweep(b *testing.B) {
	const n = 10_000
	for _, engine := range storetest.Engines() {
		b.Run(engine, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db, _ := storetest.Open(b, engine)
				s, err := recordings.New(recordings.Config{Dir: filepath.Join(b.TempDir(), "recordings"), DB: db, Retention: 24 * time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
				if err := insertRecordedCalls(db, s, at, n); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				st, err := s.Sweep(ctx, at.AddDate(0, 0, 3))
				if err != nil || st.Records != n || st.Files != n {
					b.Fatalf("swept %+v, %v", st, err)
				}
			}
		})
	}
}

func insertRecordedCalls(db *store.DB, s *recordings.Store, at time.Time, n int) error {
	return db.Transact(ctx, func(tx *store.Tx) error {
		for i := range n {
			started := at.Add(time.Duration(i) * time.Second)
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO calls (direction, leg, from_number, to_number, started_at)
				VALUES ('inbound', 'caller', '13812345678', '966666', $1) RETURNING id`, started).Scan(&id); err != nil {
				return err
			}
			name := recordings.Name(started, id)
			path, _ := s.Path(name)
			if i == 0 || i%3600 == 0 {
				os.MkdirAll(filepath.Dir(path), 0o750)
			}
			if err := os.WriteFile(path, []byte("RIFF"), 0o640); err != nil {
				return fmt.Errorf("write %s: %w", path, err)
			}
			if _, err := tx.ExecContext(ctx, "UPDATE calls SET recording = $1 WHERE id = $2", name, id); err != nil {
				return err
			}
		}
		return nil
	})
}
