package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

func TestRegionLevel(t *testing.T) {
	tests := []struct {
		code   string
		level  int
		parent string
	}{
		{"31", anxin.LevelProvince, ""},
		{"3101", anxin.LevelCity, "31"},
		{"310107", anxin.LevelDistrict, "3101"},
		{"310107005", anxin.LevelStreet, "310107"},
		{"310107005001", anxin.LevelCommittee, "310107005"},
		{"3101070", 0, ""},
		{"31010700500a", 0, ""},
		{"", 0, ""},
		{"３１", 0, ""},
	}
	for _, tt := range tests {
		if got := anxin.RegionLevel(tt.code); got != tt.level {
			t.Errorf("RegionLevel(%q) = %d, want %d", tt.code, got, tt.level)
		}
		if got := anxin.ParentRegionCode(tt.code); got != tt.parent {
			t.Errorf("ParentRegionCode(%q) = %q, want %q", tt.code, got, tt.parent)
		}
	}
	if anxin.RegionWithin("310107005001", "") {
		t.Error("empty root must contain nothing")
	}
}

func TestLockoutFor(t *testing.T) {
	tests := map[int]time.Duration{0: 0, 4: 0, 5: time.Minute, 6: 2 * time.Minute, 7: 4 * time.Minute, 11: 60 * time.Minute, 50: time.Hour}
	for n, want := range tests {
		if got := anxin.LockoutFor(n); got != want {
			t.Errorf("LockoutFor(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestScopeOf(t *testing.T) {
	org := func(kind, region string) *anxin.Org { return &anxin.Org{ID: 7, Kind: kind, RegionCode: region} }
	tests := []struct {
		name     string
		account  *anxin.Account
		covers   string
		excludes string
	}{
		{"platform sees all", &anxin.Account{Org: org(anxin.OrgPlatform, "")}, "320213001001", ""},
		{"city hotline sees its city", &anxin.Account{Org: org(anxin.OrgHotline, "3101")}, "310107005001", "320213"},
		{"committee sees itself", &anxin.Account{Org: org(anxin.OrgCommittee, "310107005001")}, "310107005001", "310107005002"},
		{"street sees its committees", &anxin.Account{Org: org(anxin.OrgStreet, "310107005")}, "310107005002", "310107006"},
		{"supplier sees no region", &anxin.Account{Org: org(anxin.OrgSupplier, "3101")}, "", "310107005001"},
		{"disabled account sees nothing", &anxin.Account{Disabled: true, Org: org(anxin.OrgPlatform, "")}, "", "31"},
		{"disabled org sees nothing", &anxin.Account{Org: &anxin.Org{Kind: anxin.OrgHotline, RegionCode: "3101", Disabled: true}}, "", "3101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := anxin.ScopeOf(tt.account)
			if tt.covers != "" && !sc.CoversRegion(tt.covers) {
				t.Errorf("does not cover %s: %+v", tt.covers, sc)
			}
			if tt.excludes != "" && sc.CoversRegion(tt.excludes) {
				t.Errorf("covers %s: %+v", tt.excludes, sc)
			}
		})
	}
}

func TestOrgValidate(t *testing.T) {
	tests := []struct {
		org  anxin.Org
		code string
	}{
		{anxin.Org{Kind: anxin.OrgStreet, Name: " 曹杨新村街道办事处 ", RegionCode: "310107005"}, ""},
		{anxin.Org{Kind: anxin.OrgStreet, Name: "x", RegionCode: "310107"}, anxin.EINVALID},
		{anxin.Org{Kind: anxin.OrgCommittee, Name: "x", RegionCode: "310107005001"}, ""},
		{anxin.Org{Kind: anxin.OrgHotline, Name: "x", RegionCode: "310107005"}, anxin.EINVALID},
		{anxin.Org{Kind: anxin.OrgPlatform, Name: "平台"}, ""},
		{anxin.Org{Kind: anxin.OrgSupplier, Name: "家乐福"}, anxin.EINVALID},
		{anxin.Org{Kind: "bank", Name: "x", RegionCode: "31"}, anxin.EINVALID},
		{anxin.Org{Kind: anxin.OrgStreet, Name: "   ", RegionCode: "310107005"}, anxin.EINVALID},
	}
	for _, tt := range tests {
		if got := anxin.ErrorCode(tt.org.Validate()); got != tt.code {
			t.Errorf("%+v: code %q, want %q", tt.org, got, tt.code)
		}
	}
}

func TestAccountValidate(t *testing.T) {
	committee := &anxin.Org{Kind: anxin.OrgCommittee}
	a := &anxin.Account{Username: " Li.Ming ", Roles: []string{"community", "community"}}
	if err := a.Validate(committee); err != nil || a.Username != "li.ming" || a.DisplayName != "li.ming" || len(a.Roles) != 1 || a.Locale != anxin.LocaleZH {
		t.Fatalf("normalised %+v, %v", a, err)
	}
	bad := []*anxin.Account{
		{Username: "a", Roles: []string{"community"}},
		{Username: "王明", Roles: []string{"community"}},
		{Username: "li", Roles: nil},
		{Username: "li", Roles: []string{"operator"}},
		{Username: "li", Roles: []string{"root"}},
		{Username: "li", Roles: []string{"community"}, Locale: "fr"},
	}
	for _, b := range bad {
		if anxin.ErrorCode(b.Validate(committee)) != anxin.EINVALID {
			t.Errorf("%+v accepted", b)
		}
	}
	if anxin.ValidatePassword("short") == nil || anxin.ValidatePassword("长长长长长长长长长长") != nil {
		t.Error("password rules")
	}
}
