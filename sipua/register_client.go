package sipua

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Registration states (RegState.State).
const (
	RegRegistering = "registering" // the first REGISTER is under way
	RegRegistered  = "registered"  // the carrier accepted the binding
	RegFailing     = "failing"     // refused or unanswered; retried with back-off
	RegOff         = "off"         // closed (unregistered)
)

// RegState is where a registration to a carrier stands.
type RegState struct {
	State string
	// Code and Reason are the registrar's last final answer; Code 0 when
	// none came, Reason then says why.
	Code   int
	Reason string
	// Expires is how long the registrar granted the binding (registered).
	Expires time.Duration
}

// Detail says the state's last answer in a few words: "200 OK, 300 s",
// "403 Forbidden", "no response: …".
func (s RegState) Detail() string {
	switch {
	case s.Code == 0:
		return s.Reason
	case s.State == RegRegistered:
		return fmt.Sprintf("%d %s, %d s", s.Code, s.Reason, int(s.Expires/time.Second))
	}
	return fmt.Sprintf("%d %s", s.Code, s.Reason)
}

// RegisterConfig configures a registration to a carrier (a trunk of kind
// register). The binding's Contact is the agent's Config.Host and port
// (Config.Port, else LocalAddr's, else 5060), with Username as its user.
type RegisterConfig struct {
	// Host is the carrier's registrar: host or host:port (5060).
	Host string
	// LocalAddr is the UDP address the agent serves on ("0.0.0.0:5060",
	// as its listener reports it): REGISTERs are sent from it, so that a
	// carrier that answers to where a registration came from (NAT) reaches
	// the agent. Empty: from a port of the system's choosing.
	LocalAddr string
	// Username and Password are the carrier's digest credentials; the
	// address of record is Username@Host.
	Username, Password string
	// Expires is the binding's lifetime asked for (default 300 s); the
	// registrar's answer counts, and the binding is refreshed at half of it.
	Expires time.Duration
	// Timeout bounds one REGISTER exchange (default 10 s).
	Timeout time.Duration
	// RetryMin and RetryMax bound the back-off after a failure: RetryMin
	// (default 5 s), doubling up to RetryMax (default 5 min).
	RetryMin, RetryMax time.Duration
	// OnState is told every outcome: registering at the start, then
	// registered or failing after each attempt, off once closed. It must
	// not block long.
	OnState func(RegState)
}

// Registration keeps a binding at a carrier's registrar alive until
// Close.
type Registration struct {
	a          *Agent
	cfg        RegisterConfig
	host       string
	port       int
	callID     string
	tag        string
	laddr      sip.Addr // where to send from (LocalAddr), if set
	cancel     context.CancelFunc
	done       chan struct{}
	closeOnce  sync.Once
	seq        uint32 // the last CSeq sent (the run goroutine, then Close)
	registered bool   // the last attempt succeeded (idem)
}

// Register starts registering to a carrier in the background: REGISTER
// with digest authentication (401 and 407), refreshed at half the granted
// time, retried with back-off after a failure. Close unregisters.
func (a *Agent) Register(cfg RegisterConfig) (*Registration, error) {
	host, port, err := splitHostPort(cfg.Host)
	if err != nil {
		return nil, err
	}
	if cfg.Username == "" {
		return nil, errors.New("sipua: registration needs a user name")
	}
	if cfg.Expires <= 0 {
		cfg.Expires = 300 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 5 * time.Second
	}
	if cfg.RetryMax < cfg.RetryMin {
		cfg.RetryMax = max(5*time.Minute, cfg.RetryMin)
	}
	r := &Registration{a: a, cfg: cfg, host: host, port: port, callID: sip.GenerateTagN(24), tag: sip.GenerateTagN(16),
		done: make(chan struct{})}
	if cfg.LocalAddr != "" {
		ap, err := netip.ParseAddrPort(cfg.LocalAddr)
		if err != nil {
			return nil, fmt.Errorf("sipua: local address %q: %w", cfg.LocalAddr, err)
		}
		r.laddr = sip.Addr{IP: net.IP(ap.Addr().AsSlice()), Port: int(ap.Port())}
	}
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	go r.run(ctx)
	return r, nil
}

// splitHostPort reads "host" or "host:port" (5060 by default).
func splitHostPort(s string) (string, int, error) {
	if s == "" {
		return "", 0, errors.New("sipua: no carrier host")
	}
	h, p, err := net.SplitHostPort(s)
	if err != nil {
		return strings.Trim(s, "[]"), 5060, nil
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		return "", 0, fmt.Errorf("sipua: bad port in %q", s)
	}
	return h, port, nil
}

func (r *Registration) report(st RegState) {
	if r.cfg.OnState != nil {
		r.cfg.OnState(st)
	}
}

