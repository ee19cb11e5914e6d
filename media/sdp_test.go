package media

import (
	"errors"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseOffer(t *testing.T) {
	tests := []struct {
		name      string
		sdp       string
		addr      string
		port      int
		proto     string
		hold      bool
		dir       Direction
		formats   []uint8
		codecs    []Codec
		te        uint8 // 0: none
		teParams  string
		ptime     time.Duration
		sessionID uint64
	}{
		{name: "sipp uac", sdp: sippUAC, addr: "192.0.2.10", port: 6000, formats: []uint8{0},
			codecs: []Codec{PCMU}, sessionID: 53655765},
		{name: "sipp uac_pcap", sdp: sippUACPcap, addr: "192.0.2.10", port: 6000, formats: []uint8{8, 101},
			codecs: []Codec{PCMA}, te: 101, teParams: "0-11,16", sessionID: 53655765},
		{name: "baresip", sdp: baresip, addr: "192.0.2.20", port: 18364, formats: []uint8{96, 9, 0, 8, 101},
			codecs: []Codec{PCMU, PCMA}, te: 101, teParams: "0-15", ptime: 20 * time.Millisecond, sessionID: 1295597357},
		{name: "linphone", sdp: linphone, addr: "192.0.2.30", port: 7078, formats: []uint8{96, 97, 98, 0, 8, 101, 99, 100},
			codecs: []Codec{PCMU, PCMA}, te: 100, sessionID: 3456},
		{name: "asterisk", sdp: asterisk, addr: "203.0.113.5", port: 13862, formats: []uint8{8, 0, 3, 101},
			codecs: []Codec{PCMA, PCMU}, te: 101, teParams: "0-16", ptime: 20 * time.Millisecond, sessionID: 1776418263},
		{name: "carrier with PCMA only", sdp: carrierPCMA, addr: "198.51.100.2", port: 30000, formats: []uint8{8, 18, 101},
			codecs: []Codec{PCMA}, te: 101, teParams: "0-15", ptime: 20 * time.Millisecond, sessionID: 1073754370},
		{name: "c= at media level only", sdp: mediaLevelC, addr: "203.0.113.9", port: 54400, formats: []uint8{0, 101},
			codecs: []Codec{PCMU}, te: 101, teParams: "0-15", sessionID: 20518},
		{name: "ipv6 with telephone-event 96", sdp: ipv6, addr: "2001:db8::10", port: 40000, formats: []uint8{8, 0, 96},
			codecs: []Codec{PCMA, PCMU}, te: 96, teParams: "0-16", ptime: 30 * time.Millisecond, sessionID: 1},
		{name: "hold with 0.0.0.0", sdp: holdOld, addr: "0.0.0.0", port: 13862, hold: true, formats: []uint8{0, 101},
			codecs: []Codec{PCMU}, te: 101, teParams: "0-16", sessionID: 1776418263},
		{name: "hold with sendonly", sdp: holdSendonly, addr: "203.0.113.5", port: 13862, dir: SendOnly, formats: []uint8{0},
			codecs: []Codec{PCMU}, sessionID: 1776418263},
		{name: "plain RTP after SRTP", sdp: srtpThenRTP, addr: "192.0.2.40", port: 5006, formats: []uint8{0, 8},
			codecs: []Codec{PCMU, PCMA}, sessionID: 5},
		{name: "SRTP only", sdp: srtpOnly, addr: "192.0.2.40", port: 5004, proto: "RTP/SAVP", formats: []uint8{0},
			codecs: []Codec{PCMU}, sessionID: 5},
		{name: "audio disabled", sdp: audioDisabled, addr: "198.51.100.8", port: 0, formats: []uint8{0},
			codecs: []Codec{PCMU}, sessionID: 8},
		{name: "bare newlines, no final newline", sdp: strings.TrimSuffix(strings.ReplaceAll(asterisk, "\r\n", "\n"), "\n"),
			addr: "203.0.113.5", port: 13862, formats: []uint8{8, 0, 3, 101},
			codecs: []Codec{PCMA, PCMU}, te: 101, teParams: "0-16", ptime: 20 * time.Millisecond, sessionID: 1776418263},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseOffer([]byte(tt.sdp))
			if err != nil {
				t.Fatalf("ParseOffer: %v", err)
			}
			if tt.proto == "" {
				tt.proto = "RTP/AVP"
			}
			if got := d.Addr.String(); got != tt.addr {
				t.Errorf("Addr = %s, want %s", got, tt.addr)
			}
			if d.Port != tt.port || d.Proto != tt.proto || d.Hold != tt.hold || d.Direction != tt.dir {
				t.Errorf("Port, Proto, Hold, Direction = %d, %s, %v, %v; want %d, %s, %v, %v",
					d.Port, d.Proto, d.Hold, d.Direction, tt.port, tt.proto, tt.hold, tt.dir)
			}
			var pts []uint8
			for _, f := range d.Formats {
				pts = append(pts, f.PayloadType)
			}
			if !slices.Equal(pts, tt.formats) {
				t.Errorf("payload types %v, want %v", pts, tt.formats)
			}
			if got := d.Codecs(); !slices.Equal(got, tt.codecs) {
				t.Errorf("Codecs() = %v, want %v", got, tt.codecs)
			}
			switch {
			case tt.te == 0 && d.TelephoneEvent != nil:
				t.Errorf("TelephoneEvent = %+v, want none", *d.TelephoneEvent)
			case tt.te != 0 && d.TelephoneEvent == nil:
				t.Errorf("no TelephoneEvent, want %d", tt.te)
			case tt.te != 0 && (d.TelephoneEvent.PayloadType != tt.te || d.TelephoneEvent.Params != tt.teParams):
				t.Errorf("TelephoneEvent = %+v, want %d %q", *d.TelephoneEvent, tt.te, tt.teParams)
			}
			if d.Ptime != tt.ptime {
				t.Errorf("Ptime = %v, want %v", d.Ptime, tt.ptime)
			}
			if d.SessionID != tt.sessionID {
				t.Errorf("SessionID = %d, want %d", d.SessionID, tt.sessionID)
			}
		})
	}
}

