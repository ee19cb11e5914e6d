package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// tokenTestGetenv is the environment the token tests run in.
func tokenTestGetenv(name string) string {
	if name == "USER" {
		return "tester"
	}
	return ""
}

// tokenTestRun runs the real program's entry point in-process and returns
// its output. Token commands hash no passwords, so run's slow default hasher
// costs nothing here.
func tokenTestRun(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(context.Background(), args, tokenTestGetenv, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// tokenTestData returns a fresh migrated database on engine and its
// storage flags, holding platform administrators with the given usernames
// (created with a fast hasher through the user command).
func tokenTestData(t *testing.T, engine string, usernames ...string) (store.Config, []string) {
	t.Helper()
	cfg := storetest.Config(t, engine)
	flags := []string{"--data", cfg.DataDir}
	if cfg.URL != "" {
		flags = []string{"--database", cfg.URL}
	}
	for _, u := range usernames {
		var out, errOut bytes.Buffer
		e := &cmdEnv{getenv: tokenTestGetenv, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, hasher: password.Hasher{P: password.Fast}}
		if err := e.run(context.Background(), append(append([]string{"user", "add"}, flags...), "--admin", u)); err != nil {
			t.Fatalf("user add %s: %v\n%s", u, err, errOut.String())
		}
	}
	return cfg, flags
}

// tokenArgs builds a command line: words, then the storage flags, then the
// rest (flags must come before the positional arguments).
func tokenArgs(words []string, flags []string, rest ...string) []string {
	return append(append(append([]string{}, words...), flags...), rest...)
}

var tokenSecretRE = regexp.MustCompile(`(?m)^anx_[A-Za-z0-9_-]{32}$`)

func TestTokenLifecycle(t *testing.T) {
	for _, engine := range storetest.Engines() {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			testTokenLifecycle(t, engine)
		})
	}
}

func testTokenLifecycle(t *testing.T, engine string) {
	ctx := context.Background()
	cfg, flags := tokenTestData(t, engine, "admin")

	out, errOut, err := tokenTestRun(t, tokenArgs([]string{"token", "create"}, flags, "--name", "load test", "admin")...)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, errOut)
	}
	secret := tokenSecretRE.FindString(out)
	if secret == "" {
		t.Fatalf("token create printed no anx_ secret on a line of its own:\n%s", out)
	}
	if !strings.Contains(out, "API token 1 (load test) created for admin") {
		t.Errorf("token create output = %q, want it to name the token and the account", out)
	}

	db, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tok, err := db.FindTokenByHash(ctx, password.Digest(secret))
	if err != nil {
		t.Fatalf("the printed secret does not find its token: %v", err)
	}
	if tok.Prefix != secret[:8] || tok.Name != "load test" || tok.ID != 1 {
		t.Errorf("stored token = %+v, want prefix %q, name %q, ID 1", tok, secret[:8], "load test")
	}
	if strings.Contains(tok.Hash, secret) || tok.Hash == secret {
		t.Errorf("the database keeps the secret itself")
	}
	entries, _, err := db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditTokenCreate, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].TargetID != "admin" || entries[0].Detail != "load test" || entries[0].ActorName != "cli:tester" {
		t.Errorf("audit of token.create = %+v, want one entry by cli:tester for admin, detail %q", entries, "load test")
	}

	out, errOut, err = tokenTestRun(t, tokenArgs([]string{"token", "list"}, flags, "admin")...)
	if err != nil {
		t.Fatalf("token list: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "load test") || !strings.Contains(out, secret[:8]) || !strings.Contains(out, "active") {
		t.Errorf("token list = %q, want the token's name, prefix and state", out)
	}
	if strings.Contains(out, secret) {
		t.Errorf("token list shows the secret:\n%s", out)
	}

	out, errOut, err = tokenTestRun(t, tokenArgs([]string{"token", "revoke"}, flags, "admin", "1")...)
	if err != nil {
		t.Fatalf("token revoke: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "API token 1 of admin revoked") {
		t.Errorf("token revoke output = %q", out)
	}
	if _, err := db.FindTokenByHash(ctx, password.Digest(secret)); anxin.ErrorCode(err) != anxin.ENOTFOUND {
		t.Errorf("revoked token still found: err = %v", err)
	}
	entries, _, err = db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditTokenRevoke, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].TargetID != "admin" {
		t.Errorf("audit of token.revoke = %+v, want one entry for admin", entries)
	}

	out, _, err = tokenTestRun(t, tokenArgs([]string{"token", "list"}, flags, "admin")...)
	if err != nil || !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke = %q, %v; want the token marked revoked", out, err)
	}
}

func TestTokenErrors(t *testing.T) {
	t.Parallel()
	_, flags := tokenTestData(t, store.SQLite, "admin", "retired")
	dir := flags[1]
	if _, errOut, err := tokenTestRun(t, "user", "disable", "--data", dir, "retired"); err != nil {
		t.Fatalf("user disable: %v\n%s", err, errOut)
	}
	tests := []struct {
		name     string
		args     []string
		wantErr  string // in the returned error
		wantCode string // anxin error code, when the error is one
		usage    bool   // the usage error, after usage on stderr
	}{
		{name: "create for unknown account", args: []string{"create", "--data", dir, "nobody"}, wantErr: `Account "nobody" not found`, wantCode: anxin.ENOTFOUND},
		{name: "list for unknown account", args: []string{"list", "--data", dir, "nobody"}, wantErr: `Account "nobody" not found`, wantCode: anxin.ENOTFOUND},
		{name: "revoke for unknown account", args: []string{"revoke", "--data", dir, "nobody", "1"}, wantErr: `Account "nobody" not found`, wantCode: anxin.ENOTFOUND},
		{name: "revoke unknown token", args: []string{"revoke", "--data", dir, "admin", "42"}, wantErr: "Token 42 not found", wantCode: anxin.ENOTFOUND},
		{name: "revoke bad ID", args: []string{"revoke", "--data", dir, "admin", "x"}, wantErr: "token ID must be a positive number"},
		{name: "create for disabled account", args: []string{"create", "--data", dir, "retired"}, wantErr: "disabled", wantCode: anxin.EINVALID},
		{name: "create with empty name", args: []string{"create", "--data", dir, "--name", " ", "admin"}, wantErr: "--name must be", wantCode: anxin.EINVALID},
		{name: "create without username", args: []string{"create", "--data", dir}, usage: true},
		{name: "unknown subcommand", args: []string{"rotate", "admin"}, wantErr: `unknown token command "rotate"`},
		{name: "no subcommand", args: nil, usage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, err := tokenTestRun(t, append([]string{"token"}, tt.args...)...)
			if err == nil {
				t.Fatal("no error")
			}
			if tokenSecretRE.MatchString(out) {
				t.Errorf("a secret was printed although the command failed:\n%s", out)
			}
			if exitCode(err) == 0 {
				t.Errorf("exit code 0 for %v", err)
			}
			if tt.usage {
				if exitCode(err) != 2 || !strings.Contains(errOut, "anxin token create") {
					t.Errorf("err = %v (exit %d), stderr %q; want usage and exit 2", err, exitCode(err), errOut)
				}
				return
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %v, want it to say %q", err, tt.wantErr)
			}
			if tt.wantCode != "" && anxin.ErrorCode(err) != tt.wantCode {
				t.Errorf("code = %s, want %s", anxin.ErrorCode(err), tt.wantCode)
			}
		})
	}
}
