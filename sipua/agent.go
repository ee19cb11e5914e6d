// Package sipua is Anxin's SIP user agent: it listens for SIP over UDP and
// TCP, takes calls only from the configured trunks' addresses, answers
// OPTIONS keep-alives, and hands each admitted INVITE to the call handler
// as an IncomingCall that lives as long as the call. It speaks SIP only:
// SDP comes from package media, audio from package rtp, and what a call
// does (IVR, queues, records) from the layer above.
package sipua

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Config configures an Agent.
type Config struct {
	// Host is the address put in Contact headers (the address peers reach
	// Anxin at), Port its port there (default: the first listener's);
	// Name is the User-Agent and Server header value.
	Host string
	Port int
	Name string
	// Peers are the source addresses allowed to send INVITEs: the trunks'
	// (and, later, registered extensions'). Anything else gets 403.
	Peers []netip.Prefix
	// OnCall handles an admitted call; it runs in the INVITE's handler
	// and the call lasts until it returns (see IncomingCall).
	OnCall func(c *IncomingCall)
	// Extensions returns the digest secret (HA1) of an operator's phone
	// by its user name; nil refuses every REGISTER. Realm names the digest
	// realm (default "anxin").
	Extensions func(user string) (ha1 string, ok bool)
	Realm      string
	Logger     *slog.Logger
	// SourceRate and SourceBurst limit the requests of each source that
	// is no trunk (0: the defaults SourceRate and SourceBurst).
	SourceRate, SourceBurst float64
}

// Agent is a running SIP user agent.
type Agent struct {
	cfg     Config
	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	client  *sipgo.Client
	dialogs *sipgo.DialogServerCache
	// clientDialogs are the calls Anxin placed (Dial).
	clientDialogs *sipgo.DialogClientCache
	log           *slog.Logger

	registrar   *Registrar
	dialogsOnce sync.Once
	calls       sync.Map // dialog ID → *IncomingCall, for INFO

	tls atomic.Pointer[tlsDialogs] // calls over TLS; set by ServeTLS

	peers atomic.Pointer[[]netip.Prefix] // Config.Peers, then SetPeers

	limit   *limiter      // requests per source that is no trunk
	dropped atomic.Uint64 // requests dropped over the limit

	mu        sync.Mutex
	listeners []func() error
}

// New builds an agent; Serve starts it.
func New(cfg Config) (*Agent, error) {
	if cfg.OnCall == nil {
		return nil, errors.New("sipua: a call handler is required")
	}
	if cfg.Host == "" {
		cfg.Host = "127.0.0.1"
	}
	if cfg.Name == "" {
		cfg.Name = "Anxin"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	ua, err := sipgo.NewUA(sipgo.WithUserAgent(cfg.Name), sipgo.WithUserAgentHostname(cfg.Host),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(log)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(log)))
	if err != nil {
		return nil, fmt.Errorf("sipua: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(log))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sipua: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(cfg.Host), sipgo.WithClientLogger(log))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sipua: %w", err)
	}
	a := &Agent{cfg: cfg, ua: ua, srv: srv, client: client, log: log}
	rate, burst := cfg.SourceRate, cfg.SourceBurst
	if rate <= 0 {
		rate, burst = SourceRate, SourceBurst
	}
	a.limit = newLimiter(rate, max(burst, 1), time.Now)
	a.peers.Store(&cfg.Peers)
	srv.OnInvite(a.limited(a.onInvite))
	srv.OnAck(a.limited(a.onAck))
	srv.OnBye(a.limited(a.onBye))
	srv.OnCancel(a.limited(func(req *sip.Request, tx sip.ServerTransaction) {
		// A CANCEL that matched no INVITE transaction (sipgo answers the
		// ones that do and ends their INVITE's transaction).
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
	}))
	srv.OnInfo(a.limited(a.onInfo))
	srv.OnOptions(a.limited(func(req *sip.Request, tx sip.ServerTransaction) {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	}))
	if cfg.Realm == "" {
		cfg.Realm = "anxin"
	}
	if cfg.Extensions != nil {
		a.registrar = NewRegistrar(cfg.Realm, cfg.Extensions)
		srv.OnRegister(a.limited(a.registrar.handle))
	} else {
		srv.OnRegister(a.limited(func(req *sip.Request, tx sip.ServerTransaction) {
			tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
		}))
	}
	return a, nil
}

// Registered returns where an operator's phone registered, if it did.
func (a *Agent) Registered(user string) (Binding, bool) {
	if a.registrar == nil {
		return Binding{}, false
	}
	return a.registrar.Lookup(user)
}

// initDialogs builds the dialog caches once, with the Contact peers send
// in-dialog requests (a BYE) to: Host and Config.Port, or the port of the
// first listener.
func (a *Agent) initDialogs(port int) {
	a.dialogsOnce.Do(func() {
		if a.cfg.Port != 0 {
			port = a.cfg.Port
		}
		contact := sip.ContactHeader{Address: sip.Uri{User: "anxin", Host: a.cfg.Host, Port: port}}
		a.dialogs = sipgo.NewDialogServerCache(a.client, contact)
		a.clientDialogs = sipgo.NewDialogClientCache(a.client, contact)
	})
}

// ServeUDP serves SIP on a UDP socket until ctx ends or the agent closes.
func (a *Agent) ServeUDP(ctx context.Context, conn net.PacketConn) error {
	if ua, ok := conn.LocalAddr().(*net.UDPAddr); ok {
		a.initDialogs(ua.Port)
	}
	a.track(conn.Close)
	go func() { <-ctx.Done(); conn.Close() }()
	return a.srv.ServeUDP(conn)
}

// ServeTCP serves SIP on a TCP listener until ctx ends or the agent closes.
func (a *Agent) ServeTCP(ctx context.Context, l net.Listener) error {
	if ta, ok := l.Addr().(*net.TCPAddr); ok {
		a.initDialogs(ta.Port)
	}
	a.track(l.Close)
	go func() { <-ctx.Done(); l.Close() }()
	return a.srv.ServeTCP(l)
}

func (a *Agent) track(closeFn func() error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.listeners = append(a.listeners, closeFn)
}

// Close stops listening and releases the transport.
func (a *Agent) Close() error {
	a.mu.Lock()
	ls := a.listeners
	a.listeners = nil
	a.mu.Unlock()
	for _, c := range ls {
		c()
	}
	return a.ua.Close()
}

// SetPeers replaces the addresses allowed to send INVITEs (Config.Peers)
// while the agent runs: trunk changes apply without a restart.
func (a *Agent) SetPeers(peers []netip.Prefix) { a.peers.Store(&peers) }

// allowed reports whether a request's source is a configured peer.
func (a *Agent) allowed(req *sip.Request) bool {
	ap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range *a.peers.Load() {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

func (a *Agent) onAck(req *sip.Request, tx sip.ServerTransaction) {
	if err := a.serverDialogs(req).ReadAck(req, tx); err != nil {
		a.log.Debug("sip: ACK outside a dialog", "err", err, "source", req.Source())
	}
}

func (a *Agent) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if id, err := sip.DialogIDFromRequestUAS(req); err == nil {
		if v, ok := a.calls.Load(id); ok {
			v.(*IncomingCall).byeRead.Store(true) // before the dialog ends (see Answer)
		}
	}
	err := a.serverDialogs(req).ReadBye(req, tx)
	if errors.Is(err, sipgo.ErrDialogDoesNotExists) || errors.Is(err, sipgo.ErrDialogOutsideDialog) {
		err = a.clientDialogsOf(req).ReadBye(req, tx) // the far end of a call Anxin placed
	}
	if err != nil {
		tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
	}
}