func TestParseOfferFormats(t *testing.T) {
	d, err := ParseOffer([]byte(linphone))
	if err != nil {
		t.Fatal(err)
	}
	want := []Format{
		{96, "opus", 48000, 2, "useinbandfec=1"},
		{97, "speex", 16000, 1, "vbr=on"},
		{98, "speex", 8000, 1, "vbr=on"},
		{0, "PCMU", 8000, 1, ""},
		{8, "PCMA", 8000, 1, ""},
		{101, "telephone-event", 48000, 1, ""},
		{99, "telephone-event", 16000, 1, ""},
		{100, "telephone-event", 8000, 1, ""},
	}
	if !slices.Equal(d.Formats, want) {
		t.Errorf("Formats =\n%+v\nwant\n%+v", d.Formats, want)
	}
	c, err := ParseOffer([]byte(carrierPCMA))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Formats[0]; got != (Format{8, "PCMA", 8000, 1, ""}) {
		t.Errorf("static payload type 8 without rtpmap = %+v", got)
	}
	if got := c.Formats[1]; got != (Format{18, "G729", 8000, 1, "annexb=no"}) {
		t.Errorf("G.729 = %+v", got)
	}
}

func TestParseOfferErrors(t *testing.T) {
	head := crlf("v=0", "o=- 1 1 IN IP4 192.0.2.1", "s=-", "c=IN IP4 192.0.2.1", "t=0 0")
	many := "m=audio 4000 RTP/AVP"
	for i := range 33 {
		many += " " + string(rune('0'+i%10))
	}
	tests := []struct {
		name string
		sdp  string
		want error
	}{
		{"empty", "", ErrInvalidSDP},
		{"not SDP", "hello world", ErrInvalidSDP},
		{"missing m=", head, ErrNoAudio},
		{"video only", head + crlf("m=video 4000 RTP/AVP 96"), ErrNoAudio},
		{"non-numeric port", head + crlf("m=audio abc RTP/AVP 0"), ErrInvalidSDP},
		{"port out of range", head + crlf("m=audio 70000 RTP/AVP 0"), ErrInvalidSDP},
		{"non-numeric payload type", head + crlf("m=audio 4000 RTP/AVP 0 abc"), ErrInvalidSDP},
		{"payload type over 127", head + crlf("m=audio 4000 RTP/AVP 200"), ErrInvalidSDP},
		{"33 payload types", head + crlf(many), ErrInvalidSDP},
		{"bad rtpmap", head + crlf("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 opus"), ErrInvalidSDP},
		{"rtpmap with zero rate", head + crlf("m=audio 4000 RTP/AVP 96", "a=rtpmap:96 opus/0"), ErrInvalidSDP},
		{"hostname as address", strings.Replace(sippUAC, "c=IN IP4 192.0.2.10", "c=IN IP4 pbx.example.com", 1), ErrInvalidSDP},
		{"no connection address", strings.Replace(sippUAC, "c=IN IP4 192.0.2.10\r\n", "", 1), ErrInvalidSDP},
		{"multicast", strings.Replace(sippUAC, "c=IN IP4 192.0.2.10", "c=IN IP4 224.2.1.1/127", 1), ErrNoAudio},
		{"missing t=", strings.Replace(sippUAC, "t=0 0\r\n", "", 1), ErrInvalidSDP},
		{"T.38 stream (pion/sdp knows no m=image)", asterisk + crlf("m=image 4000 udptl t38"), ErrInvalidSDP},
		{"over 8 KiB", asterisk + strings.Repeat("a=x-padding:0123456789abcdef0123456789abcdef\r\n", 200), ErrInvalidSDP},
		{"binary", "\x00\x01\x02v=0\r\n", ErrInvalidSDP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseOffer([]byte(tt.sdp))
			if !errors.Is(err, tt.want) {
				t.Fatalf("ParseOffer = %+v, %v; want %v", d, err, tt.want)
			}
			if d != nil {
				t.Errorf("ParseOffer returned a description with error %v", err)
			}
		})
	}
}

