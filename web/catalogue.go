package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// Service catalogue pages (/catalogue): the list operators quote from, an
// item with its price history, proposing items and prices, and the
// administrators' approval queue. The store decides who sees and may do
// what (anxin.Scope); the pages offer only what it will accept. Every
// change is audited.

func (s *Server) routesCatalogue() {
	s.page("GET /catalogue", s.getCatalogue)
	s.page("GET /catalogue/new", s.getItemNew)
	s.page("POST /catalogue", s.postItemNew)
	s.page("GET /catalogue/approvals", s.getApprovals)
	s.page("GET /catalogue/categories", s.getCategories)
	s.page("POST /catalogue/categories/{id}/dispatch", s.postCategoryDispatch)
	s.page("GET /catalogue/{id}", s.getItem)
	s.page("GET /catalogue/{id}/edit", s.getItemEdit)
	s.page("POST /catalogue/{id}", s.postItem)
	s.page("POST /catalogue/{id}/price", s.postItemPrice)
	s.page("POST /catalogue/{id}/approve", s.postItemApprove)
	s.page("POST /catalogue/{id}/reject", s.postItemReject)
	s.page("POST /catalogue/{id}/retire", s.postItemRetire)
}

// catalogueScopeOf returns the request's scope unless it is a volunteer's:
// volunteers hand over packages and have no use for the catalogue.
func catalogueScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if sc.Has(anxin.RoleVolunteer) && len(sc.Roles) == 1 {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.catalogue_no_access", "The catalogue is for hotline, back office, community and provider staff.")
	}
	return sc, nil
}

// mayProposeItems reports whether the scope may propose items at all:
// back office and administrators, and providers' and suppliers' staff
// (the store checks which provider and area).
func mayProposeItems(sc anxin.Scope) bool {
	return sc.CanEditCatalogue() || (sc.AssignedOnly && sc.Has(anxin.RolePartner))
}

// catalogueView is what every catalogue page shares: the categories, to
// name them in the page's language, and price formatting.
type catalogueView struct {
	*Page
	Categories []*anxin.Category
	byID       map[int64]*anxin.Category
}

func (s *Server) catalogueView(r *http.Request, titleKey string) (*catalogueView, error) {
	cats, err := s.db.FindCategories(r.Context(), "", true)
	if err != nil {
		return nil, err
	}
	v := &catalogueView{Page: s.newPage(r, titleKey), Categories: cats, byID: map[int64]*anxin.Category{}}
	for _, c := range cats {
		v.byID[c.ID] = c
	}
	return v, nil
}

// CategoryName names a category in the page's language.
func (v *catalogueView) CategoryName(id int64) string {
	c, ok := v.byID[id]
	if !ok {
		return ""
	}
	if v.Lang == anxin.LocaleEN && c.NameEN != "" {
		return c.NameEN
	}
	return c.Name
}

// Family returns the family of a category.
func (v *catalogueView) Family(id int64) string {
	if c, ok := v.byID[id]; ok {
		return c.Family
	}
	return ""
}

// InFamily lists the active categories of a family, for selects.
func (v *catalogueView) InFamily(family string) []*anxin.Category {
	var out []*anxin.Category
	for _, c := range v.Categories {
		if c.Family == family && c.Active {
			out = append(out, c)
		}
	}
	return out
}

// Families lists the category families in order.
func (v *catalogueView) Families() []string { return anxin.Families }

// Price shows an item's approved price, "free" for 0 and "not priced yet"
// before the first approval.
func (v *catalogueView) Price(it *anxin.CatalogueItem) string {
	switch {
	case !it.Priced:
		return v.T("catalogue.unpriced")
	case it.PriceFen == 0:
		return v.T("catalogue.free")
	}
	return anxin.FormatYuan(it.PriceFen)
}

// Rating shows a provider's average score and the number of visits.
func (v *catalogueView) Rating(avg float64, n int) string {
	if n == 0 {
		return v.T("providers.no_rating")
	}
	return v.T("providers.rating", avg, n)
}

type catalogueQuery struct {
	Family, Category, Area, Query, State, Provider string
}

