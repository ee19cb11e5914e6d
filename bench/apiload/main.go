//go:build linux

// Command apiload is an open-loop, constant-rate HTTP load generator for
// Anxin's authenticated JSON API. It sends GET requests at fixed intervals
// whatever the server does, and measures each request's latency from the
// moment it was scheduled, not from when it was finally sent, so a server
// that stalls is charged for the requests that queued behind the stall (no
// coordinated omission).
//
// It runs one rate (-rate) or steps the rate up (-find-max) until a step
// misses the target (p99 above -max-p99, failures above -max-fail, or an
// achieved rate below -min-achieved of the target), and reports the highest
// rate that met it. It only loads loopback addresses, and every run is
// bounded in requests and time.
//
//	go run ./bench/apiload -url http://127.0.0.1:8080 -token "$TOKEN" \
//	    -paths /api/v1/me -rate 500 -duration 30s
//
// See bench/run-api.sh, which starts a server on demo data and runs both.
// It is built for Linux only, where its scheduler sleeps in nanosleep(2).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "apiload:", err)
		os.Exit(1)
	}
}

// options are apiload's flags.
type options struct {
	base        string
	token       string
	paths       []string
	rate        int
	duration    time.Duration
	warmup      time.Duration
	findMax     bool
	steps       []int
	refine      int
	concurrency int
	timeout     time.Duration
	maxP99      time.Duration
	maxFail     float64
	minAchieved float64
	byPath      bool
	bySecond    bool
	serverPID   int
	dbComm      string
	retryNoisy  int
	noisyCPU    float64
}