var local = netip.MustParseAddr("192.0.2.99")

func TestAnswer(t *testing.T) {
	both := []Codec{PCMU, PCMA}
	tests := []struct {
		name    string
		offer   string
		prefer  []Codec
		stream  Stream
		formats []uint8 // of our answer's audio line
		events  string
		mlines  int
	}{
		{"sipp uac", sippUAC, both, Stream{Remote: ap("192.0.2.10:6000"), Codec: PCMU, PayloadType: 0}, []uint8{0}, "", 1},
		{"sipp uac_pcap", sippUACPcap, both, Stream{Remote: ap("192.0.2.10:6000"), Codec: PCMA, PayloadType: 8, TelephoneEvent: 101},
			[]uint8{8, 101}, "0-11,16", 1},
		{"baresip: ours first", baresip, []Codec{PCMA, PCMU}, Stream{Remote: ap("192.0.2.20:18364"), Codec: PCMA, PayloadType: 8, TelephoneEvent: 101},
			[]uint8{8, 101}, "0-15", 1},
		{"linphone: video rejected, te 100", linphone, both, Stream{Remote: ap("192.0.2.30:7078"), Codec: PCMU, PayloadType: 0, TelephoneEvent: 100},
			[]uint8{0, 100}, "0-16", 2},
		{"asterisk", asterisk, both, Stream{Remote: ap("203.0.113.5:13862"), Codec: PCMU, PayloadType: 0, TelephoneEvent: 101},
			[]uint8{0, 101}, "0-16", 1},
		{"carrier PCMA", carrierPCMA, both, Stream{Remote: ap("198.51.100.2:30000"), Codec: PCMA, PayloadType: 8, TelephoneEvent: 101},
			[]uint8{8, 101}, "0-15", 1},
		{"ipv6 te 96", ipv6, both, Stream{Remote: ap("[2001:db8::10]:40000"), Codec: PCMU, PayloadType: 0, TelephoneEvent: 96},
			[]uint8{0, 96}, "0-16", 1},
		{"hold 0.0.0.0", holdOld, both, Stream{Remote: ap("0.0.0.0:13862"), Codec: PCMU, PayloadType: 0, TelephoneEvent: 101, Direction: RecvOnly},
			[]uint8{0, 101}, "0-16", 1},
		{"hold sendonly", holdSendonly, both, Stream{Remote: ap("203.0.113.5:13862"), Codec: PCMU, PayloadType: 0, Direction: RecvOnly},
			[]uint8{0}, "", 1},
		{"SRTP line rejected", srtpThenRTP, both, Stream{Remote: ap("192.0.2.40:5006"), Codec: PCMU, PayloadType: 0}, []uint8{0}, "", 2},
		{"PCMU as dynamic 96", strings.NewReplacer("RTP/AVP 0", "RTP/AVP 96", "rtpmap:0", "rtpmap:96").Replace(sippUAC), both,
			Stream{Remote: ap("192.0.2.10:6000"), Codec: PCMU, PayloadType: 96}, []uint8{96}, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, err := ParseOffer([]byte(tt.offer))
			if err != nil {
				t.Fatal(err)
			}
			st, body, err := Answer(offer, local, 20000, tt.prefer)
			if err != nil {
				t.Fatalf("Answer: %v", err)
			}
			tt.stream.Ptime = 20 * time.Millisecond
			if *st != tt.stream {
				t.Errorf("stream = %+v, want %+v", *st, tt.stream)
			}
			ans, err := ParseAnswer(body)
			if err != nil {
				t.Fatalf("ParseAnswer(answer): %v\n%s", err, body)
			}
			if ans.Addr != local || ans.Port != 20000 || ans.Ptime != 20*time.Millisecond || ans.Direction != st.Direction {
				t.Errorf("answer at %v:%d ptime %v %v, want %v:20000 ptime 20ms %v", ans.Addr, ans.Port, ans.Ptime, ans.Direction, local, st.Direction)
			}
			var pts []uint8
			for _, f := range ans.Formats {
				pts = append(pts, f.PayloadType)
			}
			if !slices.Equal(pts, tt.formats) {
				t.Errorf("answer payload types %v, want %v\n%s", pts, tt.formats, body)
			}
			if got := ans.Formats[0]; got.Name != st.Codec.Name() || got.ClockRate != 8000 {
				t.Errorf("answer codec %+v, want %v/8000", got, st.Codec)
			}
			if tt.events != "" && (ans.TelephoneEvent == nil || ans.TelephoneEvent.Params != tt.events) {
				t.Errorf("answer telephone-event %+v, want events %q", ans.TelephoneEvent, tt.events)
			}
			if n := strings.Count(string(body), "\r\nm="); n != tt.mlines {
				t.Errorf("answer has %d m= lines, want %d (as many as the offer)\n%s", n, tt.mlines, body)
			}
			if n := strings.Count(string(body), " 0 RTP/"); n != tt.mlines-1 {
				t.Errorf("answer rejects %d m= lines, want %d\n%s", n, tt.mlines-1, body)
			}
		})
	}
}

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// TestAnswerText checks an answer line by line.
func TestAnswerText(t *testing.T) {
	offer, err := ParseOffer([]byte(linphone))
	if err != nil {
		t.Fatal(err)
	}
	_, body, err := Answer(offer, local, 20000, []Codec{PCMA})
	if err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`o=anxin \d+ \d+ `).ReplaceAllString(string(body), "o=anxin ID ID ")
	want := crlf(
		"v=0",
		"o=anxin ID ID IN IP4 192.0.2.99",
		"s=-",
		"c=IN IP4 192.0.2.99",
		"t=0 0",
		"m=audio 20000 RTP/AVP 8 100",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:100 telephone-event/8000",
		"a=fmtp:100 0-16",
		"a=ptime:20",
		"a=sendrecv",
		"m=video 0 RTP/AVP 96",
	)
	if got != want {
		t.Errorf("answer:\n%s\nwant:\n%s", got, want)
	}
}

