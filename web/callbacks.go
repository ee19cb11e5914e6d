package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/anxin-care/anxin"
)

// The to-call-back list (/callbacks) and click-to-call: callers nobody
// took wait here, oldest first, with a button that rings the operator's
// phone and then the caller, presenting the hotline's callback number.
// Click-to-call from the API dials a registered elder's or contact's
// number. The telephony layer does the calling (Dialer).

// Dialer places calls for operators (callflow.Flows): click-to-call and
// callbacks (agent first), and agentless check-in calls.
type Dialer interface {
	CallOut(ctx context.Context, sc anxin.Scope, number string, elderID, callbackOf int64) (int64, error)
	CheckIn(ctx context.Context, sc anxin.Scope, number string, elderID int64) (int64, error)
	CallElderFirst(ctx context.Context, sc anxin.Scope, number string, elderID, agentID int64) (int64, error)
}

// SetDialer gives the console the telephony that places calls; without it
// calling buttons answer that telephony is not running.
func (s *Server) SetDialer(d Dialer) { s.dialer.Store(&d) }

func (s *Server) routesCallbacks() {
	s.page("GET /callbacks", s.getCallbacks)
	s.page("POST /calls/{id}/callback", s.postCallback)
	s.api("POST /api/v1/calls/{id}/callback", s.apiCallback)
	s.api("POST /api/v1/calls", s.apiCallOut)
	s.api("POST /api/v1/checkins", s.apiCheckIn)
}

// apiCheckIn answers POST /api/v1/checkins {"number", "elder_id"}: an
// agentless check-in call (hotline staff).
func (s *Server) apiCheckIn(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Number  string `json:"number"`
		ElderID int64  `json:"elder_id"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	sc := scopeOf(r)
	if sc.AssignedOnly || !(sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleSupervisor)) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.checkin_staff_only", "Check-in calls are placed by hotline operators and supervisors.")
	}
	d := s.dialer.Load()
	if d == nil {
		return anxin.ErrorKey(anxin.EUNAVAILABLE, "err.telephony_off", "Telephony is not running on this server.")
	}
	id, err := (*d).CheckIn(r.Context(), sc, req.Number, req.ElderID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/calls/%d", id))
	writeJSON(w, http.StatusAccepted, map[string]any{"call_id": id})
	return nil
}

func (s *Server) callOut(r *http.Request, number string, elderID, callbackOf int64) (int64, error) {
	d := s.dialer.Load()
	if d == nil {
		return 0, anxin.ErrorKey(anxin.EUNAVAILABLE, "err.telephony_off", "Telephony is not running on this server.")
	}
	sc := scopeOf(r)
	if !isAgent(sc) {
		return 0, anxin.ErrorKey(anxin.EFORBIDDEN, "err.agent_only", "Only hotline operators take calls.")
	}
	return (*d).CallOut(r.Context(), sc, number, elderID, callbackOf)
}

// callElderFirst places an elder-first call for hotline staff.
func (s *Server) callElderFirst(r *http.Request, number string, elderID, agentID int64) (int64, error) {
	sc := scopeOf(r)
	if sc.AssignedOnly || !(sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleSupervisor)) {
		return 0, anxin.ErrorKey(anxin.EFORBIDDEN, "err.checkin_staff_only", "Check-in calls are placed by hotline operators and supervisors.")
	}
	d := s.dialer.Load()
	if d == nil {
		return 0, anxin.ErrorKey(anxin.EUNAVAILABLE, "err.telephony_off", "Telephony is not running on this server.")
	}
	return (*d).CallElderFirst(r.Context(), sc, number, elderID, agentID)
}

// callback calls back the caller of call id.
func (s *Server) callback(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	c, err := s.db.FindCall(r.Context(), scopeOf(r), id)
	if err != nil {
		return 0, err
	}
	switch {
	case c.Leg != anxin.LegCaller:
	case c.Direction == anxin.CallInbound:
		return s.callOut(r, c.FromNumber, c.ElderID, c.ID)
	case c.Queue == "checkin_help": // an elder who asked for help on a check-in
		return s.callOut(r, c.ToNumber, c.ElderID, c.ID)
	}
	return 0, anxin.Errorf(anxin.EINVALID, "only a caller nobody took is called back")
}

type callbacksPage struct {
	*Page
	Calls []callRow
	Error string
}

func (s *Server) getCallbacks(w http.ResponseWriter, r *http.Request) error {
	return s.renderCallbacks(w, r, http.StatusOK, nil)
}

func (s *Server) renderCallbacks(w http.ResponseWriter, r *http.Request, status int, refused error) error {
	sc := scopeOf(r)
	if sc.AssignedOnly {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.calls_staff_only", "Call records are for hotline and community staff.")
	}
	calls, err := s.db.ToCallBack(r.Context(), sc, 200)
	if err != nil {
		return err
	}
	p := &callbacksPage{Page: s.newPage(r, "callbacks.title")}
	label := s.queueLabels(r.Context(), p.Lang)
	for _, c := range calls {
		p.Calls = append(p.Calls, callRow{Call: shownCall(c, false), QueueLabel: label(c.Queue)})
	}
	if refused != nil {
		p.Error = s.msgs.userMessage(p.Lang, refused)
	}
	s.render(w, r, status, "callbacks", p)
	return nil
}

func (s *Server) postCallback(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.callback(r); err != nil {
		if showInForm(err) || anxin.ErrorCode(err) == anxin.EUNAVAILABLE {
			return s.renderCallbacks(w, r, ErrorStatus(err), err)
		}
		return err
	}
	http.Redirect(w, r, "/callbacks?flash=calling_back", http.StatusSeeOther)
	return nil
}

func (s *Server) apiCallback(w http.ResponseWriter, r *http.Request) error {
	id, err := s.callback(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"call_id": id})
	return nil
}

// apiCallOut answers POST /api/v1/calls {"number", "elder_id", "mode",
// "agent_id"}: click-to-call (mode "agent_first", the default: the
// operator's phone first), or "elder_first" (hotline staff: the elder
// first, then the reserved operator agent_id or whoever is free).
func (s *Server) apiCallOut(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Number  string `json:"number"`
		ElderID int64  `json:"elder_id"`
		Mode    string `json:"mode"`
		AgentID int64  `json:"agent_id"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var id int64
	var err error
	switch req.Mode {
	case "", "agent_first":
		id, err = s.callOut(r, req.Number, req.ElderID, 0)
	case "elder_first":
		id, err = s.callElderFirst(r, req.Number, req.ElderID, req.AgentID)
	default:
		return anxin.ErrorKey(anxin.EINVALID, "err.call_mode", "mode is agent_first or elder_first, not %q.", req.Mode)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/calls/%d", id))
	writeJSON(w, http.StatusAccepted, map[string]any{"call_id": id})
	return nil
}
