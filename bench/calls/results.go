//go:build linux

package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
)

// callRecord is what the benchmark reads of /api/v1/calls.
type callRecord struct {
	ID         int64     `json:"id"`
	Direction  string    `json:"direction"`
	StartedAt  time.Time `json:"started_at"`
	RingingAt  time.Time `json:"ringing_at"`
	AnsweredAt time.Time `json:"answered_at"`
	EndedAt    time.Time `json:"ended_at"`
	SIPCode    int       `json:"sip_code"`
	Cause      string    `json:"cause"`
	HangupBy   string    `json:"hangup_by"`
	Queue      string    `json:"queue"`
	Recording  string    `json:"recording"`
	CheckIn    string    `json:"checkin"`
}

// results are the run's figures.
type results struct {
	machine machine
	o       *options
	engine  string
	fresh   bool
	ph      phases

	placed, refused                    int
	answered, keyed, recorded          int
	failures                           map[string]int // failed check-ins by reason
	examples                           []string       // a few failed calls
	setup, apiLatency                  []time.Duration
	rampRate                           float64 // answers per second over the first -concurrent calls
	peakAnswers                        int     // most answers within one second
	meanDuration                       time.Duration
	callMinutes                        float64 // every check-in, answer to end
	peakLegs                           int
	hold, ramp, whole                  cpuWindow
	holdOthers                         string // the other processes busiest at the target
	idleRSS, peakRSS                   int64
	idleHeap, peakHeap, peakGoroutines float64
	rtp                                map[string]float64
	sipp                               map[string]string
	sippAlive                          bool
	sippErrors                         string
	recChecked, recOK                  int
	recProblems                        []string
}

// cpuWindow is CPU use over a part of the run, in cores (1 = one core
// busy the whole time).
type cpuWindow struct {
	from, to                 time.Time
	anxin, sipp, self, other float64
	anxinSeconds             float64
	callMinutes              float64 // media legs × time
}

// collect reads the call records and the last counters once the calls
// are over, and checks a sample of the recordings.
func collect(ctx context.Context, o *options, srv *server, ld *load, ph phases, smp *sampler, car *carrier) (*results, error) {
	r := &results{o: o, engine: srv.engine, fresh: srv.fresh, ph: ph, failures: map[string]int{}}
	recs, err := readCalls(ctx, srv)
	if err != nil {
		return nil, err
	}
	recorded := r.tally(ld.calls, recs)
	r.answerRates(ld.calls, recs)
	r.counters(smp, ph, srv, car)
	if r.rtp, err = scrape(ctx, srv.http, srv.base); err != nil {
		return nil, fmt.Errorf("the last scrape: %w", err)
	}
	r.sippAlive = car.alive()
	r.sipp, _ = car.stats()
	r.sippErrors = car.errorLog()
	if srv.data != "" {
		r.checkRecordings(srv.data, recorded)
	}
	return r, nil
}

// readCalls reads every outbound call record.
func readCalls(ctx context.Context, srv *server) (map[int64]*callRecord, error) {
	recs := map[int64]*callRecord{}
	for offset := 0; ; offset += 1000 {
		var page struct {
			Items []*callRecord `json:"items"`
			Total int           `json:"total"`
		}
		if err := srv.api(ctx, "GET", fmt.Sprintf("/api/v1/calls?direction=outbound&limit=1000&offset=%d", offset), nil, &page); err != nil {
			return nil, fmt.Errorf("read the call records: %w", err)
		}
		for _, c := range page.Items {
			recs[c.ID] = c
		}
		if len(page.Items) == 0 || offset+len(page.Items) >= page.Total {
			return recs, nil
		}
	}
}

