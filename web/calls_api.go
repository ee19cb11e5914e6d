package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
)

// Call records in the JSON API (/api/v1/calls): staff see the calls of
// their area, newest first; phone numbers are masked unless the caller
// reveals them with a reason, which is audited first, as for elders.

func (s *Server) apiCalls() {
	s.api("GET /api/v1/calls", s.apiListCalls)
	s.api("GET /api/v1/calls/{id}", s.apiGetCall)
	s.api("GET /api/v1/dial-allowlist", s.apiAllowList)
	s.api("POST /api/v1/dial-allowlist", s.apiAllowNumber)
	s.api("DELETE /api/v1/dial-allowlist/{number}", s.apiDisallowNumber)
}

// apiAllowList answers GET /api/v1/dial-allowlist (administrators).
func (s *Server) apiAllowList(w http.ResponseWriter, r *http.Request) error {
	if !scopeOf(r).Has(anxin.RoleAdmin) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.admin_only", "Only administrators can do this.")
	}
	list, err := s.db.AllowedNumbers(r.Context())
	if err != nil {
		return err
	}
	writeList(w, list, len(list), 0, len(list))
	return nil
}

// apiAllowNumber answers POST /api/v1/dial-allowlist {"number", "note"}.
func (s *Server) apiAllowNumber(w http.ResponseWriter, r *http.Request) error {
	var req struct{ Number, Note string }
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := s.db.AllowNumber(r.Context(), scopeOf(r), req.Number, req.Note)
	if err != nil {
		return err
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditDialAllow, TargetType: "dial_allowlist", TargetID: a.Number, Detail: a.Note}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

// apiDisallowNumber answers DELETE /api/v1/dial-allowlist/{number}.
func (s *Server) apiDisallowNumber(w http.ResponseWriter, r *http.Request) error {
	n := r.PathValue("number")
	if err := s.db.DisallowNumber(r.Context(), scopeOf(r), n); err != nil {
		return err
	}
	if err := s.audit(r, &anxin.AuditEntry{Action: anxin.AuditDialDisallow, TargetType: "dial_allowlist", TargetID: n}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revealCalls checks ?reveal=true&reason=… and audits a reveal of the
// numbers of the calls listed.
func (s *Server) revealCalls(r *http.Request, target string) (bool, error) {
	q := r.URL.Query()
	if !formBool(q.Get("reveal")) {
		return false, nil
	}
	reason, err := revealReason(q.Get("reason"))
	if err != nil {
		return false, err
	}
	return true, s.audit(r, &anxin.AuditEntry{Action: anxin.AuditReveal, TargetType: "call", TargetID: target,
		Reason: reason, Detail: "numbers"})
}

// shownCall masks a call's numbers unless revealed (short hotline and
// extension numbers are not personal and stay as they are).
func shownCall(c *anxin.Call, reveal bool) *anxin.Call {
	out := *c
	if !reveal {
		out.FromNumber, out.ToNumber = maskCallNumber(c.FromNumber), maskCallNumber(c.ToNumber)
	}
	return &out
}

// maskCallNumber masks a phone number; hotline and extension numbers
// (fewer than 7 characters: 966666, 12345, 8001) are shown as they are.
func maskCallNumber(n string) string {
	if len(n) < 7 {
		return n
	}
	return phone.Mask(n)
}

// apiListCalls answers GET /api/v1/calls?direction=&cause=&number=&elder_id=&from=&to=.
func (s *Server) apiListCalls(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := anxin.CallFilter{Direction: q.Get("direction"), Cause: q.Get("cause"), Number: q.Get("number")}
	if f.Direction != "" && !slices.Contains(anxin.CallDirections, f.Direction) {
		return anxin.Errorf(anxin.EINVALID, "direction is inbound or outbound")
	}
	if f.Cause != "" && !slices.Contains(anxin.CallCauses, f.Cause) {
		return anxin.Errorf(anxin.EINVALID, "unknown cause %q", truncate(f.Cause, 20))
	}
	var err error
	if f.ElderID, err = queryID(r, "elder_id"); err != nil {
		return err
	}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			if *p.t, err = time.Parse(time.RFC3339, v); err != nil {
				return anxin.Errorf(anxin.EINVALID, "%s: a time like 2026-11-23T08:00:00+08:00", p.name)
			}
		}
	}
	f.Offset, f.Limit = pageParams(r)
	calls, total, err := s.db.FindCalls(r.Context(), scopeOf(r), f)
	if err != nil {
		return err
	}
	reveal, err := s.revealCalls(r, "list")
	if err != nil {
		return err
	}
	out := make([]*anxin.Call, len(calls))
	for i, c := range calls {
		out[i] = shownCall(c, reveal)
	}
	writeList(w, out, total, f.Offset, f.Limit)
	return nil
}

// apiGetCall answers GET /api/v1/calls/{id}.
func (s *Server) apiGetCall(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.db.FindCall(r.Context(), scopeOf(r), id)
	if err != nil {
		return err
	}
	reveal, err := s.revealCalls(r, strconv.FormatInt(id, 10))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shownCall(c, reveal))
	return nil
}
