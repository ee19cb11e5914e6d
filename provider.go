package anxin

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Provider statuses: the onboarding application of a provider or supplier
// and what the platform decided. Only an approved provider's items are
// offered and only its staff may propose items and prices; a rejected one
// may apply again; a suspended one keeps its items, which are not offered
// until it is reactivated.
const (
	ProviderApplied   = "applied"
	ProviderApproved  = "approved"
	ProviderRejected  = "rejected"
	ProviderSuspended = "suspended"
)

// ProviderStatuses lists the statuses in display order.
var ProviderStatuses = []string{ProviderApplied, ProviderApproved, ProviderRejected, ProviderSuspended}

// Review decisions on a provider.
const (
	ReviewApprove    = "approve"    // applied → approved
	ReviewReject     = "reject"     // applied → rejected, with a reason
	ReviewSuspend    = "suspend"    // approved → suspended, with a reason
	ReviewReactivate = "reactivate" // suspended → approved
)

// Audit actions of providers.
const (
	AuditProviderApply    = "provider.apply"
	AuditProviderReview   = "provider.review"
	AuditDocumentUpload   = "provider.document.upload"
	AuditDocumentDownload = "provider.document.download"
	AuditDocumentDelete   = "provider.document.delete"
)

// Limits of an application.
const (
	MaxProviderCategories = 20
	MaxProviderDocuments  = 20
	MaxDocumentBytes      = 10 << 20 // 10 MB per document
	maxContactPhoneLen    = 30
)

// Document kinds.
const (
	DocLicence = "licence" // 营业执照
	DocPermit  = "permit"  // industry permit: 医疗机构执业许可证, 食品经营许可证 …
	DocOther   = "other"
)

// DocKinds lists the document kinds in display order.
var DocKinds = []string{DocLicence, DocPermit, DocOther}

// ProviderProfile is a provider's or supplier's onboarding application and
// standing: who they are (company, licence), what they offer (category
// codes), where (a region subtree), the platform's decision, and their
// rating from return visits. It belongs to an organisation of kind
// provider or supplier, whose accounts are its staff.
type ProviderProfile struct {
	OrgID   int64  `json:"org_id"`
	OrgName string `json:"org_name"`
	OrgKind string `json:"org_kind"`
	// Company is the registered company name on the licence.
	Company string `json:"company"`
	// LicenceNo is the 18-character unified social credit code
	// (统一社会信用代码) on the business licence.
	LicenceNo    string   `json:"licence_no"`
	Categories   []string `json:"categories"` // category codes
	AreaCode     string   `json:"area_code"`
	AreaName     string   `json:"area_name,omitempty"`
	ContactName  string   `json:"contact_name"`
	ContactPhone string   `json:"contact_phone"`
	// Status is "" for an organisation that never applied.
	Status        string    `json:"status"`
	Reason        string    `json:"reason,omitempty"`
	RatingSum     int64     `json:"rating_sum"`
	RatingCount   int       `json:"rating_count"`
	Version       int       `json:"version"`
	AppliedAt     time.Time `json:"applied_at,omitzero"`
	DecidedAt     time.Time `json:"decided_at,omitzero"`
	DecidedByName string    `json:"decided_by_name,omitempty"`
	OrgDisabled   bool      `json:"org_disabled"`
}

// Rating returns the average return-visit score, 0 when there is none.
func (p *ProviderProfile) Rating() float64 {
	if p.RatingCount == 0 {
		return 0
	}
	return float64(p.RatingSum) / float64(p.RatingCount)
}

// Active reports whether the provider's staff may act and its items are
// offered: approved, and its organisation not disabled.
func (p *ProviderProfile) Active() bool { return p.Status == ProviderApproved && !p.OrgDisabled }

// Validate trims and checks the application's own fields; the store checks
// the categories and the area against the database.
func (p *ProviderProfile) Validate() error {
	p.Company = strings.TrimSpace(p.Company)
	p.ContactName = strings.TrimSpace(p.ContactName)
	p.ContactPhone = strings.TrimSpace(p.ContactPhone)
	p.AreaCode = strings.TrimSpace(p.AreaCode)
	lic, ok := NormaliseLicence(p.LicenceNo)
	var cats []string
	for _, c := range p.Categories {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	p.Categories = nonNilStrings(cats)
	switch {
	case p.Company == "":
		return ErrorKey(EINVALID, "err.provider_company_required", "Enter the company name as it is on the licence.")
	case utf8.RuneCountInString(p.Company) > MaxNameLen:
		return ErrorKey(EINVALID, "err.name_too_long", "Name too long (at most %d characters).", MaxNameLen)
	case !ok:
		return ErrorKey(EINVALID, "err.provider_licence", "%q is not a unified social credit code (18 characters on the business licence, with a valid check character).", strings.TrimSpace(p.LicenceNo))
	case len(p.Categories) == 0:
		return ErrorKey(EINVALID, "err.provider_categories_required", "Choose at least one category.")
	case len(p.Categories) > MaxProviderCategories:
		return ErrorKey(EINVALID, "err.provider_categories_many", "At most %d categories.", MaxProviderCategories)
	case RegionLevel(p.AreaCode) == 0:
		return ErrorKey(EINVALID, "err.provider_area_required", "Choose the region the provider serves.")
	case utf8.RuneCountInString(p.ContactName) > MaxNameLen:
		return ErrorKey(EINVALID, "err.name_too_long", "Name too long (at most %d characters).", MaxNameLen)
	case len(p.ContactPhone) > maxContactPhoneLen || strings.ContainsFunc(p.ContactPhone, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r == '-' || r == ' ' || r == '+' || r == '(' || r == ')')
	}):
		return ErrorKey(EINVALID, "err.provider_phone", "The contact phone may hold only digits, spaces, dashes and brackets.")
	}
	p.LicenceNo = lic
	return nil
}

