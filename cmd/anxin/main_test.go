package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// runAnxin runs the program in-process with fast password hashing.
func runAnxin(t *testing.T, ctx context.Context, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &cmdEnv{
		getenv: func(string) string { return "" }, stdin: strings.NewReader(stdin),
		stdout: &out, stderr: &errb, hasher: password.Hasher{P: password.Fast},
	}
	err = e.run(ctx, args)
	return out.String(), errb.String(), err
}

// serveAnxin starts `anxin serve` and returns its base URL and output; the
// server stops when the test ends.
func serveAnxin(t *testing.T, args ...string) (base string, stdout *bytes.Buffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	ready := make(chan string, 1)
	e := &cmdEnv{
		getenv: func(string) string { return "" }, stdin: strings.NewReader(""),
		stdout: &out, stderr: &errb, hasher: password.Hasher{P: password.Fast},
		ready: func(u string) { ready <- u },
	}
	done := make(chan error, 1)
	go func() {
		done <- e.run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--sip-addr", "127.0.0.1:0"}, args...))
	}()
	select {
	case base = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve exited: %v\n%s", err, errb.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	return base, &out
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

func TestVersionAndUsage(t *testing.T) {
	out, _, err := runAnxin(t, context.Background(), "", "version")
	if err != nil || !strings.HasPrefix(out, "anxin ") {
		t.Fatalf("version: %q %v", out, err)
	}
	_, stderr, err := runAnxin(t, context.Background(), "", "frobnicate")
	if err == nil || !strings.Contains(stderr, "Usage:") {
		t.Fatalf("unknown command: %v %q", err, stderr)
	}
	_, _, err = runAnxin(t, context.Background(), "")
	if exitCode(err) != 2 {
		t.Fatalf("no command: exit %d", exitCode(err))
	}
}

func TestServeDemo(t *testing.T) {
	dir := t.TempDir()
	base, out := serveAnxin(t, "--demo", "--data", dir)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/login": 200, "/api/v1/me": 401} {
		if st, _ := httpGet(t, base+path); st != want {
			t.Errorf("GET %s: %d, want %d", path, st, want)
		}
	}
	_, body := httpGet(t, base+"/login")
	if !strings.Contains(body, `<html lang="zh-CN">`) {
		t.Error("login page is not zh-CN")
	}
	for _, want := range []string{"Demo logins", "operator1", "supplier1", "volunteer1", "is running at http://127.0.0.1:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	st, err := os.Stat(filepath.Join(dir, "demo-logins.txt"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("demo-logins.txt: %v %v", st, err)
	}
}

func TestFirstStartWithoutDemo(t *testing.T) {
	dir := storetest.Config(t, store.SQLite).DataDir
	_, out := serveAnxin(t, "--data", dir)
	if !strings.Contains(out.String(), "anxin user add --admin --data "+dir+" USERNAME") {
		t.Fatalf("first start does not say how to create an admin:\n%s", out)
	}
	if strings.Contains(out.String(), "Password") {
		t.Fatal("first start printed a password")
	}
}

func TestUserCommands(t *testing.T) {
	ctx := context.Background()
	dir := storetest.Config(t, store.SQLite).DataDir
	out, _, err := runAnxin(t, ctx, "", "user", "add", "--admin", "--data", dir, "--name", "王管理", "Wang")
	if err != nil || !strings.Contains(out, "Password (shown once): ") {
		t.Fatalf("add admin: %v %q", err, out)
	}
	_, _, err = runAnxin(t, ctx, "short\n", "user", "add", "--admin", "--password-stdin", "--data", dir, "li")
	if err == nil || !strings.Contains(err.Error(), "too short") {
		t.Fatalf("short password accepted: %v", err)
	}
	_, _, err = runAnxin(t, ctx, "a-long-enough-password\n", "user", "add", "--admin", "--password-stdin", "--data", dir, "wang")
	if err == nil || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("duplicate username: %v", err)
	}
	out, _, err = runAnxin(t, ctx, "", "user", "list", "--data", dir)
	if err != nil || !strings.Contains(out, "wang") || !strings.Contains(out, "王管理") || !strings.Contains(out, "active") {
		t.Fatalf("list: %v %q", err, out)
	}
	if _, _, err = runAnxin(t, ctx, "", "user", "disable", "--data", dir, "wang"); err != nil {
		t.Fatal(err)
	}
	out, _, _ = runAnxin(t, ctx, "", "user", "list", "--data", dir)
	if !strings.Contains(out, "disabled") {
		t.Fatalf("list after disable: %q", out)
	}
	out, _, err = runAnxin(t, ctx, "", "user", "reset-password", "--data", dir, "wang")
	if err != nil || !strings.Contains(out, "Password (shown once): ") {
		t.Fatalf("reset: %v %q", err, out)
	}
	_, _, err = runAnxin(t, ctx, "", "user", "reset-password", "--data", dir, "nobody")
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("reset unknown: %v", err)
	}
}

