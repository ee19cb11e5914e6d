//go:build linux

package main

import (
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// carrierXML is SIPp's scenario; RING_MS and KEY_MS are replaced by -ring
// and -key-after.
//
//go:embed carrier.xml
var carrierXML string

// carrier is SIPp playing the demo trunk's carrier and every elder's phone
// behind it: one process for the whole run.
type carrier struct {
	cmd  *exec.Cmd
	log  string
	done chan error
}

// startCarrier writes the scenario into the data directory and starts SIPp
// listening on loopback port.
func startCarrier(o *options, port int) (*carrier, error) {
	dir := filepath.Join(o.data, "sipp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	xml := strings.NewReplacer("RING_MS", strconv.Itoa(int(o.ring/time.Millisecond)),
		"KEY_MS", strconv.Itoa(int(o.keyAfter/time.Millisecond))).Replace(carrierXML)
	sf := filepath.Join(dir, "carrier.xml")
	if err := os.WriteFile(sf, []byte(xml), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "sipp.out"))
	if err != nil {
		return nil, err
	}
	// -l: calls at once SIPp takes (far above -channels); -mp: where Anxin
	// sends the elders' phones their audio (dropped).
	cmd := exec.Command("sipp", "-sf", sf, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mp", strconv.Itoa(freeUDPPort()),
		"-l", "20000", "-nostdin", "-trace_err", "-error_file", filepath.Join(dir, "errors.log"))
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("sipp (apt-get install sip-tester): %w", err)
	}
	c := &carrier{cmd: cmd, log: logf.Name(), done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait(); logf.Close() }()
	return c, nil
}

// cpuTicks is SIPp's CPU time so far, in clock ticks (1/100 s).
func (c *carrier) cpuTicks() int64 { return procTicks(c.cmd.Process.Pid) }

// stop ends SIPp.
func (c *carrier) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
}

// procTicks reads utime+stime of a process from /proc (clock ticks).
func procTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return u + k
}
