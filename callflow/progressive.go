package callflow

import (
	"context"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// The progressive dialler (issue 6): each node runs one. Operators join a
// progressive campaign from its workspace; whenever one of them is ready
// with her phone registered on this node, the dialler calls an elder for
// her — one call per ready operator. See RunProgressive.

const (
	// progressiveLease is how long an operator holds a task the dialler
	// leased for her, as in the workspace; extended every
	// progressiveExtend while her call lasts.
	progressiveLease  = 15 * time.Minute
	progressiveExtend = time.Minute
	// progressivePoll is how often the dialler looks for ready operators.
	progressivePoll = time.Second
	// progressiveIdle is how long an operator for whom no task could be
	// leased (every due one was capped or assigned to someone else) is
	// left alone, so that her state does not flap.
	progressiveIdle = 10 * time.Second
	// progressiveDrain is how long a stopping dialler waits for the
	// elders' phones it rings to stop ringing.
	progressiveDrain = 15 * time.Second
	// awayReason is the break an operator is put on when an elder
	// answered and her phone did not (离席, away from her desk).
	awayReason = "toilet"
)

// progressive is a node's progressive dialler while it runs.
type progressive struct {
	f    *Flows
	node string
	ctx  context.Context // ends when the dialler stops

	mu    sync.Mutex
	calls map[int64]int64     // operator → the attempt of the call placed for her
	idle  map[int64]time.Time // operator → not claimed again before
	wg    sync.WaitGroup
}

// RunProgressive is the node's progressive dialler; it runs until ctx
// ends. Every second, for every running progressive campaign inside one of
// its calling windows, it takes each operator who works the campaign
// (store.JoinCampaign), is ready, holds none of its tasks and has her
// phone registered on this node, and calls an elder for her:
//
//   - she is claimed (store.ClaimOperator: her state becomes ringing, so no
//     queue offers her a call and no other node's dialler claims her);
//   - the campaign's next due task is leased to her (store.OperatorOwner,
//     15 minutes, as in the workspace) — her own attempt;
//   - the elder is rung through the trunks until the network gives up, the
//     call record naming the task and the attempt naming the call before
//     anything is dialled;
//   - answered, the elder hears "connecting", the claim is given back and
//     the operator's phone rung at once (her console pops the call, linked
//     to the attempt in her workspace); they are bridged when she answers,
//     and she records the answers and the outcome there as in preview
//     mode; the dialler goes on for her once she is ready and has finished
//     the attempt;
//   - not answered, busy or unreachable: the attempt is finished with the
//     call's disposition (retried later by the store's rules) and she is
//     ready for the next;
//   - answered but her phone was not (or she was gone): the elder hears
//     that the hotline will ring again, the attempt is finished as no
//     answer, and she is put on a break (away), so that Anxin rings no
//     more elders for an empty desk.
//
// When it starts it finishes the attempts of calls this node placed and
// lost to a restart before they reached an operator. When ctx ends the
// elders' phones still ringing are cancelled (their attempts interrupted);
// calls bridged to operators go on.
func (f *Flows) RunProgressive(ctx context.Context, node string) {
	p := &progressive{f: f, node: node, ctx: ctx, calls: map[int64]int64{}, idle: map[int64]time.Time{}}
	p.recover(ctx)
	tick := time.NewTicker(progressivePoll)
	defer tick.Stop()
	extend := time.NewTicker(progressiveExtend)
	defer extend.Stop()
	for {
		p.round(ctx)
		select {
		case <-ctx.Done():
			p.stop()
			return
		case <-tick.C:
		case <-extend.C:
			p.extend(ctx)
		}
	}
}

// round calls an elder for every free operator of the campaigns inside a
// calling window.
func (p *progressive) round(ctx context.Context) {
	db, log := p.f.cfg.DB, p.f.cfg.Log
	pp := p.f.phones.Load()
	if pp == nil {
		return
	}
	campaigns, err := db.DiallingCampaigns(ctx, anxin.DialProgressive)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("progressive dialler: campaigns", "err", err)
		}
		return
	}
	now := db.Now()
	for _, c := range campaigns {
		if anxin.NextCallTime(now, c.Windows, db.Calendar().IsWorkday).After(now) {
			continue
		}
		p.dialCampaign(ctx, *pp, c)
	}
}

