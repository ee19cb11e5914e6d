package web

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// Work order pages: the lists (with the views an operator opens every
// day), intake from an elder's profile, and an order's page with its
// timeline and the actions the viewer may take. Providers and suppliers
// see the same pages limited to what is dispatched to them: their portal.

func (s *Server) routesOrders() {
	s.page("GET /orders", s.getOrders)
	s.page("GET /orders/new", s.getOrderNew)
	s.page("POST /orders", s.postOrderNew)
	s.page("GET /orders/{id}", s.getOrder)
	s.handle("POST /orders/{id}/act", s.postOrderAct) // checks like page, after reading photos; see there
	s.page("GET /orders/{id}/attachments/{aid}", s.getOrderAttachment)
	s.page("POST /orders/{id}/visit", s.postReturnVisit)
	s.page("POST /orders/{id}/reveal", s.postOrderReveal)
	s.routesPickList()
}

// orderViews are the saved views over the list, in tab order.
var orderViews = []string{"mine", "open", "overdue", "return_visit", "complaints", "all"}

// viewFilter turns a view into filters.
func viewFilter(view string, sc anxin.Scope) anxin.OrderFilter {
	switch view {
	case "mine":
		if sc.AssignedOnly {
			return anxin.OrderFilter{Open: true}
		}
		return anxin.OrderFilter{CreatedByID: sc.AccountID}
	case "open":
		return anxin.OrderFilter{Open: true}
	case "overdue":
		return anxin.OrderFilter{Overdue: true, Sort: "due"}
	case "return_visit":
		return anxin.OrderFilter{States: []string{anxin.StateCompleted}}
	case "complaints":
		return anxin.OrderFilter{Types: []string{anxin.TypeComplaint}}
	}
	return anxin.OrderFilter{}
}

type ordersPage struct {
	*Page
	View   string
	Views  []string
	Query  string
	Type   string
	State  string
	Types  []string
	States []string
	// Urgency, Within and Assignee are the other filters, with what they
	// offer: urgencies, the areas one level below the viewer's (staff), and
	// the organisations orders go to.
	Urgency   string
	Urgencies []string
	Within    string
	Areas     []*anxin.Region
	Assignee  int64
	Assignees []*anxin.Org
	Orders    []*anxin.Order
	Pager     listPager
}

