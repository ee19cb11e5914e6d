package rtp

import (
	"sync/atomic"
	"time"
)

const (
	// HistogramResolution is the width of a Histogram's buckets.
	HistogramResolution = 100 * time.Microsecond

	// HistogramRange is the longest duration a Histogram tells apart;
	// longer ones are counted in its last bucket.
	HistogramRange = 500 * time.Millisecond

	histBuckets = int(HistogramRange/HistogramResolution) + 1
)

// A Histogram counts durations, such as the intervals between the packets
// of each leg, in buckets of HistogramResolution up to HistogramRange. It
// is a snapshot: Engine.Stats returns a new one each time, and Sub gives
// what was counted between two.
type Histogram struct {
	counts []uint64 // counts[i]: durations in [i, i+1) × resolution; the last also longer ones
}

// Count returns the number of durations counted.
func (h Histogram) Count() uint64 {
	var n uint64
	for _, c := range h.counts {
		n += c
	}
	return n
}

// Quantile returns the duration that a fraction q (0 to 1) of the durations
// counted do not exceed, to HistogramResolution (the upper edge of its
// bucket), or 0 when nothing was counted. A quantile in the last bucket is
// reported as HistogramRange.
func (h Histogram) Quantile(q float64) time.Duration {
	n := h.Count()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.5)
	rank = max(1, min(rank, n))
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return bucketEdge(i)
		}
	}
	return HistogramRange
}

// Max returns the longest duration counted, to HistogramResolution, or 0.
func (h Histogram) Max() time.Duration {
	for i := len(h.counts) - 1; i >= 0; i-- {
		if h.counts[i] > 0 {
			return bucketEdge(i)
		}
	}
	return 0
}

// Sub returns what h counted since the earlier snapshot old.
func (h Histogram) Sub(old Histogram) Histogram {
	d := Histogram{counts: make([]uint64, len(h.counts))}
	for i, c := range h.counts {
		if i < len(old.counts) {
			c -= old.counts[i]
		}
		d.counts[i] = c
	}
	return d
}

// bucketEdge returns the upper edge of bucket i.
func bucketEdge(i int) time.Duration {
	if i >= histBuckets-1 {
		return HistogramRange
	}
	return time.Duration(i+1) * HistogramResolution
}

// histogram is the live counterpart of Histogram, written by one pacing
// loop and read by Engine.Stats.
type histogram struct {
	b [histBuckets]atomic.Uint64
}

// add counts d.
func (h *histogram) add(d time.Duration) {
	i := int(d / HistogramResolution)
	i = max(0, min(i, histBuckets-1))
	h.b[i].Add(1)
}

// addTo adds the counts of h to s.
func (h *histogram) addTo(s *Histogram) {
	if s.counts == nil {
		s.counts = make([]uint64, histBuckets)
	}
	for i := range h.b {
		s.counts[i] += h.b[i].Load()
	}
}
