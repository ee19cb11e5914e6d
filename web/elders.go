package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
)

// Elder registry pages (/elders): the operator's search, the profile with
// masked numbers and an audited reveal (elder_view.go), and the form that
// creates and edits an elder. The store decides which elders a scope sees;
// accounts that see only what is assigned to them are refused outright.

func (s *Server) routesElders() {
	s.page("GET /elders", s.getElders)
	s.page("GET /elders/new", s.getElderNew)
	s.page("GET /elders/export", s.getEldersExport)
	s.page("POST /elders", s.postElderNew)
	s.page("GET /elders/{id}", s.getElder)
	s.page("POST /elders/{id}", s.postElder)
	s.page("GET /elders/{id}/edit", s.getElderEdit)
	s.page("POST /elders/{id}/reveal", s.postElderReveal)
}

// Choices offered by the search filters and the form, in display order.
var (
	elderGenders  = []string{anxin.GenderFemale, anxin.GenderMale}
	elderLivings  = []string{anxin.LivingAlone, anxin.LivingEldersOnly, anxin.LivingFamily}
	elderStatuses = []string{anxin.StatusActive, anxin.StatusInHospital, anxin.StatusCareHome, anxin.StatusMovedAway, anxin.StatusDeceased}
	phoneLabels   = []string{anxin.PhoneLandline, anxin.PhoneMobile, anxin.PhoneChild, anxin.PhoneNeighbour, anxin.PhoneOther}
	consentKinds  = []string{anxin.ConsentCheckIn, anxin.ConsentHealth, anxin.ConsentRecording}
	elderSorts    = []string{"", "age", "updated"}
)

// elderScopeOf returns the request's scope, or EFORBIDDEN for suppliers,
// providers and volunteer teams: they reach elders only through what is
// assigned to them, never through the registry.
func elderScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if sc.AssignedOnly && !sc.All {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.elders_forbidden", "Your organisation sees only what is assigned to it, not the elder registry.")
	}
	return sc, nil
}

// canEditElders mirrors the store's rule of who maintains the registry, so
// that pages offer only what the store will accept.
func canEditElders(sc anxin.Scope) bool {
	return sc.Has(anxin.RoleAdmin) || sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleBackOffice) ||
		sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleCommunity)
}

// ageOn returns the age in whole years on now's date in China of someone
// born on birth (YYYY-MM-DD), or -1 when the birth date is unknown.
func ageOn(birth string, now time.Time) int {
	b, err := time.Parse("2006-01-02", birth)
	if err != nil {
		return -1
	}
	n := now.In(chinaTime)
	age := n.Year() - b.Year()
	if n.Month() < b.Month() || n.Month() == b.Month() && n.Day() < b.Day() {
		age--
	}
	return age
}

// elderQuery is the search as typed, to refill the form and build links.
type elderQuery struct {
	Q, Within, Tag, Living, Status, Dialect string
	MinAge, MaxAge, NotContacted, Sort      string
}

// filtered reports whether any filter beyond the search box is set.
func (q elderQuery) filtered() bool {
	return q.Within != "" || q.Tag != "" || q.Living != "" || q.Status != "" || q.Dialect != "" ||
		q.MinAge != "" || q.MaxAge != "" || q.NotContacted != "" || q.Sort != ""
}