func parseOptions(args []string, getenv func(string) string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("apiload", flag.ContinueOnError)
	var paths, steps string
	fs.StringVar(&o.base, "url", "http://127.0.0.1:8080", "base URL of the server (loopback only)")
	fs.StringVar(&o.token, "token", getenv("ANXIN_TOKEN"), "API token sent as Authorization: Bearer (env ANXIN_TOKEN)")
	fs.StringVar(&paths, "paths", "/api/v1/me", "comma-separated GET paths, cycled in order")
	fs.IntVar(&o.rate, "rate", 500, "requests per second (without -find-max)")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "measured time per rate")
	fs.DurationVar(&o.warmup, "warmup", 3*time.Second, "unmeasured time at each rate before measuring")
	fs.BoolVar(&o.findMax, "find-max", false, "step the rate up until a step misses the target; report the highest that met it")
	fs.StringVar(&steps, "steps", "250,500,750,1000,1500,2000,2500,3000,4000,5000,6000,8000", "rates tried by -find-max, ascending")
	fs.IntVar(&o.refine, "refine", 2, "with -find-max, bisect between the last good and the first bad rate this many times")
	fs.IntVar(&o.concurrency, "concurrency", 128, "most requests in flight; requests beyond wait, and the wait counts as latency")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "per-request timeout; a timeout is an error")
	fs.DurationVar(&o.maxP99, "max-p99", 10*time.Millisecond, "target: highest acceptable p99 latency")
	fs.Float64Var(&o.maxFail, "max-fail", 0.001, "target: highest acceptable share of errors and non-2xx answers")
	fs.Float64Var(&o.minAchieved, "min-achieved", 0.95, "target: lowest acceptable achieved/target rate")
	fs.BoolVar(&o.byPath, "by-path", false, "also print latencies per path")
	fs.BoolVar(&o.bySecond, "by-second", false, "also print latencies per second of the window, to find stalls")
	fs.IntVar(&o.retryNoisy, "retry-noisy", 2, "run a rate again, at most this many times, while other processes used more than -noisy-cpu")
	fs.Float64Var(&o.noisyCPU, "noisy-cpu", 20, "CPU use of other processes, in % of one core, above which a measurement is noisy")
	fs.StringVar(&o.dbComm, "db-process", "", "name of the database server's processes (postgres), to report their CPU use apart")
	fs.IntVar(&o.serverPID, "server-pid", 0, "process ID of the server, to report its CPU use beside the generator's and the rest of the machine's")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	u, err := url.Parse(o.base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("-url must be http://HOST:PORT, not %q", o.base)
	}
	if !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("-url host %q is not a loopback address; apiload loads only this machine", u.Hostname())
	}
	o.base = strings.TrimSuffix(o.base, "/")
	for p := range strings.SplitSeq(paths, ",") {
		if p = strings.TrimSpace(p); p != "" {
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("path %q must start with /", p)
			}
			o.paths = append(o.paths, p)
		}
	}
	if len(o.paths) == 0 {
		return nil, errors.New("-paths is empty")
	}
	for s := range strings.SplitSeq(steps, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("-steps: %q is not a positive rate", s)
		}
		o.steps = append(o.steps, n)
	}
	if !slices.IsSorted(o.steps) {
		return nil, errors.New("-steps must be ascending")
	}
	switch {
	case o.rate <= 0 || o.rate > 100000:
		return nil, errors.New("-rate must be 1–100000")
	case o.duration <= 0 || o.duration > 10*time.Minute:
		return nil, errors.New("-duration must be positive and at most 10m")
	case o.warmup < 0 || o.warmup > time.Minute:
		return nil, errors.New("-warmup must be 0–1m")
	case o.concurrency <= 0 || o.concurrency > 10000:
		return nil, errors.New("-concurrency must be 1–10000")
	case o.retryNoisy < 0 || o.retryNoisy > 5:
		return nil, errors.New("-retry-noisy must be 0–5")
	case o.refine < 0 || o.refine > 5:
		return nil, errors.New("-refine must be 0–5")
	case len(o.steps) > 30 || o.steps[len(o.steps)-1] > 100000:
		return nil, errors.New("-steps: at most 30 rates of at most 100000")
	}
	return o, nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func run(args []string, getenv func(string) string, stdout io.Writer) error {
	o, err := parseOptions(args, getenv)
	if err != nil {
		return err
	}
	l := newLoader(o)
	defer l.client.CloseIdleConnections()
	fmt.Fprintf(stdout, "apiload: %s paths %s, concurrency %d, warm-up %s, measured %s per rate; target p99 <= %s, failures <= %.2f%%, achieved >= %.0f%%\n",
		o.base, strings.Join(o.paths, ","), o.concurrency, o.warmup, o.duration, o.maxP99, o.maxFail*100, o.minAchieved*100)
	fmt.Fprintf(stdout, lineFormat, "target/s", "achieved/s", "requests", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "errors", "non-2xx", "lag p99 ms", "cpu% srv[+db]/gen/other/idle", "runq ms/s srv/gen", "verdict")
	if !o.findMax {
		l.report(stdout, l.measure(o.rate))
		return nil
	}
	var good *result
	var bad int
	for _, r := range o.steps {
		res := l.measure(r)
		l.report(stdout, res)
		if !res.ok(o) {
			bad = r
			break
		}
		good = res
		time.Sleep(time.Second) // let the server settle between rates
	}
	if bad != 0 && good != nil {
		lo, hi := good.target, bad
		for range o.refine {
			mid := (lo + hi) / 2
			if mid-lo < lo/20 { // closer than 5%: not worth the time
				break
			}
			time.Sleep(time.Second)
			res := l.measure(mid)
			l.report(stdout, res)
			if res.ok(o) {
				good, lo = res, mid
			} else {
				bad, hi = mid, mid
			}
		}
	}
	switch {
	case good == nil:
		fmt.Fprintf(stdout, "max sustained rate: none; the lowest rate %d/s missed the target\n", o.steps[0])
	case bad == 0:
		fmt.Fprintf(stdout, "max sustained rate: at least %d req/s (p99 %.2f ms); every step met the target, add higher -steps\n", good.target, ms(good.pct(0.99)))
	default:
		fmt.Fprintf(stdout, "max sustained rate: %d req/s (p99 %.2f ms, achieved %.0f/s); the first rate that missed the target was %d/s\n",
			good.target, ms(good.pct(0.99)), good.achieved, bad)
	}
	return nil
}

// report prints a step's line, and its paths with -by-path.
func (l *loader) report(stdout io.Writer, res *result) {
	res.print(stdout, l.o)
	if l.o.byPath {
		res.printPaths(stdout)
	}
	if l.o.bySecond {
		res.printSeconds(stdout)
	}
}

// loader sends the requests. One HTTP client with keep-alive connections
// serves every step.
type loader struct {
	o      *options
	client *http.Client
}

func newLoader(o *options) *loader {
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.concurrency,
		MaxIdleConnsPerHost: o.concurrency,
		MaxConnsPerHost:     o.concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &loader{o: o, client: &http.Client{Transport: tr, Timeout: o.timeout}}
}

// measure runs a rate, and runs it again while other processes on the
// machine (a build, a test run) used more CPU than -noisy-cpu: the target is
// for the server, not for the server beside a compiler. A measurement that
// stays noisy is kept and marked.
func (l *loader) measure(rate int) *result {
	var r *result
	for try := 0; try <= l.o.retryNoisy; try++ {
		if try > 0 {
			time.Sleep(2 * time.Second)
		}
		r = l.step(rate)
		r.tries = try + 1
		if !r.noisy(l.o) {
			break
		}
	}
	return r
}

