package store_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestIVRConfiguration: administrators build a main menu with a dialect
// sub-menu and attach it to a hotline number; menus naming missing
// sub-menus, giving key 0 another meaning or reusing a name are refused;
// a menu in use cannot be deleted; queue settings, skills and uploaded
// prompts round-trip; nobody else may change them.
func TestIVRConfiguration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		admin := anxin.ScopeOf(mustCreateAccount(t, db, mustCreateOrg(t, db, anxin.OrgPlatform, "平台", ""), "root", anxin.RoleAdmin))
		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101")
		opAcc := mustCreateAccount(t, db, hotline, "op", anxin.RoleOperator)
		op := anxin.ScopeOf(opAcc)
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		if err := db.SaveDID(ctx, admin, &anxin.DID{Number: "966666", Flow: anxin.FlowHotline, RegionCode: "3101", Name: "市热线"}); err != nil {
			t.Fatal(err)
		}

		main := &anxin.Menu{Name: "主菜单", Greeting: "welcome", Prompt: "main_menu", Numbers: []string{"966666"}, Options: []anxin.MenuOption{
			{Key: "1", Action: anxin.MenuQueue, Target: "consultation"},
			{Key: "9", Action: anxin.MenuSubmenu, Target: "方言"},
		}}
		if err := db.SaveMenu(ctx, admin, main); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("menu leading to a missing sub-menu: %v", err)
		}
		dialect := &anxin.Menu{Name: "方言", Prompt: "dialect_choice", Options: []anxin.MenuOption{
			{Key: "1", Action: anxin.MenuLanguage, Target: anxin.LangMandarin, Next: "主菜单"},
			{Key: "2", Action: anxin.MenuLanguage, Target: anxin.LangShanghainese},
		}}
		if err := db.SaveMenu(ctx, admin, dialect); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("language option leading to a missing menu: %v", err)
		}
		dialect.Options[0].Next = ""
		if err := db.SaveMenu(ctx, op, dialect); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("operator saved a menu: %v", err)
		}
		if err := db.SaveMenu(ctx, admin, dialect); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveMenu(ctx, admin, main); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []*anxin.Menu{
			{Name: "x", Prompt: "main_menu", Options: []anxin.MenuOption{{Key: "0", Action: anxin.MenuInfo, Target: "goodbye"}}},
			{Name: "x", Prompt: "main_menu", Options: []anxin.MenuOption{{Key: "1", Action: anxin.MenuQueue, Target: "a"}, {Key: "1", Action: anxin.MenuQueue, Target: "b"}}},
			{Name: "x", Prompt: "main_menu", Options: []anxin.MenuOption{{Key: "A", Action: anxin.MenuQueue, Target: "a"}}},
			{Name: "x", Prompt: "../etc/passwd"},
			{Name: "x", Prompt: "main_menu", Options: []anxin.MenuOption{{Key: "2", Action: anxin.MenuLanguage, Target: "klingon"}}},
			{Name: "方言", Prompt: "main_menu"},
			{Name: "y", Prompt: "main_menu", Numbers: []string{"12345"}},
		} {
			if err := db.SaveMenu(ctx, admin, bad); err == nil {
				t.Errorf("bad menu saved: %+v", bad)
			}
		}
		menus, err := db.Menus(ctx)
		if err != nil || len(menus) != 2 {
			t.Fatalf("menus %v %v", menus, err)
		}
		got := menus[slices.IndexFunc(menus, func(m *anxin.Menu) bool { return m.ID == main.ID })]
		if !slices.Equal(got.Numbers, []string{"966666"}) || len(got.Options) != 2 || got.Options[1].Target != "方言" || got.TimeoutSeconds != 8 {
			t.Fatalf("main menu read back %+v", got)
		}
		if dm, err := db.DIDMenus(ctx); err != nil || dm["966666"] != main.ID {
			t.Fatalf("numbers' menus %v %v", dm, err)
		}
		if err := db.DeleteMenu(ctx, admin, dialect.ID); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("deleted a menu another leads to: %v", err)
		}
		if err := db.DeleteMenu(ctx, admin, main.ID); anxin.ErrorCode(err) != anxin.ECONFLICT {
			t.Fatalf("deleted a menu a number starts at: %v", err)
		}
		main.Numbers = nil
		if err := db.SaveMenu(ctx, admin, main); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteMenu(ctx, admin, main.ID); err != nil {
			t.Fatal(err)
		}

		q := &anxin.Queue{Name: "complaint", Label: "投诉", Skill: "complaint", OverflowSeconds: 20, MaxWaitSeconds: 90, AnnounceSeconds: 30}
		if err := db.SaveQueue(ctx, op, q); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("operator saved a queue: %v", err)
		}
		if err := db.SaveQueue(ctx, admin, q); err != nil {
			t.Fatal(err)
		}
		q.MaxWaitSeconds = 60
		if err := db.SaveQueue(ctx, admin, q); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveQueue(ctx, admin, &anxin.Queue{Name: "Bad Name", MaxWaitSeconds: 60}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("bad queue: %v", err)
		}
		if qs, err := db.Queues(ctx); err != nil || len(qs) != 1 || qs[0] != *q {
			t.Fatalf("queues %+v %v", qs, err)
		}

		if err := db.SetSkills(ctx, op, opAcc.ID, []string{"wuu"}); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("operator set her own skills: %v", err)
		}
		if err := db.SetSkills(ctx, sup, opAcc.ID, []string{"wuu", "complaint", "wuu"}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetSkills(ctx, sup, opAcc.ID, []string{"Shanghai dialect"}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("bad skill: %v", err)
		}
		if sk, err := db.Skills(ctx, opAcc.ID); err != nil || !slices.Equal(sk[opAcc.ID], []string{"complaint", "wuu"}) {
			t.Fatalf("skills %v %v", sk, err)
		}

		v0, err := db.PromptsVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wav := []byte("RIFF....WAVE")
		p := &anxin.Prompt{Name: "welcome", Lang: anxin.LangShanghainese, Millis: 2500}
		if err := db.SavePrompt(ctx, op, p, wav); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
			t.Fatalf("operator uploaded a prompt: %v", err)
		}
		if err := db.SavePrompt(ctx, admin, p, wav); err != nil {
			t.Fatal(err)
		}
		if err := db.SavePrompt(ctx, admin, &anxin.Prompt{Name: "welcome", Lang: "xx"}, wav); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("unknown language: %v", err)
		}
		v1, _ := db.PromptsVersion(ctx)
		if v1 == v0 {
			t.Fatal("uploading a prompt did not change the prompts' version")
		}
		if b, err := db.PromptWAV(ctx, "welcome", anxin.LangShanghainese); err != nil || !bytes.Equal(b, wav) {
			t.Fatalf("prompt read back %q %v", b, err)
		}
		if ps, err := db.UploadedPrompts(ctx); err != nil || len(ps) != 1 || ps[0].Millis != 2500 || ps[0].UploadedByName == "" {
			t.Fatalf("uploaded prompts %+v %v", ps, err)
		}
		if err := db.DeletePrompt(ctx, admin, "welcome", anxin.LangShanghainese); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PromptWAV(ctx, "welcome", anxin.LangShanghainese); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("deleted prompt: %v", err)
		}
	})
}
