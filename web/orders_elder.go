package web

import (
	"net/http"
	"strconv"

	"github.com/anxin-care/anxin"
)

// The elder on an order's page and in the API (/orders/{id}/reveal,
// GET /api/v1/orders/{id}/elder): where to go and whom to call. Staff see
// the elder as on the profile; the provider the order is dispatched to
// sees what a visit needs while the job is in its hands (store.OrderElder).
// Phone numbers are masked until the viewer gives a reason, which is
// audited first, as on the profile.

// orderElder fills the page's elder: nil when the viewer may not see them
// now (a provider before dispatch or after completion).
func (s *Server) orderElder(r *http.Request, p *orderPage, revealed bool) error {
	sc := scopeOf(r)
	e, err := s.db.OrderElder(r.Context(), sc, p.Order.ID)
	if anxin.ErrorCode(err) == anxin.ECONFLICT {
		return nil
	} else if err != nil {
		return err
	}
	p.Elder, p.Revealed = shownElder(sc, e, revealed), revealed
	return nil
}

// postOrderReveal shows the order's page with the elder's full numbers
// once the reason is audited; without a reason the page comes back masked
// with a 400.
func (s *Server) postOrderReveal(w http.ResponseWriter, r *http.Request) error {
	o, err := s.orderOf(r)
	if err != nil {
		return err
	}
	e, err := s.db.OrderElder(r.Context(), scopeOf(r), o.ID)
	if err != nil {
		return err
	}
	raw := r.PostFormValue("reason")
	reason, rerr := revealReason(raw)
	if rerr == nil {
		if err := s.auditOrderReveal(r, e.ID, o, reason); err != nil {
			return err
		}
	}
	p, err := s.orderPage(r, o, rerr == nil)
	if err != nil {
		return err
	}
	if rerr != nil {
		p.RevealReason, p.RevealError = truncate(raw, 4*maxRevealReason), s.msgs.userMessage(p.Lang, rerr)
		s.render(w, r, ErrorStatus(rerr), "order", p)
		return nil
	}
	p.RevealReason = reason
	s.render(w, r, http.StatusOK, "order", p)
	return nil
}

// auditOrderReveal records a reveal of the elder's numbers from an order.
func (s *Server) auditOrderReveal(r *http.Request, elderID int64, o *anxin.Order, reason string) error {
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditReveal, TargetType: "elder", TargetID: strconv.FormatInt(elderID, 10),
		Reason: reason, Detail: "phones; order " + o.Number})
}

// apiOrderElder answers GET /api/v1/orders/{id}/elder[?reveal=true&reason=…].
func (s *Server) apiOrderElder(w http.ResponseWriter, r *http.Request) error {
	o, err := s.orderOf(r)
	if err != nil {
		return err
	}
	sc := scopeOf(r)
	e, err := s.db.OrderElder(r.Context(), sc, o.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	reveal := formBool(q.Get("reveal"))
	if reveal {
		reason, err := revealReason(q.Get("reason"))
		if err != nil {
			return err
		}
		if err := s.auditOrderReveal(r, e.ID, o, reason); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, shownElder(sc, e, reveal))
	return nil
}
