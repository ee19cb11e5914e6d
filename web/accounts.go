package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
)

// Account pages (/admin/accounts) and API (/api/v1/accounts). Passwords are
// generated here, shown once, and only their hash is stored.

func (s *Server) routesAccounts() {
	s.page("GET /admin/accounts", s.getAccounts)
	s.page("GET /admin/accounts/new", s.getAccountNew)
	s.page("POST /admin/accounts", s.postAccountNew)
	s.page("GET /admin/accounts/{id}", s.getAccount)
	s.page("POST /admin/accounts/{id}", s.postAccount)
	s.page("POST /admin/accounts/{id}/reset-password", s.postAccountResetPassword)
}

func (s *Server) apiAccounts() {
	s.api("GET /api/v1/accounts", s.apiListAccounts)
	s.api("GET /api/v1/accounts/{id}", s.apiGetAccount)
	s.api("POST /api/v1/accounts", s.apiCreateAccount)
	s.api("PATCH /api/v1/accounts/{id}", s.apiPatchAccount)
}

// createAccount gives a new account a generated password, stores it and
// audits it. It returns the password, which is never shown again.
func (s *Server) createAccount(r *http.Request, sc anxin.Scope, a *anxin.Account) (string, error) {
	pw := password.Generate()
	hash, err := s.cfg.Hasher.Hash(pw)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	a.PasswordHash = hash
	if err := s.db.CreateAccount(r.Context(), sc, a); err != nil {
		return "", err
	}
	err = s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditAccountCreate, TargetType: "account", TargetID: a.Username,
		Detail: fmt.Sprintf("org %d; roles %s; locale %s", a.OrgID, strings.Join(a.Roles, ","), a.Locale),
	})
	return pw, err
}

// updateAccount saves next over cur and audits what changed. The store ends
// the sessions of an account it disables.
func (s *Server) updateAccount(r *http.Request, sc anxin.Scope, cur, next *anxin.Account) error {
	if err := s.db.UpdateAccount(r.Context(), sc, next); err != nil {
		return err
	}
	var d auditDiff
	d.note("display_name", strconv.Quote(cur.DisplayName), strconv.Quote(next.DisplayName))
	d.note("roles", strings.Join(cur.Roles, ","), strings.Join(next.Roles, ","))
	d.note("locale", cur.Locale, next.Locale)
	d.note("disabled", strconv.FormatBool(cur.Disabled), strconv.FormatBool(next.Disabled))
	return s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditAccountUpdate, TargetType: "account", TargetID: cur.Username, Detail: d.String(),
	})
}

// resetPassword gives an account a new generated password, ends its
// sessions and audits it. It returns the account and the password.
func (s *Server) resetPassword(r *http.Request, sc anxin.Scope, id int64) (*anxin.Account, string, error) {
	ctx := r.Context()
	a, err := s.db.FindAccount(ctx, sc, id)
	if err != nil {
		return nil, "", err
	}
	pw := password.Generate()
	hash, err := s.cfg.Hasher.Hash(pw)
	if err != nil {
		return nil, "", fmt.Errorf("hash password: %w", err)
	}
	if err := s.db.SetPasswordHash(ctx, sc, id, hash); err != nil {
		return nil, "", err
	}
	if err := s.db.DeleteAccountSessions(ctx, id); err != nil {
		return nil, "", fmt.Errorf("end sessions of account %d: %w", id, err)
	}
	err = s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditPasswordReset, TargetType: "account", TargetID: a.Username, Detail: "generated; sessions ended",
	})
	return a, pw, err
}

// maxOrgChoices bounds the organisations offered in a select; beyond it
// the form asks for an organisation number instead.
const maxOrgChoices = 500