func TestAnswerErrors(t *testing.T) {
	tests := []struct {
		name   string
		offer  string
		ip     netip.Addr
		port   int
		prefer []Codec
		want   error
	}{
		{"no common codec", g729Only, local, 20000, []Codec{PCMU, PCMA}, ErrNoCommonCodec},
		{"PCMU wanted, PCMA offered", carrierPCMA, local, 20000, []Codec{PCMU}, ErrNoCommonCodec},
		{"nothing wanted", asterisk, local, 20000, nil, ErrNoCommonCodec},
		{"SRTP only", srtpOnly, local, 20000, []Codec{PCMU}, ErrNoAudio},
		{"audio disabled", audioDisabled, local, 20000, []Codec{PCMU}, ErrNoAudio},
		{"local address unspecified", asterisk, netip.IPv4Unspecified(), 20000, []Codec{PCMU}, nil},
		{"local port 0", asterisk, local, 0, []Codec{PCMU}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			offer, err := ParseOffer([]byte(tt.offer))
			if err != nil {
				t.Fatal(err)
			}
			st, body, err := Answer(offer, tt.ip, tt.port, tt.prefer)
			if err == nil || st != nil || body != nil {
				t.Fatalf("Answer = %+v, %q, %v; want an error", st, body, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("Answer error %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewOffer(t *testing.T) {
	body, err := NewOffer(netip.MustParseAddr("2001:db8::99"), 30000, []Codec{PCMA, PCMU, PCMA})
	if err != nil {
		t.Fatal(err)
	}
	got := regexp.MustCompile(`o=anxin \d+ \d+ `).ReplaceAllString(string(body), "o=anxin ID ID ")
	want := crlf(
		"v=0",
		"o=anxin ID ID IN IP6 2001:db8::99",
		"s=-",
		"c=IN IP6 2001:db8::99",
		"t=0 0",
		"m=audio 30000 RTP/AVP 8 0 101",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-16",
		"a=ptime:20",
		"a=sendrecv",
	)
	if got != want {
		t.Errorf("offer:\n%s\nwant:\n%s", got, want)
	}
	for _, bad := range [][]Codec{nil, {Codec(3)}} {
		if _, err := NewOffer(local, 30000, bad); err == nil {
			t.Errorf("NewOffer(%v) succeeded", bad)
		}
	}
}

// TestNewOfferAccept plays an outbound call: Anxin offers, peers answer.
func TestNewOfferAccept(t *testing.T) {
	offered := []Codec{PCMA, PCMU}
	tests := []struct {
		name   string
		answer string
		stream *Stream
		want   error
	}{
		{"asterisk answers PCMU", crlf("v=0", "o=- 9 9 IN IP4 203.0.113.5", "s=Asterisk", "c=IN IP4 203.0.113.5", "t=0 0",
			"m=audio 14000 RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=sendrecv"),
			&Stream{Remote: ap("203.0.113.5:14000"), Codec: PCMU, TelephoneEvent: 101, Ptime: FrameDuration}, nil},
		{"carrier answers PCMA without DTMF", crlf("v=0", "o=- 9 9 IN IP4 198.51.100.1", "s=-", "c=IN IP4 198.51.100.2", "t=0 0",
			"m=audio 31000 RTP/AVP 8"),
			&Stream{Remote: ap("198.51.100.2:31000"), Codec: PCMA, PayloadType: 8, Ptime: FrameDuration}, nil},
		{"peer answers recvonly", crlf("v=0", "o=- 9 9 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0",
			"m=audio 4000 RTP/AVP 8", "a=recvonly"),
			&Stream{Remote: ap("192.0.2.5:4000"), Codec: PCMA, PayloadType: 8, Ptime: FrameDuration, Direction: SendOnly}, nil},
		{"peer rejects audio", crlf("v=0", "o=- 9 9 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0",
			"m=audio 0 RTP/AVP 8"), nil, ErrNoAudio},
		{"peer answers G.729", crlf("v=0", "o=- 9 9 IN IP4 192.0.2.5", "s=-", "c=IN IP4 192.0.2.5", "t=0 0",
			"m=audio 4000 RTP/AVP 18"), nil, ErrNoCommonCodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewOffer(local, 30000, offered); err != nil {
				t.Fatal(err)
			}
			ans, err := ParseAnswer([]byte(tt.answer))
			if err != nil {
				t.Fatal(err)
			}
			st, err := Accept(ans, offered)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Accept = %+v, %v; want %v", st, err, tt.want)
			}
			if tt.stream != nil && *st != *tt.stream {
				t.Errorf("Accept = %+v, want %+v", *st, *tt.stream)
			}
		})
	}
}

func TestDirection(t *testing.T) {
	tests := []struct {
		d               Direction
		name            string
		reverse         Direction
		sends, receives bool
	}{
		{SendRecv, "sendrecv", SendRecv, true, true},
		{SendOnly, "sendonly", RecvOnly, true, false},
		{RecvOnly, "recvonly", SendOnly, false, true},
		{Inactive, "inactive", Inactive, false, false},
	}
	for _, tt := range tests {
		if tt.d.String() != tt.name || tt.d.Reverse() != tt.reverse || tt.d.Sends() != tt.sends || tt.d.Receives() != tt.receives {
			t.Errorf("%v: String, Reverse, Sends, Receives = %s, %v, %v, %v", tt.name, tt.d, tt.d.Reverse(), tt.d.Sends(), tt.d.Receives())
		}
		if d, ok := parseDirection(tt.name); !ok || d != tt.d {
			t.Errorf("parseDirection(%q) = %v, %v", tt.name, d, ok)
		}
	}
}

var sdpSeeds = []string{sippUAC, sippUACPcap, baresip, linphone, asterisk, carrierPCMA, mediaLevelC, ipv6,
	holdOld, holdSendonly, srtpThenRTP, srtpOnly, g729Only, audioDisabled, "v=0\r\n", ""}

func FuzzParseOffer(f *testing.F) {
	for _, s := range sdpSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := ParseOffer(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidSDP) && !errors.Is(err, ErrNoAudio) {
				t.Fatalf("error %v wraps neither ErrInvalidSDP nor ErrNoAudio", err)
			}
			return
		}
		if d.Port < 0 || d.Port > 65535 || len(d.Formats) > maxPayloadTypes {
			t.Fatalf("port %d, %d formats", d.Port, len(d.Formats))
		}
		if d.Port != 0 && !d.Addr.IsValid() {
			t.Fatalf("port %d without an address", d.Port)
		}
	})
}

