package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Errors returned by a Recorder.
var (
	// ErrRecordingFull reports a Write that would take a recording past
	// MaxRecordingDuration. What was recorded before stays valid.
	ErrRecordingFull = errors.New("media: recording reached its size limit")

	// ErrRecorderClosed reports a Write after Close.
	ErrRecorderClosed = errors.New("media: recorder closed")
)

// MaxRecordingDuration is the longest recording a Recorder writes: 18 hours,
// 2.07 GB, safely under the 2 GiB that WAV readers using signed 32-bit sizes
// accept (the format itself stops at 4 GiB).
const MaxRecordingDuration = 18 * time.Hour

const (
	recordFrameBytes = 4                             // one stereo 16-bit sample
	recordFlushBytes = SampleRate * recordFrameBytes // one second of audio
	maxRecordBytes   = int64(MaxRecordingDuration/time.Second) * recordFlushBytes
)

// A Recorder writes the audio of a call to a stereo 16-bit PCM WAV file at
// 8000 Hz: the elder (the remote party) on the left channel, the operator or
// prompt on the right.
//
// It keeps up to one second of audio in memory, then writes it and rewrites
// the header with the sizes so far, so a process that dies mid-call leaves a
// playable file missing at most its last second. Write does not allocate for
// frames of up to a second.
//
// A Recorder is not safe for concurrent use; the goroutine that mixes a
// call's audio owns it.
type Recorder struct {
	w       io.WriteSeeker
	start   int64 // offset of the header in w
	buf     []byte
	written int64 // bytes of audio in w
	limit   int64 // most bytes of audio
	hdr     []byte
	err     error // first write or seek error, returned ever after
	closed  bool
}

// NewRecorder writes the header of a WAV file at the current offset of w and
// returns a Recorder that writes audio after it. w must be seekable and not
// opened in append mode (an *os.File from os.Create). Closing the Recorder
// does not close w.
func NewRecorder(w io.WriteSeeker) (*Recorder, error) {
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("new recorder: %w", err)
	}
	r := &Recorder{
		w:     w,
		start: start,
		buf:   make([]byte, 0, recordFlushBytes),
		limit: maxRecordBytes,
		hdr:   make([]byte, 0, wavHeaderSize),
	}
	r.hdr = appendWAVHeader(r.hdr, 2, 0)
	if _, err := w.Write(r.hdr); err != nil {
		return nil, fmt.Errorf("new recorder: write header: %w", err)
	}
	return r, nil
}

// Write records one frame: left is the elder's audio and right the
// operator's, each usually FrameSamples long. A nil or short side is padded
// with silence to the length of the other.
//
// Write returns ErrRecordingFull, without recording the frame, once the
// recording would exceed MaxRecordingDuration, ErrRecorderClosed after
// Close, and the first error of the underlying writer ever after it
// happened.
func (r *Recorder) Write(left, right []int16) error {
	switch {
	case r.closed:
		return ErrRecorderClosed
	case r.err != nil:
		return r.err
	}
	n := max(len(left), len(right))
	size := n * recordFrameBytes
	if r.written+int64(len(r.buf)+size) > r.limit {
		return fmt.Errorf("%w: %v recorded", ErrRecordingFull, r.Duration())
	}
	if len(r.buf)+size > cap(r.buf) {
		if err := r.Flush(); err != nil {
			return err
		}
		if size > cap(r.buf) {
			r.buf = make([]byte, 0, size)
		}
	}
	interleave(r.buf[len(r.buf):len(r.buf)+size], left, right)
	r.buf = r.buf[:len(r.buf)+size]
	return nil
}

// interleave writes left and right into b as 16-bit little-endian stereo
// samples, padding the shorter side with silence; b holds 4 bytes for each
// sample of the longer side.
func interleave(b []byte, left, right []int16) {
	if len(left) == len(right) {
		right = right[:len(left)]
		for i, l := range left {
			f := b[4*i : 4*i+4]
			f[0], f[1] = byte(l), byte(uint16(l)>>8)
			f[2], f[3] = byte(right[i]), byte(uint16(right[i])>>8)
		}
		return
	}
	clear(b)
	for i, s := range left {
		binary.LittleEndian.PutUint16(b[4*i:], uint16(s))
	}
	for i, s := range right {
		binary.LittleEndian.PutUint16(b[4*i+2:], uint16(s))
	}
}

// Flush writes the audio kept in memory and rewrites the header, leaving a
// complete WAV file in w. Write flushes by itself every second of audio.
func (r *Recorder) Flush() error {
	if r.err != nil {
		return r.err
	}
	if len(r.buf) > 0 {
		n, err := r.w.Write(r.buf)
		r.written += int64(n)
		r.buf = r.buf[:0]
		if err != nil {
			r.err = fmt.Errorf("write recording: %w", err)
			return r.err
		}
	}
	r.hdr = appendWAVHeader(r.hdr[:0], 2, uint32(r.written))
	if _, err := r.w.Seek(r.start, io.SeekStart); err != nil {
		r.err = fmt.Errorf("seek recording header: %w", err)
		return r.err
	}
	if _, err := r.w.Write(r.hdr); err != nil {
		r.err = fmt.Errorf("write recording header: %w", err)
		return r.err
	}
	if _, err := r.w.Seek(r.start+wavHeaderSize+r.written, io.SeekStart); err != nil {
		r.err = fmt.Errorf("seek recording end: %w", err)
		return r.err
	}
	return nil
}

// Duration returns how much audio has been recorded, including what is not
// yet flushed.
func (r *Recorder) Duration() time.Duration {
	frames := (r.written + int64(len(r.buf))) / recordFrameBytes
	return time.Duration(frames) * time.Second / SampleRate
}

// Close flushes the recording and leaves a complete WAV file in w. It does
// not close w. Calling Close again returns nil.
func (r *Recorder) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.Flush()
}
