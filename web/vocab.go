package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// Lists of tags and dialects (/admin/lists, /api/v1/vocab). Every
// administrator may look at them and every signed-in account may read them
// through the API; only the platform's administrators change them (the
// store refuses everyone else). Every change is audited.

func (s *Server) routesVocab() {
	s.page("GET /admin/lists", s.getVocab)
	s.page("POST /admin/lists", s.postTermNew)
	s.page("GET /admin/lists/{id}", s.getTerm)
	s.page("POST /admin/lists/{id}", s.postTerm)
	s.page("POST /admin/lists/{id}/move", s.postTermMove)
	s.page("POST /admin/lists/{id}/active", s.postTermActive)
	s.page("POST /admin/lists/{id}/delete", s.postTermDelete)
}

func (s *Server) apiVocab() {
	s.api("GET /api/v1/vocab", s.apiListTerms)
	s.api("POST /api/v1/vocab", s.apiCreateTerm)
	s.api("PATCH /api/v1/vocab/{id}", s.apiPatchTerm)
}

// parseAliases reads aliases typed into one field, separated by commas or
// any other separator of anxin.TermSeparators.
func parseAliases(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(anxin.TermSeparators, r) })
}

func termTarget(t *anxin.Term) string { return strconv.FormatInt(t.ID, 10) }

// createTerm stores a new term and audits it.
func (s *Server) createTerm(r *http.Request, sc anxin.Scope, t *anxin.Term) error {
	if err := s.db.CreateTerm(r.Context(), sc, t); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditVocabCreate, TargetType: "vocab", TargetID: termTarget(t),
		Detail: fmt.Sprintf("%s %q; aliases %q", t.Kind, t.Value, strings.Join(t.Aliases, ",")),
	})
}

// updateTerm saves next over cur and audits what changed, with the number
// of elders a rename rewrote.
func (s *Server) updateTerm(r *http.Request, sc anxin.Scope, cur, next *anxin.Term) error {
	renamed, err := s.db.UpdateTerm(r.Context(), sc, next)
	if err != nil {
		return err
	}
	d := auditDiff{cur.Kind + " " + strconv.Quote(cur.Value)}
	d.note("value", strconv.Quote(cur.Value), strconv.Quote(next.Value))
	d.note("aliases", strconv.Quote(strings.Join(cur.Aliases, ",")), strconv.Quote(strings.Join(next.Aliases, ",")))
	d.note("active", strconv.FormatBool(cur.Active), strconv.FormatBool(next.Active))
	if cur.Value != next.Value {
		d = append(d, fmt.Sprintf("%d elders renamed", renamed))
	}
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditVocabUpdate, TargetType: "vocab", TargetID: termTarget(next), Detail: d.String()})
}

// moveTerm moves t to position and audits it.
func (s *Server) moveTerm(r *http.Request, sc anxin.Scope, t *anxin.Term, position int) error {
	if err := s.db.MoveTerm(r.Context(), sc, t.ID, position); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditVocabUpdate, TargetType: "vocab", TargetID: termTarget(t),
		Detail: fmt.Sprintf("%s %q; position %d→%d", t.Kind, t.Value, t.Position, position),
	})
}

// vocabList is one list on the page with the add form under it.
type vocabList struct {
	Kind  string
	Terms []*anxin.Term
	// NewValue and NewAliases refill the add form when it was refused.
	NewValue, NewAliases string
	Error                string
}

type vocabPage struct {
	*Page
	Lists   []vocabList
	CanEdit bool
}

// vocabPage builds the page of both lists; a refused add comes back in
// its list with the typed values and the reason.
func (s *Server) vocabPage(r *http.Request, sc anxin.Scope, refused *anxin.Term, err error) (*vocabPage, error) {
	terms, ferr := s.db.FindTerms(r.Context(), "", true)
	if ferr != nil {
		return nil, ferr
	}
	p := &vocabPage{Page: s.newPage(r, "vocab.title"), CanEdit: sc.CanEditVocab()}
	for _, kind := range anxin.TermKinds {
		l := vocabList{Kind: kind}
		for _, t := range terms {
			if t.Kind == kind {
				l.Terms = append(l.Terms, t)
			}
		}
		if refused != nil && refused.Kind == kind {
			l.NewValue, l.NewAliases = refused.Value, strings.Join(refused.Aliases, ", ")
			l.Error = s.msgs.userMessage(p.Lang, err)
		}
		p.Lists = append(p.Lists, l)
	}
	return p, nil
}

