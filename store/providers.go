package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
)

var _ anxin.ProviderService = (*DB)(nil)

// Providers and suppliers: organisations of those kinds with their
// onboarding application, the platform's decision and their rating.
// Documents are in provider_docs.go.

const providerCols = `o.id, o.name, o.kind, o.disabled, COALESCE(p.company, ''), COALESCE(p.licence_no, ''), COALESCE(p.categories, ''),
	COALESCE(p.area_code, ''), COALESCE(r.full_name, ''), COALESCE(p.contact_name, ''), COALESCE(p.contact_phone, ''),
	COALESCE(p.status, ''), COALESCE(p.reason, ''), COALESCE(p.rating_sum, 0), COALESCE(p.rating_count, 0), COALESCE(p.version, 0),
	p.applied_at, p.decided_at, COALESCE(da.display_name, '')`

const providerFrom = ` FROM orgs o LEFT JOIN provider_profiles p ON p.org_id = o.id
	LEFT JOIN regions r ON r.code = p.area_code LEFT JOIN accounts da ON da.id = p.decided_by`

func scanProvider(s interface{ Scan(...any) error }) (*anxin.ProviderProfile, error) {
	p := &anxin.ProviderProfile{}
	var cats string
	var applied, decided sql.NullTime
	err := s.Scan(&p.OrgID, &p.OrgName, &p.OrgKind, &p.OrgDisabled, &p.Company, &p.LicenceNo, &cats, &p.AreaCode, &p.AreaName,
		&p.ContactName, &p.ContactPhone, &p.Status, &p.Reason, &p.RatingSum, &p.RatingCount, &p.Version, &applied, &decided, &p.DecidedByName)
	if err != nil {
		return nil, err
	}
	p.Categories = []string{}
	for _, c := range strings.Split(cats, ",") {
		if c != "" {
			p.Categories = append(p.Categories, c)
		}
	}
	p.AppliedAt, p.DecidedAt = timeOf(applied), timeOf(decided)
	return p, nil
}

func errProviderNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.provider_not_found", "Provider or supplier %d not found.", id)
}

// FindProvider returns the profile of a provider or supplier organisation
// visible in scope, with Status "" when it never applied; ENOTFOUND for
// other organisations and outside the scope.
func (db *DB) FindProvider(ctx context.Context, sc anxin.Scope, orgID int64) (*anxin.ProviderProfile, error) {
	return findProvider(ctx, db.r, sc, orgID)
}

