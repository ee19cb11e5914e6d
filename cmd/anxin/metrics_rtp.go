package main

import (
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/web"
)

// mediaStats reads the media engine's counters for /metrics
// (web.Server.SetMediaStats).
func mediaStats(e *rtp.Engine) func() web.MediaStats {
	return func() web.MediaStats {
		st := e.Stats()
		return web.MediaStats{Legs: st.Legs, Ticks: st.Ticks, SkippedFrames: st.SkippedFrames,
			SendIntervals: durationSummary(st.SendIntervals), Lateness: durationSummary(st.Lateness)}
	}
}

// durationSummary is a histogram of the media engine as /metrics shows it.
func durationSummary(h rtp.Histogram) web.DurationSummary {
	n := h.Count()
	if n == 0 {
		return web.DurationSummary{}
	}
	return web.DurationSummary{Count: n, Quantile: h.Quantile}
}
