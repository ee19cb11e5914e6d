package media

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
)

// Errors of SDP offer/answer, wrapped with what is wrong; test them with
// errors.Is. A SIP layer answers all three with 488 Not Acceptable Here.
var (
	// ErrInvalidSDP reports a session description that is not valid SDP,
	// is larger than MaxSDPSize or lists more than 32 payload types.
	ErrInvalidSDP = errors.New("media: invalid SDP")

	// ErrNoAudio reports a session description without a usable audio
	// stream: no audio m= line, an audio stream with port 0, one offered
	// only over SRTP (RTP/SAVP) or multicast.
	ErrNoAudio = errors.New("media: no usable audio stream")

	// ErrNoCommonCodec reports an offer or answer without PCMU or PCMA
	// among the codecs wanted.
	ErrNoCommonCodec = errors.New("media: no common codec")
)

// MaxSDPSize is the largest session description ParseOffer and ParseAnswer
// read: 8 KiB. An audio offer is under 1 KiB; a WebRTC one with every
// candidate and codec may reach 6.
const MaxSDPSize = 8 << 10

// maxPayloadTypes is the most payload types an m= line may list.
const maxPayloadTypes = 32

// A Format is one payload type of an audio m= line with its a=rtpmap and
// a=fmtp lines.
type Format struct {
	// PayloadType is the RTP payload type, 0 to 127.
	PayloadType uint8

	// Name is the encoding name ("PCMU", "telephone-event", "opus"), from
	// a=rtpmap or, for a static payload type without one, RFC 3551; empty
	// for a dynamic payload type without a=rtpmap.
	Name string

	// ClockRate is the RTP clock rate in Hz, 0 when Name is empty.
	ClockRate int

	// Channels is the number of audio channels: 1 unless a=rtpmap says
	// otherwise.
	Channels int

	// Params is the text of the a=fmtp line of the payload type, such as
	// "0-16" for telephone-event; empty without one.
	Params string
}

// codec returns the G.711 codec f is, and whether it is one.
func (f Format) codec() (Codec, bool) {
	c, ok := CodecByName(f.Name)
	return c, ok && f.ClockRate == SampleRate && f.Channels == 1
}

// A Description is what a peer's session description says about the audio
// stream of a call, read from an SDP offer by ParseOffer or an answer by
// ParseAnswer.
type Description struct {
	// SessionID and SessionVersion are those of the o= line; a re-INVITE
	// with the same version repeats the previous description.
	SessionID, SessionVersion uint64

	// Addr is the address the peer receives RTP on, from the c= line of
	// the audio stream or else of the session. It is unspecified (0.0.0.0
	// or ::) when the peer holds the call the RFC 2543 way; Hold is then
	// set.
	Addr netip.Addr

	// Port is the peer's RTP port; 0 means the stream is rejected or
	// disabled.
	Port int

	// Proto is the transport of the stream: "RTP/AVP" for plain RTP.
	Proto string

	// Hold reports a connection address of 0.0.0.0 or ::, the old way of
	// putting a call on hold.
	Hold bool

	// Direction is the direction of the stream from the peer's side.
	Direction Direction

	// Formats are the payload types of the stream, in the peer's order of
	// preference.
	Formats []Format

	// TelephoneEvent is the RFC 4733 telephone-event format at 8000 Hz
	// among Formats, or nil when the peer sends no DTMF events and SIP
	// INFO is the fallback. Its Params give the events, usually "0-16".
	TelephoneEvent *Format

	// Ptime is the packetization time the peer asks for (a=ptime), 0 when
	// it does not say.
	Ptime time.Duration

	media []mediaLine // every m= line, to answer each
	audio int         // index in media of the audio stream described
}

// mediaLine is what an answer must repeat of an m= line it rejects.
type mediaLine struct {
	media, proto string
	formats      []string
}

// Codecs returns the G.711 codecs of d in the peer's order of preference.
func (d *Description) Codecs() []Codec {
	var cs []Codec
	for _, f := range d.Formats {
		if c, ok := f.codec(); ok {
			cs = append(cs, c)
		}
	}
	return cs
}

