package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
)

// menuValues is the menu form as a browser posts it: one key, action,
// target and next per row, blank rows included.
func menuValues(name, greeting, prompt, timeout string, rows [][4]string, numbers ...string) url.Values {
	v := url.Values{"name": {name}, "greeting": {greeting}, "prompt": {prompt}, "timeout": {timeout}, "number": numbers}
	rows = append(rows, [4]string{"", "queue", "", ""}, [4]string{"", "queue", "", ""})
	for _, r := range rows {
		v.Add("key", r[0])
		v.Add("action", r[1])
		v.Add("target", r[2])
		v.Add("next", r[3])
	}
	return v
}

// mustMenu finds a stored menu by name.
func mustMenu(t *testing.T, e *testEnv, name string) *anxin.Menu {
	t.Helper()
	menus, err := e.db.Menus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range menus {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("no menu %q", name)
	return nil
}

// The platform administrator builds a main menu with a dialect sub-menu
// and gives it the city hotline through the form; mistakes come back with
// what was typed; a menu in use cannot be deleted. A hotline administrator
// reads; an operator may not.
func TestIVRMenuPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.signIn("admin")
		st, body := admin.get("/admin/ivr")
		wantStatus(t, "list", st, http.StatusOK)
		wantBody(t, body, "语音菜单", `href="/admin/ivr/new"`, demo.CityHotline)
		before, _ := e.db.Menus(ctx)
		q := anxin.DefaultQueue("consultation")
		q.Label = "咨询热线"
		if err := e.db.SaveQueue(ctx, anxin.SystemScope(), &q); err != nil {
			t.Fatal(err)
		}
		st, body = admin.get("/admin/ivr/new")
		wantStatus(t, "new form", st, http.StatusOK)
		wantBody(t, body, `<option value="main_menu" selected>`, `value="welcome"`, `id="ivr-targets-queue"`, `<option value="checkin_help">关爱回访求助</option>`,
			`<option value="wuu">上海话</option>`, `name="number" value="`+demo.CityHotline+`"`, "人工服务", "固定")

		// The sub-menu first: a menu may lead only to menus that exist.
		st, loc, _ := postWithLocation(t, admin, "/admin/ivr", menuValues("方言", "", "dialect_choice", "6",
			[][4]string{{"1", "language", "zh", ""}, {"2", "language", "wuu", ""}}))
		wantStatus(t, "create sub-menu", st, http.StatusSeeOther)
		sub := mustMenu(t, e, "方言")
		if loc != fmt.Sprintf("/admin/ivr?flash=menu_saved#menu-%d", sub.ID) || sub.TimeoutSeconds != 6 || len(sub.Options) != 2 || sub.Options[1].Target != "wuu" {
			t.Fatalf("sub-menu %+v, redirect %s", sub, loc)
		}
		st, _, _ = postWithLocation(t, admin, "/admin/ivr", menuValues("主菜单", "welcome", "main_menu", "8",
			[][4]string{{"1", "queue", "consultation", ""}, {"2", "queue", "service", ""}, {"3", "callback", "complaint", ""}, {"9", "menu", "方言", ""}},
			demo.CityHotline))
		wantStatus(t, "create main", st, http.StatusSeeOther)
		main := mustMenu(t, e, "主菜单")
		if !slices.Equal(main.Numbers, []string{demo.CityHotline}) || len(main.Options) != 4 || main.Options[3] != (anxin.MenuOption{Key: "9", Action: "menu", Target: "方言"}) {
			t.Fatalf("main menu %+v", main)
		}
		if ids, _ := e.db.DIDMenus(ctx); ids[demo.CityHotline] != main.ID {
			t.Fatalf("the hotline starts at %v", ids)
		}
		if a := lastAudit(t, e, "ivr.menu.create"); a.TargetID != fmt.Sprint(main.ID) || !strings.Contains(a.Detail, "9:menu:方言") || !strings.Contains(a.Detail, "numbers "+demo.CityHotline) {
			t.Fatalf("audit %+v", a)
		}
		_, body = admin.get("/admin/ivr/new")
		wantBody(t, body, "现用菜单：主菜单")
		_, body = admin.get("/admin/ivr?flash=menu_saved")
		wantBody(t, body, "菜单已保存", "1 → 咨询热线 队列", "3 → 登记回电（投诉建议）", "9 → 子菜单 方言", "0 → 人工服务", "2 → 语言：上海话",
			`<span class="tag num">`+demo.CityHotline+`</span>`, "由 主菜单 进入", "欢迎语")

		// Edit: a longer wait; the language key of the sub-menu goes back
		// to the main menu.
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/ivr/%d", main.ID), menuValues("主菜单", "welcome", "main_menu", "10",
			[][4]string{{"1", "queue", "consultation", ""}, {"9", "menu", "方言", ""}}, demo.CityHotline, demo.DistrictHotline))
		wantStatus(t, "edit main", st, http.StatusSeeOther)
		if a := lastAudit(t, e, "ivr.menu.update"); !strings.Contains(a.Detail, "timeout 8→10") || !strings.Contains(a.Detail, "numbers "+demo.CityHotline+"→"+demo.DistrictHotline+","+demo.CityHotline) {
			t.Fatalf("update audit %+v", a)
		}
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/ivr/%d", sub.ID), menuValues("方言", "", "dialect_choice", "6",
			[][4]string{{"1", "language", "zh", "主菜单"}, {"2", "language", "wuu", "主菜单"}}))
		wantStatus(t, "edit sub-menu", st, http.StatusSeeOther)
		if m := mustMenu(t, e, "方言"); m.Options[0].Next != "主菜单" {
			t.Fatalf("sub-menu %+v", m)
		}
		st, body = admin.get(fmt.Sprintf("/admin/ivr/%d", sub.ID))
		wantStatus(t, "edit form", st, http.StatusOK)
		wantBody(t, body, `value="主菜单" list="ivr-targets-menu"`, `<option value="language" selected>`, `list="ivr-targets-language"`, "编辑菜单：方言")

		// Mistakes come back in the form, as typed.
		for _, tc := range []struct {
			name   string
			v      url.Values
			status int
			says   []string
		}{
			{"key 0", menuValues("新菜单", "", "main_menu", "8", [][4]string{{"1", "queue", "consultation", ""}}), http.StatusBadRequest, nil},
			{"no sub-menu", menuValues("新菜单", "", "main_menu", "8", [][4]string{{"4", "menu", "没有的菜单", ""}}), http.StatusBadRequest,
				[]string{"按键 4 通往菜单 &#34;没有的菜单&#34;", `value="没有的菜单"`, `aria-invalid="true"`}},
			{"key twice", menuValues("新菜单", "", "main_menu", "8", [][4]string{{"1", "queue", "a", ""}, {"1", "queue", "b", ""}}), http.StatusBadRequest,
				[]string{"按键 1 用了两次"}},
			{"bad queue", menuValues("新菜单", "", "main_menu", "8", [][4]string{{"5", "queue", "咨询", ""}}), http.StatusBadRequest,
				[]string{"按键 5：&#34;咨询&#34; 不是“queue”动作的有效目标"}},
			{"timeout", menuValues("新菜单", "", "main_menu", "90", nil), http.StatusBadRequest, []string{"2 到 60 秒", `value="90"`}},
			{"name taken", menuValues("方言", "", "main_menu", "8", nil), http.StatusConflict, []string{"已有名为"}},
			{"no name", menuValues(" ", "", "main_menu", "8", nil), http.StatusBadRequest, []string{"菜单名称不能为空"}},
		} {
			if tc.name == "key 0" {
				tc.v.Add("key", "0")
				tc.v.Add("action", "message")
				tc.v.Add("target", "goodbye")
				tc.v.Add("next", "")
				tc.says = []string{"按键 0 固定转人工服务", `value="新菜单"`}
			}
			st, body := admin.post("/admin/ivr", tc.v)
			wantStatus(t, tc.name, st, tc.status)
			wantBody(t, body, tc.says...)
		}
		if menus, _ := e.db.Menus(ctx); len(menus) != len(before)+2 {
			t.Fatalf("%d menus after refusals", len(menus))
		}

		// A menu in use stays; a free one goes.
		st, body = admin.post(fmt.Sprintf("/admin/ivr/%d/delete", sub.ID), nil)
		wantStatus(t, "delete used", st, http.StatusConflict)
		wantBody(t, body, "正在使用")
		st, _, _ = postWithLocation(t, admin, "/admin/ivr", menuValues("临时", "", "goodbye", "8", nil))
		wantStatus(t, "create temp", st, http.StatusSeeOther)
		tmp := mustMenu(t, e, "临时")
		st, loc, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/ivr/%d/delete", tmp.ID), url.Values{})
		if st != http.StatusSeeOther || !strings.Contains(loc, "flash=menu_deleted") {
			t.Fatalf("delete: %d %s", st, loc)
		}
		if a := lastAudit(t, e, "ivr.menu.delete"); a.TargetID != fmt.Sprint(tmp.ID) || !strings.Contains(a.Detail, "临时") {
			t.Fatalf("delete audit %+v", a)
		}
		st, _ = admin.postForm(fmt.Sprintf("/admin/ivr/%d/delete", sub.ID), url.Values{})
		wantStatus(t, "no csrf", st, http.StatusForbidden)

		// Others.
		op := e.signIn("operator1")
		st, _ = op.get("/admin/ivr")
		wantStatus(t, "operator reads", st, http.StatusForbidden)
		st, _ = op.post("/admin/ivr", menuValues("x", "", "main_menu", "8", nil))
		wantStatus(t, "operator creates", st, http.StatusForbidden)
		city := e.signIn("cityadmin")
		st, body = city.get("/admin/ivr")
		wantStatus(t, "city admin reads", st, http.StatusOK)
		wantBody(t, body, "主菜单", "只有平台管理员可以修改")
		if strings.Contains(body, `href="/admin/ivr/new"`) || strings.Contains(body, "/delete") {
			t.Fatal("a hotline administrator is offered changes")
		}
		st, _ = city.post(fmt.Sprintf("/admin/ivr/%d", main.ID), menuValues("主菜单", "", "main_menu", "8", nil))
		wantStatus(t, "city admin saves", st, http.StatusForbidden)
		st, _ = admin.get("/admin/ivr/999999")
		wantStatus(t, "unknown menu", st, http.StatusNotFound)
	})
}

func TestIVRMenuAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.token("admin")
		var m anxin.Menu
		body := map[string]any{"name": "dialect", "prompt": "dialect_choice", "options": []map[string]string{
			{"key": "1", "action": "language", "target": "zh"}, {"key": "2", "action": "language", "target": "wuu"}}}
		wantStatus(t, "create sub-menu", e.api("POST", "/api/v1/ivr/menus", admin, body, &m), http.StatusCreated)
		if m.ID == 0 || m.TimeoutSeconds != 8 || len(m.Options) != 2 || m.UpdatedAt.IsZero() {
			t.Fatalf("created %+v", m)
		}
		body = map[string]any{"name": "main", "greeting": "welcome", "prompt": "main_menu", "timeout_seconds": 10, "numbers": []string{demo.DistrictHotline},
			"options": []map[string]string{{"key": "#", "action": "menu", "target": "dialect"}, {"key": "1", "action": "queue", "target": "consultation"},
				{"key": "0", "action": "queue", "target": "operator"}}}
		var main anxin.Menu
		wantStatus(t, "create main", e.api("POST", "/api/v1/ivr/menus", admin, body, &main), http.StatusCreated)
		if keys := []string{main.Options[0].Key, main.Options[1].Key, main.Options[2].Key}; !slices.Equal(keys, []string{"1", "0", "#"}) ||
			!slices.Equal(main.Numbers, []string{demo.DistrictHotline}) {
			t.Fatalf("main %+v", main)
		}
		var list struct {
			Items []anxin.Menu `json:"items"`
			Total int          `json:"total"`
		}
		wantStatus(t, "list", e.api("GET", "/api/v1/ivr/menus", admin, nil, &list), http.StatusOK)
		var names []string
		for _, it := range list.Items {
			names = append(names, it.Name)
		}
		if list.Total != len(list.Items) || !slices.Contains(names, "dialect") || !slices.Contains(names, "main") || !slices.IsSorted(names) {
			t.Fatalf("list %v", names)
		}
		body["timeout_seconds"] = 12
		body["numbers"] = []string{}
		var got anxin.Menu
		wantStatus(t, "put", e.api("PUT", fmt.Sprintf("/api/v1/ivr/menus/%d", main.ID), admin, body, &got), http.StatusOK)
		if got.TimeoutSeconds != 12 || len(got.Numbers) != 0 {
			t.Fatalf("after put %+v", got)
		}
		if a := lastAudit(t, e, "ivr.menu.update"); !strings.Contains(a.Detail, "timeout 10→12") {
			t.Fatalf("audit %+v", a)
		}
		wantStatus(t, "get", e.api("GET", fmt.Sprintf("/api/v1/ivr/menus/%d", main.ID), admin, nil, &got), http.StatusOK)

		var apiErr struct {
			Error struct{ Code, Message string }
		}
		body["options"] = []map[string]string{{"key": "0", "action": "queue", "target": "complaint"}}
		wantStatus(t, "key 0", e.api("PUT", fmt.Sprintf("/api/v1/ivr/menus/%d", main.ID), admin, body, &apiErr), http.StatusBadRequest)
		if apiErr.Error.Code != anxin.EINVALID || !strings.Contains(apiErr.Error.Message, "按键 0") {
			t.Fatalf("error %+v", apiErr)
		}
		wantStatus(t, "unknown field", e.api("POST", "/api/v1/ivr/menus", admin, map[string]any{"name": "x", "prompt": "welcome", "keys": 1}, nil), http.StatusBadRequest)
		wantStatus(t, "delete used", e.api("DELETE", fmt.Sprintf("/api/v1/ivr/menus/%d", m.ID), admin, nil, nil), http.StatusConflict)
		wantStatus(t, "delete", e.api("DELETE", fmt.Sprintf("/api/v1/ivr/menus/%d", main.ID), admin, nil, nil), http.StatusNoContent)
		wantStatus(t, "gone", e.api("GET", fmt.Sprintf("/api/v1/ivr/menus/%d", main.ID), admin, nil, nil), http.StatusNotFound)

		op := e.token("operator1")
		wantStatus(t, "operator lists", e.api("GET", "/api/v1/ivr/menus", op, nil, nil), http.StatusForbidden)
		wantStatus(t, "operator creates", e.api("POST", "/api/v1/ivr/menus", op, body, nil), http.StatusForbidden)
		wantStatus(t, "city admin creates", e.api("POST", "/api/v1/ivr/menus", e.token("cityadmin"), body, nil), http.StatusForbidden)
		wantStatus(t, "no token", e.api("GET", "/api/v1/ivr/menus", "", nil, nil), http.StatusUnauthorized)
	})
}

