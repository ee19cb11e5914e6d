package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
)

func TestMePage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("street1")
		st, body := c.get("/me")
		wantStatus(t, "me", st, http.StatusOK)
		wantBody(t, body, `<html lang="zh-CN">`, "<h1>我的账号</h1>", "street1", "曹杨新村街道 工作人员", "曹杨新村街道办事处",
			"街道/居委工作人员", "上海市 普陀区 曹杨新村街道", `action="/me/locale"`, `action="/me/password"`, `action="/me/tokens"`, "您还没有 API 令牌")

		st, _ = e.anon().get("/me")
		wantStatus(t, "anonymous", st, http.StatusSeeOther)
	})
}

func TestMeLocale(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("operator1")
		st, _ := c.post("/me/locale", url.Values{"locale": {"en"}})
		wantStatus(t, "switch to English", st, http.StatusSeeOther)
		st, body := c.get("/me?flash=saved")
		wantStatus(t, "me in English", st, http.StatusOK)
		wantBody(t, body, `<html lang="en">`, "<h1>My account</h1>", "Saved.", `<option value="en" lang="en" selected>`)
		_, body = c.get("/regions")
		wantBody(t, body, `<html lang="en">`, "Search by name or code")

		a, err := e.db.AccountByUsername(ctx, "operator1")
		if err != nil || a.Locale != anxin.LocaleEN || !a.HasRole(anxin.RoleOperator) {
			t.Fatalf("stored account %+v, %v", a, err)
		}

		st, body = c.post("/me/locale", url.Values{"locale": {"fr"}})
		wantStatus(t, "unknown language", st, http.StatusBadRequest)
		wantBody(t, body, "Unknown language &#34;fr&#34;")

		st, _ = c.post("/me/locale", url.Values{"locale": {"zh-CN"}})
		wantStatus(t, "back to Chinese", st, http.StatusSeeOther)
		_, body = c.get("/me")
		wantBody(t, body, `<html lang="zh-CN">`)
	})
}

func TestMePassword(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		old := e.logins["operator1"]
		c := e.signIn("operator1")
		elsewhere := e.signIn("operator1")
		const pw = "较长的新密码 correct horse"

		for _, tc := range []struct {
			name                  string
			current, next, repeat string
			want                  string
		}{
			{"wrong current", "wrong-password", pw, pw, "当前密码不正确"},
			{"repeat differs", old, pw, pw + "x", "两次输入的新密码不一致"},
			{"too short", old, "short", "short", "密码太短（至少 10 位）"},
			{"unchanged", old, old, old, "新密码不能与当前密码相同"},
		} {
			st, body := c.post("/me/password", url.Values{"current": {tc.current}, "new": {tc.next}, "repeat": {tc.repeat}})
			wantStatus(t, tc.name, st, http.StatusBadRequest)
			wantBody(t, body, tc.want, `action="/me/password"`)
		}
		// A wrong current password is no failed sign-in.
		if a, _ := e.db.AccountByUsername(ctx, "operator1"); a.FailedLogins != 0 {
			t.Fatalf("%d failed sign-ins after wrong current passwords", a.FailedLogins)
		}

		st, _ := c.post("/me/password", url.Values{"current": {old}, "new": {pw}, "repeat": {pw}})
		wantStatus(t, "change", st, http.StatusSeeOther)

		// This browser carries on with a fresh session; the others are out.
		st, body := c.get("/me?flash=password_changed")
		wantStatus(t, "me after change", st, http.StatusOK)
		wantBody(t, body, "密码已修改")
		c.csrf = csrfOf(body)
		st, _ = elsewhere.get("/me")
		wantStatus(t, "other session after change", st, http.StatusSeeOther)

		st, _ = e.anon().postForm("/login", url.Values{"username": {"operator1"}, "password": {old}})
		wantStatus(t, "old password", st, http.StatusUnauthorized)
		e.logins["operator1"] = pw
		e.signIn("operator1")

		es, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditPasswordChange, Actor: "operator1"})
		if err != nil || len(es) != 1 || es[0].TargetID != "operator1" {
			t.Fatalf("password change entries %+v, %v", es, err)
		}
	})
}

var (
	secretRe = regexp.MustCompile(`<p class="secret" id="secret">(anx_[A-Za-z0-9_-]{32})</p>`)
	revokeRe = regexp.MustCompile(`action="/me/tokens/(\d+)/revoke"`)
)