// parseElderQuery reads the search and its filters from a query string
// (the page and the API share the names) and checks them.
func parseElderQuery(v url.Values) (elderQuery, anxin.ElderFilter, error) {
	q := elderQuery{
		Q: strings.TrimSpace(v.Get("q")), Within: strings.TrimSpace(v.Get("within")), Tag: strings.TrimSpace(v.Get("tag")),
		Living: v.Get("living"), Status: v.Get("status"), Dialect: strings.TrimSpace(v.Get("dialect")),
		MinAge: strings.TrimSpace(v.Get("min_age")), MaxAge: strings.TrimSpace(v.Get("max_age")),
		NotContacted: strings.TrimSpace(v.Get("not_contacted_days")), Sort: v.Get("sort"),
	}
	f := anxin.ElderFilter{Query: q.Q, Within: q.Within, Living: q.Living, Status: q.Status, Dialect: q.Dialect, Sort: q.Sort}
	f.Tags = splitTags(q.Tag)
	switch {
	case utf8.RuneCountInString(q.Q) > 100 || !isPlainText(q.Q) || !isPlainText(q.Tag) || !isPlainText(q.Dialect):
		return q, f, anxin.ErrorKey(anxin.EINVALID, "err.elder_query", "The search text is too long or has control characters.")
	case q.Within != "" && anxin.RegionLevel(q.Within) == 0:
		return q, f, anxin.ErrorKey(anxin.EINVALID, "err.elder_within", "The region must be a division code (4, 6, 9 or 12 digits).")
	case q.Living != "" && !slices.Contains(elderLivings, q.Living),
		q.Status != "" && !slices.Contains(elderStatuses, q.Status),
		!slices.Contains(elderSorts, q.Sort) && q.Sort != "name":
		return q, f, anxin.ErrorKey(anxin.EINVALID, "err.elder_filter", "Unknown living arrangement, status or sort order.")
	}
	var err error
	for _, n := range []struct {
		text string
		dst  *int
	}{{q.MinAge, &f.MinAge}, {q.MaxAge, &f.MaxAge}, {q.NotContacted, &f.NotContactedFor}} {
		if n.text == "" {
			continue
		}
		if *n.dst, err = strconv.Atoi(n.text); err != nil || *n.dst < 0 || *n.dst > 150*366 {
			return q, f, anxin.ErrorKey(anxin.EINVALID, "err.elder_number", "Ages and days must be whole numbers.")
		}
	}
	return q, f, nil
}

// splitTags reads tags separated by commas (ASCII or Chinese) or 、,
// without blanks or repeats.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// elderRow is one line of the search results.
type elderRow struct {
	Href, Name, Gender string
	Age                int    // -1 when the birth date is unknown
	Committee          string // street and committee
	CommitteeFull      string
	Phone              string // the first number, masked
	Living, Status     string
	Tags               []string
	Active             bool // callable
	AtRisk             bool // not reached for anxin.AtRiskDays
}

type eldersPage struct {
	*Page
	Query     elderQuery
	Filtered  bool
	Livings   []string
	Statuses  []string
	Rows      []elderRow
	Pager     listPager
	Error     string
	CanCreate bool
	// TagFilter and DialectFilter are the filters' choices from the lists.
	TagFilter, DialectFilter termFilter
}

// getElders is the operator's search: one box, optional filters, a page
// of results that the keyboard can walk (static/anxin.js).
func (s *Server) getElders(w http.ResponseWriter, r *http.Request) error {
	sc, err := elderScopeOf(r)
	if err != nil {
		return err
	}
	p := &eldersPage{Page: s.newPage(r, "elders.title"), Livings: elderLivings, Statuses: elderStatuses, CanCreate: canEditElders(sc)}
	vocab, err := s.db.Vocabulary(r.Context())
	if err != nil {
		return err
	}
	q, f, err := parseElderQuery(r.URL.Query())
	p.Query, p.Filtered = q, q.filtered()
	p.TagFilter = newTermFilter(p.Page, vocab, anxin.TermTag, q.Tag)
	p.DialectFilter = newTermFilter(p.Page, vocab, anxin.TermDialect, q.Dialect)
	if err != nil {
		if !showInForm(err) {
			return err
		}
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "elders", p)
		return nil
	}
	f.Offset, f.Limit = pageParams(r)
	elders, total, err := s.db.FindElders(r.Context(), sc, f)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, e := range elders {
		p.Rows = append(p.Rows, s.elderRow(p.Page, e, now))
	}
	p.Pager = newListPager(r.URL, len(elders), total, f.Offset, f.Limit)
	s.render(w, r, http.StatusOK, "elders", p)
	return nil
}

func (s *Server) elderRow(p *Page, e *anxin.Elder, now time.Time) elderRow {
	row := elderRow{
		Href: fmt.Sprintf("/elders/%d", e.ID), Name: e.Name, Age: ageOn(e.BirthDate, now),
		Committee: shortRegion(e.RegionName), CommitteeFull: e.RegionName, Tags: e.Tags, Status: p.T("elders.status." + e.Status), Active: e.Callable(),
		AtRisk: e.AtRisk(now),
	}
	if e.Gender != "" {
		row.Gender = p.T("elders.gender." + e.Gender)
	}
	if e.Living != "" {
		row.Living = p.T("elders.living." + e.Living)
	}
	if len(e.Phones) > 0 {
		row.Phone = phone.Mask(e.Phones[0].Number)
	}
	return row
}

