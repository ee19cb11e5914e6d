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
)

// generatedPasswordRe finds a generated password on the page that shows it.
var generatedPasswordRe = regexp.MustCompile(`<p class="secret" id="password">([a-z2-9]{4}(?:-[a-z2-9]{4}){3})</p>`)

// signInWith signs in through the login form with a password the harness
// does not know, and returns the signed-in client.
func signInWith(t *testing.T, e *testEnv, username, pw string) *testClient {
	t.Helper()
	c := e.anon()
	st, body := c.postForm("/login", url.Values{"username": {username}, "password": {pw}})
	if st != http.StatusSeeOther {
		t.Fatalf("sign in %s: status %d\n%s", username, st, body)
	}
	st, body = c.get("/")
	wantStatus(t, "home after sign-in", st, http.StatusOK)
	c.csrf = csrfOf(body)
	return c
}

func TestAccountConsoleCreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("cityadmin")
		city := demoAccount(t, e, "cityadmin").Org
		committee := demoAccount(t, e, "committee1-1").Org
		t.Run("chooses_an_organisation_first", func(t *testing.T) {
			st, body := c.get("/admin/accounts/new")
			wantStatus(t, "new", st, http.StatusOK)
			wantBody(t, body, `<select id="org" name="org"`, "请选择机构", committee.Name, "下一步")
			if strings.Contains(body, `name="username"`) || strings.Contains(body, "安心平台运维") {
				t.Fatal("the chooser shows the form or an organisation outside the area")
			}
		})
		t.Run("offers_only_the_roles_of_the_kind", func(t *testing.T) {
			_, body := c.get(fmt.Sprintf("/admin/accounts/new?org=%d", committee.ID))
			wantBody(t, body, `name="csrf"`, fmt.Sprintf(`name="org_id" value="%d"`, committee.ID), `value="community" checked`, "仅显示一次")
			if strings.Contains(body, `value="operator"`) || strings.Contains(body, `value="admin"`) {
				t.Fatal("a committee is offered hotline roles")
			}
			_, body = c.get(fmt.Sprintf("/admin/accounts/new?org=%d", city.ID))
			wantBody(t, body, `value="operator"`, `value="backoffice"`, `value="supervisor"`, `value="admin"`)
			if strings.Contains(body, `value="community"`) {
				t.Fatal("a hotline is offered the community role")
			}
			st, _ := c.get("/admin/accounts/new?org=" + fmt.Sprint(demoAccount(t, e, "admin").OrgID))
			wantStatus(t, "platform org for cityadmin", st, http.StatusNotFound)
		})
		t.Run("creates_and_shows_the_password_once", func(t *testing.T) {
			st, body := c.post("/admin/accounts", url.Values{"org_id": {fmt.Sprint(city.ID)}, "username": {" Operator9 "},
				"display_name": {"话务员 赵九"}, "roles": {"supervisor", "operator"}, "locale": {"zh-CN"}})
			wantStatus(t, "create", st, http.StatusOK)
			wantBody(t, body, "账号已创建", "operator9", "只显示这一次")
			m := generatedPasswordRe.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no password shown:\n%s", body)
			}
			created := demoAccount(t, e, "operator9")
			if !slices.Equal(created.Roles, []string{"operator", "supervisor"}) || created.DisplayName != "话务员 赵九" {
				t.Fatalf("stored %+v", created)
			}
			if a := lastAudit(t, e, anxin.AuditAccountCreate); a.TargetID != "operator9" || a.ActorName != "cityadmin" || !strings.Contains(a.Detail, "roles operator,supervisor") {
				t.Fatalf("audit %+v", a)
			}
			nc := signInWith(t, e, "operator9", m[1])
			_, home := nc.get("/")
			wantBody(t, home, "话务员 赵九")
			_, again := c.get(fmt.Sprintf("/admin/accounts/%d", created.ID))
			if strings.Contains(again, m[1]) || strings.Contains(again, `class="secret"`) {
				t.Fatal("the password is shown again")
			}
		})
		t.Run("duplicate_username_is_409_and_keeps_the_input", func(t *testing.T) {
			st, body := c.post("/admin/accounts", url.Values{"org_id": {fmt.Sprint(city.ID)}, "username": {"operator9"},
				"display_name": {"另一个赵九"}, "roles": {"operator"}})
			wantStatus(t, "duplicate", st, http.StatusConflict)
			wantBody(t, body, "用户名 &#34;operator9&#34; 已被使用", `value="另一个赵九"`, `value="operator" checked`)
		})
		t.Run("bad_input_is_400", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				form url.Values
				msg  string
			}{
				{"role_not_for_kind", url.Values{"org_id": {fmt.Sprint(committee.ID)}, "username": {"c-op"}, "roles": {"operator"}}, "此类机构的账号不能拥有角色"},
				{"no_role", url.Values{"org_id": {fmt.Sprint(committee.ID)}, "username": {"c-none"}}, "请至少选择一个角色"},
				{"bad_username", url.Values{"org_id": {fmt.Sprint(committee.ID)}, "username": {"王 五"}, "roles": {"community"}}, "用户名须为"},
				{"too_long_name", url.Values{"org_id": {fmt.Sprint(committee.ID)}, "username": {"c-long"}, "display_name": {strings.Repeat("名", 4000)}, "roles": {"community"}}, "名称过长"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					st, body := c.post("/admin/accounts", tc.form)
					wantStatus(t, tc.name, st, http.StatusBadRequest)
					wantBody(t, body, tc.msg, `name="username"`)
				})
			}
		})
	})
}

