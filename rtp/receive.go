package rtp

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/pion/rtp"

	"github.com/anxin-care/anxin/media"
)

const (
	// maxDatagram is the largest datagram read whole; RTP of G.711 is
	// under 400 bytes.
	maxDatagram = 2048

	// ptComfortNoise is the static payload type of RFC 3389 comfort
	// noise, which peers may send in pauses; it is taken and ignored.
	ptComfortNoise = 13

	// Sequence number jumps of RFC 3550 appendix A.1.
	maxDropout  = 3000
	maxMisorder = 100
)

// rxState is what a leg's receiver keeps between packets. The leg's rx
// lock guards it.
type rxState struct {
	pkt  rtp.Packet      // reused by every Unmarshal
	pcm  [ringSize]int16 // decoded payload
	tap  bool            // a recording takes the audio
	ring sampleRing      // decoded audio waiting for the pacing loop
	dtmf media.DTMFReceiver

	// Sequence and jitter of the peer's source (RFC 3550 appendix A).
	started     bool
	ssrc        uint32
	baseSeq     uint16
	maxSeq      uint16
	cycles      uint32
	received    uint64 // packets of the current source
	lostBefore  uint64 // packets lost by earlier sources
	transit     uint32
	jitter      uint32 // in timestamp units × 16
	haveTransit bool

	packets       uint64        // packets taken, of every source
	last          time.Duration // engine time of the last one
	digitsDropped uint64
}

// receive reads the leg's socket until it is closed.
func (l *Leg) receive() {
	defer close(l.recvDone)
	buf := make([]byte, maxDatagram)
	for {
		n, from, err := l.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(time.Millisecond) // a transient error; do not spin
			continue
		}
		l.handle(buf[:n], from, l.e.now())
	}
}

// handle takes one datagram b from address from, arrived at engine time
// at: it checks it is RTP from the peer of a stream that receives, decodes
// its audio for the recording, or its DTMF event, and counts it. Anything
// else is dropped and counted. Valid packets allocate nothing.
func (l *Leg) handle(b []byte, from netip.AddrPort, at time.Duration) {
	st := l.state.Load()
	if st == nil || !st.Direction.Receives() || len(b) < headerSize || b[0]>>6 != 2 {
		l.dropped.Add(1)
		return
	}
	l.rx.Lock()
	defer l.rx.Unlock()
	r := &l.rxs
	if err := r.pkt.Unmarshal(b); err != nil {
		l.dropped.Add(1)
		return
	}
	pt := r.pkt.PayloadType
	codec, audio := st.codecOf(pt)
	event := st.TelephoneEvent != 0 && pt == st.TelephoneEvent
	if !audio && !event && pt != ptComfortNoise {
		l.dropped.Add(1)
		return
	}
	from = unmap(from)
	if l.e.cfg.Symmetric && !st.latched {
		if !l.latch(st, from) {
			l.dropped.Add(1)
			return
		}
	} else if from != st.peer {
		l.dropped.Add(1)
		return
	}
	l.lastRx.Store(int64(at))
	r.count(&r.pkt.Header, at, audio)
	switch {
	case event:
		d, ok, err := r.dtmf.Receive(r.pkt.Timestamp, r.pkt.Marker, r.pkt.Payload)
		if err != nil || !ok {
			return
		}
		select {
		case l.digits <- d:
		default:
			r.digitsDropped++
		}
	case audio && r.tap:
		p := r.pkt.Payload
		if len(p) > len(r.pcm) {
			p = p[:len(r.pcm)]
		}
		codec.Decode(r.pcm[:len(p)], p)
		r.ring.write(r.pcm[:len(p)])
	}
}

// codecOf returns the codec of audio payload type pt: the stream's own, or
// PCMU or PCMA by their static numbers, which peers switch to unasked.
func (s *streamState) codecOf(pt uint8) (media.Codec, bool) {
	switch {
	case pt == s.PayloadType:
		return s.Codec, true
	case s.TelephoneEvent != 0 && pt == s.TelephoneEvent:
		return 0, false
	case pt == media.PCMU.PayloadType():
		return media.PCMU, true
	case pt == media.PCMA.PayloadType():
		return media.PCMA, true
	}
	return 0, false
}

// latch makes from the peer's address, as Config.Symmetric asks, on the
// first packet after SetStream, and reports whether it did. A stream on
// hold the RFC 2543 way (address 0.0.0.0) is not latched: the peer asked
// for nothing to be sent.
func (l *Leg) latch(st *streamState, from netip.AddrPort) bool {
	if !st.peerKnown() {
		return false
	}
	next := *st
	next.peer, next.latched = from, true
	// SetStream may have replaced st meanwhile; its stream wins and this
	// packet is dropped.
	return l.state.CompareAndSwap(st, &next)
}

// count keeps the sequence numbers and jitter of the packet with header h,
// as RFC 3550 appendix A.1 and A.8 do. A new SSRC, or a jump of more than
// maxDropout, starts the count again.
func (r *rxState) count(h *rtp.Header, at time.Duration, audio bool) {
	r.packets++
	r.last = at
	seq := h.SequenceNumber
	restart := !r.started || h.SSRC != r.ssrc
	if !restart {
		switch delta := seq - r.maxSeq; {
		case delta < maxDropout:
			if seq < r.maxSeq {
				r.cycles += 1 << 16
			}
			r.maxSeq = seq
		case delta <= 1<<16-maxMisorder:
			restart = true // the peer restarted its sequence numbers
		default:
			// A duplicate or a late packet.
		}
	}
	if restart {
		if r.started && h.SSRC != r.ssrc {
			r.dtmf.Reset()
		}
		r.lostBefore += r.lost()
		r.started, r.ssrc = true, h.SSRC
		r.baseSeq, r.maxSeq, r.cycles, r.received = seq, seq, 0, 0
		r.haveTransit = false
	}
	r.received++
	if !audio {
		return // events keep the timestamp of their start
	}
	arrival := uint32(at / (time.Second / media.SampleRate))
	transit := arrival - h.Timestamp
	if r.haveTransit {
		d := int32(transit - r.transit)
		if d < 0 {
			d = -d
		}
		r.jitter += uint32(d) - (r.jitter+8)>>4
	}
	r.transit, r.haveTransit = transit, true
}

// lost returns the packets of the current source that never came.
func (r *rxState) lost() uint64 {
	if !r.started {
		return 0
	}
	expected := uint64(r.cycles) + uint64(r.maxSeq) - uint64(r.baseSeq) + 1
	if expected < r.received {
		return 0 // duplicates
	}
	return expected - r.received
}
