//go:build linux

// Command calls is the end-to-end telephony benchmark of issue 5: agentless
// check-in calls through Anxin's whole stack — the JSON API, the toll-fraud
// guard, call records, SIP (sipua), media (rtp: the prompt, the elder's key
// as RFC 4733 events, the stereo recording to disk) — against SIPp playing
// the carrier, on this machine, while the screen pop of inbound hotline
// calls is timed.
//
// It starts `anxin serve --demo` on a fresh data directory (or uses a
// running server given by -url and friends), starts SIPp as the demo
// trunk's carrier (127.0.0.1:5070, carrier_gateway.xml) with this program
// as the carrier's media gateway, which sends each elder's side of the
// call: a tone, and the key as RFC 4733 events in the same RTP stream
// (-media sipp has SIPp play it from a pcap instead, carrier.xml: a thread
// per call in SIPp, too heavy for 1,000 calls on two cores). Then it:
//
//   - places check-ins (POST /api/v1/checkins) at -rate per second until
//     -concurrent calls are up, then keeps that many up for -hold, placing
//     a new call as one ends; each elder presses 1 at -key-after (after the
//     18.7 s prompt) and hears the thanks, then Anxin hangs up;
//   - meanwhile signs the demo operator in, sets her ready, listens to her
//     console's event stream (/events, as the browser does) and rings the
//     hotline 966666 every -pop-every, pressing 1 for the queue as soon as
//     the call is answered, and times the INVITE and the key to the pop;
//   - samples Anxin's /metrics (media legs, send intervals) and the CPU of
//     Anxin, SIPp, itself and the rest of the machine, and Anxin's memory,
//     from /proc;
//   - reads every call record back (answered, key recorded, recording
//     made), checks a sample of the stereo recordings on disk, prints a
//     summary and exits 1 if any call failed or any pop was missed.
//
// Run it through bench/calls/run.sh, which builds anxin and raises the
// open-files limit:
//
//	bench/calls/run.sh                                 # 1,000 calls held for 120 s
//	bench/calls/run.sh -concurrent 100 -hold 30s -pops 20
//
// It only loads loopback addresses. Built for Linux (/proc).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"
)

func main() {
	// The library loggers (sipgo under the timed elder's phone) say
	// nothing; the benchmark reports what matters itself.
	slog.SetDefault(slog.New(slog.DiscardHandler))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/calls:", err)
		if errors.Is(err, errFailed) {
			os.Exit(1)
		}
		os.Exit(2)
	}
}

// errFailed is a run that completed with failed calls or missed pops.
var errFailed = errors.New("calls failed")

// options are the benchmark's flags.
type options struct {
	// The server: started from the binary anxin, on a fresh SQLite data
	// directory or the (empty) PostgreSQL database, or a running one.
	anxin, database       string
	url, sipAddr, dataDir string
	pid                   int
	token, operator, pwd  string
	rtpPorts              string

	sipp, carrier, media string

	rate       float64
	concurrent int
	hold       time.Duration
	keyAt      time.Duration
	ring       time.Duration
	targets    int

	pops     int
	popEvery time.Duration

	recordings int
	work       string
	keep       bool
}

