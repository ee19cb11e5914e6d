package callflow

import (
	"context"
	"time"

	"github.com/anxin-care/anxin"
)

// checkInKeys maps the check-in prompt's keys to answers.
var checkInKeys = map[rune]string{'1': anxin.CheckInWell, '2': anxin.CheckInSupplies, '3': anxin.CheckInHelp}

// CheckIn is the agentless check-in call: Anxin rings the elder through the
// trunks in their order (the next when one fails) with the trunk's callback
// number (until the network gives up), and when she answers plays the
// check-in prompt — 1 all well, 2 need
// supplies, 3 need help — and records her key on the call; 3 is offered to
// the ready operators of the area as a queued call would be. The call is
// recorded. It returns the call record once the call is under way.
func (f *Flows) CheckIn(ctx context.Context, sc anxin.Scope, number string, elderID int64) (int64, error) {
	return f.checkInCall(ctx, sc, number, elderID, checkInHooks{})
}

// checkInHooks let a campaign's dialler follow a check-in call (the zero
// value: a plain check-in). The call record names task; started runs once
// the record exists, before anything is dialled (an error abandons the
// call, closed as failed); answered runs as soon as the elder's key is
// known (before a "help" is transferred); ended runs once the record is
// closed. When life ends the ringing is cancelled, or the answered call
// hung up by Anxin.
type checkInHooks struct {
	life     context.Context
	task     int64
	started  func(callID int64) error
	answered func(answer string)
	ended    func(callID int64)
	// run, when set, is what the answered call does instead of the
	// check-in prompt (a campaign's script); answered is then unused.
	run func(ctx context.Context, k *call)
}

// checkInCall is CheckIn with hooks.
func (f *Flows) checkInCall(ctx context.Context, sc anxin.Scope, number string, elderID int64, h checkInHooks) (int64, error) {
	db := f.cfg.DB
	if h.life == nil {
		h.life = context.Background()
	}
	to, err := db.DialCheck(ctx, sc, number)
	if err != nil {
		return 0, err
	}
	pp := f.phones.Load()
	if pp == nil {
		return 0, anxin.Errorf(anxin.EUNAVAILABLE, "telephony is not running on this node")
	}
	trunk, target, err := f.trunkFor(ctx, to)
	if err != nil {
		return 0, err
	}
	rec := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: trunk.CallerID, ToNumber: to,
		Trunk: trunk.Name, ElderID: elderID, RegionCode: sc.Region, Node: f.cfg.Node, StartedAt: time.Now(), Queue: "checkin",
		CampaignTaskID: h.task}
	if err := db.StartCall(ctx, rec); err != nil {
		return 0, err
	}
	if h.started != nil {
		if err := h.started(rec.ID); err != nil {
			db.EndCall(context.WithoutCancel(ctx), rec.ID, time.Now(), 0, anxin.CauseFailed, anxin.HangupSystem)
			return 0, err
		}
	}
	go func() {
		ctx := context.Background()
		if h.ended != nil {
			defer func() { h.ended(rec.ID) }()
		}
		log := f.cfg.Log.With("call", rec.ID)
		k, hangUp := f.answerElder(h.life, *pp, target, trunk.CallerID, rec, log)
		if k == nil {
			return
		}
		defer hangUp()
		// A stopping dialler hangs its answered calls up.
		stopHangup := context.AfterFunc(h.life, func() {
			hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			k.out.Hangup(hctx)
		})
		defer stopHangup()
		if h.run != nil {
			h.run(ctx, k)
		} else {
			k.checkIn(ctx, h.answered)
		}
		by := k.end(ctx)
		if h.life.Err() != nil && !k.out.HungUpByPeer() {
			by = anxin.HangupSystem // Anxin stopped the call
		}
		db.EndCall(ctx, rec.ID, time.Now(), 200, "", by)
	}()
	return rec.ID, nil
}

// checkIn plays the check-in prompt (twice, if no key came) and acts on
// the key; answered (nil: nothing) hears of it first.
func (k *call) checkIn(ctx context.Context, answered func(string)) {
	for try := 0; try < 2; try++ {
		d, ok := k.play("checkin")
		if ok && d == 0 {
			d, ok = k.key(k.menuTimeout())
		}
		if !ok {
			return
		}
		answer, known := checkInKeys[d]
		if !known {
			continue
		}
		k.f.cfg.DB.SetCheckIn(ctx, k.rec.ID, answer)
		if answered != nil {
			answered(answer)
		}
		if answer == anxin.CheckInHelp {
			if _, ok := k.play("checkin_transfer"); ok {
				k.queue(ctx, "checkin_help")
			}
			return
		}
		k.play("checkin_thanks")
		return
	}
	k.play("goodbye")
}
