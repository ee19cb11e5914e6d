package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// tone returns n samples of a sine of freq Hz at rate, peak amp (1 is full
// scale).
func tone(rate int, freq, amp float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))
	}
	return out
}

// encodeFrames returns the data chunk's body for samples (each frame's
// channels all equal to the sample) in the given format.
func encodeFrames(tag uint16, bits, channels int, samples []float64) []byte {
	le := binary.LittleEndian
	var b []byte
	for _, s := range samples {
		for range channels {
			switch {
			case tag == wavPCM && bits == 8:
				b = append(b, byte(int(math.Round(s*127))+128))
			case tag == wavPCM && bits == 16:
				b = le.AppendUint16(b, uint16(int16(math.Round(s*32767))))
			case tag == wavPCM && bits == 24:
				v := uint32(int32(math.Round(s * 8388607)))
				b = append(b, byte(v), byte(v>>8), byte(v>>16))
			case tag == wavPCM && bits == 32:
				b = le.AppendUint32(b, uint32(int32(math.Round(s*2147483647))))
			case tag == wavFloat && bits == 32:
				b = le.AppendUint32(b, math.Float32bits(float32(s)))
			case tag == wavFloat && bits == 64:
				b = le.AppendUint64(b, math.Float64bits(s))
			case tag == wavULaw:
				u := make([]byte, 1)
				EncodeUlaw(u, []int16{int16(math.Round(s * 32767))})
				b = append(b, u...)
			default:
				panic("encodeFrames: unknown format")
			}
		}
	}
	return b
}

// rms returns the root mean square of samples (full scale 1), ignoring
// edge samples at each end, where the filter meets the silence around the
// file.
func rms(samples []int16, edge int) float64 {
	var sum float64
	s := samples[edge : len(samples)-edge]
	for _, v := range s {
		f := float64(v) / 32768
		sum += f * f
	}
	return math.Sqrt(sum / float64(len(s)))
}

// crossings counts the sign changes within samples, ignoring edge samples
// at each end.
func crossings(samples []int16, edge int) int {
	n := 0
	s := samples[edge : len(samples)-edge]
	for i := 1; i < len(s); i++ {
		if (s[i-1] < 0) != (s[i] < 0) {
			n++
		}
	}
	return n
}

func db(ratio float64) float64 { return 20 * math.Log10(ratio) }

