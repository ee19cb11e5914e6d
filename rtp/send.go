package rtp

import (
	"time"

	"github.com/pion/rtp"

	"github.com/anxin-care/anxin/media"
)

const (
	headerSize = 12 // an RTP header without CSRCs or extensions
	packetSize = headerSize + media.FrameSamples
)

// silence is a frame of silence, never written.
var silence [media.FrameSamples]int16

// txState is what a leg's pacing loop and its callers share: the RTP
// header of the next packet, what to play, the recording. The leg's mu
// guards it.
type txState struct {
	closed bool

	hdr   rtp.Header
	pkt   [packetSize]byte // the packet being sent
	ts    uint32           // RTP timestamp of the current frame; moves 160 a frame, sent or not
	first bool             // the next packet is the first: it gets the marker bit

	sentPrev bool          // a packet was sent in the previous tick
	lastSend time.Duration // when, in engine time

	queue []playback // prompts to play, in order; the first is playing
	pos   int        // samples of queue[0] played

	digits []rune                    // digits to send
	dtmf   *media.DTMFSender         // the digit being sent
	gap    int                       // frames of audio before the next digit may start
	short  [media.FrameSamples]int16 // the last, short frame of a prompt, padded
	left   [media.FrameSamples]int16 // the frame received, to record
	bridge [media.FrameSamples]int16 // the partner's heard frame, to send

	rec        *recording
	recDropped uint64 // RecordingDropped of recordings already stopped

	sent, sendErrors uint64
	timedOut         bool
}

// A playback is a prompt queued by Play.
type playback struct {
	samples []int16
	done    chan struct{}
}

func (t *txState) init(ssrc uint32, seq uint16, ts uint32) {
	t.hdr = rtp.Header{Version: 2, SSRC: ssrc, SequenceNumber: seq}
	t.ts = ts
	t.first = true
}

// pace is the leg's share of tick n of its pacing loop: frames-1 frames
// skipped because the loop woke late, then one sent. It returns false once
// the leg is closed, for the loop to drop it.
func (l *Leg) pace(n uint64, frames int, intervals *histogram) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tx.closed {
		return false
	}
	st := l.state.Load()
	if st == nil {
		return true
	}
	sent := false
	for i := frames - 1; i >= 0; i-- {
		sent = l.frame(st, i == 0, intervals)
	}
	l.tx.sentPrev = sent
	if l.e.cfg.MediaTimeout > 0 {
		l.checkTimeout(st, l.e.now())
	}
	return true
}

// frame moves the leg on by one frame: the next DTMF packet while a digit
// is being sent, else the next frame of the prompt playing or silence. It
// sends the packet if send is set and the stream sends, records the frame,
// and reports whether a packet went out.
func (l *Leg) frame(st *streamState, send bool, intervals *histogram) bool {
	t := &l.tx
	sends := st.sends()
	if t.gap > 0 {
		t.gap--
	}
	if !sends {
		t.dtmf = nil // put on hold mid-digit: the digit is cut short
	}
	if t.dtmf == nil && len(t.digits) > 0 && t.gap == 0 && sends && st.TelephoneEvent != 0 {
		if s, err := media.NewDTMFSender(t.digits[0], t.ts, digitDuration); err == nil {
			t.dtmf = s
		}
		t.digits = t.digits[1:]
	}
	var (
		right = silence[:]
		sent  bool
		peer  = l.peer.Load()
	)
	switch {
	case t.dtmf != nil && send:
		if p, ok := t.dtmf.Next(); ok {
			sent = l.sendDTMF(st, p, intervals)
			break
		}
		t.dtmf, t.gap = nil, digitGap
		right = t.nextPrompt()
		if sends {
			sent = l.sendAudio(st, right, intervals)
		}
	case t.dtmf != nil:
		// A skipped frame of a digit: the digit lasts a frame longer and
		// the prompt waits for it.
	default:
		switch {
		case len(t.queue) == 0 && peer != nil:
			// Bridged and no prompt: what the partner heard.
			if !peer.heard.pop(t.bridge[:]) {
				clear(t.bridge[:])
			}
			right = t.bridge[:]
		default:
			right = t.nextPrompt()
		}
		if send && sends {
			sent = l.sendAudio(st, right, intervals)
		}
	}
	if !sends {
		right = silence[:] // what the peer was sent: nothing
	}
	t.ts += media.FrameSamples
	if t.rec != nil || peer != nil {
		heard := l.received()
		if peer != nil {
			l.heard.push(heard)
		}
		if t.rec != nil {
			t.rec.write(heard, right)
		}
	}
	return sent
}

// nextPrompt returns the next frame of the prompt playing, padded with
// silence at its end, or silence. A prompt whose last frame it returns is
// done.
func (t *txState) nextPrompt() []int16 {
	if len(t.queue) == 0 {
		return silence[:]
	}
	p := t.queue[0]
	var f []int16
	if rest := p.samples[t.pos:]; len(rest) >= media.FrameSamples {
		f = rest[:media.FrameSamples]
	} else {
		n := copy(t.short[:], rest)
		clear(t.short[n:])
		f = t.short[:]
	}
	t.pos += media.FrameSamples
	if t.pos >= len(p.samples) {
		close(p.done)
		t.queue[0] = playback{}
		t.queue = t.queue[1:]
		t.pos = 0
	}
	return f
}

// stopPlayback ends every prompt queued.
func (t *txState) stopPlayback() {
	for _, p := range t.queue {
		close(p.done)
	}
	clear(t.queue)
	t.queue = t.queue[:0]
	t.pos = 0
}

// received returns the frame the peer sent for this tick, or silence when
// none has come.
func (l *Leg) received() []int16 {
	l.rx.Lock()
	ok := l.rxs.ring.read(l.tx.left[:])
	l.rx.Unlock()
	if !ok {
		return silence[:]
	}
	return l.tx.left[:]
}

// sendAudio sends a frame of audio, pcm, encoded with the stream's codec.
func (l *Leg) sendAudio(st *streamState, pcm []int16, intervals *histogram) bool {
	t := &l.tx
	t.hdr.PayloadType = st.PayloadType
	t.hdr.Marker = t.first
	t.hdr.Timestamp = t.ts
	n, err := t.hdr.MarshalTo(t.pkt[:])
	if err != nil {
		return false
	}
	st.Codec.Encode(t.pkt[n:n+media.FrameSamples], pcm)
	return l.write(st, t.pkt[:n+media.FrameSamples], intervals)
}

// sendDTMF sends a telephone-event packet.
func (l *Leg) sendDTMF(st *streamState, p media.DTMFPacket, intervals *histogram) bool {
	t := &l.tx
	t.hdr.PayloadType = st.TelephoneEvent
	t.hdr.Marker = p.Marker
	t.hdr.Timestamp = p.Timestamp
	n, err := t.hdr.MarshalTo(t.pkt[:])
	if err != nil {
		return false
	}
	b := p.Event.Marshal(t.pkt[n:n])
	return l.write(st, t.pkt[:n+len(b)], intervals)
}

// write sends packet b to the peer, counts the time since the previous
// packet, and moves the sequence number on. A packet the socket refuses is
// counted and lost, not sent again.
func (l *Leg) write(st *streamState, b []byte, intervals *histogram) bool {
	t := &l.tx
	now := l.e.now()
	if t.sentPrev {
		intervals.add(now - t.lastSend)
	}
	t.lastSend = now
	if _, err := l.conn.WriteToUDPAddrPort(b, st.peer); err != nil {
		t.sendErrors++
	} else {
		t.sent++
	}
	t.hdr.SequenceNumber++
	t.first = false
	return true
}
