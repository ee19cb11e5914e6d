// Package sipptest runs SIPp (Debian package sip-tester) against Anxin in
// tests: real SIP peers, not mocks. Tests skip where SIPp is missing,
// except in CI (CI set), which installs it and must not skip.
package sipptest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// Path returns SIPp's path, or skips the test (fails it in CI).
func Path(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("sipp")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sipp is not installed (apt-get install sip-tester)")
		}
		t.Skip("sipp is not installed (apt-get install sip-tester)")
	}
	return p
}

// FreePort returns a UDP port on loopback nobody uses now.
func FreePort(t testing.TB) int {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// Run makes one call of a scenario — a built-in name ("uac") or an .xml
// file, relative to the test's directory — from loopback to Anxin on port,
// dialling service, and returns SIPp's output and whether it failed. Later
// arguments override earlier ones (-p for a fixed local port).
func Run(t testing.TB, port int, service, scenario string, extra ...string) ([]byte, error) {
	t.Helper()
	args := []string{"127.0.0.1:" + strconv.Itoa(port), "-s", service, "-m", "1", "-i", "127.0.0.1",
		"-p", strconv.Itoa(FreePort(t)), "-mp", strconv.Itoa(FreePort(t)), "-timeout", "30s", "-timeout_error", "-nostdin"}
	cmd := exec.Command(Path(t), append(append(args, scenarioArgs(t, scenario)...), extra...)...)
	cmd.Dir = t.TempDir()
	return cmd.CombinedOutput()
}

// scenarioArgs names a scenario to SIPp: a built-in one ("uac", "uas") or
// an .xml file, relative to the test's directory.
func scenarioArgs(t testing.TB, scenario string) []string {
	if filepath.Ext(scenario) != ".xml" {
		return []string{"-sn", scenario}
	}
	abs, err := filepath.Abs(scenario)
	if err != nil {
		t.Fatal(err)
	}
	return []string{"-sf", abs}
}

// Tail returns the last n bytes of SIPp's output, for failure messages.
func Tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// Serve starts SIPp as the far end — a phone that answers ("uas" built in,
// or an .xml scenario) — listening on port, for one call; wait returns its
// output and whether it failed once the call is over.
func Serve(t testing.TB, port int, scenario string, extra ...string) (wait func() ([]byte, error)) {
	t.Helper()
	args := []string{"-p", strconv.Itoa(port), "-i", "127.0.0.1", "-mp", strconv.Itoa(FreePort(t)), "-m", "1",
		"-timeout", "90s", "-timeout_error", "-nostdin"}
	cmd := exec.Command(Path(t), append(append(args, scenarioArgs(t, scenario)...), extra...)...)
	cmd.Dir = t.TempDir()
	var out safeBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return func() ([]byte, error) {
		err := <-done
		return out.Bytes(), err
	}
}

// safeBuffer is a bytes.Buffer safe for SIPp's two output streams.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Bytes returns what was written.
func (s *safeBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}
