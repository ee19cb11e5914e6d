package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
)

// dummyHash is verified against when the username is unknown, so that the
// response time does not tell which usernames exist.
const dummyHash = "$argon2id$v=19$m=65536,t=3,p=2$c29tZXNhbHRzb21lc2FsdA$2VJ3V/3mOvh2YRhWcP5B7A5p3w0b/8TqPQdYxNSd3WQ"

type signinPage struct {
	*Page
	Username string
	Next     string
	Error    string
}

func (s *Server) routesSignin() {
	s.handle("GET /login", s.getLogin)
	s.handle("POST /login", s.postLogin)
	s.page("POST /logout", s.postLogout)
	s.handle("GET /lang/{lang}", s.getLang)
}

func (s *Server) getLogin(w http.ResponseWriter, r *http.Request) error {
	if accountFrom(r.Context()) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	p := &signinPage{Page: s.newPage(r, "signin.title"), Next: r.URL.Query().Get("next")}
	s.render(w, r, http.StatusOK, "login", p)
	return nil
}

func (s *Server) postLogin(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return anxin.Errorf(anxin.EINVALID, "bad form: %v", err)
	}
	p := &signinPage{Page: s.newPage(r, "signin.title"), Username: r.PostFormValue("username"), Next: r.PostFormValue("next")}
	a, err := s.signIn(r, p.Username, r.PostFormValue("password"))
	if err != nil {
		if c := anxin.ErrorCode(err); c != anxin.EUNAUTHORIZED && c != anxin.ELOCKED {
			return err
		}
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "login", p)
		return nil
	}
	if err := s.startSession(w, r, a); err != nil {
		return err
	}
	next, _ := url.QueryUnescape(safeNext(p.Next))
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// signIn checks a username and password with per-address and per-account
// back-off, and audits the outcome. Failures are EUNAUTHORIZED with one
// message whatever went wrong, or ELOCKED while a lock lasts.
func (s *Server) signIn(r *http.Request, username, pw string) (*anxin.Account, error) {
	ctx, now, ip := r.Context(), s.cfg.Now(), s.clientIP(r)
	bad := anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_failed", "Wrong username or password.")
	fail := func(a *anxin.Account, why string) {
		e := &anxin.AuditEntry{Action: anxin.AuditSignInFailed, ActorName: truncate(username, 64), Detail: why}
		if a != nil {
			e.ActorID, e.TargetType, e.TargetID = a.ID, "account", a.Username
			if a.Org != nil {
				e.Region = a.Org.RegionCode
			}
		}
		s.audit(r, e)
		s.limiter.fail(ip, now)
	}
	if s.limiter.blocked(ip, now) {
		s.audit(r, &anxin.AuditEntry{Action: anxin.AuditSignInFailed, ActorName: truncate(username, 64), Detail: "too many failures from this address"})
		return nil, anxin.ErrorKey(anxin.ELOCKED, "err.signin_ip_blocked", "Too many failed sign-ins from this address; wait a few minutes.")
	}
	a, err := s.db.AccountByUsername(ctx, username)
	if anxin.ErrorCode(err) == anxin.ENOTFOUND {
		password.Verify(dummyHash, pw)
		fail(nil, "unknown username")
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	if a.LockedUntil.After(now) {
		fail(a, "account locked")
		return nil, anxin.ErrorKey(anxin.ELOCKED, "err.signin_locked", "Too many failed sign-ins: this account is locked until %s.", a.LockedUntil.In(chinaTime).Format("15:04"))
	}
	ok, err := password.Verify(a.PasswordHash, pw)
	if err != nil {
		s.log.Error("stored password hash unreadable", "account", a.ID, "err", err)
	}
	if !ok {
		n, until, err := s.db.RecordSignInFailure(ctx, a.ID, now)
		if err != nil {
			return nil, err
		}
		fail(a, "wrong password")
		if !until.IsZero() {
			return nil, anxin.ErrorKey(anxin.ELOCKED, "err.signin_locked", "Too many failed sign-ins: this account is locked until %s.", until.In(chinaTime).Format("15:04"))
		}
		if left := anxin.LockoutThreshold - n; left <= 2 {
			return nil, anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_failed_left", "Wrong username or password; %d more attempts before the account is locked.", left)
		}
		return nil, bad
	}
	if a.Disabled || a.Org.Disabled {
		fail(a, "account disabled")
		return nil, anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_disabled", "This account is disabled; ask your administrator.")
	}
	if err := s.db.RecordSignIn(ctx, a.ID, now); err != nil {
		return nil, err
	}
	s.audit(r, &anxin.AuditEntry{Action: anxin.AuditSignIn, ActorID: a.ID, ActorName: a.Username, Region: a.Org.RegionCode})
	return a, nil
}

func (s *Server) postLogout(w http.ResponseWriter, r *http.Request) error {
	if sess := sessionFrom(r.Context()); sess != nil {
		if err := s.db.DeleteSession(r.Context(), sess.ID); err != nil {
			return err
		}
		// Anxin dials for nobody who has left the console
		// (workspace_dialling.go).
		if err := s.db.LeaveCampaign(r.Context(), sess.AccountID); err != nil {
			return err
		}
	}
	s.audit(r, &anxin.AuditEntry{Action: anxin.AuditSignOut})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// getLang sets the language of the sign-in page for visitors; signed-in
// accounts choose theirs on /me.
func (s *Server) getLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.PathValue("lang")
	if lang != anxin.LocaleZH && lang != anxin.LocaleEN {
		return anxin.Errorf(anxin.ENOTFOUND, "no such language")
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Expires: time.Now().AddDate(1, 0, 0)})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
