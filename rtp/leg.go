package rtp

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anxin-care/anxin/media"
)

// digitBuffer is how many received digits wait in a leg's Digits channel;
// more are dropped and counted.
const digitBuffer = 16

// A Leg is the media of one call leg: its UDP socket and the RTP stream
// agreed with the peer. The pacing loop sends its frames (prompts, DTMF,
// silence) and records it; a goroutine of its own receives.
//
// A leg without a stream (before SetStream) sends and receives nothing.
// With one it sends a packet every 20 ms, silence when nothing is playing,
// so the peer's NAT bindings stay open and a recording stays in step; it
// sends nothing while the stream's direction does not send (on hold).
//
// A Leg is safe for concurrent use.
type Leg struct {
	e     *Engine
	conn  *net.UDPConn
	local netip.AddrPort

	state atomic.Pointer[streamState] // nil until SetStream

	lastRx   atomic.Int64  // engine time of the last packet taken, or of SetStream
	dropped  atomic.Uint64 // packets dropped by the receiver
	digits   chan rune
	timeout  chan struct{}
	recvDone chan struct{}

	closeOnce sync.Once
	closeErr  error

	mu sync.Mutex // guards tx; the pacing loop holds it while it sends
	tx txState

	rx  sync.Mutex // guards rxs; taken after mu, never before it
	rxs rxState

	peer  atomic.Pointer[Leg] // the leg bridged to this one (see Bridge)
	heard heardQueue          // frames this leg heard, for its partner
}

// streamState is the stream a leg was given and where its peer is: the SDP
// address, or the one its packets come from with Config.Symmetric. It is
// never changed once stored; SetStream and the receiver replace it.
type streamState struct {
	media.Stream
	peer    netip.AddrPort // where to send and what to take packets from
	latched bool           // peer was learnt from a packet
}

// sends reports whether the leg sends to its peer.
func (s *streamState) sends() bool { return s.Direction.Sends() && s.peerKnown() }

// peerKnown reports whether the peer has an address to send to: not on
// hold the RFC 2543 way (0.0.0.0), not a rejected stream (port 0).
func (s *streamState) peerKnown() bool {
	return s.peer.Port() != 0 && s.peer.Addr().IsValid() && !s.peer.Addr().IsUnspecified()
}

func newLeg(e *Engine, conn *net.UDPConn) *Leg {
	l := &Leg{
		e:        e,
		conn:     conn,
		local:    unmap(conn.LocalAddr().(*net.UDPAddr).AddrPort()),
		digits:   make(chan rune, digitBuffer),
		timeout:  make(chan struct{}),
		recvDone: make(chan struct{}),
	}
	l.tx.init(rand.Uint32(), uint16(rand.Uint32()), rand.Uint32())
	return l
}

// LocalAddr returns the address and port the leg receives on, for the SDP
// offer or answer. When the engine binds an unspecified address (0.0.0.0),
// only the port is of use and the SIP layer puts its own address in SDP.
func (l *Leg) LocalAddr() netip.AddrPort { return l.local }

// SetStream starts the leg with the stream an SDP offer and answer agreed,
// or changes it: call it again with the stream of each re-INVITE (a new
// address, codec or direction; hold and resume). The leg keeps its SSRC,
// sequence numbers and timestamps, and, with Config.Symmetric, the address
// learnt from the peer's packets while the SDP address stays the same.
//
// The stream's codec must be PCMU or PCMA. Packets are always sent every
// 20 ms (media.FrameDuration) whatever the stream's Ptime; received ones
// may be of any length.
func (l *Leg) SetStream(s media.Stream) error {
	if !s.Codec.Valid() {
		return fmt.Errorf("rtp: set stream: codec %v", s.Codec)
	}
	if s.PayloadType > 127 || s.TelephoneEvent > 127 || s.TelephoneEvent != 0 && s.TelephoneEvent == s.PayloadType {
		return fmt.Errorf("rtp: set stream: payload types %d (audio) and %d (events)", s.PayloadType, s.TelephoneEvent)
	}
	s.Remote = unmap(s.Remote)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tx.closed {
		return ErrClosed
	}
	next := &streamState{Stream: s, peer: s.Remote}
	if old := l.state.Load(); old != nil && old.latched && old.Remote == s.Remote {
		next.peer, next.latched = old.peer, true
	}
	l.lastRx.Store(int64(l.e.now()))
	l.state.Store(next)
	return nil
}

