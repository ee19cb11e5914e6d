package media

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/pion/sdp/v3"
)

// DefaultTelephoneEvent is the payload type NewOffer gives telephone-event,
// the number most peers use.
const DefaultTelephoneEvent = 101

// telephoneEvents is the a=fmtp value of the events Anxin takes: the digits,
// *, #, A-D and hook flash.
const telephoneEvents = "0-16"

// A Stream is the audio stream of a call as an SDP offer and answer agreed
// it: what the RTP layer needs to send and receive.
type Stream struct {
	// Remote is where to send RTP. Its address is unspecified (0.0.0.0)
	// while the peer holds the call the RFC 2543 way.
	Remote netip.AddrPort

	// Codec is the codec of the audio both ways.
	Codec Codec

	// PayloadType is the RTP payload type of Codec in this call; almost
	// always Codec.PayloadType(), but a peer may map PCMU to a dynamic
	// number.
	PayloadType uint8

	// TelephoneEvent is the payload type of RFC 4733 DTMF events, or 0
	// when the peer has none and DTMF comes by SIP INFO. (0 is PCMU and
	// never telephone-event.)
	TelephoneEvent uint8

	// Ptime is the packetization time to send with: FrameDuration.
	Ptime time.Duration

	// Direction is the direction of the stream from Anxin's side: send
	// only if Direction.Sends(), expect audio only if
	// Direction.Receives().
	Direction Direction
}

// Answer answers the offer read by ParseOffer for Anxin receiving RTP on
// localIP and localPort, with the first codec of prefer that the offer has.
// It returns the agreed stream and the SDP body of the answer.
//
// The answer keeps the offer's payload type numbers, includes
// telephone-event when the offer has it, asks for 20 ms packets, mirrors the
// offer's direction (sendonly is answered recvonly; an offer with address
// 0.0.0.0 is not sent to), and rejects every other m= line with port 0, as
// RFC 3264 requires. Errors wrap ErrNoAudio when the offer's audio stream
// has port 0 or is not plain RTP, and ErrNoCommonCodec when it has none of
// prefer.
func Answer(offer *Description, localIP netip.Addr, localPort int, prefer []Codec) (*Stream, []byte, error) {
	if err := checkLocal(localIP, localPort); err != nil {
		return nil, nil, fmt.Errorf("answer: %w", err)
	}
	if err := offer.checkUsable("offer"); err != nil {
		return nil, nil, fmt.Errorf("answer: %w", err)
	}
	var chosen *Format
	for _, c := range prefer {
		if chosen = offer.formatOf(c); chosen != nil {
			break
		}
	}
	if chosen == nil {
		return nil, nil, fmt.Errorf("answer: %w: offer has %s, want %s", ErrNoCommonCodec, offer.formatNames(), codecNames(prefer))
	}
	codec, _ := chosen.codec()
	st := offer.stream(codec, chosen.PayloadType, offer.Direction.Reverse())
	events := ""
	if offer.TelephoneEvent != nil {
		events = offer.TelephoneEvent.Params
		if !validEventRange(events) {
			events = telephoneEvents
		}
	}
	audio := audioMedia(localPort, offer.proto(), st.PayloadType, codec, st.TelephoneEvent, events, st.Direction)
	var media []*sdp.MediaDescription
	if len(offer.media) == 0 {
		media = []*sdp.MediaDescription{audio}
	}
	for i, m := range offer.media {
		if i == offer.audio {
			media = append(media, audio)
			continue
		}
		media = append(media, &sdp.MediaDescription{MediaName: sdp.MediaName{
			Media:   m.media,
			Port:    sdp.RangedPort{Value: 0},
			Protos:  strings.Split(m.proto, "/"),
			Formats: m.formats[:min(1, len(m.formats))],
		}})
	}
	body, err := marshalSession(localIP, media)
	if err != nil {
		return nil, nil, fmt.Errorf("answer: %w", err)
	}
	return st, body, nil
}

