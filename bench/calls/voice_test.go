//go:build linux

package main

import (
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/anxin-care/anxin/media"
)

// TestVoiceKeyOnce: the elder's stream is A-law audio with sequence
// numbers one apart, and Anxin's DTMF receiver takes exactly one 1 from
// it, at the frame of -key-after.
func TestVoiceKeyOnce(t *testing.T) {
	v, err := newVoice(time.Second, '1')
	if err != nil {
		t.Fatal(err)
	}
	var (
		rx      media.DTMFReceiver
		digits  []rune
		keyAt   = -1
		lastSeq uint16
		buf     []byte
	)
	for n := 0; n < 150; n++ {
		var copies int
		buf, copies = v.frame(buf[:0], n, 0x1234, 65530, 1000)
		var p rtp.Packet
		if err := p.Unmarshal(buf); err != nil {
			t.Fatalf("frame %d: %v", n, err)
		}
		if n > 0 && p.SequenceNumber != lastSeq+1 {
			t.Fatalf("frame %d: sequence %d after %d", n, p.SequenceNumber, lastSeq)
		}
		lastSeq = p.SequenceNumber
		switch p.PayloadType {
		case voicePT:
			if len(p.Payload) != media.FrameSamples || p.Timestamp != 1000+uint32(n*media.FrameSamples) {
				t.Fatalf("frame %d: %d bytes of audio at %d", n, len(p.Payload), p.Timestamp)
			}
		case eventPT:
			for range copies {
				d, ok, err := rx.Receive(p.Timestamp, p.Marker, p.Payload)
				if err != nil {
					t.Fatalf("frame %d: %v", n, err)
				}
				if ok {
					digits, keyAt = append(digits, d), n
				}
			}
		default:
			t.Fatalf("frame %d: payload type %d", n, p.PayloadType)
		}
	}
	if string(digits) != "1" || keyAt != 50 {
		t.Fatalf("digits %q, the first at frame %d; want one 1 at frame 50", string(digits), keyAt)
	}
}

// TestSIPpEvents: the events of SIPp's error log are counted, the last
// shown by its first line.
func TestSIPpEvents(t *testing.T) {
	log := "The following events occurred:\n" +
		"2026-11-23\t07:15:23.997982\t1795418123.997982: Overload warning: the minor watchdog timer 500ms has been tripped (592), 119 trips remaining." +
		"2026-11-23\t07:15:46.880820\t1795418146.880820: Dead call 15ce (successful), received 'BYE sip:127.0.0.1:5070 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1\n'"
	n, last := sippEvents(log)
	if n != 2 || last != "Dead call 15ce (successful), received 'BYE sip:127.0.0.1:5070 SIP/2.0" {
		t.Fatalf("sippEvents = %d, %q", n, last)
	}
	if n, _ := sippEvents("The following events occurred:\n"); n != 0 {
		t.Fatalf("%d events in a log without any", n)
	}
}
