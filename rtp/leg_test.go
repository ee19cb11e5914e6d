package rtp

import (
	"errors"
	"testing"
	"time"

	"github.com/anxin-care/anxin/media"
)

// Two legs talk over loopback: A plays the welcome prompt, B another one
// and then presses 2; both record. A's recording holds B's audio on the
// left and its own prompt on the right, B's holds A's prompt on the left,
// A gets the digit once.
func TestLegPlaysRecordsAndSendsDigits(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a, b := mustPair(t, e, media.SendRecv, media.SendRecv)
	fa, fb := mustCreate(t), mustCreate(t)
	if err := a.Record(fa); err != nil {
		t.Fatal(err)
	}
	if err := b.Record(fb); err != nil {
		t.Fatal(err)
	}
	if err := a.Record(fa); !errors.Is(err, ErrRecording) {
		t.Errorf("second Record: %v, want ErrRecording", err)
	}
	welcome, goodbye := mustPrompt(t, "welcome"), mustPrompt(t, "goodbye")

	playedA := a.Play(welcome)
	playedB := b.Play(goodbye)
	if !a.Playing() {
		t.Error("A not playing after Play")
	}
	wait(t, "B's prompt", playedB, 10*time.Second)
	if err := b.SendDigit('2'); err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-a.Digits():
		if d != '2' {
			t.Errorf("A got digit %q, want '2'", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("A got no digit")
	}
	wait(t, "A's prompt", playedA, 10*time.Second)
	time.Sleep(300 * time.Millisecond) // the digit's end packets and the last frames
	select {
	case d := <-a.Digits():
		t.Errorf("A got a second digit %q", d)
	default:
	}

	sa, sb := a.Stats(), b.Stats()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("A: %+v", sa)
	t.Logf("B: %+v", sb)
	if sa.PacketsLost != 0 || sb.PacketsLost != 0 {
		t.Errorf("lost %d and %d packets on loopback", sa.PacketsLost, sb.PacketsLost)
	}
	if sa.PacketsDropped != 0 || sb.PacketsDropped != 0 {
		t.Errorf("dropped %d and %d packets", sa.PacketsDropped, sb.PacketsDropped)
	}

	leftA, rightA := readStereo(t, fa.Name())
	leftB, _ := readStereo(t, fb.Name())
	// A pacing loop that wakes a frame late skips it (on a busy machine):
	// it is recorded on the sender's side but never sent.
	skipped := int(e.Stats().SkippedFrames)
	checkFrames(t, "A's right channel (its prompt)", rightA, frames(welcome), 0)
	checkFrames(t, "A's left channel (B's prompt)", leftA, frames(throughUlaw(goodbye)), 3+skipped)
	checkFrames(t, "B's left channel (A's prompt)", leftB, frames(throughUlaw(welcome)), 3+skipped)
}

// checkFrames fails unless the channel got holds the sounding frames of
// want in order, nothing else but silence, and at most lost of them
// missing.
func checkFrames(t *testing.T, what string, got []int16, want [][]int16, lost int) {
	t.Helper()
	found, sounding, stray := findFrames(got, want)
	t.Logf("%s: %d of %d frames, %d stray", what, found, sounding, stray)
	if sounding < 50 {
		t.Fatalf("%s: only %d sounding frames to look for", what, sounding)
	}
	if found < sounding-lost || stray > 0 {
		t.Errorf("%s: found %d of %d frames (%d may be lost), %d stray frames", what, found, sounding, lost, stray)
	}
}

// StopPlayback ends the prompt playing and those queued at once.
func TestStopPlayback(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a, _ := mustPair(t, e, media.SendRecv, media.SendRecv)
	welcome := mustPrompt(t, "welcome")
	first, second := a.Play(welcome), a.Play(welcome)
	time.Sleep(100 * time.Millisecond)
	a.StopPlayback()
	wait(t, "the first prompt to stop", first, time.Second)
	wait(t, "the second prompt to stop", second, time.Second)
	if a.Playing() {
		t.Error("still playing after StopPlayback")
	}
	empty := a.Play(nil)
	wait(t, "an empty prompt", empty, time.Second)
}

// A prompt queued before SetStream waits for it; a short one ends within
// its own length once the stream is set.
func TestPlayBeforeStream(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a, b := mustLeg(t, e), mustLeg(t, e)
	done := a.Play(make([]int16, 3*media.FrameSamples+1))
	time.Sleep(100 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("prompt played without a stream")
	default:
	}
	if err := a.SetStream(stream(b.LocalAddr(), media.SendRecv)); err != nil {
		t.Fatal(err)
	}
	wait(t, "the prompt", done, 2*time.Second)
}

func TestSendDigitErrors(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a := mustLeg(t, e)
	if err := a.SendDigit('5'); !errors.Is(err, ErrNoTelephoneEvent) {
		t.Errorf("SendDigit before SetStream: %v, want ErrNoTelephoneEvent", err)
	}
	st := stream(addrOf(mustPeer(t)), media.SendRecv)
	st.TelephoneEvent = 0
	if err := a.SetStream(st); err != nil {
		t.Fatal(err)
	}
	if err := a.SendDigit('5'); !errors.Is(err, ErrNoTelephoneEvent) {
		t.Errorf("SendDigit to a peer without events: %v, want ErrNoTelephoneEvent", err)
	}
	st.TelephoneEvent = 101
	if err := a.SetStream(st); err != nil {
		t.Fatal(err)
	}
	if err := a.SendDigit('x'); !errors.Is(err, media.ErrInvalidDTMF) {
		t.Errorf("SendDigit('x'): %v, want media.ErrInvalidDTMF", err)
	}
	for range maxDigits {
		if err := a.SendDigit('#'); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.SendDigit('#'); err == nil {
		t.Errorf("SendDigit beyond %d waiting digits: no error", maxDigits)
	}
}

func TestSetStreamErrors(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a := mustLeg(t, e)
	for name, s := range map[string]media.Stream{
		"bad codec":        {Codec: 3},
		"payload type 200": {PayloadType: 200},
		"events on audio":  {PayloadType: 8, Codec: media.PCMA, TelephoneEvent: 8},
	} {
		if err := a.SetStream(s); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, ok := a.Stream(); ok {
		t.Error("a stream after failed SetStreams")
	}
}
