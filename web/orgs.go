package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// Organisation pages (/admin/orgs) and API (/api/v1/orgs). The store decides
// what each caller sees and may change; the console pages are for
// administrators only.

func (s *Server) routesOrgs() {
	s.page("GET /admin/orgs", s.getOrgs)
	s.page("GET /admin/orgs/new", s.getOrgNew)
	s.page("POST /admin/orgs", s.postOrgNew)
	s.page("GET /admin/orgs/{id}", s.getOrg)
	s.page("POST /admin/orgs/{id}", s.postOrg)
}

func (s *Server) apiOrgs() {
	s.api("GET /api/v1/orgs", s.apiListOrgs)
	s.api("GET /api/v1/orgs/{id}", s.apiGetOrg)
	s.api("POST /api/v1/orgs", s.apiCreateOrg)
	s.api("PATCH /api/v1/orgs/{id}", s.apiPatchOrg)
}

// adminScopeOf returns the scope of the request's account when it holds the
// admin role, and EFORBIDDEN otherwise: the administration pages are for
// administrators, whatever the store would let others read.
func adminScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if !sc.Has(anxin.RoleAdmin) {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.admin_only", "Only administrators can do this.")
	}
	return sc, nil
}

// showInForm reports whether err is the user's to fix, so the form is shown
// again with what they typed rather than an error page.
func showInForm(err error) bool {
	switch anxin.ErrorCode(err) {
	case anxin.EINVALID, anxin.ECONFLICT, anxin.EFORBIDDEN:
		return true
	}
	return false
}

// formBool reads a checkbox or query flag: "true", "1", "on".
func formBool(v string) bool {
	b, err := strconv.ParseBool(v)
	return b || (err != nil && v == "on")
}

// queryID reads an optional positive id from the query string: 0 when
// absent, EINVALID when malformed.
func queryID(r *http.Request, name string) (int64, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, anxin.Errorf(anxin.EINVALID, "%s must be a positive id", name)
	}
	return id, nil
}

// listPager is the paging line under a console list: the total, the
// positions shown (0 when none) and links to the neighbouring pages.
type listPager struct {
	Total, First, Last int
	Prev, Next         string // links, "" at either end
	// More is set when Total is a bound, not a count ("more than …").
	More bool
}

func newListPager(u *url.URL, n, total, offset, limit int) listPager {
	p := listPager{Total: total}
	if n > 0 {
		p.First, p.Last = offset+1, offset+n
	}
	link := func(off int) string {
		q := u.Query()
		q.Del("flash")
		q.Set("offset", strconv.Itoa(off))
		return u.Path + "?" + q.Encode()
	}
	if offset >= total && total > 0 {
		p.Prev = link((total - 1) / limit * limit) // past the end: back to the last page
	} else if offset > 0 {
		p.Prev = link(max(offset-limit, 0))
	}
	if offset+limit < total {
		p.Next = link(offset + limit)
	}
	return p
}

// auditDiff collects "field old→new" for an audit entry's detail.
type auditDiff []string

func (d *auditDiff) note(field, was, now string) {
	if was != now {
		*d = append(*d, field+" "+was+"→"+now)
	}
}

func (d auditDiff) String() string {
	if len(d) == 0 {
		return "no changes"
	}
	return strings.Join(d, "; ")
}

// createOrg stores a new organisation and audits it.
func (s *Server) createOrg(r *http.Request, sc anxin.Scope, o *anxin.Org) error {
	if err := s.db.CreateOrg(r.Context(), sc, o); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditOrgCreate, TargetType: "org", TargetID: strconv.FormatInt(o.ID, 10),
		Detail: fmt.Sprintf("kind %s; name %q; region %s", o.Kind, o.Name, o.RegionCode),
	})
}

// updateOrg saves next over cur and audits what changed.
func (s *Server) updateOrg(r *http.Request, sc anxin.Scope, cur, next *anxin.Org) error {
	if err := s.db.UpdateOrg(r.Context(), sc, next); err != nil {
		return err
	}
	var d auditDiff
	d.note("name", strconv.Quote(cur.Name), strconv.Quote(next.Name))
	d.note("region", cur.RegionCode, next.RegionCode)
	d.note("disabled", strconv.FormatBool(cur.Disabled), strconv.FormatBool(next.Disabled))
	return s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditOrgUpdate, TargetType: "org", TargetID: strconv.FormatInt(next.ID, 10), Detail: d.String(),
	})
}

type orgFilterForm struct {
	Kind            string
	Query           string
	IncludeDisabled bool
}

type orgsPage struct {
	*Page
	Filter orgFilterForm
	Kinds  []string
	Orgs   []*anxin.Org
	Pager  listPager
}

