package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func termValues(ts []*anxin.Term) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Value)
	}
	return out
}

func mustFindTerm(t *testing.T, db *store.DB, kind, value string) *anxin.Term {
	t.Helper()
	ts, err := db.FindTerms(ctx, kind, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range ts {
		if term.Value == value {
			return term
		}
	}
	t.Fatalf("no %s %q in %v", kind, value, termValues(ts))
	return nil
}

// The migration lists every tag and dialect the generator and the demo
// give elders, in order, with the aliases rosters use.
func TestVocabDefaults(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		tags, err := db.FindTerms(ctx, anxin.TermTag, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"高龄", "失能", "半失能", "行动不便", "残疾", "低保", "低收入", "失独", "空巢", "孤寡", "重点关注", "认知障碍"} {
			if !slices.Contains(termValues(tags), want) {
				t.Errorf("default tags lack %s: %v", want, termValues(tags))
			}
		}
		for i, tag := range tags {
			if tag.Position != i+1 || !tag.Active || tag.CreatedAt.IsZero() {
				t.Errorf("tag %d: %+v", i, tag)
			}
		}
		dialects, err := db.FindTerms(ctx, anxin.TermDialect, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(termValues(dialects), ","); got != "普通话,上海话,无锡话,苏州话,宁波话,杭州话,粤语,闽南话,四川话" {
			t.Errorf("default dialects %s", got)
		}
		v, err := db.Vocabulary(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for text, want := range map[string]string{"沪语": "上海话", "上海方言": "上海话", "无锡闲话": "无锡话", "广东话": "粤语"} {
			if got, err := v.Canonical(anxin.TermDialect, text); got != want {
				t.Errorf("dialect %s → %q, %v; want %s", text, got, err, want)
			}
		}
		for text, want := range map[string]string{"80岁以上": "高龄", "低保户": "低保", "孤老": "孤寡", "老年痴呆": "认知障碍"} {
			if got, err := v.Canonical(anxin.TermTag, text); got != want {
				t.Errorf("tag %s → %q, %v; want %s", text, got, err, want)
			}
		}
	})
}

// Anyone may read the lists; only the platform's administrators change
// them: not a city hotline's administrator, not an operator.
func TestVocabPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		platform := mustCreateOrg(t, db, anxin.OrgPlatform, "平台", "")
		city := mustCreateOrg(t, db, anxin.OrgHotline, "上海市热线", "3101")
		admin := anxin.ScopeOf(mustCreateAccount(t, db, platform, "admin", anxin.RoleAdmin))
		for name, sc := range map[string]anxin.Scope{
			"city admin":           anxin.ScopeOf(mustCreateAccount(t, db, city, "cityadmin", anxin.RoleAdmin)),
			"operator":             anxin.ScopeOf(mustCreateAccount(t, db, city, "op", anxin.RoleOperator)),
			"platform back office": anxin.ScopeOf(mustCreateAccount(t, db, platform, "bo", anxin.RoleBackOffice)),
		} {
			t.Run(name+" is refused", func(t *testing.T) {
				wantCode(t, db.CreateTerm(ctx, sc, &anxin.Term{Kind: anxin.TermTag, Value: "独居"}), anxin.EFORBIDDEN)
				tag := mustFindTerm(t, db, anxin.TermTag, "低保")
				tag.Active = false
				_, err := db.UpdateTerm(ctx, sc, tag)
				wantCode(t, err, anxin.EFORBIDDEN)
				wantCode(t, db.MoveTerm(ctx, sc, tag.ID, 1), anxin.EFORBIDDEN)
				wantCode(t, db.DeleteTerm(ctx, sc, tag.ID), anxin.EFORBIDDEN)
				if got := mustFindTerm(t, db, anxin.TermTag, "低保"); !got.Active {
					t.Fatal("a refused update deactivated the tag")
				}
			})
		}
		t.Run("platform admin may", func(t *testing.T) {
			if err := db.CreateTerm(ctx, admin, &anxin.Term{Kind: anxin.TermTag, Value: "独居"}); err != nil {
				t.Fatal(err)
			}
		})
	})
}

func TestVocabWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		platform := mustCreateOrg(t, db, anxin.OrgPlatform, "平台", "")
		sc := anxin.ScopeOf(mustCreateAccount(t, db, platform, "admin", anxin.RoleAdmin))
		wang := mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Tags: []string{"高龄", "行动不便"}, Dialect: "上海话"})
		zhang := mustCreateElder(t, db, &anxin.Elder{Name: "张建国", RegionCode: "310107005003", Tags: []string{"行动不便x", "低保"}})

		t.Run("create appends, active, with aliases", func(t *testing.T) {
			term := &anxin.Term{Kind: anxin.TermDialect, Value: "温州话", Aliases: []string{"温州方言", "瓯语"}}
			if err := db.CreateTerm(ctx, sc, term); err != nil {
				t.Fatal(err)
			}
			got := mustFindTerm(t, db, anxin.TermDialect, "温州话")
			if got.ID != term.ID || got.Position != 10 || !got.Active || !slices.Equal(got.Aliases, []string{"温州方言", "瓯语"}) {
				t.Fatalf("stored %+v", got)
			}
		})
		t.Run("a value or alias naming another term conflicts", func(t *testing.T) {
			for _, term := range []*anxin.Term{
				{Kind: anxin.TermDialect, Value: "上海话"},
				{Kind: anxin.TermDialect, Value: "沪语"},
				{Kind: anxin.TermDialect, Value: "海派话", Aliases: []string{"上海 方言"}},
				{Kind: anxin.TermTag, Value: "八十岁以上"},
			} {
				wantCode(t, db.CreateTerm(ctx, sc, term), anxin.ECONFLICT)
			}
			// The lists are separate: a dialect named like a tag is fine.
			if err := db.CreateTerm(ctx, sc, &anxin.Term{Kind: anxin.TermDialect, Value: "高龄"}); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("rename rewrites the elders with history and keeps the old name as alias", func(t *testing.T) {
			tag := mustFindTerm(t, db, anxin.TermTag, "行动不便")
			tag.Value = "行动困难者"
			tag.Aliases = []string{"腿脚不便"}
			n, err := db.UpdateTerm(ctx, sc, tag)
			if err != nil || n != 1 {
				t.Fatalf("renamed %d, %v", n, err)
			}
			got := mustFindTerm(t, db, anxin.TermTag, "行动困难者")
			if !slices.Equal(got.Aliases, []string{"腿脚不便", "行动不便"}) {
				t.Errorf("aliases %v", got.Aliases)
			}
			w, _ := db.FindElder(ctx, anxin.SystemScope(), wang.ID)
			if !slices.Equal(w.Tags, []string{"高龄", "行动困难者"}) {
				t.Errorf("王秀英's tags %v", w.Tags)
			}
			z, _ := db.FindElder(ctx, anxin.SystemScope(), zhang.ID)
			if !slices.Equal(z.Tags, []string{"行动不便x", "低保"}) {
				t.Errorf("a tag that only starts alike was renamed: %v", z.Tags)
			}
			hist, err := db.ElderHistory(ctx, anxin.SystemScope(), wang.ID)
			if err != nil || len(hist) == 0 || hist[0].Field != "tags" || hist[0].ActorName != "admin" ||
				hist[0].Old != ",高龄,行动不便," || hist[0].New != ",高龄,行动困难者," {
				t.Fatalf("history %+v, %v", hist, err)
			}
			d := mustFindTerm(t, db, anxin.TermDialect, "上海话")
			d.Value = "上海闲话x"
			if _, err := db.UpdateTerm(ctx, sc, d); err != nil {
				t.Fatal(err)
			}
			if w, _ := db.FindElder(ctx, anxin.SystemScope(), wang.ID); w.Dialect != "上海闲话x" {
				t.Errorf("dialect after rename %q", w.Dialect)
			}
		})
		t.Run("deactivate keeps the elders' values", func(t *testing.T) {
			tag := mustFindTerm(t, db, anxin.TermTag, "高龄")
			tag.Active = false
			if n, err := db.UpdateTerm(ctx, sc, tag); err != nil || n != 0 {
				t.Fatalf("deactivate: %d, %v", n, err)
			}
			active, _ := db.FindTerms(ctx, anxin.TermTag, false)
			if slices.Contains(termValues(active), "高龄") {
				t.Error("a deactivated tag is still listed as active")
			}
			if w, _ := db.FindElder(ctx, anxin.SystemScope(), wang.ID); !slices.Contains(w.Tags, "高龄") {
				t.Errorf("deactivation dropped the tag: %v", w.Tags)
			}
			tag.Active = true
			if _, err := db.UpdateTerm(ctx, sc, tag); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("move renumbers the list", func(t *testing.T) {
			low := mustFindTerm(t, db, anxin.TermTag, "低保")
			if err := db.MoveTerm(ctx, sc, low.ID, 1); err != nil {
				t.Fatal(err)
			}
			all, _ := db.FindTerms(ctx, anxin.TermTag, true)
			if all[0].Value != "低保" || all[1].Value != "高龄" {
				t.Fatalf("order after move %v", termValues(all))
			}
			for i, term := range all {
				if term.Position != i+1 {
					t.Fatalf("positions %d at %d", term.Position, i)
				}
			}
			if err := db.MoveTerm(ctx, sc, low.ID, 999); err != nil {
				t.Fatal(err)
			}
			all, _ = db.FindTerms(ctx, anxin.TermTag, true)
			if all[len(all)-1].Value != "低保" {
				t.Fatalf("order after move to the end %v", termValues(all))
			}
		})
		t.Run("a term in use cannot be deleted, an unused one can", func(t *testing.T) {
			low := mustFindTerm(t, db, anxin.TermTag, "低保")
			if n, err := db.CountTermUse(ctx, low.ID); n != 1 || err != nil {
				t.Fatalf("use of 低保: %d, %v", n, err)
			}
			wantCode(t, db.DeleteTerm(ctx, sc, low.ID), anxin.ECONFLICT)
			unused := mustFindTerm(t, db, anxin.TermTag, "认知障碍")
			if err := db.DeleteTerm(ctx, sc, unused.ID); err != nil {
				t.Fatal(err)
			}
			_, err := db.FindTerm(ctx, unused.ID)
			wantCode(t, err, anxin.ENOTFOUND)
		})
	})
}

// A registry that holds tags and dialects before the lists exist keeps
// them: the migration adds each one that is neither a default value nor
// a default alias to its list.
func TestVocabMigrationKeepsValuesInUse(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			migration, err := os.ReadFile(filepath.Join("migrations", engine, "0006_vocab.sql"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := storetest.Config(t, engine)
			storetest.Exec(t, cfg, "DROP TABLE vocab")
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			mustCreateElder(t, db, &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Tags: []string{"高龄", "独居老人", "80岁以上"}, Dialect: "温州话"})
			mustCreateElder(t, db, &anxin.Elder{Name: "张建国", RegionCode: "310107005003", Tags: []string{"独居老人", "党员"}, Dialect: "沪语"})
			// The step again, now that the registry holds values.
			storetest.Exec(t, cfg, string(migration))
			tags, _ := db.FindTerms(ctx, anxin.TermTag, true)
			got := termValues(tags)
			if !slices.Equal(got[len(got)-2:], []string{"党员", "独居老人"}) || slices.Contains(got, "80岁以上") {
				t.Errorf("tags after migration %v", got)
			}
			if tags[len(tags)-1].Position != len(tags) {
				t.Errorf("positions %+v", tags[len(tags)-1])
			}
			dialects, _ := db.FindTerms(ctx, anxin.TermDialect, true)
			if got := termValues(dialects); got[len(got)-1] != "温州话" || slices.Contains(got, "沪语") {
				t.Errorf("dialects after migration %v", got)
			}
		})
	}
}
