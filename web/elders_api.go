package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
	"github.com/anxin-care/anxin/phone"
	"github.com/anxin-care/anxin/registry"
)

// Elder API (/api/v1/elders) and the checks the API and the form share.
// Phone and ID numbers leave masked unless the caller reveals them with a
// reason, which is audited; health and medication leave only under the
// consent and role rule of healthVisible.

func (s *Server) apiElders() {
	s.api("GET /api/v1/elders", s.apiListElders)
	s.api("GET /api/v1/elders/lookup", s.apiLookupElders)
	s.api("GET /api/v1/elders/{id}", s.apiGetElder)
	s.api("POST /api/v1/elders", s.apiCreateElder)
	s.api("PUT /api/v1/elders/{id}", s.apiPutElder)
}

// Details of the field problems the web package finds beyond
// registry.Normalize; problemText translates them.
const (
	detailNameTooLong  = "too long (at most 50 characters)"
	detailTextTooLong  = "too long (at most 2000 characters)"
	detailNeedsConsent = "health data needs the elder's health consent"
	detailHealthHidden = "health data is recorded and hidden from you, or your role may not record it"
	detailNotCommittee = "not the 12-digit code of a residents' or village committee"
)

// Limits of the elder's text fields, as anxin.Elder.Validate has them.
const (
	maxElderName = 50
	maxElderText = 2000
	maxPhones    = 10
)

// invalidFields is the EINVALID error of an elder with field problems; it
// lists every problem, not just the first.
type invalidFields struct{ errs []*registry.FieldError }

// Error implements the error interface.
func (e *invalidFields) Error() string { return registry.AsError(e.errs).Error() }

// Unwrap returns the EINVALID *anxin.Error, so ErrorCode sees the code.
func (e *invalidFields) Unwrap() error { return registry.AsError(e.errs) }

// fieldErrorsOf returns the field problems in err's chain, or nil.
func fieldErrorsOf(err error) *invalidFields {
	var fe *invalidFields
	if errors.As(err, &fe) {
		return fe
	}
	return nil
}

// saveElder checks and stores e: a new elder when cur is nil, else the
// new state of cur. sentHealth says whether the user sent health or
// medication text.
func (s *Server) saveElder(r *http.Request, sc anxin.Scope, e, cur *anxin.Elder, sentHealth bool) error {
	if !canEditElders(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.elder_edit_forbidden", "Your role cannot change the registry.")
	}
	vocab, err := s.db.Vocabulary(r.Context())
	if err != nil {
		return err
	}
	if errs := s.checkElder(r.Context(), sc, vocab, e, cur, sentHealth); len(errs) > 0 {
		return &invalidFields{errs}
	}
	if cur == nil {
		return s.db.CreateElder(r.Context(), sc, e)
	}
	return s.db.UpdateElder(r.Context(), sc, e)
}

