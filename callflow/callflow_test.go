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
