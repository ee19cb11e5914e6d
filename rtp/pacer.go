package rtp

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/anxin-care/anxin/media"
)

// maxCatchUp is the most frames a leg is moved on by in one tick after a
// loop woke late: a second. Past that, time is simply lost (a process that
// was stopped, say).
const maxCatchUp = 50

// A pacer is one pacing loop: every media.FrameDuration, on deadlines
// counted from the engine's start (start + offset + n × 20 ms), it gives
// every leg it carries a frame to send and record.
//
// When it wakes a whole frame or more late it does not burst: each leg
// sends one packet and moves its clock, prompt and recording on by the
// frames missed, as if they had been lost on the way, so the peer's jitter
// buffer sees a gap rather than a flood.
type pacer struct {
	e      *Engine
	offset time.Duration

	mu      sync.Mutex
	pending []*Leg // legs added since the last tick

	legs []*Leg // owned by run; read by stop once run has returned

	count     atomic.Int32  // legs carried, for NewLeg to balance the loops
	ticks     atomic.Uint64 // ticks run
	skipped   atomic.Uint64 // frames skipped because the loop woke late
	lateness  histogram     // how late the loop woke
	intervals histogram     // time between consecutive packets of each leg

	quit chan struct{}
	done chan struct{}
}

func newPacer(e *Engine, offset time.Duration) *pacer {
	return &pacer{e: e, offset: offset, quit: make(chan struct{}), done: make(chan struct{})}
}

// add has the loop carry l from its next tick on.
func (p *pacer) add(l *Leg) {
	p.count.Add(1)
	p.mu.Lock()
	p.pending = append(p.pending, l)
	p.mu.Unlock()
}

// run is the loop; it returns when stop is called.
func (p *pacer) run(start time.Time) {
	defer close(p.done)
	next := start.Add(p.offset)
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	var n uint64 // number of the tick, in frames since the start
	for {
		next = next.Add(media.FrameDuration)
		t.Reset(time.Until(next))
		select {
		case <-p.quit:
			return
		case <-t.C:
		}
		late := time.Since(next)
		frames := 1
		if late >= media.FrameDuration {
			skip := int(late / media.FrameDuration)
			next = next.Add(time.Duration(skip) * media.FrameDuration)
			p.skipped.Add(uint64(skip))
			frames = min(1+skip, maxCatchUp)
		}
		p.lateness.add(late)
		p.ticks.Add(1)
		n += uint64(frames)
		p.tick(n, frames)
	}
}

// tick has every leg send its frame, frames-1 of them skipped, and drops
// the legs that were closed.
func (p *pacer) tick(n uint64, frames int) {
	p.mu.Lock()
	p.legs = append(p.legs, p.pending...)
	clear(p.pending)
	p.pending = p.pending[:0]
	p.mu.Unlock()
	for i := 0; i < len(p.legs); {
		if p.legs[i].pace(n, frames, &p.intervals) {
			i++
			continue
		}
		last := len(p.legs) - 1
		p.legs[i], p.legs[last] = p.legs[last], nil
		p.legs = p.legs[:last]
		p.count.Add(-1)
	}
}

// stop ends the loop and returns the legs it carried.
func (p *pacer) stop() []*Leg {
	close(p.quit)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	return append(p.legs, p.pending...)
}
