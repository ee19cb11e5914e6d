package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
)

// maxActiveTokens bounds the unrevoked API tokens of one account: a token
// per integration is plenty, and a forgotten loop must not mint thousands.
const maxActiveTokens = 20

// routesMe registers "my account": profile, language, password and API
// tokens. Every signed-in account may use it, for itself only.
func (s *Server) routesMe() {
	s.page("GET /me", s.getMe)
	s.page("POST /me/locale", s.postMeLocale)
	s.page("POST /me/password", s.postMePassword)
	s.page("POST /me/tokens", s.postMeToken)
	s.page("POST /me/tokens/{id}/revoke", s.postMeTokenRevoke)
}

// mePage is the account's own page. The error fields re-render a form
// that was refused, next to that form.
type mePage struct {
	*Page
	Region        string // the organisation's region, or "all regions"
	Tokens        []*anxin.APIToken
	PasswordError string
	TokenError    string
	TokenName     string
	MinPassword   int
}

// tokenCreatedPage shows a new token's secret, the only time it is shown.
type tokenCreatedPage struct {
	*Page
	Token  *anxin.APIToken
	Secret string
}

func (s *Server) getMe(w http.ResponseWriter, r *http.Request) error {
	return s.renderMe(w, r, http.StatusOK, &mePage{Page: s.newPage(r, "me.title")})
}

// renderMe fills in what every rendering of the page needs and renders it.
func (s *Server) renderMe(w http.ResponseWriter, r *http.Request, status int, p *mePage) error {
	a := p.Account
	p.Region = a.Org.RegionName
	if a.Org.RegionCode == "" {
		p.Region = p.T("scope.all")
	}
	toks, err := s.db.FindTokens(r.Context(), a.ID)
	if err != nil {
		return err
	}
	p.Tokens, p.MinPassword = toks, anxin.MinPasswordLen
	s.render(w, r, status, "me", p)
	return nil
}

// postMeLocale saves the account's language and remembers it in the lang
// cookie, so the sign-in page speaks it too after signing out.
func (s *Server) postMeLocale(w http.ResponseWriter, r *http.Request) error {
	a := accountFrom(r.Context())
	upd := *a
	upd.Roles = slices.Clone(a.Roles)
	upd.Locale = r.PostFormValue("locale")
	if err := s.db.UpdateAccount(r.Context(), anxin.ScopeOf(a), &upd); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: upd.Locale, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/me?flash=saved", http.StatusSeeOther)
	return nil
}

// postMePassword changes the account's own password. A refused change
// re-renders the form with the reason (400) and counts toward no lockout:
// the caller is already signed in.
//
// After a change every session of the account ends, this one included, and
// this browser gets a fresh session: whoever else held a session (a shared
// terminal, a stolen cookie) is signed out, while the person who changed
// the password carries on without signing in again.
func (s *Server) postMePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := accountFrom(ctx)
	pw := r.PostFormValue("new")
	if err := s.checkPasswordChange(a, r.PostFormValue("current"), pw, r.PostFormValue("repeat")); err != nil {
		if anxin.ErrorCode(err) != anxin.EINVALID {
			return err
		}
		p := &mePage{Page: s.newPage(r, "me.title")}
		p.PasswordError = s.msgs.userMessage(p.Lang, err)
		return s.renderMe(w, r, http.StatusBadRequest, p)
	}
	hash, err := s.cfg.Hasher.Hash(pw)
	if err != nil {
		return err
	}
	if err := s.db.SetPasswordHash(ctx, anxin.ScopeOf(a), a.ID, hash); err != nil {
		return err
	}
	s.audit(r, &anxin.AuditEntry{Action: anxin.AuditPasswordChange, TargetType: "account", TargetID: a.Username})
	if err := s.db.DeleteAccountSessions(ctx, a.ID); err != nil {
		return err
	}
	if err := s.startSession(w, r, a); err != nil {
		return err
	}
	http.Redirect(w, r, "/me?flash=password_changed", http.StatusSeeOther)
	return nil
}

