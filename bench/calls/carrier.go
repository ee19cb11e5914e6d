//go:build linux

package main

import (
	_ "embed"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The carrier's scenarios: SIPp playing the elders' media too (-media
// sipp), or answering with this program's media gateway (-media bench).
var (
	//go:embed carrier.xml
	carrierPCAP []byte
	//go:embed carrier_gateway.xml
	carrierGateway []byte
)

// carrier is SIPp playing the demo trunk's carrier and the elders' phones
// behind it, one process for the whole run, with this program's media
// gateway when it sends the media.
type carrier struct {
	cmd     *exec.Cmd
	dir     string
	done    chan struct{}
	err     error
	gateway *gateway // -media bench
}

// startCarrier writes the scenario and what it plays next to each other
// in dir (SIPp looks for a pcap next to its scenario) and starts SIPp
// listening on o.carrier.
func startCarrier(o *options, dir string) (*carrier, error) {
	host, port, err := net.SplitHostPort(o.carrier)
	if err != nil {
		return nil, fmt.Errorf("-carrier: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	v, err := newVoice(o.keyAt, '1')
	if err != nil {
		return nil, err
	}
	// A free port for [media_port]: with -media sipp Anxin sends the
	// elders' phones their audio there (SIPp drops it) and the pcap plays
	// from it; SIPp opens it whatever the scenario.
	mp, err := freeUDPPort()
	if err != nil {
		return nil, err
	}
	c := &carrier{dir: dir, done: make(chan struct{})}
	args := []string{"-i", host, "-p", port, "-mi", host, "-mp", strconv.Itoa(mp), "-d", strconv.Itoa(int(o.ring.Milliseconds())),
		"-nostdin", "-trace_err", "-trace_stat", "-stf", "stats.csv", "-fd", "1"}
	if o.media == "sipp" {
		// The elder's stream: the key at -key-after, then 15 s more of
		// her side (the thanks lasts 5 s); SIPp stops the play at the BYE.
		if err := writePCAP(filepath.Join(dir, "elder.pcap"), v, o.keyAt+15*time.Second); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "carrier.xml"), carrierPCAP, 0o644); err != nil {
			return nil, err
		}
		args = append(args, "-sf", "carrier.xml")
	} else {
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return nil, fmt.Errorf("-carrier: %w", err)
		}
		if c.gateway, err = startGateway(ip, 0, v); err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(dir, "carrier_gateway.xml"), carrierGateway, 0o644); err != nil {
			c.gateway.close()
			return nil, err
		}
		args = append(args, "-sf", "carrier_gateway.xml", "-key", "gateway_port", strconv.Itoa(c.gateway.port()))
	}
	out, err := os.Create(filepath.Join(dir, "sipp.out"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(o.sipp, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, out, out
	if err := cmd.Start(); err != nil {
		out.Close()
		if c.gateway != nil {
			c.gateway.close()
		}
		return nil, fmt.Errorf("start SIPp (%s): %w", o.sipp, err)
	}
	c.cmd = cmd
	go func() { c.err = cmd.Wait(); out.Close(); close(c.done) }()
	// SIPp fails at once when the port is taken; give it a moment.
	select {
	case <-c.done:
		if c.gateway != nil {
			c.gateway.close()
		}
		b, _ := os.ReadFile(filepath.Join(dir, "sipp.out"))
		return nil, fmt.Errorf("SIPp ended at start (%v): %s", c.err, tail(b, 600))
	case <-time.After(time.Second):
	}
	return c, nil
}

func (c *carrier) pid() int { return c.cmd.Process.Pid }

// stop ends SIPp and the media gateway.
func (c *carrier) stop() {
	if c.gateway != nil {
		c.gateway.close()
		c.gateway = nil
	}
	select {
	case <-c.done:
		return
	default:
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
}

// alive reports whether SIPp still runs.
func (c *carrier) alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// stats returns SIPp's last statistics line (-trace_stat) by column name:
// SuccessfulCall(C), FailedCall(C), CurrentCall, IncomingCall(C), ….
func (c *carrier) stats() (map[string]string, error) {
	b, err := os.ReadFile(filepath.Join(c.dir, "stats.csv"))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) < 2 {
		return nil, errors.New("SIPp wrote no statistics")
	}
	head, last := strings.Split(lines[0], ";"), strings.Split(lines[len(lines)-1], ";")
	m := map[string]string{}
	for i, h := range head {
		if i < len(last) {
			m[h] = last[i]
		}
	}
	return m, nil
}

// errors returns the first lines of SIPp's error log, if any.
func (c *carrier) errorLog() string {
	ents, _ := os.ReadDir(c.dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), "_errors.log") {
			b, _ := os.ReadFile(filepath.Join(c.dir, e.Name()))
			return string(b)
		}
	}
	return ""
}

// tail returns the last n bytes of b.
func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