// Queues: the built-in ones and those the menus name are listed with the
// defaults; the administrator sets a skill and times, a mistake comes
// back as typed.
func TestQueues(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		if err := e.db.SaveMenu(ctx, anxin.SystemScope(), &anxin.Menu{Name: "main", Prompt: "main_menu",
			Options: []anxin.MenuOption{{Key: "4", Action: anxin.MenuQueue, Target: "wuu_line"}}}); err != nil {
			t.Fatal(err)
		}
		admin := e.signIn("admin")
		st, body := admin.get("/admin/queues")
		wantStatus(t, "page", st, http.StatusOK)
		wantBody(t, body, `id="queue-consultation"`, `id="queue-checkin_help"`, `id="queue-operator"`, `id="queue-wuu_line"`, `placeholder="咨询"`,
			`name="overflow" value="30"`, `name="max_wait" value="120"`, `action="/admin/queues/complaint"`)

		v := url.Values{"label": {"上海话专线"}, "skill": {"wuu"}, "overflow": {"60"}, "max_wait": {"300"}, "announce": {"45"}}
		st, loc, _ := postWithLocation(t, admin, "/admin/queues/wuu_line", v)
		if st != http.StatusSeeOther || !strings.HasSuffix(loc, "#queue-wuu_line") {
			t.Fatalf("save: %d %s", st, loc)
		}
		qs, _ := e.db.Queues(ctx)
		if !slices.Contains(qs, anxin.Queue{Name: "wuu_line", Label: "上海话专线", Skill: "wuu", OverflowSeconds: 60, MaxWaitSeconds: 300, AnnounceSeconds: 45}) {
			t.Fatalf("stored %+v", qs)
		}
		if a := lastAudit(t, e, "ivr.queue.update"); a.TargetID != "wuu_line" || !strings.Contains(a.Detail, "skill none→wuu") || !strings.Contains(a.Detail, "max_wait 120→300") {
			t.Fatalf("audit %+v", a)
		}
		_, body = admin.get("/admin/queues")
		wantBody(t, body, `value="上海话专线"`, "已修改")

		v = url.Values{"label": {""}, "skill": {"投诉"}, "overflow": {"30"}, "max_wait": {"120"}, "announce": {"30"}}
		st, body = admin.post("/admin/queues/complaint", v)
		wantStatus(t, "bad skill", st, http.StatusBadRequest)
		wantBody(t, body, "技能为 1 到 32 个小写字母", `value="投诉"`, `aria-invalid="true"`)
		v = url.Values{"skill": {""}, "overflow": {"30"}, "max_wait": {"5"}, "announce": {"30"}}
		st, body = admin.post("/admin/queues/complaint", v)
		wantStatus(t, "short wait", st, http.StatusBadRequest)
		wantBody(t, body, "最长等待 10 秒到 1 小时", `name="max_wait" value="5"`)

		tok := e.token("admin")
		var q map[string]any
		wantStatus(t, "API put", e.api("PUT", "/api/v1/queues/complaint", tok, map[string]any{"label": "投诉建议", "skill": "complaint",
			"overflow_seconds": 0, "max_wait_seconds": 600, "announce_seconds": 0}, &q), http.StatusOK)
		if q["skill"] != "complaint" || q["custom"] != true || q["overflow_seconds"] != 0.0 {
			t.Fatalf("API put %v", q)
		}
		wantStatus(t, "API missing time", e.api("PUT", "/api/v1/queues/complaint", tok, map[string]any{"label": "x"}, nil), http.StatusBadRequest)
		wantStatus(t, "API bad name", e.api("PUT", "/api/v1/queues/Bad%20Name", tok, map[string]any{"overflow_seconds": 0, "max_wait_seconds": 600, "announce_seconds": 0}, nil), http.StatusBadRequest)
		var list struct{ Items []map[string]any }
		wantStatus(t, "API list", e.api("GET", "/api/v1/queues", tok, nil, &list), http.StatusOK)
		var names []string
		for _, it := range list.Items {
			names = append(names, it["name"].(string))
			if it["name"] == "checkin_help" && (it["custom"] != false || it["max_wait_seconds"] != 120.0 || it["label"] != "checkin_help") {
				t.Fatalf("default queue %v", it)
			}
		}
		if !slices.IsSorted(names) || !slices.Contains(names, "checkin_help") || !slices.Contains(names, "wuu_line") || !slices.Contains(names, "service") {
			t.Fatalf("queues %v", names)
		}

		st, _ = e.signIn("operator1").get("/admin/queues")
		wantStatus(t, "operator", st, http.StatusForbidden)
		st, _ = e.signIn("cityadmin").post("/admin/queues/complaint", url.Values{"overflow": {"1"}, "max_wait": {"60"}, "announce": {"0"}})
		wantStatus(t, "city admin", st, http.StatusForbidden)
		wantStatus(t, "API operator", e.api("GET", "/api/v1/queues", e.token("operator1"), nil, nil), http.StatusForbidden)
	})
}

