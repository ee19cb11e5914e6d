package media

// Limits of what a DTMFReceiver takes for the same event.
const (
	// reorderWindow is how far back, in timestamp units, a packet is taken
	// for a late copy of an event already seen rather than the start of a
	// new stream (a peer that restarted its timestamps): 2 seconds.
	reorderWindow = 2 * SampleRate

	// segmentDuration is the duration past which an event goes on in a new
	// segment with a new timestamp (RFC 4733 section 2.5.1.3), less 125 ms
	// of slack for senders that start the next segment early.
	segmentDuration = 0xFFFF - SampleRate/8
)

// A DTMFReceiver turns the telephone-event packets of one RTP stream into
// digits, reporting each key press exactly once.
//
// Each key press is an event with its own RTP timestamp, sent as a start
// packet with the marker bit, updates every 20 ms, and an end packet that is
// usually sent three times. Any of them may be lost or come late, so the
// receiver reports a digit on the first packet it sees with a new timestamp,
// whichever it is, and ignores later packets with that timestamp, late
// packets of earlier events (up to 2 seconds back, and the last digit's
// however late), and the further segments of an event longer than 8
// seconds. A timestamp further back is taken for a peer that restarted its
// timestamps.
//
// The zero value is ready to use. A DTMFReceiver is not safe for concurrent
// use; call Reset when the stream's SSRC changes.
type DTMFReceiver struct {
	seen     bool   // an event has been seen
	ts       uint32 // RTP timestamp of the current event
	code     uint8  // its code
	duration uint16 // the longest duration seen for it
	ended    bool   // an end packet of it has been seen

	digit   bool   // a digit has been reported
	digitTS uint32 // the timestamp of the last digit reported
}

// Receive takes the RTP timestamp, marker bit and payload of a
// telephone-event packet and returns the digit it starts and true, or false
// when the packet belongs to an event already reported or is not a digit (a
// hook flash). Errors wrap ErrInvalidDTMF; the packet is then ignored.
func (r *DTMFReceiver) Receive(timestamp uint32, marker bool, payload []byte) (rune, bool, error) {
	e, err := ParseEvent(payload)
	if err != nil {
		return 0, false, err
	}
	if r.seen {
		d := int32(timestamp - r.ts)
		switch {
		case d == 0:
			r.ended = r.ended || e.End
			r.duration = max(r.duration, e.Duration)
			return 0, false, nil
		case d < 0 && d > -reorderWindow:
			return 0, false, nil
		case d > 0 && !marker && !r.ended && e.Code == r.code && r.duration >= segmentDuration:
			// The next segment of a long event.
			r.ts, r.duration, r.ended = timestamp, e.Duration, e.End
			return 0, false, nil
		case r.digit && timestamp == r.digitTS:
			// A very late copy of the last digit, after other events.
			return 0, false, nil
		}
	}
	r.seen, r.ts, r.code, r.duration, r.ended = true, timestamp, e.Code, e.Duration, e.End
	d, ok := e.Digit()
	if ok {
		r.digit, r.digitTS = true, timestamp
	}
	return d, ok, nil
}

// Reset forgets every event seen, for a stream that starts over with a new
// SSRC and new timestamps.
func (r *DTMFReceiver) Reset() { *r = DTMFReceiver{} }