func mustConvert(t *testing.T, file []byte) []int16 {
	t.Helper()
	got, err := ConvertPrompt(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A second of a 1 kHz tone recorded at 48 kHz in stereo becomes 8000
// samples of the same tone, at the same level within a decibel.
func TestConvertPrompt48kStereo(t *testing.T) {
	in := tone(48000, 1000, 0.5, 48000)
	file := riff(chunk("fmt ", fmtBody(wavPCM, 2, 48000, 16)), chunk("data", encodeFrames(wavPCM, 16, 2, in)))
	got := mustConvert(t, file)
	if len(got) != 8000 {
		t.Fatalf("%d samples, want 8000", len(got))
	}
	// 1000 Hz crosses zero 2000 times a second: 1500 times in the middle
	// 6000 samples.
	if n := crossings(got, 1000); n < 1498 || n > 1502 {
		t.Errorf("%d zero crossings in 0.75 s, want 1500 (1 kHz)", n)
	}
	if level := db(rms(got, 200) / (0.5 / math.Sqrt2)); math.Abs(level) > 1 {
		t.Errorf("level %.2f dB off the input", level)
	}
}

// The same from 44.1 kHz, whose rate is no multiple of 8000.
func TestConvertPrompt44k(t *testing.T) {
	in := tone(44100, 1000, 0.5, 44100)
	file := riff(chunk("fmt ", fmtBody(wavPCM, 2, 44100, 16)), chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00Lavf\x00")),
		chunk("data", encodeFrames(wavPCM, 16, 2, in)))
	got := mustConvert(t, file)
	if len(got) != 8000 {
		t.Fatalf("%d samples, want 8000", len(got))
	}
	if n := crossings(got, 1000); n < 1498 || n > 1502 {
		t.Errorf("%d zero crossings in 0.75 s, want 1500 (1 kHz)", n)
	}
	if level := db(rms(got, 200) / (0.5 / math.Sqrt2)); math.Abs(level) > 1 {
		t.Errorf("level %.2f dB off the input", level)
	}
}

// The low-pass filter keeps the telephone band and removes what would fold
// back into it: a 6 kHz tone at 48 kHz (an alias at 2 kHz) is gone.
func TestConvertPromptResponse(t *testing.T) {
	for _, tc := range []struct {
		rate     int
		freq     float64
		min, max float64 // dB
	}{
		{48000, 300, -0.5, 0.5},
		{48000, 2000, -0.5, 0.5},
		{48000, 2800, -1, 0.5},
		{48000, 3400, -7, -5},
		{48000, 4500, -200, -40},
		{48000, 6000, -200, -30},
		{48000, 12000, -200, -40},
		{44100, 6000, -200, -30},
		{44100, 2000, -0.5, 0.5},
		{16000, 6000, -200, -30},
		{22050, 7000, -200, -30},
	} {
		got := mustConvert(t, riff(chunk("fmt ", fmtBody(wavPCM, 1, tc.rate, 16)),
			chunk("data", encodeFrames(wavPCM, 16, 1, tone(tc.rate, tc.freq, 0.5, tc.rate)))))
		level := -200.0
		if r := rms(got, 200); r > 0 {
			level = db(r / (0.5 / math.Sqrt2))
		}
		t.Logf("%5d Hz: %5.0f Hz at %6.1f dB", tc.rate, tc.freq, level)
		if level < tc.min || level > tc.max {
			t.Errorf("%d Hz: a %.0f Hz tone comes out at %.1f dB, want %.1f to %.1f", tc.rate, tc.freq, level, tc.min, tc.max)
		}
	}
}

// 16-bit mono at 8 kHz is a prompt already: it passes through bit for bit,
// extra chunks or not.
func TestConvertPromptPassThrough(t *testing.T) {
	in := make([]int16, 8000)
	for i := range in {
		in[i] = int16(i*7919%65536 - 32768) // every kind of value, extremes included
	}
	in[0], in[1] = math.MinInt16, math.MaxInt16
	file := riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16)), chunk("fact", []byte{0x40, 0x1F, 0, 0}), chunk("data", pcmBytes(in)))
	got := mustConvert(t, file)
	if !slicesEqual(got, in) {
		t.Fatal("8 kHz mono 16-bit did not pass through unchanged")
	}
	var buf bytes.Buffer
	if err := WritePrompt(&buf, got); err != nil {
		t.Fatal(err)
	}
	back, err := ReadPrompt(&buf)
	if err != nil || !slicesEqual(back, in) {
		t.Fatalf("written prompt reads back differently: %v", err)
	}
}

func slicesEqual(a, b []int16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Every sample format staff's tools write converts to the same tone.
func TestConvertPromptFormats(t *testing.T) {
	in := tone(16000, 1000, 0.5, 16000)
	for _, tc := range []struct {
		name     string
		fmtBody  []byte
		tag      uint16
		bits     int
		channels int
	}{
		{"8-bit unsigned", fmtBody(wavPCM, 1, 16000, 8), wavPCM, 8, 1},
		{"24-bit stereo", fmtBody(wavPCM, 2, 16000, 24), wavPCM, 24, 2},
		{"32-bit integer", fmtBody(wavPCM, 1, 16000, 32), wavPCM, 32, 1},
		{"32-bit float", fmtBody(wavFloat, 1, 16000, 32), wavFloat, 32, 1},
		{"64-bit float", fmtBody(wavFloat, 2, 16000, 64), wavFloat, 64, 2},
		{"extensible float", extensibleBody(wavFloat, 2, 16000, 32), wavFloat, 32, 2},
		{"extensible 24-bit", extensibleBody(wavPCM, 1, 16000, 24), wavPCM, 24, 1},
		{"μ-law", fmtBody(wavULaw, 1, 16000, 8), wavULaw, 8, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := riff(chunk("fmt ", tc.fmtBody), chunk("LIST", []byte("INFO")), chunk("data", encodeFrames(tc.tag, tc.bits, tc.channels, in)))
			got := mustConvert(t, file)
			if len(got) != 8000 {
				t.Fatalf("%d samples, want 8000", len(got))
			}
			if level := db(rms(got, 200) / (0.5 / math.Sqrt2)); math.Abs(level) > 0.5 {
				t.Errorf("level %.2f dB off the input", level)
			}
			if n := crossings(got, 1000); n < 1498 || n > 1502 {
				t.Errorf("%d zero crossings, want 1500", n)
			}
		})
	}
}

