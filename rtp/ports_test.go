package rtp

import (
	"errors"
	"net"
	"net/netip"
	"testing"
)

// freeBase returns an even port p from which p, p+2 and p+4 are free on
// loopback, found by binding them.
func freeBase(t *testing.T) int {
	t.Helper()
	for p := 41000; p < 49000; p += 6 {
		ok := true
		for i := 0; i < 3 && ok; i++ {
			c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(p+2*i))))
			if err != nil {
				ok = false
				continue
			}
			c.Close()
		}
		if ok {
			return p
		}
	}
	t.Fatal("no three free even ports")
	return 0
}

func TestPortRangeExhaustionAndReuse(t *testing.T) {
	base := freeBase(t)
	// Someone else holds the middle port.
	other, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, uint16(base+2))))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	r, err := NewPortRange(loopback, base-1, base+5) // odd ends: base to base+4
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 3 {
		t.Fatalf("Len %d, want 3", r.Len())
	}
	c1, err := r.Open()
	if err != nil {
		t.Fatal(err)
	}
	c2, err := r.Open()
	if err != nil {
		t.Fatal(err)
	}
	if p1, p2 := addrOf(c1).Port(), addrOf(c2).Port(); p1 != uint16(base) || p2 != uint16(base+4) {
		t.Errorf("ports %d and %d, want %d and %d (skipping the one taken)", p1, p2, base, base+4)
	}
	if _, err := r.Open(); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("third Open: %v, want ErrNoPorts", err)
	}
	if r.InUse() != 2 {
		t.Errorf("InUse %d, want 2", r.InUse())
	}

	if err := r.Release(c1); err != nil {
		t.Fatal(err)
	}
	if err := r.Release(c1); err == nil {
		t.Error("second Release: no error")
	}
	c3, err := r.Open()
	if err != nil {
		t.Fatalf("Open after Release: %v", err)
	}
	if p := addrOf(c3).Port(); p != uint16(base) {
		t.Errorf("port %d after Release, want %d again", p, base)
	}
	// The other program lets go: its port is handed out too.
	other.Close()
	if err := r.Release(c2); err != nil {
		t.Fatal(err)
	}
	c4, err := r.Open()
	if err != nil {
		t.Fatal(err)
	}
	if p := addrOf(c4).Port(); p != uint16(base+2) {
		t.Errorf("port %d, want %d once freed by the other program", p, base+2)
	}
	r.Release(c3)
	r.Release(c4)
	if r.InUse() != 0 {
		t.Errorf("InUse %d after releasing every port", r.InUse())
	}
}

func TestNewPortRangeErrors(t *testing.T) {
	for name, c := range map[string]struct {
		ip          netip.Addr
		first, last int
	}{
		"no address":   {netip.Addr{}, 10000, 20000},
		"reversed":     {loopback, 20000, 10000},
		"one odd port": {loopback, 10001, 10001},
		"privileged":   {loopback, 500, 600},
		"past 65534":   {loopback, 65000, 65536},
	} {
		if _, err := NewPortRange(c.ip, c.first, c.last); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestPortRangeBadAddress(t *testing.T) {
	r, err := NewPortRange(netip.MustParseAddr("192.0.2.1"), 40000, 40010) // TEST-NET-1, not this host's
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Open(); err == nil || errors.Is(err, ErrNoPorts) {
		t.Errorf("Open on an address not of this host: %v, want the bind error", err)
	}
}

// An engine whose range is used up says so, and gives ports back on Close.
func TestEngineOutOfPorts(t *testing.T) {
	base := freeBase(t)
	e := mustEngine(t, Config{MinPort: base, MaxPort: base + 2})
	a := mustLeg(t, e)
	b := mustLeg(t, e)
	if _, err := e.NewLeg(); !errors.Is(err, ErrNoPorts) {
		t.Fatalf("third leg: %v, want ErrNoPorts", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	c := mustLeg(t, e)
	if c.LocalAddr() != a.LocalAddr() {
		t.Errorf("new leg on %v, want %v given back", c.LocalAddr(), a.LocalAddr())
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if n := e.Ports().InUse(); n != 0 {
		t.Errorf("%d ports in use after Engine.Close", n)
	}
	if _, err := e.NewLeg(); !errors.Is(err, ErrClosed) {
		t.Errorf("NewLeg after Close: %v, want ErrClosed", err)
	}
	_ = b
}
