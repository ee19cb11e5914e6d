package callflow

import (
	"context"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
	"github.com/anxin-care/anxin/rtp"
)

// CallOut is click-to-call, agent first: Anxin rings the operator's own
// registered phone, and when she answers, calls number through the trunks
// in their order (skipping those down or full, the next when one fails)
// with the trunk's callback number as caller ID, and bridges the two
// when the elder answers. The number must pass the toll-fraud guard, except
// a callback (callbackOf, a caller nobody took) to the national number
// that rang us. It returns the elder's leg's call record once the call is
// under way; the call goes on after it returns, recorded in the call
// records. The operator must have signed in to take calls.
func (f *Flows) CallOut(ctx context.Context, sc anxin.Scope, number string, elderID, callbackOf int64) (int64, error) {
	db := f.cfg.DB
	var to string
	var err error
	if callbackOf != 0 {
		to, err = phone.Normalize(number, phone.AreaCode(sc.Region))
		if err != nil {
			return 0, anxin.ErrorKey(anxin.EFORBIDDEN, "err.callback_not_national",
				"The caller's number is not a mainland number Anxin rings back.")
		}
	} else if to, err = db.DialCheck(ctx, sc, number); err != nil {
		return 0, err
	}
	pp := f.phones.Load()
	if pp == nil {
		return 0, anxin.Errorf(anxin.EUNAVAILABLE, "telephony is not running on this node")
	}
	ext, err := db.ExtensionOf(ctx, sc.AccountID)
	if err != nil {
		return 0, err
	}
	b, ok := (*pp).Registered(ext)
	if ext == "" || !ok {
		return 0, anxin.ErrorKey(anxin.ECONFLICT, "err.phone_not_registered", "Your phone is not registered; sign it in first.")
	}
	trunk, target, err := f.trunkFor(ctx, to)
	if err != nil {
		return 0, err
	}
	elderLeg := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: trunk.CallerID, ToNumber: to,
		Trunk: trunk.Name, ElderID: elderID, RegionCode: sc.Region, Node: f.cfg.Node, StartedAt: time.Now(), AgentID: sc.AccountID}
	if err := db.StartCall(ctx, elderLeg); err != nil {
		return 0, err
	}
	if _, err := db.MoveAgent(ctx, sc.AccountID, anxin.AgentEvent{Event: anxin.EvOffer, CallID: elderLeg.ID, Node: f.cfg.Node}); err != nil {
		db.EndCall(ctx, elderLeg.ID, time.Now(), 0, anxin.CauseFailed, anxin.HangupSystem)
		return 0, err
	}
	if callbackOf != 0 {
		if err := db.MarkCalledBack(ctx, sc, callbackOf, elderLeg.ID); err != nil {
			db.MoveAgent(ctx, sc.AccountID, anxin.AgentEvent{Event: anxin.EvOfferFailed})
			db.EndCall(ctx, elderLeg.ID, time.Now(), 0, anxin.CauseFailed, anxin.HangupSystem)
			return 0, err
		}
	}
	go f.callOut(context.Background(), *pp, sc.AccountID, ext, b.Contact, trunk.CallerID, target, elderLeg)
	return elderLeg.ID, nil
}

// trunkFor picks the trunk a call out to number starts on — the first by
// priority that is enabled, has a host, is not down on this node and has a
// channel free (see trunks.go) — and the URI to call number at. The call's
// dial moves on to the next trunk if this one fails it.
func (f *Flows) trunkFor(ctx context.Context, number string) (*anxin.Trunk, sip.Uri, error) {
	trunks, err := f.outTrunks(ctx)
	if err != nil {
		return nil, sip.Uri{}, err
	}
	for _, t := range trunks {
		if f.trunkFree(ctx, t, 0) {
			return t, trunkTarget(t, number), nil
		}
	}
	all, err := f.cfg.DB.Trunks(ctx)
	if err != nil {
		return nil, sip.Uri{}, err
	}
	configured := false
	for _, t := range all {
		configured = configured || (t.Enabled && t.Host != "")
	}
	return nil, sip.Uri{}, errNoTrunk(configured)
}

// callOut rings the operator, then the elder, and bridges them.
func (f *Flows) callOut(ctx context.Context, phones Phones, account int64, ext string, contact sip.Uri, callerID string, target sip.Uri, elderLeg *anxin.Call) {
	db, log := f.cfg.DB, f.cfg.Log.With("call", elderLeg.ID)
	agentLeg := &anxin.Call{ParentID: elderLeg.ID, Direction: anxin.CallOutbound, Leg: anxin.LegAgent, FromNumber: callerID,
		ToNumber: ext, Trunk: "extension", AgentID: account, RegionCode: elderLeg.RegionCode, Node: f.cfg.Node, StartedAt: time.Now()}
	if err := db.StartCall(ctx, agentLeg); err != nil {
		log.Error("agent leg record", "err", err)
	}
	end := func(c *anxin.Call, code int, cause, by string) { db.EndCall(ctx, c.ID, time.Now(), code, cause, by) }
	failed := func(code int, cause string) {
		db.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvOfferFailed})
		end(agentLeg, code, cause, anxin.HangupSystem)
		end(elderLeg, 0, anxin.CauseFailed, anxin.HangupSystem)
	}
	rctx, cancel := context.WithTimeout(ctx, f.cfg.RingTime)
	opLeg, op, err := f.dial(rctx, phones, contact, target.User, agentLeg)
	cancel()
	if err != nil {
		le := err.(*legError)
		failed(le.code, le.cause)
		return
	}
	defer opLeg.Close()
	defer op.Hangup(ctx)
	db.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvAnswer})
	db.CallAnswered(ctx, agentLeg.ID, time.Now(), account)

	// Ring until the network gives up, or the operator hangs up.
	ectx, ecancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-op.Done():
			ecancel()
		case <-ectx.Done():
		}
	}()
	elder, call, err := f.dial(ectx, phones, target, callerID, elderLeg)
	ecancel()
	if err != nil {
		le := err.(*legError)
		end(elderLeg, le.code, le.cause, anxin.HangupSystem)
		f.agentDone(ctx, account, agentLeg, anxin.HangupSystem)
		return
	}
	defer elder.Close()
	db.CallAnswered(ctx, elderLeg.ID, time.Now(), account)
	if stop := f.recordLeg(ctx, elder, elderLeg, log); stop != nil {
		defer stop()
	}
	if err := rtp.Bridge(elder, opLeg); err != nil {
		log.Error("bridge", "err", err)
	}
	by := anxin.HangupAgent
	select {
	case <-call.Done():
		by = anxin.HangupCaller
	case <-op.Done():
		call.Hangup(ctx)
	}
	end(elderLeg, 200, "", by)
	f.agentDone(ctx, account, agentLeg, by)
}

// agentDone ends the operator's leg and starts her wrap-up.
func (f *Flows) agentDone(ctx context.Context, account int64, leg *anxin.Call, by string) {
	f.cfg.DB.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvHangup})
	f.cfg.DB.EndCall(ctx, leg.ID, time.Now(), 200, "", by)
}
