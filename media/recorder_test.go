package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// mustCreateFile creates an empty file in a test directory, closed by
// t.Cleanup.
func mustCreateFile(t testing.TB) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "call.wav"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// readStereo reads the WAV file at path as a Recorder writes it and returns
// its two channels; it fails the test unless the header describes 16-bit
// stereo at 8000 Hz and its sizes match the file.
func readStereo(t *testing.T, path string) (left, right []int16) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := bytes.NewReader(b)
	f, size, err := readWAVHeader(r)
	if err != nil {
		t.Fatalf("read recording header: %v", err)
	}
	if f != (wavFormat{tag: wavPCM, channels: 2, rate: 8000, bits: 16}) {
		t.Fatalf("recording format %+v", f)
	}
	if riffSize := binary.LittleEndian.Uint32(b[4:]); int(riffSize) != len(b)-8 {
		t.Errorf("RIFF size %d in a %d-byte file", riffSize, len(b))
	}
	data, _ := io.ReadAll(r)
	if int(size) != len(data) {
		t.Fatalf("data chunk says %d bytes, file holds %d", size, len(data))
	}
	for i := 0; i+4 <= len(data); i += 4 {
		left = append(left, int16(binary.LittleEndian.Uint16(data[i:])))
		right = append(right, int16(binary.LittleEndian.Uint16(data[i+2:])))
	}
	return left, right
}

func ramp(n int, start, step int16) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = start + int16(i)*step
	}
	return s
}

func TestRecorder(t *testing.T) {
	tests := []struct {
		name        string
		left, right []int16
		wantL       []int16
		wantR       []int16
	}{
		{"both sides", ramp(160, 0, 3), ramp(160, -100, -5), ramp(160, 0, 3), ramp(160, -100, -5)},
		{"operator silent", ramp(160, 7, 1), nil, ramp(160, 7, 1), make([]int16, 160)},
		{"elder silent", nil, ramp(160, 7, 1), make([]int16, 160), ramp(160, 7, 1)},
		{"short side padded", ramp(160, 1, 1), ramp(80, 2, 2), ramp(160, 1, 1), append(ramp(80, 2, 2), make([]int16, 80)...)},
		{"30 ms frame", ramp(240, 1, 1), ramp(240, -1, -1), ramp(240, 1, 1), ramp(240, -1, -1)},
		{"frame over a second", ramp(10000, 0, 1), ramp(10000, 0, -1), ramp(10000, 0, 1), ramp(10000, 0, -1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustCreateFile(t)
			r, err := NewRecorder(f)
			if err != nil {
				t.Fatal(err)
			}
			const frames = 120 // 2.4 s of 20 ms frames: two flushes and a rest
			for range frames {
				if err := r.Write(tt.left, tt.right); err != nil {
					t.Fatalf("Write: %v", err)
				}
			}
			if err := r.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			left, right := readStereo(t, f.Name())
			if len(left) != frames*len(tt.wantL) {
				t.Fatalf("recorded %d samples, want %d", len(left), frames*len(tt.wantL))
			}
			for i := range frames {
				n := len(tt.wantL)
				if !slices.Equal(left[i*n:(i+1)*n], tt.wantL) || !slices.Equal(right[i*n:(i+1)*n], tt.wantR) {
					t.Fatalf("frame %d differs from what was written", i)
				}
			}
			if got, want := r.Duration(), frames*len(tt.wantL)*125000; int(got) != want {
				t.Errorf("Duration() = %v, want %dns", got, want)
			}
		})
	}
}

// TestRecorderCrash checks that a recording never closed is a playable file
// holding every whole second written.
func TestRecorderCrash(t *testing.T) {
	f := mustCreateFile(t)
	r, err := NewRecorder(f)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 75 { // 1.5 s
		if err := r.Write(ramp(160, int16(i), 0), nil); err != nil {
			t.Fatal(err)
		}
	}
	// The process dies here: no Close.
	left, _ := readStereo(t, f.Name())
	if len(left) != 8000 {
		t.Fatalf("crashed recording holds %d samples, want the first second (8000)", len(left))
	}
	if left[7999] != 49 {
		t.Errorf("last sample %d, want 49 (frame 49)", left[7999])
	}
}

