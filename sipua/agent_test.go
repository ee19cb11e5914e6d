package sipua_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/sipua/sipptest"
)

// outcome is what the call handler saw of one call.
type outcome struct {
	from, to string
	answered bool
	byPeer   bool
	digits   string
	err      error
}

// startAgent runs an agent on a loopback UDP port whose handler rings,
// then answers (when answer is set) with PCMU, and waits for the caller to
// hang up; it returns the port and the handler's outcomes.
func startAgent(t *testing.T, peers []netip.Prefix, answer bool) (int, <-chan outcome) {
	t.Helper()
	return startAgentOn(t, "udp", peers, answer)
}

// startAgentOn is startAgent on a transport: "udp" or "tcp".
func startAgentOn(t *testing.T, transport string, peers []netip.Prefix, answer bool) (int, <-chan outcome) {
	t.Helper()
	out := make(chan outcome, 4)
	a, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: peers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnCall: func(c *sipua.IncomingCall) {
			o := outcome{from: c.From, to: c.To}
			defer func() { out <- o }()
			if o.err = c.Ringing(); o.err != nil {
				return
			}
			if answer {
				_, sdp, err := media.Answer(c.Offer, netip.MustParseAddr("127.0.0.1"), 40000, []media.Codec{media.PCMU, media.PCMA})
				if err != nil {
					o.err = err
					return
				}
				if o.err = c.Answer(sdp); o.err != nil {
					return
				}
				o.answered = true
			}
			timeout := time.After(15 * time.Second)
		wait:
			for {
				select {
				case d := <-c.InfoDigits():
					o.digits += string(d)
				case <-c.Done():
					break wait
				case <-timeout:
					break wait
				}
			}
			o.byPeer = c.HungUpByPeer()
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); a.Close() })
	if transport == "tcp" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go a.ServeTCP(ctx, ln)
		return ln.Addr().(*net.TCPAddr).Port, out
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go a.ServeUDP(ctx, conn)
	return conn.LocalAddr().(*net.UDPAddr).Port, out
}

// runSIPp runs one call of a SIPp scenario ("uac" built in, or a file in
// testdata) against port and fails the test if SIPp reports a failure.
func runSIPp(t *testing.T, port int, scenario string, extra ...string) {
	t.Helper()
	if out, err := sippRun(t, port, scenario, extra...); err != nil {
		t.Fatalf("sipp %s: %v\n%s", scenario, err, sipptest.Tail(out, 2000))
	}
}

