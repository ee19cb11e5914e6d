package anxin

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Organisation kinds.
const (
	OrgHotline   = "hotline"   // hotline centre, city or district level
	OrgStreet    = "street"    // street (sub-district) office 街道办
	OrgCommittee = "committee" // residents' or village committee 居委会 / 村委会
	OrgSupplier  = "supplier"  // supply company 保供企业
	OrgProvider  = "provider"  // service provider 服务商
	OrgVolunteer = "volunteer" // volunteer team 志愿者队伍
	OrgPlatform  = "platform"  // the platform's own administrators
)

// OrgKinds lists every organisation kind in display order.
var OrgKinds = []string{OrgHotline, OrgStreet, OrgCommittee, OrgSupplier, OrgProvider, OrgVolunteer, OrgPlatform}

// Org is an organisation. Every account belongs to one. Hotlines, street
// offices and committees are bound to their region; suppliers, providers and
// volunteer teams have a home region (their service area) but see only what
// is assigned to them; the platform organisation needs no region.
type Org struct {
	ID         int64     `json:"id"`
	Kind       string    `json:"kind"`
	Name       string    `json:"name"`
	RegionCode string    `json:"region_code"`
	RegionName string    `json:"region_name,omitempty"`
	Disabled   bool      `json:"disabled"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// MaxNameLen bounds names and other short text fields, in characters.
const MaxNameLen = 200

// Validate checks an organisation's fields and that its kind fits the level
// of its region. It returns EINVALID with a translatable key.
func (o *Org) Validate() error {
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" {
		return ErrorKey(EINVALID, "err.org_name_required", "Organisation name required.")
	} else if utf8.RuneCountInString(o.Name) > MaxNameLen {
		return ErrorKey(EINVALID, "err.name_too_long", "Name too long (at most %d characters).", MaxNameLen)
	}
	level := RegionLevel(o.RegionCode)
	if o.Kind == OrgPlatform && o.RegionCode == "" {
		return nil // the platform sees everything and needs no region
	}
	if level == 0 {
		return ErrorKey(EINVALID, "err.region_required", "A valid region code is required.")
	}
	ok := true
	switch o.Kind {
	case OrgHotline:
		ok = level == LevelCity || level == LevelDistrict || level == LevelProvince
	case OrgStreet:
		ok = level == LevelStreet
	case OrgCommittee:
		ok = level == LevelCommittee
	case OrgSupplier, OrgProvider, OrgVolunteer, OrgPlatform:
	default:
		return ErrorKey(EINVALID, "err.org_kind", "Unknown organisation kind %q.", o.Kind)
	}
	if !ok {
		return ErrorKey(EINVALID, "err.org_kind_level", "This kind of organisation cannot be bound to a region of that level.")
	}
	return nil
}

// AssignedOnly reports whether accounts of this organisation see only the
// records assigned to it rather than a region subtree.
func (o *Org) AssignedOnly() bool {
	return o.Kind == OrgSupplier || o.Kind == OrgProvider || o.Kind == OrgVolunteer
}

// OrgFilter selects organisations. Scope is always applied.
type OrgFilter struct {
	Kind          string
	Query         string
	Within        string
	IncludeHidden bool // include disabled organisations
	Offset, Limit int
}

// OrgService stores organisations. Reads outside the scope answer ENOTFOUND.
type OrgService interface {
	// FindOrg returns one organisation visible in scope, or ENOTFOUND.
	FindOrg(ctx context.Context, sc Scope, id int64) (*Org, error)
	// FindOrgs lists organisations visible in scope and the total count.
	FindOrgs(ctx context.Context, sc Scope, f OrgFilter) ([]*Org, int, error)
	// CreateOrg validates and stores a new organisation; EINVALID, EFORBIDDEN
	// when its region is outside the scope.
	CreateOrg(ctx context.Context, sc Scope, o *Org) error
	// UpdateOrg saves name, region and disabled state; ENOTFOUND, EINVALID, EFORBIDDEN.
	UpdateOrg(ctx context.Context, sc Scope, o *Org) error
}
