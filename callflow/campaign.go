package callflow

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// The agentless campaign dialler (issue 6): each node runs one. It leases
// due tasks of the running agentless campaigns inside their calling
// windows and places each as a check-in call (see CheckIn), with no more
// calls up than the node's CampaignChannels and the trunks' channels
// allow. Every lease is a numbered attempt, linked to its one call before
// anything is dialled; the call's end is the attempt's disposition.

const (
	// campaignLease is a task's first lease: longer than a call rings
	// before the network gives up (one to three minutes), the check-in
	// prompt twice, and the start of a "help" transfer. It is extended
	// every campaignExtend while the call lasts, so a call with an
	// operator may go on as long as it needs; a node that vanished loses
	// its tasks to the other nodes within this time (at once to itself
	// when it starts again).
	campaignLease  = 10 * time.Minute
	campaignExtend = time.Minute
	// campaignDrain is how long a stopping dialler waits for its calls to
	// hang up and record their outcome.
	campaignDrain = 15 * time.Second

	defaultCampaignChannels = 30
	defaultCampaignPoll     = 10 * time.Second
)

// checkInQuestion is the question the check-in's key answers, recorded
// with the attempt (campaign_answers).
const checkInQuestion = "checkin"

// dialler is a node's campaign dialler while it runs.
type dialler struct {
	f     *Flows
	owner string
	ctx   context.Context // ends when the dialler stops
	freed chan struct{}   // a call ended: a channel is free

	mu    sync.Mutex
	calls map[int64]*store.Attempt // attempts with a call up, by ID
	wg    sync.WaitGroup

	// scripts are the script versions read so far (by the dialler's loop
	// only).
	scripts map[scriptKey]*anxin.Script
}

// RunCampaigns is the node's agentless campaign dialler: it runs until ctx
// ends. It first gives back the leases the node still holds (a run that
// crashed: their attempts are closed as interrupted and the tasks called
// again as new attempts). Then, for every running agentless campaign
// inside one of its calling windows (working days, China time), it leases
// due tasks to "node:"+node and places each as a check-in call to the
// attempt's number — while the node has fewer than CampaignChannels such
// calls up and a trunk has a channel free. The call record names the task
// and the attempt names the call, linked before the call is dialled, so
// an attempt is never dialled twice. The answered call speaks the elder's
// language (anxin.DialectLang) and, when she asks for a person, queues
// for the operators of the campaign owner's area.
//
// When the task's version of the campaign's script is IVR-capable, the
// call asks it (see askScript): its answers are reported when the call
// ends as an operator's are (store.ReportAttempt: orders, escalations and
// elder updates from the options' actions), completed when the script ran
// to its end; 0 at any question opens an urgent escalation at once and
// transfers her to an operator. Otherwise the fixed check-in plays: her
// key is recorded as the answer to "checkin" (1 well, 2 supplies, 3 help);
// 2 opens a work order for supplies and 3 an urgent escalation at once,
// before the call is transferred to an operator. When the call ends its
// outcome becomes the attempt's disposition (see disposition), and the
// store schedules the retry or, for a task whose every attempt failed, the
// door-knock. When ctx ends the calls up are hung up (ringing ones
// cancelled) and their attempts closed as interrupted.
func (f *Flows) RunCampaigns(ctx context.Context, node string) {
	db, log := f.cfg.DB, f.cfg.Log.With("dialler", "node:"+node)
	d := &dialler{f: f, owner: "node:" + node, ctx: ctx, freed: make(chan struct{}, 1), calls: map[int64]*store.Attempt{},
		scripts: map[scriptKey]*anxin.Script{}}
	if n, err := db.ReleaseLeases(ctx, d.owner); err != nil {
		log.Error("campaign dialler: releasing the node's leases", "err", err)
	} else if n > 0 {
		log.Warn("campaign tasks left leased by the last run released", "tasks", n)
	}
	extend := time.NewTicker(campaignExtend)
	defer extend.Stop()
	for {
		wait := d.round(ctx)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			d.stop()
			return
		case <-d.freed:
		case <-t.C:
		case <-extend.C:
			if d.active() > 0 {
				if _, err := db.ExtendLeases(ctx, d.owner, campaignLease); err != nil {
					log.Error("campaign dialler: extending leases", "err", err)
				}
			}
		}
		t.Stop()
	}
}

// channels is the node's campaign call limit.
func (d *dialler) channels() int {
	if n := d.f.cfg.CampaignChannels; n > 0 {
		return n
	}
	return defaultCampaignChannels
}

// poll is how long an idle dialler waits before looking for due tasks.
func (d *dialler) poll() time.Duration {
	if p := d.f.cfg.CampaignPoll; p > 0 {
		return p
	}
	return defaultCampaignPoll
}

// active counts the calls up.
func (d *dialler) active() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.calls)
}