type cataloguePage struct {
	*catalogueView
	Filter     catalogueQuery
	Items      []*anxin.CatalogueItem
	Pager      listPager
	Editor     bool // sees every state and may filter by it
	CanPropose bool
	Waiting    int // items waiting for approval, for approvers
	States     []string
}

// parseCatalogueQuery reads the list's filters from the query string.
func parseCatalogueQuery(r *http.Request, sc anxin.Scope) (catalogueQuery, anxin.ItemFilter, error) {
	v := r.URL.Query()
	q := catalogueQuery{
		Family: v.Get("family"), Category: strings.TrimSpace(v.Get("category")), Area: strings.TrimSpace(v.Get("area")),
		Query: strings.TrimSpace(v.Get("q")), State: v.Get("state"), Provider: strings.TrimSpace(v.Get("provider")),
	}
	f := anxin.ItemFilter{Family: q.Family, Query: q.Query, State: q.State, Within: q.Area}
	if f.Family != "" && !anxin.ValidFamily(f.Family) {
		return q, f, anxin.Errorf(anxin.EINVALID, "unknown family %q", truncate(f.Family, 20))
	}
	if f.State != "" && !validState(f.State) {
		return q, f, anxin.Errorf(anxin.EINVALID, "unknown state %q", truncate(f.State, 20))
	}
	if q.Area != "" && anxin.RegionLevel(q.Area) == 0 {
		return q, f, anxin.ErrorKey(anxin.EINVALID, "err.region_required", "A valid region code is required.")
	}
	var err error
	if f.CategoryID, err = queryID(r, "category"); err != nil {
		return q, f, err
	}
	if f.ProviderOrgID, err = queryID(r, "provider"); err != nil {
		return q, f, err
	}
	// Operators and community staff quote only what may be offered.
	if !sc.All && !sc.AssignedOnly && !sc.CanEditCatalogue() {
		f.Offered, f.State = true, ""
	}
	f.Offset, f.Limit = pageParams(r)
	return q, f, nil
}

func validState(s string) bool {
	for _, st := range anxin.ItemStates {
		if st == s {
			return true
		}
	}
	return false
}

func (s *Server) getCatalogue(w http.ResponseWriter, r *http.Request) error {
	sc, err := catalogueScopeOf(r)
	if err != nil {
		return err
	}
	q, f, err := parseCatalogueQuery(r, sc)
	if err != nil {
		return err
	}
	v, err := s.catalogueView(r, "catalogue.title")
	if err != nil {
		return err
	}
	p := &cataloguePage{catalogueView: v, Filter: q, States: anxin.ItemStates,
		Editor: sc.All || sc.AssignedOnly || sc.CanEditCatalogue(), CanPropose: mayProposeItems(sc)}
	items, total, err := s.db.FindItems(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p.Items, p.Pager = items, newListPager(r.URL, len(items), total, f.Offset, f.Limit)
	if sc.Has(anxin.RoleAdmin) {
		if _, p.Waiting, err = s.db.FindItems(r.Context(), sc, anxin.ItemFilter{Waiting: true, Limit: 1}); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "catalogue", p)
	return nil
}

// itemOf loads the item named by the path in the request's scope.
func (s *Server) itemOf(r *http.Request) (anxin.Scope, *anxin.CatalogueItem, error) {
	sc, err := catalogueScopeOf(r)
	if err != nil {
		return sc, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return sc, nil, err
	}
	it, err := s.db.FindItem(r.Context(), sc, id)
	return sc, it, err
}

type itemPage struct {
	*catalogueView
	Item    *anxin.CatalogueItem
	History []*anxin.PriceChange
	// What the viewer may do.
	CanApprove, CanPropose, CanEdit, CanRetire, SeesProvider bool
	PriceInput                                               string
	Error                                                    string
}

func (s *Server) itemPage(r *http.Request, sc anxin.Scope, it *anxin.CatalogueItem) (*itemPage, error) {
	v, err := s.catalogueView(r, "catalogue.item_title")
	if err != nil {
		return nil, err
	}
	hist, err := s.db.FindPrices(r.Context(), sc, it.ID)
	if err != nil {
		return nil, err
	}
	live := it.State == anxin.ItemPending || it.State == anxin.ItemApproved
	own := sc.CanActForProvider(it.ProviderOrgID)
	editor := sc.CanEditCatalogue() && sc.CoversRegion(it.AreaCode)
	p := &itemPage{catalogueView: v, Item: it, History: hist,
		CanApprove:   live && it.Proposal != nil && sc.CanApproveCatalogue(it.AreaCode),
		CanPropose:   live && (own || editor) && !(it.State == anxin.ItemApproved && it.Proposal != nil),
		CanEdit:      live && (editor || (own && it.State == anxin.ItemPending)),
		CanRetire:    live && (own || editor),
		SeesProvider: own || sc.All || (!sc.AssignedOnly && (sc.CanEditCatalogue() || sc.Has(anxin.RoleSupervisor))),
	}
	p.Title = it.Name
	return p, nil
}

func (s *Server) getItem(w http.ResponseWriter, r *http.Request) error {
	sc, it, err := s.itemOf(r)
	if err != nil {
		return err
	}
	p, err := s.itemPage(r, sc, it)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "catalogue_item", p)
	return nil
}