func (s *Server) getVocab(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	p, err := s.vocabPage(r, sc, nil, nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "vocab", p)
	return nil
}

func (s *Server) postTermNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := adminScopeOf(r)
	if err != nil {
		return err
	}
	t := &anxin.Term{Kind: r.PostFormValue("kind"), Value: r.PostFormValue("value"), Aliases: parseAliases(r.PostFormValue("aliases"))}
	if err := s.createTerm(r, sc, t); err != nil {
		if !showInForm(err) || !slices.Contains(anxin.TermKinds, t.Kind) {
			return err
		}
		p, perr := s.vocabPage(r, sc, t, err)
		if perr != nil {
			return perr
		}
		s.render(w, r, ErrorStatus(err), "vocab", p)
		return nil
	}
	http.Redirect(w, r, "/admin/lists?flash=created#"+t.Kind, http.StatusSeeOther)
	return nil
}

// termOf loads the term named by the path for an administrator.
func (s *Server) termOf(r *http.Request) (anxin.Scope, *anxin.Term, error) {
	sc, err := adminScopeOf(r)
	if err != nil {
		return sc, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return sc, nil, err
	}
	t, err := s.db.FindTerm(r.Context(), id)
	return sc, t, err
}

type termFormPage struct {
	*Page
	Current *anxin.Term
	// Value and Aliases are what the form shows: stored, or as typed when
	// refused.
	Value, Aliases string
	// Uses is the number of elders who carry the term.
	Uses    int
	CanEdit bool
	Error   string
}

func (s *Server) termFormPage(r *http.Request, sc anxin.Scope, cur *anxin.Term, value, aliases string) (*termFormPage, error) {
	uses, err := s.db.CountTermUse(r.Context(), cur.ID)
	if err != nil {
		return nil, err
	}
	p := &termFormPage{Page: s.newPage(r, "vocab.edit_title"), Current: cur, Value: value, Aliases: aliases, Uses: uses, CanEdit: sc.CanEditVocab()}
	return p, nil
}

func (s *Server) getTerm(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.termOf(r)
	if err != nil {
		return err
	}
	p, err := s.termFormPage(r, sc, cur, cur.Value, strings.Join(cur.Aliases, ", "))
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "vocab_form", p)
	return nil
}

// refuseTermForm shows the edit form again with what was typed and why it
// was refused, or passes errors that are not the user's to fix on.
func (s *Server) refuseTermForm(w http.ResponseWriter, r *http.Request, sc anxin.Scope, cur *anxin.Term, value, aliases string, err error) error {
	if !showInForm(err) {
		return err
	}
	p, perr := s.termFormPage(r, sc, cur, value, aliases)
	if perr != nil {
		return perr
	}
	p.Error = s.msgs.userMessage(p.Lang, err)
	s.render(w, r, ErrorStatus(err), "vocab_form", p)
	return nil
}

func (s *Server) postTerm(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.termOf(r)
	if err != nil {
		return err
	}
	next := *cur
	next.Value, next.Aliases = r.PostFormValue("value"), parseAliases(r.PostFormValue("aliases"))
	if err := s.updateTerm(r, sc, cur, &next); err != nil {
		return s.refuseTermForm(w, r, sc, cur, r.PostFormValue("value"), r.PostFormValue("aliases"), err)
	}
	flash := "saved"
	if next.Value != cur.Value {
		flash = "term_renamed"
	}
	http.Redirect(w, r, "/admin/lists?flash="+flash+"#"+cur.Kind, http.StatusSeeOther)
	return nil
}

