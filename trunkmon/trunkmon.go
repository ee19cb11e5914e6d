// Package trunkmon watches a node's trunks to the telephone network. It
// registers to the carriers of registering trunks, probes static trunks
// that have a host with OPTIONS, and records each trunk's status on the
// node (store.SetTrunkStatus) for the console and for calls out, which
// skip trunks down on their node. It keeps the SIP agent's allowed peers
// in line with the trunks: their peer addresses, and the carrier's address
// for registering trunks (calls come from where Anxin registered). It
// re-reads the trunks every little while, so that a change made in the
// console applies on every node without a restart. It knows no call flow
// and no HTTP.
package trunkmon

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/store"
)

// Config configures a Monitor.
type Config struct {
	DB    *store.DB
	Agent *sipua.Agent
	// Node names this anxin process in the trunks' statuses.
	Node string
	// Probe is the time between OPTIONS probes of a static trunk (default
	// 30 s); ProbeTimeout bounds one probe (default 5 s). A trunk is down
	// after its second unanswered probe in a row, up on any answer.
	Probe, ProbeTimeout time.Duration
	// Reload is the time between reads of the trunk list (default 10 s).
	Reload time.Duration
	// Register tunes the registrations (Expires, Timeout, RetryMin,
	// RetryMax); the host, credentials and OnState are the monitor's.
	Register sipua.RegisterConfig
	// Resolve looks up a carrier's host name (default: the system's
	// resolver); addresses pass through.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	Log     *slog.Logger
}

// Monitor watches the trunks of a node; Start runs it, Close stops it.
type Monitor struct {
	cfg    Config
	cancel context.CancelFunc
	done   chan struct{}

	// The run goroutine's own.
	regs     map[int64]*registration
	probes   map[int64]*prober
	offs     map[int64]string // trunks recorded off, with why
	peers    string           // the peers last given to the agent
	resolved map[string][]netip.Addr
}

// registration is a registering trunk's registration and what it was
// started with.
type registration struct {
	key string
	r   *sipua.Registration
}

// prober is a static trunk's probing state.
type prober struct {
	host  string
	fails int // unanswered probes in a row
}

// New builds a monitor with cfg's defaults filled in.
func New(cfg Config) *Monitor {
	if cfg.Probe <= 0 {
		cfg.Probe = 30 * time.Second
	}
	if cfg.ProbeTimeout <= 0 {
		cfg.ProbeTimeout = 5 * time.Second
	}
	if cfg.Reload <= 0 {
		cfg.Reload = 10 * time.Second
	}
	if cfg.Resolve == nil {
		cfg.Resolve = resolveHost
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Monitor{cfg: cfg, regs: map[int64]*registration{}, probes: map[int64]*prober{}, offs: map[int64]string{},
		resolved: map[string][]netip.Addr{}}
}

// Start runs the monitor in the background until Close.
func (m *Monitor) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel, m.done = cancel, make(chan struct{})
	go m.run(ctx)
}

// Close stops the monitor: registrations are removed at the carriers and
// every trunk is recorded off on this node. The SIP agent must still be
// running.
func (m *Monitor) Close() {
	if m.cancel == nil {
		return
	}
	m.cancel()
	<-m.done
}

func (m *Monitor) run(ctx context.Context) {
	defer close(m.done)
	reload, probe := time.NewTicker(m.cfg.Reload), time.NewTicker(m.cfg.Probe)
	defer reload.Stop()
	defer probe.Stop()
	m.probe(ctx, m.reconcile(ctx))
	for {
		select {
		case <-ctx.Done():
			m.stop()
			return
		case <-reload.C:
			m.probe(ctx, m.reconcile(ctx))
		case <-probe.C:
			m.probe(ctx, m.probes)
		}
	}
}

