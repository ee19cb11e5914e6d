package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
	"github.com/anxin-care/anxin/store"
)

// The campaigns API: campaigns, their tasks and live figures, the next
// task of an operator and the report of an attempt, and scripts. Rights
// are the console's.

func (s *Server) apiCampaigns() {
	s.api("GET /api/v1/campaigns", s.apiListCampaigns)
	s.api("POST /api/v1/campaigns", s.apiCreateCampaign)
	s.api("GET /api/v1/campaigns/{id}", s.apiGetCampaign)
	s.api("PATCH /api/v1/campaigns/{id}", s.apiPatchCampaign)
	s.api("POST /api/v1/campaigns/{id}/tasks", s.apiBuildTasks)
	s.api("GET /api/v1/campaigns/{id}/stats", s.apiCampaignStats)
	s.api("POST /api/v1/campaigns/{id}/next", s.apiNextTask)
	s.api("POST /api/v1/tasks/attempts/{id}", s.apiReportAttempt)
	s.api("POST /api/v1/campaigns/{id}/tasks/reassign", s.apiReassignTasks)
	// POST /api/v1/tasks/{id}/take: net/http's mux would find it in
	// conflict with attempts/{id} (both match tasks/attempts/take), so
	// the actions on a task share one pattern (see apiTaskAction).
	s.api("POST /api/v1/tasks/{id}/{action}", s.apiTaskAction)
	s.api("GET /api/v1/campaigns/{id}/tasks", s.apiListTasks)
	s.api("GET /api/v1/tasks/{id}", s.apiGetTask)
	s.api("POST /api/v1/campaigns/{id}/dialling", s.apiDialling)
}

// apiListTasks answers GET /api/v1/campaigns/{id}/tasks: the campaign's
// tasks in the order they fall due, of one state when ?state= says so,
// at most ?limit= (default 50, at most 1,000).
func (s *Server) apiListTasks(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	state := r.URL.Query().Get("state")
	if state != "" && !slices.Contains([]string{anxin.TaskPending, anxin.TaskLeased, anxin.TaskDone, anxin.TaskFailed}, state) {
		return anxin.ErrorKey(anxin.EINVALID, "err.task_state", "%q is no task state (pending, leased, done, failed).", state)
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 || limit > 1000 {
			return anxin.ErrorKey(anxin.EINVALID, "err.task_limit", "limit is a number from 1 to 1000.")
		}
	}
	tasks, err := s.db.FindTasks(r.Context(), sc, c.ID, state, limit)
	if err != nil {
		return err
	}
	if tasks == nil {
		tasks = []*anxin.Task{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"tasks": tasks})
	return nil
}

// taskView is a task with its attempts, as the API gives it; the numbers
// rung are masked (the elder's profile reveals them, audited).
type taskView struct {
	*anxin.Task
	Attempts []store.AttemptRecord `json:"attempt_records"`
}

// apiGetTask answers GET /api/v1/tasks/{id}: a task of a campaign the
// caller sees, with its attempts.
func (s *Server) apiGetTask(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := s.db.FindTask(r.Context(), sc, id)
	if err != nil {
		return err
	}
	as, err := s.db.TaskAttempts(r.Context(), t.ID)
	if err != nil {
		return err
	}
	for i := range as {
		as[i].Number = phone.Mask(as[i].Number)
	}
	if as == nil {
		as = []store.AttemptRecord{}
	}
	writeJSON(w, http.StatusOK, taskView{Task: t, Attempts: as})
	return nil
}

// apiTaskAction answers POST /api/v1/tasks/{id}/{action}; the one action
// is take.
func (s *Server) apiTaskAction(w http.ResponseWriter, r *http.Request) error {
	if r.PathValue("action") != "take" {
		return anxin.Errorf(anxin.ENOTFOUND, "not found")
	}
	return s.apiTakeTask(w, r)
}

func (s *Server) apiScripts() {
	s.api("GET /api/v1/scripts", s.apiListScripts)
	s.api("POST /api/v1/scripts", s.apiCreateScript)
	s.api("GET /api/v1/scripts/{id}", s.apiGetScript)
	s.api("PUT /api/v1/scripts/{id}", s.apiPutScript)
}

func (s *Server) apiListCampaigns(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	cs, err := s.db.FindCampaigns(r.Context(), sc)
	if err != nil {
		return err
	}
	writeList(w, cs, len(cs), 0, len(cs))
	return nil
}

