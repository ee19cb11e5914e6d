package rtp

// ringSize is how many received samples wait for the pacing loop at most:
// 128 ms, more than six frames. It is a power of two.
const ringSize = 1024

// A sampleRing is the queue of decoded samples between a leg's receiver,
// which writes them as packets come, and its pacing loop, which takes one
// frame every tick to record. Packets of any length fit (30 ms ones, say).
// When a packet does not fit, because the loop has stalled, every sample
// waiting is dropped: that bounds how far the elder's side of a recording
// may lag behind the other, and keeps whole packets whole.
//
// It is not safe for concurrent use: the leg's rx lock guards it.
type sampleRing struct {
	buf     [ringSize]int16
	r, w    uint64 // samples read and written since the start
	dropped uint64 // samples dropped because the ring was full
}

// len returns the number of samples waiting.
func (q *sampleRing) len() int { return int(q.w - q.r) }

// write appends s, first dropping the samples waiting if s does not fit.
func (q *sampleRing) write(s []int16) {
	if len(s) > ringSize {
		q.dropped += uint64(len(s) - ringSize)
		s = s[len(s)-ringSize:]
	}
	if q.len()+len(s) > ringSize {
		q.dropped += uint64(q.len())
		q.r = q.w
	}
	for len(s) > 0 {
		i := int(q.w % ringSize)
		n := copy(q.buf[i:], s)
		q.w += uint64(n)
		s = s[n:]
	}
}

// read fills dst and returns true if len(dst) samples are waiting; else it
// leaves dst and the ring as they are and returns false, so a frame that
// came late is recorded one tick later rather than cut in two.
func (q *sampleRing) read(dst []int16) bool {
	if q.len() < len(dst) {
		return false
	}
	for len(dst) > 0 {
		i := int(q.r % ringSize)
		n := copy(dst, q.buf[i:])
		q.r += uint64(n)
		dst = dst[n:]
	}
	return true
}

// reset empties the ring.
func (q *sampleRing) reset() { q.r = q.w }
