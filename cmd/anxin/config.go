package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin/store"
)

// Config is everything anxin reads from flags and the environment. Flags win
// over ANXIN_* variables; a secret can come from a file named by the
// variable's _FILE variant. What operators change at run time lives in the
// database instead.
type Config struct {
	DataDir       string // --data, ANXIN_DATA: SQLite file, recordings, uploads
	DatabaseURL   string // --database, ANXIN_DATABASE_URL(_FILE): postgres://… selects PostgreSQL
	Addr          string // --addr, ANXIN_ADDR
	Demo          bool   // --demo
	LogFormat     string // --log-format, ANXIN_LOG_FORMAT: text or json
	LogLevel      string // --log-level, ANXIN_LOG_LEVEL: debug, info, warn, error
	SecureCookies bool   // --secure-cookies, ANXIN_SECURE_COOKIES: behind TLS
	TrustProxy    bool   // --trust-proxy, ANXIN_TRUST_PROXY: X-Forwarded-For is honest
	// Telephony: SIP on SIPAddr (UDP and TCP; "" = off, except with --demo,
	// which uses 127.0.0.1:5060), media on the RTP port range, SIPHost
	// the address peers reach this node at (default: SIPAddr's host).
	SIPAddr  string // --sip-addr, ANXIN_SIP_ADDR
	SIPHost  string // --sip-host, ANXIN_SIP_HOST
	RTPPorts string // --rtp-ports, ANXIN_RTP_PORTS: "20000-29999"
	// SIP over TLS, served when a certificate and its key are set: on
	// SIPTLSAddr, by default SIPAddr's host and its port + 1.
	SIPTLSCert string // --sip-tls-cert, ANXIN_SIP_TLS_CERT: PEM certificate chain
	SIPTLSKey  string // --sip-tls-key, ANXIN_SIP_TLS_KEY: PEM private key
	SIPTLSAddr string // --sip-tls-addr, ANXIN_SIP_TLS_ADDR
	// Recordings (cmd/anxin/recordings.go): how long they are kept and the
	// free space below which no call is recorded.
	RecordingRetention string // --recording-retention, ANXIN_RECORDING_RETENTION: "180d"; 0 keeps them forever
	RecordingMinFree   string // --recording-min-free, ANXIN_RECORDING_MIN_FREE: "2GiB" or "5%"
}

