package store_test

import (
	"bytes"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestImportFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := mustCreateOrg(t, db, anxin.OrgStreet, "曹杨新村街道办事处", "310107005")
		alice := mustCreateAccount(t, db, org, "alice", anxin.RoleCommunity)
		bob := mustCreateAccount(t, db, org, "bob", anxin.RoleCommunity)
		data := bytes.Repeat([]byte{0, 1, 2, 0xff, 'P', 'K'}, 100_000) // binary, 600 kB
		f := &store.ImportFile{ID: "tok-1", AccountID: alice.ID, Filename: "名册.xlsx", Data: data}
		if err := db.SaveImportFile(ctx, f); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.SaveImportFile(ctx, &store.ImportFile{ID: "tok-1", AccountID: bob.ID, Data: []byte("x")}), anxin.ECONFLICT)

		got, err := db.FindImportFile(ctx, alice.ID, "tok-1")
		if err != nil {
			t.Fatal(err)
		}
		if got.Filename != "名册.xlsx" || got.Size != int64(len(data)) || !bytes.Equal(got.Data, data) ||
			!got.CreatedAt.Equal(now) || got.Committed() || got.Result != nil {
			t.Fatalf("found %+v (data %d bytes)", got.Filename, len(got.Data))
		}
		t.Run("another account's file is not found", func(t *testing.T) {
			_, err := db.FindImportFile(ctx, bob.ID, "tok-1")
			wantCode(t, err, anxin.ENOTFOUND)
			wantCode(t, db.DeleteImportFile(ctx, bob.ID, "tok-1"), anxin.ENOTFOUND)
		})

		type counts struct{ Created, Rejected int }
		t.Run("only the first of concurrent marks counts", func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make([]error, 8)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.MarkImportCommitted(ctx, "tok-1", counts{Created: i + 1})
				}()
			}
			wg.Wait()
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if anxin.ErrorCode(err) != anxin.ECONFLICT {
					t.Fatalf("mark: %v", err)
				}
			}
			if ok != 1 {
				t.Fatalf("%d marks succeeded", ok)
			}
			got, err := db.FindImportFile(ctx, alice.ID, "tok-1")
			if err != nil {
				t.Fatal(err)
			}
			var c counts
			if err := json.Unmarshal(got.Result, &c); err != nil || !got.Committed() || c.Created == 0 {
				t.Fatalf("after mark: committed %v result %s (%v)", got.CommittedAt, got.Result, err)
			}
			wantCode(t, db.MarkImportCommitted(ctx, "nope", counts{}), anxin.ENOTFOUND)
		})
		t.Run("an imported file is not discarded", func(t *testing.T) {
			wantCode(t, db.DeleteImportFile(ctx, alice.ID, "tok-1"), anxin.ECONFLICT)
		})
		t.Run("a file not imported is discarded", func(t *testing.T) {
			if err := db.SaveImportFile(ctx, &store.ImportFile{ID: "tok-2", AccountID: bob.ID, Filename: "b.csv", Data: []byte("姓名,性别\n")}); err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteImportFile(ctx, bob.ID, "tok-2"); err != nil {
				t.Fatal(err)
			}
			_, err := db.FindImportFile(ctx, bob.ID, "tok-2")
			wantCode(t, err, anxin.ENOTFOUND)
		})
		t.Run("old files are deleted", func(t *testing.T) {
			later := now.Add(time.Hour)
			if err := db.SaveImportFile(ctx, &store.ImportFile{ID: "tok-3", AccountID: bob.ID, Filename: "c.csv", Data: []byte("x"), CreatedAt: later}); err != nil {
				t.Fatal(err)
			}
			n, err := db.DeleteOldImportFiles(ctx, now.Add(time.Minute))
			if err != nil || n != 1 {
				t.Fatalf("deleted %d, %v", n, err)
			}
			if _, err := db.FindImportFile(ctx, alice.ID, "tok-1"); anxin.ErrorCode(err) != anxin.ENOTFOUND {
				t.Fatalf("old file still there: %v", err)
			}
			if _, err := db.FindImportFile(ctx, bob.ID, "tok-3"); err != nil {
				t.Fatalf("recent file: %v", err)
			}
		})
	})
}
