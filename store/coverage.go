package store

import (
	"context"
	"fmt"
	"time"

	"github.com/anxin-care/anxin"
)

// Coverage of the registry (issue 6): one GROUP BY over an area's range of
// region codes (the first characters of a committee's code name its
// district and street), counting active elders and those reached within
// 1, 7 and 30 days, never reached, and at risk.

// childCodeLen is the length of the codes one level below a code of
// length n ("" → provinces); 0 below committees.
func childCodeLen(n int) int {
	switch n {
	case 0:
		return 2
	case 2:
		return 4
	case 4:
		return 6
	case 6:
		return 9
	case 9:
		return 12
	}
	return 0
}

// coverageRoot returns the area a scope's coverage starts from: its
// region, "" for all. Suppliers, providers and volunteer teams have none.
func coverageRoot(sc anxin.Scope) (string, error) {
	switch {
	case sc.All:
		return "", nil
	case sc.AssignedOnly:
		return "", anxin.ErrorKey(anxin.EFORBIDDEN, "err.coverage_forbidden", "Your organisation sees only what is assigned to it, not the registry's coverage.")
	}
	return sc.Region, nil
}

// checkCoverageArea checks that area ("" for the scope's root) is a
// division code in the scope and returns it.
func checkCoverageArea(sc anxin.Scope, area string) (string, error) {
	root, err := coverageRoot(sc)
	if err != nil {
		return "", err
	}
	if area == "" {
		return root, nil
	}
	if anxin.RegionLevel(area) == 0 {
		return "", anxin.ErrorKey(anxin.EINVALID, "err.coverage_area", "The area must be a division code (2, 4, 6, 9 or 12 digits).")
	}
	if !sc.CoversRegion(area) {
		return "", anxin.ErrorKey(anxin.ENOTFOUND, "err.coverage_area_scope", "Area %s is not in your area.", area)
	}
	return area, nil
}

// coverageSums are the SELECT list of a coverage row: active elders,
// reached within 1, 7 and 30 days, never reached, at risk.
const coverageSums = `COUNT(*),
	COALESCE(SUM(CASE WHEN e.last_contact_at > $3 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN e.last_contact_at > $4 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN e.last_contact_at > $5 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN e.last_contact_at IS NULL THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN COALESCE(e.last_contact_at, e.created_at) <= $4 THEN 1 ELSE 0 END), 0)`

// Coverage returns the coverage of area at now: the area's totals and one
// row per child area (every child of a district or below, even without
// elders; above, the children with elders). area "" is the scope's root;
// from there, while every elder lies in one area above the district level,
// it goes down to it (a platform over one city opens on its districts).
// ENOTFOUND for an area outside the scope, EINVALID for a code that is
// none, EFORBIDDEN for suppliers, providers and volunteer teams.
//
// The elders are counted in one pass over the area's range of an index
// holding every column read (migration 34), grouped by committee in
// the order of the index (no sort); the committees add up to their
// streets and districts here.
func (db *DB) Coverage(ctx context.Context, sc anxin.Scope, area string, now time.Time) (*anxin.Coverage, error) {
	implicit := area == ""
	root, err := coverageRoot(sc)
	if err != nil {
		return nil, err
	}
	if area, err = checkCoverageArea(sc, area); err != nil {
		return nil, err
	}
	now = now.UTC()
	committees, err := db.committeeCoverage(ctx, area, now)
	if err != nil {
		return nil, err
	}
	if implicit && len(committees) > 0 {
		// Down to the deepest area above the district that holds them all.
		first, last := committees[0].Code, committees[len(committees)-1].Code
		for n := childCodeLen(len(area)); n > 0 && n < 6 && first[:n] == last[:n]; n = childCodeLen(n) {
			area = first[:n]
		}
	}
	cov := &anxin.Coverage{At: now, Area: anxin.CoverageRow{Code: area, Level: anxin.RegionLevel(area)}}
	n := childCodeLen(len(area))
	for _, c := range committees {
		addCoverage(&cov.Area, c)
		if n == 0 {
			continue
		}
		if k := len(cov.Rows); k == 0 || cov.Rows[k-1].Code != c.Code[:n] {
			cov.Rows = append(cov.Rows, anxin.CoverageRow{Code: c.Code[:n], Level: anxin.RegionLevel(c.Code[:n])})
		}
		addCoverage(&cov.Rows[len(cov.Rows)-1], c)
	}
	if err := db.nameCoverage(ctx, cov, root); err != nil {
		return nil, err
	}
	return cov, nil
}

// addCoverage adds the figures of c to r.
func addCoverage(r *anxin.CoverageRow, c anxin.CoverageRow) {
	r.Active += c.Active
	r.Reached1 += c.Reached1
	r.Reached7 += c.Reached7
	r.Reached30 += c.Reached30
	r.Never += c.Never
	r.AtRisk += c.AtRisk
}

