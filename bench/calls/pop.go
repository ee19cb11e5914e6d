//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
)

// The screen pop under load: the demo operator is signed in to the
// console (a session, as in the browser), ready, and listens to /events;
// an elder rings the city hotline and presses 1 (consultation) as soon as
// the call is answered, which queues the call and pops it on the
// operator's console. The elder's phone is Anxin's own SIP and media
// stack (sipua, rtp) in this process, so that the INVITE, the key and the
// event are timed on one clock; the console is a Go SSE client, not a
// browser: rendering the pop's HTML is not timed.

// hotline is the demo's city hotline, routed to the operator's area.
const hotline = "966666"

// popper places the timed hotline calls.
type popper struct {
	srv    *server
	agent  *sipua.Agent
	engine *rtp.Engine
	events chan popEvent
	from   []string // calling numbers: demo elders', so the pop finds them
	cancel context.CancelFunc
	log    func(string, ...any)
}

// popEvent is a pop that reached the console.
type popEvent struct {
	at   time.Time
	call int64
}

// popResult is one timed pop.
type popResult struct {
	invite, answered, key, event time.Time
	call                         int64 // the call the pop showed
	err                          string
}

// newPopper signs the operator in, makes her ready, opens her event
// stream and starts the elder's phone.
func newPopper(ctx context.Context, srv *server, log func(string, ...any)) (*popper, error) {
	pctx, cancel := context.WithCancel(ctx)
	p := &popper{srv: srv, events: make(chan popEvent, 16), cancel: cancel, log: log}
	if err := p.listen(pctx); err != nil {
		cancel()
		return nil, err
	}
	for _, ev := range []string{"sign_in", "ready"} {
		err := srv.api(ctx, "POST", "/api/v1/agent/state", map[string]string{"event": ev}, nil)
		var ae *apiError
		if err != nil && !(errors.As(err, &ae) && ae.status == http.StatusConflict) {
			cancel()
			return nil, fmt.Errorf("operator %s: %w", ev, err)
		}
	}
	var st struct {
		State string `json:"state"`
	}
	if err := srv.api(ctx, "GET", "/api/v1/agent/state", nil, &st); err != nil || st.State != "ready" {
		cancel()
		return nil, fmt.Errorf("operator %s is %q, not ready (%v)", srv.operator, st.State, err)
	}
	// Callers: a few demo elders (their numbers are revealed, audited).
	ts, err := srv.targets(ctx, 10)
	if err != nil {
		cancel()
		return nil, err
	}
	for _, t := range ts {
		p.from = append(p.from, t.number)
	}
	// The elder's phone: media on ports far from Anxin's, SIP on a free
	// loopback port. It takes no calls.
	p.engine, err = rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: 40000, MaxPort: 40100, Loops: 1})
	if err != nil {
		cancel()
		return nil, err
	}
	p.agent, err = sipua.New(sipua.Config{Host: "127.0.0.1", Name: "bench-elder", Logger: slog.New(slog.DiscardHandler),
		OnCall: func(c *sipua.IncomingCall) { c.Reject(486, "Busy Here") }})
	if err != nil {
		p.close()
		return nil, err
	}
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		p.close()
		return nil, err
	}
	go p.agent.ServeUDP(pctx, udp)
	log("operator %s ready, console listening; pops from %d elders' numbers", srv.operator, len(p.from))
	return p, nil
}

// listen signs the operator in with her password (the console's session)
// and reads her event stream, passing each call pop on.
func (p *popper) listen(ctx context.Context) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"username": {p.srv.operator}, "password": {p.srv.password}}
	res, err := c.PostForm(p.srv.base+"/login", form)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return fmt.Errorf("sign in as %s: HTTP %d", p.srv.operator, res.StatusCode)
	}
	req, err := http.NewRequestWithContext(ctx, "GET", p.srv.base+"/events", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	res, err = c.Do(req)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return fmt.Errorf("/events: HTTP %d", res.StatusCode)
	}
	callID := regexp.MustCompile(`data-call="(\d+)"`)
	go func() {
		defer res.Body.Close()
		rd := bufio.NewReader(res.Body)
		var ev *popEvent
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			now := time.Now()
			line = strings.TrimRight(line, "\r\n")
			switch {
			case line == "event: call":
				ev = &popEvent{at: now}
			case ev != nil && strings.HasPrefix(line, "data:"):
				if m := callID.FindStringSubmatch(line); m != nil {
					ev.call, _ = strconv.ParseInt(m[1], 10, 64)
				}
			case ev != nil && line == "":
				select {
				case p.events <- *ev:
				default:
				}
				ev = nil
			}
		}
	}()
	return nil
}

// run times n pops, one started every `every`, one at a time.
func (p *popper) run(ctx context.Context, n int, every time.Duration) []popResult {
	var out []popResult
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := sleepCtx(ctx, time.Until(start.Add(time.Duration(i)*every))); err != nil {
			break
		}
		out = append(out, p.one(ctx, p.from[i%len(p.from)]))
	}
	p.log("%d pops timed", len(out))
	return out
}

// one rings the hotline from number, presses 1 once answered, and waits
// for the pop.
func (p *popper) one(ctx context.Context, number string) (r popResult) {
	for { // a late pop of an earlier call is not this one's
		select {
		case <-p.events:
			continue
		default:
		}
		break
	}
	leg, err := p.engine.NewLeg()
	if err != nil {
		r.err = err.Error()
		return r
	}
	defer leg.Close()
	codecs := []media.Codec{media.PCMA, media.PCMU}
	offer, err := media.NewOffer(leg.LocalAddr().Addr(), int(leg.LocalAddr().Port()), codecs)
	if err != nil {
		r.err = err.Error()
		return r
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	to := sip.Uri{User: hotline, Host: p.srv.sip.Addr().String(), Port: int(p.srv.sip.Port())}
	r.invite = time.Now()
	call, err := p.agent.Dial(dctx, to, number, offer, nil)
	r.answered = time.Now()
	if err != nil {
		r.err = "dial: " + err.Error()
		return r
	}
	defer func() {
		hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
		call.Hangup(hctx)
		hcancel()
	}()
	st, err := media.Accept(call.Answer, codecs)
	if err == nil {
		err = leg.SetStream(*st)
	}
	if err == nil {
		err = leg.SendDigit('1')
	}
	r.key = time.Now() // the first event packet leaves at the leg's next 20 ms tick
	if err != nil {
		r.err = "media: " + err.Error()
		return r
	}
	select {
	case ev := <-p.events:
		r.event, r.call = ev.at, ev.call
	case <-time.After(5 * time.Second):
		r.err = "no pop within 5 s"
	case <-ctx.Done():
		r.err = ctx.Err().Error()
	}
	return r
}

// close stops the phone and the event stream, and signs the operator
// out of taking calls.
func (p *popper) close() {
	p.cancel()
	if p.agent != nil {
		p.agent.Close()
	}
	if p.engine != nil {
		p.engine.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p.srv.api(ctx, "POST", "/api/v1/agent/state", map[string]string{"event": "sign_out"}, nil)
}
