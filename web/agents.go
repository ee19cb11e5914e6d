package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/anxin-care/anxin"
)

// Operators' states for taking calls: every console page of an operator
// shows theirs with the moves they may make (sign in, break with a reason,
// ready, sign out); supervisors see their team at /agents. The telephony
// layer makes the other moves (offer, answer, hang-up).

func (s *Server) routesAgents() {
	s.page("POST /agent/state", s.postAgentState)
	s.page("GET /agents", s.getAgents)
	s.page("POST /agents/{id}/skills", s.postSkills)
	s.api("GET /api/v1/agent/state", s.apiAgentState)
	s.api("POST /api/v1/agent/state", s.apiMoveAgent)
	s.api("GET /api/v1/agents", s.apiAgents)
	s.api("PUT /api/v1/agents/{id}/skills", s.apiPutSkills)
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
		if _, err := anxin.NextAgentState(st, anxin.AgentEvent{Event: ev, Reason: "x"}, s.cfg.Now()); err == nil &&
			!(ev == anxin.EvReady && st.State == anxin.AgentReady) && !(ev == anxin.EvSignOut && st.State == anxin.AgentSignedOut) {
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
	// Operators are the operators in the viewer's area with their skills.
	Operators []operatorSkills
}

// SkillLabel names a skill: a language by its name, others as they are.
func (p *agentsPage) SkillLabel(skill string) string { return langLabel(p.Page, skill) }

// operatorSkills is an operator's row of the skills form.
type operatorSkills struct {
	ID        int64
	Name, Org string
	Checks    []skillCheck // the languages, Mandarin aside
	Other     string       // the other skills, comma-separated
	Error     string
	Invalid   bool
}

// skillCheck is a language's checkbox.
type skillCheck struct {
	Value, Label string
	Checked      bool
}

// supervisorScopeOf returns the scope of a supervisor or administrator,
// EFORBIDDEN for anyone else.
func supervisorScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if !sc.Has(anxin.RoleSupervisor) && !sc.Has(anxin.RoleAdmin) {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.supervisor_only", "Only supervisors and administrators see the team's states.")
	}
	return sc, nil
}

// getAgents lists the team's states and the operators' skills
// (supervisors and administrators).
func (s *Server) getAgents(w http.ResponseWriter, r *http.Request) error {
	p, err := s.agentsPage(r, 0, "", nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "agents", p)
	return nil
}

// agentsPage builds the page, with a refused skills form (of account
// refused, as typed) when err is set.
func (s *Server) agentsPage(r *http.Request, refused int64, typed string, err error) (*agentsPage, error) {
	sc, serr := supervisorScopeOf(r)
	if serr != nil {
		return nil, serr
	}
	list, serr := s.db.FindAgents(r.Context(), sc)
	if serr != nil {
		return nil, serr
	}
	ops, _, serr := s.db.FindAccounts(r.Context(), sc, anxin.AccountFilter{Role: anxin.RoleOperator, Limit: 1000})
	if serr != nil {
		return nil, serr
	}
	ids := make([]int64, len(ops))
	for i, a := range ops {
		ids[i] = a.ID
	}
	skills, serr := s.db.Skills(r.Context(), ids...)
	if serr != nil {
		return nil, serr
	}
	for i := range list {
		list[i].Skills = skills[list[i].AccountID]
	}
	p := &agentsPage{Page: s.newPage(r, "agents.title"), Agents: list}
	for _, a := range ops {
		if a.Disabled {
			continue
		}
		o := operatorSkills{ID: a.ID, Name: a.DisplayName}
		if a.Org != nil {
			o.Org = a.Org.Name
		}
		for _, l := range anxin.Languages()[1:] {
			o.Checks = append(o.Checks, skillCheck{l, langLabel(p.Page, l), slices.Contains(skills[a.ID], l)})
		}
		var other []string
		for _, sk := range skills[a.ID] {
			if !slices.Contains(anxin.Languages(), sk) {
				other = append(other, sk)
			}
		}
		o.Other = strings.Join(other, ", ")
		if a.ID == refused {
			o.Other, o.Error, o.Invalid = typed, s.msgs.userMessage(p.Lang, err), true
		}
		p.Operators = append(p.Operators, o)
	}
	return p, nil
}

// parseSkills reads skills from the form's language checkboxes and its
// comma-separated other skills (、，and spaces separate too).
func parseSkills(langs []string, other string) []string {
	out := slices.Clone(langs)
	for _, f := range strings.FieldsFunc(other, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || unicode.IsSpace(r) }) {
		out = append(out, strings.ToLower(f))
	}
	return out
}

// setSkills replaces an operator's skills and audits the change.
func (s *Server) setSkills(r *http.Request, sc anxin.Scope, id int64, skills []string) ([]string, error) {
	cur, err := s.db.Skills(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if err := s.db.SetSkills(r.Context(), sc, id, skills); err != nil {
		return nil, err
	}
	now, err := s.db.Skills(r.Context(), id)
	if err != nil {
		return nil, err
	}
	was, is := strings.Join(cur[id], ","), strings.Join(now[id], ",")
	if was != is {
		var d auditDiff
		d.note("skills", orNone(was), orNone(is))
		if err := s.audit(r, &anxin.AuditEntry{Action: auditSkillsUpdate, TargetType: "account", TargetID: strconv.FormatInt(id, 10), Detail: d.String()}); err != nil {
			return nil, err
		}
	}
	return now[id], nil
}

// postSkills saves an operator's skills from the /agents page.
func (s *Server) postSkills(w http.ResponseWriter, r *http.Request) error {
	sc, err := supervisorScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	other := r.PostFormValue("other")
	if _, err := s.setSkills(r, sc, id, parseSkills(r.PostForm["lang"], other)); err != nil {
		if !showInForm(err) {
			return err
		}
		p, perr := s.agentsPage(r, id, other, err)
		if perr != nil {
			return perr
		}
		s.render(w, r, ErrorStatus(err), "agents", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/agents?flash=skills_saved#skills-%d", id), http.StatusSeeOther)
	return nil
}

// apiPutSkills answers PUT /api/v1/agents/{id}/skills {"skills": [...]}.
func (s *Server) apiPutSkills(w http.ResponseWriter, r *http.Request) error {
	sc, err := supervisorScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req skillsJSON
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	now, err := s.setSkills(r, sc, id, req.Skills)
	if err != nil {
		return err
	}
	if now == nil {
		now = []string{}
	}
	writeJSON(w, http.StatusOK, skillsJSON{AccountID: id, Skills: now})
	return nil
}

// skillsJSON is an operator's skills in the API.
type skillsJSON struct {
	AccountID int64    `json:"account_id,omitempty"`
	Skills    []string `json:"skills"`
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
	sc, err := supervisorScopeOf(r)
	if err != nil {
		return err
	}
	list, err := s.db.FindAgents(r.Context(), sc)
	if err != nil {
		return err
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.AccountID
	}
	skills, err := s.db.Skills(r.Context(), ids...)
	if err != nil {
		return err
	}
	for i := range list {
		list[i].Skills = skills[list[i].AccountID]
	}
	writeList(w, list, len(list), 0, len(list))
	return nil
}