// shortRegion keeps the last two parts of a region's full name, the street
// and the committee ("曹杨新村街道 源园居委会"), for narrow columns.
func shortRegion(full string) string {
	parts := strings.Fields(full)
	if len(parts) <= 2 {
		return full
	}
	return strings.Join(parts[len(parts)-2:], " ")
}

// dateRe matches the ways people type a date: 1942-03-05, 1942/3/5,
// 1942.3.5, 1942年3月5日, 19420305.
var dateRe = regexp.MustCompile(`^(\d{4})(?:[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?|(\d{2})(\d{2}))$`)

// normaliseDate turns a date as typed into YYYY-MM-DD, leaving anything
// else as it is for the checks to report.
func normaliseDate(s string) string {
	m := dateRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return s
	}
	month, day := m[2], m[3]
	if month == "" {
		month, day = m[4], m[5]
	}
	mo, _ := strconv.Atoi(month)
	d, _ := strconv.Atoi(day)
	return fmt.Sprintf("%s-%02d-%02d", m[1], mo, d)
}

// phoneField is one phone row of the form.
type phoneField struct{ Number, Label string }

// consentField is one consent checkbox of the form.
type consentField struct {
	Purpose string
	Given   bool
	Source  string
	At      time.Time
}

// elderForm holds the form's values as typed, so a refused form comes
// back exactly as the user left it. Numbers of a stored elder appear
// masked; a masked number sent back unchanged keeps the stored one.
type elderForm struct {
	Name, Gender, BirthDate, IDNumber string
	RegionCode, Address, Living       string
	Dialect, Hearing, BestTime        string
	Status, Notes, Health, Medication string
	Tags                              []string
	Phones                            []phoneField
	Consents                          []consentField
	// The first emergency contact and its first number.
	ContactName, ContactRelation, ContactPhone string
}

// minPhoneRows is the number of phone rows the form always offers;
// maxFormPhones bounds the rows read from a post.
const (
	minPhoneRows  = 3
	maxFormPhones = 20
)

// formFromElder fills the form from a stored elder, numbers masked and
// health only when the viewer may see it.
func formFromElder(e *anxin.Elder, showHealth bool) *elderForm {
	f := &elderForm{
		Name: e.Name, Gender: e.Gender, BirthDate: e.BirthDate, IDNumber: maskID(e.IDNumber), RegionCode: e.RegionCode,
		Address: e.Address, Living: e.Living, Tags: slices.Clone(e.Tags), Dialect: e.Dialect, Hearing: e.Hearing,
		BestTime: e.BestTime, Status: e.Status, Notes: e.Notes,
	}
	if showHealth {
		f.Health, f.Medication = e.Health, e.Medication
	}
	for _, p := range e.Phones {
		f.Phones = append(f.Phones, phoneField{phone.Mask(p.Number), p.Label})
	}
	if len(e.Contacts) > 0 {
		c := e.Contacts[0]
		f.ContactName, f.ContactRelation = c.Name, c.Relation
		if len(c.Phones) > 0 {
			f.ContactPhone = phone.Mask(c.Phones[0])
		}
	}
	for _, purpose := range consentKinds {
		cf := consentField{Purpose: purpose}
		for _, c := range e.Consents {
			if c.Purpose == purpose {
				cf.Given, cf.Source, cf.At = c.Given, c.Source, c.At
			}
		}
		f.Consents = append(f.Consents, cf)
	}
	f.padPhones()
	return f
}

// padPhones makes sure the form offers at least minPhoneRows rows.
func (f *elderForm) padPhones() {
	for len(f.Phones) < minPhoneRows {
		f.Phones = append(f.Phones, phoneField{Label: ""})
	}
}

