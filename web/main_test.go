package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
	"github.com/anxin-care/anxin/web"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

var ctx = context.Background()

// testEnv is a real server on a real store loaded with the demo dataset.
type testEnv struct {
	t      *testing.T
	db     *store.DB
	srv    *web.Server
	ts     *httptest.Server
	logins map[string]string // username → password
	now    time.Time
	// records is the recordings directory the server plays from.
	records string
}

// newTestEnv starts a server on a fresh database of the given engine with
// the demo dataset (fast password hashing).
func newTestEnv(t *testing.T, engine string) *testEnv {
	t.Helper()
	db, _ := storetest.Open(t, engine)
	h := password.Hasher{P: password.Fast}
	// The web tests make their own elders; the demo organisations and
	// accounts are what they need.
	logins, err := demo.LoadWith(ctx, db, h, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, db: db, logins: map[string]string{}, now: time.Now().UTC()}
	for _, l := range logins {
		e.logins[l.Username] = l.Password
	}
	e.records = t.TempDir()
	e.srv, err = web.New(web.Config{DB: db, Hasher: h, Version: "test", Now: func() time.Time { return e.now }, RecordDir: e.records})
	if err != nil {
		t.Fatal(err)
	}
	e.ts = httptest.NewServer(e.srv)
	t.Cleanup(e.ts.Close)
	return e
}

// eachEngine runs f against a fresh test environment per engine.
func eachEngine(t *testing.T, f func(t *testing.T, e *testEnv)) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) { f(t, newTestEnv(t, engine)) })
	}
}

// testClient is a browser: it keeps cookies and the page's CSRF token.
type testClient struct {
	t    *testing.T
	e    *testEnv
	c    *http.Client
	csrf string
}

// anon returns a client that is not signed in.
func (e *testEnv) anon() *testClient {
	jar, _ := cookiejar.New(nil)
	return &testClient{t: e.t, e: e, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signIn returns a client signed in as a demo account.
func (e *testEnv) signIn(username string) *testClient {
	e.t.Helper()
	c := e.anon()
	pw, ok := e.logins[username]
	if !ok {
		e.t.Fatalf("no demo login %q", username)
	}
	st, _ := c.postForm("/login", url.Values{"username": {username}, "password": {pw}})
	if st != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: status %d", username, st)
	}
	st, body := c.get("/")
	if st != http.StatusOK {
		e.t.Fatalf("home after sign in %s: %d", username, st)
	}
	c.csrf = csrfOf(body)
	return c
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func csrfOf(body string) string {
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func (c *testClient) do(req *http.Request) (int, string) {
	c.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// get fetches a path.
func (c *testClient) get(path string) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("GET", c.e.ts.URL+path, nil)
	return c.do(req)
}

// postForm posts a form without adding the CSRF token.
func (c *testClient) postForm(path string, v url.Values) (int, string) {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// post posts a form with the session's CSRF token, as the console does.
func (c *testClient) post(path string, v url.Values) (int, string) {
	c.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", c.csrf)
	return c.postForm(path, v)
}

// token creates an API token for a demo account directly in the store.
func (e *testEnv) token(username string) string {
	e.t.Helper()
	a, err := e.db.AccountByUsername(ctx, username)
	if err != nil {
		e.t.Fatal(err)
	}
	secret := "anx_" + password.Token(24)
	tok := &anxin.APIToken{AccountID: a.ID, Name: "test", Prefix: secret[:8], Hash: password.Digest(secret), CreatedAt: e.now}
	if err := e.db.CreateToken(ctx, tok); err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// api calls the JSON API with a bearer token ("" for none) and decodes the
// response into out when it is not nil.
func (e *testEnv) api(method, path, token string, body any, out any) int {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, e.ts.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: decode %q: %v", method, path, b, err)
		}
	}
	return resp.StatusCode
}

// mustFindOrg finds a demo organisation by name.
func (e *testEnv) mustFindOrg(name string) *anxin.Org {
	e.t.Helper()
	orgs, _, err := e.db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Query: name, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Name == name {
			return o
		}
	}
	e.t.Fatalf("no organisation %q", name)
	return nil
}

func wantStatus(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: status %d, want %d", what, got, want)
	}
}

func wantBody(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Fatalf("body lacks %q:\n%s", s, body)
		}
	}
}
