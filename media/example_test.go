package media_test

import (
	"fmt"
	"net/netip"

	"github.com/anxin-care/anxin/media"
)

func ExampleAnswer() {
	offer, err := media.ParseOffer([]byte("v=0\r\n" +
		"o=- 1776418263 1776418263 IN IP4 203.0.113.5\r\n" +
		"s=Asterisk\r\n" +
		"c=IN IP4 203.0.113.5\r\n" +
		"t=0 0\r\n" +
		"m=audio 13862 RTP/AVP 8 0 101\r\n" +
		"a=rtpmap:101 telephone-event/8000\r\n" +
		"a=fmtp:101 0-16\r\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	st, body, err := media.Answer(offer, netip.MustParseAddr("192.0.2.99"), 20000, []media.Codec{media.PCMU, media.PCMA})
	if err != nil {
		fmt.Println(err) // a SIP layer answers 488
		return
	}
	fmt.Println(st.Remote, st.Codec, st.TelephoneEvent, st.Direction)
	fmt.Println(len(body) > 0)
	// Output:
	// 203.0.113.5:13862 PCMU 101 sendrecv
	// true
}

func ExampleDTMFReceiver() {
	var r media.DTMFReceiver
	// The start packet of a "5" is lost; its end packet comes three times.
	packets := []struct {
		ts      uint32
		marker  bool
		payload []byte
	}{
		{8000, false, media.Event{Code: 5, Duration: 320}.Marshal(nil)},
		{8000, false, media.Event{Code: 5, End: true, Duration: 800}.Marshal(nil)},
		{8000, false, media.Event{Code: 5, End: true, Duration: 800}.Marshal(nil)},
		{8000, false, media.Event{Code: 5, End: true, Duration: 800}.Marshal(nil)},
		{24000, true, media.Event{Code: 11, Duration: 160}.Marshal(nil)},
	}
	for _, p := range packets {
		if d, ok, err := r.Receive(p.ts, p.marker, p.payload); err == nil && ok {
			fmt.Printf("%c\n", d)
		}
	}
	// Output:
	// 5
	// #
}

func ExampleParseDTMFRelay() {
	d, dur, err := media.ParseDTMFRelay([]byte("Signal=5\r\nDuration=160\r\n"))
	fmt.Printf("%c %v %v\n", d, dur, err)
	// Output: 5 160ms <nil>
}