// campaignInput is a campaign as the API creates it; scriptID names its
// script.
type campaignInput struct {
	Name         string       `json:"name"`
	Type         string       `json:"type"`
	Mode         string       `json:"mode"`
	RegionCode   string       `json:"region_code"`
	StartsOn     string       `json:"starts_on"`
	EndsOn       string       `json:"ends_on"`
	Windows      []string     `json:"windows"`
	MaxAttempts  int          `json:"max_attempts"`
	RetryMinutes int          `json:"retry_minutes"`
	Target       anxin.Target `json:"target"`
	ScriptID     int64        `json:"script_id"`
}

func (s *Server) apiCreateCampaign(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	var in campaignInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := &anxin.Campaign{Name: in.Name, Type: in.Type, Mode: in.Mode, RegionCode: in.RegionCode, StartsOn: in.StartsOn, EndsOn: in.EndsOn,
		Windows: in.Windows, MaxAttempts: in.MaxAttempts, RetryMinutes: in.RetryMinutes, Target: in.Target}
	if err := s.saveCampaign(r, sc, nil, c, in.ScriptID); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/campaigns/%d", c.ID))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) apiGetCampaign(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// campaignPatch changes a campaign: the fields given, and its state.
type campaignPatch struct {
	State        *string       `json:"state"`
	Name         *string       `json:"name"`
	Mode         *string       `json:"mode"`
	StartsOn     *string       `json:"starts_on"`
	EndsOn       *string       `json:"ends_on"`
	Windows      []string      `json:"windows"`
	MaxAttempts  *int          `json:"max_attempts"`
	RetryMinutes *int          `json:"retry_minutes"`
	RegionCode   *string       `json:"region_code"`
	Target       *anxin.Target `json:"target"`
	ScriptID     *int64        `json:"script_id"`
}

func (s *Server) apiPatchCampaign(w http.ResponseWriter, r *http.Request) error {
	sc, cur, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	var in campaignPatch
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	c := *cur
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&c.Name, in.Name)
	set(&c.Mode, in.Mode)
	set(&c.StartsOn, in.StartsOn)
	set(&c.EndsOn, in.EndsOn)
	set(&c.RegionCode, in.RegionCode)
	if in.Windows != nil {
		c.Windows = in.Windows
	}
	if in.MaxAttempts != nil {
		c.MaxAttempts = *in.MaxAttempts
	}
	if in.RetryMinutes != nil {
		c.RetryMinutes = *in.RetryMinutes
	}
	if in.Target != nil {
		c.Target = *in.Target
	}
	script := c.ScriptID
	if in.ScriptID != nil {
		script = *in.ScriptID
	}
	changed := in.Name != nil || in.Mode != nil || in.StartsOn != nil || in.EndsOn != nil || in.RegionCode != nil || in.Windows != nil ||
		in.MaxAttempts != nil || in.RetryMinutes != nil || in.Target != nil || script != c.ScriptID
	if changed {
		if err := s.saveCampaign(r, sc, cur, &c, script); err != nil {
			return err
		}
	}
	if in.State != nil && *in.State != c.State {
		if err := s.setCampaignState(r, &c, *in.State); err != nil {
			return err
		}
	}
	out, err := s.db.FindCampaign(r.Context(), sc, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) apiBuildTasks(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	n, err := s.buildTasks(r, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"made": n})
	return nil
}

