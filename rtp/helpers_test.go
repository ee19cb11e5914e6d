package rtp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/prompts"
)

// loopback is the address every test binds.
var loopback = netip.MustParseAddr("127.0.0.1")

// engines counts the engines of mustEngine, each given ports of its own so
// that a leg of one test never gets the port of a leg another test has just
// closed (and packets still sent to it).
var engines atomic.Int32

// mustEngine starts an engine on loopback with 100 ports of its own from
// 30000 up, closed by t.Cleanup.
func mustEngine(t testing.TB, cfg Config) *Engine {
	t.Helper()
	cfg.IP = loopback
	if cfg.MinPort == 0 {
		cfg.MinPort = 30000 + 200*int(engines.Add(1)%50)
		cfg.MaxPort = cfg.MinPort + 198
	}
	e, err := NewEngine(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

// mustLeg opens a leg of e.
func mustLeg(t testing.TB, e *Engine) *Leg {
	t.Helper()
	l, err := e.NewLeg()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// stream returns a PCMU stream to remote with telephone-event 101.
func stream(remote netip.AddrPort, d media.Direction) media.Stream {
	return media.Stream{
		Remote:         remote,
		Codec:          media.PCMU,
		PayloadType:    0,
		TelephoneEvent: 101,
		Ptime:          media.FrameDuration,
		Direction:      d,
	}
}

// mustPair opens two legs of e that talk to each other, a in direction da
// and b in db.
func mustPair(t testing.TB, e *Engine, da, db media.Direction) (a, b *Leg) {
	t.Helper()
	a, b = mustLeg(t, e), mustLeg(t, e)
	if err := a.SetStream(stream(b.LocalAddr(), da)); err != nil {
		t.Fatal(err)
	}
	if err := b.SetStream(stream(a.LocalAddr(), db)); err != nil {
		t.Fatal(err)
	}
	return a, b
}

// mustPrompt reads a built-in prompt.
func mustPrompt(t testing.TB, name string) []int16 {
	t.Helper()
	b, err := prompts.Open(prompts.Default, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := media.ReadPrompt(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustCreate creates a file in a test directory, closed by t.Cleanup.
func mustCreate(t testing.TB) *os.File {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "call-*.wav")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readStereo returns the two channels of a recording.
func readStereo(t testing.TB, path string) (left, right []int16) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[36:40]) != "data" {
		t.Fatalf("%s is not a WAV file a Recorder writes", path)
	}
	if size := binary.LittleEndian.Uint32(b[40:]); int(size) != len(b)-44 {
		t.Fatalf("data chunk of %d bytes in a file of %d", size, len(b))
	}
	if ch := binary.LittleEndian.Uint16(b[22:]); ch != 2 {
		t.Fatalf("%d channels", ch)
	}
	for i := 44; i+4 <= len(b); i += 4 {
		left = append(left, int16(binary.LittleEndian.Uint16(b[i:])))
		right = append(right, int16(binary.LittleEndian.Uint16(b[i+2:])))
	}
	return left, right
}

// frames cuts s into frames, the last padded with silence.
func frames(s []int16) [][]int16 {
	var f [][]int16
	for i := 0; i < len(s); i += media.FrameSamples {
		fr := make([]int16, media.FrameSamples)
		copy(fr, s[i:min(i+media.FrameSamples, len(s))])
		f = append(f, fr)
	}
	return f
}

// throughUlaw returns s encoded to μ-law and back, as a peer hears it.
func throughUlaw(s []int16) []int16 {
	b := make([]byte, len(s))
	media.EncodeUlaw(b, s)
	out := make([]int16, len(s))
	media.DecodeUlaw(out, b)
	return out
}

// silent reports whether every sample of f is 0.
func silent(f []int16) bool {
	for _, s := range f {
		if s != 0 {
			return false
		}
	}
	return true
}

// findFrames looks for the sounding frames of want, in order, among the
// frames of a recorded channel got. It returns how many it found, how many
// sounding frames of want there are, and how many sounding frames of got
// are not the next frames of want (noise, frames out of order or cut in
// two): none if the channel is want with silence inserted and frames lost.
func findFrames(got []int16, want [][]int16) (found, sounding, stray int) {
	var ws [][]int16 // the sounding frames of want
	for _, w := range want {
		if !silent(w) {
			ws = append(ws, w)
		}
	}
	k := 0 // the next frame of ws expected
	for _, g := range frames(got) {
		if silent(g) {
			continue
		}
		j := k
		for j < len(ws) && j < k+10 && !equal(g, ws[j]) {
			j++
		}
		if j == len(ws) || j == k+10 {
			stray++
			continue
		}
		found++
		k = j + 1
	}
	return found, len(ws), stray
}

func equal(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// waitFor polls cond every 10 ms until it holds or 5 seconds pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// wait waits for ch to be closed, failing the test after d.
func wait(t testing.TB, what string, ch <-chan struct{}, d time.Duration) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// mustPeer opens a plain UDP socket on loopback, a peer that is not a
// Leg, closed by t.Cleanup.
func mustPeer(t testing.TB) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// addrOf returns the address of a socket.
func addrOf(c *net.UDPConn) netip.AddrPort {
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// discard is a WriteSeeker that keeps nothing, for recordings nobody reads.
type discard struct{ off, size int64 }

func (d *discard) Write(p []byte) (int, error) {
	d.off += int64(len(p))
	d.size = max(d.size, d.off)
	return len(p), nil
}

func (d *discard) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += d.off
	case io.SeekEnd:
		off += d.size
	}
	if off < 0 {
		return 0, errors.New("discard: negative offset")
	}
	d.off = off
	return off, nil
}
