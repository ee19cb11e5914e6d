package store_test

import (
	"net/netip"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestTrunksAndDIDs: administrators configure a static trunk and a
// registering one, the hotline numbers route by the number as dialled
// (with or without +86), bad configurations are refused with the field,
// and nobody else may change them.
func TestTrunksAndDIDs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		admin := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgPlatform, "平台", ""), "root", anxin.RoleAdmin))
		op := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101"), "op", anxin.RoleOperator))
		static := &anxin.Trunk{Name: "电信中继", Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/28")},
			Host: "203.0.113.1", CallerID: "02162541234", MaxChannels: 60, Priority: 1, Enabled: true}
		if err := db.SaveTrunk(ctx, op, static); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("operator saved a trunk: %v", err)
		}
		if err := db.SaveTrunk(ctx, admin, static); err != nil || static.ID == 0 {
			t.Fatalf("static trunk: %v", err)
		}
		reg := &anxin.Trunk{Name: "联通注册", Kind: anxin.TrunkRegister, Host: "sip.example.cn:5060", Username: "021888", Password: "pw",
			CallerID: "02162549999", Priority: 2, Enabled: true}
		if err := db.SaveTrunk(ctx, admin, reg); err != nil {
			t.Fatal(err)
		}
		reg.Password, reg.MaxChannels = "", 30 // edit without retyping the password
		if err := db.SaveTrunk(ctx, admin, reg); err != nil {
			t.Fatal(err)
		}
		trunks, err := db.Trunks(ctx)
		if err != nil || len(trunks) != 2 || trunks[0].Name != "电信中继" || trunks[1].Password != "pw" || trunks[1].MaxChannels != 30 ||
			len(trunks[0].Peers) != 1 || trunks[0].Peers[0].String() != "203.0.113.0/28" {
			t.Fatalf("trunks %+v %v", trunks, err)
		}
		for _, bad := range []*anxin.Trunk{
			{Name: "x", Kind: anxin.TrunkStatic, CallerID: "02162541234"},                                                          // no peers
			{Name: "x", Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}, CallerID: "021"},       // the internet
			{Name: "x", Kind: anxin.TrunkRegister, Host: "h", CallerID: "02162541234"},                                             // no credentials
			{Name: "x", Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}, CallerID: "call me"}, // caller ID
			{Name: "电信中继", Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/32")}, CallerID: "021"},  // same name
		} {
			if err := db.SaveTrunk(ctx, admin, bad); err == nil {
				t.Errorf("bad trunk saved: %+v", bad)
			}
		}
		city := &anxin.DID{Number: "966666", Flow: anxin.FlowHotline, RegionCode: "3101", Name: "市为老服务热线"}
		district := &anxin.DID{Number: "02152000000", Flow: anxin.FlowHotline, RegionCode: "310107", Name: "普陀区热线"}
		for _, d := range []*anxin.DID{city, district} {
			if err := db.SaveDID(ctx, admin, d); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SaveDID(ctx, admin, &anxin.DID{Number: "123", Flow: "party", RegionCode: "3101", Name: "x"}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("bad flow: %v", err)
		}
		if err := db.SaveDID(ctx, admin, &anxin.DID{Number: "123", Flow: anxin.FlowHotline, RegionCode: "999999", Name: "x"}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("unknown region: %v", err)
		}
		for dialled, want := range map[string]string{"966666": "966666", "+8602152000000": "02152000000", "8602152000000": "02152000000"} {
			d, err := db.RouteDID(ctx, dialled)
			if err != nil || d.Number != want {
				t.Errorf("RouteDID(%s) = %+v, %v", dialled, d, err)
			}
		}
		if _, err := db.RouteDID(ctx, "110"); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Errorf("unknown number: %v", err)
		}
	})
}
