package media

import "testing"

func TestCodec(t *testing.T) {
	tests := []struct {
		codec Codec
		pt    uint8
		name  string
	}{
		{PCMU, 0, "PCMU"},
		{PCMA, 8, "PCMA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.codec.Valid() {
				t.Errorf("%v not valid", tt.codec)
			}
			if got := tt.codec.PayloadType(); got != tt.pt {
				t.Errorf("PayloadType() = %d, want %d", got, tt.pt)
			}
			if got := tt.codec.Name(); got != tt.name {
				t.Errorf("Name() = %q, want %q", got, tt.name)
			}
			if got := tt.codec.ClockRate(); got != 8000 {
				t.Errorf("ClockRate() = %d, want 8000", got)
			}
			for _, n := range []string{tt.name, "pcm" + tt.name[3:]} {
				if c, ok := CodecByName(n); !ok || c != tt.codec {
					t.Errorf("CodecByName(%q) = %v, %v; want %v, true", n, c, ok, tt.codec)
				}
			}
		})
	}
}

func TestCodecInvalid(t *testing.T) {
	c := Codec(3)
	if c.Valid() {
		t.Error("Codec(3) is valid")
	}
	if got := c.String(); got != "Codec(3)" {
		t.Errorf("String() = %q", got)
	}
	if _, ok := CodecByName("G729"); ok {
		t.Error("CodecByName(G729) found a codec")
	}
	defer func() {
		if recover() == nil {
			t.Error("Encode with an invalid codec did not panic")
		}
	}()
	c.Encode(make([]byte, 1), make([]int16, 1))
}

func TestFrameSamples(t *testing.T) {
	if FrameSamples != 160 {
		t.Errorf("FrameSamples = %d, want 160", FrameSamples)
	}
}
