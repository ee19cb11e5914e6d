package web

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
	"github.com/anxin-care/anxin/store"
)

// Call records in the console (/calls) and their recordings: staff of an
// area see its calls, numbers masked; a recording plays in the browser and
// every playback is audited (a player's later range requests for the same
// recording are not counted again). A call's page shows the elder it came
// from with her open campaign tasks: the operator on an inbound call takes
// one as an attempt of that call and works it in the campaign's workspace.

func (s *Server) routesCalls() {
	s.page("GET /calls", s.getCalls)
	s.page("GET /calls/{id}", s.getCall)
	s.page("POST /tasks/{id}/take", s.postTakeTask)
	s.page("GET /calls/{id}/recording", s.getRecording)
	s.api("GET /api/v1/calls/{id}/recording", s.getRecording)
}

type callRow struct {
	*anxin.Call
	Duration   time.Duration
	QueueLabel string
}

// queueLabels returns what names a queue in lang: the console's words for
// the built-in queues, else the label an administrator gave it, else its
// name.
func (s *Server) queueLabels(ctx context.Context, lang string) func(name string) string {
	labels := map[string]string{}
	if qs, err := s.db.Queues(ctx); err == nil {
		for _, q := range qs {
			labels[q.Name] = q.Label
		}
	}
	return func(name string) string {
		if m, ok := s.msgs.lookup(lang, "calls.queue."+name); ok {
			return m
		}
		if l := labels[name]; l != "" {
			return l
		}
		return name
	}
}

type callsPage struct {
	*Page
	Calls []callRow
	Pager listPager
}

func (s *Server) getCalls(w http.ResponseWriter, r *http.Request) error {
	sc := scopeOf(r)
	if sc.AssignedOnly {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.calls_staff_only", "Call records are for hotline and community staff.")
	}
	f := anxin.CallFilter{}
	f.Offset, f.Limit = pageParams(r)
	calls, total, err := s.db.FindCalls(r.Context(), sc, f)
	if err != nil {
		return err
	}
	p := &callsPage{Page: s.newPage(r, "calls.title"), Pager: newListPager(r.URL, len(calls), total, f.Offset, f.Limit)}
	label := s.queueLabels(r.Context(), p.Lang)
	for _, c := range calls {
		p.Calls = append(p.Calls, callRow{Call: shownCall(c, false), Duration: c.Duration().Round(time.Second), QueueLabel: label(c.Queue)})
	}
	if total > anxin.MaxOrderCount {
		p.Pager.Total, p.Pager.More = anxin.MaxOrderCount, true
	}
	s.render(w, r, http.StatusOK, "calls", p)
	return nil
}

// getRecording serves a call's recording (WAV), audited.
func (s *Server) getRecording(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.db.FindCall(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	if c.Recording == "" || s.cfg.RecordDir == "" || !filepath.IsLocal(filepath.FromSlash(c.Recording)) {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.recording_not_found", "Call %d has no recording.", id)
	}
	f, err := os.Open(filepath.Join(s.cfg.RecordDir, filepath.FromSlash(c.Recording)))
	if err != nil {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.recording_not_found", "Call %d has no recording.", id)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if rg := r.Header.Get("Range"); rg == "" || strings.HasPrefix(rg, "bytes=0-") {
		if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditPlayback, TargetType: "call", TargetID: strconv.FormatInt(id, 10),
			Detail: c.Recording}); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "audio/wav")
	w.Header().Set("Cache-Control", "no-store")
	http.ServeContent(w, r, "", st.ModTime(), f)
	return nil
}

// callPage is one call: its record and, for an inbound call, the elders
// the number matches with their open campaign tasks.
type callPage struct {
	*Page
	Call    callRow
	Inbound bool
	Elders  []callElder
	Error   string
}

// callElder is an elder a call came from, with the campaign tasks the
// viewer may complete in it.
type callElder struct {
	*anxin.Elder
	Tasks []callTask
}

// callTask is an open task and whether the viewer may take it now.
type callTask struct {
	store.OpenTask
	Mine, HeldByOther bool
}

func (s *Server) getCall(w http.ResponseWriter, r *http.Request) error {
	return s.renderCall(w, r, http.StatusOK, nil)
}

