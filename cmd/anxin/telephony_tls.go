package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"sync"

	"github.com/anxin-care/anxin/sipua"
)

// validateSIPTLS checks the SIP over TLS flags: the certificate and its key
// together, readable and matching, with telephony on.
func (c *Config) validateSIPTLS() error {
	if c.SIPTLSCert == "" && c.SIPTLSKey == "" {
		if c.SIPTLSAddr != "" {
			return errors.New("--sip-tls-addr needs --sip-tls-cert and --sip-tls-key")
		}
		return nil
	}
	if c.SIPTLSCert == "" || c.SIPTLSKey == "" {
		return errors.New("--sip-tls-cert and --sip-tls-key go together: SIP over TLS needs the certificate and its private key")
	}
	if c.SIPAddr == "" {
		return errors.New("--sip-tls-cert needs --sip-addr: SIP over TLS is served with the rest of telephony")
	}
	if c.SIPTLSAddr != "" {
		if _, err := netip.ParseAddrPort(c.SIPTLSAddr); err != nil {
			return fmt.Errorf("--sip-tls-addr must be IP:PORT, e.g. 0.0.0.0:5061: %v", err)
		}
	}
	if _, err := tls.LoadX509KeyPair(c.SIPTLSCert, c.SIPTLSKey); err != nil {
		return fmt.Errorf("--sip-tls-cert and --sip-tls-key: %w", err)
	}
	return nil
}

// sipTLSAddr is where SIP over TLS listens: --sip-tls-addr, or the host of
// sipAddr (the SIP address bound) and its port + 1.
func (c *Config) sipTLSAddr(sipAddr string) (string, error) {
	if c.SIPTLSAddr != "" {
		return c.SIPTLSAddr, nil
	}
	ap, err := netip.ParseAddrPort(sipAddr)
	if err != nil {
		return "", err
	}
	if ap.Port() >= 65535 {
		return "", fmt.Errorf("SIP port %d has no next port for TLS; set --sip-tls-addr", ap.Port())
	}
	return netip.AddrPortFrom(ap.Addr(), ap.Port()+1).String(), nil
}

// startSIPTLS serves SIP over TLS beside UDP and TCP when a certificate is
// configured; sipAddr is the SIP address bound. It returns the address
// served, "" when TLS is off.
func startSIPTLS(ctx context.Context, agent *sipua.Agent, c *Config, sipAddr string, log *slog.Logger) (string, error) {
	if c.SIPTLSCert == "" {
		return "", nil
	}
	addr, err := c.sipTLSAddr(sipAddr)
	if err != nil {
		return "", err
	}
	certs := &certFiles{cert: c.SIPTLSCert, key: c.SIPTLSKey, log: log}
	if _, err := certs.get(nil); err != nil {
		return "", fmt.Errorf("SIP over TLS: %w", err)
	}
	ln, err := tls.Listen("tcp", addr, &tls.Config{GetCertificate: certs.get, MinVersion: tls.VersionTLS12})
	if err != nil {
		return "", fmt.Errorf("cannot listen for SIP on tls %s: %w", addr, err)
	}
	go agent.ServeTLS(ctx, ln)
	log.Info("telephony: SIP over TLS", "addr", ln.Addr().String(), "cert", c.SIPTLSCert)
	return ln.Addr().String(), nil
}

// certFiles is a certificate and key served from their files: a renewed
// certificate (certbot, acme.sh) is read at the next handshake after the
// files change, without a restart.
type certFiles struct {
	cert, key string
	log       *slog.Logger

	mu    sync.Mutex
	pair  *tls.Certificate
	stamp string // the files' sizes and times when read
}

// get returns the current certificate (tls.Config.GetCertificate). A pair
// that does not load (a renewal half written) keeps the previous one.
func (f *certFiles) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	stamp := fileStamp(f.cert) + "|" + fileStamp(f.key)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.pair != nil && stamp == f.stamp {
		return f.pair, nil
	}
	pair, err := tls.LoadX509KeyPair(f.cert, f.key)
	if err != nil {
		if f.pair != nil {
			f.log.Warn("SIP over TLS: the certificate files changed but do not load; still serving the previous certificate", "err", err)
			f.stamp = stamp
			return f.pair, nil
		}
		return nil, err
	}
	f.pair, f.stamp = &pair, stamp
	return f.pair, nil
}

// fileStamp is a file's size and modification time ("" when unreadable).
func fileStamp(name string) string {
	st, err := os.Stat(name)
	if err != nil {
		return ""
	}
	return strconv.FormatInt(st.Size(), 10) + "@" + strconv.FormatInt(st.ModTime().UnixNano(), 10)
}
