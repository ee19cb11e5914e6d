package anxin

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"unicode/utf8"
)

// Trunk kinds: how a carrier (or a city's SIP infrastructure) connects.
const (
	TrunkStatic   = "static"   // the peer sends from known addresses; no registration
	TrunkRegister = "register" // Anxin registers to the carrier with digest credentials
)

// Trunk is a connection to the telephone network.
type Trunk struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Peers are the addresses (CIDR prefixes) calls from the trunk come
	// from; INVITEs from anywhere else are refused.
	Peers []netip.Prefix `json:"peers"`
	// Host is where calls out go (and registration, for TrunkRegister):
	// host or host:port.
	Host string `json:"host,omitempty"`
	// Username and Password are the carrier's digest credentials
	// (TrunkRegister); the password never leaves the store in lists.
	Username string `json:"username,omitempty"`
	Password string `json:"-"`
	// CallerID is the callback number presented on calls out: the number
	// elders and families can ring back.
	CallerID string `json:"caller_id"`
	// MaxChannels bounds the trunk's simultaneous calls (0: no bound).
	MaxChannels int `json:"max_channels"`
	// Priority orders trunks for calls out: lower first, the next on
	// failure.
	Priority int  `json:"priority"`
	Enabled  bool `json:"enabled"`
}

// Validate checks a trunk.
func (t *Trunk) Validate() error {
	t.Name = strings.TrimSpace(t.Name)
	switch {
	case t.Name == "" || utf8.RuneCountInString(t.Name) > 50:
		return ErrorKey(EINVALID, "err.trunk_name", "Name the trunk (at most 50 characters).")
	case t.Kind != TrunkStatic && t.Kind != TrunkRegister:
		return ErrorKey(EINVALID, "err.trunk_kind", "A trunk is static (known addresses) or registers to the carrier.")
	case t.Kind == TrunkStatic && len(t.Peers) == 0:
		return ErrorKey(EINVALID, "err.trunk_peers", "A static trunk needs the addresses its calls come from.")
	case t.Kind == TrunkRegister && (t.Host == "" || t.Username == "" || t.Password == ""):
		return ErrorKey(EINVALID, "err.trunk_credentials", "A registering trunk needs the carrier's address, user name and password.")
	case t.MaxChannels < 0 || t.MaxChannels > 10000:
		return ErrorKey(EINVALID, "err.trunk_channels", "Channels are between 0 (no bound) and 10,000.")
	case !validDialString(t.CallerID):
		return ErrorKey(EINVALID, "err.trunk_caller_id", "The callback number is digits (a leading + allowed).")
	}
	for _, p := range t.Peers {
		if !p.IsValid() || (p.Bits() == 0 && p.Addr().IsUnspecified()) {
			return ErrorKey(EINVALID, "err.trunk_peer_any", "A peer address must not be the whole internet.")
		}
	}
	return nil
}

// validDialString reports whether s is 3 to 20 digits, optionally after a +.
func validDialString(s string) bool {
	d := strings.TrimPrefix(s, "+")
	if len(d) < 3 || len(d) > 20 {
		return false
	}
	return strings.Trim(d, "0123456789") == ""
}

// Call flows an inbound number can route to.
const (
	FlowHotline  = "hotline"  // the IVR menu, then the hotline's queues
	FlowCallback = "callback" // a callback number: straight to the queue that rang the elder
)

// DID is an inbound number (966666, a district's hotline) and where its
// calls go.
type DID struct {
	Number string `json:"number"`
	Flow   string `json:"flow"`
	// RegionCode is the area the number serves: calls to it are recorded
	// there and its queue's operators come from there.
	RegionCode string `json:"region_code"`
	Name       string `json:"name"`
}

// Validate checks a DID.
func (d *DID) Validate() error {
	d.Name = strings.TrimSpace(d.Name)
	switch {
	case !validDialString(d.Number):
		return ErrorKey(EINVALID, "err.did_number", "The hotline number is digits (a leading + allowed).")
	case !slices.Contains([]string{FlowHotline, FlowCallback}, d.Flow):
		return ErrorKey(EINVALID, "err.did_flow", "A number goes to the hotline menu or is a callback number.")
	case RegionLevel(d.RegionCode) == 0:
		return ErrorKey(EINVALID, "err.region_required", "A valid region code is required.")
	case d.Name == "" || utf8.RuneCountInString(d.Name) > 50:
		return ErrorKey(EINVALID, "err.did_name", "Name the number (at most 50 characters).")
	}
	return nil
}

// TrunkService keeps the telephony configuration.
type TrunkService interface {
	SaveTrunk(ctx context.Context, sc Scope, t *Trunk) error
	Trunks(ctx context.Context) ([]*Trunk, error)
	SaveDID(ctx context.Context, sc Scope, d *DID) error
	DIDs(ctx context.Context) ([]*DID, error)
	// RouteDID returns the route of a dialled number, or ENOTFOUND.
	RouteDID(ctx context.Context, number string) (*DID, error)
}
