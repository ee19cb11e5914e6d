package sipua

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// Registrar lets operators' phones (SIP extensions) register with digest
// authentication (RFC 3261 §22, MD5 as every phone speaks it): nonces are
// stateless — a time and its HMAC — and expire after NonceLifetime; a
// source that fails too often is refused for a while.
type Registrar struct {
	realm  string
	secret []byte
	lookup func(user string) (ha1 string, ok bool)
	now    func() time.Time

	mu       sync.Mutex
	bindings map[string]Binding
	fails    map[netip.Addr]*failures
}

// Binding is where a registered extension can be reached.
type Binding struct {
	User    string
	Contact sip.Uri
	Source  netip.AddrPort
	Expires time.Time
}

// Registration limits.
const (
	NonceLifetime = 5 * time.Minute
	MinExpires    = 60
	MaxExpires    = 3600
	// MaxFailures failed attempts from one address within FailureWindow
	// block it for BlockFor.
	MaxFailures   = 10
	FailureWindow = 5 * time.Minute
	BlockFor      = 15 * time.Minute
	// maxTracked bounds the addresses the failure counter remembers.
	maxTracked = 10000
)

type failures struct {
	n            int
	first, block time.Time
}

// NewRegistrar builds a registrar for realm whose secrets come from lookup:
// the extension's user name → HA1, the hex MD5 of "user:realm:password"
// (see HA1), so that Anxin keeps no SIP password in the clear.
func NewRegistrar(realm string, lookup func(user string) (string, bool)) *Registrar {
	secret := make([]byte, 32)
	rand.Read(secret)
	return &Registrar{realm: realm, secret: secret, lookup: lookup, now: time.Now,
		bindings: map[string]Binding{}, fails: map[netip.Addr]*failures{}}
}

// Lookup returns the live binding of an extension.
func (r *Registrar) Lookup(user string) (Binding, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, ok := r.bindings[user]
	if !ok || !b.Expires.After(r.now()) {
		return Binding{}, false
	}
	return b, true
}

// nonce returns a fresh nonce: the time and its HMAC, base64.
func (r *Registrar) nonce() string {
	b := make([]byte, 8, 8+16)
	binary.BigEndian.PutUint64(b, uint64(r.now().Unix()))
	m := hmac.New(sha256.New, r.secret)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(b)[:8+16])
}

// nonceValid reports whether nonce is ours and not expired.
func (r *Registrar) nonceValid(nonce string) bool {
	b, err := base64.RawURLEncoding.DecodeString(nonce)
	if err != nil || len(b) != 8+16 {
		return false
	}
	m := hmac.New(sha256.New, r.secret)
	m.Write(b[:8])
	if !hmac.Equal(m.Sum(nil)[:16], b[8:]) {
		return false
	}
	at := time.Unix(int64(binary.BigEndian.Uint64(b[:8])), 0)
	age := r.now().Sub(at)
	return age >= -time.Minute && age <= NonceLifetime
}

// blocked reports whether the address is blocked now.
func (r *Registrar) blocked(ip netip.Addr) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.fails[ip]
	return f != nil && r.now().Before(f.block)
}

// failed counts a failed attempt from ip.
func (r *Registrar) failed(ip netip.Addr) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	f := r.fails[ip]
	if f == nil || now.Sub(f.first) > FailureWindow {
		if len(r.fails) >= maxTracked {
			for k, v := range r.fails { // forget what no longer matters
				if now.Sub(v.first) > FailureWindow && now.After(v.block) {
					delete(r.fails, k)
				}
			}
		}
		if f != nil && now.Before(f.block) {
			return
		}
		f = &failures{first: now}
		r.fails[ip] = f
	}
	f.n++
	if f.n >= MaxFailures {
		f.block = now.Add(BlockFor)
	}
}

