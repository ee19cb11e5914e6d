package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
)

const tokenUsage = `Usage:
  anxin token create [--data DIR | --database URL] [--name NAME] USERNAME   create an API token; its secret is printed once
  anxin token list   [--data DIR | --database URL] USERNAME                 list an account's tokens
  anxin token revoke [--data DIR | --database URL] USERNAME ID              revoke one of an account's tokens

A token acts as its account on /api/v1/ (Authorization: Bearer anx_…) for as
long as the account and its organisation are enabled. The database keeps
only the token's SHA-256 and its first 8 characters.
`

// tokenSecretPrefix starts every API token secret, so a leaked one is easy
// to recognise (and to search for in code and logs).
const tokenSecretPrefix = "anx_"

func (e *cmdEnv) token(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, tokenUsage)
		return errUsage
	}
	sub := args[0]
	if sub == "help" || sub == "-h" || sub == "--help" {
		fmt.Fprint(e.stdout, tokenUsage)
		return nil
	}
	want := map[string]int{"create": 1, "list": 1, "revoke": 2} // arguments after the flags
	n, known := want[sub]
	if !known {
		fmt.Fprint(e.stderr, tokenUsage)
		return fmt.Errorf("unknown token command %q", sub)
	}
	var c Config
	fs, err := e.flags("token "+sub, &c)
	if err != nil {
		return err
	}
	var name *string
	if sub == "create" {
		name = fs.String("name", "cli", "what the token is for, shown in the token list")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != n {
		fmt.Fprint(e.stderr, tokenUsage)
		return errUsage
	}
	var id int64
	if sub == "revoke" {
		if id, err = strconv.ParseInt(fs.Arg(1), 10, 64); err != nil || id <= 0 {
			return fmt.Errorf("token ID must be a positive number (see anxin token list), not %q", fs.Arg(1))
		}
	}
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AccountByUsername(ctx, fs.Arg(0))
	if err != nil {
		return err
	}
	switch sub {
	case "create":
		return e.tokenCreate(ctx, db, a, *name)
	case "list":
		return e.tokenList(ctx, db, a)
	default:
		return e.tokenRevoke(ctx, db, a, id)
	}
}

// tokenCreate stores a new token for a and prints its secret once. A token
// whose creation cannot be audited is revoked again.
func (e *cmdEnv) tokenCreate(ctx context.Context, db *store.DB, a *anxin.Account, name string) error {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return anxin.Errorf(anxin.EINVALID, "--name must be 1–100 characters")
	}
	if a.Disabled || (a.Org != nil && a.Org.Disabled) {
		return anxin.Errorf(anxin.EINVALID, "account %s or its organisation is disabled; a token for it would not work (anxin user enable %s)", a.Username, a.Username)
	}
	secret := tokenSecretPrefix + password.Token(24)
	t := &anxin.APIToken{
		AccountID: a.ID, Name: name, Prefix: secret[:8], Hash: password.Digest(secret),
		CreatedAt: time.Now().UTC(),
	}
	if err := db.CreateToken(ctx, t); err != nil {
		return fmt.Errorf("create token for %s: %w", a.Username, err)
	}
	if err := e.systemAudit(ctx, db, anxin.AuditTokenCreate, "account", a.Username, name); err != nil {
		if rerr := db.RevokeToken(ctx, a.ID, t.ID, time.Now().UTC()); rerr != nil {
			return fmt.Errorf("audit token %d of %s: %w (and revoking it failed: %v)", t.ID, a.Username, err, rerr)
		}
		return fmt.Errorf("audit token of %s: %w; the token was revoked", a.Username, err)
	}
	fmt.Fprintf(e.stdout, "API token %d (%s) created for %s. Secret (shown once; use it as Authorization: Bearer …):\n%s\n", t.ID, t.Name, a.Username, secret)
	return nil
}

func (e *cmdEnv) tokenList(ctx context.Context, db *store.DB, a *anxin.Account) error {
	ts, err := db.FindTokens(ctx, a.ID)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		fmt.Fprintf(e.stdout, "%s has no API tokens.\n", a.Username)
		return nil
	}
	const layout = "2006-01-02 15:04"
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tCREATED\tLAST USED\tSTATE")
	for _, t := range ts {
		used, state := "never", "active"
		if !t.LastUsedAt.IsZero() {
			used = t.LastUsedAt.Format(layout)
		}
		if !t.RevokedAt.IsZero() {
			state = "revoked " + t.RevokedAt.Format(layout)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, t.CreatedAt.Format(layout), used, state)
	}
	return tw.Flush()
}

func (e *cmdEnv) tokenRevoke(ctx context.Context, db *store.DB, a *anxin.Account, id int64) error {
	if err := db.RevokeToken(ctx, a.ID, id, time.Now().UTC()); err != nil {
		return fmt.Errorf("revoke token %d of %s: %w", id, a.Username, err)
	}
	if err := e.systemAudit(ctx, db, anxin.AuditTokenRevoke, "account", a.Username, fmt.Sprintf("token %d", id)); err != nil {
		return fmt.Errorf("token %d of %s revoked, but auditing it failed: %w", id, a.Username, err)
	}
	fmt.Fprintf(e.stdout, "API token %d of %s revoked.\n", id, a.Username)
	return nil
}