// refuseItem shows the item page again with the reason an action was
// refused, or passes errors that are not the user's to fix on.
func (s *Server) refuseItem(w http.ResponseWriter, r *http.Request, sc anxin.Scope, id int64, price string, err error) error {
	if !showInForm(err) {
		return err
	}
	it, ferr := s.db.FindItem(r.Context(), sc, id)
	if ferr != nil {
		return ferr
	}
	p, perr := s.itemPage(r, sc, it)
	if perr != nil {
		return perr
	}
	p.Error, p.PriceInput = s.msgs.userMessage(p.Lang, err), price
	s.render(w, r, ErrorStatus(err), "catalogue_item", p)
	return nil
}

// formVersion reads the version the form was made on.
func formVersion(r *http.Request) int {
	v, _ := strconv.Atoi(r.PostFormValue("version"))
	return v
}

func (s *Server) postItemPrice(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.itemOf(r)
	if err != nil {
		return err
	}
	price := r.PostFormValue("price")
	fen, err := anxin.ParseYuan(price)
	if err == nil {
		err = s.proposePrice(r, sc, cur, formVersion(r), fen)
	}
	if err != nil {
		return s.refuseItem(w, r, sc, cur.ID, price, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/catalogue/%d?flash=price_proposed", cur.ID), http.StatusSeeOther)
	return nil
}

// proposePrice proposes fen for cur and audits it.
func (s *Server) proposePrice(r *http.Request, sc anxin.Scope, cur *anxin.CatalogueItem, version int, fen int64) error {
	pc, err := s.db.ProposePrice(r.Context(), sc, cur.ID, version, fen)
	if err != nil {
		return err
	}
	was := "none"
	if cur.Priced {
		was = anxin.FormatYuan(cur.PriceFen)
	}
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditItemPrice, TargetType: "catalogue_item", TargetID: strconv.FormatInt(cur.ID, 10),
		Detail: fmt.Sprintf("%q; approved price %s; proposed %s (price change %d)", cur.Name, was, anxin.FormatYuan(pc.PriceFen), pc.ID)})
}

// decideItem approves (reason "") or rejects what waits on cur and audits
// the decision with the prices.
func (s *Server) decideItem(r *http.Request, sc anxin.Scope, cur *anxin.CatalogueItem, version int, approve bool, reason string) error {
	action := anxin.AuditItemApprove
	var err error
	if approve {
		err = s.db.ApproveItem(r.Context(), sc, cur.ID, version)
	} else {
		action = anxin.AuditItemReject
		err = s.db.RejectItem(r.Context(), sc, cur.ID, version, reason)
	}
	if err != nil {
		return err
	}
	// cur was read before the decision at the version decided on, or else
	// the store refused it: its proposal is what was decided.
	detail := fmt.Sprintf("%q (%s) version %d", cur.Name, cur.ProviderName, version)
	switch {
	case cur.Proposal == nil || cur.Version != version:
	case cur.State == anxin.ItemApproved:
		detail += fmt.Sprintf("; price %s→%s", anxin.FormatYuan(cur.PriceFen), anxin.FormatYuan(cur.Proposal.PriceFen))
	default:
		detail += fmt.Sprintf("; new item at %s", anxin.FormatYuan(cur.Proposal.PriceFen))
	}
	return s.audit(r, &anxin.AuditEntry{Action: action, TargetType: "catalogue_item", TargetID: strconv.FormatInt(cur.ID, 10),
		Detail: detail, Reason: strings.TrimSpace(reason)})
}

