package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

// demoAccount returns a demo account with its organisation.
func demoAccount(t *testing.T, e *testEnv, username string) *anxin.Account {
	t.Helper()
	a, err := e.db.AccountByUsername(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// postWithLocation posts a form with the CSRF token and returns the status,
// the redirect target and the body.
func postWithLocation(t *testing.T, c *testClient, path string, v url.Values) (int, string, string) {
	t.Helper()
	v.Set("csrf", c.csrf)
	resp, err := c.c.PostForm(c.e.ts.URL+path, v)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// lastAudit returns the newest audit entry of an action.
func lastAudit(t *testing.T, e *testEnv, action string) *anxin.AuditEntry {
	t.Helper()
	es, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("no %s audit entry: %v", action, err)
	}
	return es[0]
}

// countOrgs counts every organisation in the database.
func countOrgs(t *testing.T, e *testEnv) int {
	t.Helper()
	_, n, err := e.db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{IncludeHidden: true})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// matrixTargets are demo accounts standing for themselves and for their
// organisations in the scope matrix.
var matrixTargets = []string{"admin", "cityadmin", "putuo-operator", "street1", "committee1-1", "committee2-1", "supplier1", "provider1", "volunteer1"}

// scopeMatrix says, for each demo account, which of matrixTargets (account
// and organisation) it sees; the rest must answer 404.
var scopeMatrix = []struct {
	viewer string
	admin  bool
	sees   []string
}{
	{"admin", true, matrixTargets},
	{"cityadmin", true, matrixTargets[1:]},
	{"operator1", false, matrixTargets[1:]},
	{"putuo-operator", false, []string{"putuo-operator", "street1", "committee1-1", "volunteer1"}},
	{"street1", false, []string{"street1", "committee1-1", "volunteer1"}},
	{"committee1-1", false, []string{"committee1-1"}},
	{"committee2-1", false, []string{"committee2-1"}},
	{"supplier1", false, []string{"supplier1"}},
	{"provider1", false, []string{"provider1"}},
	{"volunteer1", false, []string{"volunteer1"}},
}

func TestOrgAccountScopeMatrix(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		targets := map[string]*anxin.Account{}
		for _, u := range matrixTargets {
			targets[u] = demoAccount(t, e, u)
		}
		for _, m := range scopeMatrix {
			t.Run(m.viewer, func(t *testing.T) {
				tok := e.token(m.viewer)
				var c *testClient
				if m.admin {
					c = e.signIn(m.viewer)
				}
				for _, u := range matrixTargets {
					want, outcome := http.StatusNotFound, "not_found_"
					if slices.Contains(m.sees, u) {
						want, outcome = http.StatusOK, "sees_"
					}
					t.Run(outcome+u, func(t *testing.T) { checkScopeRead(t, e, tok, c, targets[u], want) })
				}
				t.Run("lists_only_what_it_sees", func(t *testing.T) { checkScopeList(t, e, tok, m.sees, targets) })
				if !m.admin {
					t.Run("forbidden_admin_pages", func(t *testing.T) { checkAdminPagesRefused(t, e, m.viewer) })
					t.Run("forbidden_api_writes", func(t *testing.T) { checkAPIWritesRefused(t, e, m.viewer, tok) })
				}
			})
		}
		t.Run("cityadmin_cannot_change_the_platform", func(t *testing.T) {
			tok := e.token("cityadmin")
			admin := targets["admin"]
			wantStatus(t, "PATCH platform org", e.api("PATCH", fmt.Sprintf("/api/v1/orgs/%d", admin.OrgID), tok, map[string]any{"disabled": true}, nil), http.StatusNotFound)
			wantStatus(t, "PATCH platform admin", e.api("PATCH", fmt.Sprintf("/api/v1/accounts/%d", admin.ID), tok, map[string]any{"disabled": true}, nil), http.StatusNotFound)
		})
	})
}

// checkScopeRead reads a target account and its organisation through the
// API and, for a signed-in admin client c, through the admin pages.
func checkScopeRead(t *testing.T, e *testEnv, tok string, c *testClient, target *anxin.Account, want int) {
	t.Helper()
	wantStatus(t, "API org", e.api("GET", fmt.Sprintf("/api/v1/orgs/%d", target.OrgID), tok, nil, nil), want)
	wantStatus(t, "API account", e.api("GET", fmt.Sprintf("/api/v1/accounts/%d", target.ID), tok, nil, nil), want)
	if c != nil {
		st, _ := c.get(fmt.Sprintf("/admin/orgs/%d", target.OrgID))
		wantStatus(t, "org page", st, want)
		st, _ = c.get(fmt.Sprintf("/admin/accounts/%d", target.ID))
		wantStatus(t, "account page", st, want)
	}
}

