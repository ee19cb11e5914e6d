package media

import (
	"fmt"
	"time"
)

// Durations of a digit a DTMFSender sends.
const (
	// MinDTMFDuration is the shortest tone a DTMFSender sends; ITU-T
	// Q.24 receivers need 40 ms.
	MinDTMFDuration = 40 * time.Millisecond

	// MaxDTMFDuration is the longest: a digit in one event segment.
	MaxDTMFDuration = 5 * time.Second

	// dtmfVolume is the level of the tones sent, in -dBm0.
	dtmfVolume = 10

	// dtmfEndPackets is how many times the end packet is sent (RFC 4733
	// section 2.5.1.4 recommends three).
	dtmfEndPackets = 3
)

// A DTMFPacket is one telephone-event RTP packet of a digit: its RTP
// timestamp, marker bit and payload. The RTP layer gives it the sequence
// number and SSRC of the audio stream.
type DTMFPacket struct {
	// Timestamp is the RTP timestamp of the start of the digit, the same
	// in every packet of it.
	Timestamp uint32

	// Marker is set in the first packet only.
	Marker bool

	// Event is the payload; Event.Marshal writes it.
	Event Event
}

// A DTMFSender yields the telephone-event packets of one digit, to be sent
// one every FrameDuration in place of audio: a packet for each 20 ms of the
// tone with a growing duration, then three end packets.
type DTMFSender struct {
	ts    uint32
	code  uint8
	total uint16 // duration in timestamp units, a multiple of FrameSamples
	next  int    // index of the next packet
}

// NewDTMFSender returns a sender of the digit d ('0'-'9', '*', '#', 'A'-'D')
// starting at the RTP timestamp ts and lasting duration, rounded up to a
// multiple of FrameDuration. Errors wrap ErrInvalidDTMF for another digit
// or a duration outside MinDTMFDuration to MaxDTMFDuration.
func NewDTMFSender(d rune, ts uint32, duration time.Duration) (*DTMFSender, error) {
	code, ok := EventCode(d)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a DTMF digit", ErrInvalidDTMF, d)
	}
	if duration < MinDTMFDuration || duration > MaxDTMFDuration {
		return nil, fmt.Errorf("%w: duration %v, want %v to %v", ErrInvalidDTMF, duration, MinDTMFDuration, MaxDTMFDuration)
	}
	frames := (duration + FrameDuration - 1) / FrameDuration
	return &DTMFSender{ts: ts, code: code, total: uint16(frames) * FrameSamples}, nil
}

// Next returns the next packet to send and true, or false when the digit
// has been sent.
func (s *DTMFSender) Next() (DTMFPacket, bool) {
	tone := int(s.total / FrameSamples)
	if s.next >= tone+dtmfEndPackets {
		return DTMFPacket{}, false
	}
	p := DTMFPacket{
		Timestamp: s.ts,
		Marker:    s.next == 0,
		Event:     Event{Code: s.code, Volume: dtmfVolume, Duration: s.total},
	}
	if s.next < tone {
		p.Event.Duration = uint16(s.next+1) * FrameSamples
	} else {
		p.Event.End = true
	}
	s.next++
	return p, true
}