// checkElder normalises e's numbers (masked numbers sent back unchanged
// keep cur's) and its tags and dialect (to their listed values), and
// returns every field problem: registry.Normalize's, the required fields,
// enumerations, the lists of tags and dialects, lengths and the health
// rule.
func (s *Server) checkElder(ctx context.Context, sc anxin.Scope, vocab *anxin.Vocabulary, e, cur *anxin.Elder, sentHealth bool) []*registry.FieldError {
	unmask(e, cur)
	errs := registry.Normalize(e)
	add := func(field, reason, value, detail string) {
		errs = append(errs, &registry.FieldError{Field: field, Reason: reason, Value: value, Detail: detail})
	}
	e.Name = strings.TrimSpace(e.Name)
	switch {
	case e.Name == "":
		add("name", registry.ReasonRequired, "", "")
	case utf8.RuneCountInString(e.Name) > maxElderName:
		add("name", registry.ReasonBadValue, truncate(e.Name, 100), detailNameTooLong)
	case !isPlainText(e.Name):
		add("name", registry.ReasonBadValue, e.Name, "control characters")
	}
	e.RegionCode = strings.TrimSpace(e.RegionCode)
	switch {
	case e.RegionCode == "":
		add("region_code", registry.ReasonRequired, "", "")
	case anxin.RegionLevel(e.RegionCode) != anxin.LevelCommittee:
		add("region_code", registry.ReasonUnknownRegion, truncate(e.RegionCode, 40), detailNotCommittee)
	default:
		if _, err := s.db.FindRegion(ctx, e.RegionCode); anxin.ErrorCode(err) == anxin.ENOTFOUND {
			add("region_code", registry.ReasonUnknownRegion, e.RegionCode, "no such committee")
		}
	}
	if e.Status == "" {
		e.Status = anxin.StatusActive
	}
	for _, en := range []struct {
		field, value string
		allowed      []string
	}{{"gender", e.Gender, elderGenders}, {"living", e.Living, elderLivings}, {"status", e.Status, elderStatuses}} {
		if en.value != "" && !slices.Contains(en.allowed, en.value) {
			add(en.field, registry.ReasonBadValue, truncate(en.value, 40), "unknown value")
		}
	}
	if e.BirthDate != "" {
		if _, err := time.Parse("2006-01-02", e.BirthDate); err != nil {
			add("birth_date", registry.ReasonBadDate, truncate(e.BirthDate, 40), "not YYYY-MM-DD")
		} else if e.BirthDate > s.cfg.Now().In(chinaTime).Format("2006-01-02") {
			add("birth_date", registry.ReasonFutureDate, e.BirthDate, "")
		}
	}
	errs = append(errs, checkElderLists(e)...)
	errs = append(errs, checkElderTerms(vocab, e, cur)...)
	for _, t := range []struct{ field, value string }{
		{"address", e.Address}, {"dialect", e.Dialect}, {"hearing", e.Hearing}, {"best_time", e.BestTime},
		{"health", e.Health}, {"medication", e.Medication}, {"notes", e.Notes}, {"tags", strings.Join(e.Tags, ",")},
	} {
		if utf8.RuneCountInString(t.value) > maxElderText {
			add(t.field, registry.ReasonBadValue, truncate(t.value, 100)+"…", detailTextTooLong)
		}
	}
	switch writable := healthWritable(sc, cur); {
	case !writable && sentHealth:
		add("health", registry.ReasonBadValue, "", detailHealthHidden)
	case writable && (e.Health != "" || e.Medication != "") && !e.HasConsent(anxin.ConsentHealth):
		add("health", registry.ReasonBadValue, "", detailNeedsConsent)
	}
	return errs
}

// checkElderLists checks the phones, contacts and consents.
func checkElderLists(e *anxin.Elder) []*registry.FieldError {
	var errs []*registry.FieldError
	add := func(field, reason, value, detail string) {
		errs = append(errs, &registry.FieldError{Field: field, Reason: reason, Value: value, Detail: detail})
	}
	if len(e.Phones) > maxPhones {
		add("phones", registry.ReasonBadValue, "", "at most 10 numbers")
	}
	for _, p := range e.Phones {
		if !slices.Contains(phoneLabels, p.Label) {
			add("phone_label", registry.ReasonBadValue, truncate(p.Label, 40), "unknown label")
		}
	}
	for _, c := range e.Contacts {
		switch {
		case strings.TrimSpace(c.Name) == "":
			add("contact_name", registry.ReasonRequired, "", "a contact needs a name")
		case utf8.RuneCountInString(c.Name) > maxElderName || utf8.RuneCountInString(c.Relation) > maxElderName:
			add("contact_name", registry.ReasonBadValue, truncate(c.Name, 100), detailNameTooLong)
		}
	}
	for _, c := range e.Consents {
		if !slices.Contains(consentKinds, c.Purpose) {
			add("consents", registry.ReasonBadValue, truncate(c.Purpose, 40), "unknown purpose")
		} else if utf8.RuneCountInString(c.Source) > maxElderName*4 {
			add("consents", registry.ReasonBadValue, truncate(c.Source, 100), "source too long (at most 200 characters)")
		}
	}
	return errs
}

// unmask puts back cur's numbers where e carries them masked, as the
// console's form and the API's responses show them.
func unmask(e, cur *anxin.Elder) {
	if cur == nil {
		return
	}
	var known []string
	for _, p := range cur.Phones {
		known = append(known, p.Number)
	}
	for _, c := range cur.Contacts {
		known = append(known, c.Phones...)
	}
	back := func(n string) string {
		n = strings.TrimSpace(n)
		if !strings.Contains(n, "*") {
			return n
		}
		for _, k := range known {
			if phone.Mask(k) == n {
				return k
			}
		}
		return n
	}
	for i := range e.Phones {
		e.Phones[i].Number = back(e.Phones[i].Number)
	}
	for i := range e.Contacts {
		for j := range e.Contacts[i].Phones {
			e.Contacts[i].Phones[j] = back(e.Contacts[i].Phones[j])
		}
	}
	if id := strings.TrimSpace(e.IDNumber); cur.IDNumber != "" && strings.Contains(id, "*") && id == idcard.Mask(cur.IDNumber) {
		e.IDNumber = cur.IDNumber
	}
}

// maskID masks an ID number, leaving "" alone.
func maskID(n string) string {
	if n == "" {
		return ""
	}
	return idcard.Mask(n)
}

