package anxin

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Category families of the service catalogue.
const (
	FamilyGovernment = "government" // government-guaranteed services, free or subsidised 政府保障类
	FamilySocial     = "social"     // social services and products 社会化服务
	FamilySupply     = "supply"     // supply packages: fixed contents, fixed price 保供套餐
)

// Families lists the category families in display order.
var Families = []string{FamilyGovernment, FamilySocial, FamilySupply}

// Catalogue item states. An item is proposed (pending), then approved or
// rejected by an administrator; an approved item can be retired. Rejected
// and retired are final: proposing the item again makes a new item.
const (
	ItemPending  = "pending"
	ItemApproved = "approved"
	ItemRejected = "rejected"
	ItemRetired  = "retired"
)

// ItemStates lists the item states in display order.
var ItemStates = []string{ItemPending, ItemApproved, ItemRejected, ItemRetired}

// Price change statuses in an item's price history.
const (
	PriceProposed = "proposed"
	PriceApproved = "approved"
	PriceRejected = "rejected"
)

// Audit actions of the catalogue.
const (
	AuditItemCreate  = "catalogue.create"
	AuditItemUpdate  = "catalogue.update"
	AuditItemPrice   = "catalogue.price"
	AuditItemApprove = "catalogue.approve"
	AuditItemReject  = "catalogue.reject"
	AuditItemRetire  = "catalogue.retire"
)

// Limits of an item's text fields, in characters.
const (
	MaxItemNameLen = 60
	MaxUnitLen     = 10
	MaxContentsLen = 1000
	MaxReasonLen   = 500
)

// Category is one category of the catalogue: 居家养老上门服务 (government,
// owned by 民政), 陪诊陪护 (social), 生活物资套餐 (supply). The migration
// lists them; Code is stable and is what other parts of Anxin and
// providers' applications refer to.
type Category struct {
	ID        int64  `json:"id"`
	Family    string `json:"family"`
	Code      string `json:"code"`
	Name      string `json:"name"`
	NameEN    string `json:"name_en"`
	OwnerDept string `json:"owner_dept,omitempty"` // 民政, 卫健, 医保 … for government services
	Position  int    `json:"position"`
	Active    bool   `json:"active"`
	// AutoDispatch sends a new order of the category to the best
	// suggestion (a supply order to its one supplier) as it is taken.
	AutoDispatch bool `json:"auto_dispatch"`
}

// ProviderKind returns the organisation kind that offers items of the
// category: suppliers for supply packages, providers for services.
func (c *Category) ProviderKind() string {
	if c.Family == FamilySupply {
		return OrgSupplier
	}
	return OrgProvider
}

// CatalogueItem is one service or product of the catalogue, offered by one
// provider (or, for supply packages, one supplier) in a region subtree at
// an approved price.
type CatalogueItem struct {
	ID           int64  `json:"id"`
	CategoryID   int64  `json:"category_id"`
	CategoryCode string `json:"category_code"`
	CategoryName string `json:"category_name"`
	Family       string `json:"family"`
	Name         string `json:"name"`
	Unit         string `json:"unit"` // 次, 小时, 月, 份 …
	// PriceFen is the approved price in fen that operators quote. It is
	// meaningful only when Priced: a new item has no price until its first
	// price is approved. A price change waiting for approval does not
	// change it (see Proposal).
	PriceFen int64 `json:"price_fen"`
	Priced   bool  `json:"priced"`
	// ProviderOrgID is the provider (services) or supplier (supply
	// packages) that offers the item.
	ProviderOrgID  int64  `json:"provider_org_id"`
	ProviderName   string `json:"provider_name"`
	ProviderStatus string `json:"provider_status"` // of its profile; "" when it never applied
	// Rating is the provider's average return-visit score (1–5) over
	// RatingCount visits; 0 when none.
	Rating      float64 `json:"rating"`
	RatingCount int     `json:"rating_count"`
	// AreaCode is the root of the region subtree the item is offered in.
	AreaCode string `json:"area_code"`
	AreaName string `json:"area_name,omitempty"`
	// Contents says what a supply package holds or what a service
	// includes.
	Contents string `json:"contents"`
	State    string `json:"state"`
	// Reason is why the item was rejected.
	Reason string `json:"reason,omitempty"`
	// Version grows with every change; approvals and edits name the
	// version they were made on, and a stale one is refused (ECONFLICT).
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// Proposal is the price waiting for approval: the first price of a
	// pending item, or a change to an approved item's price.
	Proposal *PriceChange `json:"proposal,omitempty"`
}

