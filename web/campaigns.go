package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// Outbound campaigns in the console (issue 6): the list everyone in an
// area sees, the builder and the live view of those who run campaigns
// (supervisors, administrators, community staff), and the operators'
// workspace (workspace.go); scripts are scripts.go. The store decides who
// may do what; the pages only offer what it would allow.

// Audit actions of campaigns and scripts.
const (
	auditCampaignCreate = "campaign.create"
	auditCampaignUpdate = "campaign.update"
	auditCampaignState  = "campaign.state"
	auditCampaignTasks  = "campaign.tasks"
	auditCampaignAssign = "campaign.reassign"
	auditScriptSave     = "script.save"
)

// routesCampaigns registers the campaign pages, the scripts, the
// workspace and their API.
func (s *Server) routesCampaigns() {
	s.page("GET /campaigns", s.getCampaigns)
	s.page("GET /campaigns/new", s.getCampaignNew)
	s.page("POST /campaigns", s.postCampaign)
	s.page("GET /campaigns/count", s.getCampaignCount)
	s.page("GET /campaigns/{id}", s.getCampaign)
	s.page("GET /campaigns/{id}/count", s.getCampaignTargetCount)
	s.page("GET /campaigns/{id}/edit", s.getCampaignEdit)
	s.page("POST /campaigns/{id}", s.postCampaign)
	s.page("POST /campaigns/{id}/state", s.postCampaignState)
	s.page("POST /campaigns/{id}/tasks", s.postCampaignTasks)
	s.page("POST /campaigns/{id}/reassign", s.postCampaignReassign)
	s.routesWorkspace()
	s.routesScripts()
	s.apiCampaigns()
}

// campaignsScopeOf returns the scope of hotline and community staff;
// providers, suppliers and volunteers have no campaigns.
func campaignsScopeOf(r *http.Request) (anxin.Scope, error) {
	sc := scopeOf(r)
	if sc.AssignedOnly {
		return sc, anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaigns_staff_only", "Campaigns are for hotline and community staff.")
	}
	return sc, nil
}

// runsCampaigns reports whether sc creates and changes campaigns, as the
// store decides.
func runsCampaigns(sc anxin.Scope) bool {
	return !sc.AssignedOnly && (sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleAdmin) || sc.Has(anxin.RoleCommunity))
}

// runsCampaign reports whether sc changes campaign c: one over its area.
func runsCampaign(sc anxin.Scope, c *anxin.Campaign) bool {
	return runsCampaigns(sc) && sc.CoversRegion(c.RegionCode)
}

// worksCampaign reports whether sc calls the elders of campaign c:
// operators, supervisors and community staff whose area covers the
// campaign's (every elder of its tasks is theirs to see).
func worksCampaign(sc anxin.Scope, c *anxin.Campaign) bool {
	return !sc.AssignedOnly && (sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleCommunity)) &&
		sc.CoversRegion(c.RegionCode)
}

// nextStates are the states a campaign can be moved to from each state,
// in the order the buttons show them.
var nextStates = map[string][]string{
	anxin.CampaignDraft:   {anxin.CampaignRunning, anxin.CampaignEnded},
	anxin.CampaignRunning: {anxin.CampaignPaused, anxin.CampaignEnded},
	anxin.CampaignPaused:  {anxin.CampaignRunning, anxin.CampaignEnded},
	anxin.CampaignEnded:   {anxin.CampaignArchived},
}

// regionNames names region codes, reading each once.
type regionNames struct {
	s     *Server
	names map[string]string
}

func (s *Server) newRegionNames() *regionNames { return &regionNames{s: s, names: map[string]string{}} }

// name returns the region's name, its code when unknown.
func (n *regionNames) name(ctx context.Context, code string) string {
	if v, ok := n.names[code]; ok {
		return v
	}
	v := code
	if r, err := n.s.db.FindRegion(ctx, code); err == nil {
		v = r.Name
	}
	n.names[code] = v
	return v
}

type campaignsPage struct {
	*Page
	Rows      []campaignRow
	CanCreate bool
}

