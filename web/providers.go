package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// Provider and supplier pages (/providers): the list with status and
// rating, a provider's page with its application, documents, staff
// accounts and the administrators' review, and the application form with
// document upload. Providers' own staff see only their own page. Licence
// documents are shown only to the provider and administrators, and every
// download is audited.

func (s *Server) routesProviders() {
	s.page("GET /providers", s.getProviders)
	s.page("GET /providers/{id}", s.getProvider)
	s.page("GET /providers/{id}/apply", s.getProviderApply)
	s.handle("POST /providers/{id}/apply", s.postProviderApply)         // checks like page, after reading the files
	s.handle("POST /providers/{id}/documents", s.postProviderDocuments) // likewise
	s.page("GET /providers/{id}/documents/{doc}", s.getProviderDocument)
	s.page("POST /providers/{id}/documents/{doc}/delete", s.postProviderDocumentDelete)
	s.page("POST /providers/{id}/review", s.postProviderReview)
}

// seesProviderList reports whether the scope may open the list of
// providers: back office, supervisors and administrators.
func seesProviderList(sc anxin.Scope) bool {
	return !sc.AssignedOnly && (sc.CanEditCatalogue() || sc.Has(anxin.RoleSupervisor))
}

type providersQuery struct {
	Kind, Status, Category, Query string
}

type providersPage struct {
	*catalogueView
	Filter    providersQuery
	Providers []*anxin.ProviderProfile
	Pager     listPager
	Statuses  []string
}

// CategoryNames names a provider's categories by code.
func (v *catalogueView) CategoryNames(codes []string) []string {
	var out []string
	for _, code := range codes {
		name := code
		for _, c := range v.Categories {
			if c.Code == code {
				name = v.CategoryName(c.ID)
			}
		}
		out = append(out, name)
	}
	return out
}

func (s *Server) getProviders(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	if sc.AssignedOnly && sc.Has(anxin.RolePartner) {
		http.Redirect(w, r, fmt.Sprintf("/providers/%d", sc.OrgID), http.StatusSeeOther)
		return nil
	}
	if !seesProviderList(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.providers_forbidden", "The list of providers is for back office, supervisors and administrators.")
	}
	v, err := s.catalogueView(r, "providers.title")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := &providersPage{catalogueView: v, Statuses: append([]string{"none"}, anxin.ProviderStatuses...), Filter: providersQuery{
		Kind: q.Get("kind"), Status: q.Get("status"), Category: q.Get("category"), Query: strings.TrimSpace(q.Get("q")),
	}}
	f := anxin.ProviderFilter{Kind: p.Filter.Kind, Status: p.Filter.Status, Category: p.Filter.Category, Query: p.Filter.Query}
	f.Offset, f.Limit = pageParams(r)
	list, total, err := s.db.FindProviders(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p.Providers, p.Pager = list, newListPager(r.URL, len(list), total, f.Offset, f.Limit)
	s.render(w, r, http.StatusOK, "providers", p)
	return nil
}

type providerPage struct {
	*catalogueView
	Provider  *anxin.ProviderProfile
	Documents []*anxin.ProviderDocument
	Accounts  []*anxin.Account
	Items     int
	// What the viewer may do.
	SeesDocuments, CanApply, CanReview, CanDeleteDocuments, CanManageAccounts bool
	DocKinds                                                                  []string
	Error                                                                     string
}

// providerOf loads the provider named by the path and its organisation,
// for the provider's own staff and those who may open the list.
func (s *Server) providerOf(r *http.Request) (anxin.Scope, *anxin.Org, *anxin.ProviderProfile, error) {
	sc := scopeOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return sc, nil, nil, err
	}
	p, err := s.db.FindProvider(r.Context(), sc, id)
	if err != nil {
		return sc, nil, nil, err
	}
	if !sc.CanActForProvider(id) && !seesProviderList(sc) {
		return sc, nil, nil, anxin.ErrorKey(anxin.EFORBIDDEN, "err.providers_forbidden", "The list of providers is for back office, supervisors and administrators.")
	}
	org, err := s.db.FindOrg(r.Context(), sc, id)
	return sc, org, p, err
}

// mayApply mirrors the store's rule of who files or changes an
// application.
func mayApply(sc anxin.Scope, org *anxin.Org, p *anxin.ProviderProfile) bool {
	if p.Status == anxin.ProviderApproved || p.Status == anxin.ProviderSuspended {
		return sc.CanReviewProvider(org)
	}
	return sc.CanActForProvider(org.ID) || (sc.CanEditCatalogue() && sc.CoversRegion(org.RegionCode))
}