func TestUnreachablePostgres(t *testing.T) {
	_, _, err := runAnxin(t, context.Background(), "", "migrate", "--database", "postgres://anxin:pw@127.0.0.1:1/anxin")
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "cannot connect to PostgreSQL at postgres://anxin:xxxxx@127.0.0.1:1/anxin") {
		t.Fatalf("err = %v", err)
	}
	_, _, err = runAnxin(t, context.Background(), "", "migrate", "--database", "mysql://x")
	if err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Fatalf("non-postgres URL: %v", err)
	}
}

func TestNewerSchemaIsRefused(t *testing.T) {
	ctx := context.Background()
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			cfg := storetest.Config(t, engine)
			args := []string{"--data", cfg.DataDir}
			if engine == store.Postgres {
				args = []string{"--database", cfg.URL}
			}
			storetest.Exec(t, cfg, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', CURRENT_TIMESTAMP)")
			_, _, err := runAnxin(t, ctx, "", append([]string{"migrate"}, args...)...)
			if err == nil || !strings.Contains(err.Error(), "written by a newer version of anxin") {
				t.Fatalf("migrate on a newer schema: %v", err)
			}
			_, _, err = runAnxin(t, ctx, "", append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
			if err == nil || !strings.Contains(err.Error(), "newer version") {
				t.Fatalf("serve on a newer schema: %v", err)
			}
		})
	}
}

func TestRegionsImport(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := filepath.Join(dir, "beijing.csv")
	os.WriteFile(good, []byte("code,name,streetCode,provinceCode,cityCode,areaCode\n110101001001,\"多福巷社区居委会\",110101001,11,1101,110101\n110101001002,\"银闸社区居委会\",110101001,11,1101,110101\n"), 0o644)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("code,name,streetCode\n110101001003,\"好的\",110101001\n999999999001,\"坏的\",999999999\n"), 0o644)
	data := storetest.Config(t, store.SQLite).DataDir
	_, _, err := runAnxin(t, ctx, "", "regions", "import", "--data", data, bad)
	if err == nil || !strings.Contains(err.Error(), "row 3: unknown parent region 999999999") || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("bad file: %v", err)
	}
	out, _, err := runAnxin(t, ctx, "", "regions", "import", "--data", data, good)
	if err != nil || !strings.Contains(out, "2 committees imported") {
		t.Fatalf("good file: %v %q", err, out)
	}
	db, err := store.Open(ctx, store.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if r, err := db.FindRegion(ctx, "110101001002"); err != nil || r.FullName != "北京市 东城区 东华门街道 银闸社区居委会" {
		t.Fatalf("imported region: %+v %v", r, err)
	}
	if _, err := db.FindRegion(ctx, "110101001003"); err == nil {
		t.Fatal("a row of the rejected file was imported")
	}
}

func TestErrorText(t *testing.T) {
	_, _, err := runAnxin(t, context.Background(), "", "user", "reset-password", "--data", storetest.Config(t, store.SQLite).DataDir, "nobody")
	if got := errorText(err); got != `Account "nobody" not found.` {
		t.Fatalf("errorText = %q", got)
	}
	if got := errorText(fmt.Errorf("open: %w", os.ErrNotExist)); got != "open: file does not exist" {
		t.Fatalf("plain error: %q", got)
	}
}
