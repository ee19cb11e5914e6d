package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// Door-knocks (/doorknocks, issue 6's welfare chain): the committee's
// staff see the elders nobody could reach by phone, with address, numbers
// and emergency contacts (masked until revealed with a reason, audited,
// as on the profile), acknowledge the visit and record its result; the
// street office and the supervisors above see their committees' and what
// was handed up to them. The coverage report is in coverage.go.

// routesWelfare registers the door-knock and coverage pages and their API.
func (s *Server) routesWelfare() {
	s.page("GET /doorknocks", s.getDoorKnocks)
	s.page("GET /doorknocks/{id}", s.getDoorKnock)
	s.page("POST /doorknocks/{id}/reveal", s.postDoorKnockReveal)
	s.page("POST /doorknocks/{id}/acknowledge", s.postDoorKnockAck)
	s.page("POST /doorknocks/{id}/result", s.postDoorKnockResult)
	s.page("GET /coverage", s.getCoverage)
	s.page("GET /coverage/elders", s.getCoverageElders)
	s.page("GET /coverage/export", s.getCoverageExport)
	s.api("GET /api/v1/doorknocks", s.apiDoorKnocks)
	s.api("POST /api/v1/doorknocks/{id}/acknowledge", s.apiDoorKnockAck)
	s.api("POST /api/v1/doorknocks/{id}/result", s.apiDoorKnockResult)
	s.api("GET /api/v1/coverage", s.apiCoverage)
}

// AtRisk reports whether the elder is at risk ("失联风险", anxin.AtRisk)
// at the time the page was made; nil, or a page made without a clock,
// is not.
func (p *Page) AtRisk(e *anxin.Elder) bool {
	return e != nil && !p.now.IsZero() && e.AtRisk(p.now)
}

// knockScopeOf returns the request's scope, or EFORBIDDEN for those who
// do not work door-knocks (anxin.Scope.SeesDoorKnocks).
func knockScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if !sc.All && !sc.SeesDoorKnocks() {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.knock_forbidden", "Door-knocks are for street and committee staff and their supervisors.")
	}
	return sc, nil
}

// knockStates are the list's state filters, in the order offered.
var knockStates = []string{"open", anxin.KnockEscalated, anxin.KnockAcknowledged, anxin.KnockClosed, "all"}

// knockFilter reads the list's filters (the page and the API share them).
func knockFilter(r *http.Request) (anxin.KnockFilter, error) {
	v := r.URL.Query()
	f := anxin.KnockFilter{State: v.Get("state"), Within: v.Get("within")}
	if f.State != "" && !slices.Contains(knockStates, f.State) {
		return f, anxin.ErrorKey(anxin.EINVALID, "err.knock_state", "Unknown door-knock state %q.", truncate(f.State, 20))
	}
	switch v.Get("overdue") {
	case "", "0", "false":
	case "1", "true":
		f.Overdue = true
	default:
		return f, anxin.Errorf(anxin.EINVALID, "overdue is true or false")
	}
	f.Offset, f.Limit = pageParams(r)
	return f, nil
}

// knockView is a door-knock as a page shows it: the elder's numbers
// masked unless revealed, the reason in words.
type knockView struct {
	*anxin.DoorKnock
	Late   bool // past its due time, not closed
	Reason string
	// Owner names who owes the visit now: the committee, or the area it
	// was handed up to.
	Owner string
}

func (s *Server) knockView(p *Page, sc anxin.Scope, k *anxin.DoorKnock, revealed bool) knockView {
	c := *k
	if k.Elder != nil {
		c.Elder = shownElder(sc, k.Elder, revealed)
	}
	v := knockView{DoorKnock: &c, Late: k.Overdue(p.now), Owner: shortRegion(k.RegionName)}
	if k.EscalatedTo != "" {
		v.Owner = shortRegion(k.EscalatedName)
	}
	if k.CampaignName != "" {
		disp := k.Disposition
		if m, ok := s.msgs.lookup(p.Lang, "knocks.disp."+disp); ok {
			disp = m
		}
		v.Reason = p.T("knocks.reason", k.CampaignName, k.Attempts, disp)
	} else {
		v.Reason = p.T("knocks.reason_unknown")
	}
	return v
}