func parseOptions(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("calls", flag.ContinueOnError)
	fs.StringVar(&o.anxin, "anxin", "", "anxin binary to start with serve --demo (run.sh builds one)")
	fs.StringVar(&o.database, "database", "", "with -anxin: PostgreSQL URL of an empty database to serve from (default: SQLite in the work directory)")
	fs.StringVar(&o.url, "url", "", "without -anxin: base URL of a running demo server (loopback)")
	fs.StringVar(&o.sipAddr, "sip", "", "without -anxin: the running server's SIP address (IP:PORT)")
	fs.IntVar(&o.pid, "pid", 0, "without -anxin: the running server's process id, for CPU and memory")
	fs.StringVar(&o.dataDir, "data", "", "without -anxin: the running server's data directory, for the recordings check")
	fs.StringVar(&o.token, "token", "", "without -anxin: API token of the operator who places check-ins and takes pops")
	fs.StringVar(&o.operator, "operator", "operator1", "the operator's username")
	fs.StringVar(&o.pwd, "password", "", "without -anxin: the operator's password, for the console session the pops go to")
	fs.StringVar(&o.rtpPorts, "rtp-ports", "20000-29999", "with -anxin: the server's RTP port range")
	fs.StringVar(&o.sipp, "sipp", "sipp", "SIPp binary (Debian sip-tester)")
	fs.StringVar(&o.media, "media", "bench", "who sends the elders' media: bench (this program, as the carrier's media gateway at the port SIPp's answers give) or sipp (SIPp's play_pcap_audio, a thread per call)")
	fs.StringVar(&o.carrier, "carrier", "127.0.0.1:5070", "address of the demo trunk's carrier, where SIPp answers")
	fs.Float64Var(&o.rate, "rate", 100, "check-ins placed per second while fewer than -concurrent are up")
	fs.IntVar(&o.concurrent, "concurrent", 1000, "check-in calls kept up at once")
	fs.DurationVar(&o.hold, "hold", 120*time.Second, "how long -concurrent calls are kept up (longer if the pops need it)")
	fs.DurationVar(&o.keyAt, "key-after", 21*time.Second, "when the elder presses 1, from the answer (the prompt lasts 18.7 s; the flow waits 8 s after it)")
	fs.DurationVar(&o.ring, "ring", 0, "how long each elder's phone rings before she answers")
	fs.IntVar(&o.targets, "targets", 200, "demo elders whose numbers the check-ins ring, in turn")
	fs.IntVar(&o.pops, "pops", 100, "inbound hotline calls whose screen pop is timed (0: none)")
	fs.DurationVar(&o.popEvery, "pop-every", time.Second, "time between the starts of two timed pops")
	fs.IntVar(&o.recordings, "recordings", 50, "recordings checked on disk (spread over the run)")
	fs.StringVar(&o.work, "work", "", "work directory (default: a new one under $TMPDIR, removed afterwards unless -keep)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work directory (data, recordings, logs)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch {
	case o.anxin == "" && (o.url == "" || o.sipAddr == "" || o.token == "" || o.pwd == ""):
		return nil, errors.New("give -anxin BINARY, or -url, -sip, -token and -password of a running demo server")
	case o.rate <= 0 || o.concurrent <= 0 || o.targets <= 0:
		return nil, errors.New("-rate, -concurrent and -targets must be positive")
	case o.media != "bench" && o.media != "sipp":
		return nil, fmt.Errorf("-media is bench or sipp, not %q", o.media)
	case o.keyAt < time.Second:
		return nil, errors.New("-key-after must be at least a second")
	}
	if o.url != "" && !isLoopbackURL(o.url) {
		return nil, fmt.Errorf("-url %s is not a loopback address", o.url)
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	work := o.work
	if work == "" {
		if work, err = os.MkdirTemp("", "anxin-calls-"); err != nil {
			return err
		}
		if !o.keep {
			defer os.RemoveAll(work)
		}
	} else if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	log := func(format string, a ...any) {
		fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, a...)...)
	}
	m := describeMachine()
	log("work directory %s; %s", work, m.line())

	srv, err := openServer(ctx, o, work, log)
	if err != nil {
		return err
	}
	defer srv.close()
	numbers, err := srv.targets(ctx, o.targets)
	if err != nil {
		return err
	}
	log("check-ins ring %d demo elders in turn", len(numbers))

	car, err := startCarrier(o, filepath.Join(work, "carrier"))
	if err != nil {
		return err
	}
	defer car.stop()
	log("SIPp carrier on %s (pid %d), elders' media from %s, the key at %v", o.carrier, car.pid(), o.media, o.keyAt)

	var pop *popper
	if o.pops > 0 {
		if pop, err = newPopper(ctx, srv, log); err != nil {
			return err
		}
		defer pop.close()
	}

	smp := newSampler(srv, car.pid())
	go smp.run(ctx, 250*time.Millisecond)
	defer smp.stop()
	// A few idle samples first: the memory before any call.
	if err := sleepCtx(ctx, 3*time.Second); err != nil {
		return err
	}

	ld := &load{o: o, srv: srv, smp: smp, numbers: numbers, log: log}
	ph, err := ld.run(ctx, pop)
	if err != nil {
		return err
	}
	time.Sleep(1500 * time.Millisecond) // SIPp's last statistics line
	res, err := collect(ctx, o, srv, ld, ph, smp, car)
	if err != nil {
		return err
	}
	res.machine = m
	res.print(stdout)
	if res.failed() {
		if o.keep || o.work != "" {
			log("logs and data kept in %s", work)
		}
		return errFailed
	}
	return nil
}

// sleepCtx sleeps d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// isLoopbackURL reports whether u is http://127.x.x.x:PORT or localhost.
func isLoopbackURL(u string) bool {
	host, ok := strings.CutPrefix(u, "http://")
	if !ok {
		return false
	}
	host, _, _ = strings.Cut(host, "/")
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	return host == "localhost" || strings.HasPrefix(host, "127.")
}

// machine describes where the benchmark ran.
type machine struct {
	cpus    int
	model   string
	load    string // /proc/loadavg before the run
	goVer   string
	started time.Time
}

func describeMachine() machine {
	m := machine{cpus: runtime.NumCPU(), started: time.Now().UTC(), goVer: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		f := strings.Fields(string(b))
		if len(f) >= 3 {
			m.load = strings.Join(f[:3], " ")
		}
	}
	return m
}

func (m machine) line() string {
	return fmt.Sprintf("%s, %d CPUs (%s), %s, load average %s", m.started.Format("2006-01-02 15:04 UTC"), m.cpus, m.model, m.goVer, m.load)
}
