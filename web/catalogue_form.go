package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// Proposing a new catalogue item and editing one (/catalogue/new,
// /catalogue/{id}/edit). A new item waits for an administrator's approval;
// its price is proposed with it. Prices are typed in yuan and read with
// anxin.ParseYuan.

// itemUnits are the units the form suggests; any other short text is
// accepted.
var itemUnits = []string{"次", "小时", "天", "月", "份", "套", "件", "张"}

// itemForm holds the form's values: stored, or as typed when refused.
type itemForm struct {
	CategoryID    int64
	ProviderOrgID int64
	Name          string
	Unit          string
	Price         string
	AreaCode      string
	Contents      string
	Version       int
}

func formFromItem(it *anxin.CatalogueItem) itemForm {
	f := itemForm{CategoryID: it.CategoryID, ProviderOrgID: it.ProviderOrgID, Name: it.Name, Unit: it.Unit,
		AreaCode: it.AreaCode, Contents: it.Contents, Version: it.Version}
	switch {
	case it.Proposal != nil:
		f.Price = anxin.FormatYuan(it.Proposal.PriceFen)
	case it.Priced:
		f.Price = anxin.FormatYuan(it.PriceFen)
	}
	return f
}

func readItemForm(r *http.Request) itemForm {
	cat, _ := strconv.ParseInt(r.PostFormValue("category_id"), 10, 64)
	prov, _ := strconv.ParseInt(r.PostFormValue("provider_org_id"), 10, 64)
	return itemForm{
		CategoryID: cat, ProviderOrgID: prov,
		Name: r.PostFormValue("name"), Unit: r.PostFormValue("unit"), Price: r.PostFormValue("price"),
		AreaCode: strings.TrimSpace(r.PostFormValue("area_code")), Contents: r.PostFormValue("contents"),
		Version: formVersion(r),
	}
}

func (f itemForm) item() *anxin.CatalogueItem {
	return &anxin.CatalogueItem{CategoryID: f.CategoryID, ProviderOrgID: f.ProviderOrgID, Name: f.Name, Unit: f.Unit,
		AreaCode: f.AreaCode, Contents: f.Contents, Version: f.Version}
}

type itemFormPage struct {
	*catalogueView
	Form    itemForm
	Current *anxin.CatalogueItem // nil for a new item
	// Providers are the approved providers and suppliers an editor may
	// propose for; Own is the provider's profile for its own staff.
	Providers []*anxin.ProviderProfile
	Own       *anxin.ProviderProfile
	Regions   []*anxin.Region // suggestions for the area
	Units     []string
	Error     string
}

// ProviderName names the provider an item is proposed for.
func (p *itemFormPage) ProviderName() string {
	if p.Own != nil {
		return p.Own.OrgName
	}
	if p.Current != nil {
		return p.Current.ProviderName
	}
	return ""
}

// Choices lists the categories of a family the form offers: for a
// provider's staff those it is approved for.
func (p *itemFormPage) Choices(family string) []*anxin.Category {
	all := p.InFamily(family)
	if p.Own == nil {
		return all
	}
	var out []*anxin.Category
	for _, c := range all {
		if slices.Contains(p.Own.Categories, c.Code) || c.ID == p.Form.CategoryID {
			out = append(out, c)
		}
	}
	return out
}

