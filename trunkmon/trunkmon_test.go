package trunkmon_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
	"github.com/anxin-care/anxin/trunkmon"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}

// node is a store and a SIP agent serving on loopback, as a node runs
// them.
type node struct {
	db    *store.DB
	agent *sipua.Agent
	addr  string // the agent's UDP address
}

func newNode(t *testing.T) *node {
	t.Helper()
	sipptest.Path(t)
	db, _ := storetest.Open(t, store.SQLite)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a, err := sipua.New(sipua.Config{Host: "127.0.0.1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnCall: func(c *sipua.IncomingCall) { c.Reject(403, "Forbidden") }})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go a.ServeUDP(ctx, conn)
	t.Cleanup(func() { cancel(); a.Close() })
	return &node{db: db, agent: a, addr: conn.LocalAddr().String()}
}

// monitor starts a monitor of n with short intervals (probes and reloads
// every 200 ms, probes answered within 300 ms).
func (n *node) monitor(t *testing.T) *trunkmon.Monitor {
	t.Helper()
	m := trunkmon.New(trunkmon.Config{DB: n.db, Agent: n.agent, Node: "n1", Probe: 200 * time.Millisecond,
		ProbeTimeout: 300 * time.Millisecond, Reload: 200 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Register: sipua.RegisterConfig{LocalAddr: n.addr, RetryMin: time.Hour}})
	m.Start()
	t.Cleanup(m.Close)
	return m
}

// trunk saves a trunk.
func (n *node) trunk(t *testing.T, tr *anxin.Trunk) *anxin.Trunk {
	t.Helper()
	if tr.CallerID == "" {
		tr.CallerID = "02162541234"
	}
	if err := n.db.SaveTrunk(context.Background(), anxin.SystemScope(), tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// status waits until trunk id's status on n1 is state and returns it.
func (n *node) status(t *testing.T, id int64, state string) *anxin.TrunkStatus {
	t.Helper()
	var last *anxin.TrunkStatus
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		all, err := n.db.TrunkStatuses(context.Background(), "n1")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range all {
			if s.TrunkID == id {
				last = s
				if s.State == state {
					return s
				}
			}
		}
	}
	t.Fatalf("trunk %d never %s; last %+v", id, state, last)
	return nil
}

// TestProbes: a static trunk whose far end answers OPTIONS (SIPp) is up;
// one where nothing answers is down after two probes; a disabled trunk and
// one without a host are off and say why. Disabling a trunk in the store
// applies without a restart, and a node stopping records its trunks off.
func TestProbes(t *testing.T) {
	n := newNode(t)
	port := sipptest.FreePort(t)
	sipptest.Serve(t, port, "../sipua/testdata/options_uas.xml", "-m", "10000")
	time.Sleep(300 * time.Millisecond)
	up := n.trunk(t, &anxin.Trunk{Name: "answers", Kind: anxin.TrunkStatic, Peers: loopback, Host: "127.0.0.1:" + strconv.Itoa(port),
		Priority: 1, Enabled: true})
	dead := n.trunk(t, &anxin.Trunk{Name: "silent", Kind: anxin.TrunkStatic, Peers: loopback,
		Host: "127.0.0.1:" + strconv.Itoa(sipptest.FreePort(t)), Priority: 2, Enabled: true})
	disabled := n.trunk(t, &anxin.Trunk{Name: "disabled", Kind: anxin.TrunkStatic, Peers: loopback, Host: "127.0.0.1:9", Priority: 3})
	inbound := n.trunk(t, &anxin.Trunk{Name: "inbound only", Kind: anxin.TrunkStatic, Peers: loopback, Priority: 4, Enabled: true})
	m := n.monitor(t)

	if s := n.status(t, up.ID, anxin.TrunkUp); s.Detail != "OPTIONS: 200 OK" {
		t.Errorf("up trunk: %+v", s)
	}
	if s := n.status(t, dead.ID, anxin.TrunkDown); s.Detail != "OPTIONS: no response (2 in a row)" {
		t.Errorf("silent trunk: %+v", s)
	}
	if s := n.status(t, disabled.ID, anxin.TrunkOff); s.Detail != "disabled" {
		t.Errorf("disabled trunk: %+v", s)
	}
	if s := n.status(t, inbound.ID, anxin.TrunkOff); s.Detail != "no host to probe" {
		t.Errorf("inbound-only trunk: %+v", s)
	}

	up.Enabled = false
	n.trunk(t, up)
	if s := n.status(t, up.ID, anxin.TrunkOff); s.Detail != "disabled" {
		t.Errorf("trunk disabled while running: %+v", s)
	}
	m.Close()
	for _, id := range []int64{up.ID, dead.ID, disabled.ID, inbound.ID} {
		if s := n.status(t, id, anxin.TrunkOff); s.Detail != "node stopped" {
			t.Errorf("trunk %d after the node stopped: %+v", id, s)
		}
	}
}

// TestRegisteringTrunk: a registering trunk is up once the carrier's
// registrar (SIPp, digest) accepts it, with the granted time; the monitor
// stopping removes the binding (the registrar's scenario ends there).
func TestRegisteringTrunk(t *testing.T) {
	n := newNode(t)
	port := sipptest.FreePort(t)
	registrar := sipptest.Serve(t, port, "../sipua/testdata/registrar_digest.xml")
	time.Sleep(300 * time.Millisecond)
	tr := n.trunk(t, &anxin.Trunk{Name: "carrier", Kind: anxin.TrunkRegister, Host: "127.0.0.1:" + strconv.Itoa(port),
		Username: "trunk021", Password: "s3cret", Priority: 1, Enabled: true})
	m := n.monitor(t)
	if s := n.status(t, tr.ID, anxin.TrunkUp); s.Detail != "200 OK, 2 s" {
		t.Errorf("registered trunk: %+v", s)
	}
	m.Close()
	if out, err := registrar(); err != nil {
		t.Fatalf("registrar: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	n.status(t, tr.ID, anxin.TrunkOff)
}

// TestRegistrationRefused: a carrier refusing the registration puts the
// trunk down with its answer.
func TestRegistrationRefused(t *testing.T) {
	n := newNode(t)
	port := sipptest.FreePort(t)
	sipptest.Serve(t, port, "../sipua/testdata/registrar_forbidden.xml")
	time.Sleep(300 * time.Millisecond)
	tr := n.trunk(t, &anxin.Trunk{Name: "carrier", Kind: anxin.TrunkRegister, Host: "127.0.0.1:" + strconv.Itoa(port),
		Username: "trunk021", Password: "s3cret", Priority: 1, Enabled: true})
	n.monitor(t)
	if s := n.status(t, tr.ID, anxin.TrunkDown); s.Detail != "403 Forbidden" {
		t.Errorf("refused trunk: %+v", s)
	}
}

// TestPeers: calls may come from the enabled trunks' peer prefixes and
// from the resolved addresses of registering trunks' carriers; disabled
// trunks and unresolvable hosts add nothing.
func TestPeers(t *testing.T) {
	resolve := func(_ context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "sip.carrier.example":
			return []netip.Addr{netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("2001:db8::7")}, nil
		case "203.0.113.9":
			return []netip.Addr{netip.MustParseAddr(host)}, nil
		}
		return nil, errors.New("no such host")
	}
	trunks := []*anxin.Trunk{
		{Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/28")}, Enabled: true},
		{Kind: anxin.TrunkRegister, Host: "sip.carrier.example:5060", Enabled: true},
		{Kind: anxin.TrunkRegister, Host: "203.0.113.9", Peers: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/28")}, Enabled: true},
		{Kind: anxin.TrunkRegister, Host: "unknown.example", Enabled: true},
		{Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}},
	}
	got := trunkmon.Peers(context.Background(), trunks, resolve)
	want := []string{"198.51.100.7/32", "203.0.113.0/28", "203.0.113.9/32", "2001:db8::7/128"}
	if len(got) != len(want) {
		t.Fatalf("peers %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("peers %v, want %v", got, want)
		}
	}
}
