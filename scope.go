package anxin

import "slices"

// Scope is what one account may see and do. It is the one place that decides
// access: every store read takes a Scope and filters by it, every handler
// asks it before acting. An account sees its organisation's region subtree
// (committee → its committee, street → its street, district hotline → its
// district, city hotline → its city); the platform organisation sees all;
// suppliers, providers and volunteer teams see only their own organisation
// and what is assigned to it.
type Scope struct {
	AccountID int64
	OrgID     int64
	// All is true for the platform organisation and for system tasks.
	All bool
	// Region is the root of the visible region subtree when not All and not
	// AssignedOnly.
	Region string
	// AssignedOnly limits the account to records assigned to OrgID.
	AssignedOnly bool
	Roles        []string
}

// SystemScope is the scope of the command line and background jobs: all
// data, acting as nobody.
func SystemScope() Scope { return Scope{All: true, Roles: []string{RoleAdmin}} }

// ScopeOf derives an account's scope from its organisation, which must be
// set. A disabled account or organisation gets an empty scope.
func ScopeOf(a *Account) Scope {
	sc := Scope{AccountID: a.ID, OrgID: a.OrgID, Roles: a.Roles}
	o := a.Org
	if o == nil || o.Disabled || a.Disabled {
		return Scope{AccountID: a.ID, OrgID: a.OrgID, AssignedOnly: true}
	}
	switch {
	case o.Kind == OrgPlatform:
		sc.All = true
	case o.AssignedOnly():
		sc.AssignedOnly = true
	default:
		sc.Region = o.RegionCode
	}
	return sc
}

// Has reports whether the scope's account holds role.
func (s Scope) Has(role string) bool { return slices.Contains(s.Roles, role) }

// CoversRegion reports whether records bound to the region code are visible.
func (s Scope) CoversRegion(code string) bool {
	if s.All {
		return true
	}
	if s.AssignedOnly {
		return false
	}
	return RegionWithin(code, s.Region)
}

// SeesOrg reports whether the organisation is visible: its own, or one
// whose region lies in the subtree. Assigned-only organisations (suppliers,
// providers, volunteer teams) are visible only to themselves and to scopes
// that cover their home region.
func (s Scope) SeesOrg(o *Org) bool {
	return o.ID == s.OrgID || s.CoversRegion(o.RegionCode)
}

// CanAdminister reports whether the scope may create and change
// organisations and accounts bound to the region code.
func (s Scope) CanAdminister(regionCode string) bool {
	return s.Has(RoleAdmin) && s.CoversRegion(regionCode)
}

// CanEditVocab reports whether the scope may change the lists of tags and
// dialects: they are the same for the whole platform, so only the
// platform's administrators may.
func (s Scope) CanEditVocab() bool { return s.All && s.Has(RoleAdmin) }