// checkScopeList checks that the API lists exactly the targets seen.
func checkScopeList(t *testing.T, e *testEnv, tok string, sees []string, targets map[string]*anxin.Account) {
	t.Helper()
	var orgs struct {
		Items []*anxin.Org `json:"items"`
		Total int          `json:"total"`
	}
	wantStatus(t, "API orgs", e.api("GET", "/api/v1/orgs?include_disabled=true&limit=1000", tok, nil, &orgs), http.StatusOK)
	var accts struct {
		Items []*anxin.Account `json:"items"`
	}
	wantStatus(t, "API accounts", e.api("GET", "/api/v1/accounts?limit=1000", tok, nil, &accts), http.StatusOK)
	for _, u := range matrixTargets {
		want := slices.Contains(sees, u)
		hasOrg := slices.ContainsFunc(orgs.Items, func(o *anxin.Org) bool { return o.ID == targets[u].OrgID })
		hasAcct := slices.ContainsFunc(accts.Items, func(a *anxin.Account) bool { return a.ID == targets[u].ID })
		if hasOrg != want || hasAcct != want {
			t.Errorf("%s: lists org %v, account %v; want %v", u, hasOrg, hasAcct, want)
		}
	}
	if len(sees) == 1 && (orgs.Total != 1 || len(orgs.Items) != 1) {
		t.Errorf("lists %d organisations (total %d), want only its own", len(orgs.Items), orgs.Total)
	}
}

// checkAdminPagesRefused checks that a non-admin gets 403 on every admin
// page, even for its own organisation and account.
func checkAdminPagesRefused(t *testing.T, e *testEnv, viewer string) {
	t.Helper()
	c := e.signIn(viewer)
	self := demoAccount(t, e, viewer)
	for _, path := range []string{"/admin/orgs", "/admin/orgs/new", fmt.Sprintf("/admin/orgs/%d", self.OrgID),
		"/admin/accounts", "/admin/accounts/new", fmt.Sprintf("/admin/accounts/%d", self.ID)} {
		st, body := c.get(path)
		wantStatus(t, path, st, http.StatusForbidden)
		wantBody(t, body, "只有管理员可以执行此操作")
	}
	st, _ := c.post("/admin/orgs", url.Values{"kind": {"committee"}, "name": {"x"}, "region_code": {self.Org.RegionCode}})
	wantStatus(t, "POST /admin/orgs", st, http.StatusForbidden)
	st, _ = c.post(fmt.Sprintf("/admin/orgs/%d", self.OrgID), url.Values{"name": {"x"}})
	wantStatus(t, "POST /admin/orgs/{own}", st, http.StatusForbidden)
	st, _ = c.post("/admin/accounts", url.Values{"org_id": {fmt.Sprint(self.OrgID)}, "username": {"sneaky"}, "roles": self.Roles})
	wantStatus(t, "POST /admin/accounts", st, http.StatusForbidden)
	st, _ = c.post(fmt.Sprintf("/admin/accounts/%d/reset-password", self.ID), nil)
	wantStatus(t, "POST reset-password", st, http.StatusForbidden)
}

// checkAPIWritesRefused checks that a non-admin's token gets 403 when
// creating or changing organisations and accounts it can see.
func checkAPIWritesRefused(t *testing.T, e *testEnv, viewer, tok string) {
	t.Helper()
	self := demoAccount(t, e, viewer)
	body := map[string]any{"kind": self.Org.Kind, "name": "越权新建", "region_code": self.Org.RegionCode}
	wantStatus(t, "POST /api/v1/orgs", e.api("POST", "/api/v1/orgs", tok, body, nil), http.StatusForbidden)
	wantStatus(t, "PATCH own org", e.api("PATCH", fmt.Sprintf("/api/v1/orgs/%d", self.OrgID), tok, map[string]any{"name": "改名"}, nil), http.StatusForbidden)
	acct := map[string]any{"org_id": self.OrgID, "username": "sneaky-" + viewer, "roles": self.Roles}
	wantStatus(t, "POST /api/v1/accounts", e.api("POST", "/api/v1/accounts", tok, acct, nil), http.StatusForbidden)
}

var createdOrgRe = regexp.MustCompile(`^/admin/orgs/(\d+)\?flash=created$`)

