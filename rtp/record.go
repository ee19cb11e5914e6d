package rtp

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/anxin-care/anxin/media"
)

// ErrRecording reports Record on a leg that is already recording.
var ErrRecording = errors.New("rtp: leg already recording")

const (
	// chunkFrames is how many frames the pacing loop hands the writer of a
	// recording at once: 200 ms.
	chunkFrames  = 10
	chunkSamples = chunkFrames * media.FrameSamples

	// chunks is how many chunks a recording has: one being filled and two
	// waiting, so the writer may lag 400 ms before frames are dropped.
	chunks = 3
)

// Record starts recording the leg to w as a stereo WAV file (see
// media.Recorder): on the left what the peer sends (the elder), on the
// right what the leg sends (prompts; silence during DTMF and while it sends
// nothing). The pacing loop is the clock of both sides: every 20 ms it
// takes one frame of each, silence for a frame of the peer's that has not
// come, so the two stay aligned however the packets arrive.
//
// The loop never writes to w itself: it hands frames, 200 ms at a time, to
// a goroutine of the recording that writes them, and drops (and counts in
// Stats) those that would make it wait. Close or StopRecording finishes the
// file; neither closes w.
//
// A write that fails (the disk is full) ends the recording, never the call:
// the frames after it are dropped, and if w can be truncated (an *os.File)
// the file is cut back to the audio its header last counted, so what was
// recorded before stays a valid WAV file. StopRecording and Close return
// the error; RecordNotify also tells it at once.
//
// It returns ErrRecording if the leg is already recording, ErrClosed after
// Close, and the error of writing the WAV header.
func (l *Leg) Record(w io.WriteSeeker) error {
	return l.RecordNotify(w, nil)
}

// RecordNotify is Record that also calls failed, once and from the
// recording's own goroutine, with the first error of writing the file, as
// soon as it happens (a call may go on for an hour after its disk filled).
// failed must not block for long nor call the leg's recording methods.
// StopRecording and Close return the same error again: a caller that
// reports it from failed need not report it there. A recording that
// reaches media.MaxRecordingDuration stops without calling failed (the
// disk is fine); StopRecording returns media.ErrRecordingFull. A nil
// failed is Record.
func (l *Leg) RecordNotify(w io.WriteSeeker, failed func(error)) error {
	l.mu.Lock()
	busy, closed := l.tx.rec != nil, l.tx.closed
	l.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case busy:
		return ErrRecording
	}
	tw := &trackedWriter{w: w}
	rec, err := media.NewRecorder(tw) // writes the header: not under the lock
	if err != nil {
		return fmt.Errorf("rtp: record: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.tx.closed:
		return ErrClosed
	case l.tx.rec != nil:
		return ErrRecording
	}
	l.tx.rec = startRecording(rec, tw, failed)
	l.rx.Lock()
	l.rxs.tap = true
	l.rxs.ring.reset()
	l.rx.Unlock()
	return nil
}

// StopRecording finishes the recording, leaving a complete WAV file, and
// returns the first error of writing it; nil if the leg was not recording.
func (l *Leg) StopRecording() error {
	l.mu.Lock()
	rec := l.tx.rec
	l.tx.rec = nil
	if rec != nil {
		l.tx.recDropped += rec.dropped
	}
	l.rx.Lock()
	l.rxs.tap = false
	l.rx.Unlock()
	l.mu.Unlock()
	if rec == nil {
		return nil
	}
	return rec.finish()
}

// A chunk is 200 ms of both sides of a recording.
type chunk struct {
	left, right [chunkSamples]int16
	n           int // samples in each side
}

// A recording passes the frames of a leg from its pacing loop to a
// goroutine that writes them with a media.Recorder, which may block on the
// file; the loop never does.
type recording struct {
	cur     *chunk      // being filled by the loop; nil if none was free
	free    chan *chunk // written, ready to fill again
	full    chan *chunk // filled, to write
	dropped uint64      // frames dropped because no chunk was free
	done    chan struct{}
	err     error // the writer's first error, read after done
}