func TestAccountConsoleEdit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("cityadmin")
		city := demoAccount(t, e, "cityadmin").Org
		t.Run("lists_with_filters", func(t *testing.T) {
			st, body := c.get(fmt.Sprintf("/admin/accounts?org=%d&role=operator", city.ID))
			wantStatus(t, "list", st, http.StatusOK)
			wantBody(t, body, "operator1", "operator2", "话务员", city.Name, "共 2 条", fmt.Sprintf(`/admin/accounts/new?org=%d`, city.ID))
			if strings.Contains(body, "backoffice1") || strings.Contains(body, ">admin<") {
				t.Fatal("filter ignored")
			}
			_, body = c.get("/admin/accounts?q=" + url.QueryEscape("王敏"))
			wantBody(t, body, "operator1", "共 1 条")
			st, _ = c.get("/admin/accounts?org=abc")
			wantStatus(t, "bad org filter", st, http.StatusBadRequest)
		})
		t.Run("edits_roles_and_audits", func(t *testing.T) {
			op := demoAccount(t, e, "operator1")
			path := fmt.Sprintf("/admin/accounts/%d", op.ID)
			st, loc, _ := postWithLocation(t, c, path, url.Values{"display_name": {op.DisplayName}, "roles": {"operator", "supervisor"}, "locale": {"zh-CN"}})
			wantStatus(t, "update", st, http.StatusSeeOther)
			if loc != path+"?flash=saved" {
				t.Fatalf("redirect %q", loc)
			}
			if a := lastAudit(t, e, anxin.AuditAccountUpdate); a.TargetID != "operator1" || a.Detail != "roles operator→operator,supervisor" {
				t.Fatalf("audit %+v", a)
			}
			_, body := c.get(loc)
			// The header still names the signed-in admin, not the edited account.
			wantBody(t, body, "已保存。", `value="supervisor" checked`, `<span class="who">热线管理员 · 上海市助老保供专线</span>`)
		})
		t.Run("disabling_ends_session_and_token", func(t *testing.T) {
			op := demoAccount(t, e, "operator2")
			oc, tok := e.signIn("operator2"), e.token("operator2")
			wantStatus(t, "token before", e.api("GET", "/api/v1/me", tok, nil, nil), http.StatusOK)
			st, _ := c.post(fmt.Sprintf("/admin/accounts/%d", op.ID), url.Values{"display_name": {op.DisplayName}, "roles": {"operator"}, "locale": {"zh-CN"}, "disabled": {"true"}})
			wantStatus(t, "disable", st, http.StatusSeeOther)
			st, _ = oc.get("/")
			wantStatus(t, "session after", st, http.StatusSeeOther)
			wantStatus(t, "token after", e.api("GET", "/api/v1/me", tok, nil, nil), http.StatusUnauthorized)
			st, body := e.anon().postForm("/login", url.Values{"username": {"operator2"}, "password": {e.logins["operator2"]}})
			wantStatus(t, "sign in", st, http.StatusUnauthorized)
			wantBody(t, body, "此账号已停用")
			if a := lastAudit(t, e, anxin.AuditAccountUpdate); a.TargetID != "operator2" || a.Detail != "disabled false→true" {
				t.Fatalf("audit %+v", a)
			}
			_, body = c.get(fmt.Sprintf("/admin/accounts?org=%d", city.ID))
			wantBody(t, body, `<tr class="disabled">`)
		})
		t.Run("admin_cannot_lock_itself_out", func(t *testing.T) {
			self := demoAccount(t, e, "cityadmin")
			path := fmt.Sprintf("/admin/accounts/%d", self.ID)
			st, body := c.post(path, url.Values{"display_name": {self.DisplayName}, "roles": {"admin", "supervisor"}, "disabled": {"true"}})
			wantStatus(t, "disable self", st, http.StatusConflict)
			wantBody(t, body, "不能停用自己的账号")
			st, _ = c.post(path, url.Values{"display_name": {self.DisplayName}, "roles": {"supervisor"}})
			wantStatus(t, "drop own admin role", st, http.StatusConflict)
			if !demoAccount(t, e, "cityadmin").HasRole(anxin.RoleAdmin) {
				t.Fatal("the admin role was dropped")
			}
		})
	})
}