// orgChoices lists the organisations in scope for a select, and whether
// there were too many to list.
func (s *Server) orgChoices(r *http.Request, sc anxin.Scope, includeDisabled bool) ([]*anxin.Org, bool, error) {
	orgs, total, err := s.db.FindOrgs(r.Context(), sc, anxin.OrgFilter{IncludeHidden: includeDisabled, Limit: maxOrgChoices})
	return orgs, total > len(orgs), err
}

type accountFilterForm struct {
	OrgID int64
	Role  string
	Query string
}

type accountsPage struct {
	*Page
	Filter   accountFilterForm
	Org      *anxin.Org // the organisation filtered by, if any
	Orgs     []*anxin.Org
	ManyOrgs bool
	Roles    []string
	Accounts []*anxin.Account
	Pager    listPager
}

func (s *Server) getAccounts(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := &accountsPage{Page: s.newPage(r, "accounts.title"), Roles: anxin.Roles,
		Filter: accountFilterForm{Role: q.Get("role"), Query: strings.TrimSpace(q.Get("q"))}}
	if p.Filter.OrgID, err = queryID(r, "org"); err != nil {
		return err
	}
	if p.Filter.OrgID != 0 {
		if p.Org, err = s.db.FindOrg(r.Context(), sc, p.Filter.OrgID); err != nil {
			return err
		}
	}
	if p.Orgs, p.ManyOrgs, err = s.orgChoices(r, sc, true); err != nil {
		return err
	}
	f := anxin.AccountFilter{OrgID: p.Filter.OrgID, Role: p.Filter.Role, Query: p.Filter.Query}
	f.Offset, f.Limit = pageParams(r)
	accts, total, err := s.db.FindAccounts(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p.Accounts, p.Pager = accts, newListPager(r.URL, len(accts), total, f.Offset, f.Limit)
	s.render(w, r, http.StatusOK, "accounts", p)
	return nil
}

type accountFormPage struct {
	*Page
	// Form holds the account's values in the form; its Org is the
	// organisation. (Page.Account is the signed-in account.)
	Form *anxin.Account
	New  bool
	// Roles are those the organisation's kind allows.
	Roles []string
	Error string
	// Password is set once, after creating an account or resetting its
	// password; the page then shows it instead of the form.
	Password string
	// Orgs and ManyOrgs offer a choice of organisation before a new
	// account's form, when none is chosen yet.
	Orgs     []*anxin.Org
	ManyOrgs bool
}

func (s *Server) accountFormPage(r *http.Request, title string, a *anxin.Account) *accountFormPage {
	p := &accountFormPage{Page: s.newPage(r, title), Form: a, New: a.ID == 0}
	if a.Org != nil {
		p.Roles = anxin.RolesForOrgKind(a.Org.Kind)
	}
	return p
}

func (s *Server) getAccountNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	orgID, err := queryID(r, "org")
	if err != nil {
		return err
	}
	a := &anxin.Account{Locale: anxin.LocaleZH}
	if orgID != 0 {
		if a.Org, err = s.db.FindOrg(r.Context(), sc, orgID); err != nil {
			return err
		}
		a.OrgID = orgID
		if roles := anxin.RolesForOrgKind(a.Org.Kind); len(roles) == 1 {
			a.Roles = roles // the only choice, ticked already
		}
	}
	p := s.accountFormPage(r, "accounts.new_title", a)
	if a.Org == nil {
		if p.Orgs, p.ManyOrgs, err = s.orgChoices(r, sc, false); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, "account_form", p)
	return nil
}

func (s *Server) postAccountNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	orgID, err := strconv.ParseInt(r.PostFormValue("org_id"), 10, 64)
	if err != nil {
		return anxin.Errorf(anxin.EINVALID, "org_id must be a number")
	}
	org, err := s.db.FindOrg(r.Context(), sc, orgID)
	if err != nil {
		return err
	}
	a := &anxin.Account{
		OrgID: org.ID, Org: org, Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Roles: r.PostForm["roles"], Locale: r.PostFormValue("locale"),
	}
	pw, err := s.createAccount(r, sc, a)
	if err != nil {
		if !showInForm(err) {
			return err
		}
		a.ID, a.Org = 0, org
		p := s.accountFormPage(r, "accounts.new_title", a)
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "account_form", p)
		return nil
	}
	p := s.accountFormPage(r, "accounts.created_title", a)
	p.Password = pw
	s.render(w, r, http.StatusOK, "account_form", p)
	return nil
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.db.FindAccount(r.Context(), sc, id)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "account_form", s.accountFormPage(r, "accounts.edit_title", a))
	return nil
}

