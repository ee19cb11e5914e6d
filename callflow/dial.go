package callflow

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
)

// codecs are the codecs Anxin offers and answers with, preferred first.
var codecs = []media.Codec{media.PCMA, media.PCMU}

// legError is a call Anxin placed that did not come up: the final status
// and cause for its record; dial is the SIP error when the far end did not
// answer (cause then "": the status says it).
type legError struct {
	code  int
	cause string
	dial  error
}

func (e *legError) Error() string {
	if e.dial != nil {
		return e.dial.Error()
	}
	return e.cause
}

// answerElder rings the elder of rec, an outbound call through the trunks
// with callerID, until the network gives up or ringing ends. Answered, the
// record is marked so, the recording started and the call returned with
// hangUp, which the caller defers: it stops the recording and closes the
// leg. Not answered (busy, no answer, unreachable …), the record is ended
// with the network's cause and k is nil.
func (f *Flows) answerElder(ringing context.Context, phones Phones, target sip.Uri, callerID string, rec *anxin.Call, log *slog.Logger) (k *call, hangUp func()) {
	ctx, db := context.Background(), f.cfg.DB
	leg, out, err := f.dial(ringing, phones, target, callerID, rec)
	if err != nil {
		le := err.(*legError)
		db.EndCall(ctx, rec.ID, time.Now(), le.code, le.cause, anxin.HangupSystem)
		return nil, nil
	}
	db.CallAnswered(ctx, rec.ID, time.Now(), 0)
	k = &call{f: f, c: out, out: out, leg: leg, rec: rec, did: &anxin.DID{Number: callerID, RegionCode: rec.RegionCode}, cfg: f.config(ctx)}
	stop := f.recordLeg(ctx, leg, rec, log)
	return k, func() {
		if stop != nil {
			stop()
		}
		leg.Close()
	}
}

// dial places a call to `to` as `from` on a new media leg, records its
// ringing on rec, and returns the leg (the caller closes it) with its
// stream set to the far end's answer; a *legError when the call did not
// come up (the leg is then closed, and an unusable answer hung up). An
// outbound caller leg whose record names a trunk goes out through the
// trunks (dialTrunks): to.User is the number, the trunk's callback number
// the caller ID, and a trunk that fails the call hands it to the next.
func (f *Flows) dial(ctx context.Context, phones Phones, to sip.Uri, from string, rec *anxin.Call) (*rtp.Leg, *sipua.OutgoingCall, error) {
	if rec.Direction == anxin.CallOutbound && rec.Leg == anxin.LegCaller && rec.Trunk != "" {
		return f.dialTrunks(ctx, phones, to.User, rec)
	}
	return f.dialOnce(ctx, phones, to, from, rec, sipua.DialOptions{})
}

// dialOnce is dial to one address, with a trunk's options o.
func (f *Flows) dialOnce(ctx context.Context, phones Phones, to sip.Uri, from string, rec *anxin.Call, o sipua.DialOptions) (*rtp.Leg, *sipua.OutgoingCall, error) {
	db := f.cfg.DB
	leg, err := f.cfg.Engine.NewLeg()
	if err != nil {
		return nil, nil, &legError{code: 503, cause: anxin.CauseFailed}
	}
	offer, err := media.NewOffer(f.cfg.LocalIP, int(leg.LocalAddr().Port()), codecs)
	if err != nil {
		leg.Close()
		return nil, nil, &legError{code: 500, cause: anxin.CauseFailed}
	}
	ringing := func() { db.CallRinging(ctx, rec.ID, time.Now()) }
	var call *sipua.OutgoingCall
	if td, ok := phones.(trunkDialer); ok {
		call, err = td.DialWith(ctx, to, from, offer, ringing, o)
	} else {
		call, err = phones.Dial(ctx, to, from, offer, ringing)
	}
	if err != nil {
		leg.Close()
		return nil, nil, &legError{code: dialCode(err), dial: err}
	}
	stream, err := media.Accept(call.Answer, codecs)
	if err == nil {
		err = leg.SetStream(*stream)
	}
	if err != nil {
		call.Hangup(ctx)
		leg.Close()
		return nil, nil, &legError{code: 488, cause: anxin.CauseFailed}
	}
	return leg, call, nil
}

// dialCode is the final status of a failed Dial (0 when none came).
func dialCode(err error) int {
	var de *sipua.DialError
	if errors.As(err, &de) {
		return de.Code
	}
	return 0
}

// end hangs up the far end unless it or a bridged operator ended the call,
// and returns who ended it.
func (k *call) end(ctx context.Context) string {
	switch {
	case k.by != "":
		return k.by
	case k.hungUp:
		return anxin.HangupCaller
	}
	hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	k.c.Hangup(hctx)
	return anxin.HangupSystem
}
