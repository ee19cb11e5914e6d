// Package media holds the audio building blocks of a call, as pure functions
// and types over bytes and samples, with no network and no clock:
//
//   - G.711 μ-law and A-law (PCMU and PCMA), bit-exact with the ITU-T
//     reference code, encoding and decoding a 20 ms frame without allocating
//     (EncodeUlaw, DecodeAlaw, Codec);
//   - DTMF: the RFC 4733 telephone-event payload (Event), a receiver that
//     reports each key press once whatever packets are lost or repeated
//     (DTMFReceiver), the packets of a digit to send (DTMFSender), and the
//     SIP INFO bodies of peers that send DTMF that way (ParseDTMFRelay);
//   - WAV: voice prompts read from PCM, μ-law or A-law files (ReadPrompt),
//     recordings as staff make them (any rate, stereo, 8- to 32-bit)
//     converted to prompts through a telephone-band low-pass filter
//     (ConvertPrompt), and call recordings written as stereo files, the
//     elder on the left and the operator on the right, that survive a crash
//     (Recorder);
//   - SDP offer/answer for one audio stream (ParseOffer, Answer, NewOffer,
//     ParseAnswer, Accept), on top of github.com/pion/sdp/v3.
//
// Everything here is driven by its caller and knows nothing of sockets,
// timers, files by name, SIP or calls. RTP sessions (sequence numbers, SSRC,
// jitter, the 20 ms pacing clock, where packets go) and SIP dialogs (INVITE,
// re-INVITE, INFO, the responses an error here turns into) live in other
// packages, which use this one; where recordings and prompts are kept under
// the data directory is decided by the package that opens the files.
//
// Everything that reads what a peer sends (SDP bodies, telephone-event
// payloads, INFO bodies, WAV files) is fuzzed and bounded in size, and
// returns errors that wrap one of the package's Err values.
package media