// run registers, refreshes and retries until ctx ends.
func (r *Registration) run(ctx context.Context) {
	defer close(r.done)
	r.report(RegState{State: RegRegistering})
	backoff := r.cfg.RetryMin
	for {
		st := r.register(ctx, r.cfg.Expires)
		if ctx.Err() != nil {
			return
		}
		r.registered = st.State == RegRegistered
		wait := backoff
		if r.registered {
			wait, backoff = max(st.Expires/2, time.Second), r.cfg.RetryMin
		} else {
			backoff = min(2*backoff, r.cfg.RetryMax)
		}
		r.report(st)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// register sends one REGISTER asking for expires (0: unregister),
// answering a digest challenge, and says how it went.
func (r *Registration) register(ctx context.Context, expires time.Duration) RegState {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	for try := 0; ; try++ {
		req := r.request(expires)
		res, err := r.a.client.Do(ctx, req)
		if err == nil && (res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired) {
			res, err = r.a.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: r.cfg.Username, Password: r.cfg.Password})
		}
		if cs := req.CSeq(); cs != nil {
			r.seq = cs.SeqNo
		}
		if err != nil {
			return RegState{State: RegFailing, Reason: "no response: " + err.Error()}
		}
		// 423 Interval Too Brief names the shortest lifetime accepted.
		if res.StatusCode == sip.StatusIntervalToBrief && try == 0 {
			if h := res.GetHeader("Min-Expires"); h != nil {
				if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
					expires = time.Duration(n) * time.Second
					continue
				}
			}
		}
		if !res.IsSuccess() {
			return RegState{State: RegFailing, Code: res.StatusCode, Reason: res.Reason}
		}
		return RegState{State: RegRegistered, Code: res.StatusCode, Reason: res.Reason, Expires: r.granted(res, expires)}
	}
}

// contact is the binding registered: the user at the agent's address
// (Config.Port, else LocalAddr's port, else 5060).
func (r *Registration) contact() sip.Uri {
	port := r.a.cfg.Port
	if port == 0 {
		port = r.laddr.Port
	}
	if port == 0 {
		port = 5060
	}
	return sip.Uri{User: r.cfg.Username, Host: r.a.cfg.Host, Port: port}
}

// request builds a REGISTER in the registration's dialog (one Call-ID,
// rising CSeq), asking for expires.
func (r *Registration) request(expires time.Duration) *sip.Request {
	req := sip.NewRequest(sip.REGISTER, sip.Uri{Host: r.host, Port: r.port})
	aor := sip.Uri{User: r.cfg.Username, Host: r.host}
	from := &sip.FromHeader{Address: aor, Params: sip.NewParams()}
	from.Params.Add("tag", r.tag)
	callID := sip.CallIDHeader(r.callID)
	r.seq++
	exp := sip.ExpiresHeader(expires / time.Second)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: aor})
	req.AppendHeader(&callID)
	req.AppendHeader(&sip.CSeqHeader{SeqNo: r.seq, MethodName: sip.REGISTER})
	req.AppendHeader(&sip.ContactHeader{Address: r.contact()})
	req.AppendHeader(&exp)
	req.AppendHeader(sip.NewHeader("User-Agent", r.a.cfg.Name))
	req.SetBody(nil)
	if r.laddr.IP != nil {
		req.Laddr = r.laddr
	}
	return req
}

// granted reads the lifetime the registrar gave the binding: the expires
// parameter of our Contact in the answer, else its Expires header, else
// what was asked.
func (r *Registration) granted(res *sip.Response, asked time.Duration) time.Duration {
	mine := r.contact()
	for _, h := range res.GetHeaders("Contact") {
		for _, v := range strings.Split(h.Value(), ",") {
			var u sip.Uri
			params := sip.NewParams()
			if _, err := sip.ParseAddressValue(strings.TrimSpace(v), &u, &params); err != nil {
				continue
			}
			if u.User != mine.User || u.Host != mine.Host || (u.Port != 0 && u.Port != mine.Port) {
				continue
			}
			if s, ok := params.Get("expires"); ok {
				if n, err := strconv.Atoi(s); err == nil && n > 0 {
					return time.Duration(n) * time.Second
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return asked
}

// Close stops refreshing and, when registered, removes the binding
// (Expires: 0) before ctx ends; OnState is told off.
func (r *Registration) Close(ctx context.Context) error {
	var err error
	r.closeOnce.Do(func() {
		r.cancel()
		<-r.done
		if r.registered {
			if st := r.register(ctx, 0); st.State != RegRegistered {
				err = fmt.Errorf("sipua: unregister from %s: %s", r.cfg.Host, st.Detail())
			}
		}
		r.report(RegState{State: RegOff})
	})
	return err
}
