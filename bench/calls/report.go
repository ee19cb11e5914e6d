//go:build linux

package main

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// print writes the summary table and the verdict on issue 5's targets.
func (r *results) print(w io.Writer) {
	o := r.o
	media := "the elders' media sent by this program (-media bench; its CPU is \"bench\")"
	if o.media == "sipp" {
		media = "the elders' media played by SIPp (-media sipp)"
	}
	fmt.Fprintf(w, "\n# bench/calls: %s\n", r.machine.line())
	fmt.Fprintf(w, "# anxin on %s; SIPp carrier, %s\n", r.engine, media)
	fmt.Fprintf(w, "# check-ins at %.0f/s up to %d at once, held %v; the elder answers after %v and presses 1 (RFC 4733) %v after answering\n\n",
		o.rate, o.concurrent, r.hold.to.Sub(r.hold.from).Round(time.Second), o.ring, o.keyAt)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	row := func(k, format string, a ...any) { fmt.Fprintf(tw, "%s\t%s\n", k, fmt.Sprintf(format, a...)) }
	r.printCalls(row)
	r.printMedia(row)
	r.printPops(row)
	tw.Flush()
	fmt.Fprintf(w, "\ntargets (issue 5): ≥ 1,000 concurrent %s; 0 failed calls %s; RTP send interval p99 ≤ 25 ms %s; set-up ≥ 100 calls/s %s; pop p95 < 300 ms %s\n",
		verdict(r.peakLegs >= 1000), verdict(r.failedCalls() == 0), verdict(r.quantileMs("anxin_rtp_send_interval_seconds", "0.99") <= 25),
		// The answers kept up with check-ins placed at 100/s or more,
		// within 1 %: the schedule's own jitter over a ten-second ramp.
		verdict(o.rate >= 100 && r.rampRate >= 0.99*o.rate && r.failedCalls() == 0),
		verdict(len(r.ph.pops) > 0 && r.popsMissed() == 0 && quantile(r.popTimes(false), 0.95) < 300*time.Millisecond))
}

// printCalls writes the rows about the calls and their set-up.
func (r *results) printCalls(row func(k, format string, a ...any)) {
	o := r.o
	row("check-ins", "%d placed, %d refused by the API, %d answered, %d with the key recorded, %d recorded; %d failed",
		r.placed, r.refused, r.answered, r.keyed, r.recorded, r.failedCalls())
	if len(r.failures) > 0 {
		var reasons []string
		for k, n := range r.failures {
			reasons = append(reasons, fmt.Sprintf("%s: %d", k, n))
		}
		sort.Strings(reasons)
		row("  failures", "%s", strings.Join(reasons, "; "))
		for _, e := range r.examples {
			row("  e.g.", "%s", e)
		}
	}
	row("call length", "mean %.1f s (answer to Anxin's BYE); %.0f call-minutes in all", r.meanDuration.Seconds(), r.callMinutes)
	row("concurrent calls", "peak %d media legs (target %d, %s at %.1f s)", r.peakLegs, o.concurrent,
		map[bool]string{true: "reached", false: "NOT reached"}[r.ph.reached], r.ph.target.Sub(r.ph.start).Seconds())
	row("set-up rate", "first %d calls answered at %.1f/s (placed at %.0f/s); most answers in one second: %d",
		min(o.concurrent, r.placed), r.rampRate, o.rate, r.peakAnswers)
	row("set-up time", "API request to answer (started_at→answered_at, INVITE→200 included) p50 %s p95 %s p99 %s max %s",
		ms(quantile(r.setup, 0.5)), ms(quantile(r.setup, 0.95)), ms(quantile(r.setup, 0.99)), ms(quantile(r.setup, 1)))
	row("API POST /checkins", "p50 %s p99 %s max %s (from the scheduled time)",
		ms(quantile(r.apiLatency, 0.5)), ms(quantile(r.apiLatency, 0.99)), ms(quantile(r.apiLatency, 1)))
}

