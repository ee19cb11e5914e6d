package store_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

var ctx = context.Background()

// mustCreateOrg creates an organisation as the system.
func mustCreateOrg(t *testing.T, db *store.DB, kind, name, region string) *anxin.Org {
	t.Helper()
	o := &anxin.Org{Kind: kind, Name: name, RegionCode: region}
	if err := db.CreateOrg(ctx, anxin.SystemScope(), o); err != nil {
		t.Fatalf("create org %s: %v", name, err)
	}
	return o
}

// mustCreateAccount creates an account in org with roles, as the system.
func mustCreateAccount(t *testing.T, db *store.DB, org *anxin.Org, username string, roles ...string) *anxin.Account {
	t.Helper()
	a := &anxin.Account{OrgID: org.ID, Username: username, Roles: roles, PasswordHash: "x"}
	if err := db.CreateAccount(ctx, anxin.SystemScope(), a); err != nil {
		t.Fatalf("create account %s: %v", username, err)
	}
	a.Org = org
	return a
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := anxin.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func wantContains(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Fatalf("%q does not contain %q", s, sub)
	}
}
