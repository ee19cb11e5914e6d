package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"slices"
	"testing"
)

// chunk returns a RIFF chunk with the given id and body, padded to an even
// size.
func chunk(id string, body []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// fmtBody returns the 16-byte body of a fmt chunk.
func fmtBody(tag uint16, channels, rate, bits int) []byte {
	le := binary.LittleEndian
	block := channels * ((bits + 7) / 8)
	b := le.AppendUint16(nil, tag)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*block))
	b = le.AppendUint16(b, uint16(block))
	return le.AppendUint16(b, uint16(bits))
}

// extensibleBody returns the 40-byte body of a WAVE_FORMAT_EXTENSIBLE fmt
// chunk for the given sub-format.
func extensibleBody(sub uint16, channels, rate, bits int) []byte {
	le := binary.LittleEndian
	b := fmtBody(wavExtensible, channels, rate, bits)
	b = le.AppendUint16(b, 22)           // cbSize
	b = le.AppendUint16(b, uint16(bits)) // valid bits
	b = le.AppendUint32(b, 4)            // channel mask: front centre
	b = le.AppendUint16(b, sub)
	return append(b, ksDataFormatSuffix...)
}

// riff returns a RIFF/WAVE file made of chunks.
func riff(chunks ...[]byte) []byte {
	body := slices.Concat(chunks...)
	b := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	return append(append(b, "WAVE"...), body...)
}

func pcmBytes(samples []int16) []byte {
	var b []byte
	for _, s := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	return b
}

var promptSamples = []int16{0, 1, -1, 1000, -1000, math.MaxInt16, math.MinInt16, 12345, -321}

