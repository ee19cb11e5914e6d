package sipua

import (
	"net/netip"
	"testing"
	"time"
)

// TestLimiter: each source has its own bucket of burst requests, refilled
// at rate a second; full buckets are forgotten after a minute.
func TestLimiter(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	l := newLimiter(2, 5, func() time.Time { return now })
	a, b := netip.MustParseAddr("198.51.100.7"), netip.MustParseAddr("2001:db8::1")
	allowed := 0
	for i := 0; i < 20; i++ {
		if l.allow(a) {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("a burst of 20 from one source: %d allowed, want 5", allowed)
	}
	if !l.allow(b) {
		t.Fatal("another source was limited by the first")
	}
	now = now.Add(time.Second)
	if !l.allow(a) || !l.allow(a) || l.allow(a) {
		t.Fatal("a second later the source should have two requests again, not three")
	}
	now = now.Add(2 * time.Minute)
	l.allow(b) // sweeps
	if _, kept := l.buckets[a]; kept {
		t.Fatal("a source quiet for two minutes is still remembered")
	}
}