func TestOrgConsole(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("cityadmin")
		var id int64
		t.Run("creates_through_the_form", func(t *testing.T) {
			st, body := c.get("/admin/orgs/new")
			wantStatus(t, "new form", st, http.StatusOK)
			wantBody(t, body, `name="csrf"`, `name="region_code"`, "统计用区划代码", "街道办事处")
			st, loc, _ := postWithLocation(t, c, "/admin/orgs", url.Values{"kind": {"provider"}, "name": {" 普陀助餐服务社 "}, "region_code": {"310107"}})
			wantStatus(t, "create", st, http.StatusSeeOther)
			m := createdOrgRe.FindStringSubmatch(loc)
			if m == nil {
				t.Fatalf("redirect to %q", loc)
			}
			id, _ = strconv.ParseInt(m[1], 10, 64)
			st, body = c.get(loc)
			wantStatus(t, "edit page", st, http.StatusOK)
			wantBody(t, body, "已创建。", `value="普陀助餐服务社"`, "当前区划：上海市 普陀区", "本机构暂无账号", fmt.Sprintf(`/admin/accounts/new?org=%d`, id))
			a := lastAudit(t, e, anxin.AuditOrgCreate)
			if a.TargetType != "org" || a.TargetID != m[1] || a.ActorName != "cityadmin" || !strings.Contains(a.Detail, "kind provider") {
				t.Fatalf("audit %+v", a)
			}
		})
		t.Run("edits_and_disables", func(t *testing.T) {
			path := fmt.Sprintf("/admin/orgs/%d", id)
			st, loc, _ := postWithLocation(t, c, path, url.Values{"name": {"普陀助餐服务社（长风）"}, "region_code": {"310107"}, "disabled": {"true"}})
			wantStatus(t, "update", st, http.StatusSeeOther)
			if loc != path+"?flash=saved" {
				t.Fatalf("redirect to %q", loc)
			}
			o, err := e.db.FindOrg(ctx, anxin.SystemScope(), id)
			if err != nil || o.Name != "普陀助餐服务社（长风）" || !o.Disabled {
				t.Fatalf("stored %+v %v", o, err)
			}
			a := lastAudit(t, e, anxin.AuditOrgUpdate)
			if a.TargetID != strconv.FormatInt(id, 10) || !strings.Contains(a.Detail, "disabled false→true") || !strings.Contains(a.Detail, `name "普陀助餐服务社"→"普陀助餐服务社（长风）"`) {
				t.Fatalf("audit %+v", a)
			}
		})
		t.Run("lists_with_filters", func(t *testing.T) {
			st, body := c.get("/admin/orgs?kind=provider")
			wantStatus(t, "list", st, http.StatusOK)
			wantBody(t, body, "安康居家养老服务有限公司", "服务商", "共 7 条") // 2 of the foundation, 5 of the demo catalogue
			if strings.Contains(body, "长风") {
				t.Fatal("a disabled organisation is listed without include_disabled")
			}
			_, body = c.get("/admin/orgs?kind=provider&include_disabled=true")
			wantBody(t, body, "共 8 条", `<tr class="disabled">`, "普陀助餐服务社（长风）", "已停用")
			_, body = c.get("/admin/orgs?q=" + url.QueryEscape("曹杨"))
			wantBody(t, body, "曹杨新村街道办事处", "街道办事处")
			_, body = c.get("/admin/orgs?limit=5")
			wantBody(t, body, "当前第 1–5 条", `href="/admin/orgs?limit=5&amp;offset=5"`)
			if strings.Contains(body, "安心平台运维") {
				t.Fatal("cityadmin sees the platform organisation")
			}
			_, body = c.get("/admin/orgs?limit=5&offset=5")
			wantBody(t, body, "当前第 6–10 条", `href="/admin/orgs?limit=5&amp;offset=0"`)
			_, body = c.get("/admin/orgs?offset=10000")
			wantBody(t, body, "没有符合条件的机构", `rel="prev"`)
			if strings.Contains(body, "offset=9950") {
				t.Fatal("past the end, the previous page is still past the end")
			}
		})
	})
}

