package web

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
)

const sessionCookie = "anxin_session"

type ctxKey int

const (
	ctxAccount ctxKey = iota
	ctxSession
	ctxToken
)

func accountFrom(ctx context.Context) *anxin.Account {
	a, _ := ctx.Value(ctxAccount).(*anxin.Account)
	return a
}

func sessionFrom(ctx context.Context) *anxin.Session {
	s, _ := ctx.Value(ctxSession).(*anxin.Session)
	return s
}

// withAccount identifies the caller: a bearer token for /api/, the session
// cookie elsewhere. A bad or expired credential leaves the request
// anonymous; handlers that need an account refuse it.
func (s *Server) withAccount(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if isAPI(r) {
			if tok, ok := bearer(r); ok {
				if a, t := s.tokenAccount(ctx, tok); a != nil {
					ctx = context.WithValue(ctx, ctxAccount, a)
					ctx = context.WithValue(ctx, ctxToken, t)
				}
			}
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			if sess, err := s.db.FindSession(ctx, password.Digest(c.Value), s.cfg.Now()); err == nil {
				if a := s.activeAccount(ctx, sess.AccountID); a != nil {
					ctx = context.WithValue(ctx, ctxAccount, a)
					ctx = context.WithValue(ctx, ctxSession, sess)
				}
			}
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// activeAccount loads an account that may act: neither it nor its
// organisation disabled.
func (s *Server) activeAccount(ctx context.Context, id int64) *anxin.Account {
	a, err := s.db.FindAccount(ctx, anxin.SystemScope(), id)
	if err != nil || a.Disabled || a.Org.Disabled {
		return nil
	}
	return a
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	return strings.TrimSpace(tok), ok && tok != ""
}

// tokenAccount resolves an API token; its last use is written at most once
// a minute per token so reads stay reads.
func (s *Server) tokenAccount(ctx context.Context, secret string) (*anxin.Account, *anxin.APIToken) {
	t, err := s.db.FindTokenByHash(ctx, password.Digest(secret))
	if err != nil {
		return nil, nil
	}
	a := s.activeAccount(ctx, t.AccountID)
	if a == nil {
		return nil, nil
	}
	now := s.cfg.Now()
	s.touchMu.Lock()
	last := s.touched[t.ID]
	due := now.Sub(last) > time.Minute
	if due {
		s.touched[t.ID] = now
	}
	s.touchMu.Unlock()
	if due {
		if err := s.db.TouchToken(ctx, t.ID, now); err != nil {
			s.log.Warn("touch token", "err", err)
		}
	}
	return a, t
}

// startSession signs this browser in as a with a new session and cookie.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, a *anxin.Account) error {
	secret := password.Token(32)
	now := s.cfg.Now()
	sess := &anxin.Session{
		ID: password.Digest(secret), AccountID: a.ID, CSRF: password.Token(24),
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL),
		IP: s.clientIP(r), UserAgent: truncate(r.UserAgent(), 300),
	}
	if err := s.db.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	// Max-Age counts from when the browser receives the cookie, so a
	// street office PC whose clock is hours off keeps the session for its
	// whole lifetime; Expires is for browsers that know no Max-Age.
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true,
		Secure: s.cfg.SecureCookies || r.TLS != nil, SameSite: http.SameSiteLaxMode,
		Expires: sess.ExpiresAt, MaxAge: int(s.cfg.SessionTTL / time.Second),
	})
	return nil
}

// page registers a console page: it needs a signed-in account, and every
// unsafe method must carry the session's CSRF token.
func (s *Server) page(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
	s.handle(pattern, func(w http.ResponseWriter, r *http.Request) error {
		if accountFrom(r.Context()) == nil {
			return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_required", "Please sign in.")
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.checkCSRF(r); err != nil {
				return err
			}
		}
		return fn(w, r)
	})
}

// checkCSRF compares the form's csrf field with the session's token.
func (s *Server) checkCSRF(r *http.Request) error {
	sess := sessionFrom(r.Context())
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	got := r.PostFormValue("csrf")
	if sess == nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.csrf", "The form has expired or did not come from Anxin; reload the page and try again.")
	}
	return nil
}

// api registers a JSON API route that needs a valid bearer token.
func (s *Server) api(pattern string, fn func(w http.ResponseWriter, r *http.Request) error) {
	s.routes = append(s.routes, pattern)
	s.handle(pattern, func(w http.ResponseWriter, r *http.Request) error {
		if accountFrom(r.Context()) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="anxin"`)
			return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.token_required", "A valid API token is required: Authorization: Bearer <token>.")
		}
		return fn(w, r)
	})
}

// clientIP is the caller's address, from X-Forwarded-For when Anxin runs
// behind a trusted proxy.
func (s *Server) clientIP(r *http.Request) string {
	if s.cfg.TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			return strings.TrimSpace(parts[len(parts)-1])
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// audit appends to the audit log on behalf of the request's account; a
// failure to audit is logged, and the caller decides whether it is fatal.
func (s *Server) audit(r *http.Request, e *anxin.AuditEntry) error {
	if a := accountFrom(r.Context()); a != nil && e.ActorID == 0 {
		e.ActorID, e.ActorName = a.ID, a.Username
		if a.Org != nil {
			e.Region = a.Org.RegionCode
		}
	}
	e.IP = s.clientIP(r)
	if err := s.db.RecordAudit(r.Context(), e); err != nil {
		s.log.Error("audit", "action", e.Action, "err", err)
		return err
	}
	return nil
}

// safeNext keeps a post-sign-in redirect on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return url.QueryEscape(next)
}

// ipLimiter counts failed sign-ins per client address: after max failures
// within window, that address must wait. It complements the per-account
// lock, which an attacker trying many usernames would not trigger.
type ipLimiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	hits   map[string][]time.Time
}

func newIPLimiter(max int, window time.Duration) *ipLimiter {
	return &ipLimiter{max: max, window: window, hits: map[string][]time.Time{}}
}

// blocked reports whether ip has failed too often recently.
func (l *ipLimiter) blocked(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(ip, now)) >= l.max
}

// fail records a failure from ip.
func (l *ipLimiter) fail(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hits[ip] = append(l.recent(ip, now), now)
}

func (l *ipLimiter) recent(ip string, now time.Time) []time.Time {
	h := l.hits[ip]
	i := 0
	for i < len(h) && now.Sub(h[i]) > l.window {
		i++
	}
	h = h[i:]
	l.hits[ip] = h
	return h
}

// sweep forgets addresses with no recent failures.
func (l *ipLimiter) sweep(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ip := range l.hits {
		if len(l.recent(ip, now)) == 0 {
			delete(l.hits, ip)
		}
	}
}
