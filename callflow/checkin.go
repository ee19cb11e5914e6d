package callflow

import (
	"context"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/media"
)

// checkInKeys maps the check-in prompt's keys to answers.
var checkInKeys = map[rune]string{'1': anxin.CheckInWell, '2': anxin.CheckInSupplies, '3': anxin.CheckInHelp}

// CheckIn is the agentless check-in call: Anxin rings the elder through the
// first enabled trunk with its callback number (until the network gives
// up), and when she answers plays the check-in prompt — 1 all well, 2 need
// supplies, 3 need help — and records her key on the call; 3 is offered to
// the ready operators of the area as a queued call would be. The call is
// recorded. It returns the call record once the call is under way.
func (f *Flows) CheckIn(ctx context.Context, sc anxin.Scope, number string, elderID int64) (int64, error) {
	db := f.cfg.DB
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
		Trunk: trunk.Name, ElderID: elderID, RegionCode: sc.Region, Node: f.cfg.Node, StartedAt: time.Now(), Queue: "checkin"}
	if err := db.StartCall(ctx, rec); err != nil {
		return 0, err
	}
	go func() {
		ctx := context.Background()
		log := f.cfg.Log.With("call", rec.ID)
		leg, err := f.cfg.Engine.NewLeg()
		if err != nil {
			db.EndCall(ctx, rec.ID, time.Now(), 503, anxin.CauseFailed, anxin.HangupSystem)
			return
		}
		defer leg.Close()
		offer, _ := media.NewOffer(f.cfg.LocalIP, int(leg.LocalAddr().Port()), []media.Codec{media.PCMA, media.PCMU})
		out, err := (*pp).Dial(ctx, target, trunk.CallerID, offer, func() { db.CallRinging(ctx, rec.ID, time.Now()) })
		if err != nil {
			db.EndCall(ctx, rec.ID, time.Now(), dialCode(err), "", anxin.HangupSystem)
			return
		}
		if st, err := media.Accept(out.Answer, []media.Codec{media.PCMA, media.PCMU}); err == nil {
			leg.SetStream(*st)
		}
		db.CallAnswered(ctx, rec.ID, time.Now(), 0)
		k := &call{f: f, c: out, leg: leg, rec: rec, did: &anxin.DID{Number: trunk.CallerID, RegionCode: sc.Region}}
		if stop := f.recordLeg(ctx, leg, rec, log); stop != nil {
			defer stop()
		}
		k.checkIn(ctx)
		by := anxin.HangupSystem
		switch {
		case k.by != "":
			by = k.by
		case k.hungUp:
			by = anxin.HangupCaller
		default:
			hctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			out.Hangup(hctx)
			cancel()
		}
		db.EndCall(ctx, rec.ID, time.Now(), 200, "", by)
	}()
	return rec.ID, nil
}

// checkIn plays the check-in prompt (twice, if no key came) and acts on
// the key.
func (k *call) checkIn(ctx context.Context) {
	for try := 0; try < 2; try++ {
		d, ok := k.play("checkin")
		if ok && d == 0 {
			d, ok = k.key(k.f.cfg.MenuTimeout)
		}
		if !ok {
			return
		}
		answer, known := checkInKeys[d]
		if !known {
			continue
		}
		k.f.cfg.DB.SetCheckIn(ctx, k.rec.ID, answer)
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
