package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"
)

// Errors returned by ReadPrompt, wrapped with what is wrong; test them with
// errors.Is.
var (
	// ErrInvalidWAV reports a file that is not a well-formed RIFF/WAVE file:
	// another kind of file, a missing fmt or data chunk, a chunk larger than
	// the file, truncated audio.
	ErrInvalidWAV = errors.New("media: invalid WAV file")

	// ErrUnsupportedWAV reports a well-formed WAV file in a format a prompt
	// cannot have: stereo, a sample rate other than 8000 Hz, or an encoding
	// other than 16-bit PCM, μ-law or A-law.
	ErrUnsupportedWAV = errors.New("media: unsupported WAV format")

	// ErrPromptTooLong reports a prompt longer than MaxPromptDuration.
	ErrPromptTooLong = errors.New("media: prompt too long")
)

// MaxPromptDuration is the longest prompt ReadPrompt accepts: 10 minutes,
// 9.6 MB of samples.
const MaxPromptDuration = 10 * time.Minute

// WAV format tags (the first field of the fmt chunk).
const (
	wavPCM        = 1
	wavALaw       = 6
	wavULaw       = 7
	wavExtensible = 0xFFFE
)

const (
	wavHeaderSize   = 44      // RIFF, fmt and data headers of a canonical file
	maxFmtChunk     = 1 << 10 // a fmt chunk is 16 to 40 bytes
	maxSkippedBytes = 1 << 20 // LIST, fact, cue... chunks before the audio
)

// wavFormat is what the fmt chunk of a WAV file says about its audio.
type wavFormat struct {
	tag      uint16 // wavPCM, wavALaw or wavULaw (extensible resolved)
	channels int
	rate     int
	bits     int
}

// ReadPrompt reads a voice prompt from the WAV file r and returns its
// samples as 16-bit linear PCM at 8000 Hz.
//
// The file must be mono at 8000 Hz, in 16-bit PCM, μ-law or A-law (format
// tags 1, 7 and 6, or the same in a WAVE_FORMAT_EXTENSIBLE header), and at
// most MaxPromptDuration long. Chunks other than fmt and data (LIST, fact,
// cue...) are skipped; nothing after the data chunk is read. Errors wrap
// ErrInvalidWAV, ErrUnsupportedWAV or ErrPromptTooLong.
func ReadPrompt(r io.Reader) ([]int16, error) {
	f, size, err := readWAVHeader(r)
	if err != nil {
		return nil, err
	}
	if err := f.checkPrompt(); err != nil {
		return nil, err
	}
	width := f.bits / 8
	n := int64(size) / int64(width)
	if n > int64(MaxPromptDuration/time.Second)*SampleRate {
		return nil, fmt.Errorf("%w: %v of audio, at most %v", ErrPromptTooLong,
			time.Duration(n)*time.Second/SampleRate, MaxPromptDuration)
	}
	if n == 0 {
		return nil, fmt.Errorf("%w: no audio in data chunk", ErrInvalidWAV)
	}
	out := make([]int16, n)
	var buf [4096]byte
	for done := 0; done < len(out); {
		chunk := buf[:min(len(buf)/width, len(out)-done)*width]
		if _, err := io.ReadFull(r, chunk); err != nil {
			return nil, fmt.Errorf("%w: data chunk truncated after %d of %d samples: %w",
				ErrInvalidWAV, done, n, noEOF(err))
		}
		dst := out[done : done+len(chunk)/width]
		switch f.tag {
		case wavPCM:
			for i := range dst {
				dst[i] = int16(binary.LittleEndian.Uint16(chunk[2*i:]))
			}
		case wavULaw:
			DecodeUlaw(dst, chunk)
		case wavALaw:
			DecodeAlaw(dst, chunk)
		}
		done += len(dst)
	}
	return out, nil
}

// checkPrompt returns an error wrapping ErrUnsupportedWAV unless f is mono
// 8000 Hz audio in 16-bit PCM, μ-law or A-law.
func (f wavFormat) checkPrompt() error {
	switch {
	case f.channels != 1:
		return fmt.Errorf("%w: %d channels, a prompt must be mono", ErrUnsupportedWAV, f.channels)
	case f.rate != SampleRate:
		return fmt.Errorf("%w: %d Hz, a prompt must be sampled at 8000 Hz", ErrUnsupportedWAV, f.rate)
	case f.tag == wavPCM && f.bits == 16, (f.tag == wavULaw || f.tag == wavALaw) && f.bits == 8:
		return nil
	case f.tag == wavPCM:
		return fmt.Errorf("%w: %d-bit PCM, a prompt must be 16-bit", ErrUnsupportedWAV, f.bits)
	case f.tag == wavULaw || f.tag == wavALaw:
		return fmt.Errorf("%w: %d-bit G.711, want 8-bit", ErrUnsupportedWAV, f.bits)
	}
	return fmt.Errorf("%w: format tag %#04x, want PCM (1), A-law (6) or μ-law (7)", ErrUnsupportedWAV, f.tag)
}

