package media

import (
	"math"
	"testing"
)

func TestG711KnownValues(t *testing.T) {
	tests := []struct {
		name   string
		sample int16
		ulaw   byte
		alaw   byte
	}{
		{"silence", 0, 0xFF, 0xD5},
		{"minus one is negative zero", -1, 0x7F, 0x55},
		{"smallest positive step", 8, 0xFE, 0xD5},
		{"full scale positive", math.MaxInt16, 0x80, 0xAA},
		{"full scale negative", math.MinInt16, 0x00, 0x2A},
		{"mid positive", 1000, 0xCE, 0xFA},
		{"mid negative", -1000, 0x4E, 0x7A},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := make([]byte, 1)
			a := make([]byte, 1)
			EncodeUlaw(u, []int16{tt.sample})
			EncodeAlaw(a, []int16{tt.sample})
			if u[0] != tt.ulaw {
				t.Errorf("EncodeUlaw(%d) = %#02x, want %#02x", tt.sample, u[0], tt.ulaw)
			}
			if a[0] != tt.alaw {
				t.Errorf("EncodeAlaw(%d) = %#02x, want %#02x", tt.sample, a[0], tt.alaw)
			}
		})
	}
}

func TestG711DecodeKnownValues(t *testing.T) {
	tests := []struct {
		name string
		law  Codec
		code byte
		want int16
	}{
		{"ulaw positive zero", PCMU, 0xFF, 0},
		{"ulaw negative zero", PCMU, 0x7F, 0},
		{"ulaw first step", PCMU, 0xFE, 8},
		{"ulaw end of first segment", PCMU, 0xF0, 120},
		{"ulaw positive peak", PCMU, 0x80, 32124},
		{"ulaw negative peak", PCMU, 0x00, -32124},
		{"alaw smallest positive", PCMA, 0xD5, 8},
		{"alaw smallest negative", PCMA, 0x55, -8},
		{"alaw positive peak", PCMA, 0xAA, 32256},
		{"alaw negative peak", PCMA, 0x2A, -32256},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]int16, 1)
			tt.law.Decode(got, []byte{tt.code})
			if got[0] != tt.want {
				t.Errorf("%v decode %#02x = %d, want %d", tt.law, tt.code, got[0], tt.want)
			}
		})
	}
}

// TestG711RoundTripError checks every 16-bit sample: decoding its code gives
// back the sample within half a quantization step of its segment, and codes
// grow with the sample.
func TestG711RoundTripError(t *testing.T) {
	tests := []struct {
		law  Codec
		peak int32 // largest decoded magnitude
	}{
		{PCMU, 32124},
		{PCMA, 32256},
	}
	for _, tt := range tests {
		t.Run(tt.law.String(), func(t *testing.T) {
			src := make([]int16, 1<<16)
			for i := range src {
				src[i] = int16(i + math.MinInt16)
			}
			codes := make([]byte, len(src))
			back := make([]int16, len(src))
			tt.law.Encode(codes, src)
			tt.law.Decode(back, codes)
			prev := int32(math.MinInt32)
			for i, s := range src {
				x, y := int32(s), int32(back[i])
				if y < prev {
					t.Fatalf("decode(encode(%d)) = %d, below decode(encode(%d)) = %d: not monotonic", s, y, s-1, prev)
				}
				prev = y
				mag := min(abs32(x), tt.peak)
				// Half a step is 1/32 of the segment's base; the first
				// segments have steps of 8 (μ-law, after the 2-bit
				// truncation) and 16 (A-law).
				bound := mag/32 + 16
				if abs32(x) > tt.peak {
					bound += abs32(x) - tt.peak
				}
				if d := abs32(x - y); d > bound {
					t.Fatalf("decode(encode(%d)) = %d: error %d over %d", s, y, d, bound)
				}
			}
		})
	}
}

// TestG711CodesRoundTrip checks that every code decodes to a value that
// encodes to the same code, except μ-law's negative zero.
func TestG711CodesRoundTrip(t *testing.T) {
	for _, law := range []Codec{PCMU, PCMA} {
		for c := 0; c < 256; c++ {
			lin := make([]int16, 1)
			back := make([]byte, 1)
			law.Decode(lin, []byte{byte(c)})
			law.Encode(back, lin)
			want := byte(c)
			if law == PCMU && c == 0x7F {
				want = 0xFF
			}
			if back[0] != want {
				t.Errorf("%v: encode(decode(%#02x)) = %#02x, want %#02x", law, c, back[0], want)
			}
		}
	}
}

func TestG711Symmetry(t *testing.T) {
	for _, law := range []Codec{PCMU, PCMA} {
		for s := 0; s <= math.MaxInt16; s += 7 {
			pos, neg := make([]byte, 1), make([]byte, 1)
			law.Encode(pos, []int16{int16(s)})
			law.Encode(neg, []int16{^int16(s)})
			if pos[0]^neg[0] != 0x80 {
				t.Fatalf("%v: codes of %d and %d are %#02x and %#02x, want to differ in the sign bit only",
					law, s, ^int16(s), pos[0], neg[0])
			}
		}
	}
}

func TestG711ShortDstPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func()
	}{
		{"EncodeUlaw", func() { EncodeUlaw(make([]byte, 1), make([]int16, 2)) }},
		{"DecodeUlaw", func() { DecodeUlaw(make([]int16, 1), make([]byte, 2)) }},
		{"EncodeAlaw", func() { EncodeAlaw(make([]byte, 1), make([]int16, 2)) }},
		{"DecodeAlaw", func() { DecodeAlaw(make([]int16, 1), make([]byte, 2)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with a short dst did not panic", tt.name)
				}
			}()
			tt.f()
		})
	}
}

func TestG711NoAllocs(t *testing.T) {
	src := make([]int16, FrameSamples)
	enc := make([]byte, FrameSamples)
	dec := make([]int16, FrameSamples)
	for _, law := range []Codec{PCMU, PCMA} {
		n := testing.AllocsPerRun(100, func() {
			law.Encode(enc, src)
			law.Decode(dec, enc)
		})
		if n != 0 {
			t.Errorf("%v: %v allocations per frame, want 0", law, n)
		}
	}
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func benchFrame() []int16 {
	src := make([]int16, FrameSamples)
	for i := range src {
		src[i] = int16(12000 * math.Sin(2*math.Pi*440*float64(i)/SampleRate))
	}
	return src
}

func BenchmarkEncodeUlaw(b *testing.B) {
	src, dst := benchFrame(), make([]byte, FrameSamples)
	b.ReportAllocs()
	b.SetBytes(FrameSamples * 2)
	for b.Loop() {
		EncodeUlaw(dst, src)
	}
}

func BenchmarkDecodeUlaw(b *testing.B) {
	src, dst := make([]byte, FrameSamples), make([]int16, FrameSamples)
	EncodeUlaw(src, benchFrame())
	b.ReportAllocs()
	b.SetBytes(FrameSamples)
	for b.Loop() {
		DecodeUlaw(dst, src)
	}
}

func BenchmarkEncodeAlaw(b *testing.B) {
	src, dst := benchFrame(), make([]byte, FrameSamples)
	b.ReportAllocs()
	b.SetBytes(FrameSamples * 2)
	for b.Loop() {
		EncodeAlaw(dst, src)
	}
}

func BenchmarkDecodeAlaw(b *testing.B) {
	src, dst := make([]byte, FrameSamples), make([]int16, FrameSamples)
	EncodeAlaw(src, benchFrame())
	b.ReportAllocs()
	b.SetBytes(FrameSamples)
	for b.Loop() {
		DecodeAlaw(dst, src)
	}
}