func (s *Server) postTermMove(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.termOf(r)
	if err != nil {
		return err
	}
	to, err := strconv.Atoi(r.PostFormValue("position"))
	if err != nil || to < 1 {
		return anxin.ErrorKey(anxin.EINVALID, "err.term_position", "The position must be a whole number from 1.")
	}
	if err := s.moveTerm(r, sc, cur, to); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/lists#"+cur.Kind, http.StatusSeeOther)
	return nil
}

func (s *Server) postTermActive(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.termOf(r)
	if err != nil {
		return err
	}
	next := *cur
	next.Active = formBool(r.PostFormValue("active"))
	if err := s.updateTerm(r, sc, cur, &next); err != nil {
		return err
	}
	flash := "term_activated"
	if !next.Active {
		flash = "term_deactivated"
	}
	http.Redirect(w, r, "/admin/lists?flash="+flash+"#"+cur.Kind, http.StatusSeeOther)
	return nil
}

func (s *Server) postTermDelete(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.termOf(r)
	if err != nil {
		return err
	}
	if err := s.db.DeleteTerm(r.Context(), sc, cur.ID); err != nil {
		return s.refuseTermForm(w, r, sc, cur, cur.Value, strings.Join(cur.Aliases, ", "), err)
	}
	err = s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditVocabDelete, TargetType: "vocab", TargetID: termTarget(cur),
		Detail: fmt.Sprintf("%s %q; aliases %q", cur.Kind, cur.Value, strings.Join(cur.Aliases, ",")),
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/lists?flash=term_deleted#"+cur.Kind, http.StatusSeeOther)
	return nil
}

// apiListTerms answers GET /api/v1/vocab?kind=tag|dialect&all=true: the
// list in order, active terms only unless all is set.
func (s *Server) apiListTerms(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "" && !slices.Contains(anxin.TermKinds, kind) {
		return anxin.ErrorKey(anxin.EINVALID, "err.term_kind", "Unknown list %q: tag or dialect.", kind)
	}
	terms, err := s.db.FindTerms(r.Context(), kind, formBool(q.Get("all")))
	if err != nil {
		return err
	}
	writeList(w, terms, len(terms), 0, len(terms))
	return nil
}

// termCreateRequest is the body of POST /api/v1/vocab.
type termCreateRequest struct {
	Kind    string   `json:"kind"`
	Value   string   `json:"value"`
	Aliases []string `json:"aliases"`
}

func (s *Server) apiCreateTerm(w http.ResponseWriter, r *http.Request) error {
	var req termCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t := &anxin.Term{Kind: req.Kind, Value: req.Value, Aliases: req.Aliases}
	if err := s.createTerm(r, scopeOf(r), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

// termPatchRequest is the body of PATCH /api/v1/vocab/{id}; absent fields
// keep their value.
type termPatchRequest struct {
	Value    *string   `json:"value"`
	Aliases  *[]string `json:"aliases"`
	Active   *bool     `json:"active"`
	Position *int      `json:"position"`
}

func (s *Server) apiPatchTerm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req termPatchRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc := scopeOf(r)
	if !sc.CanEditVocab() {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.vocab_admin_only", "Only administrators of the platform can change the lists of tags and dialects.")
	}
	if req.Position != nil && *req.Position < 1 {
		return anxin.ErrorKey(anxin.EINVALID, "err.term_position", "The position must be a whole number from 1.")
	}
	cur, err := s.db.FindTerm(r.Context(), id)
	if err != nil {
		return err
	}
	next := *cur
	if req.Value != nil {
		next.Value = *req.Value
	}
	if req.Aliases != nil {
		next.Aliases = *req.Aliases
	}
	if req.Active != nil {
		next.Active = *req.Active
	}
	if next.Value != cur.Value || !slices.Equal(next.Aliases, cur.Aliases) || next.Active != cur.Active {
		if err := s.updateTerm(r, sc, cur, &next); err != nil {
			return err
		}
	}
	if req.Position != nil && *req.Position != cur.Position {
		if err := s.moveTerm(r, sc, &next, *req.Position); err != nil {
			return err
		}
	}
	stored, err := s.db.FindTerm(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, stored)
	return nil
}
