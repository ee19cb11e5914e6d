package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestCoverage counts a small known registry: a street's two committees
// with elders reached 12 hours, 3, 20 and 40 days ago and never (one
// registered 10 days ago, at risk; one yesterday, not yet), an elder who
// died (not counted) and one in another district. The district opens on
// its streets (every street listed), the street on its committees, a
// committee on itself; another committee's staff cannot open it; the
// platform opens on the city's districts; the never-reached and at-risk
// lists name the elders.
func TestCoverage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
		at := now
		db.Now = func() time.Time { return at }
		elder := func(name, committee, status string, registered time.Duration, reached time.Duration) *anxin.Elder {
			t.Helper()
			at = now.Add(-registered)
			e := mustCreateElder(t, db, &anxin.Elder{Name: name, RegionCode: committee, Status: status})
			if reached > 0 {
				if err := db.ExecWriter(ctx, "UPDATE elders SET last_contact_at = $1 WHERE id = $2", now.Add(-reached), e.ID); err != nil {
					t.Fatal(err)
				}
			}
			return e
		}
		day := 24 * time.Hour
		elder("甲", "310107005001", "", 60*day, 12*time.Hour)
		elder("乙", "310107005001", "", 60*day, 3*day)
		elder("丙", "310107005001", "", 60*day, 20*day)
		elder("丁", "310107005001", "", 10*day, 0)
		elder("戊", "310107005003", "", 60*day, 40*day)
		elder("己", "310107005003", "", day, 0)
		elder("庚", "310107005001", anxin.StatusDeceased, 60*day, 0)
		elder("辛", "310105001001", "", 60*day, 0)
		at = now

		hotline := mustCreateOrg(t, db, anxin.OrgHotline, "普陀区热线", "310107")
		sup := anxin.ScopeOf(mustCreateAccount(t, db, hotline, "sup", anxin.RoleSupervisor))
		cov, err := db.Coverage(ctx, sup, "", now)
		if err != nil {
			t.Fatal(err)
		}
		want := anxin.CoverageRow{Code: "310107", Name: "普陀区", Level: anxin.LevelDistrict, Active: 6, Reached1: 1, Reached7: 2, Reached30: 3, Never: 2, AtRisk: 3}
		if cov.Area != want || len(cov.Path) != 0 {
			t.Fatalf("district %+v path %+v, want %+v", cov.Area, cov.Path, want)
		}
		if len(cov.Rows) < 10 {
			t.Fatalf("the district lists %d streets, want every one", len(cov.Rows))
		}
		for _, r := range cov.Rows {
			if r.Code == "310107005" && (r.Name != "曹杨新村街道" || r.Active != 6) || r.Code != "310107005" && r.Active != 0 {
				t.Fatalf("street row %+v", r)
			}
		}
		if got := cov.Area.Share(cov.Area.Reached7); got != 33.3 {
			t.Fatalf("share reached within 7 days %v, want 33.3", got)
		}

		cov, err = db.Coverage(ctx, sup, "310107005", now)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[string]anxin.CoverageRow{}
		for _, r := range cov.Rows {
			rows[r.Code] = r
		}
		if r := rows["310107005001"]; r != (anxin.CoverageRow{Code: "310107005001", Name: "源园居委会", Level: anxin.LevelCommittee,
			Active: 4, Reached1: 1, Reached7: 2, Reached30: 3, Never: 1, AtRisk: 2}) {
			t.Fatalf("committee 001 %+v", r)
		}
		if r := rows["310107005003"]; r.Active != 2 || r.Reached30 != 0 || r.Never != 1 || r.AtRisk != 1 {
			t.Fatalf("committee 003 %+v", r)
		}
		if r := rows["310107005004"]; r.Name == "" || r.Active != 0 {
			t.Fatalf("a committee with no elders %+v", r)
		}
		if len(cov.Path) != 1 || cov.Path[0].Code != "310107" {
			t.Fatalf("path %+v", cov.Path)
		}

		cov, err = db.Coverage(ctx, sup, "310107005001", now)
		if err != nil || cov.Area.Active != 4 || cov.Area.AtRisk != 2 || cov.Rows != nil || len(cov.Path) != 2 {
			t.Fatalf("a committee %+v %v", cov, err)
		}

		committee := mustCreateOrg(t, db, anxin.OrgCommittee, "花溪园居委会", "310107005003")
		staff := anxin.ScopeOf(mustCreateAccount(t, db, committee, "c3", anxin.RoleCommunity))
		if _, err := db.Coverage(ctx, staff, "310107005001", now); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("another committee's coverage: %v", err)
		}
		if cov, err := db.Coverage(ctx, staff, "", now); err != nil || cov.Area.Code != "310107005003" || cov.Area.Active != 2 {
			t.Fatalf("the committee's own %+v %v", cov, err)
		}
		if _, err := db.Coverage(ctx, sup, "31010", now); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("a code that is none: %v", err)
		}

		cov, err = db.Coverage(ctx, anxin.SystemScope(), "", now)
		if err != nil || cov.Area.Code != "3101" || cov.Area.Active != 7 || len(cov.Rows) != 2 {
			t.Fatalf("the platform opens on the city's districts with elders: %+v %v", cov, err)
		}

		never, total, err := db.CoverageElders(ctx, sup, "310107005", anxin.CoverageNever, now, 0, 10)
		if err != nil || total != 2 || len(never) != 2 || never[0].Name != "丁" || never[1].Name != "己" {
			t.Fatalf("never reached %d %+v %v", total, never, err)
		}
		risk, total, err := db.CoverageElders(ctx, sup, "", anxin.CoverageAtRisk, now, 0, 10)
		if err != nil || total != 3 || len(risk) != 3 {
			t.Fatalf("at risk %d %v", total, err)
		}
		for _, e := range risk {
			if !e.AtRisk(now) {
				t.Fatalf("%s listed at risk but AtRisk says no", e.Name)
			}
		}
		if _, _, err := db.CoverageElders(ctx, sup, "", "recent", now, 0, 10); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Fatalf("an unknown list: %v", err)
		}
	})
}
