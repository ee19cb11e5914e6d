package rtp

import (
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/anxin-care/anxin/media"
)

// packet returns an RTP packet.
func packet(t testing.TB, pt uint8, seq uint16, ts uint32, marker bool, payload []byte) []byte {
	t.Helper()
	p := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: pt, SequenceNumber: seq, Timestamp: ts, SSRC: 0x1234, Marker: marker}, Payload: payload}
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// audio returns a PCMU packet of a frame of silence.
func audio(t testing.TB, seq uint16) []byte {
	return packet(t, 0, seq, uint32(seq)*media.FrameSamples, false, make([]byte, media.FrameSamples))
}

// digit returns the start packet of a telephone event for d.
func digit(t testing.TB, d rune, ts uint32) []byte {
	code, _ := media.EventCode(d)
	return packet(t, 101, uint16(ts), ts, true, media.Event{Code: code, Duration: 160}.Marshal(nil))
}

func send(t testing.TB, from *net.UDPConn, to netip.AddrPort, b []byte) {
	t.Helper()
	if _, err := from.WriteToUDPAddrPort(b, to); err != nil {
		t.Fatal(err)
	}
}

// Packets from an address other than the peer's are dropped, digits
// included.
func TestStrangerDropped(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	peer, stranger := mustPeer(t), mustPeer(t)
	l := mustLeg(t, e)
	if err := l.SetStream(stream(addrOf(peer), media.SendRecv)); err != nil {
		t.Fatal(err)
	}
	send(t, stranger, l.LocalAddr(), digit(t, '9', 800))
	for i := range 5 {
		send(t, stranger, l.LocalAddr(), audio(t, uint16(i)))
	}
	send(t, peer, l.LocalAddr(), audio(t, 1))
	send(t, peer, l.LocalAddr(), digit(t, '4', 1600))
	waitFor(t, "the packets", func() bool {
		s := l.Stats()
		return s.PacketsDropped == 6 && s.PacketsReceived == 2
	})
	select {
	case d := <-l.Digits():
		if d != '4' {
			t.Errorf("digit %q, want only the peer's '4'", d)
		}
	case <-time.After(time.Second):
		t.Error("no digit from the peer")
	}
	select {
	case d := <-l.Digits():
		t.Errorf("second digit %q", d)
	default:
	}
}

// With Config.Symmetric, the first packet fixes the peer's address, even
// one the SDP did not give (a phone behind NAT), and the leg sends there.
func TestSymmetricRTP(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{Symmetric: true})
	phone, stranger := mustPeer(t), mustPeer(t)
	l := mustLeg(t, e)
	sdp := netip.MustParseAddrPort("127.0.0.1:9") // the phone's private address, unreachable
	if err := l.SetStream(stream(sdp, media.SendRecv)); err != nil {
		t.Fatal(err)
	}
	send(t, phone, l.LocalAddr(), audio(t, 1))
	buf := make([]byte, 1500)
	phone.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, from, err := phone.ReadFromUDPAddrPort(buf)
	if err != nil {
		t.Fatalf("the phone got nothing back: %v", err)
	}
	if from != l.LocalAddr() || n != packetSize {
		t.Errorf("phone got %d bytes from %v, want %d from %v", n, from, packetSize, l.LocalAddr())
	}
	if s, _ := l.Stream(); s.Remote != addrOf(phone) {
		t.Errorf("stream remote %v, want the phone's %v", s.Remote, addrOf(phone))
	}
	send(t, stranger, l.LocalAddr(), audio(t, 2))
	waitFor(t, "the stranger's packet dropped", func() bool { return l.Stats().PacketsDropped == 1 })

	// A re-INVITE with the same SDP address keeps the address learnt.
	if err := l.SetStream(stream(sdp, media.SendRecv)); err != nil {
		t.Fatal(err)
	}
	if s, _ := l.Stream(); s.Remote != addrOf(phone) {
		t.Errorf("after a re-INVITE, remote %v, want the phone's %v", s.Remote, addrOf(phone))
	}
}

// Without Symmetric the SDP address is the only one, and a stream held
// with 0.0.0.0 is never latched.
func TestNotSymmetricOnHold(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{Symmetric: true})
	phone := mustPeer(t)
	l := mustLeg(t, e)
	if err := l.SetStream(stream(netip.MustParseAddrPort("0.0.0.0:4000"), media.SendRecv)); err != nil {
		t.Fatal(err)
	}
	send(t, phone, l.LocalAddr(), audio(t, 1))
	waitFor(t, "the packet dropped", func() bool { return l.Stats().PacketsDropped == 1 })
	if s := l.Stats(); s.PacketsSent != 0 {
		t.Errorf("sent %d packets to a peer on hold", s.PacketsSent)
	}
}

