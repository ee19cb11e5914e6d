package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/workcal"
)

// The work orders' SLA policies (/admin/sla, /api/v1/sla-policies): how
// long each step may take per order type and urgency, as budgets in their
// text form ("4h", "2d", "1d4h"). Every administrator may read them; only
// the platform's administrators change them or restore a default (the
// store refuses everyone else). Every change is audited. An edit counts for
// deadlines set from then on; running deadlines keep their times.

func (s *Server) routesSLA() {
	s.page("GET /admin/sla", s.getSLA)
	s.page("POST /admin/sla/{type}/{urgency}", s.postSLA)
	s.page("POST /admin/sla/{type}/{urgency}/reset", s.postSLAReset)
	s.api("GET /api/v1/sla-policies", s.apiListSLA)
	s.api("PUT /api/v1/sla-policies/{type}/{urgency}", s.apiPutSLA)
	s.api("DELETE /api/v1/sla-policies/{type}/{urgency}", s.apiDeleteSLA)
}

// canEditSLA reports whether the scope may change the policies, as the
// store decides.
func canEditSLA(sc anxin.Scope) bool { return sc.All && sc.Has(anxin.RoleAdmin) }

func errSLAAdminOnly() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.sla_admin_only", "Only the platform's administrators change the SLA policies.")
}

// slaPolicyOf returns the policy the path names, or ENOTFOUND.
func (s *Server) slaPolicyOf(r *http.Request) (store.SLAPolicy, error) {
	return s.db.SLAPolicy(r.Context(), r.PathValue("type"), r.PathValue("urgency"))
}

// slaTarget names a policy in the audit log: "service/normal".
func slaTarget(p sla.Policy) string { return p.Type + "/" + p.Urgency }

// slaInput is a policy as typed: budgets in text form by clock name.
type slaInput struct {
	Budgets       map[string]string
	RoundTheClock bool
}

// parse reads the budgets over cur's type and urgency. label names a
// clock's field in errors; bad is the clock whose text was refused.
func (in slaInput) parse(cur sla.Policy, label func(clock string) string) (p sla.Policy, bad string, err error) {
	p = sla.Policy{Type: cur.Type, Urgency: cur.Urgency, RoundTheClock: in.RoundTheClock}
	for _, clock := range sla.Clocks {
		text := in.Budgets[clock]
		b, err := workcal.ParseBudget(text)
		if err != nil {
			return p, clock, store.SLABudgetError(label(clock), text, err)
		}
		*p.Budget(clock) = b
	}
	return p, "", nil
}

// saveSLA stores next over cur and audits what changed; it reports false
// when nothing did.
func (s *Server) saveSLA(r *http.Request, sc anxin.Scope, cur store.SLAPolicy, next sla.Policy) (bool, error) {
	if !canEditSLA(sc) {
		return false, errSLAAdminOnly()
	}
	if next == cur.Policy {
		return false, nil
	}
	if err := s.db.SetSLAPolicy(r.Context(), sc, next); err != nil {
		return false, err
	}
	return true, s.audit(r, &anxin.AuditEntry{Action: anxin.AuditSLAUpdate, TargetType: "sla_policy", TargetID: slaTarget(next),
		Detail: slaDiff(cur.Policy, next).String()})
}

// resetSLA restores the default of cur and audits it; it reports false
// when cur was the default already.
func (s *Server) resetSLA(r *http.Request, sc anxin.Scope, cur store.SLAPolicy) (bool, error) {
	if !canEditSLA(sc) {
		return false, errSLAAdminOnly()
	}
	if !cur.Custom {
		return false, nil
	}
	if err := s.db.ResetSLAPolicy(r.Context(), sc, cur.Type, cur.Urgency); err != nil {
		return false, err
	}
	return true, s.audit(r, &anxin.AuditEntry{Action: anxin.AuditSLAReset, TargetType: "sla_policy", TargetID: slaTarget(cur.Policy),
		Detail: slaDiff(cur.Policy, cur.Default).String()})
}