// readElderForm reads the posted form.
func readElderForm(r *http.Request) *elderForm {
	v := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	f := &elderForm{
		Name: v("name"), Gender: v("gender"), BirthDate: normaliseDate(v("birth_date")), IDNumber: v("id_number"), RegionCode: v("region_code"),
		Address: v("address"), Living: v("living"), Dialect: v("dialect"), Hearing: v("hearing"),
		BestTime: v("best_time"), Status: v("status"), Notes: v("notes"), Health: v("health"), Medication: v("medication"),
		ContactName: v("contact_name"), ContactRelation: v("contact_relation"), ContactPhone: v("contact_phone"),
	}
	// One checkbox per tag; a client may also send them in one field,
	// separated by commas.
	for _, t := range r.PostForm["tags"] {
		for _, tag := range splitTags(t) {
			if !slices.Contains(f.Tags, tag) {
				f.Tags = append(f.Tags, tag)
			}
		}
	}
	numbers, labels := r.PostForm["phone"], r.PostForm["phone_label"]
	for i := range min(len(numbers), maxFormPhones) {
		label := ""
		if i < len(labels) {
			label = labels[i]
		}
		f.Phones = append(f.Phones, phoneField{strings.TrimSpace(numbers[i]), label})
	}
	for _, purpose := range consentKinds {
		f.Consents = append(f.Consents, consentField{
			Purpose: purpose, Given: formBool(r.PostFormValue("consent_" + purpose)), Source: v("consent_" + purpose + "_source"),
		})
	}
	f.padPhones()
	return f
}

// elder builds the elder the form describes over cur (nil when creating):
// what the form does not show (further contacts, health the viewer may not
// see) is kept from cur. Numbers are not yet normalised.
func (f *elderForm) elder(cur *anxin.Elder, healthWritable bool, now time.Time) *anxin.Elder {
	e := &anxin.Elder{}
	if cur != nil {
		*e = *cur
	}
	e.Name, e.Gender, e.BirthDate, e.IDNumber, e.RegionCode = f.Name, f.Gender, f.BirthDate, f.IDNumber, f.RegionCode
	e.Address, e.Living, e.Tags, e.Dialect, e.Hearing = f.Address, f.Living, slices.Clone(f.Tags), f.Dialect, f.Hearing
	e.BestTime, e.Status, e.Notes = f.BestTime, f.Status, f.Notes
	if healthWritable {
		e.Health, e.Medication = f.Health, f.Medication
	}
	e.Phones = nil
	for _, p := range f.Phones {
		if p.Number != "" {
			e.Phones = append(e.Phones, anxin.Phone{Number: p.Number, Label: p.Label})
		}
	}
	var rest []anxin.Contact
	var morePhones []string
	if cur != nil && len(cur.Contacts) > 0 {
		rest = cur.Contacts[1:]
		if len(cur.Contacts[0].Phones) > 1 {
			morePhones = cur.Contacts[0].Phones[1:]
		}
	}
	e.Contacts = nil
	if f.ContactName != "" || f.ContactRelation != "" || f.ContactPhone != "" {
		c := anxin.Contact{Name: f.ContactName, Relation: f.ContactRelation}
		if f.ContactPhone != "" {
			c.Phones = append(c.Phones, f.ContactPhone)
		}
		c.Phones = append(c.Phones, morePhones...)
		e.Contacts = append(e.Contacts, c)
	}
	e.Contacts = append(e.Contacts, rest...)
	e.Consents = mergeConsents(cur, f.Consents, now)
	return e
}

// mergeConsents applies the form's checkboxes to the stored consents: a
// consent keeps its date while unchanged, a new or withdrawn one is dated
// now, and an unticked purpose never given is left out.
func mergeConsents(cur *anxin.Elder, form []consentField, now time.Time) []anxin.Consent {
	var out []anxin.Consent
	for _, f := range form {
		var old *anxin.Consent
		if cur != nil {
			for i := range cur.Consents {
				if cur.Consents[i].Purpose == f.Purpose {
					old = &cur.Consents[i]
				}
			}
		}
		switch {
		case old != nil && old.Given == f.Given:
			out = append(out, anxin.Consent{Purpose: f.Purpose, Given: f.Given, At: old.At, Source: f.Source})
		case f.Given || old != nil:
			out = append(out, anxin.Consent{Purpose: f.Purpose, Given: f.Given, At: now, Source: f.Source})
		}
	}
	return out
}

type elderFormPage struct {
	*Page
	Form *elderForm
	// Current is the stored elder when editing, nil when creating.
	Current    *anxin.Elder
	Genders    []string
	Livings    []string
	Statuses   []string
	Labels     []string
	ShowHealth bool // the health fields are offered
	HealthKept bool // health is recorded but hidden from the viewer; it is kept
	// Tags are the checkboxes and Dialects the options of the lists, with
	// the form's values that the lists no longer offer.
	Tags, Dialects []termChoice
	Error          string
	FieldErrors    map[string]string
}