func (s *Server) getOrders(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	q := r.URL.Query()
	view := q.Get("view")
	if !slices.Contains(orderViews, view) {
		view = "open"
		if sc.AssignedOnly {
			view = "mine"
		}
	}
	f := viewFilter(view, sc)
	extra := parseOrderQuery(q, sc)
	f.Query, f.Within, f.Urgency, f.AssigneeOrgID = extra.Query, extra.Within, extra.Urgency, extra.AssigneeOrgID
	if len(extra.Types) > 0 {
		f.Types = extra.Types
	}
	if len(extra.States) > 0 {
		f.States, f.Open = extra.States, false
	}
	f.Offset, f.Limit = pageParams(r)
	orders, total, err := s.db.FindOrders(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p := &ordersPage{Page: s.newPage(r, "orders.title"), View: view, Views: orderViews, Query: f.Query,
		Type: q.Get("type"), State: q.Get("state"), Types: anxin.OrderTypes, States: anxin.OrderStates, Orders: orders,
		Urgency: f.Urgency, Urgencies: anxin.OrderUrgencies, Within: f.Within, Assignee: f.AssigneeOrgID,
		Pager: newListPager(r.URL, len(orders), total, f.Offset, f.Limit)}
	if !sc.AssignedOnly {
		if p.Areas, err = s.db.FindRegions(r.Context(), anxin.RegionFilter{Parent: sc.Region, Limit: 200}); err != nil {
			return err
		}
		orgs, _, err := s.db.FindOrgs(r.Context(), sc, anxin.OrgFilter{Limit: 1000})
		if err != nil {
			return err
		}
		for _, o := range orgs {
			if o.Kind == anxin.OrgProvider || o.Kind == anxin.OrgSupplier || o.Kind == anxin.OrgVolunteer {
				p.Assignees = append(p.Assignees, o)
			}
		}
	}
	if total > anxin.MaxOrderCount {
		p.Pager.Total, p.Pager.More = anxin.MaxOrderCount, true
	}
	s.render(w, r, http.StatusOK, "orders", p)
	return nil
}

type orderFormPage struct {
	*Page
	Elder     *anxin.Elder
	Order     *anxin.Order
	Types     []string
	Channels  []string
	Urgencies []string
	// Categories are the service categories an order may name (not supply
	// packages, which supply orders list line by line).
	Categories []*anxin.Category
	// Packages are the supply packages offered where the elder lives, for
	// a supply order; Quantities what the form holds for each (by id).
	Packages   []*anxin.CatalogueItem
	Quantities map[int64]int
	// Key is the idempotency key of this form: submitting it twice makes
	// one order.
	Key   string
	Error string
}

func newFormKey() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Server) orderForm(r *http.Request, elderID int64, o *anxin.Order, key string) (*orderFormPage, error) {
	e, err := s.db.FindElder(r.Context(), scopeOf(r), elderID)
	if err != nil {
		return nil, err
	}
	shown := shownElder(scopeOf(r), e, false)
	if key == "" {
		key = newFormKey()
	}
	cats, err := s.db.FindCategories(r.Context(), "", false)
	if err != nil {
		return nil, err
	}
	p := &orderFormPage{Page: s.newPage(r, "orders.new_title"), Elder: shown, Order: o, Types: anxin.OrderTypes,
		Channels: anxin.OrderChannels, Urgencies: anxin.OrderUrgencies, Key: key}
	for _, c := range cats {
		if c.Family != anxin.FamilySupply {
			p.Categories = append(p.Categories, c)
		}
	}
	if o.Type == anxin.TypeSupply {
		items, _, err := s.db.FindItems(r.Context(), anxin.SystemScope(), anxin.ItemFilter{Family: anxin.FamilySupply,
			Within: e.RegionCode, Offered: true, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if anxin.RegionWithin(e.RegionCode, it.AreaCode) {
				p.Packages = append(p.Packages, it)
			}
		}
		p.Quantities = map[int64]int{}
		for _, l := range o.Lines {
			p.Quantities[l.ItemID] = l.Quantity
		}
	}
	return p, nil
}

func (s *Server) getOrderNew(w http.ResponseWriter, r *http.Request) error {
	id, err := queryID(r, "elder")
	if err != nil {
		return err
	}
	if id == 0 {
		http.Redirect(w, r, "/elders?flash=order_pick_elder", http.StatusSeeOther)
		return nil
	}
	o := &anxin.Order{Type: anxin.TypeService, Channel: anxin.ChannelInbound, Urgency: anxin.UrgencyNormal}
	if t := r.URL.Query().Get("type"); slices.Contains(anxin.OrderTypes, t) {
		o.Type = t
	}
	// From a screen pop: the order is linked to the call.
	if o.CallID, err = queryID(r, "call"); err != nil {
		return err
	}
	p, err := s.orderForm(r, id, o, "")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "order_form", p)
	return nil
}