// Stream returns the stream given to SetStream, with Remote the address
// packets are sent to (learnt from the peer's packets with
// Config.Symmetric), and false before SetStream.
func (l *Leg) Stream() (media.Stream, bool) {
	st := l.state.Load()
	if st == nil {
		return media.Stream{}, false
	}
	s := st.Stream
	s.Remote = st.peer
	return s, true
}

// Digits returns the channel of the DTMF digits the peer sends as RFC 4733
// events ('0'-'9', '*', '#', 'A'-'D'), each key press once. It holds 16
// digits; more are dropped while nobody reads. It is closed by Close.
func (l *Leg) Digits() <-chan rune { return l.digits }

// Timeout returns a channel closed once the leg, with a sendrecv stream,
// has received nothing for Config.MediaTimeout: the peer is gone without a
// BYE. It is never closed when MediaTimeout is zero, and stays closed.
func (l *Leg) Timeout() <-chan struct{} { return l.timeout }

// Stats are the counters of a leg.
type Stats struct {
	// PacketsSent is the number of RTP packets sent, audio and DTMF;
	// SendErrors the number the socket refused.
	PacketsSent, SendErrors uint64

	// PacketsReceived is the number of packets taken from the peer.
	PacketsReceived uint64

	// PacketsLost is the number of the peer's packets that never came,
	// from gaps in their sequence numbers (RFC 3550 appendix A.3).
	PacketsLost uint64

	// PacketsDropped is the number of packets thrown away: from another
	// address than the peer's, not RTP version 2, malformed, of a payload
	// type not agreed, or while the stream does not receive.
	PacketsDropped uint64

	// Jitter is the interarrival jitter of the peer's audio (RFC 3550
	// section 6.4.1).
	Jitter time.Duration

	// LastReceived is when the last packet was taken, zero if none was.
	LastReceived time.Time

	// DigitsDropped is the number of digits received while the Digits
	// channel was full.
	DigitsDropped uint64

	// RecordingDropped is the number of 20 ms frames left out of the
	// recording because its writes lagged more than 400 ms behind.
	RecordingDropped uint64
}

// Stats returns the leg's counters.
func (l *Leg) Stats() Stats {
	var s Stats
	l.mu.Lock()
	s.PacketsSent, s.SendErrors = l.tx.sent, l.tx.sendErrors
	s.RecordingDropped = l.tx.recDropped
	if l.tx.rec != nil {
		s.RecordingDropped += l.tx.rec.dropped
	}
	l.mu.Unlock()
	l.rx.Lock()
	r := &l.rxs
	s.PacketsReceived, s.PacketsLost = r.packets, r.lostBefore+r.lost()
	s.Jitter = time.Duration(r.jitter) * (time.Second / media.SampleRate) / 16
	s.DigitsDropped = r.digitsDropped
	if r.packets > 0 {
		s.LastReceived = l.e.epoch.Add(r.last)
	}
	l.rx.Unlock()
	s.PacketsDropped = l.dropped.Load()
	return s
}

// Close stops the leg: it stops sending and receiving, ends every prompt
// (closing their done channels), finishes the recording, closes Digits and
// gives the port back. It returns the error of the recording or of closing
// the socket. Calling Close again returns nil.
func (l *Leg) Close() error {
	first := false
	l.closeOnce.Do(func() {
		first = true
		l.closeErr = l.close()
	})
	if !first {
		return nil
	}
	return l.closeErr
}

func (l *Leg) close() error {
	l.Unbridge()
	l.mu.Lock()
	l.tx.closed = true // the pacing loop will not touch the leg again
	l.tx.stopPlayback()
	l.tx.digits = nil
	rec := l.tx.rec
	l.tx.rec = nil
	if rec != nil {
		l.tx.recDropped += rec.dropped
	}
	l.mu.Unlock()

	err := l.e.ports.Release(l.conn)
	<-l.recvDone
	close(l.digits)
	if rec != nil {
		if rerr := rec.finish(); rerr != nil && err == nil {
			err = rerr
		}
	}
	if err != nil {
		return fmt.Errorf("rtp: close leg %v: %w", l.local, err)
	}
	return nil
}

// checkTimeout closes l.timeout when the peer has been silent too long.
// The caller holds l.mu.
func (l *Leg) checkTimeout(st *streamState, now time.Duration) {
	limit := l.e.cfg.MediaTimeout
	if limit == 0 || l.tx.timedOut || st.Direction != media.SendRecv {
		return
	}
	if now-time.Duration(l.lastRx.Load()) > limit {
		l.tx.timedOut = true
		close(l.timeout)
	}
}

// unmap returns a with an IPv4-mapped IPv6 address turned into IPv4, so
// that addresses compare equal whichever way a socket reports them.
func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
