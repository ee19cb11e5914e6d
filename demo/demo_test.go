package demo_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		logins, err := demo.Load(ctx, db, password.Hasher{P: password.Fast})
		if err != nil {
			t.Fatal(err)
		}
		roles := map[string]bool{}
		for _, l := range logins {
			a, err := db.AccountByUsername(ctx, l.Username)
			if err != nil {
				t.Fatal(err)
			}
			if ok, _ := password.Verify(a.PasswordHash, l.Password); !ok {
				t.Errorf("%s: printed password does not match", l.Username)
			}
			for _, r := range l.Roles {
				roles[r] = true
			}
		}
		for _, r := range anxin.Roles {
			if !roles[r] {
				t.Errorf("no demo account with role %s", r)
			}
		}
		streets, _, err := db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Kind: anxin.OrgStreet})
		if err != nil || len(streets) != 4 {
			t.Fatalf("%d street offices, %v", len(streets), err)
		}
		names := []string{}
		for _, s := range streets {
			names = append(names, s.Name)
		}
		if !slices.Contains(names, "曹杨新村街道办事处") {
			t.Errorf("street offices: %v", names)
		}
		committees, n, _ := db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Kind: anxin.OrgCommittee, Within: "310107005"})
		if n < 10 || len(committees) != n {
			t.Errorf("曹杨新村 has %d committee organisations", n)
		}
		if _, err := demo.Load(ctx, db, password.Hasher{P: password.Fast}); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("second load: %v", err)
		}

		// The elders live in the pilot streets' committees.
		all, err := db.CountElders(ctx)
		if err != nil || all != demo.DefaultElders {
			t.Fatalf("%d demo elders, %v", all, err)
		}
		inPilot := 0
		for _, street := range demo.PilotStreets {
			_, n, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Within: street, Limit: 1})
			if err != nil || n < demo.DefaultElders/10 {
				t.Errorf("street %s has %d elders, %v", street, n, err)
			}
			inPilot += n
		}
		if inPilot != all {
			t.Errorf("%d of %d elders in the pilot streets", inPilot, all)
		}
		es, _, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Within: demo.PilotStreets[0], Limit: 5})
		if err != nil || len(es) != 5 || es[0].Name == "" || es[0].RegionName == "" {
			t.Fatalf("elders of 曹杨新村: %v", err)
		}
	})
}

func TestLoadWithoutElders(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountElders(ctx); err != nil || n != 0 {
		t.Fatalf("%d elders, %v", n, err)
	}
}

// BenchmarkLoad measures a demo load with and without its elders, which
// every web test pays.
func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{0, demo.DefaultElders} {
		b.Run(fmt.Sprintf("elders=%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				db, _ := storetest.Open(b, store.SQLite)
				b.StartTimer()
				if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{Elders: n}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
