package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/web"
)

func TestSignIn(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		t.Run("wrong password is refused and audited", func(t *testing.T) {
			st, body := e.anon().postForm("/login", url.Values{"username": {"operator1"}, "password": {"wrong-password"}})
			wantStatus(t, "wrong password", st, http.StatusUnauthorized)
			wantBody(t, body, "用户名或密码错误", `value="operator1"`)
			entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditSignInFailed})
			if err != nil || len(entries) == 0 || entries[0].ActorName != "operator1" || entries[0].Detail != "wrong password" {
				t.Fatalf("audit: %+v %v", entries, err)
			}
		})
		t.Run("unknown user gets the same answer", func(t *testing.T) {
			st, body := e.anon().postForm("/login", url.Values{"username": {"nobody"}, "password": {"whatever-pw"}})
			wantStatus(t, "unknown user", st, http.StatusUnauthorized)
			wantBody(t, body, "用户名或密码错误")
		})
		t.Run("right password signs in with a safe cookie", func(t *testing.T) {
			c := e.anon()
			req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(url.Values{"username": {"Operator1 "}, "password": {e.logins["operator1"]}, "next": {"/regions"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := c.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			wantStatus(t, "sign in", resp.StatusCode, http.StatusSeeOther)
			if loc := resp.Header.Get("Location"); loc != "/regions" {
				t.Fatalf("redirect to %q", loc)
			}
			var ck *http.Cookie
			for _, k := range resp.Cookies() {
				if k.Name == "anxin_session" {
					ck = k
				}
			}
			if ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Secure {
				t.Fatalf("cookie %+v", ck)
			}
		})
		t.Run("next cannot leave the site", func(t *testing.T) {
			for _, next := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`} {
				c := e.anon()
				req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(url.Values{"username": {"operator1"}, "password": {e.logins["operator1"]}, "next": {next}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := c.c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if loc := resp.Header.Get("Location"); loc != "/" {
					t.Errorf("next=%q redirects to %q", next, loc)
				}
			}
		})
		t.Run("cross-site sign-in post is refused", func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader("username=operator1&password=x"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			wantStatus(t, "cross-site post", resp.StatusCode, http.StatusForbidden)
		})
		t.Run("disabled account cannot sign in", func(t *testing.T) {
			a, _ := e.db.AccountByUsername(ctx, "operator2")
			a.Disabled = true
			if err := e.db.UpdateAccount(ctx, anxin.SystemScope(), a); err != nil {
				t.Fatal(err)
			}
			st, body := e.anon().postForm("/login", url.Values{"username": {"operator2"}, "password": {e.logins["operator2"]}})
			wantStatus(t, "disabled", st, http.StatusUnauthorized)
			wantBody(t, body, "账号已停用")
		})
	})
}

func TestLockout(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		try := func(pw string) (int, string) {
			return e.anon().postForm("/login", url.Values{"username": {"street1"}, "password": {pw}})
		}
		for i := 1; i < anxin.LockoutThreshold; i++ {
			st, _ := try("wrong-password")
			wantStatus(t, "failure", st, http.StatusUnauthorized)
		}
		st, body := try("wrong-password")
		wantStatus(t, "fifth failure locks", st, http.StatusTooManyRequests)
		wantBody(t, body, "账号已锁定至")
		st, _ = try(e.logins["street1"])
		wantStatus(t, "right password while locked", st, http.StatusTooManyRequests)
		e.now = e.now.Add(anxin.LockoutBase + time.Second)
		st, _ = try(e.logins["street1"])
		wantStatus(t, "right password after the lock", st, http.StatusSeeOther)
	})
}

func TestAddressBackOff(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	for i := 0; i < 20; i++ {
		e.anon().postForm("/login", url.Values{"username": {"guess" + strings.Repeat("x", i)}, "password": {"guess-password"}})
	}
	st, body := e.anon().postForm("/login", url.Values{"username": {"operator1"}, "password": {e.logins["operator1"]}})
	wantStatus(t, "after 20 failures from one address", st, http.StatusTooManyRequests)
	wantBody(t, body, "此地址登录失败次数过多")
	e.now = e.now.Add(11 * time.Minute)
	st, _ = e.anon().postForm("/login", url.Values{"username": {"operator1"}, "password": {e.logins["operator1"]}})
	wantStatus(t, "after the window", st, http.StatusSeeOther)
}

func TestSessions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		t.Run("forged or missing CSRF token is refused", func(t *testing.T) {
			c := e.signIn("operator1")
			st, _ := c.postForm("/logout", url.Values{"csrf": {"forged"}})
			wantStatus(t, "forged csrf", st, http.StatusForbidden)
			st, _ = c.postForm("/logout", nil)
			wantStatus(t, "missing csrf", st, http.StatusForbidden)
			st, _ = c.get("/")
			wantStatus(t, "still signed in", st, http.StatusOK)
		})
		t.Run("sign-out ends the session for good", func(t *testing.T) {
			c := e.signIn("operator1")
			u, _ := url.Parse(e.ts.URL)
			old := c.c.Jar.Cookies(u)
			st, _ := c.post("/logout", nil)
			wantStatus(t, "logout", st, http.StatusSeeOther)
			replay := e.anon()
			replay.c.Jar.SetCookies(u, old)
			st, _ = replay.get("/")
			wantStatus(t, "replayed cookie", st, http.StatusSeeOther)
		})
		t.Run("tampered cookie is anonymous", func(t *testing.T) {
			c := e.signIn("operator1")
			u, _ := url.Parse(e.ts.URL)
			cookies := c.c.Jar.Cookies(u)
			for _, k := range cookies {
				if k.Name == "anxin_session" {
					k.Value = k.Value[:len(k.Value)-2] + "AA"
				}
			}
			bad := e.anon()
			bad.c.Jar.SetCookies(u, cookies)
			st, _ := bad.get("/")
			wantStatus(t, "tampered", st, http.StatusSeeOther)
		})
		t.Run("expired session is anonymous", func(t *testing.T) {
			c := e.signIn("operator1")
			e.now = e.now.Add(13 * time.Hour)
			st, _ := c.get("/")
			wantStatus(t, "expired", st, http.StatusSeeOther)
		})
		t.Run("a browser whose clock is a day ahead keeps the session", func(t *testing.T) {
			// The server's clock says yesterday; the cookie jar uses the
			// real clock, as a street office PC set a day wrong would.
			e.now = time.Now().UTC().Add(-24 * time.Hour)
			c := e.signIn("operator1")
			st, _ := c.get("/")
			wantStatus(t, "skewed browser clock", st, http.StatusOK)
		})
	})
}

func TestSecureCookiesBehindTLS(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	srv, err := web.New(web.Config{DB: e.db, Hasher: password.Hasher{P: password.Fast}, SecureCookies: true})
	if err != nil {
		t.Fatal(err)
	}
	e.ts.Config.Handler = srv
	req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader(url.Values{"username": {"operator1"}, "password": {e.logins["operator1"]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.anon().c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	found := false
	for _, k := range resp.Cookies() {
		if k.Name == "anxin_session" {
			found = true
			if !k.Secure {
				t.Fatal("session cookie not Secure with SecureCookies")
			}
		}
	}
	if !found {
		t.Fatalf("no session cookie (status %d)", resp.StatusCode)
	}
}
