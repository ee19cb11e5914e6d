package rtp

import (
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
// It returns ErrRecording if the leg is already recording, ErrClosed after
// Close, and the error of writing the WAV header.
func (l *Leg) Record(w io.WriteSeeker) error {
	l.mu.Lock()
	busy, closed := l.tx.rec != nil, l.tx.closed
	l.mu.Unlock()
	switch {
	case closed:
		return ErrClosed
	case busy:
		return ErrRecording
	}
	rec, err := media.NewRecorder(w) // writes the header: not under the lock
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
	l.tx.rec = startRecording(rec)
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

func startRecording(rec *media.Recorder) *recording {
	r := &recording{
		cur:  new(chunk),
		free: make(chan *chunk, chunks),
		full: make(chan *chunk, chunks),
		done: make(chan struct{}),
	}
	for range chunks - 1 {
		r.free <- new(chunk)
	}
	go r.writeAll(rec)
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
// finishes the file.
func (r *recording) writeAll(rec *media.Recorder) {
	defer close(r.done)
	for c := range r.full {
		if r.err == nil {
			r.err = rec.Write(c.left[:c.n], c.right[:c.n])
		}
		c.n = 0
		r.free <- c // never blocks: free holds every chunk there is
	}
	if err := rec.Close(); r.err == nil {
		r.err = err
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