// campaignRow is one campaign of the list.
type campaignRow struct {
	*anxin.Campaign
	AreaName string
	Progress store.CampaignProgress
}

func (s *Server) getCampaigns(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	cs, err := s.db.FindCampaigns(r.Context(), sc)
	if err != nil {
		return err
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	progress, err := s.db.CampaignsProgress(r.Context(), sc, ids)
	if err != nil {
		return err
	}
	p := &campaignsPage{Page: s.newPage(r, "campaigns.title"), CanCreate: runsCampaigns(sc)}
	names := s.newRegionNames()
	for _, c := range cs {
		p.Rows = append(p.Rows, campaignRow{Campaign: c, AreaName: names.name(r.Context(), c.RegionCode), Progress: progress[c.ID]})
	}
	s.render(w, r, http.StatusOK, "campaigns", p)
	return nil
}

// campaignOf reads the campaign of the path's id in the request's scope
// (none for providers and suppliers: ENOTFOUND).
func (s *Server) campaignOf(r *http.Request) (anxin.Scope, *anxin.Campaign, error) {
	sc := scopeOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return sc, nil, err
	}
	c, err := s.db.FindCampaign(r.Context(), sc, id)
	return sc, c, err
}

// getCampaignTargetCount answers how many elders a campaign's target
// selects now, for a draft's page (the count may take seconds for a
// city-wide target, so the page asks for it after it has loaded).
func (s *Server) getCampaignTargetCount(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.campaignOf(r)
	var n int
	if err == nil {
		n, err = s.countTarget(r.Context(), sc, c)
	}
	if err != nil {
		if anxin.ErrorCode(err) == anxin.EINTERNAL {
			return err
		}
		writeJSON(w, ErrorStatus(err), map[string]string{"error": s.msgs.userMessage(s.locale(r), err)})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
	return nil
}

// campaignPage is the live view of a campaign.
type campaignPage struct {
	*Page
	// AreaOnly names the viewer's area when the figures count only its
	// elders (a committee looking at a city's campaign).
	AreaOnly string
	C        *anxin.Campaign
	AreaName string
	Script   *anxin.Script // the campaign's script, latest version
	Stats    *store.CampaignStats
	// States and Dispositions are the counts in display order.
	States       []labelCount
	Dispositions []labelCount
	Orders       []labelCount
	Questions    []questionStats
	Callers      []store.CallerCount
	// Workers are whom the viewer may give the campaign's tasks to, and
	// Areas the parts of its area (committees of a street) to assign by,
	// when CanReassign.
	Workers     []store.Worker
	Areas       []*anxin.Region
	CanReassign bool
	Reassigned  string // what a reassignment moved
	// Failed are the elders no attempt reached, whose committee knocks
	// on the door (wellness and supply checks).
	Failed []*anxin.Task
	// Moves are the states the viewer may move the campaign to.
	Moves             []string
	CanRun, CanWork   bool
	CanBuild, CanEdit bool
	Built             string // "N" after building tasks
	Error             string
}

// labelCount is one counted thing with its label.
type labelCount struct {
	Key, Label string
	Count      int
}

// questionStats is the distribution of answers to one question under one
// script version.
type questionStats struct {
	Version int
	Key     string
	Text    string
	Total   int
	Values  []valueCount
	// Fixed: the values are the question's options in the script's order
	// (a scale reads 1 to 5, and rows keep their place as the page
	// refreshes); otherwise the commonest first.
	Fixed bool
	// Free: free-text answers, listed as said (no bars); More is how many
	// different answers are left off the list.
	Free bool
	More int
}

// maxFreeAnswers is how many different free-text answers the live view
// lists per question.
const maxFreeAnswers = 20

// add counts n answers of label.
func (q *questionStats) add(label string, n int) {
	for i := range q.Values {
		if q.Values[i].Label == label {
			q.Values[i].Count += n
			return
		}
	}
	q.Values = append(q.Values, valueCount{Label: label, Count: n})
}

// scriptQuestion returns the question of key in s (nil: none).
func scriptQuestion(s *anxin.Script, key string) (anxin.Question, bool) {
	if s == nil {
		return anxin.Question{}, false
	}
	return s.Question(key)
}

type valueCount struct {
	Label   string
	Count   int
	Percent int
}

func (s *Server) getCampaign(w http.ResponseWriter, r *http.Request) error {
	return s.renderCampaign(w, r, http.StatusOK, nil)
}

// renderCampaign shows the live view, with the reason an action was
// refused.
func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, status int, refused error) error {
	sc, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	p := &campaignPage{Page: s.newPage(r, "campaigns.title"), C: c, AreaName: s.newRegionNames().name(r.Context(), c.RegionCode)}
	p.Title = c.Name
	if p.Stats, err = s.db.CampaignStats(r.Context(), sc, c.ID); err != nil {
		return err
	}
	if p.Stats.Area != "" {
		p.AreaOnly = s.newRegionNames().name(r.Context(), p.Stats.Area)
	}
	if c.ScriptID != 0 {
		if p.Script, err = s.db.Script(r.Context(), c.ScriptID, 0); err != nil {
			return err
		}
	}
	for _, st := range []string{anxin.TaskPending, anxin.TaskLeased, anxin.TaskDone, anxin.TaskFailed} {
		p.States = append(p.States, labelCount{st, p.T("campaigns.task." + st), p.Stats.States[st]})
	}
	for _, d := range append(anxin.Dispositions(), anxin.DispInterrupted, store.DispReassigned) {
		if n := p.Stats.Dispositions[d]; n > 0 {
			p.Dispositions = append(p.Dispositions, labelCount{d, p.T("campaigns.disp." + d), n})
		}
	}
	for _, t := range anxin.OrderTypes {
		if n := p.Stats.Orders[t]; n > 0 {
			p.Orders = append(p.Orders, labelCount{t, p.T("orders.type." + t), n})
		}
	}
	if p.Questions, err = s.answerStats(r.Context(), c, p.Stats.Answers, p.T); err != nil {
		return err
	}
	p.Callers = p.Stats.Callers
	if p.Failed, err = s.db.FindTasks(r.Context(), sc, c.ID, anxin.TaskFailed, 50); err != nil {
		return err
	}
	p.CanRun, p.CanWork = runsCampaign(sc, c), worksCampaign(sc, c) && c.State == anxin.CampaignRunning && c.Mode != anxin.DialAgentless
	if p.CanRun {
		p.Moves = nextStates[c.State]
		p.CanBuild = c.State != anxin.CampaignEnded && c.State != anxin.CampaignArchived
		p.CanEdit = p.CanBuild
		p.CanReassign = p.CanBuild && c.Mode != anxin.DialAgentless
	}
	if p.CanReassign {
		if p.Workers, err = s.db.CampaignWorkers(r.Context(), sc, c); err != nil {
			return err
		}
		if p.Areas, err = s.db.FindRegions(r.Context(), anxin.RegionFilter{Parent: c.RegionCode, Limit: 500}); err != nil {
			return err
		}
	}
	if b := r.URL.Query().Get("built"); b != "" {
		if n, err := strconv.Atoi(b); err == nil {
			p.Built = p.T("campaigns.built", n)
		}
	}
	if m := r.URL.Query().Get("reassigned"); m != "" {
		var n [3]int
		if _, err := fmt.Sscanf(m, "%d,%d,%d", &n[0], &n[1], &n[2]); err == nil {
			p.Reassigned = p.T("campaigns.reassigned", n[0], n[1], n[2])
		}
	}
	if refused != nil {
		p.Error = s.msgs.userMessage(p.Lang, refused)
	}
	s.render(w, r, status, "campaign", p)
	return nil
}

