package prompts

import (
	"bufio"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// listPath is the list of prompts that tools/prompts/gen.sh speaks.
const listPath = "../tools/prompts/prompts.tsv"

// listedNames returns the names in the generator's list, in file order.
func listedNames(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(listPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, speech, ok := strings.Cut(text, "\t")
		if !ok || speech == "" || strings.Contains(speech, "\t") {
			t.Fatalf("%s:%d: want name<TAB>text, got %q", listPath, line, text)
		}
		if !validName(name) {
			t.Errorf("%s:%d: name %q is not lower_snake_case ASCII", listPath, line, name)
		}
		if slices.Contains(names, name) {
			t.Errorf("%s:%d: %q listed twice", listPath, line, name)
		}
		names = append(names, name)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return names
}

func TestNamesMatchList(t *testing.T) {
	listed := listedNames(t)
	names := Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names() = %q, not sorted", names)
	}
	for _, n := range listed {
		if !slices.Contains(names, n) {
			t.Errorf("%q is listed in %s but has no file: run tools/prompts/gen.sh", n, listPath)
		}
	}
	for _, n := range names {
		if !slices.Contains(listed, n) {
			t.Errorf("zh/%s.wav is not listed in %s: remove it or run tools/prompts/gen.sh", n, listPath)
		}
	}
	for _, n := range []string{"welcome", "main_menu", "checkin", "digit_0", "digit_9"} {
		if !slices.Contains(names, n) {
			t.Errorf("Names() lacks %q", n)
		}
	}
}

// wavInfo is what the test reads from a WAV file.
type wavInfo struct {
	format, channels, bitsPerSample uint16
	sampleRate, byteRate            uint32
	blockAlign                      uint16
	samples                         []int16
}

// parseWAV reads a RIFF/WAVE file's fmt and data chunks, skipping others.
func parseWAV(b []byte) (wavInfo, error) {
	var w wavInfo
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return w, errors.New("not a RIFF/WAVE file")
	}
	if n := binary.LittleEndian.Uint32(b[4:8]); int(n) != len(b)-8 {
		return w, errors.New("RIFF size does not match the file's length")
	}
	var haveFmt, haveData bool
	for p := 12; p < len(b); {
		if len(b)-p < 8 {
			return w, errors.New("truncated chunk header")
		}
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8:]
		if size > len(body) {
			return w, errors.New("chunk " + id + " runs past the end of the file")
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if size < 16 {
				return w, errors.New("short fmt chunk")
			}
			haveFmt = true
			w.format = binary.LittleEndian.Uint16(body[0:2])
			w.channels = binary.LittleEndian.Uint16(body[2:4])
			w.sampleRate = binary.LittleEndian.Uint32(body[4:8])
			w.byteRate = binary.LittleEndian.Uint32(body[8:12])
			w.blockAlign = binary.LittleEndian.Uint16(body[12:14])
			w.bitsPerSample = binary.LittleEndian.Uint16(body[14:16])
		case "data":
			if !haveFmt {
				return w, errors.New("data chunk before fmt chunk")
			}
			if size%2 != 0 {
				return w, errors.New("odd-sized data chunk")
			}
			haveData = true
			w.samples = make([]int16, size/2)
			for i := range w.samples {
				w.samples[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
		}
		p += 8 + size + size%2 // chunks are padded to an even length
	}
	if !haveFmt || !haveData {
		return w, errors.New("no fmt or no data chunk")
	}
	return w, nil
}

// level returns the RMS and the peak of samples as fractions of full scale.
func level(samples []int16) (rms, peak float64) {
	var sum float64
	for _, s := range samples {
		v := float64(s) / 32768
		sum += v * v
		peak = max(peak, math.Abs(v))
	}
	if len(samples) > 0 {
		rms = math.Sqrt(sum / float64(len(samples)))
	}
	return rms, peak
}

func dBFS(v float64) float64 { return 20 * math.Log10(v) }

func TestFiles(t *testing.T) {
	const (
		rate    = 8000
		edge    = rate / 5 // 200 ms of silence at each end
		minRMS  = -35.0    // dBFS over the whole file: speech is near -21
		maxPeak = -1.0     // dBFS: normalised to -3, never clipped
		quiet   = -60.0    // dBFS: the padding at the ends
	)
	var total int
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			b, err := Open(Default, name)
			if err != nil {
				t.Fatal(err)
			}
			total += len(b)
			w, err := parseWAV(b)
			if err != nil {
				t.Fatal(err)
			}
			if w.format != 1 || w.channels != 1 || w.sampleRate != rate || w.bitsPerSample != 16 ||
				w.blockAlign != 2 || w.byteRate != 2*rate {
				t.Fatalf("format %d, %d channels, %d Hz, %d bits, block %d, %d bytes/s; want PCM (1), mono, 8000 Hz, 16 bits",
					w.format, w.channels, w.sampleRate, w.bitsPerSample, w.blockAlign, w.byteRate)
			}
			d := time.Duration(len(w.samples)) * time.Second / rate
			if d <= 300*time.Millisecond || d >= 20*time.Second {
				t.Errorf("duration %v, want between 0.3 s and 20 s", d)
			}
			rms, peak := level(w.samples)
			t.Logf("%v, RMS %.1f dBFS, peak %.1f dBFS", d, dBFS(rms), dBFS(peak))
			if dBFS(rms) < minRMS {
				t.Errorf("RMS %.1f dBFS, want above %.0f: silent or far too quiet", dBFS(rms), minRMS)
			}
			if dBFS(peak) > maxPeak {
				t.Errorf("peak %.1f dBFS, want at most %.0f", dBFS(peak), maxPeak)
			}
			if len(w.samples) > 2*edge {
				_, head := level(w.samples[:edge])
				_, tail := level(w.samples[len(w.samples)-edge:])
				if dBFS(head) > quiet || dBFS(tail) > quiet {
					t.Errorf("first/last 200 ms peak at %.1f/%.1f dBFS, want silence (below %.0f)",
						dBFS(head), dBFS(tail), quiet)
				}
			}
		})
	}
	if total > 2500<<10 {
		t.Errorf("the prompts take %d KiB; keep them small (8 kHz 16-bit mono is about 16 KB a second)", total>>10)
	}
}

func TestOpenUnknown(t *testing.T) {
	for _, tc := range []struct{ lang, name string }{
		{"zh", "no_such_prompt"},
		{"zh", ""},
		{"zh", "welcome.wav"},
		{"zh", "../zh/welcome"},
		{"zh", "Welcome"},
		{"wuu", "welcome"},
		{"", "welcome"},
	} {
		t.Run(tc.lang+"/"+tc.name, func(t *testing.T) {
			b, err := Open(tc.lang, tc.name)
			if err == nil {
				t.Fatalf("Open(%q, %q) = %d bytes, want an error", tc.lang, tc.name, len(b))
			}
			if code := anxin.ErrorCode(err); code != anxin.ENOTFOUND {
				t.Errorf("Open(%q, %q): code %q, want %q (%v)", tc.lang, tc.name, code, anxin.ENOTFOUND, err)
			}
		})
	}
}

func TestOpenReturnsOwnCopy(t *testing.T) {
	a, err := Open(Default, "welcome")
	if err != nil {
		t.Fatal(err)
	}
	a[0] = 'X'
	b, err := Open(Default, "welcome")
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:4]) != "RIFF" {
		t.Fatal("changing one Open's bytes changed the next Open's")
	}
}
