package demo_test

import (
	"context"
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
	})
}