// env reads ANXIN_name, or the content of the file named by ANXIN_name_FILE.
func env(getenv func(string) string, name string) (string, error) {
	if v := getenv("ANXIN_" + name); v != "" {
		return v, nil
	}
	if f := getenv("ANXIN_" + name + "_FILE"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("ANXIN_%s_FILE: %w", name, err)
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

// storageFlags registers --data and --database on fs with their
// environment defaults.
func (c *Config) storageFlags(fs *flag.FlagSet, getenv func(string) string) error {
	data, err := env(getenv, "DATA")
	if err != nil {
		return err
	}
	if data == "" {
		data = "./anxin-data"
	}
	url, err := env(getenv, "DATABASE_URL")
	if err != nil {
		return err
	}
	fs.StringVar(&c.DataDir, "data", data, "data directory: SQLite database, recordings, uploads (env ANXIN_DATA)")
	fs.StringVar(&c.DatabaseURL, "database", url, "PostgreSQL URL postgres://…; empty uses SQLite in --data (env ANXIN_DATABASE_URL, ANXIN_DATABASE_URL_FILE)")
	return nil
}

// serveFlags registers the flags of anxin serve.
func (c *Config) serveFlags(fs *flag.FlagSet, getenv func(string) string) {
	def := func(name, fallback string) string {
		if v := getenv("ANXIN_" + name); v != "" {
			return v
		}
		return fallback
	}
	fs.StringVar(&c.Addr, "addr", def("ADDR", "127.0.0.1:8080"), "HTTP listen address (env ANXIN_ADDR)")
	fs.BoolVar(&c.Demo, "demo", false, "load the demo dataset into an empty database first and print its logins")
	fs.StringVar(&c.LogFormat, "log-format", def("LOG_FORMAT", "text"), "log format: text or json (env ANXIN_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", def("LOG_LEVEL", "info"), "log level: debug, info, warn, error (env ANXIN_LOG_LEVEL)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", def("SECURE_COOKIES", "") == "true", "mark cookies Secure; set when served over HTTPS (env ANXIN_SECURE_COOKIES=true)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", def("TRUST_PROXY", "") == "true", "take client addresses from X-Forwarded-For (env ANXIN_TRUST_PROXY=true)")
	fs.StringVar(&c.SIPAddr, "sip-addr", def("SIP_ADDR", ""), "SIP listen address, UDP and TCP, e.g. 0.0.0.0:5060; empty: no telephony (--demo: 127.0.0.1:5060) (env ANXIN_SIP_ADDR)")
	fs.StringVar(&c.SIPHost, "sip-host", def("SIP_HOST", ""), "address trunks and phones reach this node at, for SIP and SDP (default: the --sip-addr host) (env ANXIN_SIP_HOST)")
	fs.StringVar(&c.RTPPorts, "rtp-ports", def("RTP_PORTS", "20000-29999"), "RTP port range for call media (env ANXIN_RTP_PORTS)")
	fs.StringVar(&c.SIPTLSCert, "sip-tls-cert", def("SIP_TLS_CERT", ""), "PEM certificate (chain) file: serve SIP over TLS too, with --sip-tls-key (env ANXIN_SIP_TLS_CERT)")
	fs.StringVar(&c.SIPTLSKey, "sip-tls-key", def("SIP_TLS_KEY", ""), "PEM private key file of --sip-tls-cert (env ANXIN_SIP_TLS_KEY)")
	fs.StringVar(&c.SIPTLSAddr, "sip-tls-addr", def("SIP_TLS_ADDR", ""), "SIP over TLS listen address (default: the --sip-addr host, its port + 1) (env ANXIN_SIP_TLS_ADDR)")
	fs.StringVar(&c.RecordingRetention, "recording-retention", def("RECORDING_RETENTION", defaultRecordingRetention), "how long call recordings are kept: days (\"180d\"); 0 keeps them forever (env ANXIN_RECORDING_RETENTION)")
	fs.StringVar(&c.RecordingMinFree, "recording-min-free", def("RECORDING_MIN_FREE", defaultRecordingMinFree), "free disk space below which calls are not recorded and an alarm is raised: bytes (\"2GiB\") or a share (\"5%\") (env ANXIN_RECORDING_MIN_FREE)")
}

// Validate checks the configuration once, before anything starts.
func (c *Config) Validate() error {
	if c.DatabaseURL != "" && !store.IsPostgresURL(c.DatabaseURL) {
		return fmt.Errorf("--database must be a postgres:// URL; leave it empty to use SQLite in --data")
	}
	if c.DatabaseURL == "" && c.DataDir == "" {
		return fmt.Errorf("--data must not be empty")
	}
	if c.LogFormat != "" && c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat)
	}
	if c.LogLevel != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
			return fmt.Errorf("--log-level: %w", err)
		}
	}
	if c.SIPAddr == "" && c.Demo {
		c.SIPAddr = "127.0.0.1:5060"
	}
	if c.SIPAddr != "" {
		if _, err := netip.ParseAddrPort(c.SIPAddr); err != nil {
			return fmt.Errorf("--sip-addr must be IP:PORT, e.g. 0.0.0.0:5060: %v", err)
		}
		if _, _, err := c.RTPRange(); err != nil {
			return err
		}
	}
	if err := c.validateSIPTLS(); err != nil {
		return err
	}
	if err := c.validateRecordings(); err != nil {
		return err
	}
	return nil
}

// RTPRange parses --rtp-ports.
func (c *Config) RTPRange() (int, int, error) {
	lo, hi, ok := strings.Cut(c.RTPPorts, "-")
	a, err1 := strconv.Atoi(strings.TrimSpace(lo))
	b, err2 := strconv.Atoi(strings.TrimSpace(hi))
	if !ok || err1 != nil || err2 != nil || a < 1024 || b > 65534 || b-a < 10 {
		return 0, 0, fmt.Errorf("--rtp-ports must be a range like 20000-29999 within 1024-65534, got %q", c.RTPPorts)
	}
	return a, b, nil
}

// StoreConfig says where the database is.
func (c *Config) StoreConfig() store.Config {
	return store.Config{URL: c.DatabaseURL, DataDir: c.DataDir}
}

// Where describes the database for messages, without secrets.
func (c *Config) Where() string {
	if c.DatabaseURL != "" {
		return "PostgreSQL"
	}
	return "SQLite in " + c.DataDir
}
