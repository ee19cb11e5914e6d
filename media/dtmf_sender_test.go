package media

import (
	"errors"
	"testing"
	"time"
)

func TestDTMFSender(t *testing.T) {
	tests := []struct {
		name      string
		digit     rune
		duration  time.Duration
		code      uint8
		durations []uint16 // of the packets before the end packets
	}{
		{"100 ms", '5', 100 * time.Millisecond, 5, []uint16{160, 320, 480, 640, 800}},
		{"shortest", '#', 40 * time.Millisecond, 11, []uint16{160, 320}},
		{"rounded up to 20 ms", 'd', 50 * time.Millisecond, 15, []uint16{160, 320, 480}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const ts = 0xFFFFFFF0
			s, err := NewDTMFSender(tt.digit, ts, tt.duration)
			if err != nil {
				t.Fatal(err)
			}
			var got []DTMFPacket
			for p, ok := s.Next(); ok; p, ok = s.Next() {
				got = append(got, p)
			}
			if len(got) != len(tt.durations)+3 {
				t.Fatalf("%d packets, want %d", len(got), len(tt.durations)+3)
			}
			total := tt.durations[len(tt.durations)-1]
			for i, p := range got {
				want := DTMFPacket{Timestamp: ts, Marker: i == 0,
					Event: Event{Code: tt.code, Volume: 10, Duration: total, End: i >= len(tt.durations)}}
				if i < len(tt.durations) {
					want.Event.Duration = tt.durations[i]
				}
				if p != want {
					t.Errorf("packet %d = %+v, want %+v", i, p, want)
				}
			}
			if _, ok := s.Next(); ok {
				t.Error("Next after the end packets returned a packet")
			}
		})
	}
}

func TestDTMFSenderErrors(t *testing.T) {
	tests := []struct {
		name     string
		digit    rune
		duration time.Duration
	}{
		{"not a digit", 'x', 100 * time.Millisecond},
		{"flash", '!', 100 * time.Millisecond},
		{"too short", '1', 20 * time.Millisecond},
		{"too long", '1', 6 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewDTMFSender(tt.digit, 0, tt.duration); !errors.Is(err, ErrInvalidDTMF) {
				t.Errorf("NewDTMFSender(%q, %v) = %v, want ErrInvalidDTMF", tt.digit, tt.duration, err)
			}
		})
	}
}

// TestDTMFSenderToReceiver sends a number through a lossy line: every
// packet is sent, but the start and one end packet of each digit are lost.
func TestDTMFSenderToReceiver(t *testing.T) {
	var r DTMFReceiver
	var got []rune
	ts := uint32(123456)
	for _, d := range "4008*1234#" {
		s, err := NewDTMFSender(d, ts, 80*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			p, ok := s.Next()
			if !ok {
				break
			}
			if i == 0 || i == 5 {
				continue // lost
			}
			if d, ok, err := r.Receive(p.Timestamp, p.Marker, p.Event.Marshal(nil)); err != nil {
				t.Fatal(err)
			} else if ok {
				got = append(got, d)
			}
		}
		ts += 7 * FrameSamples // 4 tone and 3 end packets, then silence
		ts += 5 * FrameSamples
	}
	if string(got) != "4008*1234#" {
		t.Errorf("received %q, want %q", string(got), "4008*1234#")
	}
}