// checkPasswordChange verifies the current password and checks the new
// one; every refusal is EINVALID with a translatable key.
func (s *Server) checkPasswordChange(a *anxin.Account, current, pw, repeat string) error {
	ok, err := password.Verify(a.PasswordHash, current)
	if err != nil {
		s.log.Error("stored password hash unreadable", "account", a.ID, "err", err)
	}
	switch {
	case !ok:
		return anxin.ErrorKey(anxin.EINVALID, "err.me_password_wrong", "The current password is wrong.")
	case pw != repeat:
		return anxin.ErrorKey(anxin.EINVALID, "err.me_password_mismatch", "The two new passwords differ.")
	case pw == current:
		return anxin.ErrorKey(anxin.EINVALID, "err.me_password_same", "The new password must differ from the current one.")
	}
	return anxin.ValidatePassword(pw)
}

// postMeToken creates an API token and shows its secret once. The store
// keeps only the secret's SHA-256 and its first 8 characters.
func (s *Server) postMeToken(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := accountFrom(ctx)
	name := strings.TrimSpace(r.PostFormValue("name"))
	if err := s.checkTokenName(r, a, name); err != nil {
		if c := anxin.ErrorCode(err); c != anxin.EINVALID && c != anxin.ECONFLICT {
			return err
		}
		p := &mePage{Page: s.newPage(r, "me.title"), TokenName: name}
		p.TokenError = s.msgs.userMessage(p.Lang, err)
		return s.renderMe(w, r, ErrorStatus(err), p)
	}
	secret := "anx_" + password.Token(24)
	t := &anxin.APIToken{AccountID: a.ID, Name: name, Prefix: secret[:8], Hash: password.Digest(secret), CreatedAt: s.cfg.Now()}
	if err := s.db.CreateToken(ctx, t); err != nil {
		return err
	}
	s.audit(r, &anxin.AuditEntry{Action: anxin.AuditTokenCreate, TargetType: "token", TargetID: strconv.FormatInt(t.ID, 10), Detail: name + " (" + t.Prefix + "…)"})
	p := &tokenCreatedPage{Page: s.newPage(r, "me.token_created"), Token: t, Secret: secret}
	s.render(w, r, http.StatusCreated, "token_created", p)
	return nil
}

// checkTokenName checks a new token's name and that the account has room
// for another token.
func (s *Server) checkTokenName(r *http.Request, a *anxin.Account, name string) error {
	switch {
	case name == "":
		return anxin.ErrorKey(anxin.EINVALID, "err.me_token_name", "Give the token a name that says where it is used.")
	case utf8.RuneCountInString(name) > anxin.MaxNameLen:
		return anxin.ErrorKey(anxin.EINVALID, "err.name_too_long", "Name too long (at most %d characters).", anxin.MaxNameLen)
	case !isPlainText(name):
		return anxin.ErrorKey(anxin.EINVALID, "err.me_token_name", "Give the token a name that says where it is used.")
	}
	toks, err := s.db.FindTokens(r.Context(), a.ID)
	if err != nil {
		return err
	}
	active := 0
	for _, t := range toks {
		if t.RevokedAt.IsZero() {
			active++
		}
	}
	if active >= maxActiveTokens {
		return anxin.ErrorKey(anxin.ECONFLICT, "err.me_token_limit", "At most %d active tokens; revoke one you no longer use.", maxActiveTokens)
	}
	return nil
}

// postMeTokenRevoke revokes one of the account's own tokens; it stops
// working at once. Another account's token is ENOTFOUND.
func (s *Server) postMeTokenRevoke(w http.ResponseWriter, r *http.Request) error {
	a := accountFrom(r.Context())
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.db.RevokeToken(r.Context(), a.ID, id, s.cfg.Now()); err != nil {
		return err
	}
	s.audit(r, &anxin.AuditEntry{Action: anxin.AuditTokenRevoke, TargetType: "token", TargetID: strconv.FormatInt(id, 10)})
	http.Redirect(w, r, "/me?flash=token_revoked", http.StatusSeeOther)
	return nil
}