func (s *Server) apiCampaignStats(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	st, err := s.db.CampaignStats(r.Context(), sc, c.ID)
	if err != nil {
		return err
	}
	if st.Callers == nil {
		st.Callers = []store.CallerCount{}
	}
	if st.Answers == nil {
		st.Answers = []store.AnswerCount{}
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// nextTask is an operator's task in hand, as the API gives it.
type nextTask struct {
	AttemptID int64 `json:"attempt_id"`
	// Number is the number to ring: in full in manual mode (the operator
	// dials it), masked otherwise (Anxin dials it).
	Number string       `json:"number"`
	Task   *anxin.Task  `json:"task"`
	Elder  elderSummary `json:"elder"`
	// Language is the script's language for the elder's dialect.
	Language string        `json:"language"`
	Script   *anxin.Script `json:"script,omitempty"`
}

// elderSummary is the elder's card: numbers masked.
type elderSummary struct {
	ID         int64         `json:"id"`
	Name       string        `json:"name"`
	Age        int           `json:"age"` // -1 when the birth date is unknown
	RegionName string        `json:"region_name"`
	Address    string        `json:"address,omitempty"`
	Living     string        `json:"living,omitempty"`
	Dialect    string        `json:"dialect,omitempty"`
	Hearing    string        `json:"hearing,omitempty"`
	Tags       []string      `json:"tags"`
	Phones     []anxin.Phone `json:"phones"`
}

// apiNextTask answers POST /api/v1/campaigns/{id}/next: the task the
// account holds in the campaign, or the next due one leased to it for 15
// minutes; 204 when none is due.
func (s *Server) apiNextTask(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	a, err := s.nextAttempt(r.Context(), sc, c)
	if err != nil {
		return err
	}
	if a == nil {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	e, err := s.db.FindElder(r.Context(), sc, a.Task.ElderID)
	if err != nil {
		return err
	}
	shown := shownElder(sc, e, false)
	out := nextTask{AttemptID: a.ID, Number: phone.Mask(a.Number), Task: a.Task, Language: dialectLang(e.Dialect),
		Elder: elderSummary{ID: e.ID, Name: e.Name, Age: ageOn(e.BirthDate, s.cfg.Now()), RegionName: e.RegionName, Address: e.Address,
			Living: e.Living, Dialect: e.Dialect, Hearing: e.Hearing, Tags: shown.Tags, Phones: shown.Phones}}
	if c.Mode == anxin.DialManual {
		out.Number = a.Number
	}
	if out.Script, err = s.db.TaskScript(r.Context(), c, a.Task.ID); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// attemptInput is the report of an attempt.
type attemptInput struct {
	Answers     map[string]string `json:"answers"`
	Disposition string            `json:"disposition"`
	CallbackAt  time.Time         `json:"callback_at"`
	Lines       []anxin.OrderLine `json:"lines"`
}

// apiReportAttempt answers POST /api/v1/tasks/attempts/{id}: the answers
// and how the call ended; the answers' orders are made and the task moves
// on (409 when the lease ran out).
func (s *Server) apiReportAttempt(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in attemptInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	res, err := s.db.ReportAttempt(r.Context(), sc, id, store.OperatorOwner(sc.AccountID),
		store.AttemptReport{Answers: in.Answers, Disposition: in.Disposition, CallbackAt: in.CallbackAt, Lines: in.Lines})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) apiListScripts(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	list, err := s.db.FindScripts(r.Context(), sc)
	if err != nil {
		return err
	}
	writeList(w, list, len(list), 0, len(list))
	return nil
}

// scriptInput is a script's name and questions, as the API saves them.
type scriptInput struct {
	Name      string           `json:"name"`
	Questions []anxin.Question `json:"questions"`
}

func (s *Server) apiCreateScript(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	var in scriptInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	script := &anxin.Script{Name: in.Name, Questions: in.Questions}
	if err := s.saveScript(r, sc, script); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/scripts/%d", script.ID))
	writeJSON(w, http.StatusCreated, script)
	return nil
}

// apiGetScript answers GET /api/v1/scripts/{id}[?version=N] (default the
// latest).
func (s *Server) apiGetScript(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := 0
	if q := r.URL.Query().Get("version"); q != "" {
		if v, err = strconv.Atoi(q); err != nil || v < 1 {
			return anxin.Errorf(anxin.EINVALID, "version must be a positive number")
		}
	}
	script, err := s.db.FindScript(r.Context(), sc, id, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, script)
	return nil
}

// apiPutScript answers PUT /api/v1/scripts/{id}: a new version.
func (s *Server) apiPutScript(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.db.FindScript(r.Context(), sc, id, 0); err != nil {
		return err
	}
	var in scriptInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	script := &anxin.Script{ID: id, Name: in.Name, Questions: in.Questions}
	if err := s.saveScript(r, sc, script); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, script)
	return nil
}

// apiReassignTasks answers POST /api/v1/campaigns/{id}/tasks/reassign:
// an operator's tasks to another operator or the pool, or the next count
// pending tasks to an operator (store.Reassignment); audited.
func (s *Server) apiReassignTasks(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	var in store.Reassignment
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	got, err := s.reassign(r, c, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, got)
	return nil
}

// takeInput names the inbound call in which a task is taken.
type takeInput struct {
	CallID int64 `json:"call_id"`
}

// takenTask is a task taken in a call: the attempt to report, and the
// workspace page that shows it.
type takenTask struct {
	AttemptID int64       `json:"attempt_id"`
	Number    string      `json:"number"` // the calling number, masked
	Task      *anxin.Task `json:"task"`
	Workspace string      `json:"workspace"`
}

// apiTakeTask answers POST /api/v1/tasks/{id}/take: the task leased to
// the account as a new attempt of its inbound call {"call_id"}; 409 when
// someone else holds it, it is done, or its campaign is not running.
func (s *Server) apiTakeTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in takeInput
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	a, err := s.takeTask(r, id, in.CallID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, takenTask{AttemptID: a.ID, Number: maskCallNumber(a.Number), Task: a.Task, Workspace: workspaceURL(a)})
	return nil
}
