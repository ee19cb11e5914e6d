package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
)

// Operators' states for taking calls: every console page of an operator
// shows theirs with the moves they may make (sign in, break with a reason,
// ready, sign out); supervisors see their team at /agents. The telephony
// layer makes the other moves (offer, answer, hang-up).

func (s *Server) routesAgents() {
	s.page("POST /agent/state", s.postAgentState)
	s.page("GET /agents", s.getAgents)
	s.api("GET /api/v1/agent/state", s.apiAgentState)
	s.api("POST /api/v1/agent/state", s.apiMoveAgent)
	s.api("GET /api/v1/agents", s.apiAgents)
}

// consoleMoves are the events an operator makes by hand.
var consoleMoves = []string{anxin.EvSignIn, anxin.EvSignOut, anxin.EvReady, anxin.EvBreak}

// isAgent reports whether the account takes calls.
func isAgent(sc anxin.Scope) bool { return sc.Has(anxin.RoleOperator) && !sc.AssignedOnly }

// agentBar is what the console's state bar shows.
type agentBar struct {
	anxin.AgentStatus
	Moves   []string
	Reasons []string
}

// agentBarFor builds the bar of an operator's pages (nil for others).
func (s *Server) agentBarFor(r *http.Request, sc anxin.Scope) *agentBar {
	if !isAgent(sc) {
		return nil
	}
	st, err := s.db.AgentStatusOf(r.Context(), sc.AccountID)
	if err != nil {
		s.log.Warn("agent state", "err", err)
		return nil
	}
	b := &agentBar{AgentStatus: st, Reasons: anxin.BreakReasons}
	for _, ev := range consoleMoves {
		if _, err := anxin.NextAgentState(st, anxin.AgentEvent{Event: ev, Reason: "x"}, s.cfg.Now()); err == nil && !(ev == anxin.EvReady && st.State == anxin.AgentReady) {
			b.Moves = append(b.Moves, ev)
		}
	}
	return b
}

func (s *Server) moveAgent(r *http.Request, event, reason string) (anxin.AgentStatus, error) {
	sc := scopeOf(r)
	if !isAgent(sc) {
		return anxin.AgentStatus{}, anxin.ErrorKey(anxin.EFORBIDDEN, "err.agent_only", "Only hotline operators take calls.")
	}
	if !slices.Contains(consoleMoves, event) {
		return anxin.AgentStatus{}, anxin.Errorf(anxin.EINVALID, "event is one of %s", strings.Join(consoleMoves, ", "))
	}
	if event == anxin.EvBreak && !slices.Contains(anxin.BreakReasons, reason) {
		return anxin.AgentStatus{}, anxin.Errorf(anxin.EINVALID, "reason is one of %s", strings.Join(anxin.BreakReasons, ", "))
	}
	return s.db.MoveAgent(r.Context(), sc.AccountID, anxin.AgentEvent{Event: event, Reason: reason})
}

// postAgentState moves the operator from the state bar and returns to the
// page they were on.
func (s *Server) postAgentState(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.moveAgent(r, r.PostFormValue("event"), r.PostFormValue("reason")); err != nil {
		return err
	}
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

type agentsPage struct {
	*Page
	Agents []anxin.AgentStatus
}

// getAgents lists the team's states (supervisors and administrators).
func (s *Server) getAgents(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	if !sc.Has(anxin.RoleSupervisor) && !sc.Has(anxin.RoleAdmin) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.supervisor_only", "Only supervisors and administrators see the team's states.")
	}
	list, err := s.db.FindAgents(r.Context(), sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "agents", &agentsPage{Page: s.newPage(r, "agents.title"), Agents: list})
	return nil
}

func (s *Server) apiAgentState(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	if !isAgent(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.agent_only", "Only hotline operators take calls.")
	}
	st, err := s.db.AgentStatusOf(r.Context(), sc.AccountID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiMoveAgent(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Event  string `json:"event"`
		Reason string `json:"reason"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	st, err := s.moveAgent(r, req.Event, req.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

func (s *Server) apiAgents(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	if !sc.Has(anxin.RoleSupervisor) && !sc.Has(anxin.RoleAdmin) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.supervisor_only", "Only supervisors and administrators see the team's states.")
	}
	list, err := s.db.FindAgents(r.Context(), sc)
	if err != nil {
		return err
	}
	writeList(w, list, len(list), 0, len(list))
	return nil
}
