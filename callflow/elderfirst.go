package callflow

import (
	"context"
	"slices"
	"time"

	"github.com/anxin-care/anxin"
)

// elderFirstTries is how many operators an answered elder-first call is
// offered to before the elder hears that someone will ring again.
const elderFirstTries = 2

// CallElderFirst rings the elder first (campaigns: many elders, few
// operators): through the trunk with its callback number, until the
// network gives up. When she answers, the reserved operator (agent; 0 for
// none) is rung if she is still ready with her phone registered, else the
// ready operator of the area idle longest; the elder hears "connecting"
// meanwhile, and the two are bridged when the operator answers. When
// nobody is free at the moment she answers she hears, at once, that the
// hotline will ring again, and the call ends. The number must pass the
// toll-fraud guard. It returns the elder's leg's call record once the call
// is under way.
func (f *Flows) CallElderFirst(ctx context.Context, sc anxin.Scope, number string, elderID, agent int64) (int64, error) {
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
		Trunk: trunk.Name, ElderID: elderID, RegionCode: sc.Region, Node: f.cfg.Node, StartedAt: time.Now(), Queue: "elder_first"}
	if err := db.StartCall(ctx, rec); err != nil {
		return 0, err
	}
	go func() {
		ctx := context.Background()
		log := f.cfg.Log.With("call", rec.ID)
		k, hangUp := f.answerElder(ctx, *pp, target, trunk.CallerID, rec, log)
		if k == nil {
			return
		}
		defer hangUp()
		k.connect(ctx, *pp, agent)
		db.EndCall(ctx, rec.ID, time.Now(), 200, "", k.end(ctx))
	}()
	return rec.ID, nil
}

// connect hands an answered elder-first call to an operator: the reserved
// one first, then the longest idle; nobody free, the elder hears so.
func (k *call) connect(ctx context.Context, phones Phones, reserved int64) {
	f, db := k.f, k.f.cfg.DB
	k.leg.Play(k.prompt("connecting_operator"))
	agents, err := db.FindAgents(ctx, anxin.Scope{Region: k.did.RegionCode})
	if err != nil {
		f.cfg.Log.Error("elder first: operators", "err", err)
	}
	agents = slices.DeleteFunc(agents, func(s anxin.AgentStatus) bool { return s.State != anxin.AgentReady })
	slices.SortStableFunc(agents, func(x, y anxin.AgentStatus) int {
		switch {
		case x.AccountID == reserved:
			return -1
		case y.AccountID == reserved:
			return 1
		}
		return x.Since.Compare(y.Since)
	})
	tries := 0
	for _, s := range agents {
		if tries == elderFirstTries {
			break
		}
		ext, err := db.ExtensionOf(ctx, s.AccountID)
		if err != nil || ext == "" {
			continue
		}
		b, ok := phones.Registered(ext)
		if !ok {
			continue
		}
		tries++
		if k.ring(ctx, nil, phones, s.AccountID, ext, b) || k.hungUp {
			return
		}
	}
	k.leg.StopPlayback()
	k.play("operator_busy")
}