// tally checks each check-in placed against its record — answered, the
// key recorded, a recording, hung up by Anxin after the thanks — and
// returns the records with a recording.
func (r *results) tally(calls []*placedCall, recs map[int64]*callRecord) []*callRecord {
	fail := func(reason string, c *placedCall) {
		r.failures[reason]++
		if len(r.examples) < 5 {
			r.examples = append(r.examples, fmt.Sprintf("%s: %s", reason, c))
		}
	}
	var recorded []*callRecord
	var total time.Duration
	for _, c := range calls {
		r.placed++
		r.apiLatency = append(r.apiLatency, c.latency)
		rec := recs[c.id]
		switch {
		case c.id == 0:
			r.refused++
			fail("refused by the API", c)
			continue
		case rec == nil:
			fail("no call record", c)
			continue
		case rec.EndedAt.IsZero():
			fail("still open after the run", c)
			continue
		case rec.Cause != "answered":
			fail("not answered ("+rec.Cause+" "+strconv.Itoa(rec.SIPCode)+")", c)
			continue
		}
		r.answered++
		r.setup = append(r.setup, rec.AnsweredAt.Sub(rec.StartedAt))
		total += rec.EndedAt.Sub(rec.AnsweredAt)
		switch {
		case rec.CheckIn != "well":
			fail(fmt.Sprintf("key not recorded (checkin %q)", rec.CheckIn), c)
		case rec.Recording == "":
			fail("not recorded", c)
		case rec.HangupBy != "system":
			fail("hung up by "+rec.HangupBy+", not by Anxin after the thanks", c)
		}
		if rec.CheckIn == "well" {
			r.keyed++
		}
		if rec.Recording != "" {
			r.recorded++
			recorded = append(recorded, rec)
		}
	}
	if r.answered > 0 {
		r.meanDuration = total / time.Duration(r.answered)
		r.callMinutes = total.Minutes()
	}
	return recorded
}

// answerRates finds the rate at which the first -concurrent check-ins
// were answered (the ramp) and the most answers within one second.
func (r *results) answerRates(calls []*placedCall, recs map[int64]*callRecord) {
	var ramp, all []time.Time
	for i, c := range calls {
		if rec := recs[c.id]; c.id != 0 && rec != nil && !rec.AnsweredAt.IsZero() {
			all = append(all, rec.AnsweredAt)
			if i < r.o.concurrent {
				ramp = append(ramp, rec.AnsweredAt)
			}
		}
	}
	byTime := func(a, b time.Time) int { return a.Compare(b) }
	slices.SortFunc(ramp, byTime)
	slices.SortFunc(all, byTime)
	if n := len(ramp); n > 1 {
		r.rampRate = float64(n-1) / ramp[n-1].Sub(ramp[0]).Seconds()
	}
	for i, j := 0, 0; j < len(all); j++ {
		for all[j].Sub(all[i]) >= time.Second {
			i++
		}
		r.peakAnswers = max(r.peakAnswers, j-i+1)
	}
}

// counters works out CPU use at the target, on the ramp and over the whole
// run, and anxin's memory idle and at its peak.
func (r *results) counters(smp *sampler, ph phases, srv *server, car *carrier) {
	r.hold = window(smp.between(ph.target, ph.stop))
	r.ramp = window(smp.between(ph.start, ph.target))
	r.whole = window(smp.between(ph.start, ph.drained))
	r.holdOthers = others(ph.procsAtTarget, ph.procsAtStop, ph.stop.Sub(ph.target).Seconds(), srv.pid, car.pid(), os.Getpid())
	for _, x := range smp.between(time.Time{}, ph.start) {
		if x.ok {
			r.idleRSS, r.idleHeap = x.anxinRSS, x.heap
		}
	}
	for _, x := range smp.between(ph.start, ph.drained) {
		r.peakLegs = max(r.peakLegs, x.legs)
		r.peakRSS = max(r.peakRSS, x.anxinRSS)
		r.peakHeap = max(r.peakHeap, x.heap)
		r.peakGoroutines = max(r.peakGoroutines, x.goroutines)
	}
}

// checkRecordings checks -recordings of the recordings, spread over the
// run, in the data directory.
func (r *results) checkRecordings(data string, recorded []*callRecord) {
	if len(recorded) == 0 || r.o.recordings <= 0 {
		return
	}
	step := max(1, len(recorded)/r.o.recordings)
	for i := 0; i < len(recorded) && r.recChecked < r.o.recordings; i += step {
		rec := recorded[i]
		r.recChecked++
		path := filepath.Join(data, "recordings", filepath.FromSlash(rec.Recording))
		if err := checkRecording(path, rec.EndedAt.Sub(rec.AnsweredAt)); err != nil {
			if len(r.recProblems) < 5 {
				r.recProblems = append(r.recProblems, fmt.Sprintf("call %d: %v", rec.ID, err))
			}
			continue
		}
		r.recOK++
	}
}

