package sipua

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin/media"
)

// IncomingCall is an admitted INVITE. The handler (Config.OnCall) decides
// what happens — Ringing, Answer with an SDP answer, or Reject — and the
// call lasts until the handler returns: sipgo's INVITE handler must live as
// long as the call. Returning from an answered call that the far end has
// not hung up sends a BYE; returning before answering rejects with 480.
type IncomingCall struct {
	// From and To are the user parts of the From and To URIs (the caller's
	// number and the number dialled); CallID is the SIP Call-ID; Source is
	// where the INVITE came from.
	From, To string
	CallID   string
	Source   netip.AddrPort
	// Offer is the caller's SDP.
	Offer *media.Description

	dlg      *sipgo.DialogServerSession
	digits   chan rune // DTMF sent as SIP INFO
	answered atomic.Bool
	final    atomic.Bool
	byeSent  atomic.Bool
	byeRead  atomic.Bool // the far end's BYE was read
}

// Ringing sends 180 Ringing.
func (c *IncomingCall) Ringing() error {
	return c.dlg.Respond(sip.StatusRinging, "Ringing", nil)
}

// ErrNoACK is returned by Answer when the caller never acknowledged the
// 200 (re-sent for 32 s): the call is hung up, as RFC 3261 says.
var ErrNoACK = errors.New("sipua: no ACK for the 200; call ended")

// Answer sends 200 OK with the SDP answer and waits for the ACK (re-sending
// the 200 as RFC 3261 says); it fails if the caller cancelled meanwhile,
// and with ErrNoACK (after hanging up) if the ACK never came.
func (c *IncomingCall) Answer(sdp []byte) error {
	if !c.final.CompareAndSwap(false, true) {
		return errors.New("sipua: the call already has a final response")
	}
	// A BYE may overtake the ACK (over TCP sipgo reads them at once): the
	// dialog then goes from established (the 200 sent) straight to ended.
	// The caller had the 200 — a BYE proves it — so the call was answered
	// and hung up at once, not cancelled.
	var sent200 atomic.Bool
	c.dlg.OnState(func(s sip.DialogState) {
		if s == sip.DialogStateEstablished {
			sent200.Store(true)
		}
	})
	err := c.dlg.RespondSDP(sdp)
	if state := c.dlg.LoadState(); err == nil && state == sip.DialogStateConfirmed || sent200.Load() && state == sip.DialogStateEnded && c.byeRead.Load() {
		c.answered.Store(true)
		return nil
	}
	if c.dlg.Context().Err() != nil {
		if err == nil {
			err = errors.New("sipua: the call ended while answering")
		}
		return err // cancelled, or hung up, meanwhile
	}
	// The 200 went out but no ACK came back (the re-sending gave up):
	// end the session with a BYE.
	c.answered.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c.Hangup(ctx)
	c.answered.Store(false)
	return ErrNoACK
}

// Reject ends an unanswered call with a final status (486 busy, 480
// unavailable, 603 declined …).
func (c *IncomingCall) Reject(code int, reason string) error {
	if !c.final.CompareAndSwap(false, true) {
		return errors.New("sipua: the call already has a final response")
	}
	return c.dlg.Respond(code, reason, nil)
}

// Hangup ends an answered call with a BYE.
func (c *IncomingCall) Hangup(ctx context.Context) error {
	if !c.answered.Load() || !c.byeSent.CompareAndSwap(false, true) {
		return nil
	}
	return c.dlg.Bye(ctx)
}

// Done is closed when the call ends from the far side: a BYE after the
// answer, or a CANCEL before it.
func (c *IncomingCall) Done() <-chan struct{} { return c.dlg.Context().Done() }

// HungUpByPeer reports whether the far end ended the call (BYE or CANCEL)
// rather than Anxin.
func (c *IncomingCall) HungUpByPeer() bool {
	return c.dlg.Context().Err() != nil && !c.byeSent.Load()
}

// InfoDigits delivers the keys the caller's phone sends as SIP INFO
// (application/dtmf-relay or application/dtmf), the fallback when it does
// not send RFC 4733 events in the media.
func (c *IncomingCall) InfoDigits() <-chan rune { return c.digits }

// Answered reports whether the call was answered.
func (c *IncomingCall) Answered() bool { return c.answered.Load() }

// maxSDP is the largest INVITE body read as an offer.
const maxSDP = media.MaxSDPSize

func (a *Agent) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	reply := func(code int, reason string) {
		if err := tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil)); err != nil {
			a.log.Debug("sip: respond", "code", code, "err", err)
		}
	}
	if !a.allowed(req) {
		a.log.Info("sip: INVITE from an address that is not a trunk", "source", req.Source())
		reply(sip.StatusForbidden, "Forbidden")
		return
	}
	body := req.Body()
	if len(body) == 0 || len(body) > maxSDP {
		// Offerless INVITEs (the offer in the 200, the answer in the ACK)
		// are not supported yet.
		reply(sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	offer, err := media.ParseOffer(body)
	if err != nil || len(offer.Codecs()) == 0 {
		// Unreadable, or no G.711 offered.
		reply(sip.StatusNotAcceptableHere, "Not Acceptable Here")
		return
	}
	dlg, err := a.serverDialogs(req).ReadInvite(req, tx)
	if err != nil {
		reply(sip.StatusBadRequest, "Bad Request")
		return
	}
	defer dlg.Close()
	c := &IncomingCall{From: req.From().Address.User, To: req.To().Address.User, Offer: offer, dlg: dlg, digits: make(chan rune, 16)}
	a.calls.Store(dlg.ID, c)
	defer a.calls.Delete(dlg.ID)
	if id := req.CallID(); id != nil {
		c.CallID = id.Value()
	}
	c.Source, _ = netip.ParseAddrPort(req.Source())
	a.cfg.OnCall(c)
	switch {
	case !c.final.Load() && dlg.Context().Err() == nil:
		c.Reject(sip.StatusTemporarilyUnavailable, "Temporarily Unavailable")
	case c.answered.Load() && dlg.Context().Err() == nil:
		ctx, cancel := context.WithTimeout(context.Background(), 32*time.Second)
		defer cancel()
		if err := c.Hangup(ctx); err != nil {
			a.log.Info("sip: BYE", "call_id", c.CallID, "err", err)
		}
	}
}

// onInfo takes DTMF sent as SIP INFO within a call's dialog.
func (a *Agent) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	reply := func(code int, reason string) { tx.Respond(sip.NewResponseFromRequest(req, code, reason, nil)) }
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		reply(sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	v, ok := a.calls.Load(id)
	if !ok {
		reply(sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist")
		return
	}
	c := v.(*IncomingCall)
	var d rune
	switch ct := req.ContentType(); {
	case ct != nil && strings.HasPrefix(strings.ToLower(ct.Value()), "application/dtmf-relay"):
		d, _, err = media.ParseDTMFRelay(req.Body())
	case ct != nil && strings.HasPrefix(strings.ToLower(ct.Value()), "application/dtmf"):
		body := strings.ToUpper(strings.TrimSpace(string(req.Body())))
		if len(body) != 1 || !strings.Contains("0123456789*#ABCD", body) {
			err = media.ErrInvalidDTMF
		} else {
			d = rune(body[0])
		}
	default:
		reply(sip.StatusUnsupportedMediaType, "Unsupported Media Type")
		return
	}
	if err != nil {
		reply(sip.StatusBadRequest, "Bad DTMF")
		return
	}
	select {
	case c.digits <- d:
	default: // nobody reads: drop rather than block the transport
	}
	reply(sip.StatusOK, "OK")
}
