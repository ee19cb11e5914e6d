package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/anxin-care/anxin/callflow"
	"github.com/anxin-care/anxin/recordings"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/trunkmon"
	"github.com/anxin-care/anxin/web"
)

// sipRealm is the digest realm of operators' phones (see demo.SIPRealm).
const sipRealm = "anxin"

// telephony is the running SIP and media of a node.
type telephony struct {
	agent   *sipua.Agent
	engine  *rtp.Engine
	addr    string
	tlsAddr string // SIP over TLS, "" when off
	trunks  *trunkmon.Monitor
	numbers []string // the hotline numbers, for the start-up message
	// The campaign diallers run until stopDiallers; close waits for them
	// (they hang up their calls and close their attempts, which needs SIP
	// and the database still up). SIP is served until stopSIP.
	stopDiallers, stopSIP context.CancelFunc
	diallers              sync.WaitGroup
}

// startTelephony starts SIP on c.SIPAddr (UDP and TCP) with the trunks'
// peers, the operators' extensions and the call flows; nil when telephony
// is off. Trunk changes apply within seconds (the trunk monitor re-reads
// them), extension changes at once (looked up per REGISTER).
func startTelephony(ctx context.Context, db *store.DB, srv *web.Server, c *Config, node string, log *slog.Logger, rs *recordings.Store) (*telephony, error) {
	if c.SIPAddr == "" {
		return nil, nil
	}
	ap, err := netip.ParseAddrPort(c.SIPAddr)
	if err != nil {
		return nil, err
	}
	host := c.SIPHost
	if host == "" {
		host = ap.Addr().String()
		if ap.Addr().IsUnspecified() {
			return nil, fmt.Errorf("--sip-host is needed with --sip-addr %s: the address trunks and phones reach this node at", c.SIPAddr)
		}
	}
	hostIP, err := netip.ParseAddr(host)
	if err != nil {
		return nil, fmt.Errorf("--sip-host must be an IP address: %v", err)
	}
	trunks, err := db.Trunks(ctx)
	if err != nil {
		return nil, err
	}
	dids, err := db.DIDs(ctx)
	if err != nil {
		return nil, err
	}
	// The trunk monitor keeps the peers in line with the trunks after this.
	peers := trunkmon.Peers(ctx, trunks, nil)
	lo, hi, err := c.RTPRange()
	if err != nil {
		return nil, err
	}
	// A call whose far end sends no media for 90 s is taken as gone (a
	// lost BYE); phones and trunks send G.711 continuously.
	engine, err := rtp.NewEngine(rtp.Config{IP: ap.Addr(), MinPort: lo, MaxPort: hi, MediaTimeout: 90 * time.Second})
	if err != nil {
		return nil, err
	}
	flows, err := callflow.New(callflow.Config{DB: db, Engine: engine, LocalIP: hostIP, Recordings: rs,
		Node: node, Log: log,
		Pop: func(ctx context.Context, account, call int64, number, hotline string) {
			if _, err := srv.PopCall(ctx, web.CallPop{AccountID: account, CallID: call, Number: number, Hotline: hotline}); err != nil {
				log.Warn("screen pop", "err", err)
			}
		}})
	if err != nil {
		engine.Close()
		return nil, err
	}
	agent, err := sipua.New(sipua.Config{Host: host, Peers: peers, Logger: log, Realm: sipRealm, OnCall: flows.Inbound,
		Extensions: func(user string) (string, bool) {
			_, ha1, err := db.ExtensionSecret(context.Background(), user)
			return ha1, err == nil
		}})
	if err != nil {
		engine.Close()
		return nil, err
	}
	t := &telephony{agent: agent, engine: engine}
	// SIP outlives the node's context: the diallers hang up their calls
	// after it ends, and close stops SIP once they are done.
	sipCtx, stopSIP := context.WithCancel(context.WithoutCancel(ctx))
	t.stopSIP = stopSIP
	flows.SetPhones(agent)
	srv.SetDialer(flows)
	srv.SetMediaStats(mediaStats(engine))
	udp, err := net.ListenPacket("udp", c.SIPAddr)
	if err != nil {
		t.close()
		return nil, fmt.Errorf("cannot listen for SIP on udp %s: %w", c.SIPAddr, err)
	}
	// Port 0 picks a free UDP port; TCP takes the same one.
	addr := udp.LocalAddr().(*net.UDPAddr).AddrPort().String()
	tcp, err := net.Listen("tcp", addr)
	if err != nil {
		udp.Close()
		t.close()
		return nil, fmt.Errorf("cannot listen for SIP on tcp %s: %w", addr, err)
	}
	go agent.ServeUDP(sipCtx, udp)
	go agent.ServeTCP(sipCtx, tcp)
	// Registrations to carriers, OPTIONS probes, the trunks' status and
	// peers; REGISTERs go out from the UDP listener (NAT).
	t.trunks = trunkmon.New(trunkmon.Config{DB: db, Agent: agent, Node: node, Log: log,
		Register: sipua.RegisterConfig{LocalAddr: udp.LocalAddr().String()}})
	t.trunks.Start()
	if t.tlsAddr, err = startSIPTLS(sipCtx, agent, c, addr, log); err != nil {
		t.close()
		return nil, err
	}
	t.addr = addr
	dctx, stopDiallers := context.WithCancel(ctx)
	t.stopDiallers = stopDiallers
	t.diallers.Go(func() { runCampaigns(dctx, flows, node, log) })
	t.diallers.Go(func() { flows.RunProgressive(dctx, node) })
	var named []string
	for _, d := range dids {
		t.numbers = append(t.numbers, d.Number)
		named = append(named, d.Number+" "+d.Name)
	}
	log.Info("telephony", "sip", addr, "host", host, "rtp", c.RTPPorts, "trunks", len(trunks), "numbers", strings.Join(named, "; "))
	if len(peers) == 0 {
		log.Warn("telephony: no enabled trunk, so no call can come in; configure trunks first")
	}
	return t, nil
}

// close stops the campaign diallers and waits for them to hang up their
// calls and give back their tasks, then stops SIP and media. The database
// must stay open until it returns.
func (t *telephony) close() {
	if t == nil {
		return
	}
	if t.stopDiallers != nil {
		t.stopDiallers()
		t.diallers.Wait()
	}
	if t.trunks != nil {
		t.trunks.Close() // unregisters: before the agent closes
	}
	t.stopSIP()
	t.agent.Close()
	t.engine.Close()
}
