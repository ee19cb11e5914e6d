package anxin

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Roles an account can hold.
const (
	RoleOperator   = "operator"   // hotline operator 话务员
	RoleBackOffice = "backoffice" // back office 中台
	RoleSupervisor = "supervisor" // supervisor / QA 班长质检
	RoleCommunity  = "community"  // street office or committee staff 街道/居委工作人员
	RolePartner    = "partner"    // supplier or provider staff 保供企业/服务商工作人员
	RoleVolunteer  = "volunteer"  // volunteer 志愿者
	RoleAdmin      = "admin"      // administrator 管理员
)

// Roles lists every role in display order.
var Roles = []string{RoleOperator, RoleBackOffice, RoleSupervisor, RoleCommunity, RolePartner, RoleVolunteer, RoleAdmin}

// rolesForKind says which roles an organisation of each kind can give its
// accounts.
var rolesForKind = map[string][]string{
	OrgHotline:   {RoleOperator, RoleBackOffice, RoleSupervisor, RoleAdmin},
	OrgStreet:    {RoleCommunity},
	OrgCommittee: {RoleCommunity},
	OrgSupplier:  {RolePartner},
	OrgProvider:  {RolePartner},
	OrgVolunteer: {RoleVolunteer},
	OrgPlatform:  {RoleAdmin, RoleSupervisor, RoleBackOffice},
}

// RolesForOrgKind returns the roles an account of an organisation of the
// given kind may hold.
func RolesForOrgKind(kind string) []string { return rolesForKind[kind] }

// Locales the user interface speaks.
const (
	LocaleZH = "zh-CN"
	LocaleEN = "en"
)

// Account is a person who signs in to Anxin. It belongs to one organisation
// whose region and kind decide what it sees (see Scope).
type Account struct {
	ID           int64     `json:"id"`
	OrgID        int64     `json:"org_id"`
	Username     string    `json:"username"`
	DisplayName  string    `json:"display_name"`
	Roles        []string  `json:"roles"`
	Locale       string    `json:"locale"`
	Disabled     bool      `json:"disabled"`
	PasswordHash string    `json:"-"`
	FailedLogins int       `json:"-"`
	LockedUntil  time.Time `json:"-"`
	LastLoginAt  time.Time `json:"last_login_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// Org is the account's organisation, filled in by the store.
	Org *Org `json:"org,omitempty"`
}

// HasRole reports whether the account holds role.
func (a *Account) HasRole(role string) bool { return slices.Contains(a.Roles, role) }

// Validate normalises and checks the account's own fields. With org set it
// also checks that the roles fit the organisation's kind.
func (a *Account) Validate(org *Org) error {
	a.Username = strings.ToLower(strings.TrimSpace(a.Username))
	a.DisplayName = strings.TrimSpace(a.DisplayName)
	if !validUsername(a.Username) {
		return ErrorKey(EINVALID, "err.username", "Username must be 2–64 letters, digits, '.', '-' or '_'.")
	}
	if a.DisplayName == "" {
		a.DisplayName = a.Username
	}
	if utf8.RuneCountInString(a.DisplayName) > MaxNameLen {
		return ErrorKey(EINVALID, "err.name_too_long", "Name too long (at most %d characters).", MaxNameLen)
	}
	if a.Locale == "" {
		a.Locale = LocaleZH
	} else if a.Locale != LocaleZH && a.Locale != LocaleEN {
		return ErrorKey(EINVALID, "err.locale", "Unknown language %q.", a.Locale)
	}
	if len(a.Roles) == 0 {
		return ErrorKey(EINVALID, "err.roles_required", "At least one role is required.")
	}
	slices.Sort(a.Roles)
	a.Roles = slices.Compact(a.Roles)
	for _, r := range a.Roles {
		if !slices.Contains(Roles, r) {
			return ErrorKey(EINVALID, "err.role_unknown", "Unknown role %q.", r)
		}
		if org != nil && !slices.Contains(rolesForKind[org.Kind], r) {
			return ErrorKey(EINVALID, "err.role_kind", "Role %q cannot be given in an organisation of this kind.", r)
		}
	}
	return nil
}

func validUsername(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_'
		if !ok {
			return false
		}
	}
	return true
}

// Password rules: long enough to resist guessing, short enough for argon2id.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ValidatePassword checks a new password against the rules.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return ErrorKey(EINVALID, "err.password_short", "Password too short (at least %d characters).", MinPasswordLen)
	} else if n > MaxPasswordLen {
		return ErrorKey(EINVALID, "err.password_long", "Password too long (at most %d characters).", MaxPasswordLen)
	}
	return nil
}

// Lockout policy: after LockoutThreshold failed sign-ins in a row an account
// is locked; each further failure doubles the lock, up to LockoutMax.
const (
	LockoutThreshold = 5
	LockoutBase      = time.Minute
	LockoutMax       = time.Hour
)

// LockoutFor returns how long an account stays locked after its failures-th
// consecutive failed sign-in (0 below the threshold).
func LockoutFor(failures int) time.Duration {
	if failures < LockoutThreshold {
		return 0
	}
	d := LockoutBase
	for i := LockoutThreshold; i < failures && d < LockoutMax; i++ {
		d *= 2
	}
	return min(d, LockoutMax)
}

// AccountFilter selects accounts. Scope is always applied.
type AccountFilter struct {
	OrgID         int64
	Role          string
	Query         string
	Offset, Limit int
}

// AccountService stores accounts. Reads outside the scope answer ENOTFOUND;
// changes to accounts outside the scope EFORBIDDEN or ENOTFOUND.
type AccountService interface {
	// FindAccount returns one account in scope with its Org, or ENOTFOUND.
	FindAccount(ctx context.Context, sc Scope, id int64) (*Account, error)
	// FindAccounts lists accounts in scope and the total count.
	FindAccounts(ctx context.Context, sc Scope, f AccountFilter) ([]*Account, int, error)
	// AccountByUsername returns an account with its Org regardless of scope;
	// for sign-in only. ENOTFOUND.
	AccountByUsername(ctx context.Context, username string) (*Account, error)
	// CreateAccount validates and stores a new account whose PasswordHash is
	// set. ECONFLICT when the username is taken.
	CreateAccount(ctx context.Context, sc Scope, a *Account) error
	// UpdateAccount saves display name, roles, locale and disabled state.
	UpdateAccount(ctx context.Context, sc Scope, a *Account) error
	// SetPasswordHash replaces the password and clears any lock.
	SetPasswordHash(ctx context.Context, sc Scope, id int64, hash string) error
	// RecordSignIn notes a successful sign-in, clearing the failure count.
	RecordSignIn(ctx context.Context, id int64, at time.Time) error
	// RecordSignInFailure counts a failed sign-in and returns the new count;
	// the account is locked until lockedUntil when that is not zero.
	RecordSignInFailure(ctx context.Context, id int64, at time.Time) (failures int, lockedUntil time.Time, err error)
	// CountAccounts returns the number of accounts in the database.
	CountAccounts(ctx context.Context) (int, error)
}
