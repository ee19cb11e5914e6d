package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		city := mustCreateOrg(t, db, anxin.OrgHotline, "上海市热线", "3101")
		c1 := mustCreateOrg(t, db, anxin.OrgCommittee, "源园居委会", "310107005001")
		c2 := mustCreateOrg(t, db, anxin.OrgCommittee, "新泾一村第一居委会", "310105011001")
		admin := mustCreateAccount(t, db, city, "Admin.Wang", anxin.RoleAdmin)
		staff1 := mustCreateAccount(t, db, c1, "staff1", anxin.RoleCommunity)
		staff2 := mustCreateAccount(t, db, c2, "staff2", anxin.RoleCommunity)

		t.Run("usernames are lower case and unique", func(t *testing.T) {
			if admin.Username != "admin.wang" {
				t.Fatalf("username %q", admin.Username)
			}
			dup := &anxin.Account{OrgID: city.ID, Username: "ADMIN.wang", Roles: []string{anxin.RoleOperator}, PasswordHash: "x"}
			err := db.CreateAccount(ctx, anxin.SystemScope(), dup)
			wantCode(t, err, anxin.ECONFLICT)
		})
		t.Run("roles must fit the organisation", func(t *testing.T) {
			a := &anxin.Account{OrgID: c1.ID, Username: "bad", Roles: []string{anxin.RoleOperator}, PasswordHash: "x"}
			wantCode(t, db.CreateAccount(ctx, anxin.SystemScope(), a), anxin.EINVALID)
		})
		t.Run("committee staff cannot see the other committee", func(t *testing.T) {
			sc := anxin.ScopeOf(staff1)
			_, err := db.FindAccount(ctx, sc, staff2.ID)
			wantCode(t, err, anxin.ENOTFOUND)
			list, n, err := db.FindAccounts(ctx, sc, anxin.AccountFilter{})
			if err != nil || n != 1 || list[0].ID != staff1.ID {
				t.Fatalf("sees %d accounts, %v", n, err)
			}
		})
		t.Run("staff may change only own name and locale", func(t *testing.T) {
			sc := anxin.ScopeOf(staff1)
			a, _ := db.FindAccount(ctx, sc, staff1.ID)
			a.Roles = []string{anxin.RoleAdmin}
			wantCode(t, db.UpdateAccount(ctx, sc, a), anxin.EFORBIDDEN)
			a.Roles, a.Disabled = []string{anxin.RoleCommunity}, true
			wantCode(t, db.UpdateAccount(ctx, sc, a), anxin.EFORBIDDEN)
			a.DisplayName, a.Locale, a.Disabled = "社工 小李", anxin.LocaleEN, false
			if err := db.UpdateAccount(ctx, sc, a); err != nil {
				t.Fatal(err)
			}
			got, _ := db.FindAccount(ctx, sc, staff1.ID)
			if got.DisplayName != "社工 小李" || got.Locale != anxin.LocaleEN || got.HasRole(anxin.RoleAdmin) {
				t.Fatalf("after self-update: %+v", got)
			}
		})
		t.Run("admin cannot lock itself out", func(t *testing.T) {
			sc := anxin.ScopeOf(admin)
			a, _ := db.FindAccount(ctx, sc, admin.ID)
			a.Disabled = true
			wantCode(t, db.UpdateAccount(ctx, sc, a), anxin.ECONFLICT)
			a.Disabled, a.Roles = false, []string{anxin.RoleOperator}
			wantCode(t, db.UpdateAccount(ctx, sc, a), anxin.ECONFLICT)
		})
		t.Run("failed sign-ins lock the account with growing back-off", func(t *testing.T) {
			now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
			var until time.Time
			for i := 1; i <= anxin.LockoutThreshold; i++ {
				n, u, err := db.RecordSignInFailure(ctx, staff2.ID, now)
				if err != nil || n != i {
					t.Fatalf("failure %d: n=%d err=%v", i, n, err)
				}
				until = u
			}
			if !until.Equal(now.Add(anxin.LockoutBase)) {
				t.Fatalf("locked until %v", until)
			}
			_, until, _ = db.RecordSignInFailure(ctx, staff2.ID, now)
			if !until.Equal(now.Add(2 * anxin.LockoutBase)) {
				t.Fatalf("second lock until %v", until)
			}
			a, _ := db.AccountByUsername(ctx, "staff2")
			if !a.LockedUntil.Equal(until) || a.FailedLogins != anxin.LockoutThreshold+1 {
				t.Fatalf("stored lock %v, failures %d", a.LockedUntil, a.FailedLogins)
			}
			if err := db.RecordSignIn(ctx, staff2.ID, now); err != nil {
				t.Fatal(err)
			}
			a, _ = db.AccountByUsername(ctx, "staff2")
			if !a.LockedUntil.IsZero() || a.FailedLogins != 0 || !a.LastLoginAt.Equal(now) {
				t.Fatalf("after sign-in: %+v", a)
			}
		})
	})
}

func TestSessionsAndTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		org := mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101")
		a := mustCreateAccount(t, db, org, "op", anxin.RoleOperator)
		now := time.Now().UTC().Truncate(time.Millisecond)
		s := &anxin.Session{ID: "abc", AccountID: a.ID, CSRF: "tok", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindSession(ctx, "abc", now); err != nil || got.CSRF != "tok" {
			t.Fatalf("find: %+v %v", got, err)
		}
		_, err := db.FindSession(ctx, "abc", now.Add(2*time.Hour))
		wantCode(t, err, anxin.ENOTFOUND)
		if n, err := db.DeleteExpiredSessions(ctx, now.Add(2*time.Hour)); err != nil || n != 1 {
			t.Fatalf("expired sessions deleted: %d, %v", n, err)
		}

		tok := &anxin.APIToken{AccountID: a.ID, Name: "报表", Prefix: "anx_1234", Hash: "h1", CreatedAt: now}
		if err := db.CreateToken(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindTokenByHash(ctx, "h1"); err != nil || got.ID != tok.ID {
			t.Fatalf("find token: %v", err)
		}
		wantCode(t, db.RevokeToken(ctx, a.ID+1, tok.ID, now), anxin.ENOTFOUND)
		if err := db.RevokeToken(ctx, a.ID, tok.ID, now); err != nil {
			t.Fatal(err)
		}
		_, err = db.FindTokenByHash(ctx, "h1")
		wantCode(t, err, anxin.ENOTFOUND)
	})
}

func TestAuditIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := &anxin.AuditEntry{ActorName: "admin", Action: anxin.AuditReveal, TargetType: "elder", TargetID: "1", Reason: "老人来电核实身份"}
		if err := db.RecordAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"UPDATE audit_log SET reason = 'x'", "DELETE FROM audit_log"} {
			if err := db.ExecWriter(ctx, q); err == nil {
				t.Errorf("%s: succeeded on an append-only log", q)
			}
		}
		list, n, err := db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditReveal})
		if err != nil || n != 1 || list[0].Reason != "老人来电核实身份" {
			t.Fatalf("audit after tampering: %d entries, %v", n, err)
		}
	})
}

// A full disk must give a clear error and leave the database intact.
func TestDiskFull(t *testing.T) {
	db, _ := storetest.Open(t, store.SQLite)
	org := mustCreateOrg(t, db, anxin.OrgHotline, "热线", "3101")
	// Cap the file at its current size: the next page allocation fails
	// exactly as on a full disk (SQLITE_FULL).
	if err := db.ExecWriter(ctx, "PRAGMA max_page_count = 1"); err != nil {
		t.Fatal(err)
	}
	big := make([]*anxin.Region, 0, 3000)
	for i := 0; i < 3000; i++ {
		big = append(big, &anxin.Region{Code: fmt.Sprintf("310107005%03d", i), Name: "测试居委会", Level: anxin.LevelCommittee, ParentCode: "310107005", FullName: "很长的名字很长的名字很长的名字很长的名字"})
	}
	_, err := db.UpsertRegions(ctx, big)
	wantCode(t, err, anxin.EUNAVAILABLE)
	wantContains(t, anxin.ErrorMessage(err), "disk holding the data directory is full")
	if err := db.ExecWriter(ctx, "PRAGMA max_page_count = 4294967294"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindOrg(ctx, anxin.SystemScope(), org.ID); err != nil {
		t.Fatalf("data before the failure is gone: %v", err)
	}
	if r, _ := db.FindRegion(ctx, "310107005999"); r != nil {
		t.Fatal("part of the failed transaction was kept")
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}
