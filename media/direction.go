package media

// Direction is the direction of an audio stream as SDP states it (RFC 3264
// section 5.1), from the point of view of the side that wrote it. The zero
// value is SendRecv, the default when SDP says nothing.
type Direction uint8

// The four directions of a stream.
const (
	SendRecv Direction = iota // a=sendrecv: both ways
	SendOnly                  // a=sendonly: the writer sends only, as when it holds the call
	RecvOnly                  // a=recvonly: the writer receives only
	Inactive                  // a=inactive: neither way
)

var directionNames = [...]string{"sendrecv", "sendonly", "recvonly", "inactive"}

// String returns the SDP attribute of d: "sendrecv", "sendonly", "recvonly"
// or "inactive".
func (d Direction) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "inactive"
}

// Reverse returns the direction the other side answers d with: sendonly
// becomes recvonly and recvonly sendonly.
func (d Direction) Reverse() Direction {
	switch d {
	case SendOnly:
		return RecvOnly
	case RecvOnly:
		return SendOnly
	}
	return d
}

// Sends reports whether the side that wrote d sends audio.
func (d Direction) Sends() bool { return d == SendRecv || d == SendOnly }

// Receives reports whether the side that wrote d receives audio.
func (d Direction) Receives() bool { return d == SendRecv || d == RecvOnly }

// withoutSending returns d with sending turned off.
func (d Direction) withoutSending() Direction {
	switch d {
	case SendRecv:
		return RecvOnly
	case SendOnly:
		return Inactive
	}
	return d
}

// parseDirection returns the direction named by an attribute key.
func parseDirection(key string) (Direction, bool) {
	for i, n := range directionNames {
		if key == n {
			return Direction(i), true
		}
	}
	return 0, false
}