// renderCall shows the call of the path's id, with the reason a take was
// refused.
func (s *Server) renderCall(w http.ResponseWriter, r *http.Request, status int, refused error) error {
	sc := scopeOf(r)
	if sc.AssignedOnly {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.calls_staff_only", "Call records are for hotline and community staff.")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.db.FindCall(r.Context(), sc, id)
	if err != nil {
		return err
	}
	p := &callPage{Page: s.newPage(r, "calls.title"), Inbound: c.Direction == anxin.CallInbound && c.Leg == anxin.LegCaller}
	label := s.queueLabels(r.Context(), p.Lang)
	p.Call = callRow{Call: shownCall(c, false), Duration: c.Duration().Round(time.Second), QueueLabel: label(c.Queue)}
	p.Title = p.T("calltask.call_title", c.StartedAt.In(chinaTime).Format("2006-01-02 15:04"))
	if p.Inbound {
		if p.Elders, err = s.callElders(r.Context(), sc, c); err != nil {
			return err
		}
	}
	if refused != nil {
		p.Error = s.msgs.userMessage(p.Lang, refused)
	}
	s.render(w, r, status, "call", p)
	return nil
}

// callElders returns the elders an inbound call came from — the one its
// record names, else those its number matches in sc's area — with the
// open tasks of campaigns sc works.
func (s *Server) callElders(ctx context.Context, sc anxin.Scope, c *anxin.Call) ([]callElder, error) {
	var elders []*anxin.Elder
	if c.ElderID != 0 {
		e, err := s.db.FindElder(ctx, sc, c.ElderID)
		if err != nil && anxin.ErrorCode(err) != anxin.ENOTFOUND {
			return nil, err
		}
		if e != nil {
			elders = append(elders, e)
		}
	} else if cands := phone.Candidates(c.FromNumber, phone.AreaCode(sc.Region)); len(cands) > 0 {
		var err error
		if elders, err = s.db.LookupPhone(ctx, sc, cands...); err != nil {
			return nil, err
		}
	}
	out := make([]callElder, 0, len(elders))
	for _, e := range elders {
		tasks, err := s.workableTasks(ctx, sc, e.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, callElder{Elder: shownElder(sc, e, false), Tasks: tasks})
	}
	return out, nil
}

// workableTasks returns the elder's open tasks in the campaigns sc works
// by hand.
func (s *Server) workableTasks(ctx context.Context, sc anxin.Scope, elderID int64) ([]callTask, error) {
	open, err := s.db.ElderOpenTasks(ctx, sc, elderID)
	if err != nil {
		return nil, err
	}
	owner := store.OperatorOwner(sc.AccountID)
	var out []callTask
	for _, t := range open {
		if !worksCampaign(sc, &anxin.Campaign{RegionCode: t.CampaignRegion}) {
			continue
		}
		held := t.State == anxin.TaskLeased
		out = append(out, callTask{OpenTask: t, Mine: held && t.LeaseOwner == owner, HeldByOther: held && t.LeaseOwner != owner})
	}
	return out, nil
}

// postTakeTask takes a task in the call the form names and opens it in
// the campaign's workspace.
func (s *Server) postTakeTask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	callID, _ := strconv.ParseInt(r.PostFormValue("call"), 10, 64)
	a, err := s.takeTask(r, id, callID)
	if err != nil {
		if showInForm(err) && callID > 0 {
			r.SetPathValue("id", strconv.FormatInt(callID, 10))
			return s.renderCall(w, r, ErrorStatus(err), err)
		}
		return err
	}
	http.Redirect(w, r, workspaceURL(a), http.StatusSeeOther)
	return nil
}

// workspaceURL is the campaign workspace showing an attempt.
func workspaceURL(a *store.Attempt) string {
	return fmt.Sprintf("/campaigns/%d/work?attempt=%d", a.Task.CampaignID, a.ID)
}

// takeTask takes task id for the signed-in account as an attempt of her
// inbound call callID: the call and the task's campaign must be hers to
// see, and the campaign one she works by hand.
func (s *Server) takeTask(r *http.Request, id, callID int64) (*store.Attempt, error) {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return nil, err
	}
	if callID <= 0 {
		return nil, anxin.ErrorKey(anxin.EINVALID, "err.take_call_missing", "Name the call the elder made, in which the task is done.")
	}
	ctx := r.Context()
	if _, err := s.db.FindCall(ctx, sc, callID); err != nil {
		return nil, err
	}
	t, err := s.db.FindTask(ctx, sc, id)
	if err != nil {
		return nil, err
	}
	c, err := s.db.FindCampaign(ctx, sc, t.CampaignID)
	if err != nil {
		return nil, err
	}
	if !worksCampaign(sc, c) || c.Mode == anxin.DialAgentless {
		return nil, anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_work_forbidden",
			"Operators, supervisors and community staff of the campaign's area call its elders, unless the machine does.")
	}
	return s.db.TakeTask(ctx, id, store.OperatorOwner(sc.AccountID), callID)
}
