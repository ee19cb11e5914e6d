package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/anxin-care/anxin"
)

// Proposing, editing, approving, rejecting and retiring catalogue items.
// Who may do what is decided by anxin.Scope (CanActForProvider,
// CanEditCatalogue, CanApproveCatalogue); every change raises the item's
// version, and changes that name a version refuse a stale one, so two
// administrators deciding the same change cannot both succeed.

func errCatalogueForbidden() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.catalogue_forbidden", "Only the provider's own staff, back office and administrators can propose catalogue items and prices.")
}

func errItemStale() error {
	return anxin.ErrorKey(anxin.ECONFLICT, "err.item_stale", "Someone else changed or decided this item in the meantime; reload it and try again.")
}

func errItemFinal() error {
	return anxin.ErrorKey(anxin.ECONFLICT, "err.item_final", "The item was rejected or retired and can no longer change; propose it again as a new item.")
}

// accountOrNil stores the scope's account, or NULL for the system.
func accountOrNil(sc anxin.Scope) any {
	if sc.AccountID == 0 {
		return nil
	}
	return sc.AccountID
}

// mayPropose reports whether sc may propose items and prices for the
// provider in the area: the provider's own staff, or back office and
// administrators whose area covers it.
func mayPropose(sc anxin.Scope, providerOrgID int64, area string) bool {
	return sc.CanActForProvider(providerOrgID) || (sc.CanEditCatalogue() && sc.CoversRegion(area))
}

// checkOffer checks that the provider may offer items of the category in
// the area: an organisation of the right kind, approved, approved for the
// category, and serving the area.
func (tx *Tx) checkOffer(ctx context.Context, cat *anxin.Category, providerOrgID int64, area string) error {
	p, err := findProvider(ctx, tx, anxin.SystemScope(), providerOrgID)
	if err != nil {
		return anxin.ErrorKey(anxin.EINVALID, "err.item_provider_unknown", "Choose a provider or supplier that has applied to the platform.")
	}
	if p.OrgKind != cat.ProviderKind() {
		return anxin.ErrorKey(anxin.EINVALID, "err.item_provider_kind", "Supply packages are offered by suppliers, services by providers.")
	}
	if !p.Active() {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.provider_not_active", "%s is not an approved, active provider.", p.OrgName)
	}
	if !slices.Contains(p.Categories, cat.Code) {
		return anxin.ErrorKey(anxin.EINVALID, "err.item_category_not_approved", "%s is not approved for the category %s.", p.OrgName, cat.Name)
	}
	if !anxin.RegionWithin(area, p.AreaCode) {
		return anxin.ErrorKey(anxin.EINVALID, "err.item_area_outside", "The area is outside the region %s serves.", p.OrgName)
	}
	return tx.regionExists(ctx, area)
}

