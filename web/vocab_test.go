package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
)

// termList is the API's list envelope of terms.
type termList struct {
	Items []*anxin.Term `json:"items"`
	Total int           `json:"total"`
}

// mustTerm finds a list value through the store.
func (e *testEnv) mustTerm(kind, value string) *anxin.Term {
	e.t.Helper()
	ts, err := e.db.FindTerms(ctx, kind, true)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, t := range ts {
		if t.Value == value {
			return t
		}
	}
	e.t.Fatalf("no %s %q", kind, value)
	return nil
}

// Every account reads the lists through the API; only the platform's
// administrators change them, and every change is audited.
func TestVocabAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		var l termList
		st := e.api("GET", "/api/v1/vocab?kind=dialect", e.token("supplier1"), nil, &l)
		if st != http.StatusOK || l.Total != 9 || l.Items[0].Value != "普通话" || l.Items[1].Value != "上海话" || !slices.Contains(l.Items[1].Aliases, "沪语") {
			t.Fatalf("dialects: %d %+v", st, l)
		}
		wantStatus(t, "unknown kind", e.api("GET", "/api/v1/vocab?kind=relation", e.token("operator1"), nil, nil), http.StatusBadRequest)
		wantStatus(t, "anonymous", e.api("GET", "/api/v1/vocab", "", nil, nil), http.StatusUnauthorized)

		body := map[string]any{"kind": "dialect", "value": "温州话", "aliases": []string{"温州方言", "瓯语"}}
		wantStatus(t, "city admin creates", e.api("POST", "/api/v1/vocab", e.token("cityadmin"), body, nil), http.StatusForbidden)
		wantStatus(t, "operator creates", e.api("POST", "/api/v1/vocab", e.token("operator1"), body, nil), http.StatusForbidden)
		admin := e.token("admin")
		var created anxin.Term
		if st := e.api("POST", "/api/v1/vocab", admin, body, &created); st != http.StatusCreated || created.ID == 0 || created.Position != 10 || !created.Active {
			t.Fatalf("create: %d %+v", st, created)
		}
		if a := lastAudit(t, e, anxin.AuditVocabCreate); a.ActorName != "admin" || !strings.Contains(a.Detail, "温州话") {
			t.Errorf("create audit %+v", a)
		}
		wantStatus(t, "alias of another value", e.api("POST", "/api/v1/vocab", admin, map[string]any{"kind": "dialect", "value": "沪语"}, nil), http.StatusConflict)
		wantStatus(t, "value with a separator", e.api("POST", "/api/v1/vocab", admin, map[string]any{"kind": "tag", "value": "高龄/独居"}, nil), http.StatusBadRequest)

		path := fmt.Sprintf("/api/v1/vocab/%d", created.ID)
		wantStatus(t, "city admin patches", e.api("PATCH", path, e.token("cityadmin"), map[string]any{"active": false}, nil), http.StatusForbidden)
		var patched anxin.Term
		if st := e.api("PATCH", path, admin, map[string]any{"active": false, "position": 1}, &patched); st != http.StatusOK || patched.Active || patched.Position != 1 {
			t.Fatalf("patch: %d %+v", st, patched)
		}
		if a := lastAudit(t, e, anxin.AuditVocabUpdate); !strings.Contains(a.Detail, "position 10→1") {
			t.Errorf("move audit %+v", a)
		}
		e.api("GET", "/api/v1/vocab?kind=dialect", e.token("operator1"), nil, &l)
		if slices.ContainsFunc(l.Items, func(t *anxin.Term) bool { return t.Value == "温州话" }) {
			t.Error("a deactivated dialect is listed without all=true")
		}
		e.api("GET", "/api/v1/vocab?kind=dialect&all=true", e.token("operator1"), nil, &l)
		if l.Items[0].Value != "温州话" || l.Items[0].Active {
			t.Errorf("all dialects: %+v", l.Items[0])
		}
		wantStatus(t, "patch unknown", e.api("PATCH", "/api/v1/vocab/99999", admin, map[string]any{"active": true}, nil), http.StatusNotFound)
	})
}