// Offered reports whether operators may offer the item: approved, priced,
// and its provider approved.
func (it *CatalogueItem) Offered() bool {
	return it.State == ItemApproved && it.Priced && it.ProviderStatus == ProviderApproved
}

// Validate trims and checks the item's own fields; the store checks the
// category, the provider and the area against the database.
func (it *CatalogueItem) Validate() error {
	it.Name = strings.TrimSpace(it.Name)
	it.Unit = strings.TrimSpace(it.Unit)
	it.Contents = strings.TrimSpace(it.Contents)
	it.AreaCode = strings.TrimSpace(it.AreaCode)
	switch {
	case it.Name == "":
		return ErrorKey(EINVALID, "err.item_name_required", "The item needs a name.")
	case utf8.RuneCountInString(it.Name) > MaxItemNameLen:
		return ErrorKey(EINVALID, "err.item_name_long", "The name is too long (at most %d characters).", MaxItemNameLen)
	case it.Unit == "":
		return ErrorKey(EINVALID, "err.item_unit_required", "Say what the price is for: 次, 小时, 月, 份 ….")
	case utf8.RuneCountInString(it.Unit) > MaxUnitLen:
		return ErrorKey(EINVALID, "err.item_unit_long", "The unit is too long (at most %d characters).", MaxUnitLen)
	case utf8.RuneCountInString(it.Contents) > MaxContentsLen:
		return ErrorKey(EINVALID, "err.item_contents_long", "The contents are too long (at most %d characters).", MaxContentsLen)
	case it.Family == FamilySupply && it.Contents == "":
		return ErrorKey(EINVALID, "err.item_contents_required", "A supply package must say what is in it.")
	case RegionLevel(it.AreaCode) == 0:
		return ErrorKey(EINVALID, "err.item_area_required", "Choose the region the item is offered in.")
	}
	return nil
}

// ValidatePrice checks a price in fen: not negative, at most MaxPriceFen.
func ValidatePrice(fen int64) error {
	if fen < 0 {
		return ErrorKey(EINVALID, "err.price_negative", "A price cannot be negative.")
	} else if fen > MaxPriceFen {
		return errPriceTooLarge()
	}
	return nil
}

// CheckReason trims a reason for a rejection or suspension; it is required
// (EINVALID) and at most MaxReasonLen characters.
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", ErrorKey(EINVALID, "err.reason_required", "Give a reason.")
	} else if utf8.RuneCountInString(reason) > MaxReasonLen {
		return "", ErrorKey(EINVALID, "err.reason_long", "The reason is too long (at most %d characters).", MaxReasonLen)
	}
	return reason, nil
}

// PriceChange is one entry of an item's price history: a proposed price
// and what became of it.
type PriceChange struct {
	ID             int64     `json:"id"`
	ItemID         int64     `json:"item_id"`
	PriceFen       int64     `json:"price_fen"`
	Status         string    `json:"status"`
	ProposedBy     int64     `json:"proposed_by,omitempty"`
	ProposedByName string    `json:"proposed_by_name"`
	ProposedAt     time.Time `json:"proposed_at"`
	DecidedBy      int64     `json:"decided_by,omitempty"`
	DecidedByName  string    `json:"decided_by_name,omitempty"`
	DecidedAt      time.Time `json:"decided_at,omitzero"`
	Reason         string    `json:"reason,omitempty"`
}

