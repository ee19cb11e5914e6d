package store_test

import (
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestExtensions: an administrator gives an operator a phone extension;
// the registrar finds its secret; an extension is used once; bad ones and
// other roles are refused.
func TestExtensions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		admin := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgPlatform, "平台", ""), "root", anxin.RoleAdmin))
		ha1 := strings.Repeat("ab", 16)
		if err := db.SetExtension(ctx, w.operator, w.operator.AccountID, "8001", ha1); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("operator set an extension: %v", err)
		}
		if err := db.SetExtension(ctx, admin, w.operator.AccountID, "8001", ha1); err != nil {
			t.Fatal(err)
		}
		id, got, err := db.ExtensionSecret(ctx, "8001")
		if err != nil || id != w.operator.AccountID || got != ha1 {
			t.Fatalf("secret %d %q %v", id, got, err)
		}
		if ext, _ := db.ExtensionOf(ctx, w.operator.AccountID); ext != "8001" {
			t.Fatalf("extension of the operator %q", ext)
		}
		if err := db.SetExtension(ctx, admin, w.committee.AccountID, "8001", ha1); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("extension used twice: %v", err)
		}
		for _, ext := range []string{"80", "8001x", "123456789"} {
			if err := db.SetExtension(ctx, admin, w.committee.AccountID, ext, ha1); anxin.ErrorCode(err) != anxin.EINVALID {
				t.Errorf("extension %q: %v", ext, err)
			}
		}
		if _, _, err := db.ExtensionSecret(ctx, "9999"); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("unknown extension: %v", err)
		}
	})
}