// The elder API refuses a tag or dialect on no list with 400, the field,
// the reason and a message naming the field; aliases are stored as the
// listed value.
func TestElderAPITagsAndDialects(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("operator1")
		bad := wangXiuying()
		bad["dialect"] = "火星话"
		var ib invalidBody
		st := e.api("POST", "/api/v1/elders", tok, bad, &ib)
		wantStatus(t, "unknown dialect", st, http.StatusBadRequest)
		if ib.Error.Code != anxin.EINVALID || !ib.has("dialect", "unknown_dialect") || len(ib.Fields) != 1 || ib.Fields[0].Value != "火星话" ||
			!strings.Contains(ib.Error.Message, "方言") || !strings.Contains(ib.Error.Message, "火星话") {
			t.Fatalf("unknown dialect answer %+v", ib)
		}
		if n, _ := e.db.CountElders(ctx); n != 0 {
			t.Fatalf("%d elders stored after a refusal", n)
		}

		good := wangXiuying()
		good["tags"] = []string{"80岁以上", "行动不便", "高龄"}
		good["dialect"] = "沪语"
		w := mustCreateElderAPI(t, e, "operator1", good)
		if !slices.Equal(w.Tags, []string{"高龄", "行动不便"}) || w.Dialect != "上海话" {
			t.Fatalf("stored tags %v dialect %q", w.Tags, w.Dialect)
		}

		put := wangXiuying()
		put["tags"] = []string{"高龄", "党员"}
		ib = invalidBody{}
		st = e.api("PUT", fmt.Sprintf("/api/v1/elders/%d", w.ID), tok, put, &ib)
		if st != http.StatusBadRequest || !ib.has("tags", "unknown_tag") || !strings.Contains(ib.Error.Message, "标签") {
			t.Fatalf("unknown tag on update: %d %+v", st, ib)
		}
	})
}

var checkedTag = regexp.MustCompile(`<input type="checkbox" name="tags" value="([^"]+)" checked>`)

// checkedTags lists the ticked tag checkboxes of a form page.
func checkedTags(body string) []string {
	var out []string
	for _, m := range checkedTag.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The form offers the tags as checkboxes and the dialects as a select, in
// list order; a value deactivated after it was given stays ticked and is
// kept when the form is saved; a value on no list is refused.
func TestElderFormTagsAndDialects(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		op := e.signIn("operator1")
		st, body := op.get("/elders/new")
		wantStatus(t, "new form", st, http.StatusOK)
		wantBody(t, body, `<input type="checkbox" name="tags" value="高龄">`, `<input type="checkbox" name="tags" value="认知障碍">`,
			`<select id="dialect" name="dialect">`, `<option value="上海话">上海话</option>`)
		if strings.Index(body, `value="高龄"`) > strings.Index(body, `value="失能"`) {
			t.Error("tags are not in list order")
		}

		v := wangForm()
		v["tags"] = []string{"高龄", "失能"}
		v.Set("dialect", "无锡话")
		id := mustCreateElderForm(t, op, v)
		edit := fmt.Sprintf("/elders/%d/edit", id)
		_, body = op.get(edit)
		if got := checkedTags(body); !slices.Equal(got, []string{"高龄", "失能"}) {
			t.Fatalf("ticked after create: %v", got)
		}
		wantBody(t, body, `<option value="无锡话" selected>无锡话</option>`)

		admin := e.signIn("admin")
		disabled := e.mustTerm(anxin.TermTag, "失能")
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/lists/%d/active", disabled.ID), url.Values{"active": {"false"}})
		wantStatus(t, "deactivate", st, http.StatusSeeOther)

		_, body = op.get("/elders/new")
		if strings.Contains(body, `value="失能"`) {
			t.Error("the new form offers a deactivated tag")
		}
		_, body = op.get(edit)
		if got := checkedTags(body); !slices.Equal(got, []string{"高龄", "失能"}) {
			t.Fatalf("ticked after deactivation: %v", got)
		}
		wantBody(t, body, "已停用")
		v["tags"] = []string{"高龄", "失能", "空巢"}
		st, _, body = postWithLocation(t, op, fmt.Sprintf("/elders/%d", id), v)
		wantStatus(t, "save with a deactivated tag kept", st, http.StatusSeeOther)
		if got, _ := e.db.FindElder(ctx, anxin.SystemScope(), id); !slices.Equal(got.Tags, []string{"高龄", "失能", "空巢"}) {
			t.Fatalf("tags after save %v", got.Tags)
		}

		v["tags"] = []string{"高龄", "火星人"}
		st, _, body = postWithLocation(t, op, fmt.Sprintf("/elders/%d", id), v)
		wantStatus(t, "unknown tag", st, http.StatusBadRequest)
		wantBody(t, body, "“火星人”：不在标签列表中")
		if got := checkedTags(body); !slices.Equal(got, []string{"高龄", "火星人"}) {
			t.Errorf("the refused form does not keep the ticks: %v", got)
		}

		_, body = op.get("/elders?tag=" + url.QueryEscape("失能"))
		wantBody(t, body, `<select name="tag">`, `<optgroup label="已停用"><option value="失能" selected>失能</option>`, "王秀英")
	})
}

