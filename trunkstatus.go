package anxin

import "time"

// Trunk states as one node sees them.
const (
	TrunkUp          = "up"          // answers OPTIONS, or registered to the carrier
	TrunkDown        = "down"        // no answer to OPTIONS twice running, or the registration fails
	TrunkRegistering = "registering" // the first registration is under way
	TrunkOff         = "off"         // disabled, not watched (no host), or the node stopped
)

// TrunkStatus is a trunk's status on one node: its trunk monitor probes a
// static trunk that has a host with OPTIONS and reports a registering
// trunk's registration. Calls out skip trunks down on their node.
type TrunkStatus struct {
	TrunkID int64  `json:"trunk_id"`
	Node    string `json:"node"`
	State   string `json:"state"`
	// Since is when the state began; Detail the last SIP status and reason
	// ("200 OK", "no response") or why the trunk is off.
	Since     time.Time `json:"since"`
	Detail    string    `json:"detail,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// Calls counts the node's calls in progress through the trunk: its
	// open call records naming the trunk (filled in by lists).
	Calls int `json:"calls"`
}

// Audit actions of the telephony configuration.
const (
	AuditTrunkCreate = "trunk.create"
	AuditTrunkUpdate = "trunk.update"
	AuditDIDSave     = "did.save"
)