// round places calls for the campaigns inside a calling window, one for
// each in turn, until channels run out or no task is due; it returns how
// long to wait before the next round (a call ending starts one sooner).
func (d *dialler) round(ctx context.Context) time.Duration {
	db, log := d.f.cfg.DB, d.f.cfg.Log
	wait := d.poll()
	campaigns, err := db.DiallingCampaigns(ctx, anxin.DialAgentless)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("campaign dialler: campaigns", "err", err)
		}
		return wait
	}
	now := db.Now()
	var open []*anxin.Campaign
	for _, c := range campaigns {
		next := anxin.NextCallTime(now, c.Windows, db.Calendar().IsWorkday)
		if next.After(now) {
			wait = min(wait, next.Sub(now))
			continue
		}
		open = append(open, c)
	}
	for len(open) > 0 && ctx.Err() == nil {
		for i := 0; i < len(open); {
			if d.active() >= d.channels() || !d.trunkFree(ctx) {
				return wait
			}
			if !d.dialNext(ctx, open[i]) {
				open = slices.Delete(open, i, i+1)
				continue
			}
			i++
		}
	}
	return wait
}

// trunkFree reports whether telephony runs and a trunk has a channel free
// (checked before a task is leased: a lease is an attempt, and counts
// against the elder's contact cap).
func (d *dialler) trunkFree(ctx context.Context) bool {
	if d.f.phones.Load() == nil {
		return false
	}
	_, _, err := d.f.trunkFor(ctx, "")
	return err == nil
}

// dialNext leases c's next due task and places its call; false when no
// task is due (or leasing failed).
func (d *dialler) dialNext(ctx context.Context, c *anxin.Campaign) bool {
	db, log := d.f.cfg.DB, d.f.cfg.Log
	a, err := db.NextTask(ctx, c.ID, d.owner, campaignLease)
	if err != nil {
		if ctx.Err() == nil {
			log.Error("campaign dialler: lease", "campaign", c.ID, "err", err)
		}
		return false
	}
	if a == nil {
		return false
	}
	if a.Number == "" { // none of her numbers is left
		d.finish(a, anxin.DispWrongNumber)
		return true
	}
	p, err := d.plan(ctx, c, a)
	if err != nil {
		log.Warn("campaign dialler: call not placed", "task", a.Task.ID, "err", err)
		d.finish(a, anxin.DispInterrupted)
		return false
	}
	d.mu.Lock()
	d.calls[a.ID] = a
	d.mu.Unlock()
	d.wg.Add(1)
	// The elder's committee: the toll-fraud guard finds her number there,
	// and the call record is scoped to it.
	sc := anxin.Scope{Region: a.Task.RegionCode, OrgID: c.OrgID}
	var callID int64 // set before the call is dialled
	_, err = d.f.checkInCall(ctx, sc, a.Number, a.Task.ElderID, checkInHooks{
		life: ctx,
		task: a.Task.ID,
		started: func(id int64) error {
			// Not cancelled with the dialler: a record whose link failed
			// would look like a call outside an attempt. Stopping now
			// cancels the call before it rings.
			callID = id
			return db.LinkAttemptCall(context.WithoutCancel(ctx), a.ID, d.owner, id)
		},
		run: func(ctx context.Context, k *call) {
			k.converse(ctx, p, func() { d.answered(c, a, callID, anxin.CheckInHelp, anxin.OperatorKey) },
				func(answer string) { d.answered(c, a, callID, answer, checkInKey(answer)) })
		},
		ended: func(id int64) { d.ended(c, a, p, id) },
	})
	if err == nil {
		return true
	}
	d.done(a)
	switch code := anxin.ErrorCode(err); {
	case code == anxin.ECONFLICT: // the attempt is no longer ours: not dialled, nothing to finish
	case code == anxin.EFORBIDDEN || code == anxin.EINVALID: // a number Anxin may not ring
		d.finish(a, anxin.DispWrongNumber)
	default: // no trunk after all, or the database: try again later
		log.Warn("campaign dialler: call not placed", "task", a.Task.ID, "err", err)
		d.finish(a, anxin.DispInterrupted)
		return false
	}
	return true
}

// answered records the elder's check-in answer (her key) as the
// attempt's answer to "checkin" and, for supplies or help, opens the work
// order at once.
func (d *dialler) answered(c *anxin.Campaign, a *store.Attempt, call int64, answer, key string) {
	ctx, db, log := context.Background(), d.f.cfg.DB, d.f.cfg.Log.With("task", a.Task.ID, "attempt", a.ID)
	if err := db.RecordAnswers(ctx, a.ID, map[string]string{checkInQuestion: answer}); err != nil {
		log.Error("campaign dialler: answer", "err", err)
	}
	o := checkInOrder(c, a, answer, key)
	if o == nil {
		return
	}
	o.CallID = call
	sc := anxin.SystemScope()
	sc.OrgID = c.OrgID // the campaign's owner takes the order
	if err := db.CreateOrder(ctx, sc, o); err != nil {
		log.Error("campaign dialler: order for the check-in answer", "answer", answer, "err", err)
	}
}

// checkInKey is the fixed check-in's key for an answer.
func checkInKey(answer string) string {
	for k, v := range checkInKeys {
		if v == answer {
			return string(k)
		}
	}
	return ""
}

