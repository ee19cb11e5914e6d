package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/anxin-care/anxin"
)

// The catalogue and providers in the JSON API (/api/v1/catalogue…,
// /api/v1/providers…). Prices are integers of fen (price_fen); the store
// applies the token's scope as for the pages, and changes are audited the
// same way.

func (s *Server) apiCatalogue() {
	s.api("GET /api/v1/catalogue/categories", s.apiListCategories)
	s.api("PATCH /api/v1/catalogue/categories/{id}", s.apiPatchCategory)
	s.api("GET /api/v1/catalogue/items", s.apiListItems)
	s.api("POST /api/v1/catalogue/items", s.apiCreateItem)
	s.api("GET /api/v1/catalogue/items/{id}", s.apiGetItem)
	s.api("PATCH /api/v1/catalogue/items/{id}", s.apiPatchItem)
	s.api("GET /api/v1/catalogue/items/{id}/prices", s.apiItemPrices)
	s.api("POST /api/v1/catalogue/items/{id}/approve", s.apiApproveItem)
	s.api("POST /api/v1/catalogue/items/{id}/reject", s.apiRejectItem)
	s.api("GET /api/v1/catalogue/offers", s.apiOffers)
	s.api("GET /api/v1/providers", s.apiListProviders)
	s.api("POST /api/v1/providers", s.apiApplyProvider)
	s.api("GET /api/v1/providers/{id}", s.apiGetProvider)
	s.api("POST /api/v1/providers/{id}/review", s.apiReviewProvider)
	s.api("GET /api/v1/providers/{id}/documents", s.apiListDocuments)
	s.api("POST /api/v1/providers/{id}/documents", s.apiUploadDocument)
	s.api("GET /api/v1/providers/{id}/documents/{doc}", s.apiGetDocument)
}

// apiListCategories answers GET /api/v1/catalogue/categories?family=&all=.
func (s *Server) apiListCategories(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	family := q.Get("family")
	if family != "" && !anxin.ValidFamily(family) {
		return anxin.Errorf(anxin.EINVALID, "unknown family %q: government, social or supply", truncate(family, 20))
	}
	cats, err := s.db.FindCategories(r.Context(), family, formBool(q.Get("all")))
	if err != nil {
		return err
	}
	writeList(w, cats, len(cats), 0, len(cats))
	return nil
}

// apiListItems answers GET /api/v1/catalogue/items with the filters of the
// console's list plus offered and waiting.
func (s *Server) apiListItems(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	_, f, err := parseCatalogueQuery(r, sc)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f.Offered = f.Offered || formBool(q.Get("offered"))
	f.Waiting = formBool(q.Get("waiting"))
	items, total, err := s.db.FindItems(r.Context(), sc, f)
	if err != nil {
		return err
	}
	writeList(w, items, total, f.Offset, f.Limit)
	return nil
}

// itemCreateRequest is the body of POST /api/v1/catalogue/items.
type itemCreateRequest struct {
	CategoryID    int64  `json:"category_id"`
	ProviderOrgID int64  `json:"provider_org_id"`
	Name          string `json:"name"`
	Unit          string `json:"unit"`
	PriceFen      *int64 `json:"price_fen"`
	AreaCode      string `json:"area_code"`
	Contents      string `json:"contents"`
}

func (s *Server) apiCreateItem(w http.ResponseWriter, r *http.Request) error {
	var req itemCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.PriceFen == nil {
		return anxin.ErrorKey(anxin.EINVALID, "err.price_required", "Enter a price.")
	}
	sc := scopeOf(r)
	if sc.AssignedOnly && req.ProviderOrgID == 0 {
		req.ProviderOrgID = sc.OrgID
	}
	it := &anxin.CatalogueItem{CategoryID: req.CategoryID, ProviderOrgID: req.ProviderOrgID, Name: req.Name, Unit: req.Unit,
		AreaCode: strings.TrimSpace(req.AreaCode), Contents: req.Contents}
	if err := s.createItem(r, sc, it, *req.PriceFen); err != nil {
		return err
	}
	stored, err := s.db.FindItem(r.Context(), sc, it.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, stored)
	return nil
}

func (s *Server) apiItem(r *http.Request) (anxin.Scope, *anxin.CatalogueItem, error) {
	sc := scopeOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return sc, nil, err
	}
	it, err := s.db.FindItem(r.Context(), sc, id)
	return sc, it, err
}