func findProvider(ctx context.Context, q queryer, sc anxin.Scope, orgID int64) (*anxin.ProviderProfile, error) {
	var w where
	w.add("o.id = ? AND o.kind IN (?, ?)", orgID, anxin.OrgProvider, anxin.OrgSupplier)
	w.scopeOrgs(sc, "o")
	p, err := scanProvider(q.QueryRowContext(ctx, "SELECT "+providerCols+providerFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errProviderNotFound(orgID)
	} else if err != nil {
		return nil, fmt.Errorf("find provider %d: %w", orgID, err)
	}
	return p, nil
}

// FindProviders lists the providers and suppliers visible in scope, by
// kind and name, and the total count.
func (db *DB) FindProviders(ctx context.Context, sc anxin.Scope, f anxin.ProviderFilter) ([]*anxin.ProviderProfile, int, error) {
	var w where
	w.scopeOrgs(sc, "o")
	switch f.Kind {
	case "":
		w.add("o.kind IN (?, ?)", anxin.OrgProvider, anxin.OrgSupplier)
	case anxin.OrgProvider, anxin.OrgSupplier:
		w.add("o.kind = ?", f.Kind)
	default:
		return nil, 0, anxin.ErrorKey(anxin.EINVALID, "err.org_kind", "Unknown organisation kind %q.", f.Kind)
	}
	switch {
	case f.Status == "none":
		w.add("p.org_id IS NULL")
	case f.Status != "":
		w.add("p.status = ?", f.Status)
	}
	if f.Category != "" {
		w.add("p.categories LIKE ? ESCAPE '\\'", "%,"+likeEscaper.Replace(f.Category)+",%")
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		w.add(`(lower(o.name) LIKE ? ESCAPE '\' OR lower(p.company) LIKE ? ESCAPE '\' OR lower(p.licence_no) LIKE ? ESCAPE '\')`, pat, pat, pat)
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*)"+providerFrom+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count providers: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+providerCols+providerFrom+w.sql()+" ORDER BY o.kind, o.name, o.id"+w.page(f.Offset, f.Limit), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find providers: %w", err)
	}
	defer rows.Close()
	var out []*anxin.ProviderProfile
	for rows.Next() {
		p, err := scanProvider(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// checkCategories refuses category codes that do not exist, are inactive,
// or belong to a family the organisation kind does not offer.
func (tx *Tx) checkCategories(ctx context.Context, kind string, codes []string) error {
	cats, err := findCategories(ctx, tx, "", false)
	if err != nil {
		return err
	}
	for _, code := range codes {
		i := slices.IndexFunc(cats, func(c *anxin.Category) bool { return c.Code == code })
		if i < 0 {
			return anxin.ErrorKey(anxin.EINVALID, "err.category_unknown", "Unknown category %q.", code)
		}
		if cats[i].ProviderKind() != kind {
			return anxin.ErrorKey(anxin.EINVALID, "err.provider_category_kind", "This kind of organisation cannot offer the category %s.", cats[i].Name)
		}
	}
	return nil
}

// ApplyProvider stores an organisation's application. The organisation's
// own staff, and back office and administrators covering it, may file
// one; it becomes (again) applied with a new review pending, whether it
// is new, waiting or rejected. The details of an approved or suspended
// provider change only by an administrator who may review it, and keep
// the status. p.Version, when not 0, must be the stored version.
// ECONFLICT when another organisation of the kind holds the licence.
func (db *DB) ApplyProvider(ctx context.Context, sc anxin.Scope, p *anxin.ProviderProfile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		org, err := findOrg(ctx, tx, sc, p.OrgID)
		if err != nil {
			return err
		}
		if org.Kind != anxin.OrgProvider && org.Kind != anxin.OrgSupplier {
			return anxin.ErrorKey(anxin.EINVALID, "err.provider_kind", "Only providers and suppliers apply to offer services and packages.")
		}
		if !sc.CanActForProvider(org.ID) && !(sc.CanEditCatalogue() && sc.CoversRegion(org.RegionCode)) {
			return errCatalogueForbidden()
		}
		cur, err := findProvider(ctx, tx, anxin.SystemScope(), org.ID)
		if err != nil {
			return err
		}
		if p.Version != 0 && cur.Status != "" && p.Version != cur.Version {
			return errProviderStale()
		}
		locked := cur.Status == anxin.ProviderApproved || cur.Status == anxin.ProviderSuspended
		if locked && !sc.CanReviewProvider(org) {
			return anxin.ErrorKey(anxin.EFORBIDDEN, "err.provider_locked", "The application is approved; ask the platform's administrators to change it.")
		}
		if err := tx.checkCategories(ctx, org.Kind, p.Categories); err != nil {
			return err
		}
		if err := tx.regionExists(ctx, p.AreaCode); err != nil {
			return err
		}
		var other int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(p.org_id), 0) FROM provider_profiles p JOIN orgs o ON o.id = p.org_id
			WHERE p.licence_no = $1 AND o.kind = $2 AND p.org_id <> $3`, p.LicenceNo, org.Kind, org.ID).Scan(&other); err != nil {
			return err
		} else if other != 0 {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.provider_licence_taken", "Another organisation of this kind already applied with the licence %s.", p.LicenceNo)
		}
		now := db.Now()
		cats := "," + strings.Join(p.Categories, ",") + ","
		status := anxin.ProviderApplied
		if locked {
			status = cur.Status
		}
		p.OrgName, p.OrgKind, p.OrgDisabled, p.Status = org.Name, org.Kind, org.Disabled, status
		if cur.Status == "" {
			p.Version, p.AppliedAt = 1, now
			_, err = tx.ExecContext(ctx, `INSERT INTO provider_profiles (org_id, company, licence_no, categories, area_code, contact_name, contact_phone,
				status, version, applied_by, applied_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10, $10)`,
				org.ID, p.Company, p.LicenceNo, cats, p.AreaCode, p.ContactName, p.ContactPhone, status, accountOrNil(sc), now)
			return err
		}
		p.Version, p.RatingSum, p.RatingCount = cur.Version+1, cur.RatingSum, cur.RatingCount
		reason, appliedAt := cur.Reason, cur.AppliedAt
		if !locked {
			reason, appliedAt = "", now
		}
		p.Reason, p.AppliedAt = reason, appliedAt
		res, err := tx.ExecContext(ctx, `UPDATE provider_profiles SET company = $1, licence_no = $2, categories = $3, area_code = $4,
			contact_name = $5, contact_phone = $6, status = $7, reason = $8, applied_at = $9, version = version + 1, updated_at = $10
			WHERE org_id = $11 AND version = $12`,
			p.Company, p.LicenceNo, cats, p.AreaCode, p.ContactName, p.ContactPhone, status, reason, appliedAt, now, org.ID, cur.Version)
		return oneRow(res, err, errProviderStale)
	})
}

func errProviderStale() error {
	return anxin.ErrorKey(anxin.ECONFLICT, "err.provider_stale", "Someone else changed or decided this application in the meantime; reload it and try again.")
}

// oneRow turns an UPDATE that changed no row into stale().
func oneRow(res sql.Result, err error, stale func() error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	} else if n != 1 {
		return stale()
	}
	return nil
}

// reviewMoves says which status each decision moves from and to.
var reviewMoves = map[string][2]string{
	anxin.ReviewApprove:    {anxin.ProviderApplied, anxin.ProviderApproved},
	anxin.ReviewReject:     {anxin.ProviderApplied, anxin.ProviderRejected},
	anxin.ReviewSuspend:    {anxin.ProviderApproved, anxin.ProviderSuspended},
	anxin.ReviewReactivate: {anxin.ProviderSuspended, anxin.ProviderApproved},
}

// ReviewProvider records an administrator's decision on a provider:
// approve or reject (with a reason) an application, suspend (with a
// reason) or reactivate an approved provider. EFORBIDDEN unless sc may
// administer the organisation; ECONFLICT when version is stale or the
// decision does not fit the status.
func (db *DB) ReviewProvider(ctx context.Context, sc anxin.Scope, orgID int64, version int, decision, reason string) error {
	move, ok := reviewMoves[decision]
	if !ok {
		return anxin.ErrorKey(anxin.EINVALID, "err.review_decision", "Unknown decision %q: approve, reject, suspend or reactivate.", decision)
	}
	if decision == anxin.ReviewReject || decision == anxin.ReviewSuspend {
		var err error
		if reason, err = anxin.CheckReason(reason); err != nil {
			return err
		}
	} else {
		reason = ""
	}
	return db.Transact(ctx, func(tx *Tx) error {
		org, err := findOrg(ctx, tx, sc, orgID)
		if err != nil {
			return err
		}
		cur, err := findProvider(ctx, tx, sc, orgID)
		if err != nil {
			return err
		}
		if !sc.CanReviewProvider(org) {
			return anxin.ErrorKey(anxin.EFORBIDDEN, "err.provider_review_admin", "Only administrators over the provider's region can review it.")
		}
		if cur.Status == "" {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.provider_not_applied", "%s has not applied yet.", org.Name)
		}
		if version != cur.Version {
			return errProviderStale()
		}
		if cur.Status != move[0] {
			return anxin.ErrorKey(anxin.ECONFLICT, "err.provider_transition", "A provider whose status is %s cannot be given the decision %s.", cur.Status, decision)
		}
		now := db.Now()
		res, err := tx.ExecContext(ctx, `UPDATE provider_profiles SET status = $1, reason = $2, decided_by = $3, decided_at = $4,
			version = version + 1, updated_at = $4 WHERE org_id = $5 AND version = $6`,
			move[1], reason, accountOrNil(sc), now, orgID, version)
		return oneRow(res, err, errProviderStale)
	})
}

// RateProvider adds one return-visit score (1–5) to a provider's rating,
// in the transaction of the visit that gave it. ENOTFOUND when the
// organisation has no profile.
func (tx *Tx) RateProvider(ctx context.Context, orgID int64, score int) error {
	if score < 1 || score > 5 {
		return anxin.ErrorKey(anxin.EINVALID, "err.rating_score", "A score is a whole number from 1 to 5.")
	}
	res, err := tx.ExecContext(ctx, "UPDATE provider_profiles SET rating_sum = rating_sum + $1, rating_count = rating_count + 1 WHERE org_id = $2", score, orgID)
	return oneRow(res, err, func() error { return errProviderNotFound(orgID) })
}
