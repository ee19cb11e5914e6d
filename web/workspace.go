package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
	"github.com/anxin-care/anxin/store"
)

// The operator's workspace (/campaigns/{id}/work) for campaigns in
// preview and manual mode: "next task" leases the campaign's next due
// elder to the operator ("account:<id>") for workLease and shows the
// elder's card, the script in the elder's dialect, the task's earlier
// attempts and the elder's answers in earlier campaigns. In preview mode
// a button calls the elder through Anxin (click-to-call); in manual mode
// the number is shown in full and the operator dials it herself — the
// attempt records who was given which number when. The answers and one
// click (or digit key) for how the call ended finish the attempt, carry
// out the answers' actions, and lease the next task at once — in a
// progressive campaign Anxin leases it and calls the elder itself
// (workspace_dialling.go).

// workLease is how long an operator holds a task.
const workLease = 15 * time.Minute

func (s *Server) routesWorkspace() {
	s.page("GET /campaigns/{id}/work", s.getWorkspace)
	s.page("POST /campaigns/{id}/work/next", s.postWorkNext)
	s.page("POST /campaigns/{id}/work/release", s.postWorkRelease)
	s.page("POST /campaigns/{id}/work/start", s.postWorkStart)
	s.page("POST /campaigns/{id}/work/stop", s.postWorkStop)
	s.page("POST /campaigns/{id}/work/{attempt}", s.postWorkReport)
	s.page("POST /campaigns/{id}/work/{attempt}/call", s.postWorkCall)
}

// dialectLang returns the script language for an elder's dialect
// (anxin.DialectLang).
func dialectLang(dialect string) string { return anxin.DialectLang(dialect) }

// workScopeOf returns the campaign and the scope of someone who works it.
func (s *Server) workScopeOf(r *http.Request) (anxin.Scope, *anxin.Campaign, error) {
	sc, c, err := s.campaignOf(r)
	if err != nil {
		return sc, nil, err
	}
	if !worksCampaign(sc, c) || c.Mode == anxin.DialAgentless {
		return sc, nil, anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_work_forbidden",
			"Operators, supervisors and community staff of the campaign's area call its elders, unless the machine does.")
	}
	return sc, c, nil
}

// workspacePage is the workspace: the start (Attempt nil) or a task in
// hand.
type workspacePage struct {
	*Page
	C       *anxin.Campaign
	Attempt *store.Attempt
	Elder   *anxin.Elder
	Age     int
	// Number is the number this attempt rings: masked in preview mode,
	// in full for the operator to dial in manual mode.
	Number    string
	Manual    bool
	Lang      string
	LangLabel string
	// ScriptVersion is the version of the script the task asks (not
	// Page.Version, the software's, in the footer).
	ScriptVersion int
	Questions     []wsQuestion
	Packages      []*anxin.CatalogueItem
	Quantities    map[int64]int
	History       []store.AttemptRecord
	Earlier       []earlierAnswer
	Buttons       []dispButton
	CallbackAt    string
	Error         string
	// Progressive is a progressive campaign worked by an operator: Anxin
	// calls its elders for her once she starts dialling (Dialling), while
	// she is ready (AgentState); Calling names the elder whose phone it
	// rings for her now. See workspace_dialling.go.
	Progressive bool
	Dialling    bool
	AgentState  string
	Calling     string
	// Called: the attempt has its call (dialled, or the elder's own
	// inbound call it was taken in): no call button.
	Called bool
	// Visit is the completed order a return-visit call asks about (nil for
	// other tasks, or when the operator may not see it); Completed is its
	// completion.
	Visit     *anxin.Order
	Completed *anxin.OrderEvent
}

