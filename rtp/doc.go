// Package rtp carries the audio of calls: one UDP socket per call leg from a
// port range, RTP packets (github.com/pion/rtp) in G.711, RFC 4733 DTMF both
// ways, prompts played in order, and stereo recordings.
//
// An Engine owns the port range and the pacing loops of a node. A Leg is the
// media of one call leg: Engine.NewLeg binds its socket, so its port can go
// into an SDP offer or answer before the peer's address is known, and
// Leg.SetStream starts it with what the offer and answer agreed (a
// media.Stream), again on every re-INVITE.
//
// Sending is paced by one loop per processor (GOMAXPROCS), not a goroutine
// or timer per call: every 20 ms, on absolute deadlines, each loop sends the
// next frame of every leg it carries (prompt audio, a DTMF event packet or
// silence) and records both directions. A loop that wakes a whole frame late
// skips the frames it missed rather than bursting them, and the lateness and
// every leg's real send interval are kept in a histogram (Engine.Stats).
// Receiving is a goroutine per leg blocked in a read; it parses, checks the
// source address, decodes and counts, and never blocks on its consumers.
// Neither side allocates per packet once a call is running.
//
// The package knows RTP, sockets and the 20 ms clock; it knows nothing of
// SIP, of what a call is for, or of where recordings and prompts are kept:
// the caller passes samples (from media.ReadPrompt) and an io.WriteSeeker.
// RTCP is not sent or read: the port above each RTP port is left unbound.
package rtp