func TestOrgConsoleRefuses(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("cityadmin")
		t.Run("invalid_kind_for_level_keeps_the_input", func(t *testing.T) {
			st, body := c.post("/admin/orgs", url.Values{"kind": {"street"}, "name": {"错误层级街道"}, "region_code": {"3101"}})
			wantStatus(t, "kind/level", st, http.StatusBadRequest)
			wantBody(t, body, "此类机构不能绑定到该级别的行政区划", `value="错误层级街道"`, `value="3101"`, `<option value="street" selected>`)
		})
		t.Run("outside_area_is_forbidden", func(t *testing.T) {
			st, body := c.post("/admin/orgs", url.Values{"kind": {"hotline"}, "name": {"无锡市梁溪区为老热线"}, "region_code": {"320213"}})
			wantStatus(t, "outside area", st, http.StatusForbidden)
			wantBody(t, body, "该地区不在您的管辖范围内", `value="无锡市梁溪区为老热线"`)
		})
		t.Run("post_without_csrf_is_forbidden", func(t *testing.T) {
			n := countOrgs(t, e)
			st, body := c.postForm("/admin/orgs", url.Values{"kind": {"provider"}, "name": {"无令牌"}, "region_code": {"3101"}})
			wantStatus(t, "no csrf", st, http.StatusForbidden)
			wantBody(t, body, "表单已过期")
			st, _ = c.postForm("/admin/orgs", url.Values{"csrf": {"forged"}, "kind": {"provider"}, "name": {"假令牌"}, "region_code": {"3101"}})
			wantStatus(t, "forged csrf", st, http.StatusForbidden)
			if countOrgs(t, e) != n {
				t.Fatal("an organisation was stored without a CSRF token")
			}
		})
		t.Run("too_long_name_stores_nothing", func(t *testing.T) {
			n := countOrgs(t, e)
			st, body := c.post("/admin/orgs", url.Values{"kind": {"provider"}, "name": {strings.Repeat("长", 10*1024/3)}, "region_code": {"3101"}})
			wantStatus(t, "10 KB name", st, http.StatusBadRequest)
			wantBody(t, body, "名称过长")
			if countOrgs(t, e) != n {
				t.Fatal("an organisation with a 10 KB name was stored")
			}
		})
		t.Run("admin_cannot_disable_its_own_org", func(t *testing.T) {
			self := demoAccount(t, e, "cityadmin")
			st, body := c.post(fmt.Sprintf("/admin/orgs/%d", self.OrgID), url.Values{"name": {self.Org.Name}, "region_code": {"3101"}, "disabled": {"true"}})
			wantStatus(t, "disable own org", st, http.StatusConflict)
			wantBody(t, body, "不能停用自己所在的机构")
		})
		t.Run("unknown_org_is_not_found", func(t *testing.T) {
			for _, path := range []string{"/admin/orgs/999999", "/admin/orgs/abc"} {
				st, _ := c.get(path)
				wantStatus(t, path, st, http.StatusNotFound)
			}
		})
	})
}

