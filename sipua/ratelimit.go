package sipua

import (
	"net/netip"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
)

// Requests from addresses that are not trunks — operators' phones, and the
// internet's SIP scanners — are limited per source address: a token bucket
// of SourceBurst requests refilled at SourceRate a second. Requests over
// the limit are dropped without an answer (an answer would help a flood).
// Trunks are not limited: a carrier legitimately sends hundreds of calls a
// second.
const (
	SourceRate  = 20  // requests a second, sustained
	SourceBurst = 100 // requests at once
)

// limiter is a token bucket per source address.
type limiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[netip.Addr]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(rate, burst float64, now func() time.Time) *limiter {
	return &limiter{rate: rate, burst: burst, now: now, buckets: map[netip.Addr]*bucket{}}
}

// allow takes a token for ip, reporting whether there was one.
func (l *limiter) allow(ip netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		// Forget the sources whose buckets are full again: a scan from
		// many addresses must not grow the map without end.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[ip]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limited wraps a request handler: a request from a source that is no
// trunk and over its limit is dropped.
func (a *Agent) limited(h func(*sip.Request, sip.ServerTransaction)) func(*sip.Request, sip.ServerTransaction) {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if !a.allowed(req) {
			ap, err := netip.ParseAddrPort(req.Source())
			if err != nil || !a.limit.allow(ap.Addr().Unmap()) {
				a.dropped.Add(1)
				return
			}
		}
		h(req, tx)
	}
}

// Dropped returns how many requests were dropped over their source's limit.
func (a *Agent) Dropped() uint64 { return a.dropped.Load() }
