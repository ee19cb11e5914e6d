package rtp

import (
	"errors"
	"sync"

	"github.com/anxin-care/anxin/media"
)

// Bridging two legs of one call (an elder and the operator who took the
// call): from Bridge on, each leg sends what the other receives, whenever
// it is not playing a prompt or sending a digit. Each leg passes the frame
// it heard in a tick to a small queue its partner takes one frame a tick
// from: the two legs may tick in different pacing loops, so the queue
// absorbs their offset (at most a frame or two of delay); an empty queue
// sends silence, a full one drops its oldest frame. Recordings of either
// leg hear both sides: the far end left, what the leg sent (the other side,
// or a prompt) right.

// bridgeFrames is how many heard frames wait for the partner at most.
const bridgeFrames = 4

// ErrBridged is returned when a leg to bridge is bridged already.
var ErrBridged = errors.New("rtp: leg already bridged")

// heardQueue is a leg's heard frames waiting for its partner.
type heardQueue struct {
	mu     sync.Mutex
	frames [bridgeFrames][media.FrameSamples]int16
	head   int // the oldest
	n      int
}

// push adds a frame, dropping the oldest when full.
func (q *heardQueue) push(f []int16) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == bridgeFrames {
		q.head = (q.head + 1) % bridgeFrames
		q.n--
	}
	copy(q.frames[(q.head+q.n)%bridgeFrames][:], f)
	q.n++
}

// pop copies the oldest frame into dst and reports whether there was one.
func (q *heardQueue) pop(dst []int16) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return false
	}
	copy(dst, q.frames[q.head][:])
	q.head = (q.head + 1) % bridgeFrames
	q.n--
	return true
}

func (q *heardQueue) reset() {
	q.mu.Lock()
	q.head, q.n = 0, 0
	q.mu.Unlock()
}

// Bridge connects a and b; ErrBridged if either is bridged already,
// ErrClosed if either is closed.
func Bridge(a, b *Leg) error {
	if a == b {
		return errors.New("rtp: a leg cannot be bridged to itself")
	}
	for _, l := range []*Leg{a, b} {
		l.mu.Lock()
		closed := l.tx.closed
		l.mu.Unlock()
		if closed {
			return ErrClosed
		}
	}
	if !a.peer.CompareAndSwap(nil, b) {
		return ErrBridged
	}
	if !b.peer.CompareAndSwap(nil, a) {
		a.peer.Store(nil)
		return ErrBridged
	}
	for _, l := range []*Leg{a, b} {
		l.heard.reset()
		l.rx.Lock()
		l.rxs.tap = true // decode what arrives: the partner sends it on
		l.rx.Unlock()
	}
	return nil
}

// Unbridge disconnects the leg from its partner (both ways); the legs go
// back to prompts and silence. Close unbridges too.
func (l *Leg) Unbridge() {
	p := l.peer.Swap(nil)
	if p == nil {
		return
	}
	p.peer.CompareAndSwap(l, nil)
	for _, x := range []*Leg{l, p} {
		x.mu.Lock()
		recording := x.tx.rec != nil
		x.rx.Lock()
		x.rxs.tap = recording
		x.rx.Unlock()
		x.mu.Unlock()
	}
}

// Bridged reports whether the leg is bridged.
func (l *Leg) Bridged() bool { return l.peer.Load() != nil }