// cutoffs are the instants the coverage counts back to: 1, 7 (AtRiskDays)
// and 30 days before now.
func cutoffs(now time.Time) (d1, d7, d30 time.Time) {
	return now.AddDate(0, 0, -1), now.AddDate(0, 0, -anxin.AtRiskDays), now.AddDate(0, 0, -30)
}

// committeeCoverage counts the active elders of area by committee, in
// the order of their codes.
func (db *DB) committeeCoverage(ctx context.Context, area string, now time.Time) ([]anxin.CoverageRow, error) {
	d1, d7, d30 := cutoffs(now)
	rows, err := db.r.QueryContext(ctx, `SELECT e.region_code, `+coverageSums+`
		FROM elders e WHERE e.status = 'active' AND e.region_code >= $1 AND e.region_code < $2
		GROUP BY e.region_code ORDER BY e.region_code`, area, area+":", d1, d7, d30)
	if err != nil {
		return nil, fmt.Errorf("coverage of %q: %w", area, err)
	}
	defer rows.Close()
	var out []anxin.CoverageRow
	for rows.Next() {
		var r anxin.CoverageRow
		if err := rows.Scan(&r.Code, &r.Active, &r.Reached1, &r.Reached7, &r.Reached30, &r.Never, &r.AtRisk); err != nil {
			return nil, err
		}
		if anxin.RegionLevel(r.Code) != anxin.LevelCommittee {
			continue // elders are bound to committees; nothing else is counted
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// nameCoverage names the area, its children (adding the children of a
// district or below that have no elders) and the path from root to it.
func (db *DB) nameCoverage(ctx context.Context, cov *anxin.Coverage, root string) error {
	area := cov.Area.Code
	if area != "" {
		r, err := db.FindRegion(ctx, area)
		if err != nil {
			return err
		}
		cov.Area.Name = r.Name
	}
	for code := anxin.ParentRegionCode(area); len(code) >= len(root) && code != ""; code = anxin.ParentRegionCode(code) {
		r, err := db.FindRegion(ctx, code)
		if err != nil {
			return err
		}
		cov.Path = append([]anxin.CoverageRow{{Code: r.Code, Name: r.Name, Level: r.Level}}, cov.Path...)
	}
	if childCodeLen(len(area)) == 0 {
		return nil
	}
	kids, err := db.FindRegions(ctx, anxin.RegionFilter{Parent: area})
	if area == "" {
		kids, err = db.FindRegions(ctx, anxin.RegionFilter{})
	}
	if err != nil {
		return err
	}
	byCode := map[string]*anxin.Region{}
	for _, k := range kids {
		byCode[k.Code] = k
	}
	var out []anxin.CoverageRow
	i := 0
	for _, k := range kids {
		for i < len(cov.Rows) && cov.Rows[i].Code < k.Code {
			out = append(out, cov.Rows[i]) // a code the regions do not know
			i++
		}
		if i < len(cov.Rows) && cov.Rows[i].Code == k.Code {
			row := cov.Rows[i]
			row.Name = k.Name
			out = append(out, row)
			i++
		} else if anxin.RegionLevel(area) >= anxin.LevelDistrict {
			out = append(out, anxin.CoverageRow{Code: k.Code, Name: k.Name, Level: k.Level})
		}
	}
	cov.Rows = append(out, cov.Rows[i:]...)
	return nil
}

// CoverageElders lists one page of an area's active elders never reached
// (anxin.CoverageNever) or at risk at now (anxin.CoverageAtRisk), in the
// order of their committees, with their numbers, and the total. Errors as
// Coverage.
func (db *DB) CoverageElders(ctx context.Context, sc anxin.Scope, area, list string, now time.Time, offset, limit int) ([]*anxin.Elder, int, error) {
	area, err := checkCoverageArea(sc, area)
	if err != nil {
		return nil, 0, err
	}
	var w where
	if area != "" {
		w.subtree("e.region_code", area)
	}
	w.add("e.status = 'active'")
	_, d7, _ := cutoffs(now.UTC())
	switch list {
	case anxin.CoverageNever:
		w.add("e.last_contact_at IS NULL")
	case anxin.CoverageAtRisk:
		w.add("COALESCE(e.last_contact_at, e.created_at) <= ?", d7)
	default:
		return nil, 0, anxin.ErrorKey(anxin.EINVALID, "err.coverage_list", "The list is never or at_risk, not %q.", list)
	}
	total, err := db.countElders(ctx, w)
	if err != nil {
		return nil, 0, err
	}
	out, err := db.pageElders(ctx, w, " ORDER BY e.region_code, e.id", offset, limit)
	return out, total, err
}