// decisionTarget is where a decision returns to: the approval queue when
// it came from there.
func decisionTarget(r *http.Request, id int64, flash string) string {
	if r.PostFormValue("from") == "approvals" {
		return "/catalogue/approvals?flash=" + flash
	}
	return fmt.Sprintf("/catalogue/%d?flash=%s", id, flash)
}

func (s *Server) postItemApprove(w http.ResponseWriter, r *http.Request) error {
	return s.postItemDecision(w, r, true)
}

func (s *Server) postItemReject(w http.ResponseWriter, r *http.Request) error {
	return s.postItemDecision(w, r, false)
}

func (s *Server) postItemDecision(w http.ResponseWriter, r *http.Request, approve bool) error {
	sc, cur, err := s.itemOf(r)
	if err != nil {
		return err
	}
	if err = s.decideItem(r, sc, cur, formVersion(r), approve, r.PostFormValue("reason")); err != nil {
		if r.PostFormValue("from") == "approvals" && showInForm(err) {
			return s.renderApprovals(w, r, sc, ErrorStatus(err), err)
		}
		return s.refuseItem(w, r, sc, cur.ID, "", err)
	}
	flash := "item_approved"
	if !approve {
		flash = "item_rejected"
	}
	http.Redirect(w, r, decisionTarget(r, cur.ID, flash), http.StatusSeeOther)
	return nil
}

func (s *Server) postItemRetire(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.itemOf(r)
	if err != nil {
		return err
	}
	if err := s.db.RetireItem(r.Context(), sc, cur.ID, formVersion(r)); err != nil {
		return s.refuseItem(w, r, sc, cur.ID, "", err)
	}
	err = s.audit(r, &anxin.AuditEntry{Action: anxin.AuditItemRetire, TargetType: "catalogue_item", TargetID: strconv.FormatInt(cur.ID, 10),
		Detail: fmt.Sprintf("%q (%s)", cur.Name, cur.ProviderName)})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/catalogue/%d?flash=item_retired", cur.ID), http.StatusSeeOther)
	return nil
}

type approvalsPage struct {
	*catalogueView
	Items []*anxin.CatalogueItem
	Pager listPager
	Error string
	sc    anxin.Scope
}

// CanDecide reports whether the viewer may decide on the item; items of a
// wider area wait for an administrator of that area.
func (p *approvalsPage) CanDecide(it *anxin.CatalogueItem) bool {
	return p.sc.CanApproveCatalogue(it.AreaCode)
}

func (s *Server) getApprovals(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	return s.renderApprovals(w, r, sc, http.StatusOK, nil)
}

// renderApprovals shows the queue of items and price changes waiting for
// approval, oldest first, with the reason the last decision was refused.
func (s *Server) renderApprovals(w http.ResponseWriter, r *http.Request, sc anxin.Scope, status int, refused error) error {
	v, err := s.catalogueView(r, "approvals.title")
	if err != nil {
		return err
	}
	f := anxin.ItemFilter{Waiting: true}
	f.Offset, f.Limit = pageParams(r)
	items, total, err := s.db.FindItems(r.Context(), sc, f)
	if err != nil {
		return err
	}
	u := r.URL
	if r.Method != http.MethodGet {
		u = &url.URL{Path: "/catalogue/approvals"}
	}
	p := &approvalsPage{catalogueView: v, Items: items, Pager: newListPager(u, len(items), total, f.Offset, f.Limit), sc: sc}
	if refused != nil {
		p.Error = s.msgs.userMessage(p.Lang, refused)
	}
	s.render(w, r, status, "catalogue_approvals", p)
	return nil
}
