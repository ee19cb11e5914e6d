// Package prompts holds Anxin's default voice prompts for the telephone
// menus (IVR): short recordings such as the welcome, the main menu, the
// queue announcements and the automated check-in of outbound calls, one WAV
// file each, embedded in the binary.
//
// The defaults are in Mandarin ("zh") and were made once by
// tools/prompts/gen.sh with a speech synthesiser; the files are committed, so
// building and running Anxin needs no synthesiser. Every file is RIFF/WAVE,
// PCM signed 16-bit, mono, 8000 Hz, with 200 ms of silence at each end and a
// peak of -3 dBFS.
//
// A deployment replaces any prompt per language or dialect with its own
// recording (staff record the Shanghainese ones); those uploads belong in
// the store, and whatever plays prompts uses them first and falls back to
// this package. The package knows nothing of storage, SIP or codecs.
package prompts
