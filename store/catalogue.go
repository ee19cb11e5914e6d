package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/anxin-care/anxin"
)

var _ anxin.CatalogueService = (*DB)(nil)

// The service catalogue (issue 4): categories, items with their approved
// price, and each item's price history. Writes are in catalogue_write.go.

const categoryCols = "id, family, code, name, name_en, owner_dept, position, active, auto_dispatch"

func scanCategory(s interface{ Scan(...any) error }) (*anxin.Category, error) {
	c := &anxin.Category{}
	err := s.Scan(&c.ID, &c.Family, &c.Code, &c.Name, &c.NameEN, &c.OwnerDept, &c.Position, &c.Active, &c.AutoDispatch)
	return c, err
}

// FindCategories lists the categories of family ("" for every family) in
// family and position order, inactive ones only when all is set. They hold
// no personal data: every signed-in account may read them.
func (db *DB) FindCategories(ctx context.Context, family string, all bool) ([]*anxin.Category, error) {
	return findCategories(ctx, db.r, family, all)
}

func findCategories(ctx context.Context, q queryer, family string, all bool) ([]*anxin.Category, error) {
	var w where
	if family != "" {
		w.add("family = ?", family)
	}
	if !all {
		w.add("active = ?", true)
	}
	rows, err := q.QueryContext(ctx, "SELECT "+categoryCols+" FROM catalogue_categories"+w.sql()+" ORDER BY family, position, id", w.args...)
	if err != nil {
		return nil, fmt.Errorf("find categories: %w", err)
	}
	defer rows.Close()
	out := []*anxin.Category{}
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindCategory returns one category, or ENOTFOUND.
func (db *DB) FindCategory(ctx context.Context, id int64) (*anxin.Category, error) {
	return findCategory(ctx, db.r, id)
}

func findCategory(ctx context.Context, q queryer, id int64) (*anxin.Category, error) {
	c, err := scanCategory(q.QueryRowContext(ctx, "SELECT "+categoryCols+" FROM catalogue_categories WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.category_not_found", "Category %d not found.", id)
	} else if err != nil {
		return nil, fmt.Errorf("find category %d: %w", id, err)
	}
	return c, nil
}

const itemCols = `i.id, i.category_id, c.code, c.name, c.family, i.name, i.unit, i.price_fen, i.provider_org_id, o.name,
	COALESCE(p.status, ''), COALESCE(p.rating_sum, 0), COALESCE(p.rating_count, 0), i.area_code, COALESCE(r.full_name, ''),
	i.contents, i.state, i.reason, i.version, i.created_at, i.updated_at,
	q.id, q.price_fen, q.proposed_by, COALESCE(qa.display_name, ''), q.proposed_at`

const itemFrom = ` FROM catalogue_items i
	JOIN catalogue_categories c ON c.id = i.category_id
	JOIN orgs o ON o.id = i.provider_org_id
	LEFT JOIN provider_profiles p ON p.org_id = i.provider_org_id
	LEFT JOIN regions r ON r.code = i.area_code
	LEFT JOIN catalogue_prices q ON q.item_id = i.id AND q.status = 'proposed'
	LEFT JOIN accounts qa ON qa.id = q.proposed_by`

func scanItem(s interface{ Scan(...any) error }) (*anxin.CatalogueItem, error) {
	it := &anxin.CatalogueItem{}
	var price, qID, qPrice, qBy sql.NullInt64
	var qName string
	var qAt sql.NullTime
	var ratingSum int64
	err := s.Scan(&it.ID, &it.CategoryID, &it.CategoryCode, &it.CategoryName, &it.Family, &it.Name, &it.Unit, &price,
		&it.ProviderOrgID, &it.ProviderName, &it.ProviderStatus, &ratingSum, &it.RatingCount, &it.AreaCode, &it.AreaName,
		&it.Contents, &it.State, &it.Reason, &it.Version, &it.CreatedAt, &it.UpdatedAt,
		&qID, &qPrice, &qBy, &qName, &qAt)
	if err != nil {
		return nil, err
	}
	it.PriceFen, it.Priced = price.Int64, price.Valid
	if it.RatingCount > 0 {
		it.Rating = float64(ratingSum) / float64(it.RatingCount)
	}
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	if qID.Valid {
		it.Proposal = &anxin.PriceChange{
			ID: qID.Int64, ItemID: it.ID, PriceFen: qPrice.Int64, Status: anxin.PriceProposed,
			ProposedBy: qBy.Int64, ProposedByName: qName, ProposedAt: timeOf(qAt),
		}
	}
	return it, nil
}

func errItemNotFound(id int64) error {
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.item_not_found", "Catalogue item %d not found.", id)
}

// regionAncestors returns the codes of the regions above code, from the
// province down (none for a province or an invalid code).
func regionAncestors(code string) []string {
	var out []string
	for p := anxin.ParentRegionCode(code); p != ""; p = anxin.ParentRegionCode(p) {
		out = append([]string{p}, out...)
	}
	return out
}

// overlaps restricts col (a region code column) to the regions that
// concern the region code: those in its subtree and those above it.
func (w *where) overlaps(col, code string) {
	cond := "(" + col + " >= " + w.arg(code) + " AND " + col + " < " + w.arg(code+":")
	if up := regionAncestors(code); len(up) > 0 {
		ph := make([]string, len(up))
		for i, u := range up {
			ph[i] = w.arg(u)
		}
		cond += " OR " + col + " IN (" + strings.Join(ph, ", ") + ")"
	}
	w.conds = append(w.conds, cond+")")
}

// scopeItems restricts catalogue_items i to what sc may see: everything
// for the platform; its own items for a provider or supplier; for a region
// scope the items that concern its area, only approved ones unless it may
// edit the catalogue.
func (w *where) scopeItems(sc anxin.Scope) {
	switch {
	case sc.All:
	case sc.AssignedOnly:
		w.add("i.provider_org_id = ?", sc.OrgID)
	default:
		w.overlaps("i.area_code", sc.Region)
		if !sc.CanEditCatalogue() {
			w.add("i.state = ?", anxin.ItemApproved)
		}
	}
}

// FindItem returns one item in scope with its open price proposal, or
// ENOTFOUND.
func (db *DB) FindItem(ctx context.Context, sc anxin.Scope, id int64) (*anxin.CatalogueItem, error) {
	return findItem(ctx, db.r, sc, id)
}

func findItem(ctx context.Context, q queryer, sc anxin.Scope, id int64) (*anxin.CatalogueItem, error) {
	var w where
	w.add("i.id = ?", id)
	w.scopeItems(sc)
	it, err := scanItem(q.QueryRowContext(ctx, "SELECT "+itemCols+itemFrom+w.sql(), w.args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errItemNotFound(id)
	} else if err != nil {
		return nil, fmt.Errorf("find item %d: %w", id, err)
	}
	return it, nil
}

// offered restricts items to those operators may offer.
func (w *where) offered() {
	w.add("i.state = ? AND i.price_fen IS NOT NULL AND p.status = ? AND o.disabled = ?", anxin.ItemApproved, anxin.ProviderApproved, false)
}

// FindItems lists items in scope by family, category position and name,
// and the total count.
func (db *DB) FindItems(ctx context.Context, sc anxin.Scope, f anxin.ItemFilter) ([]*anxin.CatalogueItem, int, error) {
	var w where
	w.scopeItems(sc)
	if f.CategoryID != 0 {
		w.add("i.category_id = ?", f.CategoryID)
	}
	if f.Family != "" {
		w.add("c.family = ?", f.Family)
	}
	if f.Within != "" {
		w.overlaps("i.area_code", f.Within)
	}
	if f.Query != "" {
		pat := likePattern(f.Query)
		w.add(`(lower(i.name) LIKE ? ESCAPE '\' OR lower(i.contents) LIKE ? ESCAPE '\' OR lower(o.name) LIKE ? ESCAPE '\')`, pat, pat, pat)
	}
	if f.State != "" {
		w.add("i.state = ?", f.State)
	}
	if f.ProviderOrgID != 0 {
		w.add("i.provider_org_id = ?", f.ProviderOrgID)
	}
	if f.Offered {
		w.offered()
	}
	if f.Waiting {
		w.add("q.id IS NOT NULL AND i.state IN (?, ?)", anxin.ItemPending, anxin.ItemApproved)
	}
	var total int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*)"+itemFrom+w.sql(), w.args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count items: %w", err)
	}
	order := " ORDER BY c.family, c.position, i.name, i.id"
	if f.Waiting {
		order = " ORDER BY q.proposed_at, i.id" // oldest first: first come, first decided
	}
	rows, err := db.r.QueryContext(ctx, "SELECT "+itemCols+itemFrom+w.sql()+order+w.page(f.Offset, f.Limit), w.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find items: %w", err)
	}
	defer rows.Close()
	var out []*anxin.CatalogueItem
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, it)
	}
	return out, total, rows.Err()
}