func TestReadPrompt(t *testing.T) {
	ulaw := make([]byte, len(promptSamples))
	EncodeUlaw(ulaw, promptSamples)
	wantUlaw := make([]int16, len(ulaw))
	DecodeUlaw(wantUlaw, ulaw)
	alaw := make([]byte, len(promptSamples))
	EncodeAlaw(alaw, promptSamples)
	wantAlaw := make([]int16, len(alaw))
	DecodeAlaw(wantAlaw, alaw)
	list := chunk("LIST", []byte("INFOISFT\x0e\x00\x00\x00Lavf60.16.100\x00"))

	tests := []struct {
		name string
		file []byte
		want []int16
	}{
		{"pcm", riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16)), chunk("data", pcmBytes(promptSamples))), promptSamples},
		{"ulaw", riff(chunk("fmt ", fmtBody(wavULaw, 1, 8000, 8)), chunk("data", ulaw)), wantUlaw},
		{"alaw", riff(chunk("fmt ", fmtBody(wavALaw, 1, 8000, 8)), chunk("data", alaw)), wantAlaw},
		{"extensible pcm", riff(chunk("fmt ", extensibleBody(wavPCM, 1, 8000, 16)), chunk("data", pcmBytes(promptSamples))), promptSamples},
		{"extensible ulaw", riff(chunk("fmt ", extensibleBody(wavULaw, 1, 8000, 8)), chunk("data", ulaw)), wantUlaw},
		{"fmt chunk of 18 bytes", riff(chunk("fmt ", append(fmtBody(wavPCM, 1, 8000, 16), 0, 0)), chunk("data", pcmBytes(promptSamples))), promptSamples},
		{"list before fmt, fact and odd chunk before data", riff(list, chunk("fmt ", fmtBody(wavALaw, 1, 8000, 8)),
			chunk("fact", []byte{9, 0, 0, 0}), chunk("odd ", []byte{1, 2, 3}), chunk("data", alaw)), wantAlaw},
		{"chunks after data ignored", riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16)), chunk("data", pcmBytes(promptSamples)), list), promptSamples},
		{"odd ulaw data with pad byte", riff(chunk("fmt ", fmtBody(wavULaw, 1, 8000, 8)), chunk("data", ulaw[:3])), wantUlaw[:3]},
		{"trailing half sample dropped", riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16)), chunk("data", pcmBytes(promptSamples)[:5])), promptSamples[:2]},
		{"wrong RIFF size ignored", append(append([]byte("RIFF\xff\xff\xff\xffWAVE"), chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16))...),
			chunk("data", pcmBytes(promptSamples))...), promptSamples},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadPrompt(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatalf("ReadPrompt: %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ReadPrompt = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReadPromptLong(t *testing.T) {
	// A prompt longer than the 4 KiB read buffer, in every encoding.
	samples := make([]int16, 3*FrameSamples*17+1)
	for i := range samples {
		samples[i] = int16(i * 37)
	}
	var buf bytes.Buffer
	if err := WritePrompt(&buf, samples); err != nil {
		t.Fatal(err)
	}
	got, err := ReadPrompt(&buf)
	if err != nil {
		t.Fatalf("ReadPrompt: %v", err)
	}
	if !slices.Equal(got, samples) {
		t.Errorf("ReadPrompt(WritePrompt(samples)) differs from samples")
	}
}

func TestReadPromptErrors(t *testing.T) {
	pcm := chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16))
	data := chunk("data", pcmBytes(promptSamples))
	tenMinutes := 10 * 60 * 8000
	hugeData := append([]byte("data"), binary.LittleEndian.AppendUint32(nil, uint32(2*(tenMinutes+1)))...)
	allOnes := append([]byte("data"), 0xff, 0xff, 0xff, 0xff)
	truncated := riff(pcm, data)
	truncated = truncated[:len(truncated)-3]

	tests := []struct {
		name string
		file []byte
		want error
		also error
	}{
		{"empty file", nil, ErrInvalidWAV, io.ErrUnexpectedEOF},
		{"mp3", []byte("ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb"), ErrInvalidWAV, nil},
		{"riff but avi", append([]byte("RIFF\x04\x00\x00\x00AVI "), pcm...), ErrInvalidWAV, nil},
		{"big-endian rifx", []byte("RIFX\x00\x00\x00\x24WAVE"), ErrUnsupportedWAV, nil},
		{"stereo", riff(chunk("fmt ", fmtBody(wavPCM, 2, 8000, 16)), data), ErrUnsupportedWAV, nil},
		{"16 kHz", riff(chunk("fmt ", fmtBody(wavPCM, 1, 16000, 16)), data), ErrUnsupportedWAV, nil},
		{"8-bit pcm", riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 8)), data), ErrUnsupportedWAV, nil},
		{"16-bit ulaw", riff(chunk("fmt ", fmtBody(wavULaw, 1, 8000, 16)), data), ErrUnsupportedWAV, nil},
		{"ima adpcm", riff(chunk("fmt ", fmtBody(0x11, 1, 8000, 4)), data), ErrUnsupportedWAV, nil},
		{"mp3 in wav", riff(chunk("fmt ", fmtBody(0x55, 1, 8000, 16)), data), ErrUnsupportedWAV, nil},
		{"extensible float", riff(chunk("fmt ", extensibleBody(3, 1, 8000, 32)), data), ErrUnsupportedWAV, nil},
		{"extensible too short", riff(chunk("fmt ", append(fmtBody(wavExtensible, 1, 8000, 16), 0, 0)), data), ErrUnsupportedWAV, nil},
		{"inconsistent block align", riff(chunk("fmt ", append(fmtBody(wavPCM, 1, 8000, 16)[:12], 4, 0, 16, 0)), data), ErrInvalidWAV, nil},
		{"zero channels", riff(chunk("fmt ", fmtBody(wavPCM, 0, 8000, 16)), data), ErrInvalidWAV, nil},
		{"fmt chunk too short", riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16)[:8]), data), ErrInvalidWAV, nil},
		{"fmt chunk too large", riff(chunk("fmt ", make([]byte, 2000)), data), ErrInvalidWAV, nil},
		{"fmt chunk truncated", riff(pcm[:12]), ErrInvalidWAV, io.ErrUnexpectedEOF},
		{"no fmt chunk", riff(data), ErrInvalidWAV, nil},
		{"no data chunk", riff(pcm), ErrInvalidWAV, io.ErrUnexpectedEOF},
		{"empty data chunk", riff(pcm, chunk("data", nil)), ErrInvalidWAV, nil},
		{"truncated data", truncated, ErrInvalidWAV, io.ErrUnexpectedEOF},
		{"over ten minutes", riff(pcm, hugeData), ErrPromptTooLong, nil},
		{"streaming size 0xffffffff", riff(pcm, allOnes), ErrPromptTooLong, nil},
		{"skipped chunk larger than file", riff(pcm, []byte("LIST\x00\x00\x01\x00abc")), ErrInvalidWAV, io.ErrUnexpectedEOF},
		{"skipped chunks over 1 MiB", riff(pcm, []byte("junk\xff\xff\xff\xff")), ErrInvalidWAV, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadPrompt(bytes.NewReader(tt.file))
			if !errors.Is(err, tt.want) {
				t.Fatalf("ReadPrompt = %d samples, %v; want %v", len(got), err, tt.want)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("ReadPrompt error %q does not wrap %v", err, tt.also)
			}
			if got != nil {
				t.Errorf("ReadPrompt returned %d samples with an error", len(got))
			}
		})
	}
}

