package callflow_test

import (
	"cmp"
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/callflow"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

type pop struct{ account, call int64 }

// world is a node on loopback: the demo dataset, an elder with the mobile
// 13812345678, the call flows on their own RTP ports, and the SIP agent
// serving on port; the trunk's carrier is whatever SIPp listens on
// carrier.
type world struct {
	db      *store.DB
	flows   *callflow.Flows
	port    int // Anxin's SIP port
	carrier int
	records string
	logins  []demo.Login
	elder   *anxin.Elder
	done    chan struct{} // an inbound call's flow has ended

	mu         sync.Mutex
	pops       []pop
	popNumbers []string // the number each pop shows
}

// options vary a world: the RTP ports (each test its own), the media
// timeout, the flows' timings, and whether operators' phones are reached
// (without, a queued call only pops on consoles).
type options struct {
	minPort      int
	mediaTimeout time.Duration
	queueWait    time.Duration
	ringTime     time.Duration
	phones       bool
	// campaignPoll is how often the campaign dialler looks for due tasks;
	// engine the store's (SQLite when "").
	campaignPoll time.Duration
	engine       string
}

func newWorld(t *testing.T, o options) *world {
	t.Helper()
	sipptest.Path(t)
	ctx := context.Background()
	db, _ := storetest.Open(t, cmp.Or(o.engine, store.SQLite))
	logins, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, logins: logins, records: t.TempDir(), done: make(chan struct{}, 1), carrier: sipptest.FreePort(t)}
	w.elder = &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	if err := db.CreateElder(ctx, anxin.SystemScope(), w.elder); err != nil {
		t.Fatal(err)
	}
	trunks, _ := db.Trunks(ctx)
	trunks[0].Host = "127.0.0.1:" + strconv.Itoa(w.carrier)
	if err := db.SaveTrunk(ctx, anxin.SystemScope(), trunks[0]); err != nil {
		t.Fatal(err)
	}
	engine, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: o.minPort, MaxPort: o.minPort + 100,
		MediaTimeout: o.mediaTimeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	// No minimum free space: a nearly full CI disk must not refuse
	// recordings.
	rs, err := recordings.New(recordings.Config{Dir: w.records, DB: db})
	if err != nil {
		t.Fatal(err)
	}
	w.flows, err = callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: netip.MustParseAddr("127.0.0.1"), Recordings: rs,
		Node: "test", QueueWait: o.queueWait, RingTime: o.ringTime, Log: quiet, CampaignPoll: o.campaignPoll,
		Pop: func(_ context.Context, account, call int64, number, _ string) {
			w.mu.Lock()
			w.pops = append(w.pops, pop{account, call})
			w.popNumbers = append(w.popNumbers, number)
			w.mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Logger: quiet,
		Realm: demo.SIPRealm, OnCall: func(c *sipua.IncomingCall) { w.flows.Inbound(c); w.done <- struct{}{} },
		Extensions: func(user string) (string, bool) {
			_, ha1, err := db.ExtensionSecret(ctx, user)
			return ha1, err == nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if o.phones {
		w.flows.SetPhones(agent)
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); agent.Close() })
	go agent.ServeUDP(sctx, conn)
	w.port = conn.LocalAddr().(*net.UDPAddr).Port
	return w
}

// operator signs a demo operator in to take calls and returns her account
// and login.
func (w *world) operator(t *testing.T, username string) (*anxin.Account, demo.Login) {
	t.Helper()
	ctx := context.Background()
	a, err := w.db.AccountByUsername(ctx, username)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.db.MoveAgent(ctx, a.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
		t.Fatal(err)
	}
	for _, l := range w.logins {
		if l.Username == username {
			return a, l
		}
	}
	t.Fatalf("no demo login %s", username)
	return nil, demo.Login{}
}

// phone registers an operator's phone (SIPp, digest) and has it answer
// the next call; wait returns once that call is over.
func (w *world) phone(t *testing.T, l demo.Login) (wait func() ([]byte, error)) {
	t.Helper()
	port := sipptest.FreePort(t)
	if out, err := sipptest.Run(t, w.port, l.Extension, "../sipua/testdata/register.xml", "-au", l.Extension, "-ap", l.SIPPassword,
		"-p", strconv.Itoa(port)); err != nil {
		t.Fatalf("register: %v\n%s", err, sipptest.Tail(out, 1500))
	}
	wait = sipptest.Serve(t, port, "uas")
	time.Sleep(300 * time.Millisecond)
	return wait
}

// ring places one call from SIPp to the city hotline and waits for the
// call flow to end.
func (w *world) ring(t *testing.T, scenario string) {
	t.Helper()
	if out, err := sipptest.Run(t, w.port, demo.CityHotline, scenario); err != nil {
		t.Fatalf("caller: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the call flow did not end after the caller hung up")
	}
}

// popped returns the pops so far.
func (w *world) popped() []pop {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]pop(nil), w.pops...)
}