func TestRecorderHeaderAtOffset(t *testing.T) {
	f := mustCreateFile(t)
	if _, err := f.WriteString("prefix"); err != nil {
		t.Fatal(err)
	}
	r, err := NewRecorder(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Write(ramp(160, 1, 1), ramp(160, 2, 1)); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(f.Name())
	if string(b[:6]) != "prefix" || len(b) != 6+44+640 {
		t.Fatalf("file %q... of %d bytes", b[:10], len(b))
	}
	if got := binary.LittleEndian.Uint32(b[6+40:]); got != 640 {
		t.Errorf("data size %d, want 640", got)
	}
}

func TestRecorderLimit(t *testing.T) {
	f := mustCreateFile(t)
	r, err := NewRecorder(f)
	if err != nil {
		t.Fatal(err)
	}
	r.limit = 3 * 640
	for i := range 3 {
		if err := r.Write(ramp(160, 1, 1), nil); err != nil {
			t.Fatalf("Write %d: %v", i, err)
		}
	}
	if err := r.Write(ramp(160, 1, 1), nil); !errors.Is(err, ErrRecordingFull) {
		t.Fatalf("Write past the limit = %v, want ErrRecordingFull", err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("Close after ErrRecordingFull: %v", err)
	}
	if left, _ := readStereo(t, f.Name()); len(left) != 3*160 {
		t.Errorf("recording holds %d samples, want 480", len(left))
	}
	if err := r.Write(nil, nil); !errors.Is(err, ErrRecorderClosed) {
		t.Errorf("Write after Close = %v, want ErrRecorderClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if maxRecordBytes+wavHeaderSize >= 1<<31 {
		t.Errorf("MaxRecordingDuration makes files of %d bytes, over 2 GiB", maxRecordBytes+wavHeaderSize)
	}
}

// failingFile is a WriteSeeker whose writes fail once it holds n bytes.
type failingFile struct {
	n, pos int64
}

var errDiskFull = errors.New("no space left on device")

func (f *failingFile) Write(p []byte) (int, error) {
	if f.pos+int64(len(p)) > f.n {
		return 0, errDiskFull
	}
	f.pos += int64(len(p))
	return len(p), nil
}

func (f *failingFile) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekStart {
		f.pos = off
	}
	return f.pos, nil
}

func TestRecorderWriteError(t *testing.T) {
	if _, err := NewRecorder(&failingFile{n: 10}); !errors.Is(err, errDiskFull) {
		t.Errorf("NewRecorder on a full disk = %v, want the disk's error", err)
	}
	r, err := NewRecorder(&failingFile{n: 44 + 1000})
	if err != nil {
		t.Fatal(err)
	}
	var first error
	for i := 0; i < 60 && first == nil; i++ {
		first = r.Write(ramp(160, 0, 1), nil)
	}
	if !errors.Is(first, errDiskFull) {
		t.Fatalf("Write on a full disk = %v, want the disk's error", first)
	}
	if err := r.Write(nil, nil); !errors.Is(err, errDiskFull) {
		t.Errorf("Write after a failure = %v, want the same error", err)
	}
	if err := r.Close(); !errors.Is(err, errDiskFull) {
		t.Errorf("Close after a failure = %v, want the same error", err)
	}
}

func TestRecorderNoAllocs(t *testing.T) {
	r, err := NewRecorder(mustCreateFile(t))
	if err != nil {
		t.Fatal(err)
	}
	left, right := ramp(160, 0, 1), ramp(160, 0, 2)
	n := testing.AllocsPerRun(500, func() { // ten flushes
		if err := r.Write(left, right); err != nil {
			t.Fatal(err)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per Write, want 0", n)
	}
}

// discardFile is a WriteSeeker that keeps nothing, to measure a Recorder's
// own work.
type discardFile struct{ pos int64 }

func (f *discardFile) Write(p []byte) (int, error) { f.pos += int64(len(p)); return len(p), nil }

func (f *discardFile) Seek(off int64, whence int) (int64, error) {
	if whence == io.SeekStart {
		f.pos = off
	}
	return f.pos, nil
}

func BenchmarkRecorderWrite(b *testing.B) {
	r, err := NewRecorder(&discardFile{})
	if err != nil {
		b.Fatal(err)
	}
	r.limit = 1 << 62
	left, right := benchFrame(), benchFrame()
	b.ReportAllocs()
	b.SetBytes(FrameSamples * recordFrameBytes)
	for b.Loop() {
		if err := r.Write(left, right); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecorderWriteFile writes to a real file, starting it over every
// minute of audio so the benchmark does not fill the disk.
func BenchmarkRecorderWriteFile(b *testing.B) {
	f := mustCreateFile(b)
	r, err := NewRecorder(f)
	if err != nil {
		b.Fatal(err)
	}
	left, right := benchFrame(), benchFrame()
	b.ReportAllocs()
	b.SetBytes(FrameSamples * recordFrameBytes)
	i := 0
	for b.Loop() {
		if err := r.Write(left, right); err != nil {
			b.Fatal(err)
		}
		if i++; i%3000 == 0 {
			if err := r.Close(); err != nil {
				b.Fatal(err)
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				b.Fatal(err)
			}
			if r, err = NewRecorder(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}
