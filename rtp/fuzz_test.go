package rtp

import (
	"net/netip"
	"testing"
	"time"

	"github.com/anxin-care/anxin/media"
)

// FuzzHandle feeds arbitrary datagrams to the receive path of a recording
// leg, from its peer or a stranger: nothing may panic, and the counters
// must add up.
//
//	go test ./rtp -run '^$' -fuzz FuzzHandle -fuzztime 20s -parallel 1
func FuzzHandle(f *testing.F) {
	f.Add(audio(f, 1), true)
	f.Add(digit(f, '5', 8000), true)
	f.Add(packet(f, 8, 2, 320, false, make([]byte, 240)), true) // PCMA, 30 ms
	f.Add(packet(f, 13, 3, 480, false, []byte{40}), true)       // comfort noise
	f.Add(audio(f, 4)[:11], true)
	f.Add([]byte{0xb0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 1, 0x10, 0xaa, 0, 0}, true) // an extension
	f.Add([]byte{0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0x04}, false)            // padding
	f.Add(digit(f, '#', 16000), false)

	e := mustEngine(f, Config{Symmetric: true, MediaTimeout: time.Minute})
	l := mustLeg(f, e)
	peer := netip.MustParseAddrPort("127.0.0.1:9")
	stranger := netip.MustParseAddrPort("127.0.0.2:4000")
	if err := l.SetStream(stream(peer, media.SendRecv)); err != nil {
		f.Fatal(err)
	}
	if err := l.Record(&discard{}); err != nil {
		f.Fatal(err)
	}
	var (
		at    time.Duration
		calls uint64
	)
	f.Fuzz(func(t *testing.T, b []byte, fromPeer bool) {
		from := stranger
		if fromPeer {
			from = peer
		}
		at += media.FrameDuration
		before := l.Stats()
		l.handle(b, from, at)
		calls++
		for len(l.Digits()) > 0 {
			<-l.Digits()
		}
		s := l.Stats()
		if got := (s.PacketsReceived + s.PacketsDropped) - (before.PacketsReceived + before.PacketsDropped); got != 1 {
			t.Fatalf("one datagram counted %d times", got)
		}
		l.rx.Lock()
		n := l.rxs.ring.len()
		l.rx.Unlock()
		if n < 0 || n > ringSize {
			t.Fatalf("%d samples in a ring of %d", n, ringSize)
		}
	})
}