func startRecording(rec *media.Recorder, tw *trackedWriter, failed func(error)) *recording {
	r := &recording{
		cur:  new(chunk),
		free: make(chan *chunk, chunks),
		full: make(chan *chunk, chunks),
		done: make(chan struct{}),
	}
	for range chunks - 1 {
		r.free <- new(chunk)
	}
	go r.writeAll(rec, tw, failed)
	return r
}

// write adds a frame of each side. The pacing loop calls it, holding the
// leg's lock; it never blocks.
func (r *recording) write(left, right []int16) {
	if r.cur == nil {
		select {
		case r.cur = <-r.free:
		default:
			r.dropped++
			return
		}
	}
	c := r.cur
	copy(c.left[c.n:c.n+media.FrameSamples], left)
	copy(c.right[c.n:c.n+media.FrameSamples], right)
	c.n += media.FrameSamples
	if c.n < chunkSamples {
		return
	}
	r.full <- c // never blocks: full holds every chunk there is
	r.cur = nil
	select {
	case r.cur = <-r.free:
	default:
	}
}

// writeAll writes the chunks handed to it until full is closed, then
// finishes the file. After the first error it drops what it is handed, so
// the pacing loop goes on as before, and cuts the file back to its last
// complete state.
func (r *recording) writeAll(rec *media.Recorder, tw *trackedWriter, failed func(error)) {
	defer close(r.done)
	for c := range r.full {
		if r.err == nil {
			r.err = rec.Write(c.left[:c.n], c.right[:c.n])
			if r.err != nil && failed != nil && !errors.Is(r.err, media.ErrRecordingFull) {
				failed(fmt.Errorf("rtp: recording: %w", r.err))
			}
		}
		c.n = 0
		r.free <- c // never blocks: free holds every chunk there is
	}
	if err := rec.Close(); r.err == nil {
		r.err = err
		if err != nil && failed != nil {
			failed(fmt.Errorf("rtp: recording: %w", err))
		}
	}
	if r.err != nil {
		tw.truncate()
	}
}

// finish hands over the last frames, waits for them to be written and
// returns the first error of the recording. The pacing loop must no longer
// write to r.
func (r *recording) finish() error {
	if r.cur != nil && r.cur.n > 0 {
		r.full <- r.cur
	}
	r.cur = nil
	close(r.full)
	<-r.done
	if r.err != nil {
		return fmt.Errorf("rtp: recording: %w", r.err)
	}
	return nil
}

// wavHeaderSize is the size of the header a media.Recorder writes: the
// canonical 44 bytes, the data chunk's size in its last four.
const wavHeaderSize = 44

// A trackedWriter passes a recording's writes to the file and remembers
// how long the file is when its WAV header is right: the header's offset,
// the header, and the audio it counts. Writes after a write error may have
// put part of a second on the disk that no header counts.
type trackedWriter struct {
	w      io.WriteSeeker
	off    int64 // offset in w
	header int64 // offset of the header: where the first write went
	valid  int64 // length of w that the last header written counts; 0 if none
	init   bool  // the first write happened
}

func (t *trackedWriter) Write(p []byte) (int, error) {
	if !t.init {
		t.init, t.header = true, t.off
	}
	n, err := t.w.Write(p)
	if err == nil && t.off == t.header && len(p) == wavHeaderSize && string(p[36:40]) == "data" {
		t.valid = t.header + wavHeaderSize + int64(binary.LittleEndian.Uint32(p[40:]))
	}
	t.off += int64(n)
	return n, err
}

func (t *trackedWriter) Seek(offset int64, whence int) (int64, error) {
	off, err := t.w.Seek(offset, whence)
	if err == nil {
		t.off = off
	}
	return off, err
}

// truncate cuts w back to the length its last header counts, when w can be
// truncated (an *os.File) and a header was written. It is best effort: a
// file it cannot cut still plays what its header counts.
func (t *trackedWriter) truncate() {
	tr, ok := t.w.(interface{ Truncate(int64) error })
	if !ok || t.valid == 0 {
		return
	}
	_ = tr.Truncate(t.valid)
}
