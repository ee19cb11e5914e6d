package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin/sipua/sipptest"
)

// baresipPath returns baresip's path, or skips the test (fails it in CI,
// which installs baresip-core).
func baresipPath(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("baresip")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("baresip is not installed (apt-get install baresip-core)")
		}
		t.Skip("baresip is not installed (apt-get install baresip-core)")
	}
	return p
}

// baresip is a headless baresip softphone driven over its ctrl_tcp
// interface (netstring-framed JSON).
type baresip struct {
	dumps  string // sndfile's WAV files
	out    *lockedBuffer
	conn   net.Conn
	events chan baresipMessage
	done   chan struct{} // closed when the test ends
}

// baresipMessage is an event or a command's response from ctrl_tcp.
type baresipMessage struct {
	Event    bool   `json:"event"`
	Type     string `json:"type"`
	Response bool   `json:"response"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
}

// startBaresip starts baresip registering user/pass at Anxin's SIP
// address addr — over UDP, or over TLS trusting the certificate in the PEM
// file ca when ca is set — answering every call at once and sending a
// toneHz sine as its microphone; the process ends with the test.
func startBaresip(t *testing.T, addr, user, pass, ca string) *baresip {
	t.Helper()
	dir := t.TempDir()
	sipPort, ctrlPort := sipptest.FreePort(t), freeTCPPort(t)
	rtpPorts := "34200-34249" // UDP
	if ca != "" {
		rtpPorts = "34250-34299" // TLS
	}
	modules, err := filepath.Glob("/usr/lib/*/baresip/modules")
	if err != nil || len(modules) == 0 {
		modules = []string{"/usr/lib/baresip/modules"}
	}
	config := strings.Join([]string{
		"poll_method epoll",
		"sip_listen 127.0.0.1:" + strconv.Itoa(sipPort),
		"net_interface 127.0.0.1",
		"module_path " + modules[0],
		"module g711.so",
		"module ausine.so",
		"module aubridge.so",
		"module sndfile.so", // dumps what the phone hears and sends as WAV
		"snd_path " + filepath.Join(dir, "dumps"),
		"module_app account.so",
		"module_app menu.so",
		"module_app ctrl_tcp.so",
		"ctrl_tcp_listen 127.0.0.1:" + strconv.Itoa(ctrlPort),
		fmt.Sprintf("audio_source ausine,%d", toneHz),
		"ausrc_srate 48000", // ausine's only rate and layout; baresip resamples
		"ausrc_channels 2",
		"audio_player aubridge,nowhere",
		"audio_alert aubridge,nowhere",
		"rtp_ports " + rtpPorts,
		"",
	}, "\n")
	transport := "udp"
	if ca != "" {
		transport = "tls"
		config += "sip_cafile " + ca + "\n"
	}
	account := fmt.Sprintf("<sip:%s@%s;transport=%s>;auth_pass=%s;answermode=auto;audio_codecs=PCMA,PCMU;regint=600\n",
		user, addr, transport, pass)
	if err := os.Mkdir(filepath.Join(dir, "dumps"), 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"config": config, "accounts": account, "contacts": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p := &baresip{out: &lockedBuffer{}, events: make(chan baresipMessage, 64), done: make(chan struct{}), dumps: filepath.Join(dir, "dumps")}
	cmd := exec.Command(baresipPath(t), "-f", dir)
	cmd.Stdout, cmd.Stderr = p.out, p.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		close(p.done)
		if p.conn != nil {
			p.conn.Close()
		}
		cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("baresip's output:\n%s", tail(p.out.String(), 4000))
		}
	})
	for deadline := time.Now().Add(10 * time.Second); p.conn == nil; time.Sleep(50 * time.Millisecond) {
		p.conn, err = net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(ctrlPort))
		if err != nil && time.Now().After(deadline) {
			t.Fatalf("baresip's ctrl_tcp does not answer: %v\n%s", err, p.out.String())
		}
	}
	go p.read()
	return p
}

// read delivers ctrl_tcp's netstrings ("LEN:JSON,") as messages.
func (p *baresip) read() {
	defer close(p.events)
	r := bufio.NewReader(p.conn)
	for {
		n, err := r.ReadString(':')
		if err != nil {
			return
		}
		size, err := strconv.Atoi(n[:len(n)-1])
		if err != nil || size > 1<<20 {
			return
		}
		b := make([]byte, size+1) // the JSON and the trailing comma
		if _, err := io.ReadFull(r, b); err != nil {
			return
		}
		var m baresipMessage
		if json.Unmarshal(b[:size], &m) != nil {
			continue
		}
		select {
		case p.events <- m:
		case <-p.done:
			return
		}
	}
}

// await waits up to 20 s for an event of type typ (CALL_ESTABLISHED,
// CALL_CLOSED …), skipping others.
func (p *baresip) await(t *testing.T, typ string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m, ok := <-p.events:
			if !ok {
				t.Fatalf("baresip's ctrl_tcp closed before %s", typ)
			}
			if m.Event && m.Type == typ {
				return
			}
		case <-timeout:
			t.Fatalf("baresip: no %s within 20 s", typ)
		}
	}
}

// command runs a baresip command (as typed after "/" in its console).
func (p *baresip) command(t *testing.T, command string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"command": command, "token": command})
	if _, err := fmt.Fprintf(p.conn, "%d:%s,", len(b), b); err != nil {
		t.Fatalf("baresip %s: %v", command, err)
	}
}

// heard returns what the phone heard (8 kHz samples) in its only call so
// far that has ended, and removes the call's dumps.
func (p *baresip) heard(t *testing.T) []float64 {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(p.dumps, "*-dec.wav"))
	if len(files) != 1 {
		t.Fatalf("baresip's dumps of what it heard: %q, want one", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var x []float64
	if i := bytes.Index(b, []byte("data")); i >= 0 && len(b) >= i+8 {
		for j := i + 8; j+2 <= len(b); j += 2 {
			x = append(x, float64(int16(binary.LittleEndian.Uint16(b[j:]))))
		}
	}
	all, _ := filepath.Glob(filepath.Join(p.dumps, "*.wav"))
	for _, f := range all {
		os.Remove(f)
	}
	return x
}

// output returns what baresip printed.
func (p *baresip) output() string { return p.out.String() }

// freeTCPPort returns a TCP port on loopback nobody uses now.
func freeTCPPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