func (s *Server) providerPage(r *http.Request, sc anxin.Scope, org *anxin.Org, prov *anxin.ProviderProfile) (*providerPage, error) {
	v, err := s.catalogueView(r, "providers.title")
	if err != nil {
		return nil, err
	}
	locked := prov.Status == anxin.ProviderApproved || prov.Status == anxin.ProviderSuspended
	p := &providerPage{catalogueView: v, Provider: prov, DocKinds: anxin.DocKinds,
		SeesDocuments:      sc.SeesProviderDocuments(org),
		CanApply:           mayApply(sc, org, prov),
		CanReview:          sc.CanReviewProvider(org) && prov.Status != "" && prov.Status != anxin.ProviderRejected,
		CanDeleteDocuments: sc.SeesProviderDocuments(org) && (sc.CanReviewProvider(org) || !locked),
		CanManageAccounts:  sc.CanAdminister(org.RegionCode),
	}
	p.Title = prov.OrgName
	if p.SeesDocuments {
		if p.Documents, err = s.db.FindProviderDocuments(r.Context(), sc, org.ID); err != nil {
			return nil, err
		}
	}
	if p.CanManageAccounts || sc.CanActForProvider(org.ID) {
		accts, _, err := s.db.FindAccounts(r.Context(), sc, anxin.AccountFilter{OrgID: org.ID, Limit: 100})
		if err != nil {
			return nil, err
		}
		p.Accounts = accts
	}
	if _, p.Items, err = s.db.FindItems(r.Context(), sc, anxin.ItemFilter{ProviderOrgID: org.ID, Limit: 1}); err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Server) getProvider(w http.ResponseWriter, r *http.Request) error {
	sc, org, prov, err := s.providerOf(r)
	if err != nil {
		return err
	}
	p, err := s.providerPage(r, sc, org, prov)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "provider", p)
	return nil
}

// refuseProvider shows the provider's page with the reason an action was
// refused.
func (s *Server) refuseProvider(w http.ResponseWriter, r *http.Request, sc anxin.Scope, org *anxin.Org, err error) error {
	if !showInForm(err) {
		return err
	}
	prov, ferr := s.db.FindProvider(r.Context(), sc, org.ID)
	if ferr != nil {
		return ferr
	}
	p, perr := s.providerPage(r, sc, org, prov)
	if perr != nil {
		return perr
	}
	p.Error = s.uploadMessage(p.Lang, err)
	s.render(w, r, ErrorStatus(err), "provider", p)
	return nil
}

func (s *Server) postProviderReview(w http.ResponseWriter, r *http.Request) error {
	sc, org, prov, err := s.providerOf(r)
	if err != nil {
		return err
	}
	decision, reason := r.PostFormValue("decision"), r.PostFormValue("reason")
	if err := s.reviewProvider(r, sc, prov, formVersion(r), decision, reason); err != nil {
		return s.refuseProvider(w, r, sc, org, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/providers/%d?flash=provider_%s", org.ID, decision), http.StatusSeeOther)
	return nil
}

// reviewProvider records a decision and audits it.
func (s *Server) reviewProvider(r *http.Request, sc anxin.Scope, prov *anxin.ProviderProfile, version int, decision, reason string) error {
	if err := s.db.ReviewProvider(r.Context(), sc, prov.OrgID, version, decision, reason); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditProviderReview, TargetType: "org", TargetID: strconv.FormatInt(prov.OrgID, 10),
		Detail: fmt.Sprintf("%s %q: %s (was %s)", prov.OrgKind, prov.OrgName, decision, prov.Status), Reason: strings.TrimSpace(reason)})
}

// applyProvider stores an application and audits it.
func (s *Server) applyProvider(r *http.Request, sc anxin.Scope, cur, next *anxin.ProviderProfile) error {
	if err := s.db.ApplyProvider(r.Context(), sc, next); err != nil {
		return err
	}
	d := auditDiff{fmt.Sprintf("%s %q; status %s→%s", next.OrgKind, next.OrgName, orNone(cur.Status), next.Status)}
	d.note("company", strconv.Quote(cur.Company), strconv.Quote(next.Company))
	d.note("licence", cur.LicenceNo, next.LicenceNo)
	d.note("categories", strings.Join(cur.Categories, ","), strings.Join(next.Categories, ","))
	d.note("area", cur.AreaCode, next.AreaCode)
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditProviderApply, TargetType: "org", TargetID: strconv.FormatInt(next.OrgID, 10), Detail: d.String()})
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// documentUploadMax caps a request carrying documents: three at the size
// limit, and the rest of the form.
const documentUploadMax = 3*anxin.MaxDocumentBytes + 1<<20

// parseDocumentForm limits the body and reads a multipart form; files
// over 1 MB go to temporary files, which the caller removes with
// r.MultipartForm.RemoveAll. A form that is not multipart is read as a
// plain form.
func parseDocumentForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, documentUploadMax)
	err := r.ParseMultipartForm(1 << 20)
	var tooLarge *http.MaxBytesError
	switch {
	case err == nil, errors.Is(err, http.ErrNotMultipart):
		return nil
	case errors.As(err, &tooLarge):
		return anxin.ErrorKey(anxin.EINVALID, "err.document_too_large", "The file is over the %d MB limit.", anxin.MaxDocumentBytes>>20)
	}
	return fmt.Errorf("%w: %v", anxin.ErrorKey(anxin.EINVALID, "err.import_form", "The upload was interrupted or is not a file form; try again."), err)
}

