package media

import "strings"

// crlf joins lines with CRLF line ends, as SIP bodies are sent.
func crlf(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

// Session descriptions as real peers send them, addresses changed to the
// documentation ranges.
var (
	// sippUAC is the offer of SIPp's built-in uac scenario.
	sippUAC = crlf(
		"v=0",
		"o=user1 53655765 2353687637 IN IP4 192.0.2.10",
		"s=-",
		"c=IN IP4 192.0.2.10",
		"t=0 0",
		"m=audio 6000 RTP/AVP 0",
		"a=rtpmap:0 PCMU/8000",
	)

	// sippUACPcap is the offer of SIPp's uac_pcap scenario, which plays
	// A-law audio and DTMF from a capture.
	sippUACPcap = crlf(
		"v=0",
		"o=user1 53655765 2353687637 IN IP4 192.0.2.10",
		"s=-",
		"c=IN IP4 192.0.2.10",
		"t=0 0",
		"m=audio 6000 RTP/AVP 8 101",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-11,16",
	)

	// baresip offers Opus first and G.711 after G.722.
	baresip = crlf(
		"v=0",
		"o=- 1295597357 4041283327 IN IP4 192.0.2.20",
		"s=-",
		"c=IN IP4 192.0.2.20",
		"t=0 0",
		"a=tool:baresip 3.10.1",
		"m=audio 18364 RTP/AVP 96 9 0 8 101",
		"b=AS:128",
		"a=rtpmap:96 opus/48000/2",
		"a=fmtp:96 stereo=1;sprop-stereo=1",
		"a=rtpmap:9 G722/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=sendrecv",
		"a=label:1",
		"a=rtcp-rsize",
		"a=ssrc:1483529041 cname:0b7f5fda-5e4a-4f1e-9b3e-7c2b5c0e2f11",
		"a=ptime:20",
	)

	// linphone offers video too, telephone-event at three clock rates
	// (the 8000 Hz one is 100, not 101), ICE and RTCP-XR.
	linphone = crlf(
		"v=0",
		"o=alice 3456 1234 IN IP4 192.0.2.30",
		"s=Talk",
		"c=IN IP4 192.0.2.30",
		"t=0 0",
		"a=ice-pwd:31ec21eb38b2ec6d36e8dc7b",
		"a=ice-ufrag:7c3a6e4e",
		"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics",
		"m=audio 7078 RTP/AVP 96 97 98 0 8 101 99 100",
		"a=rtpmap:96 opus/48000/2",
		"a=fmtp:96 useinbandfec=1",
		"a=rtpmap:97 speex/16000",
		"a=fmtp:97 vbr=on",
		"a=rtpmap:98 speex/8000",
		"a=fmtp:98 vbr=on",
		"a=rtpmap:101 telephone-event/48000",
		"a=rtpmap:99 telephone-event/16000",
		"a=rtpmap:100 telephone-event/8000",
		"a=rtcp:7079",
		"a=candidate:1 1 UDP 2130706431 192.0.2.30 7078 typ host",
		"a=candidate:1 2 UDP 2130706430 192.0.2.30 7079 typ host",
		"a=rtcp-fb:* trr-int 1000",
		"a=rtcp-fb:* ccm tmmbr",
		"m=video 9078 RTP/AVP 96 97",
		"a=rtpmap:96 VP8/90000",
		"a=rtpmap:97 H264/90000",
		"a=fmtp:97 profile-level-id=42801F",
		"a=rtcp-fb:* ccm fir",
	)

	// asterisk (chan_pjsip) prefers A-law and sends maxptime.
	asterisk = crlf(
		"v=0",
		"o=- 1776418263 1776418263 IN IP4 203.0.113.5",
		"s=Asterisk",
		"c=IN IP4 203.0.113.5",
		"t=0 0",
		"m=audio 13862 RTP/AVP 8 0 3 101",
		"a=rtpmap:8 PCMA/8000",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:3 GSM/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-16",
		"a=ptime:20",
		"a=maxptime:150",
		"a=sendrecv",
	)

	// carrierPCMA is a Chinese carrier's softswitch: A-law and G.729 only,
	// the static payload type 8 without a=rtpmap.
	carrierPCMA = crlf(
		"v=0",
		"o=HuaweiSoftX3000 1073754370 1073754370 IN IP4 198.51.100.1",
		"s=Sip Call",
		"c=IN IP4 198.51.100.2",
		"t=0 0",
		"m=audio 30000 RTP/AVP 8 18 101",
		"a=rtpmap:18 G729/8000",
		"a=fmtp:18 annexb=no",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=ptime:20",
	)

	// mediaLevelC has its c= line in the m= section only.
	mediaLevelC = crlf(
		"v=0",
		"o=- 20518 0 IN IP4 203.0.113.1",
		"s=SDP Data",
		"t=0 0",
		"m=audio 54400 RTP/AVP 0 101",
		"c=IN IP4 203.0.113.9",
		"a=rtpmap:0 PCMU/8000",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-15",
		"a=sendrecv",
	)

	// ipv6 uses telephone-event 96 and a 30 ms ptime.
	ipv6 = crlf(
		"v=0",
		"o=- 1 1 IN IP6 2001:db8::10",
		"s=-",
		"c=IN IP6 2001:db8::10",
		"t=0 0",
		"m=audio 40000 RTP/AVP 8 0 96",
		"a=rtpmap:96 telephone-event/8000",
		"a=fmtp:96 0-16",
		"a=ptime:30",
	)

	// holdOld puts the call on hold the RFC 2543 way.
	holdOld = crlf(
		"v=0",
		"o=- 1776418263 1776418264 IN IP4 203.0.113.5",
		"s=-",
		"c=IN IP4 0.0.0.0",
		"t=0 0",
		"m=audio 13862 RTP/AVP 0 101",
		"a=rtpmap:101 telephone-event/8000",
		"a=fmtp:101 0-16",
	)

	// holdSendonly puts the call on hold the RFC 3264 way, with the
	// direction at session level.
	holdSendonly = crlf(
		"v=0",
		"o=- 1776418263 1776418265 IN IP4 203.0.113.5",
		"s=-",
		"c=IN IP4 203.0.113.5",
		"t=0 0",
		"a=sendonly",
		"m=audio 13862 RTP/AVP 0",
	)

	// srtpThenRTP offers SRTP and plain RTP as two audio streams.
	srtpThenRTP = crlf(
		"v=0",
		"o=- 5 5 IN IP4 192.0.2.40",
		"s=-",
		"c=IN IP4 192.0.2.40",
		"t=0 0",
		"m=audio 5004 RTP/SAVP 0",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
		"m=audio 5006 RTP/AVP 0 8",
	)

	// srtpOnly offers SRTP only.
	srtpOnly = crlf(
		"v=0",
		"o=- 5 5 IN IP4 192.0.2.40",
		"s=-",
		"c=IN IP4 192.0.2.40",
		"t=0 0",
		"m=audio 5004 RTP/SAVP 0",
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
	)

	// g729Only offers no G.711.
	g729Only = crlf(
		"v=0",
		"o=- 7 7 IN IP4 198.51.100.7",
		"s=-",
		"c=IN IP4 198.51.100.7",
		"t=0 0",
		"m=audio 20000 RTP/AVP 18 101",
		"a=rtpmap:18 G729/8000",
		"a=rtpmap:101 telephone-event/8000",
	)

	// audioDisabled has its audio stream at port 0.
	audioDisabled = crlf(
		"v=0",
		"o=- 8 8 IN IP4 198.51.100.8",
		"s=-",
		"c=IN IP4 198.51.100.8",
		"t=0 0",
		"m=audio 0 RTP/AVP 0",
	)
)