// A supervisor gives an operator Shanghainese and the complaint tier on
// /agents; the API sets and shows them too.
func TestSkills(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		op, err := e.db.AccountByUsername(ctx, "operator1")
		if err != nil {
			t.Fatal(err)
		}
		sup := e.signIn("supervisor1")
		st, body := sup.get("/agents")
		wantStatus(t, "page", st, http.StatusOK)
		wantBody(t, body, "技能", "话务员 王敏", fmt.Sprintf(`action="/agents/%d/skills"`, op.ID), `name="lang" value="wuu"`, "上海话", "粤语")

		v := url.Values{"lang": {"wuu", "en"}, "other": {"complaint，VIP"}}
		st, loc, _ := postWithLocation(t, sup, fmt.Sprintf("/agents/%d/skills", op.ID), v)
		if st != http.StatusSeeOther || !strings.HasSuffix(loc, fmt.Sprintf("#skills-%d", op.ID)) {
			t.Fatalf("save: %d %s", st, loc)
		}
		skills, _ := e.db.Skills(ctx, op.ID)
		if !slices.Equal(skills[op.ID], []string{"complaint", "en", "vip", "wuu"}) {
			t.Fatalf("skills %v", skills)
		}
		if a := lastAudit(t, e, "agent.skills"); a.TargetID != fmt.Sprint(op.ID) || a.Detail != "skills none→complaint,en,vip,wuu" || a.ActorName != "supervisor1" {
			t.Fatalf("audit %+v", a)
		}
		_, body = sup.get("/agents")
		wantBody(t, body, `value="complaint, vip"`, `value="wuu" form="skills-form-`+fmt.Sprint(op.ID)+`" checked`)

		st, body = sup.post(fmt.Sprintf("/agents/%d/skills", op.ID), url.Values{"other": {"投诉"}})
		wantStatus(t, "bad skill", st, http.StatusBadRequest)
		wantBody(t, body, "技能为 1 到 32 个小写字母", `value="投诉"`)

		tok := e.token("operator1")
		wantStatus(t, "sign in", e.api("POST", "/api/v1/agent/state", tok, map[string]any{"event": "sign_in"}, nil), http.StatusOK)
		var got struct {
			AccountID int64    `json:"account_id"`
			Skills    []string `json:"skills"`
		}
		wantStatus(t, "API put", e.api("PUT", fmt.Sprintf("/api/v1/agents/%d/skills", op.ID), e.token("cityadmin"), map[string]any{"skills": []string{"yue", "wuu"}}, &got), http.StatusOK)
		if got.AccountID != op.ID || !slices.Equal(got.Skills, []string{"wuu", "yue"}) {
			t.Fatalf("API put %+v", got)
		}
		var list struct{ Items []anxin.AgentStatus }
		wantStatus(t, "API agents", e.api("GET", "/api/v1/agents", e.token("supervisor1"), nil, &list), http.StatusOK)
		if len(list.Items) != 1 || !slices.Equal(list.Items[0].Skills, []string{"wuu", "yue"}) {
			t.Fatalf("agents %+v", list.Items)
		}
		_, body = sup.get("/agents")
		wantBody(t, body, `<span class="tag">上海话</span><span class="tag">粤语</span>`)

		wantStatus(t, "operator sets", e.api("PUT", fmt.Sprintf("/api/v1/agents/%d/skills", op.ID), tok, map[string]any{"skills": []string{}}, nil), http.StatusForbidden)
		st, _ = e.signIn("operator2").post(fmt.Sprintf("/agents/%d/skills", op.ID), url.Values{"other": {"x"}})
		wantStatus(t, "operator posts", st, http.StatusForbidden)
		wantStatus(t, "unknown account", e.api("PUT", "/api/v1/agents/999999/skills", e.token("admin"), map[string]any{"skills": []string{"wuu"}}, nil), http.StatusNotFound)
	})
}