// Each side honours its direction: a sendonly leg sends and takes nothing,
// a recvonly one takes and sends nothing, an inactive one neither.
func TestDirections(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	talker, listener := mustPair(t, e, media.SendOnly, media.RecvOnly)
	waitFor(t, "20 packets", func() bool { return listener.Stats().PacketsReceived >= 20 })
	if s := listener.Stats(); s.PacketsSent != 0 {
		t.Errorf("recvonly leg sent %d packets", s.PacketsSent)
	}
	if s := talker.Stats(); s.PacketsReceived != 0 {
		t.Errorf("sendonly leg received %d packets", s.PacketsReceived)
	}
	// Packets sent to the sendonly leg anyway are dropped.
	peer := mustPeer(t)
	if err := talker.SetStream(stream(addrOf(peer), media.SendOnly)); err != nil {
		t.Fatal(err)
	}
	send(t, peer, talker.LocalAddr(), audio(t, 7))
	waitFor(t, "the packet dropped", func() bool { return talker.Stats().PacketsDropped >= 1 })

	// Made inactive, the listener still sends nothing; resumed sendrecv,
	// it talks.
	if err := listener.SetStream(stream(talker.LocalAddr(), media.Inactive)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if s := listener.Stats(); s.PacketsSent != 0 {
		t.Errorf("inactive leg sent %d packets", s.PacketsSent)
	}
	if err := listener.SetStream(stream(addrOf(peer), media.SendRecv)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "packets from the resumed leg", func() bool { return listener.Stats().PacketsSent >= 5 })
}

// Packets that are not RTP, or not well-formed, are dropped without harm;
// a good one after them is taken.
func TestMalformedPacketsDropped(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	peer := mustPeer(t)
	l := mustLeg(t, e)
	if err := l.SetStream(stream(addrOf(peer), media.SendRecv)); err != nil {
		t.Fatal(err)
	}
	good := audio(t, 1)
	version1 := append([]byte(nil), good...)
	version1[0] = 1 << 6
	csrcs := append([]byte(nil), good[:16]...)
	csrcs[0] |= 0x0f // 15 CSRCs announced, one present
	ext := append([]byte(nil), good[:12]...)
	ext[0] |= 0x10 // an extension with no room for its header
	extLong := append(append([]byte(nil), good[:12]...), 0xbe, 0xde, 0xff, 0xff)
	extLong[0] |= 0x10 // an extension longer than the packet
	padding := append([]byte(nil), good...)
	padding[0] |= 0x20
	padding[len(padding)-1] = 0 // padding of length 0
	padTooLong := append([]byte(nil), good...)
	padTooLong[0] |= 0x20
	padTooLong[len(padTooLong)-1] = 255
	unknownPT := packet(t, 96, 2, 320, false, make([]byte, 160))
	shortEvent := packet(t, 101, 3, 480, true, []byte{1, 2})
	bad := [][]byte{
		{}, {0x80}, good[:11], version1, csrcs, ext, extLong, padding, padTooLong, unknownPT,
	}
	for _, b := range bad {
		send(t, peer, l.LocalAddr(), b)
	}
	send(t, peer, l.LocalAddr(), shortEvent) // taken as RTP, not a digit
	send(t, peer, l.LocalAddr(), good)
	waitFor(t, "the packets", func() bool {
		s := l.Stats()
		return s.PacketsDropped == uint64(len(bad)) && s.PacketsReceived == 2
	})
	select {
	case d := <-l.Digits():
		t.Errorf("digit %q from a malformed event", d)
	default:
	}
}

// Sequence gaps count as losses (RFC 3550 appendix A.3: a duplicate makes
// up for a loss); a new SSRC starts the count again and keeps the losses
// before it.
func TestReceiveCountsLosses(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	l := mustLeg(t, e)
	peer := netip.MustParseAddrPort("192.0.2.7:5004")
	if err := l.SetStream(stream(peer, media.RecvOnly)); err != nil {
		t.Fatal(err)
	}
	// 65532, 65535 and 0 lost, 3 twice, 1 late: 10 expected, 8 received.
	for _, seq := range []uint16{65530, 65531, 65533, 65534, 2, 3, 3, 1} {
		l.handle(audio(t, seq), peer, 0)
	}
	if s := l.Stats(); s.PacketsReceived != 8 || s.PacketsLost != 2 {
		t.Errorf("received %d lost %d, want 8 and 2", s.PacketsReceived, s.PacketsLost)
	}
	p := packet(t, 0, 100, 0, true, make([]byte, 160))
	p[11] ^= 0xff // another SSRC
	l.handle(p, peer, 0)
	p = packet(t, 0, 40000, 0, false, make([]byte, 160))
	p[11] ^= 0xff
	l.handle(p, peer, 0) // a jump: the peer restarted its numbers
	l.handle(audio(t, 7), peer, 0)
	if s := l.Stats(); s.PacketsReceived != 11 || s.PacketsLost != 2 {
		t.Errorf("after a new SSRC, a jump and the old SSRC: received %d lost %d, want 11 and 2", s.PacketsReceived, s.PacketsLost)
	}
}

// Evenly spaced packets have no jitter; one 10 ms late adds 10/16 ms.
func TestReceiveJitter(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	l := mustLeg(t, e)
	peer := netip.MustParseAddrPort("192.0.2.7:5004")
	if err := l.SetStream(stream(peer, media.RecvOnly)); err != nil {
		t.Fatal(err)
	}
	at := time.Hour
	for seq := range uint16(50) {
		l.handle(audio(t, seq), peer, at)
		at += media.FrameDuration
	}
	if j := l.Stats().Jitter; j != 0 {
		t.Errorf("jitter %v for evenly spaced packets", j)
	}
	l.handle(audio(t, 50), peer, at+10*time.Millisecond)
	if j, want := l.Stats().Jitter, 10*time.Millisecond/16; j != want {
		t.Errorf("jitter %v after a packet 10 ms late, want %v", j, want)
	}
}

// Close is idempotent, gives the port back, ends prompts and closes
// Digits; the leg refuses work after it.
func TestCloseTwice(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{MediaTimeout: time.Hour})
	a, _ := mustPair(t, e, media.SendRecv, media.SendRecv)
	if err := a.Record(&discard{}); err != nil {
		t.Fatal(err)
	}
	playing := a.Play(mustPrompt(t, "beep"))
	inUse := e.Ports().InUse()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if n := e.Ports().InUse(); n != inUse-1 {
		t.Errorf("%d ports in use after Close, want %d", n, inUse-1)
	}
	wait(t, "the prompt to end", playing, time.Second)
	if _, ok := <-a.Digits(); ok {
		t.Error("Digits not closed")
	}
	wait(t, "a prompt played after Close", a.Play(make([]int16, 160)), time.Second)
	if err := a.SendDigit('1'); !errors.Is(err, ErrClosed) {
		t.Errorf("SendDigit after Close: %v, want ErrClosed", err)
	}
	if err := a.SetStream(stream(a.LocalAddr(), media.SendRecv)); !errors.Is(err, ErrClosed) {
		t.Errorf("SetStream after Close: %v, want ErrClosed", err)
	}
	if err := a.Record(&discard{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close: %v, want ErrClosed", err)
	}
	waitFor(t, "the pacing loop to drop the leg", func() bool { return e.Stats().Legs == 1 })
}

// A peer that stops sending closes Timeout.
func TestMediaTimeout(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{MediaTimeout: time.Second})
	a, b := mustPair(t, e, media.SendRecv, media.SendRecv)
	time.Sleep(300 * time.Millisecond)
	select {
	case <-a.Timeout():
		t.Fatal("timed out while the peer sends")
	default:
	}
	b.Close()
	wait(t, "the media timeout", a.Timeout(), 5*time.Second)
}

