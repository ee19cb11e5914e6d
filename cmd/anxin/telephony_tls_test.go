package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/sipua/sipptest"
)

// TestSIPTLSFlags: the certificate and key go together, with telephony
// on, and must load; TLS listens on the SIP port + 1 unless told.
func TestSIPTLSFlags(t *testing.T) {
	cert := sipptest.SelfSigned(t)
	for _, tc := range []struct {
		name string
		c    Config
		want string // "" for valid
	}{
		{"off", Config{SIPAddr: "127.0.0.1:5060"}, ""},
		{"on", Config{SIPAddr: "127.0.0.1:5060", SIPTLSCert: cert.CertFile, SIPTLSKey: cert.KeyFile}, ""},
		{"cert without key", Config{SIPAddr: "127.0.0.1:5060", SIPTLSCert: cert.CertFile}, "go together"},
		{"address without cert", Config{SIPAddr: "127.0.0.1:5060", SIPTLSAddr: "127.0.0.1:5061"}, "--sip-tls-addr needs"},
		{"no telephony", Config{SIPTLSCert: cert.CertFile, SIPTLSKey: cert.KeyFile}, "needs --sip-addr"},
		{"bad address", Config{SIPAddr: "127.0.0.1:5060", SIPTLSCert: cert.CertFile, SIPTLSKey: cert.KeyFile, SIPTLSAddr: "sips.example:5061"}, "IP:PORT"},
		{"key of another", Config{SIPAddr: "127.0.0.1:5060", SIPTLSCert: cert.CertFile, SIPTLSKey: sipptest.SelfSigned(t).KeyFile}, "private key does not match"},
		{"missing file", Config{SIPAddr: "127.0.0.1:5060", SIPTLSCert: cert.CertFile + ".gone", SIPTLSKey: cert.KeyFile}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.validateSIPTLS()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("validate: %v, want %q", err, tc.want)
			}
		})
	}
	c := Config{SIPAddr: "0.0.0.0:5060"}
	if a, err := c.sipTLSAddr("0.0.0.0:5060"); err != nil || a != "0.0.0.0:5061" {
		t.Fatalf("default TLS address %q %v", a, err)
	}
	c.SIPTLSAddr = "0.0.0.0:5062"
	if a, _ := c.sipTLSAddr("0.0.0.0:5060"); a != "0.0.0.0:5062" {
		t.Fatalf("--sip-tls-addr ignored: %q", a)
	}
}

// TestServeSIPTLS: `anxin serve --sip-tls-cert … --sip-tls-key …` answers
// OPTIONS over TLS, and an INVITE over TLS meets the same guard as over
// UDP: a node without trunks refuses it with 403 (sipgo as the peer: this
// machine's SIPp has no TLS; calls over TLS are in TestSoftphone and
// sipua's TestTLS).
func TestServeSIPTLS(t *testing.T) {
	cert := sipptest.SelfSigned(t)
	tlsPort := freeTCPPort(t)
	serveAnxin(t, "--data", t.TempDir(), "--rtp-ports", "34400-34500",
		"--sip-tls-cert", cert.CertFile, "--sip-tls-key", cert.KeyFile, "--sip-tls-addr", "127.0.0.1:"+strconv.Itoa(tlsPort))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ua, err := sipgo.NewUA(sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: cert.Roots}), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	params := sip.NewParams()
	params.Add("transport", "tls")
	anxinURI := sip.Uri{Host: "127.0.0.1", Port: tlsPort, UriParams: params}
	res, err := client.Do(ctx, sip.NewRequest(sip.OPTIONS, anxinURI))
	if err != nil || res.StatusCode != sip.StatusOK || res.Transport() != "TLS" {
		t.Fatalf("OPTIONS over TLS: %v %v", res, err)
	}
	offer, err := media.NewOffer(netip.MustParseAddr("127.0.0.1"), sipptest.FreePort(t), []media.Codec{media.PCMA})
	if err != nil {
		t.Fatal(err)
	}
	hotline := anxinURI
	hotline.User = "966666"
	dlg, err := sipgo.NewDialogClientCache(client, sip.ContactHeader{Address: sip.Uri{User: "13812345678", Host: "127.0.0.1"}}).
		Invite(ctx, hotline, offer, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		t.Fatal(err)
	}
	defer dlg.Close()
	var re *sipgo.ErrDialogResponse
	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); !errors.As(err, &re) || re.Res.StatusCode != sip.StatusForbidden {
		t.Fatalf("INVITE over TLS to a node without trunks: %v, want 403", err)
	}
}

// TestCertFilesReload: a renewed certificate is served from the next
// handshake on; files that do not load keep the previous one.
func TestCertFilesReload(t *testing.T) {
	first, second := sipptest.SelfSigned(t), sipptest.SelfSigned(t)
	f := &certFiles{cert: first.CertFile, key: first.KeyFile, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	a, err := f.get(nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := f.get(nil); b != a {
		t.Fatal("unchanged files were read again")
	}
	copyFile(t, second.CertFile, first.CertFile)
	copyFile(t, second.KeyFile, first.KeyFile)
	b, err := f.get(nil)
	if err != nil || string(b.Certificate[0]) == string(a.Certificate[0]) {
		t.Fatalf("renewed certificate not served: %v", err)
	}
	if err := os.WriteFile(first.KeyFile, []byte("half written"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := f.get(nil); err != nil || c != b {
		t.Fatalf("a broken renewal replaced the certificate: %v", err)
	}
}

// copyFile copies a file over another, with a later modification time.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	// Later than the first write, whatever the file system's clock
	// granularity.
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(to, later, later); err != nil {
		t.Fatal(err)
	}
}