// printMedia writes the rows about media, CPU, memory, recordings and
// SIPp.
func (r *results) printMedia(row func(k, format string, a ...any)) {
	since := "since the server started (a fresh one: the run)"
	if !r.fresh {
		since = "since the server started (a running one: earlier calls included)"
	}
	const si, wl = "anxin_rtp_send_interval_seconds", "anxin_rtp_wake_lateness_seconds"
	row("RTP send interval", "p50 %.1f p99 %.1f p99.9 %.1f max %.1f ms over %.0f packets (%s)",
		r.quantileMs(si, "0.5"), r.quantileMs(si, "0.99"), r.quantileMs(si, "0.999"), r.quantileMs(si, "1"), r.rtp[si+"_count"], since)
	row("pacing loops", "woke late p99 %.1f ms, max %.1f ms; %.0f frames skipped",
		r.quantileMs(wl, "0.99"), r.quantileMs(wl, "1"), r.rtp["anxin_rtp_skipped_frames_total"])
	for _, cw := range []struct {
		name string
		w    cpuWindow
	}{{"CPU at the target", r.hold}, {"CPU on the ramp", r.ramp}, {"CPU, whole run", r.whole}} {
		per := 0.0
		if cw.w.callMinutes > 0 {
			per = cw.w.anxinSeconds / cw.w.callMinutes
		}
		row(cw.name, "anxin %.2f cores (%.3f CPU-s per call-minute over %.0f call-minutes), SIPp %.2f, bench %.2f, other %.2f; %.0f s",
			cw.w.anxin, per, cw.w.callMinutes, cw.w.sipp, cw.w.self, cw.w.other, cw.w.to.Sub(cw.w.from).Seconds())
	}
	if r.holdOthers != "" {
		row("  other at the target", "%s (cores; ksoftirqd: the kernel's packet work done outside the processes)", r.holdOthers)
	}
	perCall := 0.0
	if r.peakLegs > 0 {
		perCall = float64(r.peakRSS-r.idleRSS) / float64(r.peakLegs) / 1024
	}
	row("anxin memory", "RSS idle %.0f MiB, peak %.0f MiB: %.0f KiB per call at %d calls; Go heap idle %.0f MiB, peak %.0f MiB; goroutines peak %.0f",
		mib(r.idleRSS), mib(r.peakRSS), perCall, r.peakLegs, r.idleHeap/(1<<20), r.peakHeap/(1<<20), r.peakGoroutines)
	row("recordings", "%d of %d checked are stereo 8 kHz, as long as the call, both channels above -40 dBFS", r.recOK, r.recChecked)
	for _, p := range r.recProblems {
		row("  problem", "%s", p)
	}
	sippState := "ran to the end"
	if !r.sippAlive {
		sippState = "ENDED EARLY"
	}
	row("SIPp", "%s: %s calls in (trunk OPTIONS included), %s successful, %s failed", sippState,
		r.sipp["IncomingCall(C)"], r.sipp["SuccessfulCall(C)"], r.sipp["FailedCall(C)"])
	if n, last := sippEvents(r.sippErrors); n > 0 {
		row("  SIPp events", "%d, the last: %s", n, last)
	}
}

// printPops writes the rows about the screen pops.
func (r *results) printPops(row func(k, format string, a ...any)) {
	if len(r.ph.pops) == 0 {
		return
	}
	inv, key := r.popTimes(false), r.popTimes(true)
	row("screen pop", "%d timed, %d missed; INVITE→event p50 %s p95 %s max %s; key→event p50 %s p95 %s max %s (Go SSE client, not a browser)",
		len(r.ph.pops), r.popsMissed(), ms(quantile(inv, 0.5)), ms(quantile(inv, 0.95)), ms(quantile(inv, 1)),
		ms(quantile(key, 0.5)), ms(quantile(key, 0.95)), ms(quantile(key, 1)))
	for _, p := range r.ph.pops {
		if p.err != "" {
			row("  missed", "%s", p.err)
			break
		}
	}
}

// popTimes returns the times from the INVITE (or the key) to the pop of
// the pops that came.
func (r *results) popTimes(fromKey bool) []time.Duration {
	var out []time.Duration
	for _, p := range r.ph.pops {
		switch {
		case p.err != "":
		case fromKey:
			out = append(out, p.event.Sub(p.key))
		default:
			out = append(out, p.event.Sub(p.invite))
		}
	}
	return out
}

// quantileMs is a quantile of a media summary from the last scrape, in ms.
func (r *results) quantileMs(name, q string) float64 {
	return r.rtp[name+`{quantile="`+q+`"}`] * 1000
}

// failedCalls counts the check-ins that failed.
func (r *results) failedCalls() int {
	n := 0
	for _, k := range r.failures {
		n += k
	}
	return n
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// sippEvents counts the events of SIPp's error log (-trace_err: watchdog
// trips, unexpected messages, retransmissions to calls already over; each
// starts with a date, a time and a Unix time) and returns the first line
// of the last, shortened.
func sippEvents(log string) (int, string) {
	starts := sippEvent.FindAllStringIndex(log, -1)
	if len(starts) == 0 {
		return 0, ""
	}
	last := log[starts[len(starts)-1][1]:]
	if i := strings.IndexAny(last, "\r\n"); i >= 0 {
		last = last[:i]
	}
	if len(last) > 160 {
		last = last[:160] + " …"
	}
	return len(starts), strings.TrimSpace(last)
}

// sippEvent is the start of an event in SIPp's error log.
var sippEvent = regexp.MustCompile(`\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\.\d+\t\d+\.\d+: `)