// NewOffer returns the SDP body of an offer for an outbound call, Anxin
// receiving RTP on localIP and localPort: one audio stream with codecs in
// order of preference, telephone-event as payload type
// DefaultTelephoneEvent, 20 ms packets, sendrecv.
func NewOffer(localIP netip.Addr, localPort int, codecs []Codec) ([]byte, error) {
	if err := checkLocal(localIP, localPort); err != nil {
		return nil, fmt.Errorf("new offer: %w", err)
	}
	if len(codecs) == 0 {
		return nil, errors.New("new offer: no codecs")
	}
	formats := make([]string, 0, len(codecs)+1)
	var attrs []sdp.Attribute
	for i, c := range codecs {
		if !c.Valid() {
			return nil, fmt.Errorf("new offer: invalid %v", c)
		}
		if indexCodec(codecs[:i], c) >= 0 {
			continue
		}
		formats = append(formats, strconv.Itoa(int(c.PayloadType())))
		attrs = append(attrs, sdp.NewAttribute("rtpmap", rtpmap(c.PayloadType(), c.Name())))
	}
	formats = append(formats, strconv.Itoa(DefaultTelephoneEvent))
	attrs = append(attrs,
		sdp.NewAttribute("rtpmap", rtpmap(DefaultTelephoneEvent, "telephone-event")),
		sdp.NewAttribute("fmtp", strconv.Itoa(DefaultTelephoneEvent)+" "+telephoneEvents),
		sdp.NewAttribute("ptime", strconv.Itoa(int(FrameDuration/time.Millisecond))),
		sdp.NewPropertyAttribute(SendRecv.String()),
	)
	m := &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media:   "audio",
			Port:    sdp.RangedPort{Value: localPort},
			Protos:  []string{"RTP", "AVP"},
			Formats: formats,
		},
		Attributes: attrs,
	}
	body, err := marshalSession(localIP, []*sdp.MediaDescription{m})
	if err != nil {
		return nil, fmt.Errorf("new offer: %w", err)
	}
	return body, nil
}

// Accept returns the stream agreed by an answer, read by ParseAnswer, to an
// offer of NewOffer with the codecs offered: the first codec of the answer
// that was offered, its telephone-event payload type, the direction that
// mirrors the answer's. Errors wrap ErrNoAudio when the peer rejected the
// audio stream and ErrNoCommonCodec when it answered with no codec offered.
func Accept(answer *Description, offered []Codec) (*Stream, error) {
	if err := answer.checkUsable("answer"); err != nil {
		return nil, fmt.Errorf("accept: %w", err)
	}
	for _, f := range answer.Formats {
		if c, ok := f.codec(); ok && indexCodec(offered, c) >= 0 {
			return answer.stream(c, f.PayloadType, answer.Direction.Reverse()), nil
		}
	}
	return nil, fmt.Errorf("accept: %w: answer has %s, offered %s", ErrNoCommonCodec, answer.formatNames(), codecNames(offered))
}

// checkUsable returns an error wrapping ErrNoAudio unless the audio stream
// of d has a port and plain RTP; what names d in the message.
func (d *Description) checkUsable(what string) error {
	switch {
	case d.Port == 0:
		return fmt.Errorf("%w: the %s's audio stream has port 0", ErrNoAudio, what)
	case d.Proto != "" && !plainRTP(d.Proto):
		return fmt.Errorf("%w: the %s's audio stream is %s, not plain RTP", ErrNoAudio, what, d.Proto)
	}
	return nil
}

// stream returns the stream with the peer d using codec as payload type pt,
// and Anxin's direction dir, which cannot send while d holds.
func (d *Description) stream(codec Codec, pt uint8, dir Direction) *Stream {
	st := &Stream{
		Remote:      netip.AddrPortFrom(d.Addr, uint16(d.Port)),
		Codec:       codec,
		PayloadType: pt,
		Ptime:       FrameDuration,
		Direction:   dir,
	}
	if d.Hold {
		st.Direction = dir.withoutSending()
	}
	if d.TelephoneEvent != nil && d.TelephoneEvent.PayloadType != pt {
		st.TelephoneEvent = d.TelephoneEvent.PayloadType
	}
	return st
}

// formatOf returns the first format of d that is codec c, or nil.
func (d *Description) formatOf(c Codec) *Format {
	for i := range d.Formats {
		if fc, ok := d.Formats[i].codec(); ok && fc == c {
			return &d.Formats[i]
		}
	}
	return nil
}

// proto returns the transport to answer d's audio stream with.
func (d *Description) proto() string {
	if d.Proto == "" {
		return "RTP/AVP"
	}
	return d.Proto
}

