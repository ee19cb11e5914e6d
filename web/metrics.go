package web

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// metrics counts requests and their durations per route and writes them in
// the Prometheus text format. It is small on purpose: a handful of series
// does not need a client library.
type metrics struct {
	mu       sync.Mutex
	start    time.Time
	requests map[[2]string]uint64 // route, status → count
	hist     map[string]*histogram
	media    atomic.Pointer[func() MediaStats] // the media engine's counters (SetMediaStats)
}

// Bucket bounds in seconds for request durations.
var durationBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

type histogram struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

func newMetrics() *metrics {
	return &metrics{start: time.Now(), requests: map[[2]string]uint64{}, hist: map[string]*histogram{}}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush lets streaming responses through the wrapper.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type routeKey struct{}

// wrap records every request under the route pattern that served it
// ("unmatched" otherwise).
func (m *metrics) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		route := new(string)
		*route = "unmatched"
		next.ServeHTTP(sw, r.WithContext(contextWithRoute(r, route)))
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.observe(*route, sw.status, time.Since(t0))
	})
}

// route names the pattern for wrap's record.
func (m *metrics) route(pattern string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			*p = pattern
		}
		next.ServeHTTP(w, r)
	})
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[2]string{route, strconv.Itoa(status)}]++
	h := m.hist[route]
	if h == nil {
		h = &histogram{counts: make([]uint64, len(durationBuckets))}
		m.hist[route] = h
	}
	sec := d.Seconds()
	for i, b := range durationBuckets {
		if sec <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += sec
	h.n++
}

// writeTo writes all series; extra adds gauges from elsewhere (database pools).
func (m *metrics) writeTo(w io.Writer, extra map[string]float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintln(w, "# HELP anxin_http_requests_total HTTP requests by route pattern and status.")
	fmt.Fprintln(w, "# TYPE anxin_http_requests_total counter")
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	for _, k := range keys {
		fmt.Fprintf(w, "anxin_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k])
	}
	fmt.Fprintln(w, "# HELP anxin_http_request_duration_seconds HTTP request durations by route pattern.")
	fmt.Fprintln(w, "# TYPE anxin_http_request_duration_seconds histogram")
	routes := make([]string, 0, len(m.hist))
	for r := range m.hist {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	for _, r := range routes {
		h := m.hist[r]
		var cum uint64
		for i, b := range durationBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "anxin_http_request_duration_seconds_bucket{route=%q,le=%q} %d\n", r, strconv.FormatFloat(b, 'g', -1, 64), cum)
		}
		fmt.Fprintf(w, "anxin_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", r, h.n)
		fmt.Fprintf(w, "anxin_http_request_duration_seconds_sum{route=%q} %g\n", r, h.sum)
		fmt.Fprintf(w, "anxin_http_request_duration_seconds_count{route=%q} %d\n", r, h.n)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gauges := map[string]float64{
		"anxin_goroutines":             float64(runtime.NumGoroutine()),
		"anxin_heap_bytes":             float64(ms.HeapAlloc),
		"anxin_uptime_seconds":         time.Since(m.start).Seconds(),
		"anxin_gc_pause_seconds_total": float64(ms.PauseTotalNs) / 1e9,
	}
	for k, v := range extra {
		gauges[k] = v
	}
	names := make([]string, 0, len(gauges))
	for k := range gauges {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "# TYPE %s gauge\n%s %g\n", n, n, gauges[n])
	}
	if f := m.media.Load(); f != nil {
		writeMedia(w, (*f)())
	}
}

// MediaStats are the counters of a node's media engine (rtp.Engine.Stats)
// that /metrics shows; the telephony layer hands them over with
// SetMediaStats, so that web knows nothing of the media engine itself.
type MediaStats struct {
	// Legs is the number of media legs open: one per party on a call.
	Legs int
	// Ticks is the number of 20 ms ticks the pacing loops have run.
	Ticks uint64
	// SkippedFrames counts the frames not sent because a pacing loop woke
	// a whole frame or more late.
	SkippedFrames uint64
	// SendIntervals are the times between consecutive packets of each leg
	// (20 ms when all is well); Lateness is how late the pacing loops
	// woke for their ticks. Both count since the engine started.
	SendIntervals, Lateness DurationSummary
}

// DurationSummary is a count of durations and the quantiles among them.
type DurationSummary struct {
	Count uint64
	// Quantile returns the duration that a fraction q (0 to 1) of those
	// counted do not exceed; 1 gives the longest. Nil when nothing was
	// counted.
	Quantile func(q float64) time.Duration
}

// mediaQuantiles are the quantiles /metrics shows of media durations; 1
// is the longest seen.
var mediaQuantiles = []float64{0.5, 0.9, 0.99, 0.999, 1}

// SetMediaStats has /metrics show the media engine's counters, read by f
// at each scrape: anxin_rtp_legs, anxin_rtp_ticks_total,
// anxin_rtp_skipped_frames_total, and the summaries (quantiles since the
// engine started, no _sum) anxin_rtp_send_interval_seconds and
// anxin_rtp_wake_lateness_seconds. Without it, a node without telephony,
// none of them is shown.
func (s *Server) SetMediaStats(f func() MediaStats) { s.metrics.media.Store(&f) }

// writeMedia writes the media engine's series.
func writeMedia(w io.Writer, st MediaStats) {
	fmt.Fprintln(w, "# HELP anxin_rtp_legs Media legs open (one per party on a call).")
	fmt.Fprintf(w, "# TYPE anxin_rtp_legs gauge\nanxin_rtp_legs %d\n", st.Legs)
	fmt.Fprintln(w, "# HELP anxin_rtp_ticks_total 20 ms ticks run by the media pacing loops.")
	fmt.Fprintf(w, "# TYPE anxin_rtp_ticks_total counter\nanxin_rtp_ticks_total %d\n", st.Ticks)
	fmt.Fprintln(w, "# HELP anxin_rtp_skipped_frames_total Audio frames not sent because a pacing loop woke a frame or more late.")
	fmt.Fprintf(w, "# TYPE anxin_rtp_skipped_frames_total counter\nanxin_rtp_skipped_frames_total %d\n", st.SkippedFrames)
	for _, d := range []struct {
		name, help string
		sum        DurationSummary
	}{
		{"anxin_rtp_send_interval_seconds", "Time between consecutive RTP packets of each leg since the start (20 ms when all is well; no _sum).", st.SendIntervals},
		{"anxin_rtp_wake_lateness_seconds", "How late the media pacing loops woke for their 20 ms ticks since the start (no _sum).", st.Lateness},
	} {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s summary\n", d.name, d.help, d.name)
		if d.sum.Count > 0 && d.sum.Quantile != nil {
			for _, q := range mediaQuantiles {
				fmt.Fprintf(w, "%s{quantile=%q} %g\n", d.name, strconv.FormatFloat(q, 'g', -1, 64), d.sum.Quantile(q).Seconds())
			}
		}
		fmt.Fprintf(w, "%s_count %d\n", d.name, d.sum.Count)
	}
}
