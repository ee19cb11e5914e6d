package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
)

// Config is what the web server needs from the program.
type Config struct {
	DB     *store.DB
	Hasher password.Hasher
	Logger *slog.Logger
	// Version is shown in the footer and /api/v1/me.
	Version string
	// SecureCookies marks cookies Secure; set it when Anxin is served over
	// TLS (directly or behind a proxy). Requests that arrive over TLS always
	// get Secure cookies.
	SecureCookies bool
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// SessionTTL is how long a sign-in lasts (default 12 h, one shift).
	SessionTTL time.Duration
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// RecordDir is where call recordings are (DATA/recordings).
	RecordDir string
}

// Server is the HTTP handler of Anxin.
type Server struct {
	cfg     Config
	db      *store.DB
	log     *slog.Logger
	mux     *http.ServeMux
	handler http.Handler
	pages   map[string]*template.Template
	msgs    catalog
	metrics *metrics
	limiter *ipLimiter
	routes  []string // "METHOD /path" of every API route, for the OpenAPI check

	touchMu sync.Mutex
	touched map[int64]time.Time // API token id → last recorded use

	hub    *hub                   // server-sent events to the consoles (screen pop)
	dialer atomic.Pointer[Dialer] // the telephony placing calls (SetDialer)

	// callingAttempts holds the campaign attempts being dialled from the
	// workspace (attempt id → struct{}), so a double click dials once.
	callingAttempts sync.Map
}

// New builds the server and parses every template once; a broken template
// fails here, not at the first request.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC() }
	}
	if cfg.Hasher.P.Memory == 0 {
		cfg.Hasher = password.Hasher{P: password.Default}
	}
	s := &Server{
		cfg:     cfg,
		db:      cfg.DB,
		log:     cfg.Logger,
		mux:     http.NewServeMux(),
		metrics: newMetrics(),
		limiter: newIPLimiter(20, 10*time.Minute),
		touched: map[int64]time.Time{},
		hub:     newHub(),
	}
	msgs, err := loadCatalog(messageFiles)
	if err != nil {
		return nil, err
	}
	s.msgs = msgs
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.routesBase()
	s.routesPages()
	s.routesAPI()
	s.handle("/", func(w http.ResponseWriter, r *http.Request) error { return s.notFound(w, r, "/") })
	cop := http.NewCrossOriginProtection()
	s.handler = s.metrics.wrap(s.withAccount(cop.Handler(s.mux)))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// handle registers a handler that returns an error.
func (s *Server) handle(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
	s.mux.Handle(pattern, s.metrics.route(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})))
}

// RunClocks runs the work orders' SLA pass every interval until ctx ends:
// warnings, breaches, overdue flags and notifications for the orders whose
// next point has come (see store.RunSLA). Every node may run it.
func (s *Server) RunClocks(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// An administrator's edit of the holiday calendar on another node
		// reaches this one before its next pass.
		if err := s.db.LoadCalendar(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("load holiday calendar", "err", err)
		}
		if n, err := s.db.RunSLA(ctx, s.cfg.Now()); err != nil && ctx.Err() == nil {
			s.log.Warn("SLA pass", "err", err)
		} else if n > 0 {
			s.log.Info("SLA pass", "points", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunMaintenance deletes expired sessions every interval until ctx ends.
func (s *Server) RunMaintenance(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.db.DeleteExpiredSessions(ctx, s.cfg.Now()); err != nil {
				s.log.Warn("delete expired sessions", "err", err)
			} else if n > 0 {
				s.log.Info("deleted expired sessions", "count", n)
			}
			s.limiter.sweep(s.cfg.Now())
			s.deleteOldImports(ctx)
		}
	}
}
