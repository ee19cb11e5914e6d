// Command campaigns measures outbound campaigns on a large registry in
// SQLite or PostgreSQL (issue 6: targeting and task creation for 300,000
// elders < 10 s and for 5,000,000 < 3 min on SQLite; the next task with
// 100 operators working at once, p99 < 20 ms).
//
//	anxin migrate --data /tmp/camp-300k
//	anxin gen elders --data /tmp/camp-300k --count 300000 --region 310107 --seed 2022
//	go run ./bench/campaigns -data /tmp/camp-300k -area 310107                 # build, then load
//	go run ./bench/campaigns -data /tmp/camp-5m -area 3101 -phase build
//	go run ./bench/campaigns -database postgres://… -area 310107 -phase load
//
// The build phase creates a campaign over the area for each target (all
// active elders, 80 or older, living alone, with the check-in consent …),
// times CountTarget (the supervisor's live count) and BuildTasks (one
// INSERT … SELECT), then BuildTasks again (nobody new), and the floor: a
// bare INSERT … SELECT of the area's elders into the same table, with the
// area as the only filter, through a connection of its own with the store's
// settings. Each timing starts with the write-ahead log checkpointed, and
// the tasks are deleted after it, so every run meets the same tables.
//
// The load phase builds one campaign (-load-target), starts it and runs
// -operators callers at once for -duration: each leases its next task
// (NextTask), talks for a random time around -think (0: none, flat out),
// and finishes the attempt (FinishAttempt) with an outcome drawn from a
// realistic mix (half completed, a quarter no answer, busy, unreachable,
// callbacks, a few wrong numbers, refusals, moved, deceased). It reports
// the latency of NextTask and FinishAttempt (p50, p90, p99, p99.9, max)
// after a warm-up, and leases a second. The bench's clock starts at the
// campaign's first calling time and runs at the real pace, so retries fall
// due an hour later, as in life.
//
// Everything the bench makes is named "bench:" and removed at the start of
// the next run, with what its calls changed (elders marked reached, moved
// or deceased are set back), so runs repeat on the same data.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

type options struct {
	cfg        store.Config
	area       string
	phase      string
	targets    []string
	reps       int
	operators  int
	duration   time.Duration
	warmup     time.Duration
	think      time.Duration
	loadTarget string
	lease      time.Duration
	keep       bool
	aged       float64
	cpuprofile string
}

