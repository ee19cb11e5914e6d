package callflow_test

import (
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
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

type pop struct{ account, call int64 }

// TestHotlineCall: an elder rings 966666 from her registered mobile; Anxin
// answers, records, plays the welcome; she presses 1 (RFC 4733, from
// SIPp's pcap) during it, waits in the consultation queue — the ready
// operator's console pops the call — and hangs up. The call record says
// all of it: the elder matched, answered, queue, hung up by the caller,
// and a stereo recording whose right channel holds the prompts.
func TestHotlineCall(t *testing.T) {
	sipptest.Path(t)
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	el := &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	if err := db.CreateElder(ctx, anxin.SystemScope(), el); err != nil {
		t.Fatal(err)
	}
	op, err := db.AccountByUsername(ctx, "operator1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveAgent(ctx, op.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
		t.Fatal(err)
	}
	engine, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: 31000, MaxPort: 31200})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	var mu sync.Mutex
	var pops []pop
	records := t.TempDir()
	flows, err := callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: netip.MustParseAddr("127.0.0.1"), RecordDir: records,
		Node: "test", QueueWait: 20 * time.Second, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Pop: func(_ context.Context, account, call int64, _, _ string) {
			mu.Lock()
			pops = append(pops, pop{account, call})
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 1)
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnCall: func(c *sipua.IncomingCall) { flows.Inbound(c); done <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer agent.Close()
	go agent.ServeUDP(sctx, conn)
	port := conn.LocalAddr().(*net.UDPAddr).Port

	if out, err := sipptest.Run(t, port, demo.CityHotline, "testdata/hotline_key1.xml"); err != nil {
		t.Fatalf("sipp: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the call flow did not end after the caller hung up")
	}

	calls, _, err := db.FindCalls(ctx, anxin.SystemScope(), anxin.CallFilter{})
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls %+v %v", calls, err)
	}
	c := calls[0]
	if c.ElderID != el.ID || c.Cause != anxin.CauseAnswered || c.HangupBy != anxin.HangupCaller || c.Queue != "consultation" ||
		c.ToNumber != demo.CityHotline || c.AnsweredAt.IsZero() || c.EndedAt.IsZero() || c.Recording == "" || c.Node != "test" {
		t.Fatalf("call record %+v", c)
	}
	mu.Lock()
	if len(pops) != 1 || pops[0] != (pop{op.ID, c.ID}) {
		t.Fatalf("pops %+v, want operator1 for call %d", pops, c.ID)
	}
	mu.Unlock()
	left, right := channelEnergy(t, filepath.Join(records, c.Recording))
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
	sipptest.Path(t)
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	logins, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ext, sipPassword string
	for _, l := range logins {
		if l.Username == "operator1" {
			ext, sipPassword = l.Extension, l.SIPPassword
		}
	}
	op, err := db.AccountByUsername(ctx, "operator1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveAgent(ctx, op.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
		t.Fatal(err)
	}
	engine, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: 31300, MaxPort: 31500})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	var mu sync.Mutex
	var pops []pop
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	flows, err := callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: netip.MustParseAddr("127.0.0.1"), RecordDir: t.TempDir(),
		Node: "test", QueueWait: 15 * time.Second, RingTime: 5 * time.Second, Log: quiet,
		Pop: func(_ context.Context, account, call int64, _, _ string) {
			mu.Lock()
			pops = append(pops, pop{account, call})
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 1)
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Logger: quiet,
		Realm: demo.SIPRealm, OnCall: func(c *sipua.IncomingCall) { flows.Inbound(c); done <- struct{}{} },
		Extensions: func(user string) (string, bool) {
			_, ha1, err := db.ExtensionSecret(ctx, user)
			return ha1, err == nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	flows.SetPhones(agent)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer agent.Close()
	go agent.ServeUDP(sctx, conn)
	port := conn.LocalAddr().(*net.UDPAddr).Port

	// Her phone registers, then waits for calls.
	phonePort := sipptest.FreePort(t)
	if out, err := sipptest.Run(t, port, ext, "../sipua/testdata/register.xml", "-au", ext, "-ap", sipPassword, "-p", strconv.Itoa(phonePort)); err != nil {
		t.Fatalf("register: %v\n%s", err, sipptest.Tail(out, 1500))
	}
	phone := sipptest.Serve(t, phonePort, "uas")
	time.Sleep(300 * time.Millisecond)

	if out, err := sipptest.Run(t, port, demo.CityHotline, "testdata/hotline_key0_talk.xml"); err != nil {
		t.Fatalf("caller: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the call flow did not end")
	}
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	calls, _, err := db.FindCalls(ctx, anxin.SystemScope(), anxin.CallFilter{})
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
		agentLeg.ToNumber != ext || agentLeg.Duration() < 3*time.Second {
		t.Fatalf("agent leg %+v", agentLeg)
	}
	if s, _ := db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentWrapUp {
		t.Fatalf("operator after the call: %s", s.State)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(pops) != 1 || pops[0].account != op.ID {
		t.Fatalf("pops %+v", pops)
	}
}

// TestCallOut is click-to-call, agent first: operator1's registered phone
// rings and answers, then the elder's (SIPp as the carrier, on the demo
// trunk's host) rings, answers with the hotline as caller ID, talks two
// seconds and hangs up; Anxin hangs up the operator's phone. The elder's
// leg is recorded, both legs' records are right, operator1 wraps up.
func TestCallOut(t *testing.T) {
	sipptest.Path(t)
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	logins, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ext, sipPassword string
	for _, l := range logins {
		if l.Username == "operator1" {
			ext, sipPassword = l.Extension, l.SIPPassword
		}
	}
	el := &anxin.Elder{Name: "赵桂兰", RegionCode: "310107005001", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	if err := db.CreateElder(ctx, anxin.SystemScope(), el); err != nil {
		t.Fatal(err)
	}
	carrier := sipptest.FreePort(t)
	trunks, _ := db.Trunks(ctx)
	trunks[0].Host = "127.0.0.1:" + strconv.Itoa(carrier)
	if err := db.SaveTrunk(ctx, anxin.SystemScope(), trunks[0]); err != nil {
		t.Fatal(err)
	}
	op, _ := db.AccountByUsername(ctx, "operator1")
	if _, err := db.MoveAgent(ctx, op.ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
		t.Fatal(err)
	}
	engine, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: 31600, MaxPort: 31800})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	records := t.TempDir()
	flows, err := callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: netip.MustParseAddr("127.0.0.1"), RecordDir: records,
		Node: "test", RingTime: 5 * time.Second, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Logger: quiet, Realm: demo.SIPRealm, OnCall: flows.Inbound,
		Extensions: func(user string) (string, bool) {
			_, ha1, err := db.ExtensionSecret(ctx, user)
			return ha1, err == nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	flows.SetPhones(agent)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer agent.Close()
	go agent.ServeUDP(sctx, conn)
	port := conn.LocalAddr().(*net.UDPAddr).Port

	sc := anxin.ScopeOf(op)
	if _, err := flows.CallOut(ctx, sc, "13812345678", el.ID, 0); anxin.ErrorCode(err) != anxin.ECONFLICT {
		t.Fatalf("calling out before her phone registered: %v", err)
	}
	phonePort := sipptest.FreePort(t)
	if out, err := sipptest.Run(t, port, ext, "../sipua/testdata/register.xml", "-au", ext, "-ap", sipPassword, "-p", strconv.Itoa(phonePort)); err != nil {
		t.Fatalf("register: %v\n%s", err, sipptest.Tail(out, 1500))
	}
	phone := sipptest.Serve(t, phonePort, "uas")
	elderPhone := sipptest.Serve(t, carrier, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	if _, err := flows.CallOut(ctx, sc, "+44 20 7946 0000", el.ID, 0); anxin.ErrorCode(err) != anxin.EFORBIDDEN {
		t.Fatalf("calling abroad: %v", err)
	}
	id, err := flows.CallOut(ctx, sc, "13812345678", el.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := elderPhone(); err != nil {
		t.Fatalf("elder's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	if out, err := phone(); err != nil {
		t.Fatalf("operator's phone: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	var elderLeg *anxin.Call
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if elderLeg, err = db.FindCall(ctx, sc, id); err == nil && !elderLeg.EndedAt.IsZero() {
			break
		}
	}
	if elderLeg.Cause != anxin.CauseAnswered || elderLeg.HangupBy != anxin.HangupCaller || elderLeg.FromNumber != demo.CityHotline ||
		elderLeg.Direction != anxin.CallOutbound || elderLeg.AgentID != op.ID || elderLeg.Recording == "" {
		t.Fatalf("elder's leg %+v", elderLeg)
	}
	if s, _ := db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentWrapUp {
		t.Fatalf("operator after the call: %s", s.State)
	}
	calls, _, _ := db.FindCalls(ctx, sc, anxin.CallFilter{})
	if len(calls) != 2 {
		t.Fatalf("calls %+v", calls)
	}
}

// checkInWorld is a node placing calls through a trunk whose carrier is a
// SIPp on the returned port, and an elder the hotline may ring.
type checkInWorld struct {
	db      *store.DB
	flows   *callflow.Flows
	carrier int
	sc      anxin.Scope
	elder   *anxin.Elder
}

func newCheckInWorld(t *testing.T, minPort int) *checkInWorld {
	t.Helper()
	sipptest.Path(t)
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	el := &anxin.Elder{Name: "孙凤英", RegionCode: "310107005001", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	if err := db.CreateElder(ctx, anxin.SystemScope(), el); err != nil {
		t.Fatal(err)
	}
	carrier := sipptest.FreePort(t)
	trunks, _ := db.Trunks(ctx)
	trunks[0].Host = "127.0.0.1:" + strconv.Itoa(carrier)
	if err := db.SaveTrunk(ctx, anxin.SystemScope(), trunks[0]); err != nil {
		t.Fatal(err)
	}
	engine, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: minPort, MaxPort: minPort + 100})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	flows, err := callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: netip.MustParseAddr("127.0.0.1"), RecordDir: t.TempDir(),
		Node: "test", Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Logger: quiet, OnCall: flows.Inbound})
	if err != nil {
		t.Fatal(err)
	}
	flows.SetPhones(agent)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	t.Cleanup(func() { cancel(); agent.Close() })
	go agent.ServeUDP(sctx, conn)
	op, _ := db.AccountByUsername(ctx, "operator1")
	return &checkInWorld{db: db, flows: flows, carrier: carrier, sc: anxin.ScopeOf(op), elder: el}
}

// call places a check-in with the carrier playing scenario, and returns
// the call record once it has ended.
func (w *checkInWorld) call(t *testing.T, scenario string) *anxin.Call {
	t.Helper()
	ctx := context.Background()
	phone := sipptest.Serve(t, w.carrier, scenario)
	time.Sleep(300 * time.Millisecond)
	id, err := w.flows.CheckIn(ctx, w.sc, "13812345678", w.elder.ID)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := phone(); err != nil {
		t.Fatalf("carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	var c *anxin.Call
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err = w.db.FindCall(ctx, w.sc, id); err == nil && !c.EndedAt.IsZero() {
			return c
		}
	}
	t.Fatalf("call %d did not end: %+v", id, c)
	return nil
}

// TestCheckIn is the agentless check-in: Anxin rings the elder through the
// trunk (SIPp as the carrier answering), plays the check-in prompt; she
// presses 2 (needs supplies); Anxin thanks her and hangs up. The call
// record carries her answer and the recording.
func TestCheckIn(t *testing.T) {
	w := newCheckInWorld(t, 31900)
	c := w.call(t, "testdata/uas_checkin_2.xml")
	if c.CheckIn != anxin.CheckInSupplies || c.Cause != anxin.CauseAnswered || c.HangupBy != anxin.HangupSystem || c.Recording == "" ||
		c.Direction != anxin.CallOutbound || c.FromNumber != demo.CityHotline {
		t.Fatalf("check-in call %+v", c)
	}
}

// TestCheckInManyRinging: twelve 180s before the answer do not end the
// call; the elder hangs up without a key.
func TestCheckInManyRinging(t *testing.T) {
	w := newCheckInWorld(t, 32100)
	c := w.call(t, "testdata/uas_12x180.xml")
	if c.Cause != anxin.CauseAnswered || c.HangupBy != anxin.HangupCaller || c.RingingAt.IsZero() || c.CheckIn != "" {
		t.Fatalf("call %+v", c)
	}
}

// TestCheckInNoAnswer: Anxin keeps ringing until the network gives up —
// 40 s of ringing, then 480 — and records no answer.
func TestCheckInNoAnswer(t *testing.T) {
	t.Parallel()
	w := newCheckInWorld(t, 32300)
	c := w.call(t, "testdata/uas_ring40_480.xml")
	if c.Cause != anxin.CauseNoAnswer || c.SIPCode != 480 || !c.AnsweredAt.IsZero() || c.EndedAt.Sub(c.StartedAt) < 39*time.Second {
		t.Fatalf("call %+v", c)
	}
}

// TestSilentCaller: a caller whose media never comes (lost network after
// the ACK, no BYE) is hung up by Anxin once the media timeout passes, and
// the record says Anxin ended it.
func TestSilentCaller(t *testing.T) {
	sipptest.Path(t)
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	engine, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: 32500, MaxPort: 32600, MediaTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer engine.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	flows, err := callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: netip.MustParseAddr("127.0.0.1"), Node: "test", Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 1)
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Logger: quiet,
		OnCall: func(c *sipua.IncomingCall) { flows.Inbound(c); done <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer agent.Close()
	go agent.ServeUDP(sctx, conn)
	if out, err := sipptest.Run(t, conn.LocalAddr().(*net.UDPAddr).Port, demo.CityHotline, "testdata/uac_silent.xml"); err != nil {
		t.Fatalf("sipp: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	<-done
	calls, _, _ := db.FindCalls(ctx, anxin.SystemScope(), anxin.CallFilter{})
	if len(calls) != 1 || calls[0].HangupBy != anxin.HangupSystem || calls[0].Cause != anxin.CauseAnswered {
		t.Fatalf("calls %+v", calls)
	}
}