func TestOrgConsoleKeepsTextVerbatim(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("cityadmin")
		t.Run("sql_metacharacters_are_kept_verbatim", func(t *testing.T) {
			for _, name := range []string{"'; DROP TABLE orgs; --", `100%_\ 服务社`} {
				st, loc, _ := postWithLocation(t, c, "/admin/orgs", url.Values{"kind": {"supplier"}, "name": {name}, "region_code": {"3101"}})
				wantStatus(t, name, st, http.StatusSeeOther)
				m := createdOrgRe.FindStringSubmatch(loc)
				oid, _ := strconv.ParseInt(m[1], 10, 64)
				o, err := e.db.FindOrg(ctx, anxin.SystemScope(), oid)
				if err != nil || o.Name != name {
					t.Fatalf("stored %q, %v; want %q", o.Name, err, name)
				}
			}
			_, body := c.get("/admin/orgs?kind=supplier")
			wantBody(t, body, "&#39;; DROP TABLE orgs; --", `100%_\ 服务社`)
			_, body = c.get("/admin/orgs?q=" + url.QueryEscape(`%_\`))
			wantBody(t, body, "共 1 条", `100%_\ 服务社`)
			if strings.Contains(body, "DROP TABLE") {
				t.Fatal("the query's LIKE wildcards were not taken literally")
			}
		})
	})
}

// orgJSON is an organisation as the API returns it.
type orgJSON struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Disabled   bool   `json:"disabled"`
}

// apiError is the API's error envelope.
type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func TestOrgAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("cityadmin")
		var o orgJSON
		t.Run("creates_201", func(t *testing.T) {
			st := e.api("POST", "/api/v1/orgs", tok, map[string]any{"kind": "committee", "name": "测试居委会", "region_code": "310107005001"}, &o)
			wantStatus(t, "create", st, http.StatusCreated)
			if o.ID == 0 || o.Kind != "committee" || o.RegionName == "" || o.Disabled {
				t.Fatalf("created %+v", o)
			}
			if a := lastAudit(t, e, anxin.AuditOrgCreate); a.TargetID != strconv.FormatInt(o.ID, 10) {
				t.Fatalf("audit %+v", a)
			}
		})
		t.Run("reads_and_lists", func(t *testing.T) {
			var got orgJSON
			wantStatus(t, "get", e.api("GET", fmt.Sprintf("/api/v1/orgs/%d", o.ID), tok, nil, &got), http.StatusOK)
			if got != o {
				t.Fatalf("got %+v, want %+v", got, o)
			}
			var list struct {
				Items  []orgJSON `json:"items"`
				Total  int       `json:"total"`
				Offset int       `json:"offset"`
				Limit  int       `json:"limit"`
			}
			wantStatus(t, "list", e.api("GET", "/api/v1/orgs?kind=committee&within=310107005&q="+url.QueryEscape("测试"), tok, nil, &list), http.StatusOK)
			if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != o.ID || list.Limit != 50 {
				t.Fatalf("list %+v", list)
			}
			wantStatus(t, "paged", e.api("GET", "/api/v1/orgs?limit=2&offset=1", tok, nil, &list), http.StatusOK)
			if len(list.Items) != 2 || list.Offset != 1 || list.Limit != 2 || list.Total < 10 {
				t.Fatalf("paged %+v", list)
			}
			wantStatus(t, "empty", e.api("GET", "/api/v1/orgs?q=nothing-like-this", tok, nil, &list), http.StatusOK)
			if list.Items == nil || len(list.Items) != 0 {
				t.Fatalf("empty list %+v", list)
			}
		})
		t.Run("patches_200", func(t *testing.T) {
			var got orgJSON
			st := e.api("PATCH", fmt.Sprintf("/api/v1/orgs/%d", o.ID), tok, map[string]any{"name": "测试居委会（新）", "disabled": true}, &got)
			wantStatus(t, "patch", st, http.StatusOK)
			if got.Name != "测试居委会（新）" || !got.Disabled || got.RegionCode != "310107005001" {
				t.Fatalf("patched %+v", got)
			}
			a := lastAudit(t, e, anxin.AuditOrgUpdate)
			if a.Detail != `name "测试居委会"→"测试居委会（新）"; disabled false→true` {
				t.Fatalf("audit detail %q", a.Detail)
			}
		})
		t.Run("needs_a_token", func(t *testing.T) {
			wantStatus(t, "no token", e.api("GET", "/api/v1/orgs", "", nil, nil), http.StatusUnauthorized)
		})
	})
}

func TestOrgAPIRefuses(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("cityadmin")
		committee := demoAccount(t, e, "committee1-1").Org
		cases := []struct {
			name   string
			method string
			path   string
			body   any
			status int
			msg    string
		}{
			{"invalid_kind_for_level", "POST", "/api/v1/orgs", map[string]any{"kind": "hotline", "name": "居委热线", "region_code": "310107005001"}, 400, "此类机构不能绑定到该级别的行政区划"},
			{"unknown_kind", "POST", "/api/v1/orgs", map[string]any{"kind": "bank", "name": "银行", "region_code": "3101"}, 400, "未知的机构类型"},
			{"unknown_region", "POST", "/api/v1/orgs", map[string]any{"kind": "street", "name": "虚构街道", "region_code": "310107999"}, 400, "未知的行政区划"},
			{"too_long_name", "POST", "/api/v1/orgs", map[string]any{"kind": "supplier", "name": strings.Repeat("x", 10*1024), "region_code": "3101"}, 400, "名称过长"},
			{"unknown_field", "POST", "/api/v1/orgs", map[string]any{"kind": "supplier", "name": "x", "region_code": "3101", "owner": 1}, 400, "bad JSON"},
			{"outside_area", "POST", "/api/v1/orgs", map[string]any{"kind": "hotline", "name": "无锡市梁溪区为老热线", "region_code": "320213"}, 403, "该地区不在您的管辖范围内"},
			{"move_outside_area", "PATCH", fmt.Sprintf("/api/v1/orgs/%d", committee.ID), map[string]any{"region_code": "320213001001"}, 403, "该地区不在您的管辖范围内"},
			{"unknown_org", "PATCH", "/api/v1/orgs/999999", map[string]any{"name": "x"}, 404, "未找到机构"},
			{"bad_id", "GET", "/api/v1/orgs/abc", nil, 404, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				n := countOrgs(t, e)
				var out apiError
				wantStatus(t, tc.name, e.api(tc.method, tc.path, tok, tc.body, &out), tc.status)
				if !strings.Contains(out.Error.Message, tc.msg) {
					t.Fatalf("message %q lacks %q", out.Error.Message, tc.msg)
				}
				if countOrgs(t, e) != n {
					t.Fatal("something was stored")
				}
			})
		}
		if o, err := e.db.FindOrg(ctx, anxin.SystemScope(), committee.ID); err != nil || o.RegionCode != committee.RegionCode {
			t.Fatalf("the committee moved: %+v %v", o, err)
		}
	})
}
