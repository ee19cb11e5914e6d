//go:build linux

// Command campaigndial is the agentless campaign benchmark of issue 6: a
// wellness campaign over 100,000 generated elders dialled by Anxin's own
// campaign dialler (callflow.RunCampaigns: leases, the toll-fraud guard,
// call records, SIP, the check-in prompt, the elder's key, the stereo
// recording, the disposition, the answer) against SIPp playing the carrier
// and every elder's phone, on this machine, for a fixed time; then it
// checks from the database that no attempt was dialled twice.
//
// It runs the node in-process — the store (a fresh SQLite file, or the
// PostgreSQL database given by -database, emptied first by run.sh), the
// demo dataset without its elders, -elders elders from package gen in the
// committees of -region, the RTP engine, the recordings, the call flows,
// the SIP agent — as `anxin serve` wires them (cmd/anxin/telephony.go),
// with the campaign dialler allowed -channels calls at once. The store's
// clock starts on Monday 2026-11-23 09:00 China time and runs at real
// speed, so the run is inside the default calling window whatever the
// day; call records keep the real time. SIPp (bench/campaigndial's
// carrier.xml) rings each call for -ring, answers, and a -key-after later
// the elder presses 1 (RFC 4733, from SIPp's pcap); Anxin thanks her and
// hangs up.
//
// Run it through bench/campaigndial/run.sh (it raises the open-files
// limit and records the machine):
//
//	bench/campaigndial/run.sh                       # 100,000 elders, 10 minutes, 300 channels
//	bench/campaigndial/run.sh -duration 2m -channels 100
//
// Results: docs/benchmarks.md, "Agentless campaign dialling (issue 6)".
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/callflow"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/gen"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/store"
)

// options are the benchmark's flags.
type options struct {
	elders         int
	region         string
	seed           uint64
	duration       time.Duration
	channels       int
	ring, keyAfter time.Duration
	database, data string
	record         bool
	rtpLo, rtpHi   int
	progressEvery  time.Duration
	keepData       bool
	maxAttempts    int
	retryMinutes   int
}

func main() {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/campaigndial:", err)
		if errors.Is(err, errDoubleDial) {
			os.Exit(1)
		}
		os.Exit(2)
	}
}

// errDoubleDial is a run whose audit found an attempt dialled twice.
var errDoubleDial = errors.New("an attempt was dialled twice")

func run(ctx context.Context, args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("campaigndial", flag.ContinueOnError)
	fs.IntVar(&o.elders, "elders", 100000, "elders to generate (the campaign's target)")
	fs.StringVar(&o.region, "region", "310107", "region whose committees the elders live in (Putuo district)")
	fs.Uint64Var(&o.seed, "seed", 2022, "generator seed")
	fs.DurationVar(&o.duration, "duration", 10*time.Minute, "how long the dialler runs")
	fs.IntVar(&o.channels, "channels", 300, "campaign calls at once (callflow.Config.CampaignChannels)")
	fs.DurationVar(&o.ring, "ring", time.Second, "how long each elder's phone rings before she answers")
	fs.DurationVar(&o.keyAfter, "key-after", 3*time.Second, "when, after answering, she presses 1")
	fs.StringVar(&o.database, "database", "", "PostgreSQL URL (empty: SQLite in a new directory)")
	fs.StringVar(&o.data, "data", "", "data directory (default: a new temporary one, removed at the end)")
	fs.BoolVar(&o.record, "record", true, "record the calls to disk, as Anxin does")
	fs.IntVar(&o.rtpLo, "rtp-lo", 20000, "lowest RTP port")
	fs.IntVar(&o.rtpHi, "rtp-hi", 29999, "highest RTP port")
	fs.DurationVar(&o.progressEvery, "progress", 30*time.Second, "how often to print progress")
	fs.BoolVar(&o.keepData, "keep", false, "keep the data directory")
	fs.IntVar(&o.maxAttempts, "max-attempts", 3, "the campaign's attempts per elder")
	fs.IntVar(&o.retryMinutes, "retry-minutes", 60, "the campaign's minutes between attempts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.data == "" {
		dir, err := os.MkdirTemp("", "anxin-campaigndial-")
		if err != nil {
			return err
		}
		o.data = dir
		if !o.keepData {
			defer os.RemoveAll(dir)
		}
	}
	fmt.Fprintf(out, "# campaigndial: %d elders in %s, %s, %d channels, ring %s, key after %s, %d CPUs, GOMAXPROCS %d, %s\n",
		o.elders, o.region, o.duration, o.channels, o.ring, o.keyAfter, runtime.NumCPU(), runtime.GOMAXPROCS(0), engineName(o.database))

	db, err := store.Open(ctx, store.Config{DataDir: o.data, URL: o.database})
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := db.LoadCalendar(ctx); err != nil {
		return err
	}
	// The store's clock: Monday 09:00 China time, running at real speed.
	base, started := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC), time.Now()
	db.Now = func() time.Time { return base.Add(time.Since(started)) }

	c, err := prepare(ctx, db, &o, out)
	if err != nil {
		return err
	}
	sipPort, carrierPort := freeUDPPort(), freeUDPPort()
	if err := pointTrunk(ctx, db, carrierPort); err != nil {
		return err
	}
	sipp, err := startCarrier(&o, carrierPort)
	if err != nil {
		return err
	}
	defer sipp.stop()
	node, err := startNode(ctx, db, &o, sipPort)
	if err != nil {
		return err
	}
	defer node.close()
	time.Sleep(500 * time.Millisecond) // SIPp listening

	res, err := dial(ctx, db, node.flows, c, &o, sipp, out)
	if err != nil {
		return err
	}
	return report(ctx, db, c, &o, res, out)
}

