package rtp_test

import (
	"fmt"
	"net/netip"

	"github.com/anxin-care/anxin/media"
	"github.com/anxin-care/anxin/rtp"
)

// An inbound call: the leg is opened first, so its port goes into the SDP
// answer; the stream the answer agrees starts it. Here the "caller" is a
// second leg of the same engine.
func Example() {
	e, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: 40000, MaxPort: 40998})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	caller, _ := e.NewLeg()
	body, _ := media.NewOffer(caller.LocalAddr().Addr(), int(caller.LocalAddr().Port()), []media.Codec{media.PCMA})
	offer, err := media.ParseOffer(body) // the INVITE's SDP
	if err != nil {
		fmt.Println(err)
		return
	}

	leg, err := e.NewLeg() // on INVITE: a port for the answer
	if err != nil {
		fmt.Println(err) // rtp.ErrNoPorts: answer 503
		return
	}
	defer leg.Close()
	local := leg.LocalAddr()
	st, _, err := media.Answer(offer, local.Addr(), int(local.Port()), []media.Codec{media.PCMA, media.PCMU})
	if err != nil {
		fmt.Println(err) // answer 488
		return
	}
	// ... send the 200 OK with the answer, then:
	if err := leg.SetStream(*st); err != nil {
		fmt.Println(err)
		return
	}
	caller.SetStream(media.Stream{Remote: local, Codec: st.Codec, PayloadType: st.PayloadType, TelephoneEvent: st.TelephoneEvent})

	<-leg.Play(make([]int16, 4*media.FrameSamples)) // 80 ms of a prompt
	caller.SendDigit('1')
	fmt.Printf("%v, pressed %c\n", st.Codec, <-leg.Digits())
	// Output: PCMA, pressed 1
}
