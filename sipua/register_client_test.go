package sipua_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/sipua/sipptest"
)

// serveAgent runs an agent that takes no calls on a loopback UDP port
// (its Contact port) and returns it with the port's address.
func serveAgent(t *testing.T) (*sipua.Agent, string) {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a, err := sipua.New(sipua.Config{Host: "127.0.0.1", Port: conn.LocalAddr().(*net.UDPAddr).Port,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), OnCall: func(c *sipua.IncomingCall) { c.Reject(403, "Forbidden") }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go a.ServeUDP(ctx, conn)
	t.Cleanup(func() { cancel(); a.Close() })
	return a, conn.LocalAddr().String()
}

// nextState waits for the registration's next reported state.
func nextState(t *testing.T, states <-chan sipua.RegState) sipua.RegState {
	t.Helper()
	select {
	case s := <-states:
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("no registration state reported")
	}
	return sipua.RegState{}
}

// register starts a registration to the carrier on port, sent from the
// agent's own port, and returns its reported states.
func register(t *testing.T, a *sipua.Agent, local string, port int, password string) (*sipua.Registration, <-chan sipua.RegState) {
	t.Helper()
	states := make(chan sipua.RegState, 16)
	r, err := a.Register(sipua.RegisterConfig{Host: "127.0.0.1:" + strconv.Itoa(port), LocalAddr: local, Username: "trunk021",
		Password: password, RetryMin: time.Hour, OnState: func(s sipua.RegState) { states <- s }})
	if err != nil {
		t.Fatal(err)
	}
	return r, states
}

// TestRegisterToCarrier: Anxin registers to a carrier's registrar (SIPp)
// that challenges every REGISTER; the digest passes, the registrar grants
// 2 s instead of the 300 asked, so the binding is refreshed (challenged
// again) a second later; closing removes it (Expires: 0, challenged too),
// which is where the registrar's scenario ends.
func TestRegisterToCarrier(t *testing.T) {
	a, local := serveAgent(t)
	port := sipptest.FreePort(t)
	wait := sipptest.Serve(t, port, "testdata/registrar_digest.xml")
	time.Sleep(300 * time.Millisecond)
	r, states := register(t, a, local, port, "s3cret")
	if s := nextState(t, states); s.State != sipua.RegRegistering {
		t.Fatalf("first state %+v", s)
	}
	for i := range 2 {
		s := nextState(t, states)
		if s.State != sipua.RegRegistered || s.Code != 200 || s.Expires != 2*time.Second || s.Detail() != "200 OK, 2 s" {
			t.Fatalf("registration %d: %+v", i+1, s)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Close(ctx); err != nil {
		t.Fatalf("unregister: %v", err)
	}
	if s := nextState(t, states); s.State != sipua.RegOff {
		t.Fatalf("state after close %+v", s)
	}
	if out, err := wait(); err != nil {
		t.Fatalf("registrar: %v\n%s", err, sipptest.Tail(out, 2000))
	}
}

// TestRegisterRefused: a wrong password is refused by the registrar
// (403 after the challenge), and a carrier that refuses outright likewise;
// the state says failing with the code, and nothing is unregistered.
func TestRegisterRefused(t *testing.T) {
	for _, tc := range []struct{ scenario, password string }{
		{"testdata/registrar_digest.xml", "wrong"},
		{"testdata/registrar_forbidden.xml", "s3cret"},
	} {
		t.Run(strings.TrimSuffix(tc.scenario[len("testdata/"):], ".xml"), func(t *testing.T) {
			a, _ := serveAgent(t)
			port := sipptest.FreePort(t)
			wait := sipptest.Serve(t, port, tc.scenario)
			time.Sleep(300 * time.Millisecond)
			r, states := register(t, a, "", port, tc.password)
			nextState(t, states) // registering
			if s := nextState(t, states); s.State != sipua.RegFailing || s.Code != 403 || s.Detail() != "403 Forbidden" {
				t.Fatalf("state %+v", s)
			}
			if out, err := wait(); err != nil {
				t.Fatalf("registrar: %v\n%s", err, sipptest.Tail(out, 2000))
			}
			if err := r.Close(context.Background()); err != nil {
				t.Fatalf("close: %v", err)
			}
		})
	}
}

// TestRegisterNoCarrier: nothing answers at the carrier's address; the
// registration fails with no code and says why.
func TestRegisterNoCarrier(t *testing.T) {
	sipptest.Path(t)
	a, _ := serveAgent(t)
	states := make(chan sipua.RegState, 16)
	r, err := a.Register(sipua.RegisterConfig{Host: "127.0.0.1:" + strconv.Itoa(sipptest.FreePort(t)), Username: "trunk021",
		Password: "s3cret", Timeout: 700 * time.Millisecond, RetryMin: time.Hour, OnState: func(s sipua.RegState) { states <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	nextState(t, states)
	if s := nextState(t, states); s.State != sipua.RegFailing || s.Code != 0 || !strings.HasPrefix(s.Detail(), "no response") {
		t.Fatalf("state %+v", s)
	}
}

// TestProbe: OPTIONS to a far end that answers (SIPp) says its status;
// to an address where nothing listens, an error once the context ends.
func TestProbe(t *testing.T) {
	a, _ := serveAgent(t)
	port := sipptest.FreePort(t)
	wait := sipptest.Serve(t, port, "testdata/options_uas.xml")
	time.Sleep(300 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	code, reason, err := a.Probe(ctx, "127.0.0.1:"+strconv.Itoa(port))
	if err != nil || code != 200 || reason != "OK" {
		t.Fatalf("probe: %d %q %v", code, reason, err)
	}
	if out, err := wait(); err != nil {
		t.Fatalf("far end: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	dctx, dcancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer dcancel()
	if code, _, err := a.Probe(dctx, "127.0.0.1:"+strconv.Itoa(sipptest.FreePort(t))); err == nil {
		t.Fatalf("probe of nothing answered %d", code)
	}
}
