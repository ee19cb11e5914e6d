package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/anxin-care/anxin"
)

// The onboarding application of a provider or supplier
// (/providers/{id}/apply): company, licence, categories, service area,
// contact, and licence documents uploaded with it. Filing it again after a
// rejection applies again.

type providerFormPage struct {
	*catalogueView
	Provider *anxin.ProviderProfile // as stored
	Form     *anxin.ProviderProfile // as shown: stored, or as typed when refused
	Families []string               // the families the organisation's kind offers
	Regions  []*anxin.Region
	DocKinds []string
	MaxMB    int
	Error    string
}

// Checked reports whether the form ticks the category code.
func (p *providerFormPage) Checked(code string) bool {
	for _, c := range p.Form.Categories {
		if c == code {
			return true
		}
	}
	return false
}

func (s *Server) providerFormPage(r *http.Request, sc anxin.Scope, org *anxin.Org, cur, form *anxin.ProviderProfile) (*providerFormPage, error) {
	v, err := s.catalogueView(r, "providers.apply_title")
	if err != nil {
		return nil, err
	}
	p := &providerFormPage{catalogueView: v, Provider: cur, Form: form, DocKinds: anxin.DocKinds, MaxMB: anxin.MaxDocumentBytes >> 20}
	p.Families = []string{anxin.FamilyGovernment, anxin.FamilySocial}
	if org.Kind == anxin.OrgSupplier {
		p.Families = []string{anxin.FamilySupply}
	}
	root := form.AreaCode
	if root == "" {
		root = org.RegionCode
	}
	if anxin.RegionLevel(root) != 0 {
		if p.Regions, err = s.regionSuggestions(r, root[:min(len(root), 4)]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (s *Server) getProviderApply(w http.ResponseWriter, r *http.Request) error {
	sc, org, cur, err := s.providerOf(r)
	if err != nil {
		return err
	}
	if !mayApply(sc, org, cur) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.provider_locked", "The application is approved; ask the platform's administrators to change it.")
	}
	form := *cur
	if form.Company == "" {
		form.Company = org.Name
	}
	if form.AreaCode == "" {
		form.AreaCode = org.RegionCode
	}
	p, err := s.providerFormPage(r, sc, org, cur, &form)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "provider_form", p)
	return nil
}

// postProviderApply stores the application and the documents sent with
// it. It is registered with handle, like the roster import: the body is
// limited and parsed first, then the checks of page follow. The documents
// are stored after the application; a refused document leaves the
// application saved and says which file was refused.
func (s *Server) postProviderApply(w http.ResponseWriter, r *http.Request) error {
	if accountFrom(r.Context()) == nil {
		return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_required", "Please sign in.")
	}
	formErr := parseDocumentForm(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	sc, org, cur, err := s.providerOf(r)
	if err != nil {
		return err
	}
	if formErr == nil {
		if err := s.checkCSRF(r); err != nil {
			return err
		}
	}
	next := &anxin.ProviderProfile{
		OrgID: org.ID, OrgName: cur.OrgName, OrgKind: cur.OrgKind,
		Company: r.PostFormValue("company"), LicenceNo: r.PostFormValue("licence_no"),
		Categories: r.PostForm["categories"], AreaCode: strings.TrimSpace(r.PostFormValue("area_code")),
		ContactName: r.PostFormValue("contact_name"), ContactPhone: r.PostFormValue("contact_phone"),
		Version: formVersion(r),
	}
	err = formErr
	var docs []*anxin.ProviderDocument
	if err == nil {
		docs, err = uploadedDocuments(r, org.ID, r.PostFormValue("kind"))
	}
	for _, d := range docs {
		if err == nil {
			if err = d.CheckDocument(); err != nil { // refuse a bad file before anything is saved
				err = &fileError{d.Filename, err}
			}
		}
	}
	if err == nil {
		err = s.applyProvider(r, sc, cur, next)
	}
	if err == nil {
		err = s.addDocuments(r, sc, docs)
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		p, perr := s.providerFormPage(r, sc, org, cur, next)
		if perr != nil {
			return perr
		}
		p.Error = s.uploadMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "provider_form", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/providers/%d?flash=provider_applied", org.ID), http.StatusSeeOther)
	return nil
}