// visitedOrder returns the order a return-visit task asks about and its
// last completion, as sc may see them; nil when sc may not.
func (s *Server) visitedOrder(ctx context.Context, sc anxin.Scope, id int64) (*anxin.Order, *anxin.OrderEvent, error) {
	o, err := s.db.FindOrder(ctx, sc, id)
	if anxin.ErrorCode(err) == anxin.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	events, err := s.db.OrderEvents(ctx, sc, id)
	if err != nil {
		return nil, nil, err
	}
	var done *anxin.OrderEvent
	for i := range events {
		if events[i].Action == anxin.ActComplete {
			done = &events[i]
		}
	}
	return o, done, nil
}

// wsQuestion is a question as the operator asks it.
type wsQuestion struct {
	Key, Type string
	Text      string // in the elder's language
	Mandarin  string // the Mandarin wording when Text is another
	Next      string // the next question, numbered and worded (nextLabel); "" the end
	Options   []wsOption
	Value     string // a number or text answer as typed
}

type wsOption struct {
	Key, Text string
	Checked   bool
	Next      string // the question it leads to
	Acts      []string
}

// Input is the type of a number or text question's input.
func (q wsQuestion) Input() string {
	if q.Type == anxin.QuestionNumber {
		return "number"
	}
	return "text"
}

// Multi reports whether several options may be chosen.
func (q wsQuestion) Multi() bool { return q.Type == anxin.QuestionMulti }

// Choice reports whether the question has options.
func (q wsQuestion) Choice() bool { return len(q.Options) > 0 }

// earlierAnswer is an answer the elder gave in an earlier campaign.
type earlierAnswer struct {
	Campaign, Question, Answer string
	At                         time.Time
}

// dispButton is a disposition's button with its digit key.
type dispButton struct {
	Key, Label, Digit string
	Confirm           string // asked first, for outcomes that change the elder
}

func (s *Server) getWorkspace(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	owner := store.OperatorOwner(sc.AccountID)
	var a *store.Attempt
	var refused error
	if id, qerr := queryID(r, "attempt"); qerr != nil {
		return qerr
	} else if id != 0 {
		if a, err = s.db.OpenAttempt(r.Context(), c.ID, id, owner); anxin.ErrorCode(err) == anxin.ECONFLICT {
			refused, a = err, nil
		} else if err != nil {
			return err
		}
	} else if a, err = s.db.HeldAttempt(r.Context(), c.ID, owner); err != nil {
		return err
	}
	p, err := s.workspacePage(r, sc, c, a, nil)
	if err != nil {
		return err
	}
	if refused != nil {
		p.Error = s.msgs.userMessage(p.Lang, refused)
	}
	s.render(w, r, http.StatusOK, "workspace", p)
	return nil
}

