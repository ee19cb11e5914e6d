package anxin

import "time"

// Coverage is the measure of the welfare work (issue 6): the share of an
// area's active elders somebody reached (elders.last_contact_at) within
// the last 1, 7 and 30 days, per child area, with those never reached and
// those at risk (see AtRisk).
type Coverage struct {
	// Area is the area itself with its totals; Path its ancestors from
	// the viewer's root down, for the breadcrumbs.
	Area CoverageRow   `json:"area"`
	Path []CoverageRow `json:"path,omitempty"`
	// Rows are the child areas (districts, streets or committees), every
	// one listed even without elders.
	Rows []CoverageRow `json:"rows"`
	// At is the moment the days count back from.
	At time.Time `json:"at"`
}

// CoverageRow is one area's figures.
type CoverageRow struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level int    `json:"level"`
	// Active counts the area's active elders; the others count among them.
	Active    int `json:"active"`
	Reached1  int `json:"reached_1d"`
	Reached7  int `json:"reached_7d"`
	Reached30 int `json:"reached_30d"`
	Never     int `json:"never_reached"`
	AtRisk    int `json:"at_risk"`
}

// Share returns n as a percentage of the active elders (0 when there are
// none), to one decimal.
func (r CoverageRow) Share(n int) float64 {
	if r.Active == 0 {
		return 0
	}
	return float64(int(float64(n)*1000/float64(r.Active)+0.5)) / 10
}

// Coverage lists: the elders of an area never reached, and those at risk.
const (
	CoverageNever  = "never"
	CoverageAtRisk = "at_risk"
)

// SeesCoverage reports whether the scope may read the coverage report:
// supervisors and administrators, and street and committee staff, of
// their area. Operators, back office and the assigned-only organisations
// may not.
func (s Scope) SeesCoverage() bool {
	if s.AssignedOnly && !s.All {
		return false
	}
	return s.Has(RoleCommunity) || s.Has(RoleSupervisor) || s.Has(RoleAdmin)
}
