package web

import (
	"context"
	"net/http"

	"github.com/anxin-care/anxin"
)

// System alarms (the recording disk full, a trunk down): the nodes raise
// and clear them (anxin.AlarmService); the console shows the active ones
// on the home page of those who may see them (anxin.Scope.SeesAlarms) and
// the history at /admin/alarms; GET /api/v1/alarms lists them.

func (s *Server) routesAlarms() {
	s.page("GET /admin/alarms", s.getAlarms)
}

func (s *Server) apiAlarms() {
	s.api("GET /api/v1/alarms", s.apiListAlarms)
}

// alarmView is an alarm with its message in the reader's language.
type alarmView struct {
	*anxin.Alarm
	Text string `json:"text"`
}

// alarmText formats an alarm's message in loc; an alarm whose message
// this build does not know shows its key and arguments.
func (s *Server) alarmText(loc string, a *anxin.Alarm) string {
	args := make([]any, len(a.Args))
	for i, v := range a.Args {
		args[i] = v
	}
	if m, ok := s.msgs.lookup(loc, a.Message, args...); ok {
		return m
	}
	text := a.Key
	for _, v := range a.Args {
		text += " · " + v
	}
	return text
}

func (s *Server) alarmViews(loc string, list []*anxin.Alarm) []alarmView {
	out := make([]alarmView, len(list))
	for i, a := range list {
		out[i] = alarmView{Alarm: a, Text: s.alarmText(loc, a)}
	}
	return out
}

// homeAlarms returns the active alarms for the home page of p's viewer:
// none for those who may not see them, nor when they cannot be read (the
// home page still opens; the log says why).
func (s *Server) homeAlarms(r *http.Request, p *Page) []alarmView {
	if !p.Scope.SeesAlarms() {
		return nil
	}
	list, err := s.db.ActiveAlarms(r.Context(), p.Scope)
	if err != nil {
		s.log.Warn("home: alarms", "err", err)
		return nil
	}
	return s.alarmViews(p.Lang, list)
}

type alarmsPage struct {
	*Page
	Alarms     []alarmView
	ActiveOnly bool
	Pager      listPager
}

// getAlarms lists the alarms, the newest first; ?active=1 only the active
// ones.
func (s *Server) getAlarms(w http.ResponseWriter, r *http.Request) error {
	f := anxin.AlarmFilter{ActiveOnly: r.URL.Query().Get("active") == "1"}
	f.Offset, f.Limit = pageParams(r)
	list, total, err := s.db.FindAlarms(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	p := &alarmsPage{Page: s.newPage(r, "alarms.title"), ActiveOnly: f.ActiveOnly,
		Pager: newListPager(r.URL, len(list), total, f.Offset, f.Limit)}
	p.Alarms = s.alarmViews(p.Lang, list)
	s.render(w, r, http.StatusOK, "alarms", p)
	return nil
}

// apiListAlarms lists the alarms, the newest first; ?active=true only the
// active ones.
func (s *Server) apiListAlarms(w http.ResponseWriter, r *http.Request) error {
	f := anxin.AlarmFilter{}
	switch v := r.URL.Query().Get("active"); v {
	case "", "false", "0":
	case "true", "1":
		f.ActiveOnly = true
	default:
		return anxin.Errorf(anxin.EINVALID, "active is true or false, not %q", truncate(v, 20))
	}
	f.Offset, f.Limit = pageParams(r)
	list, total, err := s.db.FindAlarms(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	writeList(w, s.alarmViews(s.locale(r), list), total, f.Offset, f.Limit)
	return nil
}

// activeAlarms counts the active alarms for /metrics (anxin_alarms_active);
// -1 when the database cannot say.
func (s *Server) activeAlarms(ctx context.Context) float64 {
	n, err := s.db.CountActiveAlarms(ctx)
	if err != nil {
		return -1
	}
	return float64(n)
}
