//go:build linux

package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sample is what the sampler saw at one moment.
type sample struct {
	at         time.Time
	legs       int     // anxin_rtp_legs: media legs open (a check-in has one)
	goroutines float64 // anxin_goroutines
	heap       float64 // anxin_heap_bytes
	anxinCPU   int64   // utime+stime of anxin, clock ticks (1/100 s)
	anxinRSS   int64   // VmRSS of anxin, bytes
	sippCPU    int64   // utime+stime of SIPp
	selfCPU    int64   // utime+stime of this benchmark
	busy, idle int64   // the machine's CPU ticks, every core
	ok         bool    // the scrape answered
}

// sampler scrapes /metrics and reads /proc at a fixed interval.
type sampler struct {
	srv     *server
	sippPID int
	client  *http.Client

	mu      sync.Mutex
	samples []sample
	last    sample
	quit    chan struct{}
	done    chan struct{}
}

func newSampler(srv *server, sippPID int) *sampler {
	return &sampler{srv: srv, sippPID: sippPID, client: &http.Client{Timeout: 5 * time.Second},
		quit: make(chan struct{}), done: make(chan struct{})}
}

// run samples every interval until stop.
func (s *sampler) run(ctx context.Context, interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		smp := s.take(ctx)
		s.mu.Lock()
		s.samples = append(s.samples, smp)
		if smp.ok {
			s.last = smp
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-s.quit:
			return
		case <-t.C:
		}
	}
}

func (s *sampler) stop() {
	select {
	case <-s.quit:
	default:
		close(s.quit)
	}
	<-s.done
}

// latest returns the last good sample.
func (s *sampler) latest() sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

// between returns the samples taken from a to b.
func (s *sampler) between(a, b time.Time) []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sample
	for _, x := range s.samples {
		if !x.at.Before(a) && !x.at.After(b) {
			out = append(out, x)
		}
	}
	return out
}

func (s *sampler) take(ctx context.Context) sample {
	x := sample{at: time.Now()}
	if s.srv.pid > 0 {
		x.anxinCPU, _ = procTicks(fmt.Sprintf("/proc/%d/stat", s.srv.pid))
		x.anxinRSS = procRSS(s.srv.pid)
	}
	if s.sippPID > 0 {
		x.sippCPU, _ = procTicks(fmt.Sprintf("/proc/%d/stat", s.sippPID))
	}
	x.selfCPU, _ = procTicks("/proc/self/stat")
	x.busy, x.idle = machineTicks()
	m, err := s.metrics(ctx)
	if err == nil {
		x.ok = true
		x.legs = int(m["anxin_rtp_legs"])
		x.goroutines, x.heap = m["anxin_goroutines"], m["anxin_heap_bytes"]
	}
	return x
}

// metrics scrapes /metrics into name{labels} → value.
func (s *sampler) metrics(ctx context.Context) (map[string]float64, error) {
	return scrape(ctx, s.client, s.srv.base)
}

// scrape reads a Prometheus text page into series → value.
func scrape(ctx context.Context, c *http.Client, base string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("/metrics: HTTP %d", res.StatusCode)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(l[i+1:], 64); err == nil {
			m[l[:i]] = v
		}
	}
	return m, sc.Err()
}

// procTicks returns utime+stime from a /proc/PID/stat file.
func procTicks(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces; fields count
	// from after it: state is field 3, utime 14, stime 15.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("%s: unexpected format", path)
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st, nil
}

// procRSS returns a process's resident memory (VmRSS) in bytes.
func procRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// machineTicks returns the busy and idle CPU ticks of every core together.
func machineTicks() (busy, idle int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	// cpu user nice system idle iowait irq softirq steal ...
	for i, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		switch i {
		case 0, 1, 2, 5, 6, 7:
			busy += n
		case 3, 4:
			idle += n
		}
	}
	return busy, idle
}

// procCPU is the CPU time of every process, by process id, with its name.
type procCPU map[int]struct {
	comm  string
	ticks int64
}

// allProcs reads the CPU time of every process (and kernel thread).
func allProcs() procCPU {
	out := procCPU{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		i, j := strings.IndexByte(string(b), '('), strings.LastIndexByte(string(b), ')')
		if i < 0 || j < i {
			continue
		}
		n, err := procTicks("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		comm := string(b[i+1 : j])
		if k := strings.IndexByte(comm, '/'); k > 0 {
			comm = comm[:k] // ksoftirqd/0 and ksoftirqd/1 together
		}
		out[pid] = struct {
			comm  string
			ticks int64
		}{comm, n}
	}
	return out
}

// others returns the processes other than skip that used the most CPU
// between a and b, by name, in cores over secs: "go 0.31, ksoftirqd 0.12".
func others(a, b procCPU, secs float64, skip ...int) string {
	if secs <= 0 {
		return ""
	}
	by := map[string]int64{}
	for pid, p := range b {
		if slices.Contains(skip, pid) {
			continue
		}
		d := p.ticks
		if q, ok := a[pid]; ok && q.comm == p.comm {
			d -= q.ticks
		}
		if d > 0 {
			by[p.comm] += d
		}
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool { return by[names[i]] > by[names[j]] })
	var parts []string
	for _, n := range names[:min(4, len(names))] {
		if c := float64(by[n]) / 100 / secs; c >= 0.01 {
			parts = append(parts, fmt.Sprintf("%s %.2f", n, c))
		}
	}
	return strings.Join(parts, ", ")
}