// window is CPU use and call time over the samples xs (in time order).
func window(xs []sample) cpuWindow {
	var w cpuWindow
	if len(xs) < 2 {
		return w
	}
	a, b := xs[0], xs[len(xs)-1]
	secs := b.at.Sub(a.at).Seconds()
	w.from, w.to = a.at, b.at
	cores := func(d int64) float64 { return float64(d) / 100 / secs }
	w.anxin, w.sipp, w.self = cores(b.anxinCPU-a.anxinCPU), cores(b.sippCPU-a.sippCPU), cores(b.selfCPU-a.selfCPU)
	w.other = max(0, cores(b.busy-a.busy)-w.anxin-w.sipp-w.self)
	w.anxinSeconds = float64(b.anxinCPU-a.anxinCPU) / 100
	for i := 1; i < len(xs); i++ {
		w.callMinutes += float64(xs[i-1].legs) * xs[i].at.Sub(xs[i-1].at).Minutes()
	}
	return w
}

// checkRecording checks a call's recording: a stereo 8 kHz 16-bit WAV as
// long as the call (within 2 s), both channels carrying sound (RMS above
// -40 dBFS: the elder's tone on the left, Anxin's prompts on the right).
func checkRecording(path string, call time.Duration) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var riff [12]byte
	if _, err := io.ReadFull(f, riff[:]); err != nil || string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return errors.New("not a WAV file")
	}
	var channels, bits uint16
	var rate uint32
	for {
		var h [8]byte
		if _, err := io.ReadFull(f, h[:]); err != nil {
			return errors.New("no data chunk")
		}
		size := binary.LittleEndian.Uint32(h[4:])
		switch string(h[0:4]) {
		case "fmt ":
			b := make([]byte, size)
			if _, err := io.ReadFull(f, b); err != nil || size < 16 {
				return errors.New("bad fmt chunk")
			}
			channels, rate, bits = binary.LittleEndian.Uint16(b[2:]), binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint16(b[14:])
			continue
		case "data":
			if channels != 2 || rate != 8000 || bits != 16 {
				return fmt.Errorf("%d channels, %d Hz, %d bits; want stereo 8 kHz 16-bit", channels, rate, bits)
			}
			b, err := io.ReadAll(io.LimitReader(f, int64(size)))
			if err != nil {
				return err
			}
			frames := len(b) / 4
			d := time.Duration(frames) * time.Second / 8000
			if math.Abs((d - call).Seconds()) > 2 {
				return fmt.Errorf("%v long, the call %v", d.Round(10*time.Millisecond), call.Round(10*time.Millisecond))
			}
			var sum [2]float64
			for i := 0; i < frames; i++ {
				for ch := 0; ch < 2; ch++ {
					v := float64(int16(binary.LittleEndian.Uint16(b[4*i+2*ch:])))
					sum[ch] += v * v
				}
			}
			for ch, name := range []string{"left (elder)", "right (Anxin)"} {
				if rms := math.Sqrt(sum[ch] / float64(max(frames, 1))); rms < 32768*0.01 {
					return fmt.Errorf("%s channel silent (RMS %.0f)", name, rms)
				}
			}
			return nil
		default:
			if _, err := f.Seek(int64(size+size%2), io.SeekCurrent); err != nil {
				return err
			}
		}
	}
}

// failed reports whether any check-in failed or any pop was missed.
func (r *results) failed() bool {
	return len(r.failures) > 0 || r.popsMissed() > 0 || r.recOK < r.recChecked
}

func (r *results) popsMissed() int {
	n := 0
	for _, p := range r.ph.pops {
		if p.err != "" {
			n++
		}
	}
	return n
}

// quantile returns the q-quantile of ds (sorted in place), 0 when empty.
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}