// engineName names the database engine in the header.
func engineName(url string) string {
	if url != "" {
		return "PostgreSQL"
	}
	return "SQLite"
}

// prepare loads the demo's organisations, accounts and telephony, generates
// the elders, and creates, builds and starts the campaign.
func prepare(ctx context.Context, db *store.DB, o *options, out io.Writer) (*anxin.Campaign, error) {
	if _, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{}); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	cs, err := gen.Committees(ctx, db, o.region)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	n, err := gen.New(o.seed).Populate(ctx, db, cs, o.elders, nil)
	if err != nil {
		return nil, fmt.Errorf("generate elders: %w", err)
	}
	fmt.Fprintf(out, "generated %d elders into %d committees in %s\n", n, len(cs), time.Since(t0).Round(time.Millisecond))
	sup, err := db.AccountByUsername(ctx, "cityadmin")
	if err != nil {
		return nil, err
	}
	sc := anxin.ScopeOf(sup)
	c := &anxin.Campaign{Name: "关爱问候（压测）", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless, StartsOn: "2026-11-23",
		RegionCode: o.region, MaxAttempts: o.maxAttempts, RetryMinutes: o.retryMinutes}
	if err := db.CreateCampaign(ctx, sc, c); err != nil {
		return nil, err
	}
	t0 = time.Now()
	tasks, err := db.BuildTasks(ctx, sc, c.ID)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(out, "campaign %d: %d tasks built in %s (elders with a number of their own who did not opt out)\n",
		c.ID, tasks, time.Since(t0).Round(time.Millisecond))
	return c, db.SetCampaignState(ctx, sc, c.ID, anxin.CampaignRunning)
}

// pointTrunk sends the demo trunk's calls to SIPp on port, with no channel
// limit.
func pointTrunk(ctx context.Context, db *store.DB, port int) error {
	trunks, err := db.Trunks(ctx)
	if err != nil || len(trunks) == 0 {
		return fmt.Errorf("demo trunk: %v", err)
	}
	t := trunks[0]
	t.Host, t.MaxChannels = "127.0.0.1:"+strconv.Itoa(port), 0
	return db.SaveTrunk(ctx, anxin.SystemScope(), t)
}

// node is the telephony of an anxin node, in-process.
type node struct {
	flows  *callflow.Flows
	agent  *sipua.Agent
	engine *rtp.Engine
	cancel context.CancelFunc
}

// startNode wires media, recordings, call flows and SIP as startTelephony
// does (cmd/anxin/telephony.go), SIP on loopback port.
func startNode(ctx context.Context, db *store.DB, o *options, port int) (*node, error) {
	ip := netip.MustParseAddr("127.0.0.1")
	engine, err := rtp.NewEngine(rtp.Config{IP: ip, MinPort: o.rtpLo, MaxPort: o.rtpHi, MediaTimeout: 90 * time.Second})
	if err != nil {
		return nil, err
	}
	var rs *recordings.Store
	if o.record {
		if rs, err = recordings.New(recordings.Config{Dir: o.data + "/recordings", DB: db}); err != nil {
			engine.Close()
			return nil, err
		}
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	flows, err := callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: ip, Recordings: rs, Node: "bench", Log: log,
		CampaignChannels: o.channels})
	if err != nil {
		engine.Close()
		return nil, err
	}
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Logger: slog.New(slog.DiscardHandler), Realm: demo.SIPRealm, OnCall: flows.Inbound})
	if err != nil {
		engine.Close()
		return nil, err
	}
	flows.SetPhones(agent)
	conn, err := net.ListenPacket("udp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		agent.Close()
		engine.Close()
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	go agent.ServeUDP(sctx, conn)
	return &node{flows: flows, agent: agent, engine: engine, cancel: cancel}, nil
}

func (n *node) close() {
	n.cancel()
	n.agent.Close()
	n.engine.Close()
}

// freeUDPPort returns a loopback UDP port nobody uses now.
func freeUDPPort() int {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}