func (s *Server) getOrgs(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := &orgsPage{Page: s.newPage(r, "orgs.title"), Kinds: anxin.OrgKinds, Filter: orgFilterForm{
		Kind: q.Get("kind"), Query: strings.TrimSpace(q.Get("q")), IncludeDisabled: formBool(q.Get("include_disabled")),
	}}
	f := anxin.OrgFilter{Kind: p.Filter.Kind, Query: p.Filter.Query, IncludeHidden: p.Filter.IncludeDisabled}
	f.Offset, f.Limit = pageParams(r)
	orgs, total, err := s.db.FindOrgs(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p.Orgs, p.Pager = orgs, newListPager(r.URL, len(orgs), total, f.Offset, f.Limit)
	s.render(w, r, http.StatusOK, "orgs", p)
	return nil
}

type orgFormPage struct {
	*Page
	Kinds []string
	// Org holds the values in the form: what is stored, or what the user
	// typed when it was refused.
	Org *anxin.Org
	// Current is the stored organisation when editing, nil when creating.
	Current  *anxin.Org
	Accounts []*anxin.Account
	// MoreAccounts is the number of the organisation's accounts when not
	// all are listed, else 0.
	MoreAccounts int
	Error        string
}

// maxOrgAccounts bounds the accounts listed under an organisation.
const maxOrgAccounts = 100

// orgFormPage builds the form for a new (cur nil) or stored organisation.
func (s *Server) orgFormPage(r *http.Request, sc anxin.Scope, form, cur *anxin.Org) (*orgFormPage, error) {
	title := "orgs.new_title"
	if cur != nil {
		title = "orgs.edit_title"
	}
	p := &orgFormPage{Page: s.newPage(r, title), Kinds: anxin.OrgKinds, Org: form, Current: cur}
	if cur != nil {
		accts, total, err := s.db.FindAccounts(r.Context(), sc, anxin.AccountFilter{OrgID: cur.ID, Limit: maxOrgAccounts})
		if err != nil {
			return nil, err
		}
		p.Accounts = accts
		if total > len(accts) {
			p.MoreAccounts = total
		}
	}
	return p, nil
}

func (s *Server) getOrgNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	p, err := s.orgFormPage(r, sc, &anxin.Org{Kind: r.URL.Query().Get("kind")}, nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "org_form", p)
	return nil
}

func (s *Server) postOrgNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	o := &anxin.Org{
		Kind:       r.PostFormValue("kind"),
		Name:       r.PostFormValue("name"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")),
	}
	if err := s.createOrg(r, sc, o); err != nil {
		return s.refuseOrgForm(w, r, sc, o, nil, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/orgs/%d?flash=created", o.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.db.FindOrg(r.Context(), sc, id)
	if err != nil {
		return err
	}
	form := *cur
	p, err := s.orgFormPage(r, sc, &form, cur)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "org_form", p)
	return nil
}

func (s *Server) postOrg(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.db.FindOrg(r.Context(), sc, id)
	if err != nil {
		return err
	}
	next := *cur
	next.Name = r.PostFormValue("name")
	next.RegionCode = strings.TrimSpace(r.PostFormValue("region_code"))
	next.Disabled = formBool(r.PostFormValue("disabled"))
	if err := s.updateOrg(r, sc, cur, &next); err != nil {
		return s.refuseOrgForm(w, r, sc, &next, cur, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/orgs/%d?flash=saved", id), http.StatusSeeOther)
	return nil
}

// refuseOrgForm shows the form again with the user's input and the reason
// it was refused, or passes errors that are not the user's to fix on.
func (s *Server) refuseOrgForm(w http.ResponseWriter, r *http.Request, sc anxin.Scope, form, cur *anxin.Org, err error) error {
	if !showInForm(err) {
		return err
	}
	p, perr := s.orgFormPage(r, sc, form, cur)
	if perr != nil {
		return perr
	}
	p.Error = s.msgs.userMessage(p.Lang, err)
	s.render(w, r, ErrorStatus(err), "org_form", p)
	return nil
}

// apiListOrgs answers GET /api/v1/orgs?kind=&q=&within=&include_disabled=&offset=&limit=.
func (s *Server) apiListOrgs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := anxin.OrgFilter{
		Kind: q.Get("kind"), Query: strings.TrimSpace(q.Get("q")), Within: strings.TrimSpace(q.Get("within")),
		IncludeHidden: formBool(q.Get("include_disabled")),
	}
	f.Offset, f.Limit = pageParams(r)
	orgs, total, err := s.db.FindOrgs(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, orgs, total, f.Offset, f.Limit)
	return nil
}

func (s *Server) apiGetOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := s.db.FindOrg(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// orgCreateRequest is the body of POST /api/v1/orgs.
type orgCreateRequest struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	RegionCode string `json:"region_code"`
}

func (s *Server) apiCreateOrg(w http.ResponseWriter, r *http.Request) error {
	var req orgCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc := scopeOf(r)
	o := &anxin.Org{Kind: req.Kind, Name: req.Name, RegionCode: strings.TrimSpace(req.RegionCode)}
	if err := s.createOrg(r, sc, o); err != nil {
		return err
	}
	if stored, err := s.db.FindOrg(r.Context(), sc, o.ID); err == nil {
		o = stored // with the region's name
	}
	writeJSON(w, http.StatusCreated, o)
	return nil
}

// orgPatchRequest is the body of PATCH /api/v1/orgs/{id}; absent fields
// keep their value.
type orgPatchRequest struct {
	Name       *string `json:"name"`
	RegionCode *string `json:"region_code"`
	Disabled   *bool   `json:"disabled"`
}

func (s *Server) apiPatchOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req orgPatchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc := scopeOf(r)
	cur, err := s.db.FindOrg(r.Context(), sc, id)
	if err != nil {
		return err
	}
	next := *cur
	if req.Name != nil {
		next.Name = *req.Name
	}
	if req.RegionCode != nil {
		next.RegionCode = strings.TrimSpace(*req.RegionCode)
	}
	if req.Disabled != nil {
		next.Disabled = *req.Disabled
	}
	if err := s.updateOrg(r, sc, cur, &next); err != nil {
		return err
	}
	if stored, err := s.db.FindOrg(r.Context(), sc, id); err == nil {
		next = *stored
	}
	writeJSON(w, http.StatusOK, &next)
	return nil
}
