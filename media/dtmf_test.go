package media

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		want    Event
	}{
		{"digit 5 start", []byte{0x05, 0x0A, 0x00, 0xA0}, Event{Code: 5, Volume: 10, Duration: 160}},
		{"star end", []byte{0x0A, 0x8A, 0x03, 0x20}, Event{Code: 10, End: true, Volume: 10, Duration: 800}},
		{"hash with R bit set", []byte{0x0B, 0x4F, 0x00, 0x00}, Event{Code: 11, Volume: 15}},
		{"longest duration", []byte{0x00, 0xBF, 0xFF, 0xFF}, Event{Code: 0, End: true, Volume: 63, Duration: 0xFFFF}},
		{"extra bytes ignored", []byte{0x10, 0x00, 0x01, 0x40, 0xDE, 0xAD}, Event{Code: EventFlash, Duration: 320}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEvent(tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("ParseEvent = %+v, want %+v", got, tt.want)
			}
		})
	}
	for _, short := range [][]byte{nil, {5}, {5, 0, 0}} {
		if _, err := ParseEvent(short); !errors.Is(err, ErrInvalidDTMF) {
			t.Errorf("ParseEvent(%x) = %v, want ErrInvalidDTMF", short, err)
		}
	}
}

func TestEventMarshal(t *testing.T) {
	tests := []struct {
		event Event
		want  []byte
	}{
		{Event{Code: 5, End: true, Volume: 10, Duration: 800}, []byte{0x05, 0x8A, 0x03, 0x20}},
		{Event{Code: 11, Volume: 0xFF, Duration: 0x1234}, []byte{0x0B, 0x3F, 0x12, 0x34}},
		{Event{}, []byte{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		prefix := []byte{0x80, 0x65}
		got := tt.event.Marshal(prefix)
		if !bytes.Equal(got[:2], prefix) || !bytes.Equal(got[2:], tt.want) {
			t.Errorf("%+v.Marshal = %x, want 8065%x", tt.event, got, tt.want)
		}
	}
}

func TestDigits(t *testing.T) {
	for code, want := range "0123456789*#ABCD" {
		got, ok := Event{Code: uint8(code)}.Digit()
		if !ok || got != want {
			t.Errorf("Event{Code: %d}.Digit() = %q, %v; want %q", code, got, ok, want)
		}
		if c, ok := EventCode(want); !ok || int(c) != code {
			t.Errorf("EventCode(%q) = %d, %v; want %d", want, c, ok, code)
		}
	}
	if d, ok := (Event{Code: EventFlash}).Digit(); ok {
		t.Errorf("flash is digit %q", d)
	}
	tests := []struct {
		r    rune
		code uint8
		ok   bool
	}{
		{'a', 12, true}, {'d', 15, true}, {'E', 0, false}, {'e', 0, false}, {'x', 0, false}, {'５', 0, false}, {0, 0, false},
	}
	for _, tt := range tests {
		if code, ok := EventCode(tt.r); code != tt.code || ok != tt.ok {
			t.Errorf("EventCode(%q) = %d, %v; want %d, %v", tt.r, code, ok, tt.code, tt.ok)
		}
	}
}

// pkt is a telephone-event packet as a DTMFReceiver takes it.
type pkt struct {
	ts     uint32
	marker bool
	event  Event
}

func start(ts uint32, code uint8) pkt { return pkt{ts, true, Event{Code: code, Duration: 160}} }
func update(ts uint32, code uint8, dur uint16) pkt {
	return pkt{ts, false, Event{Code: code, Duration: dur}}
}
func end(ts uint32, code uint8, dur uint16) pkt {
	return pkt{ts, false, Event{Code: code, End: true, Duration: dur}}
}

// press returns the packets of one key press as most peers send it.
func press(ts uint32, code uint8) []pkt {
	return []pkt{start(ts, code), update(ts, code, 320), update(ts, code, 480),
		end(ts, code, 640), end(ts, code, 640), end(ts, code, 640)}
}

func TestDTMFReceiver(t *testing.T) {
	tests := []struct {
		name    string
		packets [][]pkt
		want    string
	}{
		{"one press", [][]pkt{press(1000, 5)}, "5"},
		{"start lost", [][]pkt{press(1000, 5)[1:]}, "5"},
		{"only end packets arrive", [][]pkt{press(1000, 5)[3:]}, "5"},
		{"one end packet only", [][]pkt{press(1000, 5)[5:]}, "5"},
		{"same digit twice", [][]pkt{press(1000, 5), press(3000, 5)}, "55"},
		{"phone number", [][]pkt{press(100, 1), press(2100, 3), press(4100, 8), press(6100, 11)}, "138#"},
		{"late end of previous digit", [][]pkt{press(1000, 1), {start(3000, 2), end(1000, 1, 640), end(3000, 2, 320)}}, "12"},
		{"reordered start after update", [][]pkt{{update(1000, 7, 320), start(1000, 7), end(1000, 7, 480)}}, "7"},
		{"peer without marker bits", [][]pkt{{update(1000, 5, 160), end(1000, 5, 320)}, {update(3000, 5, 160), end(3000, 5, 320)}}, "55"},
		{"all end packets lost, next digit differs", [][]pkt{press(1000, 4)[:3], press(3000, 6)}, "46"},
		{"hook flash is not a digit", [][]pkt{press(1000, EventFlash), press(3000, 0)}, "0"},
		{"timestamps wrap around", [][]pkt{press(0xFFFFFF00, 9), press(0x00000500, 1)}, "91"},
		{"very late end of a digit after a flash", [][]pkt{press(1000, 5), press(21000, EventFlash), {end(1000, 5, 640)}}, "5"},
		{"timestamps restart far back", [][]pkt{press(900000, 2), press(1000, 3)}, "23"},
		{"long event in two segments", [][]pkt{
			{start(1000, 0), update(1000, 0, 0xFFFF), update(1000+0xFFFF, 0, 160), end(1000+0xFFFF, 0, 800)},
		}, "0"},
		{"new press of the same digit is not a segment", [][]pkt{
			{start(1000, 0), update(1000, 0, 0xFFFF), start(1000+0xFFFF, 0), end(1000+0xFFFF, 0, 800)},
		}, "00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r DTMFReceiver
			var got []rune
			for _, group := range tt.packets {
				for _, p := range group {
					d, ok, err := r.Receive(p.ts, p.marker, p.event.Marshal(nil))
					if err != nil {
						t.Fatalf("Receive(%+v): %v", p, err)
					}
					if ok {
						got = append(got, d)
					}
				}
			}
			if string(got) != tt.want {
				t.Errorf("digits %q, want %q", string(got), tt.want)
			}
		})
	}
}

func TestDTMFReceiverMalformedAndReset(t *testing.T) {
	var r DTMFReceiver
	if _, ok, _ := r.Receive(1000, true, Event{Code: 5}.Marshal(nil)); !ok {
		t.Fatal("first packet reported no digit")
	}
	if _, ok, err := r.Receive(2000, true, []byte{6, 0}); ok || !errors.Is(err, ErrInvalidDTMF) {
		t.Fatalf("short payload = %v, %v; want no digit and ErrInvalidDTMF", ok, err)
	}
	if _, ok, _ := r.Receive(1000, false, Event{Code: 5, End: true}.Marshal(nil)); ok {
		t.Error("end of the first event reported again after a malformed packet")
	}
	r.Reset()
	if d, ok, _ := r.Receive(1000, false, Event{Code: 5, End: true}.Marshal(nil)); !ok || d != '5' {
		t.Errorf("after Reset = %q, %v; want '5', true", d, ok)
	}
}

func TestDTMFReceiverNoAllocs(t *testing.T) {
	var r DTMFReceiver
	payload := Event{Code: 5, Duration: 160}.Marshal(nil)
	ts := uint32(0)
	n := testing.AllocsPerRun(100, func() {
		ts += 1600
		r.Receive(ts, true, payload)
	})
	if n != 0 {
		t.Errorf("%v allocations per packet, want 0", n)
	}
}

func FuzzParseEvent(f *testing.F) {
	f.Add([]byte{0x05, 0x8A, 0x03, 0x20})
	f.Add([]byte{0x0B, 0x4F, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEvent(b)
		if err != nil {
			if len(b) >= 4 {
				t.Fatalf("ParseEvent(%x): %v", b, err)
			}
			return
		}
		want := []byte{b[0], b[1] &^ 0x40, b[2], b[3]}
		if got := e.Marshal(nil); !bytes.Equal(got, want) {
			t.Fatalf("Marshal(ParseEvent(%x)) = %x, want %x", b, got, want)
		}
	})
}

// FuzzDTMFReceiver feeds a receiver packets of 9 bytes each: a timestamp, a
// marker byte and a payload. Whatever they are, a packet repeated at once
// never reports a digit again, and no two digits in a row come from the same
// timestamp. (Timestamps far apart may both be new: a peer that restarts its
// timestamps may reuse one, as the seed in testdata/fuzz does.)
func FuzzDTMFReceiver(f *testing.F) {
	var seed []byte
	for _, p := range append(press(1000, 5), press(3000, 11)...) {
		seed = append(seed, byte(p.ts>>24), byte(p.ts>>16), byte(p.ts>>8), byte(p.ts))
		if p.marker {
			seed = append(seed, 1)
		} else {
			seed = append(seed, 0)
		}
		seed = p.event.Marshal(seed)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		var r DTMFReceiver
		var last uint32
		emitted := false
		for ; len(b) >= 9; b = b[9:] {
			ts := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
			marker := b[4]&1 != 0
			d, ok, err := r.Receive(ts, marker, b[5:9])
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				if _, valid := EventCode(d); !valid {
					t.Fatalf("digit %q", d)
				}
				if emitted && ts == last {
					t.Fatalf("two digits in a row from timestamp %d", ts)
				}
				last, emitted = ts, true
			}
			if _, again, _ := r.Receive(ts, marker, b[5:9]); again {
				t.Fatalf("repeated packet at %d reported a digit", ts)
			}
		}
	})
}