// dialCampaign calls an elder of c for each of its free operators whose
// phone this node reaches, while tasks are due and a trunk is free.
func (p *progressive) dialCampaign(ctx context.Context, phones Phones, c *anxin.Campaign) {
	db, log := p.f.cfg.DB, p.f.cfg.Log
	ops, err := db.CampaignOperators(ctx, c.ID)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("progressive dialler: operators", "campaign", c.ID, "err", err)
		}
		return
	}
	var free []int64
	for _, account := range ops {
		if p.busy(account) {
			continue
		}
		// Only the node her phone registered with can ring it.
		if ext, err := db.ExtensionOf(ctx, account); err != nil || ext == "" {
			continue
		} else if _, ok := phones.Registered(ext); !ok {
			continue
		}
		free = append(free, account)
	}
	if len(free) == 0 {
		return
	}
	for _, account := range free {
		if due, err := db.TaskDue(ctx, c.ID, account); err != nil || !due {
			if err != nil && ctx.Err() == nil {
				log.Error("progressive dialler: due tasks", "campaign", c.ID, "err", err)
				return
			}
			continue // nothing for her (the rest is assigned to others)
		}
		// Every lease is an attempt counted against the elder's contact
		// cap: nothing is leased that no trunk could dial.
		if _, _, err := p.f.trunkFor(ctx, ""); err != nil || ctx.Err() != nil {
			return
		}
		if !p.dialFor(ctx, c, account) {
			return
		}
	}
}

// dialFor claims the operator, leases her c's next due task and calls its
// elder; false when no task could be leased.
func (p *progressive) dialFor(ctx context.Context, c *anxin.Campaign, account int64) bool {
	db, log := p.f.cfg.DB, p.f.cfg.Log.With("campaign", c.ID, "operator", account)
	owner := store.OperatorOwner(account)
	if ok, err := db.ClaimOperator(ctx, account, c.ID, p.node); err != nil || !ok {
		if err != nil && ctx.Err() == nil {
			log.Error("progressive dialler: claim", "err", err)
		}
		return true // she is not free after all: the next one
	}
	a, err := db.NextTask(ctx, c.ID, owner, progressiveLease)
	if err != nil || a == nil {
		if err != nil && ctx.Err() == nil {
			log.Error("progressive dialler: lease", "err", err)
		}
		p.release(account, 0)
		p.rest(account)
		return false
	}
	if a.Number == "" { // none of her numbers is left
		p.finish(a, owner, anxin.DispWrongNumber)
		p.release(account, 0)
		return true
	}
	p.add(account, a.ID)
	var placed int64 // the call record, once there is one
	err = p.call(ctx, c, account, a, &placed)
	if err == nil {
		return true
	}
	p.release(account, placed)
	p.done(account)
	switch code := anxin.ErrorCode(err); {
	case code == anxin.ECONFLICT: // the attempt is no longer hers: not dialled, nothing to finish
	case code == anxin.EFORBIDDEN || code == anxin.EINVALID: // a number Anxin may not ring
		p.finish(a, owner, anxin.DispWrongNumber)
	default: // no trunk after all, or the database: again later
		log.Warn("progressive dialler: call not placed", "task", a.Task.ID, "err", err)
		p.finish(a, owner, anxin.DispInterrupted)
		return false
	}
	return true
}