// slaDiff lists the budgets that differ, "accept 4h→2h", with "none" for
// no clock.
func slaDiff(was, now sla.Policy) auditDiff {
	var d auditDiff
	text := func(b workcal.Budget) string {
		if b == (workcal.Budget{}) {
			return "none"
		}
		return b.String()
	}
	for _, clock := range sla.Clocks {
		d.note(store.SLAField(clock), text(*was.Budget(clock)), text(*now.Budget(clock)))
	}
	d.note("round_the_clock", strconv.FormatBool(was.RoundTheClock), strconv.FormatBool(now.RoundTheClock))
	return d
}

// Pages.

type slaPage struct {
	*Page
	Types   []slaType
	CanEdit bool
}

// slaType is the table of one order type: a row per urgency.
type slaType struct {
	Type, Label string
	Clocks      []slaColumn // the clocks that run for the type, in order
	Rows        []slaRow
}

type slaColumn struct {
	Clock, Label string
}

// slaRow is one policy as the form shows it.
type slaRow struct {
	Type, Urgency string
	TypeLabel     string
	Label         string // of the urgency
	Form          string // id of the row's save form
	Fields        []slaField
	RoundTheClock bool
	// DefaultRTC is the default's round the clock, as text, when a change
	// differs from it.
	DefaultRTC string
	Custom     bool
	UpdatedBy  string
	UpdatedAt  time.Time
	Error      string
}

// slaField is one budget input.
type slaField struct {
	Clock, Label string
	Value        string
	Default      string // the default's text when it differs from Value, else ""
	Invalid      bool
	Focus        bool // the field to fix in a refused row
}

// slaColumns returns the clocks shown for an order type: accept, start,
// the clock that ends its orders, the return visit.
func slaColumns(typ string) []string {
	return []string{sla.Accept, sla.Start, sla.Closing(typ), sla.Visit}
}

// slaRefused is a row as submitted, with the error that refused it.
type slaRefused struct {
	Type, Urgency string
	In            slaInput
	Bad           string // the clock whose text was refused, if any
	Err           error
}

// slaPage builds the page, with a refused row as it was typed.
func (s *Server) slaPage(r *http.Request, refused *slaRefused) (*slaPage, error) {
	all, err := s.db.SLAPolicies(r.Context())
	if err != nil {
		return nil, err
	}
	p := &slaPage{Page: s.newPage(r, "sla.title"), CanEdit: canEditSLA(scopeOf(r))}
	show := func(b workcal.Budget) string {
		if b == (workcal.Budget{}) {
			return p.T("sla.none")
		}
		return b.String()
	}
	for _, pol := range all {
		if n := len(p.Types); n == 0 || p.Types[n-1].Type != pol.Type {
			t := slaType{Type: pol.Type, Label: p.T("orders.type." + pol.Type)}
			for _, c := range slaColumns(pol.Type) {
				t.Clocks = append(t.Clocks, slaColumn{c, p.T("sla.clock." + c)})
			}
			p.Types = append(p.Types, t)
		}
		t := &p.Types[len(p.Types)-1]
		row := slaRow{
			Type: pol.Type, Urgency: pol.Urgency, TypeLabel: t.Label, Label: p.T("orders.urgency." + pol.Urgency),
			Form: "sla-form-" + pol.Type + "-" + pol.Urgency, RoundTheClock: pol.RoundTheClock,
			Custom: pol.Custom, UpdatedBy: pol.UpdatedBy, UpdatedAt: pol.UpdatedAt,
		}
		typed := refused != nil && refused.Type == pol.Type && refused.Urgency == pol.Urgency
		for _, c := range slaColumns(pol.Type) {
			f := slaField{Clock: c, Label: p.T("sla.clock." + c), Value: pol.Budget(c).String()}
			if typed {
				f.Value, f.Invalid = refused.In.Budgets[c], c == refused.Bad
			}
			if def := *pol.Default.Budget(c); pol.Custom && def != *pol.Budget(c) {
				f.Default = show(def)
			}
			row.Fields = append(row.Fields, f)
		}
		if pol.Custom && pol.Default.RoundTheClock != pol.RoundTheClock {
			row.DefaultRTC = p.T("sla.no")
			if pol.Default.RoundTheClock {
				row.DefaultRTC = p.T("sla.yes")
			}
		}
		if typed {
			row.RoundTheClock = refused.In.RoundTheClock
			row.Error = s.msgs.userMessage(p.Lang, refused.Err)
			focus := 0
			for i, f := range row.Fields {
				if f.Invalid {
					focus = i
				}
			}
			row.Fields[focus].Focus = true
		}
		t.Rows = append(t.Rows, row)
	}
	return p, nil
}