// uploadedDocuments reads the files of the form's "documents" field.
func uploadedDocuments(r *http.Request, orgID int64, kind string) ([]*anxin.ProviderDocument, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []*anxin.ProviderDocument
	for _, fh := range r.MultipartForm.File["documents"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the browser's empty file field
		}
		if fh.Size > anxin.MaxDocumentBytes {
			return nil, anxin.ErrorKey(anxin.EINVALID, "err.document_too_large", "The file is over the %d MB limit.", anxin.MaxDocumentBytes>>20)
		}
		data, err := readFileHeader(fh)
		if err != nil {
			return nil, err
		}
		out = append(out, &anxin.ProviderDocument{OrgID: orgID, Kind: kind, Filename: cleanFilename(fh.Filename), Data: data})
	}
	return out, nil
}

func readFileHeader(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, anxin.MaxDocumentBytes+1))
}

// addDocuments stores documents and audits each.
func (s *Server) addDocuments(r *http.Request, sc anxin.Scope, docs []*anxin.ProviderDocument) error {
	for _, d := range docs {
		if err := s.db.AddProviderDocument(r.Context(), sc, d); err != nil {
			return &fileError{d.Filename, err}
		}
		err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditDocumentUpload, TargetType: "provider_document", TargetID: strconv.FormatInt(d.ID, 10),
			Detail: fmt.Sprintf("org %d; %s %q; %s; %d bytes; sha256 %s", d.OrgID, d.Kind, d.Filename, d.ContentType, d.Size, d.SHA256)})
		if err != nil {
			return err
		}
	}
	return nil
}

// postProviderDocuments uploads documents from the provider's page. Like
// the roster import it is registered with handle: the body is limited and
// parsed first, then the same checks as page follow.
func (s *Server) postProviderDocuments(w http.ResponseWriter, r *http.Request) error {
	if accountFrom(r.Context()) == nil {
		return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_required", "Please sign in.")
	}
	formErr := parseDocumentForm(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	sc, org, _, err := s.providerOf(r)
	if err != nil {
		return err
	}
	if formErr != nil {
		// Nothing was read, the CSRF token included: say why, change nothing.
		return s.refuseProvider(w, r, sc, org, formErr)
	}
	if err := s.checkCSRF(r); err != nil {
		return err
	}
	docs, err := uploadedDocuments(r, org.ID, r.PostFormValue("kind"))
	if err == nil && len(docs) == 0 {
		err = anxin.ErrorKey(anxin.EINVALID, "err.document_none", "Choose a file to upload.")
	}
	if err == nil {
		err = s.addDocuments(r, sc, docs)
	}
	if err != nil {
		return s.refuseProvider(w, r, sc, org, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/providers/%d?flash=document_uploaded#documents", org.ID), http.StatusSeeOther)
	return nil
}

// getProviderDocument sends a document as an attachment, never shown in
// the browser, after auditing the download.
func (s *Server) getProviderDocument(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(r, "doc")
	if err != nil {
		return err
	}
	d, err := s.db.FindProviderDocument(r.Context(), sc, id, docID)
	if err != nil {
		return err
	}
	return s.sendDocument(w, r, d)
}

func (s *Server) sendDocument(w http.ResponseWriter, r *http.Request, d *anxin.ProviderDocument) error {
	err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditDocumentDownload, TargetType: "provider_document", TargetID: strconv.FormatInt(d.ID, 10),
		Detail: fmt.Sprintf("org %d; %s %q", d.OrgID, d.Kind, d.Filename)})
	if err != nil {
		return err // no audit, no document
	}
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Filename}))
	h.Set("Content-Length", strconv.FormatInt(d.Size, 10))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	w.Write(d.Data)
	return nil
}

func (s *Server) postProviderDocumentDelete(w http.ResponseWriter, r *http.Request) error {
	sc, org, _, err := s.providerOf(r)
	if err != nil {
		return err
	}
	docID, err := pathID(r, "doc")
	if err != nil {
		return err
	}
	d, err := s.db.FindProviderDocument(r.Context(), sc, org.ID, docID)
	if err != nil {
		return err
	}
	if err := s.db.DeleteProviderDocument(r.Context(), sc, org.ID, docID); err != nil {
		return s.refuseProvider(w, r, sc, org, err)
	}
	err = s.audit(r, &anxin.AuditEntry{Action: anxin.AuditDocumentDelete, TargetType: "provider_document", TargetID: strconv.FormatInt(d.ID, 10),
		Detail: fmt.Sprintf("org %d; %s %q; sha256 %s", d.OrgID, d.Kind, d.Filename, d.SHA256)})
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/providers/%d?flash=document_deleted#documents", org.ID), http.StatusSeeOther)
	return nil
}

// fileError names the uploaded file an error is about.
type fileError struct {
	name string
	err  error
}

func (e *fileError) Error() string { return e.name + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// uploadMessage translates err for the user, naming the file it is about.
func (s *Server) uploadMessage(lang string, err error) string {
	msg := s.msgs.userMessage(lang, err)
	var fe *fileError
	if errors.As(err, &fe) {
		return fe.name + " — " + msg
	}
	return msg
}

// KB shows a file size in kilobytes, at least 1.
func (v *catalogueView) KB(size int64) string {
	return v.T("providers.kb", max((size+1023)/1024, 1))
}
