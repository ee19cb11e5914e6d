//go:build linux

package main

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/anxin-care/anxin/media"
)

// gateway is the carrier's media gateway when this program sends the
// elders' media (-media bench): SIPp answers every call with this one RTP
// port, as a carrier's SBC does, and the gateway answers the media Anxin
// sends there the way symmetric-RTP equipment does: from the first packet
// of a call's leg on, it sends that elder's stream back to where the
// packets come from — the tone, the key at -key-after, more tone — until
// the leg has been silent for a second (the call is over; Anxin gives a
// port to another call only after going round its whole range). One loop
// sends every call's packet every 20 ms, the calls spread over ten 2 ms
// slots as independent phones would be rather than all at once; one
// reader takes Anxin's.
type gateway struct {
	conn *net.UDPConn
	v    *voice
	quit chan struct{}
	done sync.WaitGroup

	mu    sync.Mutex
	calls map[netip.AddrPort]*elderStream // by Anxin's leg address
	total int                             // streams started
}

// gatewaySlots is how many parts of a 20 ms frame the calls' packets are
// spread over.
const gatewaySlots = 10

// elderStream is one call's stream from the gateway.
type elderStream struct {
	lastRx time.Time
	slot   int // the part of each frame its packet goes in
	n      int // frames sent
	ssrc   uint32
	seq    uint16
	ts     uint32
}

// startGateway listens on ip:port (0: any free port).
func startGateway(ip netip.Addr, port int, v *voice) (*gateway, error) {
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
	if err != nil {
		return nil, fmt.Errorf("media gateway: %w", err)
	}
	// A tick's packets from every call arrive together.
	c.SetReadBuffer(8 << 20)
	g := &gateway{conn: c, v: v, quit: make(chan struct{}), calls: map[netip.AddrPort]*elderStream{}}
	g.done.Add(2)
	go func() { defer g.done.Done(); g.read() }()
	go func() { defer g.done.Done(); g.send() }()
	return g, nil
}

// port is the gateway's RTP port, for the SDP answers.
func (g *gateway) port() int { return int(g.conn.LocalAddr().(*net.UDPAddr).Port) }

// read takes Anxin's packets: a leg not heard for a second starts a new
// call's stream.
func (g *gateway) read() {
	buf := make([]byte, 1500)
	for {
		_, from, err := g.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		now := time.Now()
		g.mu.Lock()
		s := g.calls[from]
		if s == nil || now.Sub(s.lastRx) > time.Second {
			s = &elderStream{slot: g.total % gatewaySlots, ssrc: rand.Uint32(), seq: uint16(rand.Uint32()), ts: rand.Uint32()}
			g.calls[from] = s
			g.total++
		}
		s.lastRx = now
		g.mu.Unlock()
	}
}

// send sends every call's next packet every 20 ms, each call in its slot
// of the frame, on deadlines counted from its start, and forgets the
// calls silent for a second.
func (g *gateway) send() {
	type out struct {
		to     netip.AddrPort
		pkt    []byte
		copies int
	}
	var batch []out
	var buf []byte
	start := time.Now()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	slot := media.FrameDuration / gatewaySlots
	for n := 1; ; n++ {
		t.Reset(time.Until(start.Add(time.Duration(n) * slot)))
		select {
		case <-g.quit:
			return
		case <-t.C:
		}
		now := time.Now()
		batch, buf = batch[:0], buf[:0]
		g.mu.Lock()
		for to, s := range g.calls {
			if now.Sub(s.lastRx) > time.Second {
				delete(g.calls, to)
				continue
			}
			if s.slot != n%gatewaySlots {
				continue
			}
			at := len(buf)
			var copies int
			buf, copies = g.v.frame(buf, s.n, s.ssrc, s.seq, s.ts)
			s.n++
			batch = append(batch, out{to: to, pkt: buf[at:len(buf):len(buf)], copies: copies})
		}
		g.mu.Unlock()
		for _, o := range batch {
			for range o.copies {
				g.conn.WriteToUDPAddrPort(o.pkt, o.to)
			}
		}
	}
}

// started returns how many calls' streams the gateway started.
func (g *gateway) started() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// close stops the gateway.
func (g *gateway) close() {
	select {
	case <-g.quit:
	default:
		close(g.quit)
	}
	g.conn.Close()
	g.done.Wait()
}
