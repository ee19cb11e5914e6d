package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/web"
)

// TestMetricsMedia: /metrics shows the media engine's counters and
// quantiles once the telephony layer hands them over, and none before.
func TestMetricsMedia(t *testing.T) {
	e := newTestEnv(t, store.SQLite)
	c := e.anon()
	st, body := c.get("/metrics")
	wantStatus(t, "metrics", st, http.StatusOK)
	if strings.Contains(body, "anxin_rtp_") {
		t.Fatalf("media series without telephony:\n%s", body)
	}

	// Send intervals: the quantile asked for, in tenths of a millisecond
	// above 20 ms, so that each line tells which quantile it printed.
	intervals := func(q float64) time.Duration {
		return 20*time.Millisecond + time.Duration(q*1000)*100*time.Microsecond
	}
	e.srv.SetMediaStats(func() web.MediaStats {
		return web.MediaStats{Legs: 3, Ticks: 500, SkippedFrames: 2,
			SendIntervals: web.DurationSummary{Count: 1000, Quantile: intervals}}
	})
	st, body = c.get("/metrics")
	wantStatus(t, "metrics", st, http.StatusOK)
	wantBody(t, body,
		"# TYPE anxin_rtp_legs gauge\nanxin_rtp_legs 3\n",
		"# TYPE anxin_rtp_ticks_total counter\nanxin_rtp_ticks_total 500\n",
		"# TYPE anxin_rtp_skipped_frames_total counter\nanxin_rtp_skipped_frames_total 2\n",
		"# TYPE anxin_rtp_send_interval_seconds summary\n",
		"anxin_rtp_send_interval_seconds{quantile=\"0.5\"} 0.07\n",
		"anxin_rtp_send_interval_seconds{quantile=\"0.99\"} 0.119\n",
		"anxin_rtp_send_interval_seconds{quantile=\"0.999\"} 0.1199\n",
		"anxin_rtp_send_interval_seconds{quantile=\"1\"} 0.12\n",
		"anxin_rtp_send_interval_seconds_count 1000\n",
		// Nothing counted: a count of zero and no quantiles.
		"# TYPE anxin_rtp_wake_lateness_seconds summary\nanxin_rtp_wake_lateness_seconds_count 0\n",
	)
	if strings.Contains(body, "anxin_rtp_wake_lateness_seconds{") {
		t.Fatalf("quantiles of nothing:\n%s", body)
	}
}