// StopRecording leaves a complete file while the call goes on.
func TestStopRecording(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a, _ := mustPair(t, e, media.SendRecv, media.SendRecv)
	if err := a.StopRecording(); err != nil {
		t.Errorf("StopRecording without a recording: %v", err)
	}
	f := mustCreate(t)
	if err := a.Record(f); err != nil {
		t.Fatal(err)
	}
	time.Sleep(250 * time.Millisecond)
	if err := a.StopRecording(); err != nil {
		t.Fatal(err)
	}
	left, _ := readStereo(t, f.Name())
	if len(left) == 0 || len(left)%media.FrameSamples != 0 {
		t.Errorf("recorded %d samples, want whole frames", len(left))
	}
	if err := a.Record(&discard{}); err != nil {
		t.Errorf("Record again after StopRecording: %v", err)
	}
}

// A recording whose writes fail reports the error on Close.
func TestRecordingError(t *testing.T) {
	t.Parallel()
	e := mustEngine(t, Config{})
	a, _ := mustPair(t, e, media.SendRecv, media.SendRecv)
	w := &failing{}
	if err := a.Record(w); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	w.fail.Store(true)
	if err := a.Close(); err == nil {
		t.Error("Close: no error from a failing recording")
	}
}

// failing is a WriteSeeker whose writes fail once fail is set.
type failing struct {
	discard
	fail atomic.Bool
}

func (f *failing) Write(p []byte) (int, error) {
	if f.fail.Load() {
		return 0, errors.New("disk full")
	}
	return f.discard.Write(p)
}