func main() {
	var o options
	data := flag.String("data", "", "SQLite data directory")
	url := flag.String("database", "", "PostgreSQL URL instead of -data")
	flag.StringVar(&o.area, "area", "", "region code the campaigns cover (a district, a city)")
	flag.StringVar(&o.phase, "phase", "all", "build, load or all")
	targets := flag.String("targets", "all,80+,alone,checkin,alone80+", "targets to build, comma-separated (see targetOf)")
	flag.IntVar(&o.reps, "reps", 3, "repetitions of each build timing")
	flag.IntVar(&o.operators, "operators", 100, "callers leasing at once in the load phase")
	flag.DurationVar(&o.duration, "duration", time.Minute, "length of the load phase, warm-up included")
	flag.DurationVar(&o.warmup, "warmup", 5*time.Second, "first part of the load phase left out of the figures")
	flag.DurationVar(&o.think, "think", 0, "mean talk time between lease and outcome (0: flat out)")
	flag.StringVar(&o.loadTarget, "load-target", "all", "target of the load phase's campaign")
	flag.DurationVar(&o.lease, "lease", 10*time.Minute, "lease of a task")
	flag.Float64Var(&o.aged, "aged", 0, "share of the load campaign's tasks, the first in priority order, already called before the load starts: 6 in 10 done, the rest waiting for a retry later in the day")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write a CPU profile of the measured phases to this file")
	flag.BoolVar(&o.keep, "keep", false, "leave the bench's campaigns in the database at the end (they go at the next run)")
	flag.Parse()
	o.cfg = store.Config{DataDir: *data, URL: *url}
	o.targets = strings.Split(*targets, ",")
	if o.area == "" || (*data == "") == (*url == "") {
		fmt.Fprintln(os.Stderr, "campaigns: give -area and one of -data or -database")
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), o); err != nil {
		fmt.Fprintln(os.Stderr, "campaigns:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	db, err := store.Open(ctx, o.cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.LoadCalendar(ctx); err != nil {
		return err
	}
	raw, err := openRaw(ctx, o.cfg)
	if err != nil {
		return err
	}
	defer raw.Close()
	if err := raw.cleanup(ctx); err != nil {
		return fmt.Errorf("clean up an earlier run: %w", err)
	}
	sc, err := benchScope(ctx, db, o.area)
	if err != nil {
		return err
	}
	// The bench's clock: from the first calling time, at the real pace.
	base := anxin.NextCallTime(time.Now(), anxin.DefaultWindows(), db.Calendar().IsWorkday)
	t0 := time.Now()
	db.Now = func() time.Time { return base.Add(time.Since(t0)).UTC() }

	if o.cpuprofile != "" {
		f, err := os.Create(o.cpuprofile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	inArea, all, err := raw.countElders(ctx, o.area)
	if err != nil {
		return err
	}
	printMachine(o, raw, all, inArea, base)
	if o.phase == "build" || o.phase == "all" {
		if err := measureBuild(ctx, db, raw, sc, o); err != nil {
			return err
		}
	}
	if o.phase == "load" || o.phase == "all" {
		if err := measureLoad(ctx, db, raw, sc, o); err != nil {
			return err
		}
	}
	if o.keep {
		return nil
	}
	return raw.cleanup(ctx)
}

// benchScope returns the scope of the bench's supervisor, a hotline's over
// the area, creating both on first use.
func benchScope(ctx context.Context, db *store.DB, area string) (anxin.Scope, error) {
	name := "bench-campaigns-" + area
	a, err := db.AccountByUsername(ctx, name)
	if anxin.ErrorCode(err) == anxin.ENOTFOUND {
		sys := anxin.SystemScope()
		org := &anxin.Org{Kind: anxin.OrgHotline, Name: "bench: hotline " + area, RegionCode: area}
		if err := db.CreateOrg(ctx, sys, org); err != nil {
			return anxin.Scope{}, fmt.Errorf("create the bench's hotline: %w", err)
		}
		a = &anxin.Account{OrgID: org.ID, Username: name, Roles: []string{anxin.RoleSupervisor}, PasswordHash: "x"}
		if err := db.CreateAccount(ctx, sys, a); err != nil {
			return anxin.Scope{}, fmt.Errorf("create the bench's supervisor: %w", err)
		}
		a, err = db.AccountByUsername(ctx, name)
	}
	if err != nil {
		return anxin.Scope{}, err
	}
	return anxin.ScopeOf(a), nil
}

// targetOf names the targets the bench builds.
func targetOf(name string) (anxin.Target, error) {
	switch name {
	case "all": // every active elder with a number who has not opted out
		return anxin.Target{}, nil
	case "80+":
		return anxin.Target{MinAge: 80}, nil
	case "alone":
		return anxin.Target{Living: []string{anxin.LivingAlone}}, nil
	case "checkin": // an agentless check-in campaign needs the consent
		return anxin.Target{Consent: anxin.ConsentCheckIn}, nil
	case "alone80+":
		return anxin.Target{Living: []string{anxin.LivingAlone, anxin.LivingEldersOnly}, MinAge: 80}, nil
	case "tagged": // 高龄 or another tag: a LIKE over the tags
		return anxin.Target{Tags: []string{"空巢"}}, nil
	case "notreached":
		return anxin.Target{NotReachedDays: 30}, nil
	}
	return anxin.Target{}, fmt.Errorf("unknown target %q (all, 80+, alone, checkin, alone80+, tagged, notreached)", name)
}

// printMachine prints what the figures depend on.
func printMachine(o options, raw *rawDB, all, inArea int, base time.Time) {
	cpu := "?"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("# %s, %d CPUs, %s, %s\n", time.Now().UTC().Format("2006-01-02 15:04 UTC"), runtime.NumCPU(), cpu, runtime.Version())
	fmt.Printf("# load average %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	if rev, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		dirty := ""
		if exec.Command("git", "diff", "--quiet", "HEAD").Run() != nil {
			dirty = " (plus uncommitted changes)"
		}
		fmt.Printf("# commit %s%s\n", strings.TrimSpace(string(rev)), dirty)
	}
	if raw.engine == store.SQLite {
		if fi, err := os.Stat(filepath.Join(o.cfg.DataDir, "anxin.db")); err == nil {
			fmt.Printf("# SQLite %s, %.1f GB\n", o.cfg.DataDir, float64(fi.Size())/1e9)
		}
	} else {
		fmt.Printf("# PostgreSQL\n")
	}
	fmt.Printf("# %d elders, %d in area %s; the bench's clock starts at %s\n\n", all, inArea, o.area, base.Format(time.RFC3339))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond)) }

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// cpuMark is a reading of the machine's busy CPU time and the bench's own,
// in clock ticks (/proc/stat, /proc/self/stat).
type cpuMark struct {
	at         time.Time
	busy, self int64
}

func markCPU() cpuMark {
	m := cpuMark{at: time.Now()}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		f := strings.Fields(line)
		for i, v := range f[1:] {
			if i == 3 || i == 4 { // idle, iowait
				continue
			}
			n, _ := strconv.ParseInt(v, 10, 64)
			m.busy += n
		}
	}
	if b, err := os.ReadFile("/proc/self/stat"); err == nil {
		// The fields after the command's closing parenthesis: utime and
		// stime are the 12th and 13th.
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			k, _ := strconv.ParseInt(f[12], 10, 64)
			m.self = u + k
		}
	}
	return m
}

// others returns the cores that other processes (the PostgreSQL server
// among them) used on average since m, assuming 100 ticks a second.
func (m cpuMark) others() float64 {
	n := markCPU()
	secs := n.at.Sub(m.at).Seconds()
	if secs <= 0 {
		return 0
	}
	return float64((n.busy-m.busy)-(n.self-m.self)) / 100 / secs
}