// workspacePage fills the workspace for attempt a (nil: the start), the
// answers as posted when a report was refused.
func (s *Server) workspacePage(r *http.Request, sc anxin.Scope, c *anxin.Campaign, a *store.Attempt, posted url.Values) (*workspacePage, error) {
	p := &workspacePage{Page: s.newPage(r, "workspace.title"), C: c, Attempt: a, Manual: c.Mode == anxin.DialManual}
	p.Title = p.T("workspace.title_of", c.Name)
	ctx := r.Context()
	if err := s.diallingPage(ctx, sc, c, p); err != nil {
		return nil, err
	}
	if a = p.Attempt; a == nil {
		return p, nil
	}
	call, err := s.db.AttemptCallID(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	p.Called = call != 0
	e, err := s.db.FindElder(ctx, sc, a.Task.ElderID)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	p.Elder, p.Age = shownElder(sc, e, false), ageOn(e.BirthDate, now)
	p.Number = phone.Mask(a.Number)
	if p.Manual {
		p.Number = a.Number
	}
	p.Lang = dialectLang(e.Dialect)
	p.LangLabel = langLabel(p.Page, p.Lang)
	script, err := s.db.TaskScript(ctx, c, a.Task.ID)
	if err != nil {
		return nil, err
	}
	supply := false
	if script != nil {
		p.ScriptVersion = script.Version
		for _, q := range script.Questions {
			p.Questions = append(p.Questions, s.wsQuestion(p.Page, script, q, p.Lang, posted))
			for _, o := range q.Options {
				supply = supply || slices.ContainsFunc(o.Actions, func(a anxin.Action) bool { return a.Kind == anxin.ActSupplyOrder })
			}
		}
	}
	if supply {
		if p.Packages, err = s.offeredPackages(ctx, e.RegionCode); err != nil {
			return nil, err
		}
		p.Quantities = map[int64]int{}
		if lines, err := readLines(&http.Request{PostForm: posted}); err == nil {
			for _, l := range lines {
				p.Quantities[l.ItemID] = l.Quantity
			}
		}
	}
	if a.Task.OrderID != 0 {
		if p.Visit, p.Completed, err = s.visitedOrder(ctx, sc, a.Task.OrderID); err != nil {
			return nil, err
		}
	}
	if p.History, err = s.db.TaskAttempts(ctx, a.Task.ID); err != nil {
		return nil, err
	}
	for i := range p.History {
		p.History[i].Number = phone.Mask(p.History[i].Number)
	}
	if p.Earlier, err = s.earlierAnswers(ctx, e.ID, a.Task.ID); err != nil {
		return nil, err
	}
	for i, d := range anxin.Dispositions() {
		b := dispButton{Key: d, Label: p.T("campaigns.disp." + d), Digit: fmt.Sprint(i + 1)}
		if d == anxin.DispMoved || d == anxin.DispDeceased {
			b.Confirm = p.T("workspace.confirm_status", b.Label)
		}
		p.Buttons = append(p.Buttons, b)
	}
	p.CallbackAt = posted.Get("callback_at")
	if p.CallbackAt == "" {
		l := now.In(chinaTime).AddDate(0, 0, 1)
		p.CallbackAt = time.Date(l.Year(), l.Month(), l.Day(), 10, 0, 0, 0, chinaTime).Format("2006-01-02T15:04")
	}
	return p, nil
}

// wsQuestion words a question in lang, with what was posted.
func (s *Server) wsQuestion(p *Page, script *anxin.Script, q anxin.Question, lang string, posted url.Values) wsQuestion {
	out := wsQuestion{Key: q.Key, Type: q.Type, Text: anxin.Wording(q.Text, lang), Next: nextLabel(script, q.Next, lang)}
	if zh := anxin.Wording(q.Text, anxin.LangMandarin); zh != out.Text {
		out.Mandarin = zh
	}
	chosen := posted["a_"+q.Key]
	out.Value = posted.Get("a_" + q.Key)
	for _, o := range q.Options {
		wo := wsOption{Key: o.Key, Text: anxin.Wording(o.Text, lang), Checked: slices.Contains(chosen, o.Key), Next: nextLabel(script, o.Next, lang)}
		for _, a := range o.Actions {
			wo.Acts = append(wo.Acts, actionLabel(p, a))
		}
		out.Options = append(out.Options, wo)
	}
	return out
}

// nextLabel names the question of key for the operator: its number and
// the start of its wording ("3. 您身体还好吗？"); "" for none.
func nextLabel(script *anxin.Script, key, lang string) string {
	if key == "" || script == nil {
		return ""
	}
	for i, q := range script.Questions {
		if q.Key == key {
			text := []rune(anxin.Wording(q.Text, lang))
			if len(text) > 16 {
				text = append(text[:16], '…')
			}
			return fmt.Sprintf("%d. %s", i+1, string(text))
		}
	}
	return key
}

// actionLabel says what an action will do, for the operator.
func actionLabel(p *Page, a anxin.Action) string {
	label := p.T("scripts.act." + a.Kind)
	switch {
	case a.Kind == anxin.ActEscalation && a.Urgency != "":
		label += " · " + p.T("orders.urgency."+a.Urgency)
	case a.Kind == anxin.ActUpdateElder && a.Status != "":
		label += " · " + p.T("elders.status."+a.Status)
	case a.Kind == anxin.ActWorkOrder && a.Category != "":
		label += " · " + a.Category
	}
	if a.Note != "" {
		label += " · " + a.Note
	}
	return label
}

// offeredPackages lists the supply packages offered where the elder
// lives.
func (s *Server) offeredPackages(ctx context.Context, region string) ([]*anxin.CatalogueItem, error) {
	items, _, err := s.db.FindItems(ctx, anxin.SystemScope(), anxin.ItemFilter{Family: anxin.FamilySupply, Within: region, Offered: true, Limit: 200})
	if err != nil {
		return nil, err
	}
	var out []*anxin.CatalogueItem
	for _, it := range items {
		if anxin.RegionWithin(region, it.AreaCode) {
			out = append(out, it)
		}
	}
	return out, nil
}

// earlierAnswers words the elder's answers in other campaigns.
func (s *Server) earlierAnswers(ctx context.Context, elderID, taskID int64) ([]earlierAnswer, error) {
	answers, err := s.db.ElderAnswers(ctx, elderID, taskID, 20)
	if err != nil {
		return nil, err
	}
	type version struct {
		id int64
		v  int
	}
	scripts := map[version]*anxin.Script{}
	var out []earlierAnswer
	for _, x := range answers {
		e := earlierAnswer{Campaign: x.CampaignName, Question: x.Question, Answer: x.Value, At: x.At}
		k := version{x.ScriptID, x.Version}
		sc, ok := scripts[k]
		if !ok && x.ScriptID != 0 && x.Version > 0 {
			if sc, err = s.db.Script(ctx, x.ScriptID, x.Version); err != nil && anxin.ErrorCode(err) != anxin.ENOTFOUND {
				return nil, err
			}
			scripts[k] = sc
		}
		if sc != nil {
			if q, ok := sc.Question(x.Question); ok {
				e.Question = anxin.Wording(q.Text, anxin.LangMandarin)
			}
			e.Answer = answerLabel(sc, x.Question, x.Value)
		}
		out = append(out, e)
	}
	return out, nil
}

// nextAttempt returns the attempt the operator holds in the campaign, or
// leases her the next due task; nil when none is due.
func (s *Server) nextAttempt(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) (*store.Attempt, error) {
	owner := store.OperatorOwner(sc.AccountID)
	if a, err := s.db.HeldAttempt(ctx, c.ID, owner); err != nil || a != nil {
		return a, err
	}
	return s.db.NextTask(ctx, c.ID, owner, workLease)
}

func (s *Server) postWorkNext(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	return s.goToNext(w, r, sc, c, "")
}

// goToNext leases the next task and shows it, with a flash.
func (s *Server) goToNext(w http.ResponseWriter, r *http.Request, sc anxin.Scope, c *anxin.Campaign, flash string) error {
	if dialling, err := s.dialling(r.Context(), sc, c); err != nil {
		return err
	} else if dialling {
		return s.backToDialling(w, r, c, flash)
	}
	a, err := s.nextAttempt(r.Context(), sc, c)
	if err != nil {
		return err
	}
	u := fmt.Sprintf("/campaigns/%d/work", c.ID)
	q := url.Values{}
	if a != nil {
		q.Set("attempt", fmt.Sprint(a.ID))
	} else if flash == "" {
		flash = "no_task"
	} else {
		flash += "_none"
	}
	if flash != "" {
		q.Set("flash", flash)
	}
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

// workForm reads the answers, the disposition, the callback time and the
// picked packages of a report.
func workForm(r *http.Request) (store.AttemptReport, error) {
	rep := store.AttemptReport{Answers: map[string]string{}, Disposition: r.PostFormValue("disposition")}
	for k, vs := range r.PostForm {
		if q, ok := strings.CutPrefix(k, "a_"); ok {
			rep.Answers[q] = strings.Join(nonBlank(vs), ",")
		}
	}
	if rep.Disposition == anxin.DispCallback {
		at, err := time.ParseInLocation("2006-01-02T15:04", r.PostFormValue("callback_at"), chinaTime)
		if err != nil {
			return rep, anxin.ErrorKey(anxin.EINVALID, "err.callback_time", "A callback needs the time the elder asked to be called.")
		}
		rep.CallbackAt = at.UTC()
	}
	lines, err := readLines(r)
	rep.Lines = lines
	return rep, err
}

func (s *Server) postWorkReport(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "attempt")
	if err != nil {
		return err
	}
	rep, err := workForm(r)
	if err == nil {
		_, err = s.db.ReportAttempt(r.Context(), sc, id, store.OperatorOwner(sc.AccountID), rep)
	}
	switch {
	case err == nil:
		return s.goToNext(w, r, sc, c, "attempt_saved")
	case anxin.ErrorCode(err) == anxin.ECONFLICT:
		// The lease ran out and someone else has the task: on to the next.
		return s.goToNext(w, r, sc, c, "task_lease_lost")
	case !showInForm(err):
		return err
	}
	a, aerr := s.db.OpenAttempt(r.Context(), c.ID, id, store.OperatorOwner(sc.AccountID))
	if aerr != nil {
		return aerr
	}
	p, perr := s.workspacePage(r, sc, c, a, r.PostForm)
	if perr != nil {
		return perr
	}
	p.Error = s.msgs.userMessage(p.Lang, err)
	s.render(w, r, ErrorStatus(err), "workspace", p)
	return nil
}

// postWorkCall calls the elder of the attempt through Anxin: the
// operator's phone first, then the elder (preview mode).
func (s *Server) postWorkCall(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "attempt")
	if err != nil {
		return err
	}
	owner := store.OperatorOwner(sc.AccountID)
	a, err := s.db.OpenAttempt(r.Context(), c.ID, id, owner)
	if anxin.ErrorCode(err) == anxin.ECONFLICT {
		return s.goToNext(w, r, sc, c, "task_lease_lost")
	} else if err != nil {
		return err
	}
	// One call per attempt: a double click, or an attempt taken in the
	// elder's own inbound call, is not dialled again.
	if _, busy := s.callingAttempts.LoadOrStore(a.ID, struct{}{}); busy {
		http.Redirect(w, r, fmt.Sprintf("/campaigns/%d/work?attempt=%d&flash=calling", c.ID, a.ID), http.StatusSeeOther)
		return nil
	}
	defer s.callingAttempts.Delete(a.ID)
	if linked, err := s.db.AttemptCallID(r.Context(), a.ID); err != nil {
		return err
	} else if linked != 0 {
		http.Redirect(w, r, fmt.Sprintf("/campaigns/%d/work?attempt=%d&flash=already_called", c.ID, a.ID), http.StatusSeeOther)
		return nil
	}
	callID, err := s.callOut(r, a.Number, a.Task.ElderID, 0)
	if err != nil {
		if !showInForm(err) && anxin.ErrorCode(err) != anxin.EUNAVAILABLE {
			return err
		}
		p, perr := s.workspacePage(r, sc, c, a, nil)
		if perr != nil {
			return perr
		}
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "workspace", p)
		return nil
	}
	if err := s.db.LinkAttemptCall(r.Context(), a.ID, owner, callID); err != nil && anxin.ErrorCode(err) != anxin.ECONFLICT {
		s.log.Warn("link campaign call", "attempt", a.ID, "call", callID, "err", err)
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d/work?attempt=%d&flash=calling", c.ID, a.ID), http.StatusSeeOther)
	return nil
}

// postWorkRelease gives the operator's tasks back (she stops calling).
func (s *Server) postWorkRelease(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.workScopeOf(r)
	if err != nil {
		return err
	}
	if _, err := s.db.ReleaseLeases(r.Context(), store.OperatorOwner(sc.AccountID)); err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d?flash=tasks_released", c.ID), http.StatusSeeOther)
	return nil
}
