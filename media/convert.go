package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// Converting the recordings staff upload into prompts: whatever a PC or a
// phone saved (44.1 or 48 kHz, stereo, 8- to 32-bit PCM or float, extra
// chunks) becomes 8 kHz mono 16-bit samples, low-pass filtered below the
// telephone band's edge so that nothing above 4 kHz folds back as noise.

// ErrEmptyPrompt reports a WAV file whose data chunk holds no audio.
var ErrEmptyPrompt = errors.New("media: prompt has no audio")

// A FormatError reports a file ConvertPrompt cannot read and names its
// format, so that the person uploading it learns what to save instead:
// another kind of file ("MP3", "M4A", "AMR"...; it wraps ErrInvalidWAV) or a
// WAV file of compressed audio ("MP3", "IMA ADPCM"...; it wraps
// ErrUnsupportedWAV).
type FormatError struct {
	Format string
	// InWAV is set for compressed audio inside a WAV file.
	InWAV bool
}

func (e *FormatError) Error() string {
	if e.InWAV {
		return fmt.Sprintf("%v: %s audio, want PCM", ErrUnsupportedWAV, e.Format)
	}
	return fmt.Sprintf("%v: an %s file, not WAV", ErrInvalidWAV, e.Format)
}

// Unwrap returns ErrUnsupportedWAV or ErrInvalidWAV.
func (e *FormatError) Unwrap() error {
	if e.InWAV {
		return ErrUnsupportedWAV
	}
	return ErrInvalidWAV
}

// Rates and formats ConvertPrompt accepts.
const (
	minConvertRate  = SampleRate
	maxConvertRate  = 192000
	maxConvertChans = 8
	wavFloat        = 3
)

// Telephone-band filter of ConvertPrompt: a windowed sinc whose gain is
// half (-6 dB) at convertCutoff, flat to about 2.9 kHz and below -58 dB from
// about 3.9 kHz (Blackman window, convertTransition wide).
const (
	convertCutoff     = 3400.0 // Hz
	convertTransition = 1000.0 // Hz
	maxPhases         = 1024   // fractional positions tabulated
)

// ConvertPrompt reads a WAV file as staff record it — any sample rate from
// 8 to 192 kHz, mono or up to 8 channels, 8-bit unsigned, 16-, 24- or
// 32-bit PCM, 32- or 64-bit float, μ-law or A-law, with or without a
// WAVE_FORMAT_EXTENSIBLE header and extra chunks (LIST, fact...) — and
// returns it as a prompt: 16-bit samples at 8000 Hz, mono.
//
// Channels are averaged. Another rate is resampled by a windowed-sinc
// low-pass filter (cutoff 3.4 kHz) evaluated at each output sample's
// position, so tones above 4 kHz do not alias; audio already at 8000 Hz is
// not filtered, and 16-bit mono at 8000 Hz comes out bit for bit.
//
// Errors wrap ErrInvalidWAV (not a WAV file: a *FormatError names MP3, M4A,
// AMR... when it recognises one; a malformed or truncated file),
// ErrUnsupportedWAV (compressed audio, named by a *FormatError; a rate,
// width or channel count out of range), ErrPromptTooLong (over
// MaxPromptDuration) or ErrEmptyPrompt. Memory is bounded by the audio
// actually read, never by what a header claims.
func ConvertPrompt(r io.Reader) ([]int16, error) {
	br := bufio.NewReader(r)
	if head, _ := br.Peek(12); !bytes.HasPrefix(head, []byte("RIFF")) {
		if name := sniffAudio(head); name != "" {
			return nil, &FormatError{Format: name}
		}
	}
	f, size, err := readWAVHeader(br)
	if err != nil {
		return nil, err
	}
	dec, err := f.decoder()
	if err != nil {
		return nil, err
	}
	maxFrames := int64(MaxPromptDuration/time.Second) * int64(f.rate)
	block := int64(f.channels * f.bits / 8)
	known := size != math.MaxUint32 // streaming writers leave the size at 0xFFFFFFFF
	if known && int64(size)/block > maxFrames {
		return nil, fmt.Errorf("%w: %v of audio, at most %v", ErrPromptTooLong,
			time.Duration(int64(size)/block)*time.Second/time.Duration(f.rate), MaxPromptDuration)
	}
	if known && int64(size) < block {
		return nil, fmt.Errorf("%w: data chunk of %d bytes", ErrEmptyPrompt, size)
	}
	conv := newConverter(f.rate)
	buf := make([]byte, 32*1024/block*block)
	mono := make([]float32, len(buf)/int(block))
	var frames int64
	for remaining := int64(size); !known || remaining >= block; {
		want := int64(len(buf))
		if known {
			want = min(want, remaining/block*block)
		}
		n, err := io.ReadFull(br, buf[:want])
		n -= n % int(block)
		if n > 0 {
			dec(mono[:n/int(block)], buf[:n], f.channels)
			conv.push(mono[:n/int(block)])
			frames += int64(n) / block
			remaining -= int64(n)
			if frames > maxFrames {
				return nil, fmt.Errorf("%w: over %v of audio", ErrPromptTooLong, MaxPromptDuration)
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			if known {
				return nil, fmt.Errorf("%w: data chunk truncated after %d of %d bytes", ErrInvalidWAV,
					int64(size)-remaining, size)
			}
			break
		} else if err != nil {
			return nil, fmt.Errorf("read WAV data: %w", err)
		}
	}
	if frames == 0 {
		return nil, fmt.Errorf("%w: no audio in data chunk", ErrEmptyPrompt)
	}
	return conv.finish(frames), nil
}

// sniffAudio names the audio file formats people save recordings in
// instead of WAV, from their first bytes; "" for none of them.
func sniffAudio(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("ID3")), len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0:
		return "MP3"
	case len(head) >= 12 && string(head[4:8]) == "ftyp":
		return "M4A"
	case bytes.HasPrefix(head, []byte("#!AMR")):
		return "AMR"
	case bytes.HasPrefix(head, []byte("OggS")):
		return "Ogg"
	case bytes.HasPrefix(head, []byte("fLaC")):
		return "FLAC"
	case bytes.HasPrefix(head, []byte{0x30, 0x26, 0xB2, 0x75}):
		return "WMA"
	case bytes.HasPrefix(head, []byte("FORM")):
		return "AIFF"
	}
	return ""
}