// problemText translates one field problem for the user.
func problemText(p *Page, fe *registry.FieldError) string {
	var msg string
	switch fe.Detail {
	case detailNameTooLong:
		msg = p.T("elders.too_long", maxElderName)
	case detailTextTooLong:
		msg = p.T("elders.too_long", maxElderText)
	case detailNeedsConsent:
		msg = p.T("elders.health_needs_consent")
	case detailHealthHidden:
		msg = p.T("elders.health_not_writable")
	default:
		msg = p.T("reason." + fe.Reason)
	}
	if fe.Value != "" && (fe.Field == "phone" || fe.Field == "contact_phone" || fe.Field == "tags" || fe.Field == "dialect") {
		msg = p.T("elders.value_problem", fe.Value, msg)
	}
	return msg
}

// fieldLabel names a field for messages that list problems.
func fieldLabel(p *Page, field string) string {
	if m, ok := p.msgs.lookup(p.Lang, "elders.field."+field); ok {
		return m
	}
	return field
}

// fieldProblem is one entry of the fields list of a 400 answer.
type fieldProblem struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Value  string `json:"value"`
	Detail string `json:"detail,omitempty"`
}

// invalidResponse is the body of a 400 answer about an elder's fields.
type invalidResponse struct {
	Error  map[string]string `json:"error"`
	Fields []fieldProblem    `json:"fields"`
}

// writeFieldErrors answers 400 with every field problem: reason codes for
// programs, one translated message for people.
func (s *Server) writeFieldErrors(w http.ResponseWriter, r *http.Request, fe *invalidFields) {
	p := &Page{Lang: s.locale(r), msgs: s.msgs}
	resp := invalidResponse{Fields: []fieldProblem{}}
	var parts []string
	for _, e := range fe.errs {
		resp.Fields = append(resp.Fields, fieldProblem{Field: e.Field, Reason: e.Reason, Value: e.Value, Detail: e.Detail})
		parts = append(parts, p.T("elders.field_problem", fieldLabel(p, e.Field), problemText(p, e)))
	}
	resp.Error = map[string]string{"code": anxin.EINVALID, "message": strings.Join(parts, p.T("elders.problem_sep"))}
	writeJSON(w, http.StatusBadRequest, resp)
}

// apiListElders answers GET /api/v1/elders with the search and filters of
// the console page.
func (s *Server) apiListElders(w http.ResponseWriter, r *http.Request) error {
	sc, err := elderScopeOf(r)
	if err != nil {
		return err
	}
	_, f, err := parseElderQuery(r.URL.Query())
	if err != nil {
		return err
	}
	f.Offset, f.Limit = pageParams(r)
	elders, total, err := s.db.FindElders(r.Context(), sc, f)
	if err != nil {
		return err
	}
	writeList(w, shownElders(sc, elders), total, f.Offset, f.Limit)
	return nil
}

// apiGetElder answers GET /api/v1/elders/{id}, with full numbers when
// reveal=true and a reason is given (audited first).
func (s *Server) apiGetElder(w http.ResponseWriter, r *http.Request) error {
	sc, e, err := s.elderOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	reveal := formBool(q.Get("reveal"))
	if reveal {
		reason, err := revealReason(q.Get("reason"))
		if err != nil {
			return err
		}
		if err := s.auditReveal(r, e.ID, reason); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, shownElder(sc, e, reveal))
	return nil
}

func (s *Server) apiCreateElder(w http.ResponseWriter, r *http.Request) error {
	sc, err := elderScopeOf(r)
	if err != nil {
		return err
	}
	var in anxin.Elder
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	e := apiElder(&in, nil, healthWritable(sc, nil), s.cfg.Now())
	return s.apiSaveElder(w, r, sc, e, nil, in.Health+in.Medication != "", http.StatusCreated)
}

// apiPutElder replaces the editable fields of an elder. Numbers sent back
// masked, as GET shows them, keep their stored values.
func (s *Server) apiPutElder(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.elderOf(r)
	if err != nil {
		return err
	}
	var in anxin.Elder
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	e := apiElder(&in, cur, healthWritable(sc, cur), s.cfg.Now())
	return s.apiSaveElder(w, r, sc, e, cur, in.Health+in.Medication != "", http.StatusOK)
}

// apiSaveElder saves e and answers with the stored elder, masked.
func (s *Server) apiSaveElder(w http.ResponseWriter, r *http.Request, sc anxin.Scope, e, cur *anxin.Elder, sentHealth bool, status int) error {
	if err := s.saveElder(r, sc, e, cur, sentHealth); err != nil {
		if fe := fieldErrorsOf(err); fe != nil {
			s.writeFieldErrors(w, r, fe)
			return nil
		}
		return err
	}
	stored, err := s.db.FindElder(r.Context(), sc, e.ID)
	if err != nil {
		return err
	}
	writeJSON(w, status, shownElder(sc, stored, false))
	return nil
}