// TestHotlineCall: an elder rings 966666 from her registered mobile (by
// the demo trunk, from loopback); Anxin answers, records, plays the
// welcome; she presses 1 (RFC 4733, from
// SIPp's pcap) during it, waits in the consultation queue — the ready
// operator's console pops the call — and hangs up. The call record says
// all of it: the elder matched, answered, queue, hung up by the caller,
// and a stereo recording whose right channel holds the prompts.
func TestHotlineCall(t *testing.T) {
	w := newWorld(t, options{minPort: 31000, queueWait: 20 * time.Second})
	op, _ := w.operator(t, "operator1")
	w.ring(t, "testdata/hotline_key1.xml")
	calls, _, err := w.db.FindCalls(context.Background(), anxin.SystemScope(), anxin.CallFilter{})
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls %+v %v", calls, err)
	}
	c := calls[0]
	if c.ElderID != w.elder.ID || c.Cause != anxin.CauseAnswered || c.HangupBy != anxin.HangupCaller || c.Queue != "consultation" ||
		c.ToNumber != demo.CityHotline || c.AnsweredAt.IsZero() || c.EndedAt.IsZero() || c.Recording == "" || c.Node != "test" ||
		c.Trunk != "本机测试中继" {
		t.Fatalf("call record %+v", c)
	}
	if pops := w.popped(); len(pops) != 1 || pops[0] != (pop{op.ID, c.ID}) {
		t.Fatalf("pops %+v, want operator1 for call %d", pops, c.ID)
	}
	left, right := channelEnergy(t, filepath.Join(w.records, c.Recording))
	if right == 0 {
		t.Fatal("the recording's right channel (Anxin's prompts) is silent")
	}
	t.Logf("recording %s: left energy %d, right %d", c.Recording, left, right)
}

// channelEnergy sums the absolute samples of each channel of a stereo
// 16-bit WAV.
func channelEnergy(t *testing.T, path string) (left, right int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 44 || string(b[0:4]) != "RIFF" || binary.LittleEndian.Uint16(b[22:24]) != 2 {
		t.Fatalf("%s is not a stereo WAV", path)
	}
	data := b[44:]
	for i := 0; i+3 < len(data); i += 4 {
		l := int16(binary.LittleEndian.Uint16(data[i:]))
		r := int16(binary.LittleEndian.Uint16(data[i+2:]))
		left += int64(max(l, -l))
		right += int64(max(r, -r))
	}
	return left, right
}

// TestHotlineCallToOperator: operator1's phone (SIPp) registers as her
// extension and answers; an elder rings 966666, presses 0 during the
// welcome, the call is offered to operator1 — console pop, phone rings,
// she answers — the two are bridged for five seconds and the elder hangs
// up: Anxin hangs up the phone, operator1 is wrapping up, and both legs'
// records say who took the call and who hung up.
func TestHotlineCallToOperator(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 31300, queueWait: 15 * time.Second, ringTime: 5 * time.Second, phones: true})
	op, login := w.operator(t, "operator1")
	phone := w.phone(t, login)
	w.ring(t, "testdata/hotline_key0_talk.xml")
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	calls, _, err := w.db.FindCalls(ctx, anxin.SystemScope(), anxin.CallFilter{})
	if err != nil || len(calls) != 2 {
		t.Fatalf("calls %+v %v", calls, err)
	}
	var caller, agentLeg *anxin.Call
	for _, c := range calls {
		if c.Leg == anxin.LegAgent {
			agentLeg = c
		} else {
			caller = c
		}
	}
	if caller == nil || agentLeg == nil {
		t.Fatalf("legs %+v", calls)
	}
	if caller.AgentID != op.ID || caller.HangupBy != anxin.HangupCaller || caller.Queue != "operator" || caller.Cause != anxin.CauseAnswered {
		t.Fatalf("caller leg %+v", caller)
	}
	if agentLeg.ParentID != caller.ID || agentLeg.AgentID != op.ID || agentLeg.AnsweredAt.IsZero() || agentLeg.Cause != anxin.CauseAnswered ||
		agentLeg.ToNumber != login.Extension || agentLeg.Duration() < 3*time.Second {
		t.Fatalf("agent leg %+v", agentLeg)
	}
	if s, _ := w.db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentWrapUp {
		t.Fatalf("operator after the call: %s", s.State)
	}
	if pops := w.popped(); len(pops) != 1 || pops[0].account != op.ID {
		t.Fatalf("pops %+v", pops)
	}
}

