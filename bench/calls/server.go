//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"
)

// server is the Anxin under test and the API calls the benchmark makes.
type server struct {
	base     string // http://127.0.0.1:PORT
	sip      netip.AddrPort
	pid      int
	data     string // data directory, "" when unknown (no recordings check)
	engine   string // "SQLite" or "PostgreSQL"
	fresh    bool   // started by the benchmark: its counters start with the run
	token    string // the operator's API token
	operator string
	password string
	http     *http.Client

	cmd  *exec.Cmd
	done chan struct{}
}

// openServer starts `anxin serve --demo` on a fresh data directory (or the
// given PostgreSQL database) with SIP and media on loopback, or takes the
// running server of the flags.
func openServer(ctx context.Context, o *options, work string, log func(string, ...any)) (*server, error) {
	s := &server{operator: o.operator, http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute},
	}}
	if o.anxin == "" {
		ap, err := netip.ParseAddrPort(o.sipAddr)
		if err != nil {
			return nil, fmt.Errorf("-sip: %w", err)
		}
		s.base, s.sip, s.pid, s.data = strings.TrimSuffix(o.url, "/"), ap, o.pid, o.dataDir
		s.token, s.password, s.engine = o.token, o.pwd, "as running"
		return s, nil
	}
	s.data, s.engine, s.fresh = filepath.Join(work, "data"), "SQLite", true
	storage := []string{"--data", s.data}
	if o.database != "" {
		storage, s.engine = []string{"--database", o.database}, "PostgreSQL"
	}
	args := append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--sip-addr", "127.0.0.1:0",
		"--rtp-ports", o.rtpPorts, "--log-level", "warn"}, storage...)
	cmd := exec.Command(o.anxin, args...)
	// The data directory holds the recordings even on PostgreSQL.
	cmd.Env = append(os.Environ(), "ANXIN_DATA="+s.data)
	errLog, err := os.Create(filepath.Join(work, "serve.err"))
	if err != nil {
		return nil, err
	}
	cmd.Stderr = errLog
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", o.anxin, err)
	}
	s.cmd, s.pid, s.done = cmd, cmd.Process.Pid, make(chan struct{})
	lines := make(chan string, 64)
	go func() {
		defer close(lines)
		f, _ := os.Create(filepath.Join(work, "serve.out"))
		defer f.Close()
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			fmt.Fprintln(f, sc.Text())
			lines <- sc.Text()
		}
	}()
	go func() { cmd.Wait(); errLog.Close(); close(s.done) }()
	log("anxin serve --demo (pid %d) on %s: loading the demo data", s.pid, s.engine)
	running := regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+)/`)
	sipLine := regexp.MustCompile(`^Telephony: SIP on udp/tcp (\S+);`)
	deadline := time.After(5 * time.Minute)
	for s.base == "" || !s.sip.IsValid() {
		select {
		case l, ok := <-lines:
			if !ok {
				s.close()
				return nil, fmt.Errorf("anxin serve ended before it was ready; see %s", filepath.Join(work, "serve.err"))
			}
			if m := running.FindStringSubmatch(l); m != nil {
				s.base = m[1]
			}
			if m := sipLine.FindStringSubmatch(l); m != nil {
				s.sip, _ = netip.ParseAddrPort(m[1])
			}
			if f := strings.Fields(l); len(f) >= 2 && f[0] == o.operator && s.password == "" {
				s.password = f[1] // the printed demo logins
			}
		case <-deadline:
			s.close()
			return nil, errors.New("anxin serve was not ready within 5 minutes")
		case <-ctx.Done():
			s.close()
			return nil, ctx.Err()
		}
	}
	go func() {
		for range lines {
		}
	}()
	if s.password == "" {
		s.close()
		return nil, fmt.Errorf("no password for %s among the printed demo logins", o.operator)
	}
	tok, err := createToken(o.anxin, storage, o.operator)
	if err != nil {
		s.close()
		return nil, err
	}
	s.token = tok
	log("anxin ready at %s, SIP %s", s.base, s.sip)
	return s, nil
}

// createToken creates an API token for username with `anxin token create`.
func createToken(bin string, storage []string, username string) (string, error) {
	args := append(append([]string{"token", "create"}, storage...), "--name", "bench-calls", username)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("anxin token create %s: %v: %s", username, err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "anx_") {
			return l, nil
		}
	}
	return "", fmt.Errorf("anxin token create %s printed no token: %s", username, out)
}

// close stops a server the benchmark started.
func (s *server) close() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	s.cmd = nil
}

// apiError is an API answer other than the one expected.
type apiError struct {
	status int
	body   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.status, strings.TrimSpace(e.body))
}

// api sends a JSON API request with the operator's token and decodes a 2xx
// answer into out (when not nil).
func (s *server) api(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode/100 != 2 {
		return &apiError{status: res.StatusCode, body: string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// targets returns the numbers of up to n demo elders of the operator's
// area — registered elders pass the toll-fraud guard as real check-ins
// do. Reading the full numbers is audited, with the benchmark as reason.
func (s *server) targets(ctx context.Context, n int) ([]target, error) {
	var list struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := s.api(ctx, "GET", fmt.Sprintf("/api/v1/elders?limit=%d", min(n, 1000)), nil, &list); err != nil {
		return nil, fmt.Errorf("list elders: %w", err)
	}
	var out []target
	for _, it := range list.Items {
		var e struct {
			Phones []struct {
				Number string `json:"number"`
			} `json:"phones"`
		}
		path := fmt.Sprintf("/api/v1/elders/%d?reveal=true&reason=%s", it.ID, url.QueryEscape("bench/calls load test"))
		if err := s.api(ctx, "GET", path, nil, &e); err != nil {
			return nil, fmt.Errorf("elder %d: %w", it.ID, err)
		}
		if len(e.Phones) > 0 {
			out = append(out, target{elder: it.ID, number: e.Phones[0].Number})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s sees no elder with a phone number", s.operator)
	}
	return out, nil
}

// target is an elder a check-in rings.
type target struct {
	elder  int64
	number string
}

// freeUDPPort returns a UDP port on loopback nobody uses now.
func freeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}
