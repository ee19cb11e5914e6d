package web

import (
	"context"
	"io/fs"
	"net/http"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

func contextWithRoute(r *http.Request, route *string) context.Context {
	return context.WithValue(r.Context(), routeKey{}, route)
}

// routesBase registers health, metrics, static files and the home page.
func (s *Server) routesBase() {
	static, _ := fs.Sub(staticFiles, "static")
	fileServer := http.StripPrefix("/static/", http.FileServerFS(static))
	s.mux.Handle("GET /static/", s.metrics.route("GET /static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fileServer.ServeHTTP(w, r)
	})))
	s.handle("GET /healthz", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
		return nil
	})
	s.handle("GET /readyz", s.getReady)
	s.handle("GET /metrics", func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		st := s.db.Stats()
		s.metrics.writeTo(w, map[string]float64{
			"anxin_db_open_connections":   float64(st.OpenConnections),
			"anxin_db_in_use_connections": float64(st.InUse),
			"anxin_db_wait_count_total":   float64(st.WaitCount),
			"anxin_alarms_active":         s.activeAlarms(r.Context()),
		})
		return nil
	})
	s.page("GET /{$}", s.getHome)
	s.page("POST /notices/seen", s.postNoticesSeen)
	s.handle("GET /events", s.getEvents)
	s.routesSignin()
}

// getReady answers 200 when the database answers and its schema is the one
// this build expects, 503 otherwise.
func (s *Server) getReady(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("database unreachable\n"))
		return nil
	}
	if err := s.db.CheckSchema(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte(err.Error() + "\n"))
		return nil
	}
	w.Write([]byte("ready\n"))
	return nil
}

type homePage struct {
	*Page
	ScopeName string
	// Overdue counts the open overdue orders in scope; Notices are the
	// newest SLA notifications (staff only).
	Overdue int
	Notices []store.Notification
	// Unread counts the notifications since the viewer last marked them
	// read (at most 100: more), SeenAt is when that was.
	Unread int
	SeenAt time.Time
	// Alarms are the system's active alarms (web/alarms.go), for those
	// who may see them.
	Alarms []alarmView
	// DoorKnocks counts the door-knocks in the viewer's area, for those
	// who work them (web/doorknocks.go).
	DoorKnocks *store.KnockCounts
}

// IsNew reports whether a notification came after the viewer last marked
// the notifications read.
func (p *homePage) IsNew(n store.Notification) bool { return n.CreatedAt.After(p.SeenAt) }

func (s *Server) getHome(w http.ResponseWriter, r *http.Request) error {
	p := &homePage{Page: s.newPage(r, "home.title")}
	a := p.Account
	switch {
	case p.Scope.All:
		p.ScopeName = p.T("scope.all")
	case p.Scope.AssignedOnly:
		p.ScopeName = p.T("scope.assigned", a.Org.Name)
	default:
		p.ScopeName = a.Org.RegionName
	}
	_, overdue, err := s.db.FindOrders(r.Context(), p.Scope, anxin.OrderFilter{Overdue: true, Limit: 1})
	if err != nil {
		return err
	}
	p.Overdue = overdue
	if !p.Scope.AssignedOnly {
		if p.Notices, err = s.db.FindNotifications(r.Context(), p.Scope, 10); err != nil {
			return err
		}
		if p.SeenAt, err = s.db.NoticesSeen(r.Context(), a.ID); err != nil {
			return err
		}
		if p.Unread, err = s.db.CountUnread(r.Context(), p.Scope, p.SeenAt); err != nil {
			return err
		}
	}
	p.Alarms = s.homeAlarms(r, p.Page)
	p.DoorKnocks = s.homeDoorKnocks(r, p.Page)
	s.render(w, r, http.StatusOK, "home", p)
	return nil
}

// postNoticesSeen marks the viewer's notifications read up to now.
func (s *Server) postNoticesSeen(w http.ResponseWriter, r *http.Request) error {
	a := accountFrom(r.Context())
	if err := s.db.MarkNoticesSeen(r.Context(), a.ID, s.cfg.Now()); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