// reconcile reads the trunks and brings the registrations, probes and
// peers in line with them; it returns the probes to run at once (new or
// changed hosts).
func (m *Monitor) reconcile(ctx context.Context) map[int64]*prober {
	trunks, err := m.cfg.DB.Trunks(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.cfg.Log.Warn("trunks: cannot read them", "err", err)
		}
		return nil
	}
	m.setPeers(ctx, trunks)
	fresh := map[int64]*prober{}
	keep := map[int64]bool{}
	for _, t := range trunks {
		keep[t.ID] = true
		switch {
		case !t.Enabled:
			m.stopTrunk(t.ID)
			m.off(ctx, t.ID, "disabled")
		case t.Kind == anxin.TrunkRegister:
			delete(m.probes, t.ID)
			m.register(ctx, t)
		case t.Host == "":
			m.stopTrunk(t.ID)
			m.off(ctx, t.ID, "no host to probe")
		default:
			m.stopRegistration(t.ID)
			delete(m.offs, t.ID)
			if p := m.probes[t.ID]; p == nil || p.host != t.Host {
				m.probes[t.ID] = &prober{host: t.Host}
				fresh[t.ID] = m.probes[t.ID]
			}
		}
	}
	for id := range m.regs {
		if !keep[id] {
			m.stopRegistration(id)
		}
	}
	for id := range m.probes {
		if !keep[id] {
			delete(m.probes, id)
		}
	}
	return fresh
}

// stopTrunk stops whatever watches trunk id.
func (m *Monitor) stopTrunk(id int64) {
	m.stopRegistration(id)
	delete(m.probes, id)
}

// off records trunk id off (once for the same reason).
func (m *Monitor) off(ctx context.Context, id int64, why string) {
	if m.offs[id] == why {
		return
	}
	if m.set(ctx, id, anxin.TrunkOff, why) == nil {
		m.offs[id] = why
	}
}

// set records a trunk's status on this node.
func (m *Monitor) set(ctx context.Context, id int64, state, detail string) error {
	err := m.cfg.DB.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: id, Node: m.cfg.Node, State: state, Detail: detail})
	if err != nil && ctx.Err() == nil {
		m.cfg.Log.Warn("trunk status", "trunk", id, "err", err)
	}
	return err
}

// register starts (or restarts, when its settings changed) a trunk's
// registration; its states become the trunk's status.
func (m *Monitor) register(ctx context.Context, t *anxin.Trunk) {
	key := strings.Join([]string{t.Host, t.Username, t.Password}, "\x00")
	if r := m.regs[t.ID]; r != nil && r.key == key {
		return
	}
	m.stopRegistration(t.ID)
	delete(m.offs, t.ID)
	cfg := m.cfg.Register
	cfg.Host, cfg.Username, cfg.Password = t.Host, t.Username, t.Password
	id, name := t.ID, t.Name
	cfg.OnState = func(s sipua.RegState) {
		state := map[string]string{sipua.RegRegistering: anxin.TrunkRegistering, sipua.RegRegistered: anxin.TrunkUp,
			sipua.RegFailing: anxin.TrunkDown, sipua.RegOff: anxin.TrunkOff}[s.State]
		if s.State == sipua.RegFailing {
			m.cfg.Log.Warn("trunk registration failing", "trunk", name, "detail", s.Detail())
		}
		m.set(context.Background(), id, state, s.Detail())
	}
	r, err := m.cfg.Agent.Register(cfg)
	if err != nil {
		m.set(ctx, t.ID, anxin.TrunkDown, err.Error())
		return
	}
	m.regs[t.ID] = &registration{key: key, r: r}
}

// stopRegistration removes trunk id's registration at the carrier, if any.
func (m *Monitor) stopRegistration(id int64) {
	r := m.regs[id]
	if r == nil {
		return
	}
	delete(m.regs, id)
	m.unregister(id, r)
}

// unregister closes a registration, removing the binding at the carrier.
func (m *Monitor) unregister(id int64, r *registration) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.r.Close(ctx); err != nil {
		m.cfg.Log.Warn("trunk unregister", "trunk", id, "err", err)
	}
}