// apiElder takes the editable fields of in over cur (nil when creating).
// Health and medication are taken only when writable; a consent without a
// date is dated now, or keeps cur's date while unchanged.
func apiElder(in, cur *anxin.Elder, writable bool, now time.Time) *anxin.Elder {
	e := &anxin.Elder{}
	if cur != nil {
		*e = *cur
	}
	e.Name, e.Gender, e.BirthDate, e.IDNumber, e.Phones = in.Name, in.Gender, in.BirthDate, in.IDNumber, in.Phones
	e.RegionCode, e.Address, e.Living, e.Tags, e.Dialect = in.RegionCode, in.Address, in.Living, nonNilSlice(in.Tags), in.Dialect
	e.Hearing, e.BestTime, e.Contacts, e.Status, e.Notes = in.Hearing, in.BestTime, in.Contacts, in.Status, in.Notes
	if writable {
		e.Health, e.Medication = in.Health, in.Medication
	}
	e.Consents = nil
	for _, c := range in.Consents {
		if c.At.IsZero() {
			c.At = now
			if cur != nil {
				for _, old := range cur.Consents {
					if old.Purpose == c.Purpose && old.Given == c.Given {
						c.At = old.At
					}
				}
			}
		}
		e.Consents = append(e.Consents, c)
	}
	return e
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// lookupResponse is the body of GET /api/v1/elders/lookup.
type lookupResponse struct {
	Items      []*anxin.Elder `json:"items"`
	Candidates []string       `json:"candidates"`
}

// apiLookupElders answers the screen pop: the elders in scope who have the
// caller's number as their own or an emergency contact's. A local number
// takes the area code of the caller's organisation's city, or the area
// parameter when the organisation has no city (the platform).
func (s *Server) apiLookupElders(w http.ResponseWriter, r *http.Request) error {
	sc, err := elderScopeOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	raw := strings.TrimSpace(q.Get("phone"))
	if raw == "" || len(raw) > 64 {
		return anxin.ErrorKey(anxin.EINVALID, "err.lookup_phone", "Give the caller's number: phone=.")
	}
	cands := phone.Candidates(raw, callerArea(accountFrom(r.Context()), q.Get("area")))
	elders, err := s.db.LookupPhone(r.Context(), sc, cands...)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, lookupResponse{Items: shownElders(sc, elders), Candidates: nonNilSlice(cands)})
	return nil
}

// callerArea is the area code that completes a local caller number: the
// one of the account's organisation's city, else param when it looks like
// an area code ("021", "0510"), else "".
func callerArea(a *anxin.Account, param string) string {
	if a != nil && a.Org != nil {
		if ac := phone.AreaCode(a.Org.RegionCode); ac != "" {
			return ac
		}
	}
	param = strings.TrimSpace(param)
	if len(param) >= 3 && len(param) <= 4 && param[0] == '0' && strings.Trim(param, "0123456789") == "" {
		return param
	}
	return ""
}

// shownElders prepares elders for an API answer: masked, health by rule.
func shownElders(sc anxin.Scope, es []*anxin.Elder) []*anxin.Elder {
	out := make([]*anxin.Elder, 0, len(es))
	for _, e := range es {
		out = append(out, shownElder(sc, e, false))
	}
	return out
}

// shownElder returns a copy of e for the viewer: phone and ID numbers
// masked unless revealed, health and medication only when healthVisible.
func shownElder(sc anxin.Scope, e *anxin.Elder, reveal bool) *anxin.Elder {
	c := *e
	c.Tags = nonNilSlice(e.Tags)
	c.Phones = make([]anxin.Phone, len(e.Phones))
	copy(c.Phones, e.Phones)
	c.Contacts = make([]anxin.Contact, len(e.Contacts))
	for i, ct := range e.Contacts {
		ct.Phones = slices.Clone(nonNilSlice(ct.Phones))
		c.Contacts[i] = ct
	}
	c.Consents = nonNilSlice(e.Consents)
	if !reveal {
		c.IDNumber = maskID(c.IDNumber)
		for i := range c.Phones {
			c.Phones[i].Number = phone.Mask(c.Phones[i].Number)
		}
		for _, ct := range c.Contacts {
			for j := range ct.Phones {
				ct.Phones[j] = phone.Mask(ct.Phones[j])
			}
		}
	}
	if !healthVisible(sc, e) {
		c.Health, c.Medication = "", ""
	}
	return &c
}
