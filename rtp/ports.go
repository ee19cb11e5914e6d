package rtp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
)

// ErrNoPorts reports that every even port of a PortRange is in use, by
// Anxin's legs or by other programs.
var ErrNoPorts = errors.New("rtp: no free port in range")

// A PortRange hands out UDP sockets bound to the even ports of a range on
// one local address, one socket per call leg, and takes the ports back when
// the sockets are released.
//
// RTP goes on even ports (RFC 3550 section 11); the odd port above each,
// for RTCP, is left unbound, since Anxin neither sends nor reads RTCP. A
// port bound by another program is skipped and tried again on a later
// round. Ports are handed out in turn rather than lowest first, so a port
// just released is not bound again until the rest of the range has been:
// late packets of an ended call do not reach the next one.
//
// A PortRange is safe for concurrent use.
type PortRange struct {
	ip    netip.Addr
	first int // lowest even port
	n     int // number of even ports

	mu    sync.Mutex
	used  []bool // used[i] for port first+2i
	inUse int
	next  int // index of the next port to try
}

// NewPortRange returns the even ports from first to last, inclusive, on the
// local address ip (which may be unspecified, 0.0.0.0 or ::, to bind every
// address of its family). The range must hold at least one even port
// between 1024 and 65534.
func NewPortRange(ip netip.Addr, first, last int) (*PortRange, error) {
	if !ip.IsValid() {
		return nil, errors.New("rtp: port range: no local address")
	}
	if first%2 == 1 {
		first++
	}
	if last%2 == 1 {
		last--
	}
	if first < 1024 || last > 65534 || first > last {
		return nil, fmt.Errorf("rtp: port range %d-%d: want at least one even port from 1024 to 65534", first, last)
	}
	n := (last-first)/2 + 1
	return &PortRange{ip: ip.Unmap(), first: first, n: n, used: make([]bool, n)}, nil
}

// Len returns the number of even ports in r, the most legs it carries at
// once.
func (r *PortRange) Len() int { return r.n }

// InUse returns the number of ports handed out and not yet released.
func (r *PortRange) InUse() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.inUse
}

// Open returns a UDP socket bound to a free even port of r. It returns an
// error wrapping ErrNoPorts when every port is in use, and the error of the
// bind when the address itself cannot be bound (not an address of this
// host, say). Release the socket, rather than closing it, to give its port
// back.
func (r *PortRange) Open() (*net.UDPConn, error) {
	network := "udp6"
	if r.ip.Is4() {
		network = "udp4"
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for range r.n {
		i := r.next
		r.next = (r.next + 1) % r.n
		if r.used[i] {
			continue
		}
		port := r.first + 2*i
		c, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.AddrPortFrom(r.ip, uint16(port))))
		if errors.Is(err, syscall.EADDRINUSE) {
			continue // another program has it; try it again next round
		}
		if err != nil {
			return nil, fmt.Errorf("rtp: open port %d: %w", port, err)
		}
		r.used[i] = true
		r.inUse++
		return c, nil
	}
	return nil, fmt.Errorf("%w: %d-%d on %v, %d in use by Anxin", ErrNoPorts, r.first, r.first+2*(r.n-1), r.ip, r.inUse)
}

// Release closes c, a socket that Open returned, and gives its port back to
// r. Releasing a socket twice closes it again, which reports an error, and
// gives nothing back.
func (r *PortRange) Release(c *net.UDPConn) error {
	port := int(c.LocalAddr().(*net.UDPAddr).AddrPort().Port())
	err := c.Close()
	if err != nil {
		return err
	}
	if i := (port - r.first) / 2; port >= r.first && port%2 == 0 && i < r.n {
		r.mu.Lock()
		if r.used[i] {
			r.used[i] = false
			r.inUse--
		}
		r.mu.Unlock()
	}
	return nil
}