// probe sends OPTIONS to each trunk of ps at once and records the
// outcomes: up on any answer, down at the second unanswered probe in a
// row.
func (m *Monitor) probe(ctx context.Context, ps map[int64]*prober) {
	type result struct {
		id     int64
		p      *prober
		code   int
		reason string
		err    error
	}
	results := make(chan result, len(ps))
	for id, p := range ps {
		go func() {
			pctx, cancel := context.WithTimeout(ctx, m.cfg.ProbeTimeout)
			defer cancel()
			code, reason, err := m.cfg.Agent.Probe(pctx, p.host)
			results <- result{id, p, code, reason, err}
		}()
	}
	for range ps {
		r := <-results
		if ctx.Err() != nil {
			continue
		}
		if r.err == nil {
			r.p.fails = 0
			m.set(ctx, r.id, anxin.TrunkUp, fmt.Sprintf("OPTIONS: %d %s", r.code, r.reason))
			continue
		}
		r.p.fails++
		if r.p.fails >= 2 {
			if r.p.fails == 2 {
				m.cfg.Log.Warn("trunk down: no answer to OPTIONS", "trunk", r.id, "host", r.p.host)
			}
			m.set(ctx, r.id, anxin.TrunkDown, fmt.Sprintf("OPTIONS: no response (%d in a row)", r.p.fails))
		}
	}
}

// stop removes every registration (at once) and records every trunk off
// on this node.
func (m *Monitor) stop() {
	var wg sync.WaitGroup
	for id, r := range m.regs {
		wg.Go(func() { m.unregister(id, r) })
	}
	wg.Wait()
	clear(m.regs)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	trunks, err := m.cfg.DB.Trunks(ctx)
	if err != nil {
		return
	}
	for _, t := range trunks {
		m.set(ctx, t.ID, anxin.TrunkOff, "node stopped")
	}
}

// setPeers gives the agent the enabled trunks' addresses when they
// changed.
func (m *Monitor) setPeers(ctx context.Context, trunks []*anxin.Trunk) {
	peers := Peers(ctx, trunks, func(ctx context.Context, host string) ([]netip.Addr, error) {
		addrs, err := m.cfg.Resolve(ctx, host)
		if err != nil {
			m.cfg.Log.Warn("trunk host: cannot resolve it; keeping its last addresses", "host", host, "err", err)
			return m.resolved[host], nil
		}
		m.resolved[host] = addrs
		return addrs, nil
	})
	text := fmt.Sprint(peers)
	if text == m.peers {
		return
	}
	m.cfg.Agent.SetPeers(peers)
	if m.peers != "" {
		m.cfg.Log.Info("trunks: calls now come in from", "peers", text)
	}
	m.peers = text
}

// Peers returns the addresses calls may come from for the enabled trunks:
// their peer prefixes, and the addresses of a registering trunk's carrier
// (resolved with resolve), sorted and without repeats.
func Peers(ctx context.Context, trunks []*anxin.Trunk, resolve func(ctx context.Context, host string) ([]netip.Addr, error)) []netip.Prefix {
	if resolve == nil {
		resolve = resolveHost
	}
	var out []netip.Prefix
	for _, t := range trunks {
		if !t.Enabled {
			continue
		}
		out = append(out, t.Peers...)
		if t.Kind != anxin.TrunkRegister || t.Host == "" {
			continue
		}
		host := t.Host
		if h, _, err := net.SplitHostPort(t.Host); err == nil {
			host = h
		}
		addrs, _ := resolve(ctx, strings.Trim(host, "[]"))
		for _, a := range addrs {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	slices.SortFunc(out, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	return slices.Compact(out)
}

// resolveHost is resolve with a bound on the wait.
func resolveHost(ctx context.Context, host string) ([]netip.Addr, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return resolve(ctx, host)
}

// resolve looks a host name up with the system's resolver; an address is
// itself.
func resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{a}, nil
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}