// call places the call of attempt a for the claimed operator: the record
// names the task, the attempt names the record and the operator's claim
// names it too, all before the elder is dialled (placed is set once the
// claim names it). The call goes on in its own goroutine.
func (p *progressive) call(ctx context.Context, c *anxin.Campaign, account int64, a *store.Attempt, placed *int64) error {
	f, db := p.f, p.f.cfg.DB
	// The elder's committee: the toll-fraud guard finds her number there,
	// and the call record is scoped to it.
	sc := anxin.Scope{Region: a.Task.RegionCode, OrgID: c.OrgID}
	to, err := db.DialCheck(ctx, sc, a.Number)
	if err != nil {
		return err
	}
	pp := f.phones.Load()
	if pp == nil {
		return anxin.Errorf(anxin.EUNAVAILABLE, "telephony is not running on this node")
	}
	trunk, target, err := f.trunkFor(ctx, to)
	if err != nil {
		return err
	}
	rec := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: trunk.CallerID, ToNumber: to,
		Trunk: trunk.Name, ElderID: a.Task.ElderID, RegionCode: sc.Region, Node: f.cfg.Node, StartedAt: time.Now(),
		Queue: anxin.DialProgressive, CampaignTaskID: a.Task.ID}
	if err := db.StartCall(ctx, rec); err != nil {
		return err
	}
	// Not cancelled with the dialler: a record whose link failed would
	// look like a call outside an attempt.
	lctx := context.WithoutCancel(ctx)
	err = db.LinkAttemptCall(lctx, a.ID, store.OperatorOwner(account), rec.ID)
	if err == nil {
		if err = db.ClaimCall(lctx, account, p.node, rec.ID); err == nil {
			*placed = rec.ID
		}
	}
	if err != nil {
		db.EndCall(lctx, rec.ID, time.Now(), 0, anxin.CauseFailed, anxin.HangupSystem)
		return err
	}
	go p.run(*pp, account, a, rec, trunk.CallerID, target)
	return nil
}

// run rings the elder until the network gives up (or the dialler stops),
// hands her to the operator when she answers, and closes the record.
func (p *progressive) run(phones Phones, account int64, a *store.Attempt, rec *anxin.Call, callerID string, target sip.Uri) {
	ctx := context.Background()
	f, db := p.f, p.f.cfg.DB
	log := f.cfg.Log.With("call", rec.ID, "task", a.Task.ID)
	defer p.ended(account, a, rec.ID)
	k, hangUp := f.answerElder(p.ctx, phones, target, callerID, rec, log)
	if k == nil {
		return
	}
	defer hangUp()
	k.toReserved(ctx, phones, account, func() {
		if _, err := db.ReleaseOperator(ctx, account, p.node, rec.ID); err != nil {
			log.Error("progressive dialler: releasing the operator for the answered call", "err", err)
		}
	})
	db.EndCall(ctx, rec.ID, time.Now(), 200, "", k.end(ctx))
}

// toReserved hands an answered elder to the operator the call was placed
// for: the elder hears "connecting", the operator's claim is given back
// (release) and her phone rung at once — her console pops the call — and
// the two are bridged when she answers, until either hangs up. When she
// is no longer ready, her phone is not registered here or does not
// answer, the elder hears that the hotline will ring again.
func (k *call) toReserved(ctx context.Context, phones Phones, account int64, release func()) {
	k.leg.Play(k.prompt("connecting_operator"))
	release()
	if ext, err := k.f.cfg.DB.ExtensionOf(ctx, account); err == nil && ext != "" {
		if b, ok := phones.Registered(ext); ok {
			if k.ring(ctx, nil, phones, account, ext, b) || k.hungUp {
				return
			}
		}
	}
	k.leg.StopPlayback()
	k.play("operator_busy")
}

// ended settles the attempt of a call that is over: the operator's claim
// is given back if the elder never answered; a call the operator took is
// hers to finish in the workspace; any other is finished with the
// disposition its record says — and when the elder answered but the
// operator's phone did not, the operator is put on a break.
func (p *progressive) ended(account int64, a *store.Attempt, callID int64) {
	defer p.done(account)
	ctx, db, log := context.Background(), p.f.cfg.DB, p.f.cfg.Log.With("operator", account, "call", callID)
	if _, err := db.ReleaseOperator(ctx, account, p.node, callID); err != nil {
		log.Error("progressive dialler: releasing the operator", "err", err)
	}
	rec, err := db.FindCall(ctx, anxin.SystemScope(), callID)
	if err != nil {
		log.Error("progressive dialler: call record", "err", err)
		rec = &anxin.Call{}
	}
	if rec.AgentID == account {
		return
	}
	stopping := p.ctx.Err() != nil
	if rec.Cause == anxin.CauseAnswered && rec.HangupBy == anxin.HangupSystem && !stopping {
		log.Warn("progressive dialler: the elder answered and the operator did not; she is put on a break")
		if _, err := db.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvBreak, Reason: awayReason}); err != nil {
			log.Warn("progressive dialler: break", "err", err)
		}
	}
	p.finish(a, store.OperatorOwner(account), disposition(rec, stopping))
}