// compressedWAV names the compressed formats found in WAV files.
var compressedWAV = map[uint16]string{
	0x0002: "MS ADPCM", 0x0011: "IMA ADPCM", 0x0031: "GSM 6.10", 0x0040: "G.721 ADPCM",
	0x0050: "MPEG", 0x0055: "MP3", 0x0064: "G.726 ADPCM", 0x0160: "WMA", 0x0161: "WMA", 0x0162: "WMA",
	0x0163: "WMA", 0x1610: "AAC", 0x00FF: "AAC", 0xA106: "AAC", 0x674F: "Ogg Vorbis", 0xF1AC: "FLAC",
}

// sampleDecoder averages the channels of each frame of src into dst, as
// floats in [-1, 1).
type sampleDecoder func(dst []float32, src []byte, channels int)

// decoder returns the decoder of f's samples, or an error wrapping
// ErrUnsupportedWAV.
func (f wavFormat) decoder() (sampleDecoder, error) {
	switch {
	case f.rate < minConvertRate || f.rate > maxConvertRate:
		return nil, fmt.Errorf("%w: %d Hz, want 8000 to 192000 Hz", ErrUnsupportedWAV, f.rate)
	case f.channels > maxConvertChans:
		return nil, fmt.Errorf("%w: %d channels, at most %d", ErrUnsupportedWAV, f.channels, maxConvertChans)
	}
	le := binary.LittleEndian
	type width struct {
		tag  uint16
		bits int
	}
	one := map[width]func(b []byte) float32{
		{wavPCM, 8}:  func(b []byte) float32 { return float32(int(b[0])-128) / 128 },
		{wavPCM, 16}: func(b []byte) float32 { return float32(int16(le.Uint16(b))) / (1 << 15) },
		{wavPCM, 24}: func(b []byte) float32 {
			return float32(int32(uint32(b[0])<<8|uint32(b[1])<<16|uint32(b[2])<<24)>>8) / (1 << 23)
		},
		{wavPCM, 32}:   func(b []byte) float32 { return float32(float64(int32(le.Uint32(b))) / (1 << 31)) },
		{wavFloat, 32}: func(b []byte) float32 { return finite(math.Float32frombits(le.Uint32(b))) },
		{wavFloat, 64}: func(b []byte) float32 { return finite(float32(math.Float64frombits(le.Uint64(b)))) },
		{wavULaw, 8}:   func(b []byte) float32 { return float32(ulawDecodeTable[b[0]]) / (1 << 15) },
		{wavALaw, 8}:   func(b []byte) float32 { return float32(alawDecodeTable[b[0]]) / (1 << 15) },
	}[width{f.tag, f.bits}]
	if one == nil {
		if name, ok := compressedWAV[f.tag]; ok {
			return nil, &FormatError{Format: name, InWAV: true}
		}
		switch f.tag {
		case wavPCM, wavFloat, wavULaw, wavALaw:
			return nil, fmt.Errorf("%w: %d-bit samples of format %#04x", ErrUnsupportedWAV, f.bits, f.tag)
		}
		return nil, fmt.Errorf("%w: format tag %#04x, want PCM", ErrUnsupportedWAV, f.tag)
	}
	w := f.bits / 8
	return func(dst []float32, src []byte, channels int) {
		for i := range dst {
			frame := src[i*channels*w:]
			var sum float32
			for c := range channels {
				sum += one(frame[c*w:])
			}
			dst[i] = sum / float32(channels)
		}
	}, nil
}

