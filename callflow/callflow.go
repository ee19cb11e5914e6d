// Package callflow is what Anxin's calls do: an inbound call to a hotline
// number is routed by its number, matched to the elder by the calling
// number, answered, recorded (stereo: the caller left, Anxin right), given
// the spoken menu, and queued by the key pressed; the operators of the
// number's area who are ready see it pop on their consoles. It drives the
// SIP layer (sipua), the media (rtp) and the records (store); it knows no
// SIP message and no SQL.
//
// In the queue the call is offered to the ready operators of the number's
// area whose phones are registered, the longest idle first: their console
// pops the call, their phone rings, and the first to answer is bridged to
// the caller (the recording then holds the elder left and the operator
// right). An unanswered or failed offer returns the operator to ready and
// the next is tried; when nobody has taken the call within the queue's
// wait, the caller hears that Anxin will ring back.
package callflow

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/phone"
	"github.com/anxin-care/anxin/prompts"
	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/store"
)

// Config configures the call flows of a node.
type Config struct {
	DB     *store.DB
	Engine *rtp.Engine
	// LocalIP is the address put in SDP answers (where peers send media).
	LocalIP netip.Addr
	// Recordings keeps the recordings (nil: calls are not recorded).
	Recordings *recordings.Store
	// Node names this anxin process in call records and agent states.
	Node string
	// Pop shows a call on an operator's consoles (web.Server.PopCall).
	Pop func(ctx context.Context, accountID, callID int64, number, hotline string)
	Log *slog.Logger
	// MenuTimeout, when set, is how long every menu waits for a key after
	// it ends (instead of the menu's own setting); QueueWait, when set,
	// how long a caller waits in any queue before being offered a callback
	// (instead of the queue's maximum wait); RingTime how long an
	// operator's phone rings before the next is tried.
	MenuTimeout, QueueWait, RingTime time.Duration
	// CampaignChannels is how many agentless campaign calls this node's
	// dialler has up at once at most (default 30; the trunks' channel
	// limits apply too); CampaignPoll how often it looks for due tasks
	// when idle (default 10 s). See RunCampaigns.
	CampaignChannels int
	CampaignPoll     time.Duration
}

// Phones reaches operators' phones: where they registered, and placing a
// call to them (a *sipua.Agent).
type Phones interface {
	Registered(user string) (sipua.Binding, bool)
	Dial(ctx context.Context, to sip.Uri, from string, sdp []byte, ringing func()) (*sipua.OutgoingCall, error)
}

// Flows runs the call flows.
type Flows struct {
	cfg     Config
	prompts map[string][]int16 // the built-in ones
	phones  atomic.Pointer[Phones]
	ivr     configCache
	acd     *acd
}

// SetPhones gives the flows the SIP agent that reaches operators' phones
// (made after the flows, as it hands calls to them); without it queued
// callers only pop on consoles.
func (f *Flows) SetPhones(p Phones) { f.phones.Store(&p) }

// New decodes the prompts once (every call plays the same samples).
func New(cfg Config) (*Flows, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.RingTime <= 0 {
		cfg.RingTime = 20 * time.Second
	}
	f := &Flows{cfg: cfg, prompts: map[string][]int16{}}
	f.acd = newACD(f)
	for _, name := range prompts.Names() {
		b, err := prompts.Open(prompts.Default, name)
		if err != nil {
			return nil, err
		}
		pcm, err := media.ReadPrompt(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("prompt %s: %w", name, err)
		}
		f.prompts[name] = pcm
	}
	return f, nil
}

// party is the far end of a call in progress, whichever side rang:
// *sipua.IncomingCall or *sipua.OutgoingCall.
type party interface {
	Done() <-chan struct{}
	Hangup(ctx context.Context) error
	InfoDigits() <-chan rune
}

// call is one call with an elder in progress: an inbound hotline call or
// an outbound check-in.
type call struct {
	f      *Flows
	c      party
	in     *sipua.IncomingCall // inbound calls: to answer or reject
	out    *sipua.OutgoingCall // calls Anxin placed to an elder
	leg    *rtp.Leg
	rec    *anxin.Call
	did    *anxin.DID
	cfg    *ivrConfig
	lang   string // the caller's choice; "" Mandarin
	hungUp bool
	// by is who ended a bridged call (the caller or the operator).
	by string
}