// licenceChars are the characters of a unified social credit code (GB
// 32100-2015): digits and capitals without I, O, S, V and Z.
const licenceChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var licenceWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// NormaliseLicence returns a unified social credit code in capitals
// without spaces, and whether it is one: 18 characters of the code's
// alphabet whose last is the check character of the first 17.
func NormaliseLicence(s string) (string, bool) {
	s = strings.ToUpper(strings.Join(strings.Fields(foldPrice(s)), ""))
	if len(s) != 18 {
		return s, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(licenceChars, s[i])
		if v < 0 {
			return s, false
		}
		sum += v * licenceWeights[i]
	}
	check := (31 - sum%31) % 31
	return s, s[17] == licenceChars[check]
}

// ProviderDocument is a file a provider uploaded with its application: a
// licence or permit scan. Documents are visible only to the provider's own
// staff and to administrators (SeesProviderDocuments); every download is
// audited.
type ProviderDocument struct {
	ID             int64     `json:"id"`
	OrgID          int64     `json:"org_id"`
	Kind           string    `json:"kind"`
	Filename       string    `json:"filename"`
	ContentType    string    `json:"content_type"`
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	UploadedByName string    `json:"uploaded_by_name"`
	UploadedAt     time.Time `json:"uploaded_at"`
	Data           []byte    `json:"-"`
}

// DocumentType returns the media type of a licence document judged by its
// first bytes, never by its name or the type the browser claimed: PDF,
// JPEG or PNG. Anything else is refused with EINVALID.
func DocumentType(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "application/pdf", nil
	case bytes.HasPrefix(data, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", nil
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", nil
	}
	return "", ErrorKey(EINVALID, "err.document_type", "The file is not a PDF, JPEG or PNG (judged by its contents, whatever its name says).")
}

// CheckDocument checks a document before it is stored: its kind, its size
// (1 byte to MaxDocumentBytes) and its type by content; it sets
// ContentType.
func (d *ProviderDocument) CheckDocument() error {
	if d.Kind == "" {
		d.Kind = DocLicence
	}
	if !slices.Contains(DocKinds, d.Kind) {
		return ErrorKey(EINVALID, "err.document_kind", "Unknown kind of document %q.", d.Kind)
	}
	if len(d.Data) == 0 {
		return ErrorKey(EINVALID, "err.document_empty", "The file is empty.")
	} else if len(d.Data) > MaxDocumentBytes {
		return ErrorKey(EINVALID, "err.document_too_large", "The file is over the %d MB limit.", MaxDocumentBytes>>20)
	}
	ct, err := DocumentType(d.Data)
	if err != nil {
		return err
	}
	d.ContentType, d.Size = ct, int64(len(d.Data))
	return nil
}

// ProviderFilter selects providers and suppliers: organisations of those
// kinds, with their profile when they applied. Scope is always applied.
type ProviderFilter struct {
	Kind     string // provider or supplier; both when empty
	Status   string // a ProviderStatus, or "none" for organisations that never applied
	Category string // a category code
	Query    string // part of the organisation's or company's name, or the licence
	Offset   int
	Limit    int
}

// SeesProviderDocuments reports whether the scope may see the licence
// documents of organisation o: its own staff, and administrators who see
// the organisation (PIPL: least privilege).
func (s Scope) SeesProviderDocuments(o *Org) bool {
	return s.OrgID == o.ID || (s.Has(RoleAdmin) && s.SeesOrg(o))
}

// CanReviewProvider reports whether the scope may approve, reject, suspend
// and reactivate organisation o: administrators over its region.
func (s Scope) CanReviewProvider(o *Org) bool {
	return s.CanAdminister(o.RegionCode)
}

// ProviderService stores providers' applications, reviews and documents.
type ProviderService interface {
	// FindProvider returns the profile of a provider or supplier
	// organisation in scope (Status "" when it never applied), or
	// ENOTFOUND.
	FindProvider(ctx context.Context, sc Scope, orgID int64) (*ProviderProfile, error)
	// FindProviders lists providers and suppliers in scope and the total.
	FindProviders(ctx context.Context, sc Scope, f ProviderFilter) ([]*ProviderProfile, int, error)
	// ApplyProvider stores an application and sets it to applied; an
	// approved or suspended provider's details change without a new
	// review, by administrators only.
	ApplyProvider(ctx context.Context, sc Scope, p *ProviderProfile) error
	// ReviewProvider records a decision; version must be the stored one
	// (ECONFLICT).
	ReviewProvider(ctx context.Context, sc Scope, orgID int64, version int, decision, reason string) error
	// AddProviderDocument stores a document; the same file twice is
	// stored once.
	AddProviderDocument(ctx context.Context, sc Scope, d *ProviderDocument) error
	// FindProviderDocuments lists an organisation's documents without
	// their data.
	FindProviderDocuments(ctx context.Context, sc Scope, orgID int64) ([]*ProviderDocument, error)
	// FindProviderDocument returns one document with its data.
	FindProviderDocument(ctx context.Context, sc Scope, orgID, id int64) (*ProviderDocument, error)
	// DeleteProviderDocument removes a document.
	DeleteProviderDocument(ctx context.Context, sc Scope, orgID, id int64) error
}