// finite maps NaN and infinities (a broken float file) to silence and
// full scale.
func finite(v float32) float32 {
	switch {
	case v != v:
		return 0
	case v > 1:
		return 1
	case v < -1:
		return -1
	}
	return v
}

// converter resamples a stream of mono samples at rate to SampleRate.
// Output k lies at input position k·num/den; its value is the sum of the
// input samples within half of that position weighted by the low-pass
// kernel at their distance, tabulated for each fractional position.
type converter struct {
	num, den int64       // input samples per output sample, reduced
	half     int         // kernel half-width in input samples
	phases   int64       // fractional positions in table
	table    [][]float32 // [phase][tap]: tap j weighs input i-half+1+j
	in       []float32   // input samples from index base on
	base     int64
	k        int64 // next output
	out      []int16
}

func newConverter(rate int) *converter {
	g := gcd(int64(rate), SampleRate)
	c := &converter{num: int64(rate) / g, den: SampleRate / g}
	if c.num == c.den {
		return c
	}
	// A Blackman-windowed sinc is convertTransition wide between its pass-
	// and stopbands with about 5.5·rate/convertTransition taps.
	c.half = int(math.Ceil(2.75 * float64(rate) / convertTransition))
	c.phases = min(c.den, maxPhases)
	fc := convertCutoff / float64(rate) // cycles per input sample
	c.table = make([][]float32, c.phases)
	for p := range c.table {
		frac := float64(p) / float64(c.phases)
		taps := make([]float32, 2*c.half)
		var sum float64
		w := make([]float64, len(taps))
		for j := range taps {
			x := frac - float64(j-c.half+1) // distance from the output position
			w[j] = sinc(2*fc*x) * blackman(x/float64(c.half))
			sum += w[j]
		}
		for j := range taps {
			taps[j] = float32(w[j] / sum) // unit gain at DC
		}
		c.table[p] = taps
	}
	c.in = make([]float32, c.half) // silence before the first sample
	c.base = -int64(c.half)
	return c
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// blackman is the Blackman window over x in [-1, 1].
func blackman(x float64) float64 {
	if x <= -1 || x >= 1 {
		return 0
	}
	return 0.42 + 0.5*math.Cos(math.Pi*x) + 0.08*math.Cos(2*math.Pi*x)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// push adds input samples and computes every output they complete.
func (c *converter) push(x []float32) {
	if c.table == nil {
		for _, v := range x {
			c.out = append(c.out, toInt16(v))
		}
		return
	}
	c.in = append(c.in, x...)
	c.run(c.base + int64(len(c.in)))
}

// run computes the outputs whose taps all lie below end, then drops the
// input no later output needs.
func (c *converter) run(end int64) {
	for {
		i, p := c.position(c.k)
		if i+int64(c.half) >= end {
			break
		}
		from := i - int64(c.half) + 1 - c.base
		var acc float32
		for j, w := range c.table[p] {
			acc += w * c.in[from+int64(j)]
		}
		c.out = append(c.out, toInt16(acc))
		c.k++
	}
	i, _ := c.position(c.k)
	if drop := i - int64(c.half) + 1 - c.base; drop > int64(len(c.in))/2 && drop > 0 {
		drop = min(drop, int64(len(c.in)))
		c.in = c.in[:copy(c.in, c.in[drop:])]
		c.base += drop
	}
}

// position returns the input index at or before output k and the table
// phase of the remaining fraction.
func (c *converter) position(k int64) (int64, int) {
	pos := k * c.num
	i, rem := pos/c.den, pos%c.den
	p := (rem*c.phases + c.den/2) / c.den
	if p == c.phases {
		i, p = i+1, 0
	}
	return i, int(p)
}

// finish pads the input with silence and returns every output sample that
// lies within the n input samples: ceil(n·den/num) of them.
func (c *converter) finish(n int64) []int16 {
	if c.table == nil {
		return c.out
	}
	total := (n*c.den + c.num - 1) / c.num
	c.in = append(c.in, make([]float32, 2*c.half+1)...)
	for c.k < total {
		before := c.k
		c.run(c.base + int64(len(c.in)))
		if c.k == before {
			c.in = append(c.in, make([]float32, 2*c.half+1)...)
		}
	}
	return c.out[:total]
}

// toInt16 rounds a sample in [-1, 1) to 16 bits, clipping.
func toInt16(v float32) int16 {
	s := math.Round(float64(v) * (1 << 15))
	switch {
	case s > math.MaxInt16:
		return math.MaxInt16
	case s < math.MinInt16:
		return math.MinInt16
	}
	return int16(s)
}