func (s *Server) getSLA(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	p, err := s.slaPage(r, nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "sla", p)
	return nil
}

// slaFormInput reads a row's form: a budget per clock shown for the type
// (the others stay empty), and the round-the-clock checkbox.
func slaFormInput(r *http.Request, typ string) slaInput {
	in := slaInput{Budgets: map[string]string{}, RoundTheClock: formBool(r.PostFormValue("round_the_clock"))}
	for _, c := range slaColumns(typ) {
		in.Budgets[c] = r.PostFormValue(c)
	}
	return in
}

func (s *Server) postSLA(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.slaEditorOf(r)
	if err != nil {
		return err
	}
	in := slaFormInput(r, cur.Type)
	lang := s.locale(r)
	next, bad, err := in.parse(cur.Policy, func(c string) string { return s.msgs.translate(lang, "sla.clock."+c) })
	changed := false
	if err == nil {
		changed, err = s.saveSLA(r, sc, cur, next)
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		p, perr := s.slaPage(r, &slaRefused{Type: cur.Type, Urgency: cur.Urgency, In: in, Bad: bad, Err: err})
		if perr != nil {
			return perr
		}
		s.render(w, r, ErrorStatus(err), "sla", p)
		return nil
	}
	flash := "sla_saved"
	if !changed {
		flash = "sla_unchanged"
	}
	http.Redirect(w, r, "/admin/sla?flash="+flash+"#sla-"+cur.Type+"-"+cur.Urgency, http.StatusSeeOther)
	return nil
}

func (s *Server) postSLAReset(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.slaEditorOf(r)
	if err != nil {
		return err
	}
	changed, err := s.resetSLA(r, sc, cur)
	if err != nil {
		return err
	}
	flash := "sla_reset"
	if !changed {
		flash = "sla_unchanged"
	}
	http.Redirect(w, r, "/admin/sla?flash="+flash+"#sla-"+cur.Type+"-"+cur.Urgency, http.StatusSeeOther)
	return nil
}

// API.

// slaBudgets are a policy's budgets in text form ("" for no such clock).
type slaBudgets struct {
	Accept        string `json:"accept"`
	Start         string `json:"start"`
	Complete      string `json:"complete"`
	Reply         string `json:"reply"`
	ReturnVisit   string `json:"return_visit"`
	RoundTheClock bool   `json:"round_the_clock"`
}

func budgetsOf(p sla.Policy) slaBudgets {
	return slaBudgets{Accept: p.Accept.String(), Start: p.Start.String(), Complete: p.Complete.String(),
		Reply: p.Reply.String(), ReturnVisit: p.ReturnVisit.String(), RoundTheClock: p.RoundTheClock}
}

// slaPolicyJSON is a policy in the API.
type slaPolicyJSON struct {
	Type          string     `json:"type"`
	Urgency       string     `json:"urgency"`
	Accept        string     `json:"accept"`
	Start         string     `json:"start"`
	Complete      string     `json:"complete"`
	Reply         string     `json:"reply"`
	ReturnVisit   string     `json:"return_visit"`
	RoundTheClock bool       `json:"round_the_clock"`
	Custom        bool       `json:"custom"`
	UpdatedBy     string     `json:"updated_by,omitempty"`
	UpdatedAt     time.Time  `json:"updated_at,omitzero"`
	Default       slaBudgets `json:"default"`
}