// ParseOffer reads an SDP offer, the body of an INVITE or re-INVITE, and
// describes its audio stream: the first audio m= line over plain RTP with a
// port, or else the first audio m= line. Errors wrap ErrInvalidSDP for
// malformed SDP (pion/sdp is strict: a missing t= line or a T.38 m=image
// line is malformed to it) or ErrNoAudio when there is no audio m= line or
// its address is multicast. A stream with port 0 or over SRTP is described;
// Answer refuses it.
func ParseOffer(body []byte) (*Description, error) {
	d, err := parseDescription(body)
	if err != nil {
		return nil, fmt.Errorf("parse offer: %w", err)
	}
	return d, nil
}

// ParseAnswer reads an SDP answer, the body of the 200 OK (or ACK) to an
// offer of NewOffer, as ParseOffer reads an offer. Accept then tells what
// was agreed.
func ParseAnswer(body []byte) (*Description, error) {
	d, err := parseDescription(body)
	if err != nil {
		return nil, fmt.Errorf("parse answer: %w", err)
	}
	return d, nil
}

func parseDescription(body []byte) (*Description, error) {
	if len(body) > MaxSDPSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidSDP, len(body), MaxSDPSize)
	}
	text := string(body)
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSDP)
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\r\n" // pion/sdp wants every line ended
	}
	var s sdp.SessionDescription
	if err := s.UnmarshalString(text); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSDP, err)
	}
	d := &Description{
		SessionID:      s.Origin.SessionID,
		SessionVersion: s.Origin.SessionVersion,
		audio:          -1,
	}
	for i, m := range s.MediaDescriptions {
		d.media = append(d.media, mediaLine{m.MediaName.Media, strings.Join(m.MediaName.Protos, "/"), m.MediaName.Formats})
		if m.MediaName.Media != "audio" {
			continue
		}
		if d.audio < 0 || usableAudio(m) && !usableAudio(s.MediaDescriptions[d.audio]) {
			d.audio = i
		}
	}
	if d.audio < 0 {
		return nil, fmt.Errorf("%w: no audio m= line", ErrNoAudio)
	}
	if err := d.parseAudio(&s, s.MediaDescriptions[d.audio]); err != nil {
		return nil, err
	}
	return d, nil
}

// usableAudio reports whether m, an audio m= line, has a port and plain
// RTP.
func usableAudio(m *sdp.MediaDescription) bool {
	return m.MediaName.Port.Value != 0 && plainRTP(strings.Join(m.MediaName.Protos, "/"))
}

// plainRTP reports whether proto is RTP without SRTP or DTLS.
func plainRTP(proto string) bool { return proto == "RTP/AVP" || proto == "RTP/AVPF" }

// parseAudio fills d from the audio m= line m of s.
func (d *Description) parseAudio(s *sdp.SessionDescription, m *sdp.MediaDescription) error {
	d.Port = m.MediaName.Port.Value
	d.Proto = strings.Join(m.MediaName.Protos, "/")
	conn := m.ConnectionInformation
	if conn == nil {
		conn = s.ConnectionInformation
	}
	switch {
	case conn != nil && conn.Address != nil:
		// A multicast address may carry a TTL and count: 224.2.1.1/127/3.
		a, _, _ := strings.Cut(conn.Address.Address, "/")
		addr, err := netip.ParseAddr(a)
		if err != nil {
			return fmt.Errorf("%w: connection address %q is not an IP address", ErrInvalidSDP, conn.Address.Address)
		}
		d.Addr = addr.Unmap().WithZone("")
		d.Hold = addr.IsUnspecified()
		if addr.IsMulticast() {
			return fmt.Errorf("%w: multicast address %v", ErrNoAudio, addr)
		}
	case d.Port != 0:
		return fmt.Errorf("%w: no connection address for the audio stream", ErrInvalidSDP)
	}
	if len(m.MediaName.Formats) > maxPayloadTypes {
		return fmt.Errorf("%w: %d payload types, at most %d", ErrInvalidSDP, len(m.MediaName.Formats), maxPayloadTypes)
	}
	if err := d.parseFormats(m); err != nil {
		return err
	}
	d.Direction = attrDirection(m.Attributes, attrDirection(s.Attributes, SendRecv))
	if v, ok := m.Attribute("ptime"); ok {
		d.Ptime = parsePtime(v)
	} else if v, ok := s.Attribute("ptime"); ok {
		d.Ptime = parsePtime(v)
	}
	return nil
}