// formatNames lists the formats of d for an error message.
func (d *Description) formatNames() string {
	if len(d.Formats) == 0 {
		return "no formats"
	}
	names := make([]string, len(d.Formats))
	for i, f := range d.Formats {
		if f.Name == "" {
			names[i] = strconv.Itoa(int(f.PayloadType))
		} else {
			names[i] = f.Name + "/" + strconv.Itoa(f.ClockRate)
		}
	}
	return strings.Join(names, ", ")
}

func codecNames(cs []Codec) string {
	if len(cs) == 0 {
		return "none"
	}
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.String()
	}
	return strings.Join(names, ", ")
}

func indexCodec(cs []Codec, c Codec) int {
	for i, x := range cs {
		if x == c {
			return i
		}
	}
	return -1
}

// audioMedia returns Anxin's audio m= line: codec as payload type pt, and
// telephone-event as te with events unless te is 0.
func audioMedia(port int, proto string, pt uint8, codec Codec, te uint8, events string, dir Direction) *sdp.MediaDescription {
	m := &sdp.MediaDescription{
		MediaName: sdp.MediaName{
			Media:   "audio",
			Port:    sdp.RangedPort{Value: port},
			Protos:  strings.Split(proto, "/"),
			Formats: []string{strconv.Itoa(int(pt))},
		},
		Attributes: []sdp.Attribute{sdp.NewAttribute("rtpmap", rtpmap(pt, codec.Name()))},
	}
	if te != 0 {
		m.MediaName.Formats = append(m.MediaName.Formats, strconv.Itoa(int(te)))
		m.Attributes = append(m.Attributes,
			sdp.NewAttribute("rtpmap", rtpmap(te, "telephone-event")),
			sdp.NewAttribute("fmtp", strconv.Itoa(int(te))+" "+events))
	}
	m.Attributes = append(m.Attributes,
		sdp.NewAttribute("ptime", strconv.Itoa(int(FrameDuration/time.Millisecond))),
		sdp.NewPropertyAttribute(dir.String()))
	return m
}

func rtpmap(pt uint8, name string) string {
	return strconv.Itoa(int(pt)) + " " + name + "/" + strconv.Itoa(SampleRate)
}

// marshalSession returns the SDP of a session from Anxin at localIP with
// the given m= lines: o=, s=-, c= and t=0 0 at session level.
func marshalSession(localIP netip.Addr, media []*sdp.MediaDescription) ([]byte, error) {
	localIP = localIP.Unmap().WithZone("")
	addrType := "IP4"
	if localIP.Is6() {
		addrType = "IP6"
	}
	// Session ids under 2^31 suit peers that read them as 32-bit numbers.
	id := uint64(rand.Uint32N(1<<31-1)) + 1
	s := sdp.SessionDescription{
		Origin: sdp.Origin{
			Username:       "anxin",
			SessionID:      id,
			SessionVersion: id,
			NetworkType:    "IN",
			AddressType:    addrType,
			UnicastAddress: localIP.String(),
		},
		SessionName: "-",
		ConnectionInformation: &sdp.ConnectionInformation{
			NetworkType: "IN",
			AddressType: addrType,
			Address:     &sdp.Address{Address: localIP.String()},
		},
		TimeDescriptions:  []sdp.TimeDescription{{Timing: sdp.Timing{}}},
		MediaDescriptions: media,
	}
	b, err := s.Marshal()
	if err != nil {
		return nil, fmt.Errorf("marshal SDP: %w", err)
	}
	return b, nil
}

// checkLocal checks the address Anxin receives RTP on.
func checkLocal(ip netip.Addr, port int) error {
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() {
		return fmt.Errorf("local RTP address %v is not a unicast address", ip)
	}
	if port <= 0 || port > 65535 {
		return fmt.Errorf("local RTP port %d out of range", port)
	}
	return nil
}

// validEventRange reports whether s is a telephone-event list such as
// "0-16" or "0-15,66,70", safe to repeat in an answer.
func validEventRange(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.ParseUint(lo, 10, 8)
		if err1 != nil {
			return false
		}
		if isRange {
			b, err2 := strconv.ParseUint(hi, 10, 8)
			if err2 != nil || b < a {
				return false
			}
		}
	}
	return true
}