// TestCallOut is click-to-call, agent first: operator1's registered phone
// rings and answers, then the elder's (SIPp as the carrier, on the demo
// trunk's host) rings, answers with the hotline as caller ID, talks two
// seconds and hangs up; Anxin hangs up the operator's phone. The elder's
// leg is recorded, both legs' records are right, operator1 wraps up.
func TestCallOut(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 31600, ringTime: 5 * time.Second, phones: true})
	op, login := w.operator(t, "operator1")
	sc := anxin.ScopeOf(op)
	if _, err := w.flows.CallOut(ctx, sc, "13812345678", w.elder.ID, 0); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("calling out before her phone registered: %v", err)
	}
	phone := w.phone(t, login)
	elderPhone := sipptest.Serve(t, w.carrier, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	if _, err := w.flows.CallOut(ctx, sc, "+44 20 7946 0000", w.elder.ID, 0); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
		t.Fatalf("calling abroad: %v", err)
	}
	id, err := w.flows.CallOut(ctx, sc, "13812345678", w.elder.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := elderPhone(); err != nil {
		t.Fatalf("elder's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	elderLeg := w.ended(t, sc, id)
	if elderLeg.Cause != anxin.CauseAnswered || elderLeg.HangupBy != anxin.HangupCaller || elderLeg.FromNumber != demo.CityHotline ||
		elderLeg.Direction != anxin.CallOutbound || elderLeg.AgentID != op.ID || elderLeg.Recording == "" {
		t.Fatalf("elder's leg %+v", elderLeg)
	}
	if s, _ := w.db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentWrapUp {
		t.Fatalf("operator after the call: %s", s.State)
	}
	calls, _, _ := w.db.FindCalls(ctx, sc, anxin.CallFilter{})
	if len(calls) != 2 {
		t.Fatalf("calls %+v", calls)
	}
}

// ended returns call id's record once it has ended.
func (w *world) ended(t *testing.T, sc anxin.Scope, id int64) *anxin.Call {
	t.Helper()
	var c *anxin.Call
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err = w.db.FindCall(context.Background(), sc, id); err == nil && !c.EndedAt.IsZero() {
			return c
		}
	}
	t.Fatalf("call %d did not end: %+v %v", id, c, err)
	return nil
}

// checkIn places a check-in with the carrier playing scenario, and returns
// the call record once it has ended.
func (w *world) checkIn(t *testing.T, scenario string) *anxin.Call {
	t.Helper()
	phone := sipptest.Serve(t, w.carrier, scenario)
	time.Sleep(300 * time.Millisecond)
	op, err := w.db.AccountByUsername(context.Background(), "operator1")
	if err != nil {
		t.Fatal(err)
	}
	sc := anxin.ScopeOf(op)
	id, err := w.flows.CheckIn(context.Background(), sc, "13812345678", w.elder.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := phone(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	return w.ended(t, sc, id)
}

// TestCheckIn is the agentless check-in: Anxin rings the elder through the
// trunk (SIPp as the carrier answering), plays the check-in prompt; she
// presses 2 (needs supplies); Anxin thanks her and hangs up. The call
// record carries her answer and the recording.
func TestCheckIn(t *testing.T) {
	w := newWorld(t, options{minPort: 31900, phones: true})
	c := w.checkIn(t, "testdata/uas_checkin_2.xml")
	if c.CheckIn != anxin.CheckInSupplies || c.Cause != anxin.CauseAnswered || c.HangupBy != anxin.HangupSystem || c.Recording == "" ||
		c.Direction != anxin.CallOutbound || c.FromNumber != demo.CityHotline {
		t.Fatalf("check-in call %+v", c)
	}
}

// TestCheckInManyRinging: twelve 180s before the answer do not end the
// call; the elder hangs up without a key.
func TestCheckInManyRinging(t *testing.T) {
	w := newWorld(t, options{minPort: 32100, phones: true})
	c := w.checkIn(t, "testdata/uas_12x180.xml")
	if c.Cause != anxin.CauseAnswered || c.HangupBy != anxin.HangupCaller || c.RingingAt.IsZero() || c.CheckIn != "" {
		t.Fatalf("call %+v", c)
	}
}

// TestCheckInNoAnswer: Anxin keeps ringing until the network gives up —
// 40 s of ringing, then 480 — and records no answer.
func TestCheckInNoAnswer(t *testing.T) {
	t.Parallel()
	w := newWorld(t, options{minPort: 32300, phones: true})
	c := w.checkIn(t, "testdata/uas_ring40_480.xml")
	if c.Cause != anxin.CauseNoAnswer || c.SIPCode != 480 || !c.AnsweredAt.IsZero() || c.EndedAt.Sub(c.StartedAt) < 39*time.Second {
		t.Fatalf("call %+v", c)
	}
}

// TestSilentCaller: a caller whose media never comes (lost network after
// the ACK, no BYE) is hung up by Anxin once the media timeout passes, and
// the record says Anxin ended it.
func TestSilentCaller(t *testing.T) {
	w := newWorld(t, options{minPort: 32500, mediaTimeout: 2 * time.Second})
	w.ring(t, "testdata/uac_silent.xml")
	calls, _, _ := w.db.FindCalls(context.Background(), anxin.SystemScope(), anxin.CallFilter{})
	if len(calls) != 1 || calls[0].HangupBy != anxin.HangupSystem || calls[0].Cause != anxin.CauseAnswered {
		t.Fatalf("calls %+v", calls)
	}
}
