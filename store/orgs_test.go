package store_test

import (
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// The scope of each kind of organisation, decided in one place and applied
// by every query.
func TestOrgScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		platform := mustCreateOrg(t, db, anxin.OrgPlatform, "平台", "")
		city := mustCreateOrg(t, db, anxin.OrgHotline, "上海市热线", "3101")
		putuo := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区热线", "310107")
		caoyang := mustCreateOrg(t, db, anxin.OrgStreet, "曹杨新村街道办事处", "310107005")
		c1 := mustCreateOrg(t, db, anxin.OrgCommittee, "源园居委会", "310107005001")
		c2 := mustCreateOrg(t, db, anxin.OrgCommittee, "新泾一村第一居委会", "310105011001")
		wuxi := mustCreateOrg(t, db, anxin.OrgHotline, "无锡梁溪区热线", "320213")
		sup := mustCreateOrg(t, db, anxin.OrgSupplier, "家乐福", "3101")
		all := []*anxin.Org{platform, city, putuo, caoyang, c1, c2, wuxi, sup}

		sees := map[string][]*anxin.Org{
			"platform":  all,
			"city":      {city, putuo, caoyang, c1, c2, sup},
			"district":  {putuo, caoyang, c1},
			"street":    {caoyang, c1},
			"committee": {c1},
			"supplier":  {sup},
		}
		viewers := map[string]*anxin.Org{"platform": platform, "city": city, "district": putuo, "street": caoyang, "committee": c1, "supplier": sup}
		role := map[string]string{"platform": anxin.RoleAdmin, "city": anxin.RoleOperator, "district": anxin.RoleOperator, "street": anxin.RoleCommunity, "committee": anxin.RoleCommunity, "supplier": anxin.RolePartner}
		for name, org := range viewers {
			t.Run(name+" sees exactly its subtree", func(t *testing.T) {
				a := mustCreateAccount(t, db, org, "u-"+name, role[name])
				sc := anxin.ScopeOf(a)
				want := map[int64]bool{}
				for _, o := range sees[name] {
					want[o.ID] = true
				}
				got, total, err := db.FindOrgs(ctx, sc, anxin.OrgFilter{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				if total != len(want) || len(got) != len(want) {
					t.Fatalf("sees %d orgs (total %d), want %d", len(got), total, len(want))
				}
				for _, o := range all {
					_, err := db.FindOrg(ctx, sc, o.ID)
					if want[o.ID] && err != nil {
						t.Errorf("cannot read %s: %v", o.Name, err)
					} else if !want[o.ID] && anxin.ErrorCode(err) != anxin.ENOTFOUND {
						t.Errorf("reads %s outside its scope: err=%v", o.Name, err)
					}
				}
			})
		}
	})
}

func TestOrgWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		city := mustCreateOrg(t, db, anxin.OrgHotline, "上海市热线", "3101")
		cityAdmin := anxin.ScopeOf(mustCreateAccount(t, db, city, "cityadmin", anxin.RoleAdmin))
		operator := anxin.ScopeOf(mustCreateAccount(t, db, city, "op", anxin.RoleOperator))

		t.Run("admin creates in its area", func(t *testing.T) {
			o := &anxin.Org{Kind: anxin.OrgStreet, Name: "曹杨新村街道办事处", RegionCode: "310107005"}
			if err := db.CreateOrg(ctx, cityAdmin, o); err != nil || o.ID == 0 {
				t.Fatal(err)
			}
		})
		t.Run("outside its area is forbidden", func(t *testing.T) {
			err := db.CreateOrg(ctx, cityAdmin, &anxin.Org{Kind: anxin.OrgHotline, Name: "梁溪", RegionCode: "320213"})
			wantCode(t, err, anxin.EFORBIDDEN)
		})
		t.Run("non-admin is forbidden", func(t *testing.T) {
			err := db.CreateOrg(ctx, operator, &anxin.Org{Kind: anxin.OrgStreet, Name: "x", RegionCode: "310107005"})
			wantCode(t, err, anxin.EFORBIDDEN)
			city.Name = "改名"
			wantCode(t, db.UpdateOrg(ctx, operator, city), anxin.EFORBIDDEN)
		})
		t.Run("kind must fit the region level", func(t *testing.T) {
			err := db.CreateOrg(ctx, cityAdmin, &anxin.Org{Kind: anxin.OrgCommittee, Name: "x", RegionCode: "310107005"})
			wantCode(t, err, anxin.EINVALID)
		})
		t.Run("unknown region is invalid", func(t *testing.T) {
			err := db.CreateOrg(ctx, cityAdmin, &anxin.Org{Kind: anxin.OrgStreet, Name: "x", RegionCode: "310107999"})
			wantCode(t, err, anxin.EINVALID)
		})
		t.Run("SQL metacharacters are data", func(t *testing.T) {
			name := `'; DROP TABLE orgs; -- %_\ "引号"`
			o := &anxin.Org{Kind: anxin.OrgSupplier, Name: name, RegionCode: "3101"}
			if err := db.CreateOrg(ctx, cityAdmin, o); err != nil {
				t.Fatal(err)
			}
			got, err := db.FindOrg(ctx, cityAdmin, o.ID)
			if err != nil || got.Name != strings.TrimSpace(name) {
				t.Fatalf("got %+v, %v", got, err)
			}
			found, n, err := db.FindOrgs(ctx, cityAdmin, anxin.OrgFilter{Query: `%_\`})
			if err != nil || n != 1 || found[0].ID != o.ID {
				t.Fatalf("search for literal %%_\\ found %d, %v", n, err)
			}
		})
		t.Run("10 KB name is refused", func(t *testing.T) {
			err := db.CreateOrg(ctx, cityAdmin, &anxin.Org{Kind: anxin.OrgSupplier, Name: strings.Repeat("长", 10240/3), RegionCode: "3101"})
			wantCode(t, err, anxin.EINVALID)
		})
		t.Run("cannot disable own org", func(t *testing.T) {
			o, _ := db.FindOrg(ctx, cityAdmin, city.ID)
			o.Disabled = true
			wantCode(t, db.UpdateOrg(ctx, cityAdmin, o), anxin.ECONFLICT)
		})
	})
}