func (s *Server) postAccount(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cur, err := s.db.FindAccount(r.Context(), sc, id)
	if err != nil {
		return err
	}
	next := *cur
	next.DisplayName = r.PostFormValue("display_name")
	next.Roles = r.PostForm["roles"]
	next.Locale = r.PostFormValue("locale")
	next.Disabled = formBool(r.PostFormValue("disabled"))
	if err := s.updateAccount(r, sc, cur, &next); err != nil {
		if !showInForm(err) {
			return err
		}
		p := s.accountFormPage(r, "accounts.edit_title", &next)
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "account_form", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/accounts/%d?flash=saved", id), http.StatusSeeOther)
	return nil
}

func (s *Server) postAccountResetPassword(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, pw, err := s.resetPassword(r, sc, id)
	if err != nil {
		return err
	}
	p := s.accountFormPage(r, "accounts.reset_title", a)
	p.Password = pw
	s.render(w, r, http.StatusOK, "account_form", p)
	return nil
}

// apiListAccounts answers GET /api/v1/accounts?org=&role=&q=&offset=&limit=.
func (s *Server) apiListAccounts(w http.ResponseWriter, r *http.Request) error {
	orgID, err := queryID(r, "org")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := anxin.AccountFilter{OrgID: orgID, Role: q.Get("role"), Query: strings.TrimSpace(q.Get("q"))}
	f.Offset, f.Limit = pageParams(r)
	accts, total, err := s.db.FindAccounts(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, accts, total, f.Offset, f.Limit)
	return nil
}

func (s *Server) apiGetAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.db.FindAccount(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// accountCreateRequest is the body of POST /api/v1/accounts.
type accountCreateRequest struct {
	OrgID       int64    `json:"org_id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Locale      string   `json:"locale"`
}

// accountWithPassword answers account creation: the password is shown
// this once and never again.
type accountWithPassword struct {
	Account  *anxin.Account `json:"account"`
	Password string         `json:"password"`
}

func (s *Server) apiCreateAccount(w http.ResponseWriter, r *http.Request) error {
	var req accountCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a := &anxin.Account{OrgID: req.OrgID, Username: req.Username, DisplayName: req.DisplayName, Roles: req.Roles, Locale: req.Locale}
	pw, err := s.createAccount(r, scopeOf(r), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, accountWithPassword{Account: a, Password: pw})
	return nil
}

// accountPatchRequest is the body of PATCH /api/v1/accounts/{id}; absent
// fields keep their value.
type accountPatchRequest struct {
	DisplayName *string  `json:"display_name"`
	Roles       []string `json:"roles"`
	Locale      *string  `json:"locale"`
	Disabled    *bool    `json:"disabled"`
}

func (s *Server) apiPatchAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req accountPatchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc := scopeOf(r)
	cur, err := s.db.FindAccount(r.Context(), sc, id)
	if err != nil {
		return err
	}
	next := *cur
	next.Roles = slices.Clone(cur.Roles)
	if req.DisplayName != nil {
		next.DisplayName = *req.DisplayName
	}
	if req.Roles != nil {
		next.Roles = req.Roles
	}
	if req.Locale != nil {
		next.Locale = *req.Locale
	}
	if req.Disabled != nil {
		next.Disabled = *req.Disabled
	}
	if err := s.updateAccount(r, sc, cur, &next); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, &next)
	return nil
}