// Inbound runs an inbound call; it returns when the call is over.
func (f *Flows) Inbound(c *sipua.IncomingCall) {
	ctx := context.Background()
	db, log := f.cfg.DB, f.cfg.Log.With("sip_call_id", c.CallID, "from", c.From, "to", c.To)
	did, err := db.RouteDID(ctx, c.To)
	if err != nil {
		log.Info("call to a number that is no hotline")
		c.Reject(404, "Not Found")
		return
	}
	rec := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: c.From, ToNumber: did.Number,
		SIPCallID: c.CallID, RegionCode: did.RegionCode, Node: f.cfg.Node, StartedAt: time.Now(), Trunk: f.trunkOf(ctx, c.Source)}
	if cands := phone.Candidates(c.From, phone.AreaCode(did.RegionCode)); len(cands) > 0 {
		elders, err := db.LookupPhone(ctx, anxin.Scope{Region: did.RegionCode}, cands...)
		if err == nil && len(elders) == 1 {
			rec.ElderID, rec.RegionCode = elders[0].ID, elders[0].RegionCode
		}
	}
	if err := db.StartCall(ctx, rec); err != nil {
		log.Error("call record", "err", err)
		c.Reject(503, "Service Unavailable")
		return
	}
	k := &call{f: f, c: c, in: c, rec: rec, did: did, cfg: f.config(ctx)}
	code, cause, by := k.run(ctx, log)
	if err := db.EndCall(ctx, rec.ID, time.Now(), code, cause, by); err != nil {
		log.Error("end call record", "err", err)
	}
}

// trunkOf names the enabled trunk whose peers include src ("" when none
// does: a registering trunk's carrier, say), so that an inbound call's
// record names the trunk it came by and counts against its channels.
func (f *Flows) trunkOf(ctx context.Context, src netip.AddrPort) string {
	trunks, err := f.cfg.DB.Trunks(ctx)
	if err != nil {
		return ""
	}
	addr := src.Addr().Unmap()
	for _, t := range trunks {
		if !t.Enabled {
			continue
		}
		for _, p := range t.Peers {
			if p.Contains(addr) {
				return t.Name
			}
		}
	}
	return ""
}

// run answers and plays the flow; it returns the leg's final SIP code,
// cause ("" to classify the code) and who hung up.
func (k *call) run(ctx context.Context, log *slog.Logger) (int, string, string) {
	f, db := k.f, k.f.cfg.DB
	leg, err := f.cfg.Engine.NewLeg()
	if err != nil {
		log.Error("no media port", "err", err)
		k.in.Reject(503, "Service Unavailable")
		return 503, anxin.CauseFailed, anxin.HangupSystem
	}
	defer leg.Close()
	k.leg = leg
	stream, sdp, err := media.Answer(k.in.Offer, f.cfg.LocalIP, int(leg.LocalAddr().Port()), codecs)
	if err != nil {
		k.in.Reject(488, "Not Acceptable Here")
		return 488, anxin.CauseFailed, anxin.HangupSystem
	}
	if err := leg.SetStream(*stream); err != nil {
		k.in.Reject(500, "Server Internal Error")
		return 500, anxin.CauseFailed, anxin.HangupSystem
	}
	if err := k.in.Answer(sdp); errors.Is(err, sipua.ErrNoACK) {
		return 408, anxin.CauseFailed, anxin.HangupSystem // the 200 was never acknowledged
	} else if err != nil {
		return 487, anxin.CauseCancelled, anxin.HangupCaller // cancelled while answering
	}
	if err := db.CallAnswered(ctx, k.rec.ID, time.Now(), 0); err != nil {
		log.Error("call answered", "err", err)
	}
	if stop := f.recordLeg(ctx, leg, k.rec, log); stop != nil {
		defer stop()
	}
	menu := k.cfg.didMenu[k.did.Number]
	if menu == nil {
		menu = builtinMenu()
	}
	k.menus(ctx, menu)
	return 200, "", k.end(ctx)
}

// recordLeg starts the stereo recording of a leg (see recordings.Store:
// DATA/recordings/YYYY/MM/DD) and returns what finishes it; nil when it
// could not start — the disk is below its minimum free space, say: the
// call goes on, unrecorded, the log says why and the store raises the
// alarm. A write failing in the middle of the call (the disk filled)
// stops the recording, not the call, and raises the alarm at once.
func (f *Flows) recordLeg(ctx context.Context, leg *rtp.Leg, rec *anxin.Call, log *slog.Logger) func() {
	rs := f.cfg.Recordings
	if rs == nil {
		return nil
	}
	name, file, err := rs.Create(rec.StartedAt, rec.ID)
	if err != nil {
		log.Error("recording", "err", err)
		return nil
	}
	if err := leg.RecordNotify(file, rs.WriteFailed); err != nil {
		file.Close()
		os.Remove(file.Name())
		rs.WriteFailed(err)
		return nil
	}
	if err := f.cfg.DB.SetCallRecording(ctx, rec.ID, name); err != nil {
		log.Error("recording", "err", err)
	}
	return func() {
		leg.StopRecording() // a write error went to rs.WriteFailed already
		file.Close()
	}
}

