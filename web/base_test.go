package web_test

import (
	"net/http"
	"testing"
)

func TestBaseEndpoints(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.anon()
		st, body := c.get("/healthz")
		wantStatus(t, "healthz", st, http.StatusOK)
		st, body = c.get("/readyz")
		wantStatus(t, "readyz", st, http.StatusOK)
		wantBody(t, body, "ready")
		st, body = c.get("/login")
		wantStatus(t, "login", st, http.StatusOK)
		wantBody(t, body, `<html lang="zh-CN">`, "用户名", "密码")
		st, body = c.get("/metrics")
		wantStatus(t, "metrics", st, http.StatusOK)
		wantBody(t, body, `anxin_http_requests_total{route="GET /login",status="200"} 1`, "anxin_db_open_connections")
		var out map[string]map[string]string
		st = e.api("GET", "/api/v1/me", "", nil, &out)
		wantStatus(t, "api without token", st, http.StatusUnauthorized)
		if out["error"]["code"] != "unauthorized" {
			t.Fatalf("error body %v", out)
		}
		st = e.api("GET", "/api/v1/no-such-thing", "", nil, nil)
		wantStatus(t, "unknown api path without token", st, http.StatusUnauthorized)
		st = e.api("GET", "/api/v1/me", "anx_forged", nil, nil)
		wantStatus(t, "api with a forged token", st, http.StatusUnauthorized)
		st, _ = c.get("/")
		wantStatus(t, "home without session redirects", st, http.StatusSeeOther)
	})
}

// A mistyped address gets the console's own page in Chinese, inside its
// frame, not Go's plain "404 page not found"; the API answers in JSON; an
// address that exists for another method is 405 with the methods it takes.
func TestUnknownPaths(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	op := e.signIn("operator1")
	st, body := op.get("/campaigns/1/livee")
	wantStatus(t, "mistyped page", st, http.StatusNotFound)
	wantBody(t, body, `<html lang="zh-CN">`, "没有这个页面", "返回首页", `nav`)

	st, body = e.anon().get("/no/such/page")
	wantStatus(t, "signed out, mistyped page", st, http.StatusNotFound)
	wantBody(t, body, "没有这个页面")

	var out map[string]map[string]string
	tok := e.token("operator1")
	st = e.api("GET", "/api/v1/no-such-thing", tok, nil, &out)
	wantStatus(t, "unknown api path", st, http.StatusNotFound)
	if out["error"]["code"] != "not_found" || out["error"]["message"] == "" {
		t.Fatalf("unknown api path's error %v", out)
	}
	out = nil
	st = e.api("DELETE", "/api/v1/me", tok, nil, &out)
	wantStatus(t, "api path with another method", st, http.StatusMethodNotAllowed)
	if out["error"]["code"] != "method_not_allowed" {
		t.Fatalf("405's error %v", out)
	}

	req, _ := http.NewRequest("PUT", e.ts.URL+"/healthz", nil)
	resp, err := op.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wantStatus(t, "PUT /healthz", resp.StatusCode, http.StatusMethodNotAllowed)
	if got := resp.Header.Get("Allow"); got != "GET" {
		t.Fatalf("Allow %q, want GET", got)
	}
}
