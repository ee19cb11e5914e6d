package web

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

// Call records in the console (/calls) and their recordings: staff of an
// area see its calls, numbers masked; a recording plays in the browser and
// every playback is audited (a player's later range requests for the same
// recording are not counted again).

func (s *Server) routesCalls() {
	s.page("GET /calls", s.getCalls)
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
