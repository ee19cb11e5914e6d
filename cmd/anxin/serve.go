package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/web"
)

func (e *cmdEnv) serve(ctx context.Context, args []string) error {
	t0 := time.Now()
	var c Config
	fs, err := e.flags("serve", &c)
	if err != nil {
		return err
	}
	c.serveFlags(fs, e.getenv)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve takes no arguments, got %q", fs.Args())
	}
	if err := c.Validate(); err != nil {
		return err
	}
	log := newLogger(&c, e.stderr)
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.LoadCalendar(ctx); err != nil {
		return err
	}
	// No call survives a restart: this node's legs still open are closed.
	node, _ := os.Hostname()
	if n, err := db.CloseInterruptedCalls(ctx, node, time.Now()); err != nil {
		return err
	} else if n > 0 {
		log.Warn("calls interrupted by the restart closed", "calls", n, "node", node)
	}
	if n, err := db.ResetAgents(ctx, node); err != nil {
		return err
	} else if n > 0 {
		log.Warn("operators left on calls of this node set ready", "operators", n, "node", node)
	}

	n, err := db.CountAccounts(ctx)
	if err != nil {
		return err
	}
	switch {
	case c.Demo && n == 0:
		if err := e.loadDemo(ctx, db, &c); err != nil {
			return err
		}
	case c.Demo:
		fmt.Fprintf(e.stdout, "The database already has accounts; the demo dataset was not loaded again.\n")
	case n == 0:
		fmt.Fprintf(e.stdout, "No accounts yet. Create the first administrator (its password is printed once):\n\n    anxin user add --admin %s USERNAME\n\n", e.storageArgs(&c))
	}

	srv, err := web.New(web.Config{
		DB: db, Hasher: e.hasher, Logger: log, Version: version,
		SecureCookies: c.SecureCookies, TrustProxy: c.TrustProxy, RecordDir: filepath.Join(c.DataDir, "recordings"),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", c.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          nil,
	}
	mctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go srv.RunMaintenance(mctx, 10*time.Minute)
	go srv.RunClocks(mctx, 30*time.Second)
	go runDoorKnocks(mctx, db, log, doorKnockInterval)
	rctx, stopRecordings := context.WithCancel(ctx)
	rs, waitRecordings, err := startRecordings(rctx, &c, db, node, log)
	if err != nil {
		stopRecordings()
		return err
	}
	defer func() { stopRecordings(); waitRecordings() }()
	tel, err := startTelephony(mctx, db, srv, &c, node, log, rs)
	if err != nil {
		return err
	}
	defer tel.close()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()

	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(e.stdout, "Anxin %s is running at %s (database: %s; ready in %d ms)\n", version, url, c.Where(), time.Since(t0).Milliseconds())
	if tel != nil {
		fmt.Fprintf(e.stdout, "Telephony: SIP on udp/tcp %s; hotline numbers %s\n", tel.addr, strings.Join(tel.numbers, ", "))
		if tel.tlsAddr != "" {
			fmt.Fprintf(e.stdout, "Telephony: SIP over TLS on %s\n", tel.tlsAddr)
		}
	}
	log.Info("listening", "addr", ln.Addr().String(), "database", c.Where(), "startup_ms", time.Since(t0).Milliseconds())
	if e.ready != nil {
		e.ready(strings.TrimSuffix(url, "/"))
	}
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer scancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// storageArgs repeats the storage flags for a printed command line.
func (e *cmdEnv) storageArgs(c *Config) string {
	if c.DatabaseURL != "" {
		return "--database \"$ANXIN_DATABASE_URL\""
	}
	return "--data " + c.DataDir
}

// loadDemo loads the demo dataset and prints the logins once; with SQLite
// they are also kept in DATA/demo-logins.txt (mode 0600) for the trainer.
func (e *cmdEnv) loadDemo(ctx context.Context, db *store.DB, c *Config) error {
	logins, err := demo.Load(ctx, db, e.hasher)
	if err != nil {
		return err
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tPASSWORD\tROLES\tORGANISATION\tPHONE (SIP EXTENSION / PASSWORD)")
	for _, l := range logins {
		phone := ""
		if l.Extension != "" {
			phone = l.Extension + " / " + l.SIPPassword
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Username, l.Password, strings.Join(l.Roles, ","), l.Org, phone)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "Demo dataset loaded: the Shanghai pilot streets 曹杨新村, 北新泾, 彭浦新村, 友谊路. Demo logins:\n\n%s\n", b.String())
	if db.Engine() == store.SQLite {
		path := filepath.Join(c.DataDir, "demo-logins.txt")
		if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		fmt.Fprintf(e.stdout, "(also saved in %s)\n", path)
	}
	return e.systemAudit(ctx, db, "demo.load", "", "", fmt.Sprintf("%d demo accounts", len(logins)))
}