// Administrators find the lists in the navigation; the platform's add,
// edit, deactivate, reorder and delete unused values, audited; other
// administrators only look; other roles are refused.
func TestVocabAdminPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin := e.signIn("admin")
		st, body := admin.get("/admin/lists")
		wantStatus(t, "lists", st, http.StatusOK)
		wantBody(t, body, `href="/admin/lists"`, "标签与方言", `id="tag"`, `id="dialect"`, "上海方言", `action="/admin/lists"`, "新标签", "新方言")

		st, loc, _ := postWithLocation(t, admin, "/admin/lists", url.Values{"kind": {"tag"}, "value": {"独居"}, "aliases": {"独居老人，空巢独居"}})
		if st != http.StatusSeeOther || loc != "/admin/lists?flash=created#tag" {
			t.Fatalf("add: %d %q", st, loc)
		}
		added := e.mustTerm(anxin.TermTag, "独居")
		if !slices.Equal(added.Aliases, []string{"独居老人", "空巢独居"}) || !added.Active {
			t.Fatalf("added %+v", added)
		}
		st, _, body = postWithLocation(t, admin, "/admin/lists", url.Values{"kind": {"tag"}, "value": {"独居老人"}})
		wantStatus(t, "add an alias as a value", st, http.StatusConflict)
		wantBody(t, body, "已是列表中“独居”的名称或别名", `value="独居老人"`)

		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/lists/%d/active", added.ID), url.Values{"active": {"false"}})
		wantStatus(t, "deactivate", st, http.StatusSeeOther)
		if e.mustTerm(anxin.TermTag, "独居").Active {
			t.Fatal("not deactivated")
		}
		if a := lastAudit(t, e, anxin.AuditVocabUpdate); !strings.Contains(a.Detail, "active true→false") {
			t.Errorf("deactivate audit %+v", a)
		}
		_, body = admin.get("/admin/lists?flash=term_deactivated")
		wantBody(t, body, "已停用：不再供选择", "启用“独居”")

		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/lists/%d/move", added.ID), url.Values{"position": {"1"}})
		wantStatus(t, "move", st, http.StatusSeeOther)
		if got := e.mustTerm(anxin.TermTag, "独居").Position; got != 1 {
			t.Fatalf("position after move %d", got)
		}

		st, body = admin.get(fmt.Sprintf("/admin/lists/%d", added.ID))
		wantStatus(t, "edit page", st, http.StatusOK)
		wantBody(t, body, "0 位老人", `action="/admin/lists/`+fmt.Sprint(added.ID)+`/delete"`)
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/lists/%d", added.ID), url.Values{"value": {"独居者"}, "aliases": {"独居老人"}})
		wantStatus(t, "rename", st, http.StatusSeeOther)
		if got := e.mustTerm(anxin.TermTag, "独居者"); !slices.Equal(got.Aliases, []string{"独居老人", "独居"}) {
			t.Fatalf("renamed %+v", got)
		}
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/lists/%d/delete", added.ID), url.Values{})
		wantStatus(t, "delete unused", st, http.StatusSeeOther)
		if a := lastAudit(t, e, anxin.AuditVocabDelete); !strings.Contains(a.Detail, "独居者") {
			t.Errorf("delete audit %+v", a)
		}

		mustCreateElderAPI(t, e, "operator1", wangXiuying())
		used := e.mustTerm(anxin.TermTag, "行动不便")
		_, body = admin.get(fmt.Sprintf("/admin/lists/%d", used.ID))
		wantBody(t, body, "1 位老人", "改名会同时修改这 1 位老人的档案")
		if strings.Contains(body, "/delete") {
			t.Error("the edit page offers to delete a value in use")
		}
		st, _, body = postWithLocation(t, admin, fmt.Sprintf("/admin/lists/%d/delete", used.ID), url.Values{})
		wantStatus(t, "delete in use", st, http.StatusConflict)
		wantBody(t, body, "1 位老人的档案使用此值")

		city := e.signIn("cityadmin")
		st, body = city.get("/admin/lists")
		wantStatus(t, "city admin looks", st, http.StatusOK)
		wantBody(t, body, "只有平台管理员可以修改")
		if strings.Contains(body, `action="/admin/lists"`) {
			t.Error("a city administrator is offered the add form")
		}
		st, _, _ = postWithLocation(t, city, "/admin/lists", url.Values{"kind": {"tag"}, "value": {"党员"}})
		wantStatus(t, "city admin adds", st, http.StatusForbidden)
		st, _, _ = postWithLocation(t, city, fmt.Sprintf("/admin/lists/%d/active", used.ID), url.Values{"active": {"false"}})
		wantStatus(t, "city admin deactivates", st, http.StatusForbidden)

		op := e.signIn("operator1")
		st, body = op.get("/admin/lists")
		wantStatus(t, "operator", st, http.StatusForbidden)
		if strings.Contains(body, `href="/admin/lists"`) {
			t.Error("an operator's navigation links to the lists")
		}
		st, _ = admin.postForm("/admin/lists", url.Values{"kind": {"tag"}, "value": {"党员"}})
		wantStatus(t, "without CSRF", st, http.StatusForbidden)
	})
}

