package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/anxin-care/anxin"
)

// The catalogue's categories and how each is dispatched
// (/catalogue/categories): platform administrators turn automatic dispatch
// on per category; everyone else sees the list. Changes are audited.

type categoriesPage struct {
	*catalogueView
	// CanEdit is true for platform administrators.
	CanEdit bool
}

func (s *Server) getCategories(w http.ResponseWriter, r *http.Request) error {
	sc, err := catalogueScopeOf(r)
	if err != nil {
		return err
	}
	v, err := s.catalogueView(r, "categories.title")
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "catalogue_categories", &categoriesPage{catalogueView: v, CanEdit: sc.All && sc.Has(anxin.RoleAdmin)})
	return nil
}

func (s *Server) postCategoryDispatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.setAutoDispatch(r, id, formBool(r.PostFormValue("auto")))
	if err != nil {
		return err
	}
	flash := "dispatch_manual"
	if c.AutoDispatch {
		flash = "dispatch_auto"
	}
	http.Redirect(w, r, fmt.Sprintf("/catalogue/categories?flash=%s#c%d", flash, c.ID), http.StatusSeeOther)
	return nil
}

// apiPatchCategory answers PATCH /api/v1/catalogue/categories/{id} with
// {"auto_dispatch": true|false}.
func (s *Server) apiPatchCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		AutoDispatch *bool `json:"auto_dispatch"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.AutoDispatch == nil {
		return anxin.Errorf(anxin.EINVALID, "auto_dispatch (true or false) is required")
	}
	c, err := s.setAutoDispatch(r, id, *req.AutoDispatch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// setAutoDispatch changes a category's dispatch and audits the change.
func (s *Server) setAutoDispatch(r *http.Request, id int64, on bool) (*anxin.Category, error) {
	c, err := s.db.SetAutoDispatch(r.Context(), scopeOf(r), id, on)
	if err != nil {
		return nil, err
	}
	mode := "manual"
	if on {
		mode = "auto"
	}
	err = s.audit(r, &anxin.AuditEntry{Action: anxin.AuditCategoryUpdate, TargetType: "catalogue_category",
		TargetID: strconv.FormatInt(id, 10), Detail: fmt.Sprintf("%s (%s): dispatch %s", c.Name, c.Code, mode)})
	return c, err
}
