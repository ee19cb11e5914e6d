package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/anxin-care/anxin"
)

// statusOf maps error codes to HTTP statuses: the one table.
var statusOf = map[string]int{
	anxin.ECONFLICT:     http.StatusConflict,
	anxin.EFORBIDDEN:    http.StatusForbidden,
	anxin.EINTERNAL:     http.StatusInternalServerError,
	anxin.EINVALID:      http.StatusBadRequest,
	anxin.ENOTFOUND:     http.StatusNotFound,
	anxin.EUNAUTHORIZED: http.StatusUnauthorized,
	anxin.ELOCKED:       http.StatusTooManyRequests,
	anxin.EUNAVAILABLE:  http.StatusServiceUnavailable,
}

// ErrorStatus returns the HTTP status for an error's code.
func ErrorStatus(err error) int {
	if st, ok := statusOf[anxin.ErrorCode(err)]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// isAPI reports whether the request is for the JSON API.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// renderError writes err as JSON for the API and as a page otherwise. Only
// internal errors are logged with their cause; users see a message in their
// language.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := anxin.ErrorCode(err)
	status := ErrorStatus(err)
	if code == anxin.EINTERNAL || code == anxin.EUNAVAILABLE {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	loc := s.locale(r)
	msg := s.msgs.userMessage(loc, err)
	if isAPI(r) {
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
		return
	}
	if code == anxin.EUNAUTHORIZED && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+safeNext(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p := s.newPage(r, "err.title")
	s.render(w, r, status, "error", &errorPage{Page: p, Status: status, Message: msg})
}

// notFound answers a path no route knows (it is the catch-all pattern
// catchAll's handler): in the console's language and frame for a person
// who mistyped an address or followed an old link, in JSON for the API. A
// path that exists for another method is 405 with the methods it allows.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, catchAll string) error {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != catchAll && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		msg := s.msgs.translate(s.locale(r), "err.method")
		if isAPI(r) {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]any{"error": map[string]string{"code": "method_not_allowed", "message": msg}})
			return nil
		}
		s.render(w, r, http.StatusMethodNotAllowed, "error", &errorPage{Page: s.newPage(r, "err.title"), Status: http.StatusMethodNotAllowed, Message: msg})
		return nil
	}
	if isAPI(r) {
		return anxin.Errorf(anxin.ENOTFOUND, "no such API endpoint")
	}
	return anxin.ErrorKey(anxin.ENOTFOUND, "err.no_page", "No such page.")
}

type errorPage struct {
	*Page
	Status  int
	Message string
}

// userMessage translates an error for the user; internal errors get a
// generic sentence.
func (c catalog) userMessage(loc string, err error) string {
	var e *anxin.Error
	if !errors.As(err, &e) {
		return c.translate(loc, "err.internal")
	}
	if e.Key != "" {
		if m, ok := c.lookup(loc, e.Key, e.Args...); ok {
			return m
		}
	}
	if e.Code == anxin.EINTERNAL {
		return c.translate(loc, "err.internal")
	}
	if e.Message == "" {
		return c.translate(loc, "err."+e.Code)
	}
	if loc == anxin.LocaleZH {
		if m, ok := c.lookup(loc, "err."+e.Code); ok && e.Key == "" && isEnglish(e.Message) {
			return m + "（" + e.Message + "）"
		}
	}
	return e.Message
}

func isEnglish(s string) bool {
	for _, r := range s {
		if r > 0x2000 {
			return false
		}
	}
	return true
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
