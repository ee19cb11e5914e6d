//go:build linux

package main

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/anxin-care/anxin/media"
)

// The elder's side of a check-in call: one RTP stream of A-law audio, 20 ms
// a packet, with the key pressed as RFC 4733 events in the same stream
// (same SSRC, the sequence numbers going on) at keyAt from its start.
// SIPp plays it from a pcap (-media sipp) or this program sends it itself
// (-media bench).

const (
	voicePT = 8   // PCMA, as the carrier scenarios' SDP answers
	eventPT = 101 // telephone-event, as the carrier scenarios' SDP answers
	// toneHz and toneLevel make the elder's audio: a tone loud enough for
	// the recording's left channel to be told from silence. 440 Hz fits
	// whole cycles in a second: a second of frames loops seamlessly.
	toneHz    = 440
	toneLevel = 4000
	// keyFrames is how many 20 ms update packets the key lasts (100 ms)
	// before the end packet, which goes three times, as RFC 4733 asks.
	keyFrames = 5
)

// voice makes the frames of the elder's stream.
type voice struct {
	keyFrame int
	code     uint8      // the key's event code
	tone     [50][]byte // a second of the tone, A-law
}

func newVoice(keyAt time.Duration, digit byte) (*voice, error) {
	code, ok := map[byte]uint8{'0': 0, '1': 1, '2': 2, '3': 3, '4': 4, '5': 5, '6': 6, '7': 7, '8': 8, '9': 9, '*': 10, '#': 11}[digit]
	if !ok {
		return nil, fmt.Errorf("no DTMF event for %q", digit)
	}
	v := &voice{keyFrame: int(keyAt / media.FrameDuration), code: code}
	pcm := make([]int16, media.FrameSamples)
	for f := range v.tone {
		for i := range pcm {
			t := float64(f*media.FrameSamples+i) / media.SampleRate
			pcm[i] = int16(toneLevel * math.Sin(2*math.Pi*toneHz*t))
		}
		v.tone[f] = make([]byte, media.FrameSamples)
		media.PCMA.Encode(v.tone[f], pcm)
	}
	return v, nil
}

// frame appends to dst the RTP packet of frame n of a stream with the
// given SSRC and first sequence number and timestamp, and says how many
// times it is sent (the key's end packet: three).
func (v *voice) frame(dst []byte, n int, ssrc uint32, seq0 uint16, ts0 uint32) ([]byte, int) {
	seq, ts := seq0+uint16(n), ts0+uint32(n*media.FrameSamples)
	if i := n - v.keyFrame; i >= 0 && i <= keyFrames {
		// The key: a start packet with the marker, updates every 20 ms
		// with the duration so far, the end packet; every packet carries
		// the timestamp of the event's start.
		ts = ts0 + uint32(v.keyFrame*media.FrameSamples)
		dur := uint16((i + 1) * media.FrameSamples)
		pt, copies, flags := byte(eventPT), 1, byte(10) // volume: 10 dB below the maximum
		if i == 0 {
			pt |= 0x80 // marker
		}
		if i == keyFrames {
			copies, flags = 3, flags|0x80 // end
		}
		dst = rtpHeader(dst, pt, seq, ts, ssrc)
		dst = append(dst, v.code, flags, byte(dur>>8), byte(dur))
		return dst, copies
	}
	dst = rtpHeader(dst, voicePT, seq, ts, ssrc)
	return append(dst, v.tone[n%len(v.tone)]...), 1
}

// rtpHeader appends an RTP header (version 2, no CSRC) to dst; pt holds
// the marker bit too.
func rtpHeader(dst []byte, pt byte, seq uint16, ts, ssrc uint32) []byte {
	dst = append(dst, 0x80, pt)
	dst = binary.BigEndian.AppendUint16(dst, seq)
	dst = binary.BigEndian.AppendUint32(dst, ts)
	return binary.BigEndian.AppendUint32(dst, ssrc)
}