func slaJSON(p store.SLAPolicy) slaPolicyJSON {
	b := budgetsOf(p.Policy)
	return slaPolicyJSON{Type: p.Type, Urgency: p.Urgency, Accept: b.Accept, Start: b.Start, Complete: b.Complete,
		Reply: b.Reply, ReturnVisit: b.ReturnVisit, RoundTheClock: b.RoundTheClock,
		Custom: p.Custom, UpdatedBy: p.UpdatedBy, UpdatedAt: p.UpdatedAt, Default: budgetsOf(p.Default)}
}

// slaPutRequest is the body of PUT /api/v1/sla-policies/{type}/{urgency}:
// the whole policy, every field required ("" for no such clock).
type slaPutRequest struct {
	Accept        *string `json:"accept"`
	Start         *string `json:"start"`
	Complete      *string `json:"complete"`
	Reply         *string `json:"reply"`
	ReturnVisit   *string `json:"return_visit"`
	RoundTheClock *bool   `json:"round_the_clock"`
}

// input checks that every field is there.
func (req slaPutRequest) input() (slaInput, error) {
	in := slaInput{Budgets: map[string]string{}}
	fields := []*string{req.Accept, req.Start, req.Complete, req.Reply, req.ReturnVisit}
	for i, clock := range sla.Clocks {
		if fields[i] == nil {
			return in, anxin.ErrorKey(anxin.EINVALID, "err.sla_missing", "The body lacks %s: send every budget, \"\" for no such clock.", store.SLAField(clock))
		}
		in.Budgets[clock] = *fields[i]
	}
	if req.RoundTheClock == nil {
		return in, anxin.ErrorKey(anxin.EINVALID, "err.sla_missing", "The body lacks %s: send every budget, \"\" for no such clock.", "round_the_clock")
	}
	in.RoundTheClock = *req.RoundTheClock
	return in, nil
}

// apiListSLA answers every policy in force to administrators (403
// otherwise).
func (s *Server) apiListSLA(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	all, err := s.db.SLAPolicies(r.Context())
	if err != nil {
		return err
	}
	items := make([]slaPolicyJSON, len(all))
	for i, p := range all {
		items[i] = slaJSON(p)
	}
	writeList(w, items, len(items), 0, len(items))
	return nil
}

// slaEditorOf returns the scope of a platform administrator and the
// policy the path names: 403 for anyone else, 404 for an unknown type or
// urgency.
func (s *Server) slaEditorOf(r *http.Request) (anxin.Scope, store.SLAPolicy, error) {
	sc, err := adminScopeOf(r)
	if err == nil && !canEditSLA(sc) {
		err = errSLAAdminOnly()
	}
	if err != nil {
		return sc, store.SLAPolicy{}, err
	}
	cur, err := s.slaPolicyOf(r)
	return sc, cur, err
}

func (s *Server) apiPutSLA(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.slaEditorOf(r)
	if err != nil {
		return err
	}
	var req slaPutRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	next, _, err := in.parse(cur.Policy, store.SLAField)
	if err != nil {
		return err
	}
	if _, err := s.saveSLA(r, sc, cur, next); err != nil {
		return err
	}
	return s.writeSLA(w, r, cur.Type, cur.Urgency)
}

func (s *Server) apiDeleteSLA(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.slaEditorOf(r)
	if err != nil {
		return err
	}
	if _, err := s.resetSLA(r, sc, cur); err != nil {
		return err
	}
	return s.writeSLA(w, r, cur.Type, cur.Urgency)
}

// writeSLA answers the policy in force after a write.
func (s *Server) writeSLA(w http.ResponseWriter, r *http.Request, typ, urgency string) error {
	p, err := s.db.SLAPolicy(r.Context(), typ, urgency)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, slaJSON(p))
	return nil
}