// noisy reports whether other processes used much CPU during the window.
func (r *result) noisy(o *options) bool { return r.cpu.other > o.noisyCPU }

// sample is one measured request.
type sample struct {
	path    int
	latency time.Duration // from the scheduled time to the end of the body
	lag     time.Duration // from the scheduled time to the start of sending
	end     time.Time     // when the answer was read, or the request given up
	status  int           // 0 on a transport error, a timeout, or unsent
}

// job is one scheduled request.
type job struct {
	at       time.Time
	path     int
	measured bool
}

// step runs one rate: warm-up, then the measured window, then waits for the
// requests still queued or in flight. It takes at most warm-up + duration +
// request timeout + 1 s: requests not sent by then are given up as errors.
func (l *loader) step(rate int) *result {
	o := l.o
	interval := time.Second / time.Duration(rate)
	total := int((o.warmup + o.duration) / interval)
	measuredFrom := int(o.warmup / interval)
	// The queue holds every request of the step, so the scheduler never
	// blocks behind a slow server: that is what keeps the loop open.
	jobs := make(chan job, total)
	start := time.Now().Add(10 * time.Millisecond)
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(o.warmup+o.duration+o.timeout+time.Second))
	defer cancel()

	// CPU is sampled over the measured window, not the warm-up or the drain.
	windowStart := start.Add(time.Duration(measuredFrom) * interval)
	var cpu0 cpuTimes
	cpu1 := make(chan cpuTimes, 1)
	time.AfterFunc(time.Until(windowStart), func() {
		cpu0 = readCPU(o.serverPID, o.dbComm)
		time.AfterFunc(o.duration, func() { cpu1 <- readCPU(o.serverPID, o.dbComm) })
	})

	var mu sync.Mutex
	samples := make([]sample, 0, total-measuredFrom)
	var wg sync.WaitGroup
	for range o.concurrency {
		wg.Go(func() {
			for j := range jobs {
				s := l.do(ctx, j)
				if j.measured {
					mu.Lock()
					samples = append(samples, s)
					mu.Unlock()
				}
			}
		})
	}
	// The scheduler keeps its own thread and sleeps in nanosleep(2):
	// time.Sleep wakes up to a millisecond late on Linux, and that lateness
	// would be charged to the server.
	runtime.LockOSThread()
	for i := range total {
		at := start.Add(time.Duration(i) * interval)
		for d := time.Until(at); d > 0; d = time.Until(at) { // again after EINTR
			ts := syscall.NsecToTimespec(int64(d))
			syscall.Nanosleep(&ts, nil)
		}
		jobs <- job{at: at, path: i % len(o.paths), measured: i >= measuredFrom}
	}
	runtime.UnlockOSThread()
	close(jobs)
	wg.Wait()
	r := newResult(rate, samples, windowStart, o.duration, o.paths)
	r.cpu = cpu0.usage(<-cpu1)
	return r
}

// do sends one request, or gives it up unsent when the step's deadline has
// passed.
func (l *loader) do(ctx context.Context, j job) sample {
	s := sample{path: j.path, lag: time.Since(j.at)}
	s.status = l.get(ctx, l.o.paths[j.path])
	s.end = time.Now()
	s.latency = s.end.Sub(j.at)
	return s
}

// get sends one GET and reads the whole answer; it returns the status, or 0
// on any error.
func (l *loader) get(ctx context.Context, path string) int {
	if ctx.Err() != nil {
		return 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.o.base+path, nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+l.o.token)
	req.Header.Set("Accept", "application/json")
	resp, err := l.client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return 0
	}
	return resp.StatusCode
}

// result summarises one step's measured window.
type result struct {
	target   int
	achieved float64 // successful answers per second
	n        int
	errors   int
	non2xx   int
	lat      []time.Duration // sorted
	lagP99   time.Duration
	cpu      cpuUse // during the measured window
	tries    int    // how many times the rate was run (see -retry-noisy)
	paths    []string
	byPath   [][]time.Duration // sorted, per path
	bySecond [][]time.Duration // sorted, per second of the window by scheduled time
}

