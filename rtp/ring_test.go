package rtp

import "testing"

// The ring hands out whole frames in order, waits for a frame that is not
// all there, and drops what waits rather than cut a packet in two.
func TestSampleRing(t *testing.T) {
	var q sampleRing
	next := int16(0)
	packet := func(n int) []int16 {
		s := make([]int16, n)
		for i := range s {
			next++
			s[i] = next
		}
		return s
	}
	frame := make([]int16, 160)
	q.write(packet(240)) // 30 ms packets
	if !q.read(frame) || frame[0] != 1 || frame[159] != 160 {
		t.Fatalf("first frame %d..%d", frame[0], frame[159])
	}
	if q.read(frame) {
		t.Fatal("read a frame with 80 samples waiting")
	}
	q.write(packet(240))
	if !q.read(frame) || frame[0] != 161 || frame[159] != 320 {
		t.Fatalf("second frame %d..%d", frame[0], frame[159])
	}
	for range 5 {
		q.write(packet(160))
	}
	if q.len() != 960 || q.dropped != 0 {
		t.Fatalf("%d waiting, %d dropped; want 960 and 0", q.len(), q.dropped)
	}
	q.write(packet(160)) // does not fit
	if q.len() != 160 || q.dropped != 960 {
		t.Fatalf("%d waiting, %d dropped; want 160 and 960", q.len(), q.dropped)
	}
	if !q.read(frame) || frame[0] != next-159 {
		t.Errorf("frame after the drop starts %d, want %d", frame[0], next-159)
	}
	q.write(packet(5000))
	if q.len() != ringSize || !q.read(frame) || frame[0] != next-ringSize+1 {
		t.Errorf("after an oversized packet: %d waiting, frame starts %d", q.len(), frame[0])
	}
	q.reset()
	if q.len() != 0 || q.read(frame) {
		t.Error("reset left samples")
	}
}