// recover finishes the attempts of calls this node placed that ended —
// closed as interrupted when the node started — before reaching their
// operators (the node stopped in the middle of them).
func (p *progressive) recover(ctx context.Context) {
	db, log := p.f.cfg.DB, p.f.cfg.Log
	lost, err := db.UnconnectedAttempts(ctx, p.f.cfg.Node)
	if err != nil {
		log.Error("progressive dialler: attempts left by the last run", "err", err)
		return
	}
	for _, a := range lost {
		rec, err := db.FindCall(ctx, anxin.SystemScope(), a.CallID)
		if err != nil {
			rec = &anxin.Call{}
		}
		if _, err := db.FinishAttempt(ctx, a.ID, a.Caller, disposition(rec, false), time.Time{}); err != nil {
			log.Warn("progressive dialler: finishing an attempt left by the last run", "attempt", a.ID, "err", err)
		}
	}
	if len(lost) > 0 {
		log.Warn("progressive attempts left by the last run finished", "attempts", len(lost))
	}
}

// finish records an attempt's disposition (a lease lost meanwhile is
// logged: the attempt was closed as interrupted).
func (p *progressive) finish(a *store.Attempt, owner, disp string) {
	if _, err := p.f.cfg.DB.FinishAttempt(context.Background(), a.ID, owner, disp, time.Time{}); err != nil {
		p.f.cfg.Log.Warn("progressive dialler: finishing the attempt", "task", a.Task.ID, "attempt", a.ID, "disposition", disp, "err", err)
	}
}

// release gives back the operator's claim (see store.ReleaseOperator).
func (p *progressive) release(account, callID int64) {
	if _, err := p.f.cfg.DB.ReleaseOperator(context.Background(), account, p.node, callID); err != nil {
		p.f.cfg.Log.Error("progressive dialler: releasing the operator", "operator", account, "err", err)
	}
}

// busy reports whether the dialler has a call up for the operator, or
// leaves her alone for a while.
func (p *progressive) busy(account int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, up := p.calls[account]
	return up || time.Now().Before(p.idle[account])
}

// rest leaves the operator alone for progressiveIdle.
func (p *progressive) rest(account int64) {
	p.mu.Lock()
	p.idle[account] = time.Now().Add(progressiveIdle)
	p.mu.Unlock()
}

// add records a call placed for the operator.
func (p *progressive) add(account, attempt int64) {
	p.mu.Lock()
	p.calls[account] = attempt
	delete(p.idle, account)
	p.mu.Unlock()
	p.wg.Add(1)
}

// done takes the operator's call off the calls up.
func (p *progressive) done(account int64) {
	p.mu.Lock()
	delete(p.calls, account)
	p.mu.Unlock()
	p.wg.Done()
}

// extend keeps the leases of the operators with a call up.
func (p *progressive) extend(ctx context.Context) {
	p.mu.Lock()
	var ops []int64
	for account := range p.calls {
		ops = append(ops, account)
	}
	p.mu.Unlock()
	for _, account := range ops {
		if _, err := p.f.cfg.DB.ExtendLeases(ctx, store.OperatorOwner(account), progressiveLease); err != nil && ctx.Err() == nil {
			p.f.cfg.Log.Error("progressive dialler: extending leases", "operator", account, "err", err)
		}
	}
}

// stop waits (a while) for the elders' phones still ringing to stop,
// cancelled with the dialler.
func (p *progressive) stop() {
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(progressiveDrain):
		p.mu.Lock()
		n := len(p.calls)
		p.mu.Unlock()
		p.f.cfg.Log.Info("progressive dialler: calls with operators still up after stopping", "calls", n)
	}
}