func newResult(rate int, samples []sample, windowStart time.Time, window time.Duration, paths []string) *result {
	r := &result{target: rate, n: len(samples), paths: paths, byPath: make([][]time.Duration, len(paths))}
	lags := make([]time.Duration, 0, len(samples))
	end := windowStart.Add(window)
	for _, s := range samples {
		switch {
		case s.status == 0:
			r.errors++
		case s.status < 200 || s.status > 299:
			r.non2xx++
		}
		r.lat = append(r.lat, s.latency)
		r.byPath[s.path] = append(r.byPath[s.path], s.latency)
		if sec := int(s.end.Add(-s.latency).Sub(windowStart) / time.Second); sec >= 0 {
			for len(r.bySecond) <= sec {
				r.bySecond = append(r.bySecond, nil)
			}
			r.bySecond[sec] = append(r.bySecond[sec], s.latency)
		}
		lags = append(lags, s.lag)
		if s.end.After(end) {
			end = s.end
		}
	}
	slices.Sort(r.lat)
	slices.Sort(lags)
	for _, p := range r.byPath {
		slices.Sort(p)
	}
	for _, p := range r.bySecond {
		slices.Sort(p)
	}
	r.lagP99 = pct(lags, 0.99)
	// The window lasts until its last answer: a server that falls behind
	// stretches it, and the achieved rate drops below the target.
	r.achieved = float64(r.n-r.errors-r.non2xx) / end.Sub(windowStart).Seconds()
	return r
}

// pct returns the q-quantile of sorted durations (nearest rank).
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func (r *result) pct(q float64) time.Duration { return pct(r.lat, q) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// lineFormat lays out the header and one line per step. The lag column is
// how late the generator itself sent requests: when it grows, the load
// generator, not the server, is short of CPU. The CPU columns say who used
// the machine during the window (in % of one core: server, generator, other
// processes, idle; with -db-process the server's figure is anxin+database)
// and how long the server's and the generator's threads waited for a free
// core (ms per second, summed over threads).
const lineFormat = "%8s %10s %8s %7s %7s %7s %8s %8s %6s %7s %10s %28s %17s  %s\n"

// ok reports whether the step met the target.
func (r *result) ok(o *options) bool {
	if r.n == 0 {
		return false
	}
	fail := float64(r.errors+r.non2xx) / float64(r.n)
	return r.pct(0.99) <= o.maxP99 && fail <= o.maxFail && r.achieved >= o.minAchieved*float64(r.target)
}

func (r *result) print(w io.Writer, o *options) {
	verdict := "ok"
	if !r.ok(o) {
		var why []string
		if r.pct(0.99) > o.maxP99 {
			why = append(why, "p99")
		}
		if r.n == 0 || float64(r.errors+r.non2xx)/float64(r.n) > o.maxFail {
			why = append(why, "failures")
		}
		if r.achieved < o.minAchieved*float64(r.target) {
			why = append(why, "rate")
		}
		verdict = "MISSED " + strings.Join(why, ",")
	}
	if r.noisy(o) {
		verdict += fmt.Sprintf(" (noisy: other processes used %.0f%% CPU)", r.cpu.other)
	} else if r.tries > 1 {
		verdict += fmt.Sprintf(" (run %d: earlier runs were noisy)", r.tries)
	}
	f := func(d time.Duration) string { return strconv.FormatFloat(ms(d), 'f', 2, 64) }
	fmt.Fprintf(w, lineFormat, strconv.Itoa(r.target), strconv.FormatFloat(r.achieved, 'f', 0, 64), strconv.Itoa(r.n),
		f(r.pct(0.5)), f(r.pct(0.9)), f(r.pct(0.99)), f(r.pct(0.999)), f(r.pct(1)),
		strconv.Itoa(r.errors), strconv.Itoa(r.non2xx), f(r.lagP99), r.cpu.String(), r.cpu.waits(), verdict)
}

func (r *result) printPaths(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  path\trequests\tp50 ms\tp99 ms\tmax ms")
	for i, p := range r.byPath {
		fmt.Fprintf(tw, "  %s\t%d\t%.2f\t%.2f\t%.2f\n", r.paths[i], len(p), ms(pct(p, 0.5)), ms(pct(p, 0.99)), ms(pct(p, 1)))
	}
	tw.Flush()
}

func (r *result) printSeconds(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  second\trequests\tp50 ms\tp99 ms\tmax ms\t")
	for i, p := range r.bySecond {
		fmt.Fprintf(tw, "  %d\t%d\t%.2f\t%.2f\t%.2f\t\n", i, len(p), ms(pct(p, 0.5)), ms(pct(p, 0.99)), ms(pct(p, 1)))
	}
	tw.Flush()
}