// readWAVHeader reads r up to the start of the audio of a RIFF/WAVE file and
// returns its format and the size in bytes of its data chunk. Errors wrap
// ErrInvalidWAV or ErrUnsupportedWAV.
func readWAVHeader(r io.Reader) (wavFormat, uint32, error) {
	var f wavFormat
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return f, 0, fmt.Errorf("%w: %w", ErrInvalidWAV, noEOF(err))
	}
	switch {
	case string(hdr[8:12]) != "WAVE":
		return f, 0, fmt.Errorf("%w: not a RIFF/WAVE file", ErrInvalidWAV)
	case string(hdr[0:4]) == "RIFX" || string(hdr[0:4]) == "RF64":
		return f, 0, fmt.Errorf("%w: %s container", ErrUnsupportedWAV, hdr[0:4])
	case string(hdr[0:4]) != "RIFF":
		return f, 0, fmt.Errorf("%w: not a RIFF/WAVE file", ErrInvalidWAV)
	}
	var skipped int64
	haveFmt := false
	for {
		if _, err := io.ReadFull(r, hdr[:8]); err != nil {
			return f, 0, fmt.Errorf("%w: no data chunk: %w", ErrInvalidWAV, noEOF(err))
		}
		id := string(hdr[0:4])
		size := binary.LittleEndian.Uint32(hdr[4:8])
		switch id {
		case "fmt ":
			var err error
			if f, err = readFmtChunk(r, size); err != nil {
				return f, 0, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return f, 0, fmt.Errorf("%w: data chunk before fmt chunk", ErrInvalidWAV)
			}
			return f, size, nil
		default:
			padded := int64(size) + int64(size&1)
			if skipped += padded; skipped > maxSkippedBytes {
				return f, 0, fmt.Errorf("%w: over %d bytes of chunks before the audio (%q is %d bytes)",
					ErrInvalidWAV, maxSkippedBytes, id, size)
			}
			if n, err := io.CopyN(io.Discard, r, padded); err != nil {
				return f, 0, fmt.Errorf("%w: chunk %q of %d bytes truncated after %d: %w",
					ErrInvalidWAV, id, size, n, noEOF(err))
			}
		}
	}
}

// readFmtChunk reads the body of a fmt chunk of the given size.
func readFmtChunk(r io.Reader, size uint32) (wavFormat, error) {
	var f wavFormat
	if size < 16 || size > maxFmtChunk {
		return f, fmt.Errorf("%w: fmt chunk of %d bytes", ErrInvalidWAV, size)
	}
	var buf [maxFmtChunk + 1]byte
	b := buf[:size+size&1]
	if _, err := io.ReadFull(r, b); err != nil {
		return f, fmt.Errorf("%w: fmt chunk truncated: %w", ErrInvalidWAV, noEOF(err))
	}
	le := binary.LittleEndian
	f = wavFormat{
		tag:      le.Uint16(b[0:]),
		channels: int(le.Uint16(b[2:])),
		rate:     int(le.Uint32(b[4:])),
		bits:     int(le.Uint16(b[14:])),
	}
	blockAlign := int(le.Uint16(b[12:]))
	if f.tag == wavExtensible {
		// WAVEFORMATEXTENSIBLE: cbSize, valid bits, channel mask, then a
		// GUID whose first two bytes are the real format tag.
		if size < 40 || !bytes.Equal(b[26:40], ksDataFormatSuffix) {
			return f, fmt.Errorf("%w: extensible format with unknown sub-format", ErrUnsupportedWAV)
		}
		f.tag = le.Uint16(b[24:])
	}
	// Compressed formats (MP3, ADPCM...) have blocks of their own and may
	// leave bits at 0: their tag is refused by the caller, by name.
	linear := f.tag == wavPCM || f.tag == wavFloat || f.tag == wavALaw || f.tag == wavULaw
	if f.channels == 0 || f.rate == 0 || linear && (f.bits == 0 || blockAlign != f.channels*((f.bits+7)/8)) {
		return f, fmt.Errorf("%w: inconsistent fmt chunk (%d channels, %d Hz, %d bits, block %d)",
			ErrInvalidWAV, f.channels, f.rate, f.bits, blockAlign)
	}
	return f, nil
}

// ksDataFormatSuffix is the common tail of the KSDATAFORMAT_SUBTYPE GUIDs
// (00000001-0000-0010-8000-00aa00389b71 for PCM) after the format tag.
var ksDataFormatSuffix = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// WritePrompt writes samples to w as a mono 16-bit PCM WAV file at 8000 Hz,
// the format ReadPrompt reads best. It returns an error wrapping
// ErrPromptTooLong for more than MaxPromptDuration of samples.
func WritePrompt(w io.Writer, samples []int16) error {
	if int64(len(samples)) > int64(MaxPromptDuration/time.Second)*SampleRate {
		return fmt.Errorf("%w: %d samples", ErrPromptTooLong, len(samples))
	}
	b := make([]byte, 0, wavHeaderSize+2*len(samples))
	b = appendWAVHeader(b, 1, uint32(2*len(samples)))
	for _, s := range samples {
		b = binary.LittleEndian.AppendUint16(b, uint16(s))
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("write prompt: %w", err)
	}
	return nil
}

// appendWAVHeader appends to dst the 44-byte header of a 16-bit PCM WAV file
// at 8000 Hz with the given number of channels and dataSize bytes of audio.
func appendWAVHeader(dst []byte, channels int, dataSize uint32) []byte {
	le := binary.LittleEndian
	block := 2 * channels
	dst = append(dst, "RIFF"...)
	dst = le.AppendUint32(dst, wavHeaderSize-8+dataSize)
	dst = append(dst, "WAVEfmt "...)
	dst = le.AppendUint32(dst, 16)
	dst = le.AppendUint16(dst, wavPCM)
	dst = le.AppendUint16(dst, uint16(channels))
	dst = le.AppendUint32(dst, SampleRate)
	dst = le.AppendUint32(dst, uint32(SampleRate*block))
	dst = le.AppendUint16(dst, uint16(block))
	dst = le.AppendUint16(dst, 16)
	dst = append(dst, "data"...)
	return le.AppendUint32(dst, dataSize)
}

// noEOF turns io.EOF into io.ErrUnexpectedEOF: wherever a WAV file ends
// while a header or chunk promised more, it ended early.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