// A file written while recording leaves the data size at 0xFFFFFFFF: the
// audio runs to the end of the file.
func TestConvertPromptUnknownSize(t *testing.T) {
	data := encodeFrames(wavPCM, 16, 1, tone(48000, 500, 0.5, 4800))
	file := riff(chunk("fmt ", fmtBody(wavPCM, 1, 48000, 16)))
	file = append(append(file, "data\xff\xff\xff\xff"...), data...)
	if got := mustConvert(t, file); len(got) != 800 {
		t.Fatalf("%d samples, want 800", len(got))
	}
}

// codedFmt returns the fmt chunk body of a compressed format as its
// writers fill it: blocks of their own, bits often 0.
func codedFmt(tag uint16, channels, rate, block, bits int) []byte {
	b := fmtBody(tag, channels, rate, 16)
	binary.LittleEndian.PutUint16(b[12:], uint16(block))
	binary.LittleEndian.PutUint16(b[14:], uint16(bits))
	return b
}

func TestConvertPromptErrors(t *testing.T) {
	pcm := fmtBody(wavPCM, 1, 44100, 16)
	some := make([]byte, 400)
	withFmt := func(body []byte) []byte { return riff(chunk("fmt ", body), chunk("data", some)) }
	for _, tc := range []struct {
		name   string
		file   []byte
		want   error
		format string // of a *FormatError
		says   string
	}{
		{"text", []byte("hello, this is not audio"), ErrInvalidWAV, "", "not a RIFF/WAVE"},
		{"nothing", nil, ErrInvalidWAV, "", ""},
		{"MP3 file", append([]byte("ID3\x04\x00\x00\x00\x00\x00\x00"), some...), ErrInvalidWAV, "MP3", "MP3 file"},
		{"M4A file", append([]byte("\x00\x00\x00\x20ftypM4A "), some...), ErrInvalidWAV, "M4A", "M4A"},
		{"AMR file", []byte("#!AMR\n\x3c\x00\x00"), ErrInvalidWAV, "AMR", "AMR"},
		{"MP3 in WAV", withFmt(codedFmt(0x55, 2, 44100, 1, 0)), ErrUnsupportedWAV, "MP3", "MP3 audio"},
		{"IMA ADPCM", withFmt(codedFmt(0x11, 1, 8000, 256, 4)), ErrUnsupportedWAV, "IMA ADPCM", "IMA ADPCM"},
		{"MS ADPCM", withFmt(codedFmt(0x02, 2, 22050, 1024, 4)), ErrUnsupportedWAV, "MS ADPCM", "MS ADPCM"},
		{"unknown tag", withFmt(fmtBody(0x1234, 1, 8000, 16)), ErrUnsupportedWAV, "", "0x1234"},
		{"12-bit", withFmt(fmtBody(wavPCM, 1, 8000, 12)), ErrUnsupportedWAV, "", "12-bit"},
		{"4 kHz", withFmt(fmtBody(wavPCM, 1, 4000, 16)), ErrUnsupportedWAV, "", "4000 Hz"},
		{"384 kHz", withFmt(fmtBody(wavPCM, 1, 384000, 16)), ErrUnsupportedWAV, "", "384000 Hz"},
		{"16 channels", withFmt(fmtBody(wavPCM, 16, 8000, 16)), ErrUnsupportedWAV, "", "16 channels"},
		{"empty data", riff(chunk("fmt ", pcm), chunk("data", nil)), ErrEmptyPrompt, "", ""},
		{"truncated", riff(chunk("fmt ", pcm), []byte("data\x00\x10\x00\x00\x01\x02")), ErrInvalidWAV, "", "truncated"},
		{"11 minutes claimed", riff(chunk("fmt ", pcm), []byte("data\x00\x00\x00\x04")), ErrPromptTooLong, "", "at most 10m0s"},
		{"no data chunk", riff(chunk("fmt ", pcm)), ErrInvalidWAV, "", "no data chunk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ConvertPrompt(bytes.NewReader(tc.file))
			if err == nil || got != nil {
				t.Fatalf("%d samples, error %v", len(got), err)
			}
			if tc.want == nil {
				tc.want = ErrInvalidWAV
			}
			if !errors.Is(err, tc.want) {
				t.Errorf("error %v, want %v", err, tc.want)
			}
			var fe *FormatError
			if errors.As(err, &fe) != (tc.format != "") || (fe != nil && fe.Format != tc.format) {
				t.Errorf("error %v: format error %+v, want format %q", err, fe, tc.format)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

// Audio over MaxPromptDuration whose header does not say how long it is
// is refused once the limit is passed.
func TestConvertPromptTooLongStreaming(t *testing.T) {
	head := riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 8)))
	head = append(head, "data\xff\xff\xff\xff"...)
	n := int64(MaxPromptDuration/time.Second)*8000 + 8000
	r := io.MultiReader(bytes.NewReader(head), io.LimitReader(repeatReader(0x80), n))
	if _, err := ConvertPrompt(r); !errors.Is(err, ErrPromptTooLong) {
		t.Fatalf("error %v, want ErrPromptTooLong", err)
	}
}

// repeatReader reads the same byte forever.
type repeatReader byte

func (b repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// A header claiming 4 GB of audio costs what the file holds, not 4 GB.
func TestConvertPromptClaimsBounded(t *testing.T) {
	for _, size := range []string{"\xf0\xff\xff\xff", "\xff\xff\xff\xff"} {
		file := riff(chunk("fmt ", fmtBody(wavPCM, 2, 48000, 16)))
		file = append(append(file, "data"+size...), make([]byte, 4000)...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		ConvertPrompt(bytes.NewReader(file))
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
			t.Errorf("size %x: %d bytes allocated for a %d-byte file", size, n, len(file))
		}
	}
}

func FuzzConvertPrompt(f *testing.F) {
	f.Add(riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16)), chunk("data", pcmBytes(promptSamples))))
	f.Add(riff(chunk("fmt ", fmtBody(wavPCM, 2, 44100, 16)), chunk("data", encodeFrames(wavPCM, 16, 2, tone(44100, 440, 0.3, 441)))))
	f.Add(riff(chunk("fmt ", fmtBody(wavPCM, 1, 48000, 24)), chunk("data", encodeFrames(wavPCM, 24, 1, tone(48000, 440, 0.3, 480)))))
	f.Add(riff(chunk("fmt ", extensibleBody(wavFloat, 2, 22050, 32)), chunk("data", encodeFrames(wavFloat, 32, 2, tone(22050, 440, 0.3, 220)))))
	f.Add(riff(chunk("fmt ", fmtBody(wavPCM, 1, 11025, 8)), chunk("LIST", []byte("INFO")), chunk("data", encodeFrames(wavPCM, 8, 1, tone(11025, 440, 0.3, 110)))))
	f.Add(riff(chunk("fmt ", fmtBody(0x55, 2, 44100, 16)), chunk("data", []byte{1, 2, 3, 4})))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\xbb\x00\x00\x00\x77\x01\x00\x02\x00\x10\x00data\xff\xff\xff\xff\x01\x02"))
	f.Add([]byte("ID3\x03"))
	f.Fuzz(func(t *testing.T, file []byte) {
		samples, err := ConvertPrompt(bytes.NewReader(file))
		if err != nil {
			if samples != nil {
				t.Fatalf("samples and error %v", err)
			}
			if !errors.Is(err, ErrInvalidWAV) && !errors.Is(err, ErrUnsupportedWAV) && !errors.Is(err, ErrPromptTooLong) && !errors.Is(err, ErrEmptyPrompt) {
				t.Fatalf("error %v wraps none of the package's errors", err)
			}
			return
		}
		// At least 8 kHz in, 8 kHz out: never more samples than bytes.
		if len(samples) == 0 || len(samples) > len(file) {
			t.Fatalf("%d samples from a %d-byte file", len(samples), len(file))
		}
	})
}

// BenchmarkConvertPrompt converts a minute of 44.1 kHz stereo, a typical
// PC recording.
func BenchmarkConvertPrompt(b *testing.B) {
	file := riff(chunk("fmt ", fmtBody(wavPCM, 2, 44100, 16)), chunk("data", encodeFrames(wavPCM, 16, 2, tone(44100, 440, 0.3, 60*44100))))
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if _, err := ConvertPrompt(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}