// checkLiveName refuses a second live item of one name, category and area
// for a provider: a form sent twice cannot create the item twice.
func (tx *Tx) checkLiveName(ctx context.Context, it *anxin.CatalogueItem) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0) FROM catalogue_items WHERE provider_org_id = $1 AND category_id = $2
		AND area_code = $3 AND name = $4 AND state IN ('pending', 'approved') AND id <> $5`,
		it.ProviderOrgID, it.CategoryID, it.AreaCode, it.Name, it.ID).Scan(&id)
	if err != nil {
		return fmt.Errorf("check item name: %w", err)
	}
	if id != 0 {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.item_exists", "This provider already offers %q in this category and area (item %d).", it.Name, id)
	}
	return nil
}

// CreateItem proposes a new item at priceFen. It is pending until an
// administrator approves it, and has no approved price until then.
// EFORBIDDEN unless sc is the provider's staff or back office or an
// administrator covering the area; EINVALID for bad fields or a provider
// not approved for the category or area; ECONFLICT when the provider is
// not active or already has a live item of that name, category and area.
func (db *DB) CreateItem(ctx context.Context, sc anxin.Scope, it *anxin.CatalogueItem, priceFen int64) error {
	if err := anxin.ValidatePrice(priceFen); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		cat, err := findCategory(ctx, tx, it.CategoryID)
		if err != nil || !cat.Active {
			return anxin.ErrorKey(anxin.EINVALID, "err.item_category", "Choose a category.")
		}
		it.ID, it.Family, it.CategoryCode, it.CategoryName = 0, cat.Family, cat.Code, cat.Name
		if err := it.Validate(); err != nil {
			return err
		}
		if !mayPropose(sc, it.ProviderOrgID, it.AreaCode) {
			return errCatalogueForbidden()
		}
		if err := tx.checkOffer(ctx, cat, it.ProviderOrgID, it.AreaCode); err != nil {
			return err
		}
		if err := tx.checkLiveName(ctx, it); err != nil {
			return err
		}
		now := db.Now()
		it.State, it.Version, it.Priced, it.PriceFen, it.CreatedAt, it.UpdatedAt = anxin.ItemPending, 1, false, 0, now, now
		err = tx.QueryRowContext(ctx, `INSERT INTO catalogue_items (category_id, provider_org_id, name, unit, area_code, contents, state, version, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9) RETURNING id`,
			it.CategoryID, it.ProviderOrgID, it.Name, it.Unit, it.AreaCode, it.Contents, it.State, accountOrNil(sc), now).Scan(&it.ID)
		if err != nil {
			return fmt.Errorf("create item: %w", err)
		}
		it.Proposal = &anxin.PriceChange{ItemID: it.ID, PriceFen: priceFen, Status: anxin.PriceProposed, ProposedBy: sc.AccountID, ProposedAt: now}
		return tx.QueryRowContext(ctx, `INSERT INTO catalogue_prices (item_id, price_fen, status, proposed_by, proposed_at)
			VALUES ($1, $2, 'proposed', $3, $4) RETURNING id`, it.ID, priceFen, accountOrNil(sc), now).Scan(&it.Proposal.ID)
	})
}

// bumpItem raises an item's version from version and sets updated_at,
// with extra assignments ("state = $3, …" whose arguments follow); it
// answers ECONFLICT when the stored version is no longer version, which
// also makes a concurrent decision on PostgreSQL lose cleanly.
func (tx *Tx) bumpItem(ctx context.Context, id int64, version int, set string, args ...any) error {
	q := "UPDATE catalogue_items SET version = version + 1, updated_at = $1"
	if set != "" {
		q += ", " + set
	}
	n := len(args) + 2
	q += fmt.Sprintf(" WHERE id = $%d AND version = $%d", n, n+1)
	res, err := tx.ExecContext(ctx, q, append(append([]any{tx.db.Now()}, args...), id, version)...)
	if err != nil {
		return fmt.Errorf("update item %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return errItemStale()
	}
	return nil
}

// UpdateItem saves an item's name, unit, contents, area and category
// (its provider never changes). The provider's staff may edit their items
// while pending; back office and administrators covering the area also
// approved ones. it.Version must be the stored version (ECONFLICT).
func (db *DB) UpdateItem(ctx context.Context, sc anxin.Scope, it *anxin.CatalogueItem) error {
	return db.Transact(ctx, func(tx *Tx) error {
		cur, err := findItem(ctx, tx, sc, it.ID)
		if err != nil {
			return err
		}
		if cur.State == anxin.ItemRejected || cur.State == anxin.ItemRetired {
			return errItemFinal()
		}
		own := sc.CanActForProvider(cur.ProviderOrgID) && cur.State == anxin.ItemPending
		editor := sc.CanEditCatalogue() && sc.CoversRegion(cur.AreaCode)
		if !own && !editor {
			if sc.CanActForProvider(cur.ProviderOrgID) {
				return anxin.ErrorKey(anxin.EFORBIDDEN, "err.item_approved_locked", "An approved item changes only through a price change or the platform's back office.")
			}
			return errCatalogueForbidden()
		}
		if it.Version != cur.Version {
			return errItemStale()
		}
		cat, err := findCategory(ctx, tx, it.CategoryID)
		if err != nil || !cat.Active {
			return anxin.ErrorKey(anxin.EINVALID, "err.item_category", "Choose a category.")
		}
		it.ProviderOrgID, it.Family, it.CategoryCode, it.CategoryName = cur.ProviderOrgID, cat.Family, cat.Code, cat.Name
		if err := it.Validate(); err != nil {
			return err
		}
		if !mayPropose(sc, it.ProviderOrgID, it.AreaCode) {
			return errOutsideArea()
		}
		if err := tx.checkOffer(ctx, cat, it.ProviderOrgID, it.AreaCode); err != nil && anxin.ErrorCode(err) != anxin.ECONFLICT {
			return err // a suspended provider's items may still be corrected
		}
		if err := tx.checkLiveName(ctx, it); err != nil {
			return err
		}
		return tx.bumpItem(ctx, it.ID, cur.Version, "category_id = $2, name = $3, unit = $4, area_code = $5, contents = $6",
			it.CategoryID, it.Name, it.Unit, it.AreaCode, it.Contents)
	})
}

// ProposePrice proposes priceFen for an item. For a pending item it
// replaces the proposed first price. For an approved item it opens a
// price change; the approved price stays what operators quote until the
// change is approved. Sending the price already waiting changes nothing
// and returns it (a form sent twice); a different price while a change
// waits is ECONFLICT. version 0 skips the version check.
func (db *DB) ProposePrice(ctx context.Context, sc anxin.Scope, id int64, version int, priceFen int64) (*anxin.PriceChange, error) {
	if err := anxin.ValidatePrice(priceFen); err != nil {
		return nil, err
	}
	var pc *anxin.PriceChange
	err := db.Transact(ctx, func(tx *Tx) error {
		cur, err := findItem(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !mayPropose(sc, cur.ProviderOrgID, cur.AreaCode) {
			return errCatalogueForbidden()
		}
		if cur.State != anxin.ItemPending && cur.State != anxin.ItemApproved {
			return errItemFinal()
		}
		if p := cur.Proposal; p != nil && p.PriceFen == priceFen {
			pc = p
			return nil
		}
		if version != 0 && version != cur.Version {
			return errItemStale()
		}
		if sc.CanActForProvider(cur.ProviderOrgID) {
			if p, err := findProvider(ctx, tx, anxin.SystemScope(), cur.ProviderOrgID); err != nil || !p.Active() {
				return anxin.ErrorKey(anxin.ECONFLICT, "err.provider_not_active", "%s is not an approved, active provider.", cur.ProviderName)
			}
		}
		now := db.Now()
		switch {
		case cur.Proposal != nil && cur.State == anxin.ItemApproved:
			return anxin.ErrorKey(anxin.ECONFLICT, "err.price_change_waiting", "A price change to %s is already waiting for approval.", anxin.FormatYuan(cur.Proposal.PriceFen))
		case cur.Proposal != nil:
			pc = cur.Proposal
			pc.PriceFen, pc.ProposedBy, pc.ProposedAt = priceFen, sc.AccountID, now
			if _, err := tx.ExecContext(ctx, "UPDATE catalogue_prices SET price_fen = $1, proposed_by = $2, proposed_at = $3 WHERE id = $4",
				priceFen, accountOrNil(sc), now, pc.ID); err != nil {
				return fmt.Errorf("update proposal: %w", err)
			}
		case cur.Priced && cur.PriceFen == priceFen:
			return anxin.ErrorKey(anxin.EINVALID, "err.price_unchanged", "%s is already the price.", anxin.FormatYuan(priceFen))
		default:
			pc = &anxin.PriceChange{ItemID: id, PriceFen: priceFen, Status: anxin.PriceProposed, ProposedBy: sc.AccountID, ProposedAt: now}
			if err := tx.QueryRowContext(ctx, `INSERT INTO catalogue_prices (item_id, price_fen, status, proposed_by, proposed_at)
				VALUES ($1, $2, 'proposed', $3, $4) RETURNING id`, id, priceFen, accountOrNil(sc), now).Scan(&pc.ID); err != nil {
				return fmt.Errorf("propose price: %w", err)
			}
		}
		return tx.bumpItem(ctx, id, cur.Version, "")
	})
	if err != nil {
		return nil, err
	}
	return pc, nil
}

// decidable loads an item with something waiting for sc to decide at
// version.
func (tx *Tx) decidable(ctx context.Context, sc anxin.Scope, id int64, version int) (*anxin.CatalogueItem, error) {
	cur, err := findItem(ctx, tx, sc, id)
	if err != nil {
		return nil, err
	}
	if !sc.CanApproveCatalogue(cur.AreaCode) {
		return nil, anxin.ErrorKey(anxin.EFORBIDDEN, "err.catalogue_approve_admin", "Only administrators whose area covers the item can approve or reject it.")
	}
	if version != cur.Version {
		return nil, errItemStale()
	}
	if cur.Proposal == nil || (cur.State != anxin.ItemPending && cur.State != anxin.ItemApproved) {
		return nil, anxin.ErrorKey(anxin.ECONFLICT, "err.item_nothing_waiting", "Nothing on this item waits for approval.")
	}
	return cur, nil
}

// ApproveItem approves what waits on the item: a pending item becomes
// approved at its proposed price; an approved item's price change becomes
// its price. Administrators covering the item's area only (EFORBIDDEN);
// version must be the stored version (ECONFLICT), so of two administrators
// approving the same change one succeeds and the other gets ECONFLICT.
func (db *DB) ApproveItem(ctx context.Context, sc anxin.Scope, id int64, version int) error {
	return db.Transact(ctx, func(tx *Tx) error {
		cur, err := tx.decidable(ctx, sc, id, version)
		if err != nil {
			return err
		}
		if err := tx.bumpItem(ctx, id, version, "state = $2, price_fen = $3, reason = ''", anxin.ItemApproved, cur.Proposal.PriceFen); err != nil {
			return err
		}
		return tx.decidePrice(ctx, sc, cur.Proposal.ID, anxin.PriceApproved, "")
	})
}

// RejectItem rejects what waits on the item with a reason: a pending item
// becomes rejected (final); an approved item's price change is rejected
// and its approved price stays.
func (db *DB) RejectItem(ctx context.Context, sc anxin.Scope, id int64, version int, reason string) error {
	reason, err := anxin.CheckReason(reason)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		cur, err := tx.decidable(ctx, sc, id, version)
		if err != nil {
			return err
		}
		if cur.State == anxin.ItemPending {
			err = tx.bumpItem(ctx, id, version, "state = $2, reason = $3", anxin.ItemRejected, reason)
		} else {
			err = tx.bumpItem(ctx, id, version, "")
		}
		if err != nil {
			return err
		}
		return tx.decidePrice(ctx, sc, cur.Proposal.ID, anxin.PriceRejected, reason)
	})
}

func (tx *Tx) decidePrice(ctx context.Context, sc anxin.Scope, priceID int64, status, reason string) error {
	_, err := tx.ExecContext(ctx, "UPDATE catalogue_prices SET status = $1, decided_by = $2, decided_at = $3, reason = $4 WHERE id = $5",
		status, accountOrNil(sc), tx.db.Now(), reason, priceID)
	if err != nil {
		return fmt.Errorf("decide price %d: %w", priceID, err)
	}
	return nil
}

// RetireItem takes a pending or approved item off the catalogue for good;
// a price change waiting on it is rejected. The provider's staff, back
// office and administrators covering the area may.
func (db *DB) RetireItem(ctx context.Context, sc anxin.Scope, id int64, version int) error {
	return db.Transact(ctx, func(tx *Tx) error {
		cur, err := findItem(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if !mayPropose(sc, cur.ProviderOrgID, cur.AreaCode) {
			return errCatalogueForbidden()
		}
		if cur.State != anxin.ItemPending && cur.State != anxin.ItemApproved {
			return errItemFinal()
		}
		if err := tx.bumpItem(ctx, id, version, "state = $2", anxin.ItemRetired); err != nil {
			return err
		}
		if cur.Proposal != nil {
			return tx.decidePrice(ctx, sc, cur.Proposal.ID, anxin.PriceRejected, "retired")
		}
		return nil
	})
}

// SetAutoDispatch turns a category's automatic dispatch on or off
// (platform administrators: categories are the platform's). It returns the
// category as it is now.
func (db *DB) SetAutoDispatch(ctx context.Context, sc anxin.Scope, categoryID int64, on bool) (*anxin.Category, error) {
	if !sc.All || !sc.Has(anxin.RoleAdmin) {
		return nil, anxin.ErrorKey(anxin.EFORBIDDEN, "err.category_admin_only", "Only the platform's administrators change how a category is dispatched.")
	}
	var out *anxin.Category
	err := db.Transact(ctx, func(tx *Tx) error {
		if _, err := findCategory(ctx, tx, categoryID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE catalogue_categories SET auto_dispatch = $1 WHERE id = $2", on, categoryID); err != nil {
			return fmt.Errorf("set automatic dispatch: %w", err)
		}
		var err error
		out, err = findCategory(ctx, tx, categoryID)
		return err
	})
	return out, err
}
