package registry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/registry"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// A roster's tags and dialects go through the lists: aliases become the
// listed value whatever separates several tags in a cell; a value on no
// list rejects the row with the reason and the value (as the roster
// reader cleaned it: full-width letters become ASCII).
func TestImportTagsAndDialects(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		im := &registry.Importer{DB: db}
		sc := anxin.SystemScope()
		roster := "姓名,居委会,所属街道,人员类别,方言\n" +
			"王秀英,源园居委会,曹杨新村街道,80岁以上、低保户,沪语\n" +
			"张建国,源园居委会,曹杨新村街道,高龄 失独；空巢/孤老,上海方言/普通话\n" +
			"李梅,源园居委会,曹杨新村街道,独居、ＤＩ保,普通话\n" +
			"赵伟,源园居委会,曹杨新村街道,高龄,火星话\n" +
			"陈芳,源园居委会,曹杨新村街道,高龄，80 岁以上,\n"
		p, err := im.Preview(ctx, sc, read(t, []byte(roster), "roster.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Valid != 3 || p.Rejected != 2 {
			t.Fatalf("counts %+v: %+v", p.Counts, p.Errors())
		}
		byRow := map[int]registry.RowResult{}
		for _, rr := range p.Rows {
			byRow[rr.Row] = rr
		}
		for row, want := range map[int]struct {
			tags    []string
			dialect string
		}{
			2: {[]string{"高龄", "低保"}, "上海话"},
			3: {[]string{"高龄", "失独", "空巢", "孤寡"}, "上海话"},
			6: {[]string{"高龄"}, ""},
		} {
			e := byRow[row].Elder
			if e == nil || !slices.Equal(e.Tags, want.tags) || e.Dialect != want.dialect {
				t.Errorf("row %d: %+v, want tags %v dialect %q", row, e, want.tags, want.dialect)
			}
		}
		for row, want := range map[int]registry.RowError{
			4: {Field: "tags", Reason: registry.ReasonUnknownTag, Value: "DI保", Column: "人员类别"},
			5: {Field: "dialect", Reason: registry.ReasonUnknownDialect, Value: "火星话", Column: "方言"},
		} {
			errs := byRow[row].Errors
			if len(errs) != 1 || errs[0].Field != want.Field || errs[0].Reason != want.Reason || errs[0].Value != want.Value || errs[0].Column != want.Column {
				t.Errorf("row %d errors %+v, want %+v", row, errs, want)
			}
		}

		c, err := im.Commit(ctx, sc, p)
		if err != nil || c.Created != 3 {
			t.Fatalf("commit %+v, %v", c, err)
		}
		es, _, err := db.FindElders(ctx, sc, anxin.ElderFilter{Tags: []string{"孤寡"}, Dialect: "上海话"})
		if err != nil || len(es) != 1 || es[0].Name != "张建国" {
			t.Fatalf("filter by the imported tag and dialect: %v, %v", es, err)
		}

		t.Run("an alias added by an administrator lets the row in", func(t *testing.T) {
			platform := &anxin.Org{Kind: anxin.OrgPlatform, Name: "平台"}
			if err := db.CreateOrg(ctx, sc, platform); err != nil {
				t.Fatal(err)
			}
			a := &anxin.Account{OrgID: platform.ID, Username: "admin", Roles: []string{anxin.RoleAdmin}, PasswordHash: "x"}
			if err := db.CreateAccount(ctx, sc, a); err != nil {
				t.Fatal(err)
			}
			a.Org = platform
			if err := db.CreateTerm(ctx, anxin.ScopeOf(a), &anxin.Term{Kind: anxin.TermDialect, Value: "火星话", Aliases: []string{"martian"}}); err != nil {
				t.Fatal(err)
			}
			p, err := im.Preview(ctx, sc, read(t, []byte(strings.ReplaceAll(roster, ",火星话", ",Martian")), "roster.csv"))
			if err != nil {
				t.Fatal(err)
			}
			for _, rr := range p.Rows {
				if rr.Row == 5 && (rr.Action == registry.ActionReject || rr.Elder.Dialect != "火星话") {
					t.Fatalf("row 5 after the alias was added: %+v %+v", rr, rr.Elder)
				}
			}
		})
	})
}