// queue puts the caller in line for an operator of the number's area (see
// acd): the call is offered as the line reaches it — the operator's console
// pops it and her phone rings; the first to answer is bridged to the caller
// until either hangs up. Meanwhile the caller hears their place in line now
// and then; after the queue's maximum wait they may ask to be called back
// in their place (key 1, or no key) or wait on (key 2).
func (k *call) queue(ctx context.Context, name string) {
	f, db := k.f, k.f.cfg.DB
	q := k.cfg.queue(name)
	maxWait := time.Duration(q.MaxWaitSeconds) * time.Second
	if f.cfg.QueueWait > 0 {
		maxWait = f.cfg.QueueWait
	}
	start := time.Now()
	defer func() { db.SetCallQueue(ctx, k.rec.ID, name, int(time.Since(start).Seconds())) }()
	if err := db.SetCallQueue(ctx, k.rec.ID, name, 0); err != nil {
		f.cfg.Log.Error("queue", "err", err)
	}
	if name == anxin.OperatorQueue {
		k.leg.Play(k.prompt("connecting_operator"))
	} else {
		k.leg.Play(k.prompt("please_wait"))
	}
	w := f.acd.join(k.did.RegionCode, q, k.lang, start)
	defer f.acd.leave(w)
	announce := time.Duration(q.AnnounceSeconds) * time.Second
	nextAnnounce, deadline := start.Add(announce), start.Add(maxWait)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case s := <-w.offers:
			if k.offerTo(ctx, w, s) {
				f.acd.took(name, time.Since(start))
				return
			}
			if k.hungUp {
				return
			}
			f.acd.back(w)
			continue
		case <-k.c.Done():
			k.hungUp = true
			return
		case <-k.leg.Timeout():
			return
		case <-tick.C:
		}
		now := time.Now()
		switch {
		case now.After(deadline):
			f.acd.hold(w)
			k.leg.StopPlayback()
			d, ok := k.play("wait_too_long")
			if ok && d == 0 {
				d, ok = k.key(k.menuTimeout())
			}
			if !ok {
				return
			}
			if d == '2' {
				deadline = time.Now().Add(maxWait)
				f.acd.back(w)
				continue
			}
			k.callbackRequest(ctx, name, start)
			return
		case announce > 0 && now.After(nextAnnounce) && !k.leg.Playing():
			nextAnnounce = now.Add(announce)
			k.leg.Play(k.prompts(announcement(f.acd.position(w))(now.Sub(start))...))
		}
	}
}

// announcement returns what a caller with ahead callers before them hears,
// given how long callers of the queue recently waited until an operator
// took them and how long this one has waited: "N callers ahead of you"
// (when there are), and "about M minutes more" (when that is a minute or
// more).
func announcement(ahead int, recent time.Duration) func(waited time.Duration) []string {
	return func(waited time.Duration) []string {
		var say []string
		if ahead > 0 {
			say = append(append([]string{"queue_ahead"}, spokenNumber(ahead, true)...), "queue_waiting")
		}
		if left := recent - waited; left >= 30*time.Second {
			minutes := int((left + 30*time.Second) / time.Minute)
			say = append(append(append(say, "queue_expected"), spokenNumber(minutes, true)...), "minutes")
		}
		return say
	}
}

// offerTo offers the call to an operator the line reached: her console pops
// it and, when her phone is registered, it rings (see ring); without a
// phone the pop is all she can be offered. It reports whether she took the
// call (which is then over).
func (k *call) offerTo(ctx context.Context, w *waiter, s anxin.AgentStatus) bool {
	f, db := k.f, k.f.cfg.DB
	pp := f.phones.Load()
	var ext string
	var b sipua.Binding
	registered := false
	if pp != nil {
		if ext, _ = db.ExtensionOf(ctx, s.AccountID); ext != "" {
			b, registered = (*pp).Registered(ext)
		}
	}
	if !registered {
		f.acd.offered(w, s.AccountID)
		k.pop(ctx, s.AccountID)
		return false
	}
	return k.ring(ctx, w, *pp, s.AccountID, ext, b)
}

// pop shows the call on an operator's consoles.
func (k *call) pop(ctx context.Context, account int64) {
	if k.f.cfg.Pop != nil {
		k.f.cfg.Pop(ctx, account, k.rec.ID, k.party(), k.did.Number)
	}
}

// party is the number of the person the operator will speak to: the
// caller of an inbound call, the elder Anxin rang on an outbound one
// (elder first; its From is the trunk's caller ID).
func (k *call) party() string {
	if k.rec.Direction == anxin.CallOutbound {
		return k.rec.ToNumber
	}
	return k.rec.FromNumber
}

