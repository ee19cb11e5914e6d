package web

import (
	"net/http"
	"strings"

	"github.com/anxin-care/anxin"
)

// apiListProviders answers GET /api/v1/providers?kind=&status=&category=&q=.
func (s *Server) apiListProviders(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := anxin.ProviderFilter{Kind: q.Get("kind"), Status: q.Get("status"), Category: q.Get("category"), Query: strings.TrimSpace(q.Get("q"))}
	f.Offset, f.Limit = pageParams(r)
	list, total, err := s.db.FindProviders(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, list, total, f.Offset, f.Limit)
	return nil
}

func (s *Server) apiGetProvider(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.db.FindProvider(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

// providerApplyRequest is the body of POST /api/v1/providers: an
// application for the organisation org_id (the caller's own for a
// provider's staff). version, when not 0, must be the stored version.
type providerApplyRequest struct {
	OrgID        int64    `json:"org_id"`
	Company      string   `json:"company"`
	LicenceNo    string   `json:"licence_no"`
	Categories   []string `json:"categories"`
	AreaCode     string   `json:"area_code"`
	ContactName  string   `json:"contact_name"`
	ContactPhone string   `json:"contact_phone"`
	Version      int      `json:"version"`
}

func (s *Server) apiApplyProvider(w http.ResponseWriter, r *http.Request) error {
	var req providerApplyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc := scopeOf(r)
	if req.OrgID == 0 && sc.AssignedOnly {
		req.OrgID = sc.OrgID
	}
	cur, err := s.db.FindProvider(r.Context(), sc, req.OrgID)
	if err != nil {
		return err
	}
	next := &anxin.ProviderProfile{OrgID: req.OrgID, Company: req.Company, LicenceNo: req.LicenceNo, Categories: req.Categories,
		AreaCode: strings.TrimSpace(req.AreaCode), ContactName: req.ContactName, ContactPhone: req.ContactPhone, Version: req.Version}
	if err := s.applyProvider(r, sc, cur, next); err != nil {
		return err
	}
	stored, err := s.db.FindProvider(r.Context(), sc, req.OrgID)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if cur.Status == "" {
		status = http.StatusCreated
	}
	writeJSON(w, status, stored)
	return nil
}

// providerReviewRequest is the body of POST /api/v1/providers/{id}/review.
type providerReviewRequest struct {
	Version  int    `json:"version"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

func (s *Server) apiReviewProvider(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req providerReviewRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc := scopeOf(r)
	cur, err := s.db.FindProvider(r.Context(), sc, id)
	if err != nil {
		return err
	}
	if err := s.reviewProvider(r, sc, cur, req.Version, req.Decision, req.Reason); err != nil {
		return err
	}
	stored, err := s.db.FindProvider(r.Context(), sc, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stored)
	return nil
}

func (s *Server) apiListDocuments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	docs, err := s.db.FindProviderDocuments(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	writeList(w, docs, len(docs), 0, len(docs))
	return nil
}

// apiUploadDocument answers POST /api/v1/providers/{id}/documents, a
// multipart form with the file in "documents" (or "file") and its kind.
func (s *Server) apiUploadDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := parseDocumentForm(w, r); err != nil {
		return err
	}
	if r.MultipartForm == nil {
		return anxin.ErrorKey(anxin.EINVALID, "err.document_none", "Choose a file to upload.")
	}
	defer r.MultipartForm.RemoveAll()
	if fs := r.MultipartForm.File["file"]; len(fs) > 0 {
		r.MultipartForm.File["documents"] = append(r.MultipartForm.File["documents"], fs...)
	}
	docs, err := uploadedDocuments(r, id, r.PostFormValue("kind"))
	if err != nil {
		return err
	}
	if len(docs) != 1 {
		return anxin.ErrorKey(anxin.EINVALID, "err.document_none", "Choose a file to upload.")
	}
	if err := s.addDocuments(r, scopeOf(r), docs); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, docs[0])
	return nil
}

func (s *Server) apiGetDocument(w http.ResponseWriter, r *http.Request) error {
	return s.getProviderDocument(w, r)
}