// FuzzAnswer checks that whatever offer is answered gets an answer that
// parses and agrees with the stream Answer returned.
func FuzzAnswer(f *testing.F) {
	for _, s := range sdpSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		offer, err := ParseOffer(body)
		if err != nil {
			return
		}
		prefer := []Codec{PCMU, PCMA}
		st, answer, err := Answer(offer, local, 20000, prefer)
		if err != nil {
			if !errors.Is(err, ErrNoAudio) && !errors.Is(err, ErrNoCommonCodec) {
				t.Fatalf("Answer error %v", err)
			}
			return
		}
		ans, err := ParseAnswer(answer)
		if err != nil {
			t.Fatalf("our answer does not parse: %v\n%s", err, answer)
		}
		back, err := Accept(ans, prefer)
		if err != nil {
			t.Fatalf("our answer is not acceptable: %v\n%s", err, answer)
		}
		if back.Codec != st.Codec || back.PayloadType != st.PayloadType || back.TelephoneEvent != st.TelephoneEvent ||
			ans.Direction != st.Direction {
			t.Fatalf("answer says %+v (%v), Answer said %+v\n%s", back, ans.Direction, st, answer)
		}
	})
}

func TestAnswerLocalAddressForms(t *testing.T) {
	offer, err := ParseOffer([]byte(sippUAC))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		ip   string
		want string
	}{
		{"::ffff:192.0.2.99", "c=IN IP4 192.0.2.99\r\n"},
		{"fe80::1%eth0", "c=IN IP6 fe80::1\r\n"},
	}
	for _, tt := range tests {
		_, body, err := Answer(offer, netip.MustParseAddr(tt.ip), 20000, []Codec{PCMU})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(body), tt.want) {
			t.Errorf("answer from %s lacks %q:\n%s", tt.ip, tt.want, body)
		}
	}
}