func TestAccountConsoleEscapesMarkup(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("cityadmin")
		committee := demoAccount(t, e, "committee1-1").Org
		t.Run("markup_in_names_is_escaped", func(t *testing.T) {
			st, _ := c.post("/admin/accounts", url.Values{"org_id": {fmt.Sprint(committee.ID)}, "username": {"xss"},
				"display_name": {`<script>alert(1)</script> '; DROP TABLE accounts; --`}, "roles": {"community"}})
			wantStatus(t, "create", st, http.StatusOK)
			_, body := c.get("/admin/accounts?q=xss")
			wantBody(t, body, "&lt;script&gt;alert(1)&lt;/script&gt; &#39;; DROP TABLE accounts; --")
			if strings.Contains(body, "<script>") {
				t.Fatal("markup is not escaped")
			}
		})
	})
}

func TestAccountConsoleResetPassword(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("cityadmin")
		t.Run("reset_password_shows_it_once_and_ends_sessions", func(t *testing.T) {
			sup := demoAccount(t, e, "supervisor1")
			sc := e.signIn("supervisor1")
			path := fmt.Sprintf("/admin/accounts/%d/reset-password", sup.ID)
			st, _ := c.postForm(path, url.Values{})
			wantStatus(t, "reset without csrf", st, http.StatusForbidden)
			st, body := c.post(path, nil)
			wantStatus(t, "reset", st, http.StatusOK)
			wantBody(t, body, "密码已重置", "只显示这一次")
			m := generatedPasswordRe.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no password shown:\n%s", body)
			}
			st, _ = sc.get("/")
			wantStatus(t, "old session", st, http.StatusSeeOther)
			st, _ = e.anon().postForm("/login", url.Values{"username": {"supervisor1"}, "password": {e.logins["supervisor1"]}})
			wantStatus(t, "old password", st, http.StatusUnauthorized)
			signInWith(t, e, "supervisor1", m[1])
			if a := lastAudit(t, e, anxin.AuditPasswordReset); a.TargetID != "supervisor1" || a.ActorName != "cityadmin" {
				t.Fatalf("audit %+v", a)
			}
		})
	})
}

