package sipua

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// SIP over TLS. A call over TLS differs from one over UDP in two ways that
// sipgo's dialog caches cannot express, so calls over TLS have their own:
//
//   - Anxin's Contact must say transport=tls (sipgo gives a cache one
//     Contact), or the peer's ACK and BYE would come back over UDP, in the
//     clear.
//   - A phone is reached over the connection it registered on: the address
//     in its Contact is usually one nobody can connect to (behind NAT, or a
//     phone that does not listen for TLS), so Anxin's INVITE goes to the
//     registration's source, and every later request of the dialog to
//     where the phone's answers came from (sipgo's RewriteContact). The
//     same holds for Anxin's BYE to a caller over TLS.

// tlsDialogs are the dialog caches of calls carried over TLS.
type tlsDialogs struct {
	ua      sipgo.DialogUA
	server  sync.Map // dialog ID → *sipgo.DialogServerSession
	client  sync.Map // dialog ID → *sipgo.DialogClientSession
	sources func(contact sip.Uri) (netip.AddrPort, bool)
}

// ServeTLS serves SIP over TLS on l until ctx ends or the agent closes. l
// is a listener from crypto/tls (tls.Listen, or tls.NewListener over a TCP
// listener) holding the node's certificate. Over TLS the agent does what it
// does over UDP and TCP — OPTIONS, REGISTER of operators' phones, INVITEs
// from the trunks' addresses — and the calls that come in over TLS, or go
// to a phone whose contact says transport=tls, carry the Contact
// sip:anxin@Host:PORT;transport=tls (PORT: l's).
func (a *Agent) ServeTLS(ctx context.Context, l net.Listener) error {
	port := 0
	if ta, ok := l.Addr().(*net.TCPAddr); ok {
		port = ta.Port
	}
	params := sip.NewParams()
	params.Add("transport", "tls")
	t := &tlsDialogs{ua: sipgo.DialogUA{Client: a.client, RewriteContact: true,
		ContactHDR: sip.ContactHeader{Address: sip.Uri{User: "anxin", Host: a.cfg.Host, Port: port, UriParams: params}}}}
	if a.registrar != nil {
		t.sources = a.registrar.sourceOf
	}
	a.tls.CompareAndSwap(nil, t)
	a.track(l.Close)
	go func() { <-ctx.Done(); l.Close() }()
	return a.srv.ServeTLS(l)
}

// serverDialogCache holds the calls that came in over one transport.
type serverDialogCache interface {
	ReadInvite(req *sip.Request, tx sip.ServerTransaction) (*sipgo.DialogServerSession, error)
	ReadAck(req *sip.Request, tx sip.ServerTransaction) error
	ReadBye(req *sip.Request, tx sip.ServerTransaction) error
}

// clientDialogCache holds the calls Anxin placed over one transport.
type clientDialogCache interface {
	Invite(ctx context.Context, to sip.Uri, body []byte, headers ...sip.Header) (*sipgo.DialogClientSession, error)
	ReadBye(req *sip.Request, tx sip.ServerTransaction) error
}

// serverDialogs returns the cache of the calls that came in over the
// transport req came in on.
func (a *Agent) serverDialogs(req *sip.Request) serverDialogCache {
	if t := a.tls.Load(); t != nil && strings.EqualFold(req.Transport(), "TLS") {
		return (*tlsServerDialogs)(t)
	}
	return a.dialogs
}

// clientDialogsOf returns the cache of the calls Anxin placed over the
// transport req came in on (a BYE from the far end).
func (a *Agent) clientDialogsOf(req *sip.Request) clientDialogCache {
	if t := a.tls.Load(); t != nil && strings.EqualFold(req.Transport(), "TLS") {
		return (*tlsClientDialogs)(t)
	}
	return a.clientDialogs
}