func TestMeTokens(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("operator1")
		st, body := c.post("/me/tokens", url.Values{"name": {"区大数据中心对接"}})
		wantStatus(t, "create", st, http.StatusCreated)
		wantBody(t, body, "API 令牌已创建", "离开本页后将无法再次查看", "区大数据中心对接")
		m := secretRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no secret shown:\n%s", body)
		}
		secret := m[1]

		st, body = c.get("/me")
		wantStatus(t, "me", st, http.StatusOK)
		wantBody(t, body, "区大数据中心对接", "<code>"+secret[:8]+"…</code>", "有效")
		if strings.Contains(body, secret) {
			t.Fatal("the secret is shown again")
		}
		ids := revokeRe.FindStringSubmatch(body)
		if ids == nil {
			t.Fatal("no revoke button")
		}

		var me struct {
			Account anxin.Account `json:"account"`
		}
		st = e.api("GET", "/api/v1/me", secret, nil, &me)
		wantStatus(t, "api with the new token", st, http.StatusOK)
		if me.Account.Username != "operator1" {
			t.Fatalf("token acts as %q", me.Account.Username)
		}

		other := e.signIn("operator2")
		st, _ = other.post("/me/tokens/"+ids[1]+"/revoke", nil)
		wantStatus(t, "revoke someone else's token", st, http.StatusNotFound)
		st = e.api("GET", "/api/v1/me", secret, nil, nil)
		wantStatus(t, "api after a refused revoke", st, http.StatusOK)

		st, _ = c.post("/me/tokens/"+ids[1]+"/revoke", nil)
		wantStatus(t, "revoke", st, http.StatusSeeOther)
		st = e.api("GET", "/api/v1/me", secret, nil, nil)
		wantStatus(t, "api with the revoked token", st, http.StatusUnauthorized)
		st, body = c.get("/me?flash=token_revoked")
		wantBody(t, body, "令牌已吊销", "已于 ", `class="disabled"`)
		if revokeRe.MatchString(body) {
			t.Fatal("a revoked token still offers revoking")
		}
		st, _ = c.post("/me/tokens/"+ids[1]+"/revoke", nil)
		wantStatus(t, "revoke twice", st, http.StatusNotFound)

		for _, name := range []string{"", "   ", "a\x00b", strings.Repeat("名", anxin.MaxNameLen+1)} {
			st, body = c.post("/me/tokens", url.Values{"name": {name}})
			wantStatus(t, "bad name", st, http.StatusBadRequest)
			wantBody(t, body, `class="error"`, `action="/me/tokens"`)
		}

		for _, action := range []string{anxin.AuditTokenCreate, anxin.AuditTokenRevoke} {
			es, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: action, Actor: "operator1"})
			if err != nil || len(es) != 1 || es[0].TargetID != ids[1] {
				t.Fatalf("%s entries %+v, %v", action, es, err)
			}
		}
	})
}

func TestMeTokenLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("volunteer1")
		for range 20 {
			st, _ := c.post("/me/tokens", url.Values{"name": {"t"}})
			wantStatus(t, "create", st, http.StatusCreated)
		}
		st, body := c.post("/me/tokens", url.Values{"name": {"one too many"}})
		wantStatus(t, "21st token", st, http.StatusConflict)
		wantBody(t, body, "有效令牌最多 20 个")
	})
}

func TestMeCSRF(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("operator1")
		pw := e.logins["operator1"]
		st, _ := c.post("/me/tokens", url.Values{"name": {"x"}})
		wantStatus(t, "create", st, http.StatusCreated)
		_, body := c.get("/me")
		id := revokeRe.FindStringSubmatch(body)[1]
		forms := map[string]url.Values{
			"/me/locale":                   {"locale": {"en"}},
			"/me/password":                 {"current": {pw}, "new": {"forged-new-password"}, "repeat": {"forged-new-password"}},
			"/me/tokens":                   {"name": {"forged"}},
			"/me/tokens/" + id + "/revoke": {},
		}
		for path, v := range forms {
			for _, csrf := range []string{"", "forged"} {
				if csrf != "" {
					v.Set("csrf", csrf)
				}
				st, _ := c.postForm(path, v)
				wantStatus(t, path+" csrf="+csrf, st, http.StatusForbidden)
			}
		}
		a, _ := e.db.AccountByUsername(ctx, "operator1")
		toks, _ := e.db.FindTokens(ctx, a.ID)
		if a.Locale != anxin.LocaleZH || len(toks) != 1 || !toks[0].RevokedAt.IsZero() {
			t.Fatalf("a forged form changed something: locale %s, tokens %+v", a.Locale, toks)
		}
		e.signIn("operator1") // the password is unchanged
	})
}

// An account creates an API token from the keyboard and sees its secret
// once; the browser screenshots the account page and the audit log.
func TestBrowserMyAccountToken(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	bctx := browser(t)
	do := browserDo(t, bctx)
	do(chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, e.logins["admin"]+"\r"),
		chromedp.WaitVisible(`nav.side`),
		chromedp.Navigate(e.ts.URL+"/me"), chromedp.WaitVisible(`input[name=name]`),
		chromedp.SendKeys(`input[name=name]`, "区大数据中心对接\r"),
		chromedp.WaitVisible(`.secret`))
	secret, err := chromedp.Run(bctx, chromedp.Text(`.secret`))
	if err != nil || !strings.HasPrefix(secret, "anx_") {
		t.Fatalf("secret %q, %v", secret, err)
	}
	screenshot(t, bctx, "token-created")
	if st := e.api("GET", "/api/v1/me", secret, nil, nil); st != http.StatusOK {
		t.Fatalf("the shown secret answers %d", st)
	}
	do(chromedp.Navigate(e.ts.URL+"/me"), chromedp.WaitVisible(`main table`))
	screenshot(t, bctx, "me")
	do(chromedp.Navigate(e.ts.URL+"/admin/audit"), chromedp.WaitVisible(`main table`))
	got, err := chromedp.Run(bctx, chromedp.Text(`main table`))
	if err != nil || !strings.Contains(got, "创建 API 令牌") {
		t.Fatalf("audit log %q, %v", got, err)
	}
	screenshot(t, bctx, "audit")
}
