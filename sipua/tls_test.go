package sipua_test

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/sipua/sipptest"
)

// TestTLS: SIP over TLS with a self-signed certificate, sipgo as the peer
// (this machine's SIPp is built without TLS). Over one TLS connection a
// phone sends OPTIONS, registers extension 8001 with digest, rings the
// hotline (Anxin answers with a Contact saying transport=tls and the
// phone hangs up), and then takes a call Anxin places to its contact,
// which comes over the same connection although the contact's port is
// closed; Anxin hangs up. A client that does not trust the certificate
// gets no further than the handshake.
func TestTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cert := sipptest.SelfSigned(t)
	calls := make(chan outcome, 1)
	answered := make(chan struct{}, 1)
	agent, err := sipua.New(sipua.Config{Host: "127.0.0.1", Peers: loopback, Realm: "anxin",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Extensions: func(user string) (string, bool) {
			return sipua.HA1("8001", "anxin", "s3cret-pw"), user == "8001"
		},
		OnCall: func(c *sipua.IncomingCall) {
			o := outcome{from: c.From, to: c.To}
			defer func() { calls <- o }()
			_, sdp, err := media.Answer(c.Offer, netip.MustParseAddr("127.0.0.1"), 40000, []media.Codec{media.PCMU})
			if err != nil {
				o.err = err
				return
			}
			if o.err = c.Answer(sdp); o.err != nil {
				return
			}
			o.answered = true
			answered <- struct{}{}
			select {
			case <-c.Done():
			case <-ctx.Done():
			}
			o.byPeer = c.HungUpByPeer()
		}})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cert.Server)
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(context.Background())
	t.Cleanup(func() { stop(); agent.Close() })
	go agent.ServeTLS(sctx, ln)
	port := ln.Addr().(*net.TCPAddr).Port
	anxinURI := func(user string) sip.Uri {
		return sip.Uri{User: user, Host: "127.0.0.1", Port: port, UriParams: tlsParams()}
	}

	// The phone: a sipgo client and server over one TLS connection.
	ua, err := sipgo.NewUA(sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: cert.Roots}), sipgo.WithUserAgentHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}

	// OPTIONS: answered over TLS; the request's Via now holds the
	// phone's end of the connection.
	opt := sip.NewRequest(sip.OPTIONS, anxinURI(""))
	res, err := client.Do(ctx, opt)
	if err != nil || res.StatusCode != sip.StatusOK || res.Transport() != "TLS" {
		t.Fatalf("OPTIONS over TLS: %v %v", res, err)
	}
	phoneAddr := opt.Via()

	// REGISTER with digest and a contact nobody can connect to, as a
	// phone behind NAT or not listening for TLS gives: Anxin must reach it
	// over the connection it registered on.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	phoneURI := sip.Uri{User: "8001", Host: "127.0.0.1", Port: closed.Addr().(*net.TCPAddr).Port, UriParams: tlsParams()}
	reg := sip.NewRequest(sip.REGISTER, anxinURI(""))
	reg.AppendHeader(&sip.ToHeader{Address: sip.Uri{User: "8001", Host: "127.0.0.1"}})
	reg.AppendHeader(&sip.ContactHeader{Address: phoneURI})
	reg.AppendHeader(sip.NewHeader("Expires", "600"))
	res, err = client.Do(ctx, reg)
	if err != nil || res.StatusCode != sip.StatusUnauthorized {
		t.Fatalf("REGISTER without credentials: %v %v", res, err)
	}
	res, err = client.DoDigestAuth(ctx, reg, res, sipgo.DigestAuth{Username: "8001", Password: "s3cret-pw"})
	if err != nil || res.StatusCode != sip.StatusOK {
		t.Fatalf("REGISTER over TLS: %v %v", res, err)
	}
	b, ok := agent.Registered("8001")
	if !ok || b.Contact.Port != phoneURI.Port || !strings.EqualFold(param(b.Contact, "transport"), "tls") ||
		b.Source.Port() != uint16(phoneAddr.Port) {
		t.Fatalf("binding %+v %v", b, ok)
	}

	// The phone rings the hotline over TLS; Anxin answers with its TLS
	// contact; the phone ACKs and hangs up.
	contact := sip.ContactHeader{Address: phoneURI}
	dialogs := sipgo.NewDialogClientCache(client, contact)
	offer, err := media.NewOffer(netip.MustParseAddr("127.0.0.1"), 40010, []media.Codec{media.PCMU})
	if err != nil {
		t.Fatal(err)
	}
	dlg, err := dialogs.Invite(ctx, anxinURI("966666"), offer, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		t.Fatal(err)
	}
	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatalf("INVITE over TLS: %v", err)
	}
	if c := dlg.InviteResponse.Contact(); c == nil || c.Address.Port != port || param(c.Address, "transport") != "tls" {
		t.Fatalf("Anxin's Contact in its 200 over TLS: %v", c)
	}
	if err := dlg.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	select { // the ACK reached the call (a BYE overtaking it would cancel the answer)
	case <-answered:
	case o := <-calls:
		t.Fatalf("call over TLS %+v (%v)", o, o.err)
	}
	if err := dlg.Bye(ctx); err != nil {
		t.Fatalf("BYE over TLS: %v", err)
	}
	dlg.Close()
	if o := <-calls; o.err != nil || !o.answered || !o.byPeer || o.to != "966666" {
		t.Fatalf("call over TLS %+v (%v)", o, o.err)
	}

	// Anxin calls the phone at its registered contact: the INVITE, the ACK
	// and the BYE come over the phone's own connection, with Anxin's TLS
	// contact.
	phone, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	invites := make(chan *sip.Request, 1)
	byes := make(chan struct{}, 1)
	phoneDialogs := sipgo.NewDialogServerCache(client, contact)
	phone.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		d, err := phoneDialogs.ReadInvite(req, tx)
		if err != nil {
			return
		}
		defer d.Close()
		invites <- req
		offer, err := media.ParseOffer(req.Body())
		if err != nil {
			d.Respond(sip.StatusNotAcceptableHere, "Not Acceptable Here", nil)
			return
		}
		_, sdp, _ := media.Answer(offer, netip.MustParseAddr("127.0.0.1"), 40020, []media.Codec{media.PCMU})
		// RespondSDP returns on the ACK, or fails when the BYE overtakes
		// it (sipgo handles the two concurrently); the dialog ends either way.
		d.RespondSDP(sdp)
		<-d.Context().Done()
		byes <- struct{}{}
	})
	phone.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { phoneDialogs.ReadAck(req, tx) })
	phone.OnBye(func(req *sip.Request, tx sip.ServerTransaction) { phoneDialogs.ReadBye(req, tx) })
	out, err := agent.Dial(ctx, b.Contact, "966666", offer, nil)
	if err != nil {
		t.Fatalf("Anxin's call to the phone over TLS: %v", err)
	}
	inv := <-invites
	if inv.Transport() != "TLS" || inv.Source() != "127.0.0.1:"+strconv.Itoa(port) {
		t.Fatalf("INVITE came over %s from %s, want TLS from 127.0.0.1:%d", inv.Transport(), inv.Source(), port)
	}
	if c := inv.Contact(); c == nil || c.Address.Port != port || param(c.Address, "transport") != "tls" {
		t.Fatalf("Anxin's Contact in its INVITE over TLS: %v", c)
	}
	if err := out.Hangup(ctx); err != nil {
		t.Fatalf("Anxin's BYE over TLS: %v", err)
	}
	select {
	case <-byes:
	case <-ctx.Done():
		t.Fatal("the phone did not get Anxin's BYE")
	}

	// A client that does not trust the certificate.
	conn, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{})
	if err == nil {
		conn.Close()
		t.Fatal("a TLS handshake without trusting the certificate succeeded")
	}
}

// tlsParams are the URI parameters transport=tls.
func tlsParams() sip.HeaderParams {
	p := sip.NewParams()
	p.Add("transport", "tls")
	return p
}

// param returns a URI parameter.
func param(u sip.Uri, name string) string {
	v, _ := u.UriParams.Get(name)
	return v
}
