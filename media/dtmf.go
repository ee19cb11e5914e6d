package media

import (
	"errors"
	"fmt"
)

// ErrInvalidDTMF reports a telephone-event payload, SIP INFO body or digit
// that does not carry a DTMF digit Anxin understands. It is wrapped with
// what is wrong; test it with errors.Is.
var ErrInvalidDTMF = errors.New("media: invalid DTMF")

// EventFlash is the telephone-event code of a hook flash (RFC 4733 section
// 3.2), the last code of the usual a=fmtp range "0-16".
const EventFlash = 16

// eventSize is the size of a telephone-event payload.
const eventSize = 4

// digits maps telephone-event codes 0 to 15 to the DTMF digits they stand
// for (RFC 4733 section 3.2).
const digits = "0123456789*#ABCD"

// An Event is one RFC 4733 telephone-event payload: which key is pressed, for
// how long so far, and whether this packet ends it.
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|     event     |E|R| volume    |          duration             |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
type Event struct {
	// Code is the event: 0-9 for the digits, 10 for *, 11 for #, 12-15
	// for A-D, EventFlash for a hook flash.
	Code uint8

	// End is set in the last packets of an event (the E bit).
	End bool

	// Volume is the power level of the tone in -dBm0, 0 to 63: 10 means
	// -10 dBm0.
	Volume uint8

	// Duration is how long the event has lasted, in RTP timestamp units
	// (SampleRate a second), counted from the event's RTP timestamp.
	Duration uint16
}

// ParseEvent parses a telephone-event RTP payload. It needs 4 bytes and
// ignores any after them and the reserved R bit. Errors wrap ErrInvalidDTMF.
func ParseEvent(b []byte) (Event, error) {
	if len(b) < eventSize {
		return Event{}, fmt.Errorf("%w: telephone-event payload of %d bytes, want 4", ErrInvalidDTMF, len(b))
	}
	return Event{
		Code:     b[0],
		End:      b[1]&0x80 != 0,
		Volume:   b[1] & 0x3F,
		Duration: uint16(b[2])<<8 | uint16(b[3]),
	}, nil
}

// Marshal appends the 4-byte telephone-event payload of e to dst and returns
// the extended slice. The R bit is zero and Volume is cut to its 6 bits.
func (e Event) Marshal(dst []byte) []byte {
	flags := e.Volume & 0x3F
	if e.End {
		flags |= 0x80
	}
	return append(dst, e.Code, flags, byte(e.Duration>>8), byte(e.Duration))
}

// Digit returns the DTMF digit of e ('0'-'9', '*', '#', 'A'-'D') and true, or
// 0 and false for an event that is not a digit (a hook flash, a tone).
func (e Event) Digit() (rune, bool) {
	if int(e.Code) >= len(digits) {
		return 0, false
	}
	return rune(digits[e.Code]), true
}

// EventCode returns the telephone-event code of the DTMF digit d ('0'-'9',
// '*', '#', 'A'-'D' or 'a'-'d') and true, or 0 and false for any other rune.
func EventCode(d rune) (uint8, bool) {
	switch {
	case d >= '0' && d <= '9':
		return uint8(d - '0'), true
	case d == '*':
		return 10, true
	case d == '#':
		return 11, true
	case d >= 'A' && d <= 'D':
		return uint8(d-'A') + 12, true
	case d >= 'a' && d <= 'd':
		return uint8(d-'a') + 12, true
	}
	return 0, false
}
