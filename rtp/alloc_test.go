package rtp

import (
	"runtime"
	"testing"
	"time"

	"github.com/anxin-care/anxin/media"
)

// Once a call is running, sending, receiving, DTMF and recording allocate
// nothing per packet: a second of two legs playing, recording and sending
// digits to each other (200 packets) allocates next to nothing. (Not
// parallel: other tests' allocations would count.)
func TestNoAllocationPerPacket(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 1.5 s")
	}
	e := mustEngine(t, Config{Loops: 1})
	a, b := mustPair(t, e, media.SendRecv, media.SendRecv)
	welcome := mustPrompt(t, "welcome")
	for _, l := range []*Leg{a, b} {
		if err := l.Record(&discard{}); err != nil {
			t.Fatal(err)
		}
		l.Play(welcome)
	}
	time.Sleep(1200 * time.Millisecond) // every recording buffer used once
	if err := b.SendDigit('7'); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	time.Sleep(time.Second)
	runtime.ReadMemStats(&after)
	n := after.Mallocs - before.Mallocs
	sa := a.Stats()
	t.Logf("%d allocations in 1 s; A: %+v", n, sa)
	// The DTMF sender of the digit, and a little slack for the runtime.
	if n > 10 {
		t.Errorf("%d allocations in a second of two legs", n)
	}
	select {
	case d := <-a.Digits():
		if d != '7' {
			t.Errorf("digit %q", d)
		}
	default:
		t.Error("no digit")
	}
}
