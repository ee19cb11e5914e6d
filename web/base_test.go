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