// parseFormats fills d.Formats and d.TelephoneEvent from the m= line m and
// its a=rtpmap and a=fmtp lines.
func (d *Description) parseFormats(m *sdp.MediaDescription) error {
	rtp := strings.HasPrefix(d.Proto, "RTP/")
	for _, s := range m.MediaName.Formats {
		pt, err := strconv.ParseUint(s, 10, 8)
		if err != nil || pt > 127 {
			if !rtp {
				continue // not RTP: formats are not payload types
			}
			return fmt.Errorf("%w: payload type %q", ErrInvalidSDP, s)
		}
		if d.format(uint8(pt)) != nil {
			continue // listed twice
		}
		f := Format{PayloadType: uint8(pt), Channels: 1}
		if pt < uint64(len(staticFormats)) && staticFormats[pt].name != "" {
			st := staticFormats[pt]
			f.Name, f.ClockRate, f.Channels = st.name, st.rate, st.channels
		}
		d.Formats = append(d.Formats, f)
	}
	for _, a := range m.Attributes {
		switch a.Key {
		case "rtpmap":
			pt, enc, ok := strings.Cut(strings.TrimSpace(a.Value), " ")
			f := d.formatNamed(pt)
			if f == nil {
				continue // for a payload type not listed
			}
			if !ok || !parseRtpmap(f, strings.TrimSpace(enc)) {
				return fmt.Errorf("%w: a=rtpmap:%s", ErrInvalidSDP, a.Value)
			}
		case "fmtp":
			pt, params, _ := strings.Cut(strings.TrimSpace(a.Value), " ")
			if f := d.formatNamed(pt); f != nil {
				f.Params = strings.TrimSpace(params)
			}
		}
	}
	for i := range d.Formats {
		if f := &d.Formats[i]; strings.EqualFold(f.Name, "telephone-event") && f.ClockRate == SampleRate {
			te := *f
			d.TelephoneEvent = &te
			break
		}
	}
	return nil
}

// format returns the format of payload type pt, or nil.
func (d *Description) format(pt uint8) *Format {
	for i := range d.Formats {
		if d.Formats[i].PayloadType == pt {
			return &d.Formats[i]
		}
	}
	return nil
}

// formatNamed returns the format of the payload type written s, or nil.
func (d *Description) formatNamed(s string) *Format {
	pt, err := strconv.ParseUint(s, 10, 8)
	if err != nil {
		return nil
	}
	return d.format(uint8(pt))
}

// parseRtpmap sets the name, clock rate and channels of f from the
// encoding of an a=rtpmap line, "PCMU/8000" or "opus/48000/2", and reports
// whether it is well formed.
func parseRtpmap(f *Format, enc string) bool {
	parts := strings.Split(enc, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" {
		return false
	}
	rate, err := strconv.ParseUint(parts[1], 10, 32)
	if err != nil || rate == 0 {
		return false
	}
	channels := uint64(1)
	if len(parts) == 3 {
		if channels, err = strconv.ParseUint(parts[2], 10, 8); err != nil || channels == 0 {
			return false
		}
	}
	f.Name, f.ClockRate, f.Channels = parts[0], int(rate), int(channels)
	return true
}

// attrDirection returns the direction the first direction attribute of
// attrs gives, or def.
func attrDirection(attrs []sdp.Attribute, def Direction) Direction {
	for _, a := range attrs {
		if d, ok := parseDirection(a.Key); ok {
			return d
		}
	}
	return def
}

// parsePtime returns the duration of an a=ptime value in milliseconds
// ("20", some write "20.0"), or 0 when it is not one from 1 ms to 1 s: a
// wrong ptime is advice to ignore, not an error.
func parsePtime(v string) time.Duration {
	ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || !(ms >= 1 && ms <= 1000) {
		return 0
	}
	return time.Duration(ms * float64(time.Millisecond))
}

// staticFormats are the audio payload types of RFC 3551 table 4.
var staticFormats = [19]struct {
	name     string
	rate     int
	channels int
}{
	0: {"PCMU", 8000, 1}, 3: {"GSM", 8000, 1}, 4: {"G723", 8000, 1}, 5: {"DVI4", 8000, 1},
	6: {"DVI4", 16000, 1}, 7: {"LPC", 8000, 1}, 8: {"PCMA", 8000, 1}, 9: {"G722", 8000, 1},
	10: {"L16", 44100, 2}, 11: {"L16", 44100, 1}, 12: {"QCELP", 8000, 1}, 13: {"CN", 8000, 1},
	14: {"MPA", 90000, 1}, 15: {"G728", 8000, 1}, 16: {"DVI4", 11025, 1}, 17: {"DVI4", 22050, 1},
	18: {"G729", 8000, 1},
}