// answerStats turns answer counts into tables per version and question,
// labelled with the wording of that version; the agentless check-in's key
// (question "checkin", no script) with t's words for it.
func (s *Server) answerStats(ctx context.Context, c *anxin.Campaign, counts []store.AnswerCount, t func(string, ...any) string) ([]questionStats, error) {
	scripts := map[int]*anxin.Script{}
	var out []questionStats
	for _, a := range counts {
		sc, ok := scripts[a.Version]
		if !ok && c.ScriptID != 0 && a.Version > 0 {
			var err error
			if sc, err = s.db.Script(ctx, c.ScriptID, a.Version); err != nil && anxin.ErrorCode(err) != anxin.ENOTFOUND {
				return nil, err
			}
			scripts[a.Version] = sc
		}
		if len(out) == 0 || out[len(out)-1].Version != a.Version || out[len(out)-1].Key != a.Question {
			q := questionStats{Version: a.Version, Key: a.Question, Text: a.Question}
			if qq, ok := scriptQuestion(sc, a.Question); ok {
				q.Text = anxin.Wording(qq.Text, anxin.LangMandarin)
				q.Free = qq.Type == anxin.QuestionText
				// Every option has its row, chosen or not.
				for _, o := range qq.Options {
					q.Values = append(q.Values, valueCount{Label: anxin.Wording(o.Text, anxin.LangMandarin)})
				}
				q.Fixed = len(qq.Options) > 0
			} else if a.Question == checkInAnswer {
				q.Text = t("campaigns.checkin_question")
				for _, k := range []string{anxin.CheckInWell, anxin.CheckInSupplies, anxin.CheckInHelp} {
					q.Values = append(q.Values, valueCount{Label: t("campaigns.checkin." + k)})
				}
				q.Fixed = true
			}
			out = append(out, q)
		}
		q := &out[len(out)-1]
		_, scripted := scriptQuestion(sc, a.Question)
		checkIn := a.Question == checkInAnswer && !scripted
		q.Total += a.Count
		// A multiple choice counts each option chosen (of the elders who
		// answered), not each combination.
		if qq, ok := scriptQuestion(sc, a.Question); ok && qq.Type == anxin.QuestionMulti {
			for _, k := range strings.Split(a.Value, ",") {
				q.add(answerLabel(sc, a.Question, k), a.Count)
			}
			continue
		}
		label := a.Value
		switch {
		case checkIn && slices.Contains([]string{anxin.CheckInWell, anxin.CheckInSupplies, anxin.CheckInHelp}, a.Value):
			label = t("campaigns.checkin." + a.Value)
		case sc != nil:
			label = answerLabel(sc, a.Question, a.Value)
		}
		q.add(label, a.Count)
	}
	// The questions in the order the script asks them, version by version.
	position := func(q questionStats) int {
		if qq := scripts[q.Version]; qq != nil {
			if i := slices.IndexFunc(qq.Questions, func(x anxin.Question) bool { return x.Key == q.Key }); i >= 0 {
				return i
			}
		}
		return len(out)
	}
	slices.SortStableFunc(out, func(a, b questionStats) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), cmp.Compare(position(a), position(b)))
	})
	for i := range out {
		for j := range out[i].Values {
			out[i].Values[j].Percent = out[i].Values[j].Count * 100 / max(out[i].Total, 1)
		}
		if !out[i].Fixed {
			slices.SortStableFunc(out[i].Values, func(a, b valueCount) int { return cmp.Compare(b.Count, a.Count) })
		}
		if out[i].Free && len(out[i].Values) > maxFreeAnswers {
			out[i].More = len(out[i].Values) - maxFreeAnswers
			out[i].Values = out[i].Values[:maxFreeAnswers]
		}
	}
	return out, nil
}

