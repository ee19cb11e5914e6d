package sipua

import (
	"net/netip"
	"testing"
	"time"
)

// TestNonces: a nonce is good for NonceLifetime, then stale; a tampered
// or foreign one is never good.
func TestNonces(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	r := NewRegistrar("anxin", func(string) (string, bool) { return "", false })
	r.now = func() time.Time { return now }
	n := r.nonce()
	if !r.nonceValid(n) {
		t.Fatal("fresh nonce refused")
	}
	now = now.Add(NonceLifetime + time.Second)
	if r.nonceValid(n) {
		t.Fatal("expired nonce accepted")
	}
	other := NewRegistrar("anxin", nil)
	other.now = r.now
	if r.nonceValid(other.nonce()) {
		t.Fatal("another registrar's nonce accepted")
	}
	b := []byte(r.nonce())
	b[3] ^= 1
	for _, bad := range []string{string(b), "", "!!!", "AAAA"} {
		if r.nonceValid(bad) {
			t.Fatalf("bad nonce %q accepted", bad)
		}
	}
}

// TestFailureBlock: MaxFailures within the window block an address for
// BlockFor; failures spread beyond the window do not.
func TestFailureBlock(t *testing.T) {
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	r := NewRegistrar("anxin", nil)
	r.now = func() time.Time { return now }
	ip := netip.MustParseAddr("192.0.2.7")
	for range MaxFailures - 1 {
		r.failed(ip)
	}
	if r.blocked(ip) {
		t.Fatal("blocked before the limit")
	}
	r.failed(ip)
	if !r.blocked(ip) {
		t.Fatal("not blocked at the limit")
	}
	now = now.Add(BlockFor + time.Second)
	if r.blocked(ip) {
		t.Fatal("still blocked after BlockFor")
	}
	slow := netip.MustParseAddr("192.0.2.8")
	for range MaxFailures {
		r.failed(slow)
		now = now.Add(FailureWindow/time.Duration(MaxFailures-1) + time.Second)
	}
	if r.blocked(slow) {
		t.Fatal("failures spread over more than the window blocked the address")
	}
}