// OffersFor lists the items of a category that operators may offer an
// elder of the committee: approved and priced, by an approved provider of
// an enabled organisation, offered in a region that contains the
// committee; cheapest first, then the better rated. A committee outside a
// region scope answers ENOTFOUND; a provider's scope sees only its own.
func (db *DB) OffersFor(ctx context.Context, sc anxin.Scope, categoryID int64, committeeCode string) ([]*anxin.CatalogueItem, error) {
	return offersFor(ctx, db.r, sc, categoryID, committeeCode)
}

func offersFor(ctx context.Context, q queryer, sc anxin.Scope, categoryID int64, committeeCode string) ([]*anxin.CatalogueItem, error) {
	if anxin.RegionLevel(committeeCode) == 0 {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.region_required", "A valid region code is required.")
	}
	if !sc.All && !sc.AssignedOnly && !sc.CoversRegion(committeeCode) {
		return nil, anxin.ErrorKey(anxin.ENOTFOUND, "err.region_not_found", "Region %s not found.", committeeCode)
	}
	if _, err := findCategory(ctx, q, categoryID); err != nil {
		return nil, err
	}
	var w where
	w.scopeItems(sc)
	w.add("i.category_id = ?", categoryID)
	w.offered()
	w.in("i.area_code", append(regionAncestors(committeeCode), committeeCode))
	rows, err := q.QueryContext(ctx, "SELECT "+itemCols+itemFrom+w.sql()+
		" ORDER BY i.price_fen, COALESCE(p.rating_sum * 1.0 / NULLIF(p.rating_count, 0), 0) DESC, o.name, i.id LIMIT 200", w.args...)
	if err != nil {
		return nil, fmt.Errorf("offers for %s: %w", committeeCode, err)
	}
	defer rows.Close()
	out := []*anxin.CatalogueItem{}
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// FindPrices returns an item's price history, newest first; the item must
// be in scope (ENOTFOUND).
func (db *DB) FindPrices(ctx context.Context, sc anxin.Scope, id int64) ([]*anxin.PriceChange, error) {
	if _, err := findItem(ctx, db.r, sc, id); err != nil {
		return nil, err
	}
	rows, err := db.r.QueryContext(ctx, `SELECT q.id, q.item_id, q.price_fen, q.status, COALESCE(q.proposed_by, 0), COALESCE(pa.display_name, ''),
		q.proposed_at, COALESCE(q.decided_by, 0), COALESCE(da.display_name, ''), q.decided_at, q.reason
		FROM catalogue_prices q LEFT JOIN accounts pa ON pa.id = q.proposed_by LEFT JOIN accounts da ON da.id = q.decided_by
		WHERE q.item_id = $1 ORDER BY q.id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("find prices of %d: %w", id, err)
	}
	defer rows.Close()
	out := []*anxin.PriceChange{}
	for rows.Next() {
		pc := &anxin.PriceChange{}
		var decided sql.NullTime
		if err := rows.Scan(&pc.ID, &pc.ItemID, &pc.PriceFen, &pc.Status, &pc.ProposedBy, &pc.ProposedByName,
			&pc.ProposedAt, &pc.DecidedBy, &pc.DecidedByName, &decided, &pc.Reason); err != nil {
			return nil, err
		}
		pc.ProposedAt, pc.DecidedAt = pc.ProposedAt.UTC(), timeOf(decided)
		out = append(out, pc)
	}
	return out, rows.Err()
}