func (s *Server) apiGetItem(w http.ResponseWriter, r *http.Request) error {
	_, it, err := s.apiItem(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, it)
	return nil
}

// itemPatchRequest is the body of PATCH /api/v1/catalogue/items/{id}:
// version is required; absent fields keep their value. price_fen proposes
// a price (the approved price stays until approval); state "retired"
// retires the item.
type itemPatchRequest struct {
	Version    int     `json:"version"`
	CategoryID *int64  `json:"category_id"`
	Name       *string `json:"name"`
	Unit       *string `json:"unit"`
	AreaCode   *string `json:"area_code"`
	Contents   *string `json:"contents"`
	PriceFen   *int64  `json:"price_fen"`
	State      *string `json:"state"`
}

func (s *Server) apiPatchItem(w http.ResponseWriter, r *http.Request) error {
	var req itemPatchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc, cur, err := s.apiItem(r)
	if err != nil {
		return err
	}
	if req.Version != cur.Version {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.item_stale", "Someone else changed or decided this item in the meantime; reload it and try again.")
	}
	if req.State != nil && *req.State != anxin.ItemRetired {
		return anxin.Errorf(anxin.EINVALID, "state can only be set to retired; approve and reject have their own paths")
	}
	next := *cur
	if req.CategoryID != nil {
		next.CategoryID = *req.CategoryID
	}
	for _, f := range []struct {
		from *string
		to   *string
	}{{req.Name, &next.Name}, {req.Unit, &next.Unit}, {req.AreaCode, &next.AreaCode}, {req.Contents, &next.Contents}} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
	if next.CategoryID != cur.CategoryID || next.Name != cur.Name || next.Unit != cur.Unit || next.AreaCode != cur.AreaCode || next.Contents != cur.Contents {
		if err := s.updateItem(r, sc, cur, &next); err != nil {
			return err
		}
		if cur, err = s.db.FindItem(r.Context(), sc, cur.ID); err != nil {
			return err
		}
	}
	if req.PriceFen != nil {
		if err := s.proposePrice(r, sc, cur, cur.Version, *req.PriceFen); err != nil {
			return err
		}
		if cur, err = s.db.FindItem(r.Context(), sc, cur.ID); err != nil {
			return err
		}
	}
	if req.State != nil {
		if err := s.db.RetireItem(r.Context(), sc, cur.ID, cur.Version); err != nil {
			return err
		}
		err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditItemRetire, TargetType: "catalogue_item", TargetID: fmt.Sprint(cur.ID),
			Detail: fmt.Sprintf("%q (%s)", cur.Name, cur.ProviderName)})
		if err != nil {
			return err
		}
		if cur, err = s.db.FindItem(r.Context(), sc, cur.ID); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, cur)
	return nil
}

func (s *Server) apiItemPrices(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hist, err := s.db.FindPrices(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeList(w, hist, len(hist), 0, len(hist))
	return nil
}

// itemDecisionRequest is the body of .../approve and .../reject: the
// version the decision was made on, and for a rejection the reason.
type itemDecisionRequest struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) apiApproveItem(w http.ResponseWriter, r *http.Request) error {
	return s.apiDecideItem(w, r, true)
}

func (s *Server) apiRejectItem(w http.ResponseWriter, r *http.Request) error {
	return s.apiDecideItem(w, r, false)
}

func (s *Server) apiDecideItem(w http.ResponseWriter, r *http.Request, approve bool) error {
	var req itemDecisionRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc, cur, err := s.apiItem(r)
	if err != nil {
		return err
	}
	if err := s.decideItem(r, sc, cur, req.Version, approve, req.Reason); err != nil {
		return err
	}
	stored, err := s.db.FindItem(r.Context(), sc, cur.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stored)
	return nil
}

// apiOffers answers GET /api/v1/catalogue/offers?category=&committee=.
func (s *Server) apiOffers(w http.ResponseWriter, r *http.Request) error {
	cat, err := queryID(r, "category")
	if err != nil {
		return err
	} else if cat == 0 {
		return anxin.Errorf(anxin.EINVALID, "category is required")
	}
	offers, err := s.db.OffersFor(r.Context(), scopeOf(r), cat, strings.TrimSpace(r.URL.Query().Get("committee")))
	if err != nil {
		return err
	}
	writeList(w, offers, len(offers), 0, len(offers))
	return nil
}
