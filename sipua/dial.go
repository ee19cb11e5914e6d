package sipua

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin/media"
)

// OutgoingCall is a call Anxin places: to an operator's phone (now), to
// elders (campaigns, next).
type OutgoingCall struct {
	// Answer is the far end's SDP answer.
	Answer *media.Description
	dlg    *sipgo.DialogClientSession
	bye    atomic.Bool
}

// DialError is a call that was not answered: the final SIP status (0 when
// none came: the far end could not be reached). Provisional says whether
// any provisional answer (100 Trying, 180 Ringing…) came first: a failure
// before one is the next hop's (a trunk's), not the called party's.
type DialError struct {
	Code        int
	Err         error
	Provisional bool
}

func (e *DialError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("sipua: call not answered: %d", e.Code)
	}
	return "sipua: call failed: " + e.Err.Error()
}

func (e *DialError) Unwrap() error { return e.Err }

// DialOptions are the extras of a call through a carrier's trunk.
type DialOptions struct {
	// Username and Password answer a 401 or 407 challenge to the INVITE
	// with digest authentication (carriers challenge INVITEs too).
	Username, Password string
	// NoResponse gives up on a far end that sends nothing at all, not even
	// 100 Trying, for this long (0: the transaction's own 32 s over UDP);
	// the call then fails with Code 0 and no CANCEL is sent.
	NoResponse time.Duration
}

// Dial calls to (a registered phone's contact, or a number at a trunk's
// host) as the user from, offering sdp, and waits for the answer until ctx
// ends (then it cancels the call). ringing is called on 180/183. A call
// that is not answered returns a *DialError with the final status.
func (a *Agent) Dial(ctx context.Context, to sip.Uri, from string, sdp []byte, ringing func()) (*OutgoingCall, error) {
	return a.DialWith(ctx, to, from, sdp, ringing, DialOptions{})
}

// DialWith is Dial with a trunk's options: digest credentials and how long
// a silent far end is waited for.
func (a *Agent) DialWith(ctx context.Context, to sip.Uri, from string, sdp []byte, ringing func(), o DialOptions) (*OutgoingCall, error) {
	a.initDialogs(a.cfg.Port) // a no-op once serving
	fromHdr := &sip.FromHeader{Address: sip.Uri{User: from, Host: a.cfg.Host}, Params: sip.NewParams()}
	fromHdr.Params.Add("tag", sip.GenerateTagN(16))
	dlg, err := a.clientDialogsFor(to).Invite(ctx, to, sdp, fromHdr, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		return nil, &DialError{Err: err}
	}
	// wctx ends early, without a CANCEL, when the far end stays silent.
	wctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var answered, silent atomic.Bool
	if o.NoResponse > 0 {
		t := time.AfterFunc(o.NoResponse, func() {
			if !answered.Load() {
				silent.Store(true)
				stop(sipgo.WaitAnswerForceCancelErr)
			}
		})
		defer t.Stop()
	}
	var provisional bool
	opts := sipgo.AnswerOptions{Username: o.Username, Password: o.Password, OnResponse: func(res *sip.Response) error {
		answered.Store(true)
		if res.IsProvisional() {
			provisional = true
		}
		if (res.StatusCode == sip.StatusRinging || res.StatusCode == sip.StatusSessionInProgress) && ringing != nil {
			ringing()
		}
		return nil
	}}
	// sipgo's WaitAnswer gives up after ten responses; networks send long
	// runs of 180/183 while a phone rings, so wait again for as long as the
	// call lasts.
	for {
		err = waitAnswer(wctx, dlg, opts)
		if err == nil || wctx.Err() != nil || !strings.Contains(err.Error(), "more than 10 responses") {
			break
		}
	}
	if err != nil {
		dlg.Close()
		var re *sipgo.ErrDialogResponse
		switch {
		case errors.As(err, &re):
			return nil, &DialError{Code: re.Res.StatusCode, Err: err, Provisional: provisional}
		case ctx.Err() != nil:
			return nil, &DialError{Code: sip.StatusRequestTerminated, Err: err, Provisional: provisional}
		case silent.Load():
			return nil, &DialError{Err: fmt.Errorf("no response from %s within %s", to.Host, o.NoResponse)}
		}
		return nil, &DialError{Err: err, Provisional: provisional}
	}
	if err := dlg.Ack(ctx); err != nil {
		dlg.Close()
		return nil, &DialError{Err: err}
	}
	ans, err := media.ParseAnswer(dlg.InviteResponse.Body())
	if err != nil {
		o := &OutgoingCall{dlg: dlg}
		o.Hangup(context.Background())
		return nil, &DialError{Code: sip.StatusNotAcceptableHere, Err: err}
	}
	return &OutgoingCall{Answer: ans, dlg: dlg}, nil
}

// waitAnswer is dlg.WaitAnswer, with sipgo's panic when the INVITE
// transaction ends while a CANCEL waits for its response (v1.7.2 reads a
// nil response from the closed channel, dialog_client.go inviteCancel)
// turned into an error: a call being cancelled while the agent stops must
// not take the process down.
func waitAnswer(ctx context.Context, dlg *sipgo.DialogClientSession, opts sipgo.AnswerOptions) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sipgo: waiting for the answer: %v", r)
		}
	}()
	return dlg.WaitAnswer(ctx, opts)
}

// InfoDigits returns no keys: keys of a placed call come in its media
// (RFC 4733); the channel never delivers.
func (o *OutgoingCall) InfoDigits() <-chan rune { return nil }

// Done is closed when the far end hangs up (BYE).
func (o *OutgoingCall) Done() <-chan struct{} { return o.dlg.Context().Done() }

// HungUpByPeer reports whether the far end ended the call.
func (o *OutgoingCall) HungUpByPeer() bool { return o.dlg.Context().Err() != nil && !o.bye.Load() }

// Hangup ends the call with a BYE (once).
func (o *OutgoingCall) Hangup(ctx context.Context) error {
	if !o.bye.CompareAndSwap(false, true) {
		return nil
	}
	defer o.dlg.Close()
	return o.dlg.Bye(ctx)
}