// checkInAnswer is the question the agentless check-in's key answers
// (callflow records it when a campaign has no script the machine asks).
const checkInAnswer = "checkin"

// answerLabel words a recorded answer: the options' Mandarin wording, or
// the value itself for numbers and text.
func answerLabel(s *anxin.Script, question, value string) string {
	q, ok := s.Question(question)
	if !ok || len(q.Options) == 0 {
		return value
	}
	var parts []string
	for _, k := range strings.Split(value, ",") {
		label := k
		for _, o := range q.Options {
			if o.Key == k {
				label = anxin.Wording(o.Text, anxin.LangMandarin)
			}
		}
		parts = append(parts, label)
	}
	return strings.Join(parts, "、")
}

func (s *Server) postCampaignState(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	state := r.PostFormValue("state")
	if err := s.setCampaignState(r, c, state); err != nil {
		if showInForm(err) {
			return s.renderCampaign(w, r, ErrorStatus(err), err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d?flash=campaign_%s", c.ID, state), http.StatusSeeOther)
	return nil
}

// setCampaignState moves a campaign and audits it. Starting a draft makes
// its tasks (building adds only elders without one, so tasks built before
// stay as they are); a satisfaction campaign without a target makes them
// from the return visits already due in its area, also when resumed
// (store.FeedsOnReturnVisits).
func (s *Server) setCampaignState(r *http.Request, c *anxin.Campaign, state string) error {
	if err := s.db.SetCampaignState(r.Context(), scopeOf(r), c.ID, state); err != nil {
		return err
	}
	s.audit(r, &anxin.AuditEntry{Action: auditCampaignState, TargetType: "campaign", TargetID: strconv.FormatInt(c.ID, 10),
		Detail: c.State + "→" + state})
	started := c.State == anxin.CampaignDraft && state == anxin.CampaignRunning
	c.State = state
	if started || state == anxin.CampaignRunning && store.FeedsOnReturnVisits(c) {
		if _, err := s.buildTasks(r, c); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) postCampaignTasks(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	n, err := s.buildTasks(r, c)
	if err != nil {
		if showInForm(err) {
			return s.renderCampaign(w, r, ErrorStatus(err), err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d?built=%d", c.ID, n), http.StatusSeeOther)
	return nil
}

// buildTasks makes the campaign's tasks and audits how many.
func (s *Server) buildTasks(r *http.Request, c *anxin.Campaign) (int, error) {
	n, err := s.db.BuildTasks(r.Context(), scopeOf(r), c.ID)
	if err != nil {
		return 0, err
	}
	s.audit(r, &anxin.AuditEntry{Action: auditCampaignTasks, TargetType: "campaign", TargetID: strconv.FormatInt(c.ID, 10),
		Detail: fmt.Sprintf("%d tasks", n)})
	return n, nil
}

// postCampaignReassign moves a campaign's work from the live view: an
// operator's tasks to another operator or the pool (from, to), or the
// next count pending tasks, of an area within, to an operator.
func (s *Server) postCampaignReassign(w http.ResponseWriter, r *http.Request) error {
	_, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	re, err := reassignForm(r)
	var got *store.Reassigned
	if err == nil {
		got, err = s.reassign(r, c, re)
	}
	if err != nil {
		if showInForm(err) {
			return s.renderCampaign(w, r, ErrorStatus(err), err)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d?reassigned=%d,%d,%d", c.ID, got.Released, got.Moved, got.Assigned), http.StatusSeeOther)
	return nil
}

// reassignForm reads a reassignment from the live view's forms.
func reassignForm(r *http.Request) (store.Reassignment, error) {
	var re store.Reassignment
	bad := anxin.ErrorKey(anxin.EINVALID, "err.reassign_form", "Choose the operators and how many tasks.")
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"from", &re.From}, {"to", &re.To}} {
		if v := r.PostFormValue(f.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return re, bad
			}
			*f.dst = n
		}
	}
	if v := strings.TrimSpace(r.PostFormValue("count")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return re, bad
		}
		re.Count = n
	}
	re.Within = r.PostFormValue("within")
	return re, nil
}

// reassign moves a campaign's work and audits what moved.
func (s *Server) reassign(r *http.Request, c *anxin.Campaign, re store.Reassignment) (*store.Reassigned, error) {
	got, err := s.db.ReassignTasks(r.Context(), scopeOf(r), c.ID, re)
	if err != nil {
		return nil, err
	}
	detail := fmt.Sprintf("from %d to %d: %d released, %d moved; %d of %d assigned", re.From, re.To, got.Released, got.Moved, got.Assigned, re.Count)
	if re.Within != "" {
		detail += " within " + re.Within
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: auditCampaignAssign, TargetType: "campaign", TargetID: strconv.FormatInt(c.ID, 10),
		Detail: detail}); err != nil {
		return nil, err
	}
	return got, nil
}
