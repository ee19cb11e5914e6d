package rtp

import (
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"time"

	"github.com/anxin-care/anxin/media"
)

// ErrClosed reports a call on a Leg or Engine that was closed.
var ErrClosed = errors.New("rtp: closed")

// Default RTP port range: 5,001 even ports, room for as many legs.
const (
	DefaultMinPort = 10000
	DefaultMaxPort = 20000
)

// Config configures an Engine.
type Config struct {
	// IP is the local address the legs' sockets are bound to. It may be
	// unspecified (0.0.0.0) to bind every IPv4 address; the address put in
	// SDP is then the SIP layer's to choose.
	IP netip.Addr

	// MinPort and MaxPort bound the RTP port range, the node's RTP port
	// range setting; zero means DefaultMinPort and DefaultMaxPort. Only
	// even ports are used: the range holds (MaxPort-MinPort)/2+1 legs.
	MinPort, MaxPort int

	// Symmetric makes each leg send to wherever the peer's packets come
	// from, as RFC 4961 symmetric RTP and peers behind NAT need: the
	// first valid packet after SetStream fixes the peer's address, and
	// packets from anywhere else are dropped from then on. Without it,
	// only packets from the address the SDP gave are taken. Whoever sends
	// first wins, a stranger too: it suits phones behind NAT, not trunks
	// whose addresses are known.
	Symmetric bool

	// MediaTimeout is how long a sendrecv leg may receive nothing before
	// its Timeout channel is closed; zero means never.
	MediaTimeout time.Duration

	// Loops is the number of pacing loops; zero means one per processor
	// (GOMAXPROCS).
	Loops int
}

// An Engine carries the media of a node's call legs: the RTP port range and
// the pacing loops that send every leg's audio. It is safe for concurrent
// use.
type Engine struct {
	cfg   Config
	ports *PortRange
	loops []*pacer
	epoch time.Time

	mu     sync.Mutex
	closed bool
}

// NewEngine checks cfg and starts its pacing loops.
func NewEngine(cfg Config) (*Engine, error) {
	if cfg.MinPort == 0 && cfg.MaxPort == 0 {
		cfg.MinPort, cfg.MaxPort = DefaultMinPort, DefaultMaxPort
	}
	if cfg.MediaTimeout < 0 {
		return nil, fmt.Errorf("rtp: negative media timeout %v", cfg.MediaTimeout)
	}
	if cfg.Loops <= 0 {
		cfg.Loops = runtime.GOMAXPROCS(0)
	}
	ports, err := NewPortRange(cfg.IP, cfg.MinPort, cfg.MaxPort)
	if err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, ports: ports, epoch: time.Now()}
	for i := range cfg.Loops {
		// The loops tick in turn, not together, so their work is spread
		// over the frame.
		offset := time.Duration(i) * media.FrameDuration / time.Duration(cfg.Loops)
		p := newPacer(e, offset)
		e.loops = append(e.loops, p)
		go p.run(e.epoch)
	}
	return e, nil
}

// Ports returns the engine's port range.
func (e *Engine) Ports() *PortRange { return e.ports }

// now returns the time since the engine started, on the monotonic clock.
func (e *Engine) now() time.Duration { return time.Since(e.epoch) }

// NewLeg opens a leg on a free port of the range. The leg sends and
// receives nothing until SetStream gives it the peer's address and codec;
// its LocalAddr can go into SDP before then. It returns an error wrapping
// ErrNoPorts when the range is used up and ErrClosed after Close.
func (e *Engine) NewLeg() (*Leg, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, ErrClosed
	}
	conn, err := e.ports.Open()
	if err != nil {
		return nil, err
	}
	p := e.loops[0]
	for _, q := range e.loops[1:] {
		if q.count.Load() < p.count.Load() {
			p = q
		}
	}
	l := newLeg(e, conn)
	p.add(l)
	go l.receive()
	return l, nil
}

// EngineStats are counters of an Engine's pacing loops since it started.
type EngineStats struct {
	// Legs is the number of legs open.
	Legs int

	// Ticks is the number of 20 ms ticks the loops have run, together.
	Ticks uint64

	// SkippedFrames is the number of frames not sent because a loop woke
	// a whole frame or more late; each leg skipped them too.
	SkippedFrames uint64

	// Lateness counts how late the loops woke for their ticks.
	Lateness Histogram

	// SendIntervals counts the time between consecutive packets of each
	// leg, measured as each packet is handed to the socket: 20 ms when all
	// is well.
	SendIntervals Histogram
}

// Stats returns the engine's counters.
func (e *Engine) Stats() EngineStats {
	var s EngineStats
	for _, p := range e.loops {
		s.Legs += int(p.count.Load())
		s.Ticks += p.ticks.Load()
		s.SkippedFrames += p.skipped.Load()
		p.lateness.addTo(&s.Lateness)
		p.intervals.addTo(&s.SendIntervals)
	}
	return s
}

// Close closes every open leg, finishing their recordings, and stops the
// pacing loops. It returns the first error of closing a leg. Calling Close
// again returns nil.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	var legs []*Leg
	for _, p := range e.loops {
		legs = append(legs, p.stop()...)
	}
	var first error
	for _, l := range legs {
		if err := l.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}
