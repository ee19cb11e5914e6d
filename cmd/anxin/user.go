package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
)

const userUsage = `Usage:
  anxin user add [--admin] [--org ID] [--role ROLE,...] [--name NAME] [--password-stdin] USERNAME
  anxin user list
  anxin user reset-password [--password-stdin] USERNAME
  anxin user disable USERNAME
  anxin user enable USERNAME

A generated password is printed once unless --password-stdin reads one.
--admin adds an administrator to the platform organisation (created if needed).
`

func (e *cmdEnv) user(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, userUsage)
		return errUsage
	}
	var c Config
	fs, err := e.flags("user "+args[0], &c)
	if err != nil {
		return err
	}
	admin := fs.Bool("admin", false, "platform administrator")
	orgID := fs.Int64("org", 0, "organisation ID (see the console's organisation list)")
	roles := fs.String("role", "", "comma-separated roles: "+strings.Join(anxin.Roles, ","))
	name := fs.String("name", "", "display name")
	pwStdin := fs.Bool("password-stdin", false, "read the password from standard input")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	sub := args[0]
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	sc := anxin.SystemScope()
	if sub == "list" {
		return e.userList(ctx, db)
	}
	if fs.NArg() != 1 {
		fmt.Fprint(e.stderr, userUsage)
		return errUsage
	}
	username := fs.Arg(0)
	switch sub {
	case "add":
		a := &anxin.Account{Username: username, DisplayName: *name, OrgID: *orgID}
		if *roles != "" {
			a.Roles = strings.Split(*roles, ",")
		}
		if *admin {
			org, err := platformOrg(ctx, db)
			if err != nil {
				return err
			}
			a.OrgID, a.Roles = org.ID, append(a.Roles, anxin.RoleAdmin)
		}
		if a.OrgID == 0 {
			return fmt.Errorf("say which organisation: --org ID, or --admin for a platform administrator")
		}
		pw, generated, err := e.newPassword(*pwStdin)
		if err != nil {
			return err
		}
		if a.PasswordHash, err = e.hasher.Hash(pw); err != nil {
			return err
		}
		if err := db.CreateAccount(ctx, sc, a); err != nil {
			return err
		}
		e.systemAudit(ctx, db, anxin.AuditAccountCreate, "account", a.Username, "roles "+strings.Join(a.Roles, ","))
		fmt.Fprintf(e.stdout, "Account %s created in %s with roles %s.\n", a.Username, a.Org.Name, strings.Join(a.Roles, ","))
		if generated {
			fmt.Fprintf(e.stdout, "Password (shown once): %s\n", pw)
		}
		return nil
	case "reset-password":
		a, err := db.AccountByUsername(ctx, username)
		if err != nil {
			return err
		}
		pw, generated, err := e.newPassword(*pwStdin)
		if err != nil {
			return err
		}
		hash, err := e.hasher.Hash(pw)
		if err != nil {
			return err
		}
		if err := db.SetPasswordHash(ctx, sc, a.ID, hash); err != nil {
			return err
		}
		if err := db.DeleteAccountSessions(ctx, a.ID); err != nil {
			return err
		}
		e.systemAudit(ctx, db, anxin.AuditPasswordReset, "account", a.Username, "")
		fmt.Fprintf(e.stdout, "Password of %s reset; its sessions were ended.\n", a.Username)
		if generated {
			fmt.Fprintf(e.stdout, "Password (shown once): %s\n", pw)
		}
		return nil
	case "disable", "enable":
		a, err := db.AccountByUsername(ctx, username)
		if err != nil {
			return err
		}
		a.Disabled = sub == "disable"
		if err := db.UpdateAccount(ctx, sc, a); err != nil {
			return err
		}
		e.systemAudit(ctx, db, anxin.AuditAccountUpdate, "account", a.Username, sub)
		fmt.Fprintf(e.stdout, "Account %s %sd.\n", a.Username, sub)
		return nil
	}
	fmt.Fprint(e.stderr, userUsage)
	return fmt.Errorf("unknown user command %q", sub)
}

func (e *cmdEnv) userList(ctx context.Context, db *store.DB) error {
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tROLES\tORGANISATION\tSTATE")
	for offset := 0; ; offset += 1000 {
		as, total, err := db.FindAccounts(ctx, anxin.SystemScope(), anxin.AccountFilter{Offset: offset, Limit: 1000})
		if err != nil {
			return err
		}
		for _, a := range as {
			state := "active"
			if a.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Username, a.DisplayName, strings.Join(a.Roles, ","), a.Org.Name, state)
		}
		if offset+1000 >= total {
			break
		}
	}
	return tw.Flush()
}

// platformOrg returns the platform organisation, creating it when missing.
func platformOrg(ctx context.Context, db *store.DB) (*anxin.Org, error) {
	orgs, _, err := db.FindOrgs(ctx, anxin.SystemScope(), anxin.OrgFilter{Kind: anxin.OrgPlatform, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(orgs) > 0 {
		return orgs[0], nil
	}
	o := &anxin.Org{Kind: anxin.OrgPlatform, Name: "平台管理"}
	return o, db.CreateOrg(ctx, anxin.SystemScope(), o)
}

// newPassword reads a password from stdin or generates one.
func (e *cmdEnv) newPassword(fromStdin bool) (pw string, generated bool, err error) {
	if !fromStdin {
		return password.Generate(), true, nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", false, fmt.Errorf("read password from standard input: %w", err)
	}
	pw = strings.TrimRight(line, "\r\n")
	return pw, false, anxin.ValidatePassword(pw)
}