func (s *Server) postOrderNew(w http.ResponseWriter, r *http.Request) error {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	elderID, _ := strconv.ParseInt(v("elder_id"), 10, 64)
	categoryID, _ := strconv.ParseInt(v("category_id"), 10, 64)
	callID, _ := strconv.ParseInt(v("call_id"), 10, 64)
	o := &anxin.Order{Type: v("type"), Channel: v("channel"), Urgency: v("urgency"), ElderID: elderID, Title: v("title"),
		Description: v("description"), CategoryID: categoryID, CallID: callID, IdempotencyKey: v("key")}
	if o.Type == anxin.TypeSupply {
		lines, err := readLines(r)
		if err != nil {
			p, ferr := s.orderForm(r, elderID, o, o.IdempotencyKey)
			if ferr != nil {
				return ferr
			}
			p.Error = s.msgs.userMessage(p.Lang, err)
			s.render(w, r, http.StatusBadRequest, "order_form", p)
			return nil
		}
		o.Lines = lines
	}
	err := s.db.CreateOrder(r.Context(), scopeOf(r), o)
	if err != nil {
		if !showInForm(err) || elderID == 0 {
			return err
		}
		p, ferr := s.orderForm(r, elderID, o, o.IdempotencyKey)
		if ferr != nil {
			return ferr
		}
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, http.StatusBadRequest, "order_form", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/orders/%d?flash=order_created", o.ID), http.StatusSeeOther)
	return nil
}

type orderPage struct {
	*Page
	Order   *anxin.Order
	Events  []anxin.OrderEvent
	Actions []string
	// Targets are the organisations the order can be dispatched to, and
	// Suggestions those that offer its category where the elder lives,
	// best first.
	Targets     []*anxin.Org
	Suggestions []anxin.Suggestion
	// IsAssignee is true for the staff of the organisation the order is
	// dispatched to: their next step is shown open.
	IsAssignee bool
	// Visit is the order's return visit, nil before completion; CanVisit
	// says whether the viewer records it.
	Visit    *anxin.ReturnVisit
	CanVisit bool
	Error    string
	// Elder is the elder as the viewer sees them for the job (nil when
	// hidden), numbers masked unless Revealed with RevealReason.
	Elder                     *anxin.Elder
	Revealed                  bool
	RevealReason, RevealError string
}

// actionsFor lists what the viewer may do with the order now.
func actionsFor(sc anxin.Scope, o *anxin.Order) []string {
	staff := !sc.AssignedOnly
	assignee := o.AssigneeOrgID != 0 && o.AssigneeOrgID == sc.OrgID
	var out []string
	for _, a := range anxin.Allowed(o.State) {
		switch a {
		case anxin.ActDeliveryFailed:
			if (assignee || staff) && o.Type == anxin.TypeSupply {
				out = append(out, a)
			}
		case anxin.ActAccept, anxin.ActReturn, anxin.ActSchedule, anxin.ActStart, anxin.ActComplete:
			if assignee || staff {
				out = append(out, a)
			}
		case anxin.ActNote:
			out = append(out, a)
		case anxin.ActPause:
			if staff && o.PausedAt.IsZero() {
				out = append(out, a)
			}
		case anxin.ActResume:
			if staff && !o.PausedAt.IsZero() {
				out = append(out, a)
			}
		default:
			if staff {
				out = append(out, a)
			}
		}
	}
	return out
}

func (s *Server) orderPage(r *http.Request, o *anxin.Order, revealed bool) (*orderPage, error) {
	sc := scopeOf(r)
	events, err := s.db.OrderEvents(r.Context(), sc, o.ID)
	if err != nil {
		return nil, err
	}
	p := &orderPage{Page: s.newPage(r, "orders.order_title"), Order: o, Events: events, Actions: actionsFor(sc, o),
		IsAssignee: o.AssigneeOrgID != 0 && o.AssigneeOrgID == sc.OrgID}
	p.Title = o.Number
	if err := s.orderElder(r, p, revealed); err != nil {
		return nil, err
	}
	if v, err := s.db.FindReturnVisit(r.Context(), sc, o.ID); err == nil {
		p.Visit = v
		p.CanVisit = !sc.AssignedOnly && v.State == anxin.VisitDue && o.State == anxin.StateCompleted
	} else if anxin.ErrorCode(err) != anxin.ENOTFOUND {
		return nil, err
	}
	if slices.Contains(p.Actions, anxin.ActDispatch) {
		if p.Suggestions, err = s.db.SuggestAssignees(r.Context(), sc, o.ID); err != nil {
			return nil, err
		}
		orgs, _, err := s.db.FindOrgs(r.Context(), sc, anxin.OrgFilter{Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, kind := range []string{anxin.OrgProvider, anxin.OrgSupplier, anxin.OrgVolunteer, anxin.OrgCommittee, anxin.OrgStreet, anxin.OrgHotline} {
			for _, o := range orgs {
				if o.Kind == kind {
					p.Targets = append(p.Targets, o)
				}
			}
		}
	}
	return p, nil
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) error {
	o, err := s.orderOf(r)
	if err != nil {
		return err
	}
	p, err := s.orderPage(r, o, false)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "order", p)
	return nil
}

// postOrderAct takes an action posted from an order's page. It reads the
// form (with photos, up to maxActionBody) before checking the CSRF token,
// as the import page does; a refused action shows the page again with
// the reason.
func (s *Server) postOrderAct(w http.ResponseWriter, r *http.Request) error {
	if accountFrom(r.Context()) == nil {
		return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_required", "Please sign in.")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, formErr := readActionForm(r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if err := s.checkCSRF(r); err != nil {
		return err
	}
	err = formErr
	if err == nil {
		_, err = s.db.ActOnOrder(r.Context(), scopeOf(r), id, a)
	}
	if err != nil {
		return s.refuseOnOrder(w, r, id, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/orders/%d?flash=%s", id, url.QueryEscape("order_"+a.Action)), http.StatusSeeOther)
	return nil
}

// readVisitForm reads a return-visit call posted from an order's page.
func readVisitForm(r *http.Request) anxin.VisitResult {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	res := anxin.VisitResult{Comment: v("comment"), FamilyAnswered: formBool(v("family"))}
	switch v("outcome") {
	case "reached":
		res.Reached = true
		res.Score, _ = strconv.Atoi(v("score"))
	case "give_up":
		res.GiveUp = true
	}
	return res
}

// postReturnVisit records a return-visit call from the order's page.
func (s *Server) postReturnVisit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := s.db.RecordReturnVisit(r.Context(), scopeOf(r), id, readVisitForm(r))
	if err != nil {
		return s.refuseOnOrder(w, r, id, err)
	}
	flash := "visit_recorded"
	switch {
	case v.ComplaintOrderID != 0:
		flash = "visit_complaint"
	case v.State == anxin.VisitDue:
		flash = "visit_unanswered"
	}
	http.Redirect(w, r, fmt.Sprintf("/orders/%d?flash=%s", id, flash), http.StatusSeeOther)
	return nil
}

// refuseOnOrder shows the order's page again with the reason an action or
// a return visit was refused (400, 403, 409), or passes other errors on.
func (s *Server) refuseOnOrder(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	if !showInForm(err) {
		return err
	}
	o, ferr := s.db.FindOrder(r.Context(), scopeOf(r), id)
	if ferr != nil {
		return ferr
	}
	p, ferr := s.orderPage(r, o, false)
	if ferr != nil {
		return ferr
	}
	p.Error = s.msgs.userMessage(p.Lang, err)
	s.render(w, r, ErrorStatus(err), "order", p)
	return nil
}

// readLines reads a supply order's quantities, posted as qty_<item id>;
// blank and 0 mean none of that package. A quantity that is not a whole
// number from 0 to anxin.MaxLineQuantity is refused.
func readLines(r *http.Request) ([]anxin.OrderLine, error) {
	var lines []anxin.OrderLine
	for k, vs := range r.PostForm {
		id, ok := strings.CutPrefix(k, "qty_")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		itemID, err := strconv.ParseInt(id, 10, 64)
		n, nerr := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil || nerr != nil || n < 0 || n > anxin.MaxLineQuantity {
			return nil, anxin.ErrorKey(anxin.EINVALID, "err.order_quantity", "A quantity is a whole number from 1 to %d.", anxin.MaxLineQuantity)
		}
		if n > 0 {
			lines = append(lines, anxin.OrderLine{ItemID: itemID, Quantity: n})
		}
	}
	slices.SortFunc(lines, func(a, b anxin.OrderLine) int { return cmp.Compare(a.ItemID, b.ItemID) })
	return lines, nil
}
