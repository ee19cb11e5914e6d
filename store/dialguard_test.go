package store_test

import (
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestDialCheck: the toll-fraud guard lets Anxin ring the elders and
// contacts of the operator's area only, or numbers an administrator
// allowed; international, premium-rate and service numbers and strangers
// are refused with the reason.
func TestDialCheck(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		w := newOrderWorld(t, db)
		mustCreateElder(t, db, &anxin.Elder{Name: "周玉兰", RegionCode: "310107005001",
			Phones:   []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}, {Number: "021-62541234", Label: anxin.PhoneLandline}},
			Contacts: []anxin.Contact{{Name: "女儿", Relation: "女儿", Phones: []string{"13987654321"}}}})
		for raw, want := range map[string]string{
			"13812345678":       "13812345678",
			"+86 138 1234 5678": "13812345678",
			"62541234":          "021-62541234", // local, the operator's area code completes it
			"13987654321":       "13987654321",  // the daughter
		} {
			if got, err := db.DialCheck(ctx, w.operator, raw); err != nil || got != want {
				t.Errorf("DialCheck(%q) = %q, %v; want %q", raw, got, err, want)
			}
		}
		for _, raw := range []string{"+44 20 7946 0000", "0044 20 7946 0000", "95588", "10086", "4008123123", "13900001111"} {
			if _, err := db.DialCheck(ctx, w.operator, raw); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
				t.Errorf("DialCheck(%q): %v, want forbidden", raw, err)
			}
		}
		for _, raw := range []string{" ", "abc"} {
			if _, err := db.DialCheck(ctx, w.operator, raw); anxin.ErrorCode(err) != anxin.EINVALID {
				t.Errorf("no number %q: %v", raw, err)
			}
		}
		// Another area's operator may not ring her.
		far := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgHotline, "长宁区热线", "310105"), "cn", anxin.RoleOperator))
		if _, err := db.DialCheck(ctx, far, "13812345678"); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Errorf("another area's operator: %v", err)
		}
		// The allow-list: platform administrators only.
		admin := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgPlatform, "平台", ""), "root", anxin.RoleAdmin))
		if _, err := db.AllowNumber(ctx, w.operator, "95588", "银行"); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Errorf("operator allowing: %v", err)
		}
		if _, err := db.AllowNumber(ctx, admin, "+44 20 7946 0000", ""); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("no note: %v", err)
		}
		a, err := db.AllowNumber(ctx, admin, "+44 20 7946 0000", "周玉兰的儿子（英国）")
		if err != nil || a.Number != "+442079460000" {
			t.Fatalf("allow %+v %v", a, err)
		}
		if got, err := db.DialCheck(ctx, w.operator, "+44 (20) 7946-0000"); err != nil || got != "+442079460000" {
			t.Errorf("allowed international: %q %v", got, err)
		}
		if list, _ := db.AllowedNumbers(ctx); len(list) != 1 {
			t.Errorf("allow-list %+v", list)
		}
		if err := db.DisallowNumber(ctx, admin, "+442079460000"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DialCheck(ctx, w.operator, "+44 20 7946 0000"); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Errorf("after removal: %v", err)
		}
	})
}