// sippRun runs one call of a scenario to 966666 and returns SIPp's output
// and whether it failed.
func sippRun(t *testing.T, port int, scenario string, extra ...string) ([]byte, error) {
	t.Helper()
	if filepath.Ext(scenario) == ".xml" {
		scenario = filepath.Join("testdata", scenario)
	}
	return sipptest.Run(t, port, "966666", scenario, extra...)
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// TestAnsweredCall: SIPp's standard caller rings Anxin, gets 180 and a 200
// with an SDP answer, ACKs, talks a second and hangs up with BYE.
func TestAnsweredCall(t *testing.T) {
	port, out := startAgent(t, loopback, true)
	runSIPp(t, port, "uac", "-d", "1000")
	o := <-out
	if o.err != nil || !o.answered || !o.byPeer || o.to != "966666" || o.from != "sipp" {
		t.Fatalf("call %+v", o)
	}
}

// TestByeBeforeAck: a caller hangs up the moment the call is answered
// and the BYE overtakes the ACK (UDP may reorder them; over TCP sipgo reads
// both at once): the call was answered and then hung up by the caller,
// never "cancelled".
func TestByeBeforeAck(t *testing.T) {
	port, out := startAgent(t, loopback, true)
	for i := 0; i < 3; i++ {
		runSIPp(t, port, "uac_ack_bye.xml")
		if o := <-out; o.err != nil || !o.answered || !o.byPeer {
			t.Fatalf("call %d: %+v", i, o)
		}
	}
}

// TestCancelWhileRinging: the caller gives up while it rings; Anxin
// answers the CANCEL, ends the INVITE with 487 and the handler sees the
// call end from the far side.
func TestCancelWhileRinging(t *testing.T) {
	port, out := startAgent(t, loopback, false)
	runSIPp(t, port, "uac_cancel.xml")
	o := <-out
	if o.err != nil || o.answered || !o.byPeer || o.from != "13812345678" {
		t.Fatalf("call %+v", o)
	}
}

// TestNotATrunk: an INVITE from an address that is no configured peer is
// refused with 403 and never reaches the handler.
func TestNotATrunk(t *testing.T) {
	port, out := startAgent(t, []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, true)
	runSIPp(t, port, "uac_forbidden.xml")
	select {
	case o := <-out:
		t.Fatalf("the handler saw a call from a stranger: %+v", o)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestNoCommonCodec: an offer of G.729 only gets 488 Not Acceptable Here;
// the handler never sees it.
func TestNoCommonCodec(t *testing.T) {
	port, out := startAgent(t, loopback, true)
	runSIPp(t, port, "uac_g729.xml")
	select {
	case o := <-out:
		t.Fatalf("the handler saw an unusable offer: %+v", o)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestOptions: a trunk's OPTIONS keep-alive gets 200.
func TestOptions(t *testing.T) {
	port, _ := startAgent(t, loopback, true)
	runSIPp(t, port, "options.xml")
}

// TestRegister: an operator's phone registers with digest authentication
// (SIPp answering the challenge); Anxin knows where to ring it. A wrong
// password gets another challenge; ten wrong attempts from an address
// block it, even with the right password.
func TestRegister(t *testing.T) {
	a, err := sipua.New(sipua.Config{Host: "127.0.0.1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnCall:     func(c *sipua.IncomingCall) {},
		Extensions: func(user string) (string, bool) { return sipua.HA1("8001", "anxin", "s3cret-8001"), user == "8001" }})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer a.Close()
	go a.ServeUDP(sctx, conn)
	port := conn.LocalAddr().(*net.UDPAddr).Port

	phonePort := sipptest.FreePort(t)
	runSIPp(t, port, "register.xml", "-s", "8001", "-au", "8001", "-ap", "s3cret-8001", "-p", strconv.Itoa(phonePort))
	b, ok := a.Registered("8001")
	if !ok || b.Contact.Port != phonePort || b.Contact.User != "8001" || time.Until(b.Expires) > 121*time.Second {
		t.Fatalf("binding %+v %v", b, ok)
	}
	if _, ok := a.Registered("8002"); ok {
		t.Fatal("8002 registered without registering")
	}
	for i := range sipua.MaxFailures {
		if out, err := sippRun(t, port, "register_badpw.xml", "-s", "8001", "-au", "8001", "-ap", "guess"); err != nil {
			t.Fatalf("wrong password %d: %v\n%s", i, err, sipptest.Tail(out, 1500))
		}
	}
	if _, err := sippRun(t, port, "register.xml", "-s", "8001", "-au", "8001", "-ap", "s3cret-8001"); err == nil {
		t.Fatal("a blocked address registered")
	}
}

// TestInfoDTMF: a phone that sends its keys as SIP INFO
// (application/dtmf-relay) is heard: the handler gets the key.
func TestInfoDTMF(t *testing.T) {
	port, out := startAgent(t, loopback, true)
	runSIPp(t, port, "uac_info.xml")
	if o := <-out; o.err != nil || o.digits != "2" || !o.byPeer {
		t.Fatalf("call %+v", o)
	}
}

// TestDial: Anxin rings a phone (SIPp answering as the built-in uas: 180,
// 200 with SDP), gets its SDP answer, and hangs up; a busy phone's 486
// comes back as the dial error's code.
func TestDial(t *testing.T) {
	a, err := sipua.New(sipua.Config{Host: "127.0.0.1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OnCall: func(*sipua.IncomingCall) {}})
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer a.Close()
	go a.ServeUDP(sctx, conn)
	offer, err := media.NewOffer(netip.MustParseAddr("127.0.0.1"), 40002, []media.Codec{media.PCMU, media.PCMA})
	if err != nil {
		t.Fatal(err)
	}

	phone := sipptest.FreePort(t)
	wait := sipptest.Serve(t, phone, "uas")
	time.Sleep(300 * time.Millisecond) // SIPp binds its port
	ctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
	defer stop()
	rang := false
	call, err := a.Dial(ctx, sip.Uri{User: "8001", Host: "127.0.0.1", Port: phone}, "966666", offer, func() { rang = true })
	if err != nil {
		t.Fatal(err)
	}
	if !rang || call.Answer == nil || call.Answer.Port == 0 {
		t.Fatalf("answered call: rang %v answer %+v", rang, call.Answer)
	}
	if err := call.Hangup(ctx); err != nil {
		t.Fatal(err)
	}
	if out, err := wait(); err != nil {
		t.Fatalf("sipp uas: %v\n%s", err, sipptest.Tail(out, 1500))
	}

	busy := sipptest.FreePort(t)
	wait = sipptest.Serve(t, busy, "testdata/uas_busy.xml")
	time.Sleep(300 * time.Millisecond)
	_, err = a.Dial(ctx, sip.Uri{User: "8002", Host: "127.0.0.1", Port: busy}, "966666", offer, nil)
	var de *sipua.DialError
	if !errors.As(err, &de) || de.Code != 486 {
		t.Fatalf("busy phone: %v", err)
	}
	if out, err := wait(); err != nil {
		t.Fatalf("sipp busy: %v\n%s", err, sipptest.Tail(out, 1500))
	}
}

// TestLostACK: the caller never acknowledges the 200; Anxin re-sends it
// for 32 s, then hangs up with a BYE (RFC 3261 §13.3.1.4) and Answer
// reports it.
func TestLostACK(t *testing.T) {
	t.Parallel()
	port, out := startAgent(t, loopback, true)
	runSIPp(t, port, "uac_lost_ack.xml", "-timeout", "90s")
	o := <-out
	if !errors.Is(o.err, sipua.ErrNoACK) || o.answered {
		t.Fatalf("call %+v", o)
	}
}
