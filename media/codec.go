package media

import (
	"fmt"
	"strings"
	"time"
)

// Audio framing shared by every call: narrowband telephony at 8000 samples a
// second, sent and recorded in 20 ms frames.
const (
	// SampleRate is the number of samples a second of G.711 audio, which is
	// also the RTP clock rate of PCMU, PCMA and telephone-event.
	SampleRate = 8000

	// FrameDuration is the packetization time of the audio Anxin sends and
	// records (a=ptime:20).
	FrameDuration = 20 * time.Millisecond

	// FrameSamples is the number of samples in one frame: 160.
	FrameSamples = SampleRate * 20 / 1000
)

// Codec is a G.711 audio codec. Its value is the codec's static RTP payload
// type (RFC 3551), so the zero value is PCMU.
type Codec uint8

// The codecs Anxin speaks.
const (
	// PCMU is G.711 μ-law, RTP payload type 0, used in North America and
	// Japan and by most softphones by default.
	PCMU Codec = 0

	// PCMA is G.711 A-law, RTP payload type 8, used by carriers in China and
	// Europe.
	PCMA Codec = 8
)

// CodecByName returns the codec whose SDP encoding name is name (compared
// without regard to case, as RFC 4566 requires), and whether there is one.
func CodecByName(name string) (Codec, bool) {
	switch {
	case strings.EqualFold(name, "PCMU"):
		return PCMU, true
	case strings.EqualFold(name, "PCMA"):
		return PCMA, true
	}
	return 0, false
}

// Valid reports whether c is PCMU or PCMA.
func (c Codec) Valid() bool { return c == PCMU || c == PCMA }

// PayloadType returns the static RTP payload type of c: 0 or 8.
func (c Codec) PayloadType() uint8 { return uint8(c) }

// Name returns the encoding name of c as written in SDP a=rtpmap lines:
// "PCMU" or "PCMA". It returns "" for an invalid codec.
func (c Codec) Name() string {
	switch c {
	case PCMU:
		return "PCMU"
	case PCMA:
		return "PCMA"
	}
	return ""
}

// ClockRate returns the RTP clock rate of c: 8000.
func (c Codec) ClockRate() int { return SampleRate }

// String returns the name of c, or "Codec(n)" for an invalid codec.
func (c Codec) String() string {
	if n := c.Name(); n != "" {
		return n
	}
	return fmt.Sprintf("Codec(%d)", uint8(c))
}

// Encode encodes the linear samples of src with c into dst, one byte per
// sample, as EncodeUlaw or EncodeAlaw. It panics if dst is shorter than src
// or c is not valid. It does not allocate.
func (c Codec) Encode(dst []byte, src []int16) {
	switch c {
	case PCMU:
		EncodeUlaw(dst, src)
	case PCMA:
		EncodeAlaw(dst, src)
	default:
		panic("media: Encode with invalid " + c.String())
	}
}

// Decode decodes the bytes of src with c into linear samples in dst, as
// DecodeUlaw or DecodeAlaw. It panics if dst is shorter than src or c is not
// valid. It does not allocate.
func (c Codec) Decode(dst []int16, src []byte) {
	switch c {
	case PCMU:
		DecodeUlaw(dst, src)
	case PCMA:
		DecodeAlaw(dst, src)
	default:
		panic("media: Decode with invalid " + c.String())
	}
}
