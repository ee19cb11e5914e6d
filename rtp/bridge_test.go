package rtp

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin/media"
)

// TestBridge: an elder's leg and an operator's leg of one call are bridged:
// what the elder's phone (x) says reaches the operator's phone (y) and the
// other way round, frame for frame through μ-law twice; the elder's leg's
// recording holds the elder left and the operator right; unbridged, the
// legs go quiet again.
func TestBridge(t *testing.T) {
	e := mustEngine(t, Config{})
	x, elder := mustPair(t, e, media.SendRecv, media.SendRecv)
	operator, y := mustPair(t, e, media.SendRecv, media.SendRecv)
	if err := Bridge(elder, operator); err != nil {
		t.Fatal(err)
	}
	if err := Bridge(elder, y); err != ErrBridged {
		t.Fatalf("bridging a bridged leg: %v", err)
	}
	f := mustCreate(t)
	if err := elder.Record(f); err != nil {
		t.Fatal(err)
	}
	yf := mustCreate(t)
	if err := y.Record(yf); err != nil {
		t.Fatal(err)
	}
	xf := mustCreate(t)
	if err := x.Record(xf); err != nil {
		t.Fatal(err)
	}
	says := mustPrompt(t, "digit_2")    // the elder
	answers := mustPrompt(t, "digit_8") // the operator
	wait(t, "elder speaks", x.Play(says), 5*time.Second)
	wait(t, "operator speaks", y.Play(answers), 5*time.Second)
	time.Sleep(200 * time.Millisecond) // the last frames cross the bridge
	for _, l := range []*Leg{elder, y, x} {
		if err := l.StopRecording(); err != nil {
			t.Fatal(err)
		}
	}
	// The operator's phone heard the elder (μ-law to Anxin, μ-law again to
	// the phone: the same samples, as μ-law is idempotent after one pass).
	yLeft, _ := readStereo(t, yf.Name())
	if found, sounding, stray := findFrames(yLeft, frames(throughUlaw(says))); found < sounding*9/10 || stray > 0 {
		t.Fatalf("operator heard %d of %d frames of the elder (%d stray)", found, sounding, stray)
	}
	xLeft, _ := readStereo(t, xf.Name())
	if found, sounding, stray := findFrames(xLeft, frames(throughUlaw(answers))); found < sounding*9/10 || stray > 0 {
		t.Fatalf("elder heard %d of %d frames of the operator (%d stray)", found, sounding, stray)
	}
	// The elder's leg recorded both: the elder left, the operator right.
	left, right := readStereo(t, f.Name())
	if found, sounding, _ := findFrames(left, frames(throughUlaw(says))); found < sounding*9/10 {
		t.Fatalf("recording left: %d of %d frames of the elder", found, sounding)
	}
	if found, sounding, _ := findFrames(right, frames(throughUlaw(answers))); found < sounding*9/10 {
		t.Fatalf("recording right: %d of %d frames of the operator", found, sounding)
	}
	elder.Unbridge()
	if elder.Bridged() || operator.Bridged() {
		t.Fatal("still bridged")
	}
	if err := Bridge(elder, operator); err != nil {
		t.Fatalf("bridging again: %v", err)
	}
	operator.Close()
	if elder.Bridged() {
		t.Fatal("closing a leg leaves its partner bridged")
	}
}
