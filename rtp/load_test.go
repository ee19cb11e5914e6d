//go:build unix

package rtp

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/anxin-care/anxin/media"
)

// TestLoad is a load script, not a unit test: it runs ANXIN_RTP_LOAD legs
// in pairs over loopback, each the media of an agentless call (a prompt
// played over and over, a DTMF digit every 5 seconds one way, a stereo
// recording), and reports send intervals, losses, digits, CPU and memory.
//
// Settings: ANXIN_RTP_LOAD (legs, even), ANXIN_RTP_LOAD_SECONDS (measured
// time, default 20), ANXIN_RTP_LOAD_FILES=1 to record to files in a
// temporary directory rather than to a WriteSeeker that keeps nothing.
func TestLoad(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("ANXIN_RTP_LOAD"))
	if n <= 0 {
		t.Skip("load script; run: ANXIN_RTP_LOAD=1000 [ANXIN_RTP_LOAD_SECONDS=20] [ANXIN_RTP_LOAD_FILES=1] go test ./rtp -run TestLoad -v -timeout 10m")
	}
	n += n % 2
	seconds := 20
	if s, err := strconv.Atoi(os.Getenv("ANXIN_RTP_LOAD_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	toFiles := os.Getenv("ANXIN_RTP_LOAD_FILES") == "1"
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	need := uint64(n + 64)
	if toFiles {
		need += uint64(n)
	}
	t.Logf("%d legs (%d pairs), %d s, recording to %s; open files limit %d (need about %d); GOMAXPROCS %d",
		n, n/2, seconds, map[bool]string{true: "files", false: "nowhere"}[toFiles], lim.Cur, need, runtime.GOMAXPROCS(0))
	if lim.Cur < need {
		t.Fatalf("open files limit %d < %d: raise ulimit -n", lim.Cur, need)
	}

	e := mustEngine(t, Config{MinPort: 10000, MaxPort: 10000 + 2*n + 100})
	welcome := mustPrompt(t, "welcome")
	heap0 := heapInUse()
	type pair struct{ a, b *Leg }
	pairs := make([]pair, n/2)
	dir := t.TempDir()
	var files []*os.File
	for i := range pairs {
		a, b := mustPair(t, e, media.SendRecv, media.SendRecv)
		pairs[i] = pair{a, b}
		for j, l := range []*Leg{a, b} {
			var w io.WriteSeeker = &discard{}
			if toFiles {
				f, err := os.Create(fmt.Sprintf("%s/%d-%d.wav", dir, i, j))
				if err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
				w = f
			}
			if err := l.Record(w); err != nil {
				t.Fatal(err)
			}
			for range seconds/5 + 4 {
				l.Play(welcome) // one prompt, shared by every leg
			}
		}
	}
	heap1 := heapInUse()
	t.Logf("set up in %v; heap %.1f KiB a leg; %d goroutines", time.Since(e.epoch).Round(time.Millisecond),
		float64(heap1-heap0)/1024/float64(n), runtime.NumGoroutine())

	// Every pair's A presses a digit every 5 s, the pairs spread over
	// the 5 s; B's digits are read every 100 ms.
	var (
		mu           sync.Mutex
		sent, got    int
		wrong        int
		stop         = make(chan struct{})
		driverDone   = make(chan struct{})
		sendDigits   = true
		digitsStopAt = time.Now().Add(time.Duration(seconds+1) * time.Second)
	)
	go func() {
		defer close(driverDone)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			mu.Lock()
			if time.Now().After(digitsStopAt) {
				sendDigits = false
			}
			for i, p := range pairs {
				if sendDigits && i%50 == k%50 {
					if err := p.a.SendDigit(rune('0' + i%10)); err == nil {
						sent++
					}
				}
			draining:
				for {
					select {
					case d := <-p.b.Digits():
						got++
						if d != rune('0'+i%10) {
							wrong++
						}
					default:
						break draining
					}
				}
			}
			mu.Unlock()
		}
	}()

	time.Sleep(2 * time.Second) // warm up
	r0, s0, m0 := rusage(t), e.Stats(), machineBusy()
	l0 := legTotals(pairs[0].a, pairs[0].b)
	for _, p := range pairs[1:] {
		l0 = l0.add(legTotals(p.a, p.b))
	}
	start := time.Now()
	time.Sleep(time.Duration(seconds) * time.Second)
	r1, s1, m1 := rusage(t), e.Stats(), machineBusy()
	window := time.Since(start)
	l1 := legTotals(pairs[0].a, pairs[0].b)
	for _, p := range pairs[1:] {
		l1 = l1.add(legTotals(p.a, p.b))
	}
	time.Sleep(1500 * time.Millisecond) // the last digits
	close(stop)
	<-driverDone

	cpu := (r1 - r0).Seconds()
	iv := s1.SendIntervals.Sub(s0.SendIntervals)
	late := s1.Lateness.Sub(s0.Lateness)
	d := l1.sub(l0)
	callMinutes := float64(n) * window.Minutes()
	t.Logf("send interval: p50 %v  p99 %v  p99.9 %v  max %v  (%d intervals)",
		iv.Quantile(0.5), iv.Quantile(0.99), iv.Quantile(0.999), iv.Max(), iv.Count())
	t.Logf("loop wake-up lateness: p50 %v  p99 %v  max %v; frames skipped %d",
		late.Quantile(0.5), late.Quantile(0.99), late.Max(), s1.SkippedFrames-s0.SkippedFrames)
	t.Logf("packets: sent %d, received %d, lost %d (sequence gaps), dropped %d, send errors %d; recording frames dropped %d",
		d.sent, d.received, d.lost, d.dropped, d.sendErrors, d.recDropped)
	mu.Lock()
	t.Logf("digits: sent %d, received %d, wrong %d", sent, got, wrong)
	mu.Unlock()
	t.Logf("CPU: %.2f s in %.1f s = %.2f cores; %.4f CPU-seconds per call-minute (a call = a leg)",
		cpu, window.Seconds(), cpu/window.Seconds(), cpu/callMinutes)
	if m0 > 0 && m1 > m0 {
		t.Logf("machine: %.2f cores busy in all, %.2f of them other programs'",
			(m1-m0).Seconds()/window.Seconds(), ((m1-m0).Seconds()-cpu)/window.Seconds())
	}

	closeStart := time.Now()
	for _, p := range pairs {
		for _, l := range []*Leg{p.a, p.b} {
			if err := l.Close(); err != nil {
				t.Error(err)
			}
		}
	}
	for _, f := range files {
		f.Close()
	}
	t.Logf("closed %d legs in %v", n, time.Since(closeStart).Round(time.Millisecond))
	if d.lost != 0 || d.sendErrors != 0 || got != sent || wrong != 0 || d.recDropped != 0 {
		t.Errorf("failures: lost %d, send errors %d, digits %d of %d (%d wrong), recording frames dropped %d",
			d.lost, d.sendErrors, got, sent, wrong, d.recDropped)
	}
}

// totals adds up the counters of legs.
type totals struct {
	sent, received, lost, dropped, sendErrors, recDropped uint64
}

func legTotals(legs ...*Leg) totals {
	var t totals
	for _, l := range legs {
		s := l.Stats()
		t = t.add(totals{s.PacketsSent, s.PacketsReceived, s.PacketsLost, s.PacketsDropped, s.SendErrors, s.RecordingDropped})
	}
	return t
}

func (t totals) add(u totals) totals {
	return totals{t.sent + u.sent, t.received + u.received, t.lost + u.lost, t.dropped + u.dropped, t.sendErrors + u.sendErrors, t.recDropped + u.recDropped}
}

func (t totals) sub(u totals) totals {
	return totals{t.sent - u.sent, t.received - u.received, t.lost - u.lost, t.dropped - u.dropped, t.sendErrors - u.sendErrors, t.recDropped - u.recDropped}
}

// rusage returns the CPU time, user and system, the process has used.
func rusage(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapInUse returns the bytes of live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// machineBusy returns the CPU time every program has used since boot, from
// /proc/stat, or 0 where there is none.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	var ticks int64
	for i, v := range f[1:9] {
		if i == 3 || i == 4 {
			continue // idle, iowait
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / 100 // USER_HZ
}