// authorized checks the request's digest credentials and returns the
// user, or "" (with stale set when only the nonce expired).
func (r *Registrar) authorized(req *sip.Request) (user string, stale bool) {
	h := req.GetHeader("Authorization")
	if h == nil {
		return "", false
	}
	c, err := digest.ParseCredentials(h.Value())
	if err != nil || c.Username == "" || !strings.EqualFold(c.Realm, r.realm) {
		return "", false
	}
	if !r.nonceValid(c.Nonce) {
		return "", true
	}
	ha1, ok := r.lookup(c.Username)
	if !ok {
		return "", false
	}
	if c.Algorithm != "" && !strings.EqualFold(c.Algorithm, "MD5") {
		return "", false
	}
	ha2 := md(string(req.Method) + ":" + c.URI)
	want := md(ha1 + ":" + c.Nonce + ":" + ha2)
	if c.QOP != "" {
		want = md(ha1 + ":" + c.Nonce + ":" + fmt.Sprintf("%08x", c.Nc) + ":" + c.Cnonce + ":" + c.QOP + ":" + ha2)
	}
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(c.Response))) != 1 {
		return "", false
	}
	return c.Username, false
}

func md(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// HA1 is the digest secret of an extension: the hex MD5 of
// "user:realm:password".
func HA1(user, realm, password string) string { return md(user + ":" + realm + ":" + password) }

// handle answers a REGISTER.
func (r *Registrar) handle(req *sip.Request, tx sip.ServerTransaction) {
	respond := func(code int, reason string, hs ...sip.Header) {
		res := sip.NewResponseFromRequest(req, code, reason, nil)
		for _, h := range hs {
			res.AppendHeader(h)
		}
		tx.Respond(res)
	}
	src, _ := netip.ParseAddrPort(req.Source())
	ip := src.Addr().Unmap()
	if r.blocked(ip) {
		respond(sip.StatusForbidden, "Forbidden")
		return
	}
	user, stale := r.authorized(req)
	if user == "" {
		if req.GetHeader("Authorization") != nil && !stale {
			r.failed(ip)
		}
		chal := digest.Challenge{Realm: r.realm, Nonce: r.nonce(), Algorithm: "MD5", QOP: []string{"auth"}, Stale: stale}
		respond(sip.StatusUnauthorized, "Unauthorized", sip.NewHeader("WWW-Authenticate", chal.String()))
		return
	}
	if to := req.To(); to == nil || to.Address.User != user {
		respond(sip.StatusForbidden, "Forbidden") // registering another's extension
		return
	}
	expires := 3600
	if h := req.GetHeader("Expires"); h != nil {
		n, err := strconv.Atoi(strings.TrimSpace(h.Value()))
		if err != nil || n < 0 {
			respond(sip.StatusBadRequest, "Bad Expires")
			return
		}
		expires = n
	}
	contact := req.Contact()
	if contact != nil {
		if v, ok := contact.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil && n >= 0 {
				expires = n
			}
		}
	}
	if expires > 0 && expires < MinExpires {
		respond(sip.StatusIntervalToBrief, "Interval Too Brief", sip.NewHeader("Min-Expires", strconv.Itoa(MinExpires)))
		return
	}
	expires = min(expires, MaxExpires)
	r.mu.Lock()
	switch {
	case expires == 0 || contact == nil:
		if expires == 0 {
			delete(r.bindings, user)
		}
	default:
		r.bindings[user] = Binding{User: user, Contact: contact.Address, Source: src, Expires: r.now().Add(time.Duration(expires) * time.Second)}
	}
	b, bound := r.bindings[user]
	r.mu.Unlock()
	if bound {
		ch := &sip.ContactHeader{Address: b.Contact, Params: sip.NewParams()}
		ch.Params.Add("expires", strconv.Itoa(expires))
		respond(sip.StatusOK, "OK", ch, sip.NewHeader("Expires", strconv.Itoa(expires)))
		return
	}
	respond(sip.StatusOK, "OK")
}