// An administrator adds a tag on the lists page, then ticks it on the
// elder form with the keyboard's help: screenshots of both pages.
func TestBrowserVocabAndElderForm(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	bctx := browser(t)
	do, text := browserDo(t, bctx), browserText(t, bctx)
	do(chromedp.Navigate(e.ts.URL+"/login?next=/admin/lists"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, e.logins["admin"]+"\r"),
		chromedp.WaitVisible(`section#tag table`))
	if nav := text(`nav.side`); !strings.Contains(nav, "标签与方言") {
		t.Errorf("navigation %q", nav)
	}
	do(chromedp.SendKeys(`section#tag input[name=value]`, "独居"),
		chromedp.SendKeys(`section#tag input[name=aliases]`, "独居老人"),
		chromedp.Click(`section#tag form.vocab-add button`),
		chromedp.WaitVisible(`p.flash`))
	if got := text(`section#tag table`); !strings.Contains(got, "独居") || !strings.Contains(got, "独居老人") {
		t.Fatalf("tag list after adding: %q", got)
	}
	do(chromedp.Click(`section#dialect tbody tr:nth-child(9) form[action$="/active"] button`))
	do(chromedp.WaitVisible(`section#dialect tbody tr.inactive`))
	screenshot(t, bctx, "vocab")

	do(chromedp.Navigate(e.ts.URL+"/elders/new"), chromedp.WaitVisible(`input#name`),
		chromedp.SendKeys(`input#name`, "周阿婆"),
		chromedp.SendKeys(`input#region_code`, committee11),
		chromedp.Click(`input[name=tags][value="高龄"]`),
		chromedp.Click(`input[name=tags][value="独居"]`),
		chromedp.SetValue(`select#dialect`, "上海话"))
	screenshot(t, bctx, "elder-form-tags")
	// Wait in a second step: the wait must start on the page the form
	// leads to.
	do(chromedp.Click(`form.elder-form button[type=submit]`))
	do(chromedp.WaitVisible(`.profile-head h1`))
	if got := text(`main`); !strings.Contains(got, "高龄") || !strings.Contains(got, "独居") || !strings.Contains(got, "上海话") {
		t.Errorf("profile after the form: %q", got)
	}

	// 独居 is deactivated: the elder's form still shows it, ticked, with a
	// note; the lists page edits it.
	lone := e.mustTerm(anxin.TermTag, "独居")
	do(chromedp.Navigate(fmt.Sprintf("%s/admin/lists/%d", e.ts.URL, lone.ID)), chromedp.WaitVisible(`textarea#aliases`))
	screenshot(t, bctx, "vocab-edit")
	do(chromedp.Navigate(e.ts.URL+"/admin/lists"), chromedp.WaitVisible(`section#tag table`))
	do(chromedp.Click(`section#tag tbody tr:nth-child(13) form[action$="/active"] button`))
	do(chromedp.WaitVisible(`section#tag tbody tr.inactive`))
	do(chromedp.Navigate(e.ts.URL+"/elders/1/edit"), chromedp.WaitVisible(`input#name`))
	if got := text(`fieldset.tag-checks`); !strings.Contains(got, "独居（已停用）") {
		t.Errorf("tags of the edit form: %q", got)
	}
	screenshot(t, bctx, "elder-form-retired-tag")
	// The search filters choose from the lists, deactivated values apart.
	do(chromedp.Navigate(e.ts.URL+"/elders?tag="+url.QueryEscape("独居")), chromedp.WaitVisible(`select[name=tag]`))
	if got := text(`table.results tbody`); !strings.Contains(got, "周阿婆") {
		t.Errorf("filtered by a deactivated tag: %q", got)
	}
	screenshot(t, bctx, "elders-filter-lists")
}
