package sipua_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/sipua"
)

// TestSourceLimit: a scanner (not a trunk) sending 30 OPTIONS at once is
// answered SourceBurst times and then dropped without an answer; a trunk
// is never limited.
func TestSourceLimit(t *testing.T) {
	for _, c := range []struct {
		name  string
		peers []netip.Prefix
		want  int
	}{
		{"scanner", []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}, 5},
		{"trunk", loopback, 30},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: c.peers, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
				OnCall: func(*sipua.IncomingCall) {}, SourceRate: 0.001, SourceBurst: 5})
			if err != nil {
				t.Fatal(err)
			}
			conn, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(func() { cancel(); a.Close() })
			go a.ServeUDP(ctx, conn)
			scanner, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer scanner.Close()
			me := scanner.LocalAddr().String()
			for i := 0; i < 30; i++ {
				msg := fmt.Sprintf("OPTIONS sip:100@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK-scan-%d\r\nFrom: <sip:100@%s>;tag=s%d\r\n"+
					"To: <sip:100@%s>\r\nCall-ID: scan-%d\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n",
					conn.LocalAddr(), me, i, me, i, conn.LocalAddr(), i)
				if _, err := scanner.WriteTo([]byte(msg), conn.LocalAddr()); err != nil {
					t.Fatal(err)
				}
			}
			answered := 0
			buf := make([]byte, 4096)
			for {
				scanner.SetReadDeadline(time.Now().Add(time.Second))
				n, _, err := scanner.ReadFrom(buf)
				if err != nil {
					break // a second of silence: every answer is in
				}
				if strings.HasPrefix(string(buf[:n]), "SIP/2.0 200") {
					answered++
				}
			}
			if answered != c.want {
				t.Fatalf("%d of 30 OPTIONS answered, want %d", answered, c.want)
			}
			if c.want < 30 && a.Dropped() != uint64(30-c.want) {
				t.Fatalf("dropped %d, want %d", a.Dropped(), 30-c.want)
			}
		})
	}
}