type knocksPage struct {
	*Page
	State  string
	States []string
	Rows   []knockView
	Pager  listPager
	Counts store.KnockCounts
}

// getDoorKnocks lists the door-knocks in the viewer's area: those still to
// do first, the most overdue at the top.
func (s *Server) getDoorKnocks(w http.ResponseWriter, r *http.Request) error {
	sc, err := knockScopeOf(r)
	if err != nil {
		return err
	}
	f, err := knockFilter(r)
	if err != nil {
		return err
	}
	list, total, err := s.db.FindDoorKnocks(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p := &knocksPage{Page: s.newPage(r, "knocks.title"), State: f.State, States: knockStates,
		Pager: newListPager(r.URL, len(list), total, f.Offset, f.Limit)}
	if p.State == "" {
		p.State = "open"
	}
	if p.Counts, err = s.db.CountDoorKnocks(r.Context(), sc, p.now); err != nil {
		return err
	}
	for _, k := range list {
		p.Rows = append(p.Rows, s.knockView(p.Page, sc, k, false))
	}
	s.render(w, r, http.StatusOK, "doorknocks", p)
	return nil
}

type knockPage struct {
	*Page
	Knock                     knockView
	Results                   []string
	Revealed                  bool
	RevealReason, RevealError string
	// The result form as typed, and why it was refused.
	Result, Note, Error string
}

// knockOf reads the door-knock of the path in the viewer's scope.
func (s *Server) knockOf(r *http.Request) (anxin.Scope, *anxin.DoorKnock, error) {
	sc, err := knockScopeOf(r)
	if err != nil {
		return sc, nil, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return sc, nil, err
	}
	k, err := s.db.FindDoorKnock(r.Context(), sc, id)
	return sc, k, err
}

func (s *Server) knockPage(r *http.Request, sc anxin.Scope, k *anxin.DoorKnock, revealed bool) *knockPage {
	p := &knockPage{Page: s.newPage(r, "knocks.title"), Results: anxin.KnockResults(), Revealed: revealed}
	p.Title = p.T("knocks.one_title", k.ElderName)
	p.Knock = s.knockView(p.Page, sc, k, revealed)
	return p
}

func (s *Server) getDoorKnock(w http.ResponseWriter, r *http.Request) error {
	sc, k, err := s.knockOf(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "doorknock", s.knockPage(r, sc, k, false))
	return nil
}

// postDoorKnockReveal shows the door-knock with the elder's full numbers
// once the reason is audited; without a reason it comes back masked with
// a 400.
func (s *Server) postDoorKnockReveal(w http.ResponseWriter, r *http.Request) error {
	sc, k, err := s.knockOf(r)
	if err != nil {
		return err
	}
	raw := r.PostFormValue("reason")
	reason, rerr := revealReason(raw)
	if rerr == nil {
		err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditReveal, TargetType: "elder", TargetID: strconv.FormatInt(k.ElderID, 10),
			Reason: reason, Detail: fmt.Sprintf("phones,contacts; door-knock %d", k.ID)})
		if err != nil {
			return err
		}
	}
	p := s.knockPage(r, sc, k, rerr == nil)
	if rerr != nil {
		p.RevealReason, p.RevealError = truncate(raw, 4*maxRevealReason), s.msgs.userMessage(p.Lang, rerr)
		s.render(w, r, ErrorStatus(rerr), "doorknock", p)
		return nil
	}
	p.RevealReason = reason
	s.render(w, r, http.StatusOK, "doorknock", p)
	return nil
}

// postDoorKnockAck acknowledges the visit and goes back where the button
// was (the list or the door-knock).
func (s *Server) postDoorKnockAck(w http.ResponseWriter, r *http.Request) error {
	sc, k, err := s.knockOf(r)
	if err != nil {
		return err
	}
	if _, err := s.db.AcknowledgeDoorKnock(r.Context(), sc, k.ID); err != nil {
		return err
	}
	back := fmt.Sprintf("/doorknocks/%d", k.ID)
	if r.PostFormValue("back") == "list" {
		back = "/doorknocks"
	}
	http.Redirect(w, r, back+"?flash=knock_acknowledged", http.StatusSeeOther)
	return nil
}