// clientDialogsFor returns the cache a call to `to` is placed from: the
// TLS one for sips: URIs and transport=tls contacts when the agent serves
// TLS.
func (a *Agent) clientDialogsFor(to sip.Uri) clientDialogCache {
	if t := a.tls.Load(); t != nil && isTLS(to) {
		return (*tlsClientDialogs)(t)
	}
	return a.clientDialogs
}

// isTLS reports whether a URI asks for TLS.
func isTLS(u sip.Uri) bool {
	if strings.EqualFold(u.Scheme, "sips") {
		return true
	}
	tr, ok := u.UriParams.Get("transport")
	return ok && strings.EqualFold(tr, "tls")
}

// sourceOf returns where the phone registered at contact sent its
// REGISTER from.
func (r *Registrar) sourceOf(contact sip.Uri) (netip.AddrPort, bool) {
	want := contact.String()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bindings {
		if b.Contact.String() == want && b.Expires.After(r.now()) {
			return b.Source, true
		}
	}
	return netip.AddrPort{}, false
}

// tlsServerDialogs is the serverDialogCache of calls in over TLS.
type tlsServerDialogs tlsDialogs

func (t *tlsServerDialogs) ReadInvite(req *sip.Request, tx sip.ServerTransaction) (*sipgo.DialogServerSession, error) {
	d, err := t.ua.ReadInvite(req, tx)
	if err != nil {
		return nil, err
	}
	id := d.ID
	t.server.Store(id, d)
	d.OnState(func(s sip.DialogState) {
		if s == sip.DialogStateEnded {
			t.server.Delete(id)
		}
	})
	return d, nil
}

func (t *tlsServerDialogs) match(req *sip.Request) (*sipgo.DialogServerSession, error) {
	id, err := sip.DialogIDFromRequestUAS(req)
	if err != nil {
		return nil, errors.Join(sipgo.ErrDialogOutsideDialog, err)
	}
	d, ok := t.server.Load(id)
	if !ok {
		return nil, sipgo.ErrDialogDoesNotExists
	}
	return d.(*sipgo.DialogServerSession), nil
}

func (t *tlsServerDialogs) ReadAck(req *sip.Request, tx sip.ServerTransaction) error {
	d, err := t.match(req)
	if err != nil {
		return err
	}
	return d.ReadAck(req, tx)
}

func (t *tlsServerDialogs) ReadBye(req *sip.Request, tx sip.ServerTransaction) error {
	d, err := t.match(req)
	if err != nil {
		return err
	}
	return d.ReadBye(req, tx)
}

// tlsClientDialogs is the clientDialogCache of calls placed over TLS.
type tlsClientDialogs tlsDialogs

// Invite sends the INVITE to the connection the phone registered on, if it
// did, else to its address.
func (t *tlsClientDialogs) Invite(ctx context.Context, to sip.Uri, body []byte, headers ...sip.Header) (*sipgo.DialogClientSession, error) {
	req := sip.NewRequest(sip.INVITE, to)
	req.SetTransport("TLS")
	req.SetBody(body)
	for _, h := range headers {
		req.AppendHeader(h)
	}
	if t.sources != nil {
		if src, ok := t.sources(to); ok {
			req.SetDestination(src.String())
		}
	}
	d, err := t.ua.WriteInvite(ctx, req)
	if err != nil {
		return nil, err
	}
	d.OnState(func(s sip.DialogState) {
		switch s {
		case sip.DialogStateEstablished:
			t.client.Store(d.ID, d)
		case sip.DialogStateEnded:
			t.client.Delete(d.ID)
		}
	})
	return d, nil
}

func (t *tlsClientDialogs) ReadBye(req *sip.Request, tx sip.ServerTransaction) error {
	id, err := sip.DialogIDFromRequestUAC(req)
	if err != nil {
		return errors.Join(sipgo.ErrDialogOutsideDialog, err)
	}
	d, ok := t.client.Load(id)
	if !ok {
		return sipgo.ErrDialogDoesNotExists
	}
	return d.(*sipgo.DialogClientSession).ReadBye(req, tx)
}