func (s *Server) itemFormPage(r *http.Request, sc anxin.Scope, f itemForm, cur *anxin.CatalogueItem) (*itemFormPage, error) {
	title := "catalogue.new_title"
	if cur != nil {
		title = "catalogue.edit_title"
	}
	v, err := s.catalogueView(r, title)
	if err != nil {
		return nil, err
	}
	p := &itemFormPage{catalogueView: v, Form: f, Current: cur, Units: itemUnits}
	root := sc.Region
	switch {
	case sc.AssignedOnly:
		own, err := s.db.FindProvider(r.Context(), sc, sc.OrgID)
		if err != nil {
			return nil, err
		}
		p.Own, p.Form.ProviderOrgID, root = own, own.OrgID, own.AreaCode
	case cur == nil:
		provs, _, err := s.db.FindProviders(r.Context(), sc, anxin.ProviderFilter{Status: anxin.ProviderApproved, Limit: 1000})
		if err != nil {
			return nil, err
		}
		p.Providers = provs
	}
	if root != "" {
		if p.Regions, err = s.regionSuggestions(r, root); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// regionSuggestions lists a region and its children, for an area field.
func (s *Server) regionSuggestions(r *http.Request, root string) ([]*anxin.Region, error) {
	reg, err := s.db.FindRegion(r.Context(), root)
	if err != nil {
		return nil, nil // an unknown area suggests nothing
	}
	kids, err := s.db.FindRegions(r.Context(), anxin.RegionFilter{Parent: root, Limit: 1000})
	if err != nil {
		return nil, err
	}
	return append([]*anxin.Region{reg}, kids...), nil
}

func (s *Server) getItemNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := catalogueScopeOf(r)
	if err != nil {
		return err
	}
	if !mayProposeItems(sc) {
		return errCatalogueForbidden()
	}
	var f itemForm
	// "Propose again" starts from a rejected or retired item.
	if from, err := queryID(r, "from"); err == nil && from != 0 {
		if it, err := s.db.FindItem(r.Context(), sc, from); err == nil {
			f = formFromItem(it)
			f.Version = 0
		}
	}
	if id, _ := queryID(r, "category"); id != 0 {
		f.CategoryID = id
	}
	p, err := s.itemFormPage(r, sc, f, nil)
	if err != nil {
		return err
	}
	if p.Form.AreaCode == "" && p.Own != nil {
		p.Form.AreaCode = p.Own.AreaCode
	}
	s.render(w, r, http.StatusOK, "catalogue_form", p)
	return nil
}

func errCatalogueForbidden() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.catalogue_forbidden", "Only the provider's own staff, back office and administrators can propose catalogue items and prices.")
}

func (s *Server) postItemNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := catalogueScopeOf(r)
	if err != nil {
		return err
	}
	f := readItemForm(r)
	if sc.AssignedOnly {
		f.ProviderOrgID = sc.OrgID
	}
	it := f.item()
	fen, err := anxin.ParseYuan(f.Price)
	if err == nil {
		err = s.createItem(r, sc, it, fen)
	}
	if err != nil {
		return s.refuseItemForm(w, r, sc, f, nil, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/catalogue/%d?flash=item_proposed", it.ID), http.StatusSeeOther)
	return nil
}

// createItem proposes a new item and audits it.
func (s *Server) createItem(r *http.Request, sc anxin.Scope, it *anxin.CatalogueItem, fen int64) error {
	if err := s.db.CreateItem(r.Context(), sc, it, fen); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditItemCreate, TargetType: "catalogue_item", TargetID: strconv.FormatInt(it.ID, 10),
		Detail: fmt.Sprintf("%q; category %s; provider %d; area %s; unit %s; proposed %s", it.Name, it.CategoryCode, it.ProviderOrgID, it.AreaCode, it.Unit, anxin.FormatYuan(fen))})
}

// updateItem saves next over cur and audits what changed.
func (s *Server) updateItem(r *http.Request, sc anxin.Scope, cur, next *anxin.CatalogueItem) error {
	if err := s.db.UpdateItem(r.Context(), sc, next); err != nil {
		return err
	}
	d := auditDiff{strconv.Quote(cur.Name)}
	d.note("category", cur.CategoryCode, next.CategoryCode)
	d.note("name", strconv.Quote(cur.Name), strconv.Quote(next.Name))
	d.note("unit", cur.Unit, next.Unit)
	d.note("area", cur.AreaCode, next.AreaCode)
	d.note("contents", strconv.Quote(cur.Contents), strconv.Quote(next.Contents))
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditItemUpdate, TargetType: "catalogue_item", TargetID: strconv.FormatInt(cur.ID, 10), Detail: d.String()})
}

func (s *Server) getItemEdit(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.itemOf(r)
	if err != nil {
		return err
	}
	p, err := s.itemFormPage(r, sc, formFromItem(cur), cur)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "catalogue_form", p)
	return nil
}

func (s *Server) postItem(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.itemOf(r)
	if err != nil {
		return err
	}
	f := readItemForm(r)
	next := f.item()
	next.ID = cur.ID
	if err := s.updateItem(r, sc, cur, next); err != nil {
		return s.refuseItemForm(w, r, sc, f, cur, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/catalogue/%d?flash=saved", cur.ID), http.StatusSeeOther)
	return nil
}

// refuseItemForm shows the form again with what was typed and why it was
// refused, or passes errors that are not the user's to fix on.
func (s *Server) refuseItemForm(w http.ResponseWriter, r *http.Request, sc anxin.Scope, f itemForm, cur *anxin.CatalogueItem, err error) error {
	if !showInForm(err) {
		return err
	}
	p, perr := s.itemFormPage(r, sc, f, cur)
	if perr != nil {
		return perr
	}
	p.Error = s.msgs.userMessage(p.Lang, err)
	s.render(w, r, ErrorStatus(err), "catalogue_form", p)
	return nil
}