// postDoorKnockResult records the visit; a refused form comes back as
// typed with the reason.
func (s *Server) postDoorKnockResult(w http.ResponseWriter, r *http.Request) error {
	sc, k, err := s.knockOf(r)
	if err != nil {
		return err
	}
	v := anxin.KnockVisit{Result: r.PostFormValue("result"), Note: r.PostFormValue("note")}
	done, err := s.db.RecordDoorKnockVisit(r.Context(), sc, k.ID, v)
	if showInForm(err) {
		p := s.knockPage(r, sc, k, false)
		p.Result, p.Note, p.Error = v.Result, truncate(v.Note, 2*anxin.MaxKnockNote), s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "doorknock", p)
		return nil
	} else if err != nil {
		return err
	}
	flash := "knock_recorded"
	if done.OrderID != 0 {
		flash = "knock_order"
	}
	http.Redirect(w, r, fmt.Sprintf("/doorknocks/%d?flash=%s", k.ID, flash), http.StatusSeeOther)
	return nil
}

// knockJSON is a door-knock in the API: the elder's numbers masked, and
// whether it is overdue now.
type knockJSON struct {
	*anxin.DoorKnock
	Overdue bool `json:"overdue"`
}

func (s *Server) knockJSON(sc anxin.Scope, k *anxin.DoorKnock, now time.Time) knockJSON {
	c := *k
	if k.Elder != nil {
		c.Elder = shownElder(sc, k.Elder, false)
	}
	return knockJSON{DoorKnock: &c, Overdue: k.Overdue(now)}
}

// apiDoorKnocks answers GET /api/v1/doorknocks[?state=…&within=…&overdue=true].
func (s *Server) apiDoorKnocks(w http.ResponseWriter, r *http.Request) error {
	sc, err := knockScopeOf(r)
	if err != nil {
		return err
	}
	f, err := knockFilter(r)
	if err != nil {
		return err
	}
	list, total, err := s.db.FindDoorKnocks(r.Context(), sc, f)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	out := make([]knockJSON, len(list))
	for i, k := range list {
		out[i] = s.knockJSON(sc, k, now)
	}
	writeList(w, out, total, f.Offset, f.Limit)
	return nil
}

// apiDoorKnockAck answers POST /api/v1/doorknocks/{id}/acknowledge.
func (s *Server) apiDoorKnockAck(w http.ResponseWriter, r *http.Request) error {
	sc, err := knockScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	k, err := s.db.AcknowledgeDoorKnock(r.Context(), sc, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.knockJSON(sc, k, s.cfg.Now()))
	return nil
}

// apiDoorKnockResult answers POST /api/v1/doorknocks/{id}/result with
// {"result": …, "note": …}.
func (s *Server) apiDoorKnockResult(w http.ResponseWriter, r *http.Request) error {
	sc, err := knockScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var v anxin.KnockVisit
	if err := decodeJSON(r, &v); err != nil {
		return err
	}
	k, err := s.db.RecordDoorKnockVisit(r.Context(), sc, id, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.knockJSON(sc, k, s.cfg.Now()))
	return nil
}

// homeDoorKnocks counts the door-knocks for the home page of those who
// work them (nil for others, or when they cannot be counted: the home
// page still opens and the log says why).
func (s *Server) homeDoorKnocks(r *http.Request, p *Page) *store.KnockCounts {
	if !p.Scope.SeesDoorKnocks() {
		return nil
	}
	c, err := s.db.CountDoorKnocks(r.Context(), p.Scope, p.now)
	if err != nil {
		s.log.Warn("home: door-knocks", "err", err)
		return nil
	}
	return &c
}

// StateURL is the list with a state filter, for the page's tabs.
func (p *knocksPage) StateURL(state string) string {
	return "/doorknocks?" + url.Values{"state": {state}}.Encode()
}