// checkInOrder is the work order a check-in answer, given by key, opens
// (nil for "all well"): supplies, a service order for the back office to
// ring her back and take the packages (a supply order needs its packages,
// which a key cannot say); help, an urgent escalation to her committee,
// opened before the call reaches an operator.
func checkInOrder(c *anxin.Campaign, a *store.Attempt, answer, key string) *anxin.Order {
	o := &anxin.Order{Channel: anxin.ChannelOutbound, ElderID: a.Task.ElderID, CampaignTaskID: a.Task.ID,
		IdempotencyKey: fmt.Sprintf("campaign-attempt:%d:%s", a.ID, answer)}
	switch answer {
	case anxin.CheckInSupplies:
		o.Type, o.Urgency = anxin.TypeService, anxin.UrgencyNormal
		o.Title = "自动问候：老人需要物资"
		o.Description = fmt.Sprintf("老人在“%s”的自动问候电话中按了 %s（需要物资）。请回电确认需要的保供套餐并下单。", c.Name, key)
	case anxin.CheckInHelp:
		o.Type, o.Urgency = anxin.TypeEscalation, anxin.UrgencyUrgent
		o.Title = fmt.Sprintf("自动问候：老人按 %s 求助", key)
		o.Description = fmt.Sprintf("老人在“%s”的自动问候电话中按了 %s（需要帮助），电话已转人工坐席。请尽快联系老人，必要时上门。", c.Name, key)
	default:
		return nil
	}
	return o
}

// ended finishes the attempt of a call that ended: completed when its
// script ran to its end, else with the disposition its record says; the
// answers the script got are reported with it (see report).
func (d *dialler) ended(c *anxin.Campaign, a *store.Attempt, p *callPlan, callID int64) {
	defer d.done(a)
	rec, err := d.f.cfg.DB.FindCall(context.Background(), anxin.SystemScope(), callID)
	if err != nil {
		d.f.cfg.Log.Error("campaign dialler: call record", "call", callID, "err", err)
		rec = &anxin.Call{}
	}
	disp := disposition(rec, d.ctx.Err() != nil)
	if p.asked == nil {
		d.finish(a, disp)
		return
	}
	if p.asked.how == scriptAnswered {
		disp = anxin.DispCompleted
	}
	if len(p.asked.answers) == 0 {
		d.finish(a, disp)
		return
	}
	d.report(c, a, disp, p.asked.answers)
}

// done takes the attempt's call off the calls up and wakes the dialler.
func (d *dialler) done(a *store.Attempt) {
	d.mu.Lock()
	delete(d.calls, a.ID)
	d.mu.Unlock()
	d.wg.Done()
	select {
	case d.freed <- struct{}{}:
	default:
	}
}

// finish records the attempt's disposition (a lease lost meanwhile is
// logged: the attempt was closed as interrupted, and its task is someone
// else's).
func (d *dialler) finish(a *store.Attempt, disp string) {
	if _, err := d.f.cfg.DB.FinishAttempt(context.Background(), a.ID, d.owner, disp, time.Time{}); err != nil {
		d.f.cfg.Log.Warn("campaign dialler: finishing the attempt", "task", a.Task.ID, "attempt", a.ID, "disposition", disp, "err", err)
	}
}

// disposition says how a check-in call's attempt ended, from its record:
// a key pressed is completed; answered without a key is no answer (she,
// or a voicemail, picked up but said nothing: nobody knows she is well, so
// she is called again, and in the end her committee knocks); busy is
// busy; no answer is no answer; rejected, unreachable and failed are
// unreachable; a call Anxin itself cancelled, hung up or failed while
// stopping, a call lost to a restart, and a record that cannot be read
// are interrupted (tried again, as a new attempt).
func disposition(rec *anxin.Call, stopping bool) string {
	switch {
	case rec.CheckIn != "":
		return anxin.DispCompleted
	case rec.Cause == anxin.CauseAnswered && stopping && rec.HangupBy == anxin.HangupSystem:
		return anxin.DispInterrupted
	case rec.Cause == anxin.CauseAnswered, rec.Cause == anxin.CauseNoAnswer:
		return anxin.DispNoAnswer
	case rec.Cause == anxin.CauseBusy:
		return anxin.DispBusy
	case rec.Cause == anxin.CauseFailed && stopping:
		return anxin.DispInterrupted // as likely Anxin's doing as the network's
	case rec.Cause == anxin.CauseRejected, rec.Cause == anxin.CauseUnreachable, rec.Cause == anxin.CauseFailed:
		return anxin.DispUnreachable
	}
	return anxin.DispInterrupted // cancelled, interrupted, unknown
}

// stop waits (a while) for the calls up to end, hung up by their life
// ending with the dialler's, and gives back whatever the node still holds.
func (d *dialler) stop() {
	done := make(chan struct{})
	go func() { d.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(campaignDrain):
		d.f.cfg.Log.Warn("campaign dialler: calls still up after stopping", "calls", d.active())
	}
	if _, err := d.f.cfg.DB.ReleaseLeases(context.Background(), d.owner); err != nil {
		d.f.cfg.Log.Error("campaign dialler: releasing leases", "err", err)
	}
}