// ItemFilter selects catalogue items. Scope is always applied.
type ItemFilter struct {
	CategoryID int64
	Family     string
	// Within keeps items offered somewhere in the region subtree or in a
	// region that contains it: the items that concern that area.
	Within        string
	Query         string // part of the name, the contents or the provider's name
	State         string
	ProviderOrgID int64
	// Offered keeps only items operators may offer: approved, priced, by
	// an approved provider of an enabled organisation.
	Offered bool
	// Waiting keeps items with something to approve: pending items and
	// approved items with a price change.
	Waiting       bool
	Offset, Limit int
}

// CanEditCatalogue reports whether the scope may propose items and price
// changes for any provider or supplier in its area and edit items
// directly: administrators and back office. A provider's own staff propose
// for their organisation only (see CanActForProvider).
func (s Scope) CanEditCatalogue() bool {
	return !s.AssignedOnly && (s.Has(RoleAdmin) || s.Has(RoleBackOffice))
}

// CanApproveCatalogue reports whether the scope may approve or reject items
// and price changes offered in the region: administrators whose area
// covers it.
func (s Scope) CanApproveCatalogue(area string) bool {
	return s.Has(RoleAdmin) && s.CoversRegion(area)
}

// CanActForProvider reports whether the scope is the staff of the provider
// or supplier organisation orgID.
func (s Scope) CanActForProvider(orgID int64) bool {
	return s.AssignedOnly && s.OrgID == orgID && s.Has(RolePartner)
}

// ValidFamily reports whether f is a category family.
func ValidFamily(f string) bool { return slices.Contains(Families, f) }

// CatalogueService stores the catalogue. Reads outside the scope answer
// ENOTFOUND; region scopes see the items that concern their area (offered
// in it or in a region containing it), and only approved ones unless they
// may edit the catalogue; providers and suppliers see their own items.
type CatalogueService interface {
	// FindCategories lists the categories of family ("" for all) in
	// family and position order, inactive ones only when all is set.
	FindCategories(ctx context.Context, family string, all bool) ([]*Category, error)
	// FindCategory returns one category, or ENOTFOUND.
	FindCategory(ctx context.Context, id int64) (*Category, error)
	// FindItem returns one item in scope with its open price proposal, or
	// ENOTFOUND.
	FindItem(ctx context.Context, sc Scope, id int64) (*CatalogueItem, error)
	// FindItems lists items in scope and the total count.
	FindItems(ctx context.Context, sc Scope, f ItemFilter) ([]*CatalogueItem, int, error)
	// CreateItem proposes a new item at priceFen: pending until approved.
	// EINVALID, EFORBIDDEN, ECONFLICT when the provider already has a live
	// item of that name, category and area.
	CreateItem(ctx context.Context, sc Scope, it *CatalogueItem, priceFen int64) error
	// UpdateItem saves an item's name, unit, contents, area and category;
	// it.Version must be the stored version (ECONFLICT otherwise).
	UpdateItem(ctx context.Context, sc Scope, it *CatalogueItem) error
	// ProposePrice proposes a new price for an item: for a pending item it
	// replaces the proposed price; for an approved item it opens a price
	// change, and the approved price stays until the change is approved.
	ProposePrice(ctx context.Context, sc Scope, id int64, version int, priceFen int64) (*PriceChange, error)
	// ApproveItem approves what waits on the item (the item, or its price
	// change); version must be the stored version (ECONFLICT).
	ApproveItem(ctx context.Context, sc Scope, id int64, version int) error
	// RejectItem rejects what waits on the item with a reason.
	RejectItem(ctx context.Context, sc Scope, id int64, version int, reason string) error
	// RetireItem takes an approved or pending item off the catalogue.
	RetireItem(ctx context.Context, sc Scope, id int64, version int) error
	// FindPrices returns an item's price history, newest first.
	FindPrices(ctx context.Context, sc Scope, id int64) ([]*PriceChange, error)
	// OffersFor lists the items operators may offer an elder of a
	// committee in a category: approved, by an approved provider, offered
	// in a region containing the committee; cheapest first.
	OffersFor(ctx context.Context, sc Scope, categoryID int64, committeeCode string) ([]*CatalogueItem, error)
}