func TestWritePrompt(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePrompt(&buf, promptSamples); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if len(b) != 44+2*len(promptSamples) {
		t.Fatalf("WritePrompt wrote %d bytes, want %d", len(b), 44+2*len(promptSamples))
	}
	le := binary.LittleEndian
	checks := []struct {
		name      string
		got, want uint32
	}{
		{"RIFF size", le.Uint32(b[4:]), uint32(36 + 2*len(promptSamples))},
		{"format", uint32(le.Uint16(b[20:])), 1},
		{"channels", uint32(le.Uint16(b[22:])), 1},
		{"rate", le.Uint32(b[24:]), 8000},
		{"byte rate", le.Uint32(b[28:]), 16000},
		{"block align", uint32(le.Uint16(b[32:])), 2},
		{"bits", uint32(le.Uint16(b[34:])), 16},
		{"data size", le.Uint32(b[40:]), uint32(2 * len(promptSamples))},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if err := WritePrompt(io.Discard, make([]int16, 10*60*8000+1)); !errors.Is(err, ErrPromptTooLong) {
		t.Errorf("WritePrompt(10 min + 1 sample) = %v, want ErrPromptTooLong", err)
	}
}

func FuzzReadPrompt(f *testing.F) {
	ulaw := make([]byte, len(promptSamples))
	EncodeUlaw(ulaw, promptSamples)
	f.Add(riff(chunk("fmt ", fmtBody(wavPCM, 1, 8000, 16)), chunk("data", pcmBytes(promptSamples))))
	f.Add(riff(chunk("LIST", []byte("INFOx")), chunk("fmt ", fmtBody(wavULaw, 1, 8000, 8)), chunk("data", ulaw)))
	f.Add(riff(chunk("fmt ", extensibleBody(wavALaw, 1, 8000, 8)), chunk("data", ulaw)))
	f.Add(riff(chunk("fmt ", fmtBody(wavPCM, 2, 44100, 16)), chunk("data", ulaw)))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, file []byte) {
		samples, err := ReadPrompt(bytes.NewReader(file))
		if err != nil {
			if samples != nil {
				t.Fatalf("samples and error %v", err)
			}
			if !errors.Is(err, ErrInvalidWAV) && !errors.Is(err, ErrUnsupportedWAV) && !errors.Is(err, ErrPromptTooLong) {
				t.Fatalf("error %v wraps none of the package's errors", err)
			}
			return
		}
		if len(samples) == 0 || len(samples) > len(file) {
			t.Fatalf("%d samples from a %d-byte file", len(samples), len(file))
		}
	})
}