// elderFormPage builds the form page for a new (cur nil) or stored elder.
func (s *Server) elderFormPage(r *http.Request, sc anxin.Scope, f *elderForm, cur *anxin.Elder) (*elderFormPage, error) {
	vocab, err := s.db.Vocabulary(r.Context())
	if err != nil {
		return nil, err
	}
	title := "elders.new_title"
	if cur != nil {
		title = "elders.edit_title"
	}
	p := &elderFormPage{
		Page: s.newPage(r, title), Form: f, Current: cur, Genders: elderGenders, Livings: elderLivings,
		Statuses: elderStatuses, Labels: phoneLabels, ShowHealth: healthWritable(sc, cur),
	}
	p.HealthKept = !p.ShowHealth && cur != nil && (cur.Health != "" || cur.Medication != "")
	p.Tags = termChoices(p.Page, vocab, anxin.TermTag, f.Tags)
	p.Dialects = termChoices(p.Page, vocab, anxin.TermDialect, []string{f.Dialect})
	return p, nil
}

// FieldError returns the translated problems of one form field, or "".
func (p *elderFormPage) FieldError(field string) string { return p.FieldErrors[field] }

func (s *Server) getElderNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := elderScopeOf(r)
	if err != nil {
		return err
	}
	if !canEditElders(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.elder_edit_forbidden", "Your role cannot change the registry.")
	}
	f := formFromElder(&anxin.Elder{Status: anxin.StatusActive}, false)
	if a := accountFrom(r.Context()); a.Org != nil && a.Org.Kind == anxin.OrgCommittee {
		f.RegionCode = a.Org.RegionCode
	}
	p, err := s.elderFormPage(r, sc, f, nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "elder_form", p)
	return nil
}

func (s *Server) postElderNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := elderScopeOf(r)
	if err != nil {
		return err
	}
	f := readElderForm(r)
	e := f.elder(nil, healthWritable(sc, nil), s.cfg.Now())
	if err := s.saveElder(r, sc, e, nil, f.Health+f.Medication != ""); err != nil {
		return s.refuseElderForm(w, r, sc, f, nil, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/elders/%d?flash=created", e.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) getElderEdit(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.elderOf(r)
	if err != nil {
		return err
	}
	if !canEditElders(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.elder_edit_forbidden", "Your role cannot change the registry.")
	}
	f := formFromElder(cur, healthVisible(sc, cur))
	p, err := s.elderFormPage(r, sc, f, cur)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "elder_form", p)
	return nil
}

func (s *Server) postElder(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.elderOf(r)
	if err != nil {
		return err
	}
	f := readElderForm(r)
	e := f.elder(cur, healthWritable(sc, cur), s.cfg.Now())
	if err := s.saveElder(r, sc, e, cur, f.Health+f.Medication != ""); err != nil {
		return s.refuseElderForm(w, r, sc, f, cur, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/elders/%d?flash=saved", e.ID), http.StatusSeeOther)
	return nil
}

// elderOf loads the elder named by the path in the request's scope.
func (s *Server) elderOf(r *http.Request) (anxin.Scope, *anxin.Elder, error) {
	sc, err := elderScopeOf(r)
	if err != nil {
		return sc, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return sc, nil, err
	}
	e, err := s.db.FindElder(r.Context(), sc, id)
	return sc, e, err
}

// refuseElderForm shows the form again with the user's input, each field's
// problems and the reason it was refused, or passes errors that are not
// the user's to fix on.
func (s *Server) refuseElderForm(w http.ResponseWriter, r *http.Request, sc anxin.Scope, f *elderForm, cur *anxin.Elder, err error) error {
	if !showInForm(err) {
		return err
	}
	p, perr := s.elderFormPage(r, sc, f, cur)
	if perr != nil {
		return perr
	}
	if fe := fieldErrorsOf(err); fe != nil {
		p.FieldErrors = map[string]string{}
		for _, e := range fe.errs {
			msg := problemText(p.Page, e)
			if old := p.FieldErrors[e.Field]; old != "" {
				msg = old + "；" + msg
			}
			p.FieldErrors[e.Field] = msg
		}
		p.Error = p.T("elders.fix_fields", len(fe.errs))
	} else {
		p.Error = s.msgs.userMessage(p.Lang, err)
	}
	s.render(w, r, ErrorStatus(err), "elder_form", p)
	return nil
}
