package callflow

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
)

// Calls out go through the enabled trunks that have a host, by priority
// (lower first): a trunk that this node's monitor sees down is skipped,
// and so is one at its channel limit — this node's calls in progress
// through it, counted from its open call records naming the trunk (legs
// opened earlier only, so two calls starting together do not each count
// the other). When a call fails at the trunk itself (trunkFailure) the
// next trunk is tried, the call record moved to it.

// trunkSilence is how long a trunk may stay silent — not even 100 Trying —
// before a call through it is taken as failed at the trunk and the next is
// tried.
const trunkSilence = 4 * time.Second

// trunkDialer places calls through a trunk that may challenge the INVITE
// (*sipua.Agent); Phones without it are dialled without credentials.
type trunkDialer interface {
	DialWith(ctx context.Context, to sip.Uri, from string, sdp []byte, ringing func(), o sipua.DialOptions) (*sipua.OutgoingCall, error)
}

// outTrunks returns the trunks a call out may use now, in the order to
// try them: enabled, with a host, not down on this node.
func (f *Flows) outTrunks(ctx context.Context) ([]*anxin.Trunk, error) {
	trunks, err := f.cfg.DB.Trunks(ctx)
	if err != nil {
		return nil, err
	}
	status, err := f.cfg.DB.TrunkStatuses(ctx, f.cfg.Node)
	if err != nil {
		return nil, err
	}
	down := map[int64]bool{}
	for _, s := range status {
		down[s.TrunkID] = s.State == anxin.TrunkDown
	}
	var out []*anxin.Trunk
	for _, t := range trunks {
		if t.Enabled && t.Host != "" && !down[t.ID] {
			out = append(out, t)
		}
	}
	return out, nil
}

// trunkFree reports whether t has a channel free for the leg `before`
// (0: a leg not recorded yet).
func (f *Flows) trunkFree(ctx context.Context, t *anxin.Trunk, before int64) bool {
	if t.MaxChannels == 0 {
		return true
	}
	n, err := f.cfg.DB.OpenTrunkCalls(ctx, f.cfg.Node, t.Name, before)
	if err != nil {
		f.cfg.Log.Warn("trunk channels", "trunk", t.Name, "err", err)
		return true // the carrier refuses what is really over its limit
	}
	return n < t.MaxChannels
}

// trunkTarget is the URI to call number at through t.
func trunkTarget(t *anxin.Trunk, number string) sip.Uri {
	host, port := t.Host, 5060
	if h, p, err := net.SplitHostPort(t.Host); err == nil {
		host = h
		port, _ = strconv.Atoi(p)
	}
	return sip.Uri{User: number, Host: host, Port: port}
}

// errNoTrunk is a call out with no trunk to take it.
func errNoTrunk(configured bool) error {
	if configured {
		return anxin.ErrorKey(anxin.EUNAVAILABLE, "err.trunks_busy", "No trunk can take the call now: every trunk is down or at its channel limit.")
	}
	return anxin.ErrorKey(anxin.EUNAVAILABLE, "err.no_trunk", "No trunk is configured for calls out.")
}

// trunkFailure reports whether a call's failure is the trunk's rather than
// the called party's, so that the next trunk may carry it: no answer at
// all, 503, a 408 before any provisional answer, or 403 (the carrier
// refusing us).
func trunkFailure(err error) bool {
	var le *legError
	if !errors.As(err, &le) || le.dial == nil {
		return false
	}
	var de *sipua.DialError
	if !errors.As(le.dial, &de) {
		return false
	}
	switch de.Code {
	case 0, sip.StatusServiceUnavailable, sip.StatusForbidden:
		return true
	case sip.StatusRequestTimeout:
		return !de.Provisional
	}
	return false
}

// dialTrunks places rec's call to number through the trunks in turn,
// starting with the one rec names if it can still take it, and moves the
// record (trunk, caller ID) to the trunk that carries it.
func (f *Flows) dialTrunks(ctx context.Context, phones Phones, number string, rec *anxin.Call) (*rtp.Leg, *sipua.OutgoingCall, error) {
	trunks, err := f.outTrunks(ctx)
	if err != nil {
		return nil, nil, &legError{code: 500, cause: anxin.CauseFailed}
	}
	// The trunk the record names first (chosen a moment ago), then the
	// others by priority.
	for i, t := range trunks {
		if t.Name == rec.Trunk && i > 0 {
			trunks = append([]*anxin.Trunk{t}, append(trunks[:i:i], trunks[i+1:]...)...)
			break
		}
	}
	var last error = &legError{code: 503, cause: anxin.CauseFailed}
	for _, t := range trunks {
		if ctx.Err() != nil {
			break
		}
		if !f.trunkFree(ctx, t, rec.ID) {
			continue
		}
		if t.Name != rec.Trunk || t.CallerID != rec.FromNumber {
			if err := f.cfg.DB.SetCallTrunk(ctx, rec.ID, t.Name, t.CallerID); err != nil {
				f.cfg.Log.Warn("call record's trunk", "call", rec.ID, "trunk", t.Name, "err", err)
			}
			rec.Trunk, rec.FromNumber = t.Name, t.CallerID
		}
		o := sipua.DialOptions{Username: t.Username, Password: t.Password, NoResponse: trunkSilence}
		leg, call, err := f.dialOnce(ctx, phones, trunkTarget(t, number), t.CallerID, rec, o)
		if err == nil || !trunkFailure(err) {
			return leg, call, err
		}
		f.cfg.Log.Warn("trunk failed the call; trying the next", "call", rec.ID, "trunk", t.Name, "err", err)
		last = err
	}
	return nil, nil, last
}