// ring rings one operator's phone and, answered, bridges it to the caller
// until either hangs up; it reports whether the operator took the call.
func (k *call) ring(ctx context.Context, w *waiter, phones Phones, account int64, ext string, b sipua.Binding) bool {
	f, db, log := k.f, k.f.cfg.DB, k.f.cfg.Log
	_, err := db.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvOffer, CallID: k.rec.ID, Node: f.cfg.Node})
	f.acd.offered(w, account)
	if err != nil {
		return false // no longer ready (another node offered her a call, or she took a break)
	}
	k.pop(ctx, account)
	rec := &anxin.Call{ParentID: k.rec.ID, Direction: anxin.CallInbound, Leg: anxin.LegAgent, FromNumber: k.did.Number,
		ToNumber: ext, Trunk: "extension", AgentID: account, RegionCode: k.rec.RegionCode, Node: f.cfg.Node, StartedAt: time.Now()}
	if err := db.StartCall(ctx, rec); err != nil {
		log.Error("agent leg record", "err", err)
	}
	fail := func(code int, cause string) bool {
		db.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvOfferFailed})
		db.EndCall(ctx, rec.ID, time.Now(), code, cause, anxin.HangupSystem)
		return false
	}
	rctx, cancel := context.WithTimeout(ctx, f.cfg.RingTime)
	defer cancel()
	go func() { // the caller hanging up cancels the ringing
		select {
		case <-k.c.Done():
			cancel()
		case <-rctx.Done():
		}
	}()
	leg, call, err := f.dial(rctx, phones, b.Contact, k.party(), rec)
	if err != nil {
		le := err.(*legError)
		switch {
		case le.dial == nil:
			return fail(le.code, le.cause)
		case chanClosed(k.c.Done()):
			k.hungUp = true
			return fail(487, anxin.CauseCancelled)
		case le.code == 487 || le.code == 0 && rctx.Err() != nil:
			return fail(408, anxin.CauseNoAnswer) // rang out: our timeout
		}
		return fail(le.code, "")
	}
	defer leg.Close()
	now := time.Now()
	db.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvAnswer})
	db.CallAnswered(ctx, rec.ID, now, account)
	db.SetCallAgent(ctx, k.rec.ID, account)
	k.leg.StopPlayback()
	if err := rtp.Bridge(k.leg, leg); err != nil {
		log.Error("bridge", "err", err)
	}
	by := anxin.HangupAgent
	select {
	case <-k.c.Done():
		k.hungUp, by = true, anxin.HangupCaller
		call.Hangup(ctx)
	case <-call.Done():
		hctx, hcancel := context.WithTimeout(ctx, 10*time.Second)
		k.c.Hangup(hctx)
		hcancel()
	case <-leg.Timeout(): // the operator's media stopped without a BYE
		call.Hangup(ctx)
		by = anxin.HangupSystem
	case <-k.leg.Timeout(): // the caller's
		call.Hangup(ctx)
		by = anxin.HangupSystem
	}
	k.by = by
	db.MoveAgent(ctx, account, anxin.AgentEvent{Event: anxin.EvHangup})
	db.EndCall(ctx, rec.ID, time.Now(), 200, "", by)
	return true
}

// chanClosed reports whether ch is closed.
func chanClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// play plays prompts in turn; a key pressed stops them and is returned
// (barge-in). ok is false when the caller hung up.
func (k *call) play(names ...string) (rune, bool) {
	for _, name := range names {
		done := k.leg.Play(k.prompt(name))
		select {
		case <-done:
		case d := <-k.leg.Digits():
			k.leg.StopPlayback()
			return d, true
		case d := <-k.c.InfoDigits():
			k.leg.StopPlayback()
			return d, true
		case <-k.c.Done():
			k.hungUp = true
			return 0, false
		case <-k.leg.Timeout():
			return 0, false // the far end is gone without a BYE
		}
	}
	return 0, true
}

// prompt returns a prompt's samples in the caller's language.
func (k *call) prompt(name string) []int16 { return k.f.prompt(k.cfg, k.lang, name) }

// prompts joins prompts into one (an announcement said as one).
func (k *call) prompts(names ...string) []int16 {
	var out []int16
	for _, n := range names {
		out = append(out, k.prompt(n)...)
	}
	return out
}

// menuTimeout is how long a question outside menus waits for a key.
func (k *call) menuTimeout() time.Duration {
	if k.f.cfg.MenuTimeout > 0 {
		return k.f.cfg.MenuTimeout
	}
	return 8 * time.Second
}

// key waits up to d for a key.
func (k *call) key(d time.Duration) (rune, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case r := <-k.leg.Digits():
		return r, true
	case r := <-k.c.InfoDigits():
		return r, true
	case <-k.c.Done():
		k.hungUp = true
		return 0, false
	case <-k.leg.Timeout():
		return 0, false
	case <-t.C:
		return 0, true
	}
}

// wait waits d unless the caller hangs up first (false).
func (k *call) wait(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-k.c.Done():
		k.hungUp = true
		return false
	case <-k.leg.Timeout():
		return false
	case <-t.C:
		return true
	}
}