// accountJSON is an account as the API returns it.
type accountJSON struct {
	ID          int64    `json:"id"`
	OrgID       int64    `json:"org_id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Locale      string   `json:"locale"`
	Disabled    bool     `json:"disabled"`
	Org         *orgJSON `json:"org"`
}

func TestAccountAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("cityadmin")
		street := demoAccount(t, e, "street1").Org
		var created struct {
			Account  accountJSON `json:"account"`
			Password string      `json:"password"`
		}
		t.Run("creates_201_with_a_password", func(t *testing.T) {
			var raw map[string]any
			body := map[string]any{"org_id": street.ID, "username": "street1-b", "display_name": "曹杨 社工乙", "roles": []string{"community"}, "locale": "en"}
			wantStatus(t, "create", e.api("POST", "/api/v1/accounts", tok, body, &created), http.StatusCreated)
			a := created.Account
			if a.ID == 0 || a.Username != "street1-b" || a.Locale != "en" || a.Org == nil || a.Org.ID != street.ID || len(created.Password) < anxin.MinPasswordLen {
				t.Fatalf("created %+v", created)
			}
			e.api("GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), tok, nil, &raw)
			for _, secret := range []string{"password_hash", "PasswordHash", "password", "failed_logins"} {
				if _, ok := raw[secret]; ok {
					t.Fatalf("the account shows %s", secret)
				}
			}
			signInWith(t, e, "street1-b", created.Password)
			if au := lastAudit(t, e, anxin.AuditAccountCreate); au.TargetID != "street1-b" {
				t.Fatalf("audit %+v", au)
			}
		})
		t.Run("lists_with_filters", func(t *testing.T) {
			var list struct {
				Items []accountJSON `json:"items"`
				Total int           `json:"total"`
			}
			wantStatus(t, "list", e.api("GET", fmt.Sprintf("/api/v1/accounts?org=%d&role=community", street.ID), tok, nil, &list), http.StatusOK)
			if list.Total != 2 || len(list.Items) != 2 {
				t.Fatalf("list %+v", list)
			}
			wantStatus(t, "query", e.api("GET", "/api/v1/accounts?q="+url.QueryEscape("王敏"), tok, nil, &list), http.StatusOK)
			if list.Total != 1 || list.Items[0].Username != "operator1" {
				t.Fatalf("query %+v", list)
			}
			wantStatus(t, "bad org", e.api("GET", "/api/v1/accounts?org=x", tok, nil, nil), http.StatusBadRequest)
		})
		t.Run("patches_200_and_disabling_stops_the_token", func(t *testing.T) {
			id := created.Account.ID
			other := e.token("street1-b")
			wantStatus(t, "token before", e.api("GET", "/api/v1/me", other, nil, nil), http.StatusOK)
			var got accountJSON
			st := e.api("PATCH", fmt.Sprintf("/api/v1/accounts/%d", id), tok, map[string]any{"display_name": "曹杨 社工乙（调岗）", "locale": "zh-CN", "disabled": true}, &got)
			wantStatus(t, "patch", st, http.StatusOK)
			if got.DisplayName != "曹杨 社工乙（调岗）" || got.Locale != "zh-CN" || !got.Disabled || !slices.Equal(got.Roles, []string{"community"}) {
				t.Fatalf("patched %+v", got)
			}
			wantStatus(t, "token after", e.api("GET", "/api/v1/me", other, nil, nil), http.StatusUnauthorized)
			a := lastAudit(t, e, anxin.AuditAccountUpdate)
			if a.Detail != `display_name "曹杨 社工乙"→"曹杨 社工乙（调岗）"; locale en→zh-CN; disabled false→true` {
				t.Fatalf("audit detail %q", a.Detail)
			}
		})
	})
}

func TestAccountAPIRefuses(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("cityadmin")
		street := demoAccount(t, e, "street1").Org
		t.Run("bad_input", func(t *testing.T) {
			for _, tc := range []struct {
				name   string
				body   map[string]any
				status int
				msg    string
			}{
				{"duplicate_username", map[string]any{"org_id": street.ID, "username": " Street1", "roles": []string{"community"}}, 409, `用户名 "street1" 已被使用`},
				{"role_not_for_kind", map[string]any{"org_id": street.ID, "username": "street-op", "roles": []string{"operator"}}, 400, "此类机构的账号不能拥有角色"},
				{"unknown_locale", map[string]any{"org_id": street.ID, "username": "street-fr", "roles": []string{"community"}, "locale": "fr"}, 400, "未知的语言"},
				{"org_outside_scope", map[string]any{"org_id": demoAccount(t, e, "admin").OrgID, "username": "sneaky", "roles": []string{"admin"}}, 404, "未找到机构"},
				{"no_org", map[string]any{"username": "orphan", "roles": []string{"community"}}, 404, "未找到机构"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var out apiError
					wantStatus(t, tc.name, e.api("POST", "/api/v1/accounts", tok, tc.body, &out), tc.status)
					if !strings.Contains(out.Error.Message, tc.msg) {
						t.Fatalf("message %q lacks %q", out.Error.Message, tc.msg)
					}
				})
			}
		})
		t.Run("admin_cannot_disable_itself", func(t *testing.T) {
			self := demoAccount(t, e, "cityadmin")
			var out apiError
			wantStatus(t, "self", e.api("PATCH", fmt.Sprintf("/api/v1/accounts/%d", self.ID), tok, map[string]any{"disabled": true}, &out), http.StatusConflict)
			if !strings.Contains(out.Error.Message, "不能停用自己的账号") {
				t.Fatalf("message %q", out.Error.Message)
			}
		})
		t.Run("non_admin_cannot_grant_itself_roles", func(t *testing.T) {
			op := demoAccount(t, e, "operator1")
			optok := e.token("operator1")
			var got accountJSON
			st := e.api("PATCH", fmt.Sprintf("/api/v1/accounts/%d", op.ID), optok, map[string]any{"display_name": "x", "roles": []string{"admin"}}, nil)
			wantStatus(t, "own roles", st, http.StatusForbidden)
			st = e.api("PATCH", fmt.Sprintf("/api/v1/accounts/%d", op.ID), optok, map[string]any{"display_name": "话务员 王敏（早班）"}, &got)
			wantStatus(t, "own name", st, http.StatusOK)
			if !slices.Equal(got.Roles, []string{"operator"}) {
				t.Fatalf("answered roles %v", got.Roles)
			}
			if stored := demoAccount(t, e, "operator1"); !slices.Equal(stored.Roles, []string{"operator"}) || stored.DisplayName != "话务员 王敏（早班）" {
				t.Fatalf("stored %+v", stored)
			}
			other := demoAccount(t, e, "operator2")
			wantStatus(t, "another account", e.api("PATCH", fmt.Sprintf("/api/v1/accounts/%d", other.ID), optok, map[string]any{"display_name": "x"}, nil), http.StatusForbidden)
		})
	})
}
