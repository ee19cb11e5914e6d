package media

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

func TestParseDTMFRelay(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		digit    rune
		duration time.Duration
	}{
		{"cisco dtmf-relay", "Signal=5\r\nDuration=160\r\n", '5', 160 * time.Millisecond},
		{"space after equals", "Signal= #\r\nDuration= 250\r\n", '#', 250 * time.Millisecond},
		{"no final newline", "Signal=*\r\nDuration=100", '*', 100 * time.Millisecond},
		{"bare newlines and lower-case keys", "signal=7\nduration=80\n", '7', 80 * time.Millisecond},
		{"duration first", "Duration=200\r\nSignal=0\r\n", '0', 200 * time.Millisecond},
		{"no duration", "Signal=9\r\n", '9', 0},
		{"bad duration ignored", "Signal=9\r\nDuration=long\r\n", '9', 0},
		{"event code for star", "Signal=10\r\nDuration=160\r\n", '*', 160 * time.Millisecond},
		{"event code for hash", "Signal=11\r\n", '#', 0},
		{"letter in lower case", "Signal=b\r\n", 'B', 0},
		{"other keys ignored", "Signal=3\r\nDuration=120\r\nVolume=10\r\n", '3', 120 * time.Millisecond},
		{"application/dtmf", "5", '5', 0},
		{"application/dtmf with newline", "#\r\n", '#', 0},
		{"application/dtmf event code", "10", '*', 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, dur, err := ParseDTMFRelay([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if d != tt.digit || dur != tt.duration {
				t.Errorf("ParseDTMFRelay = %q, %v; want %q, %v", d, dur, tt.digit, tt.duration)
			}
		})
	}
}

func TestParseDTMFRelayErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"empty", ""},
		{"no signal", "Duration=160\r\n"},
		{"empty signal", "Signal=\r\nDuration=160\r\n"},
		{"two digits", "Signal=55\r\n"},
		{"hook flash", "Signal=16\r\n"},
		{"flash as !", "Signal=!\r\n"},
		{"letter E", "Signal=E\r\n"},
		{"text", "hello"},
		{"huge", "Signal=5\r\n" + string(bytes.Repeat([]byte("X"), 2000))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d, _, err := ParseDTMFRelay([]byte(tt.body)); !errors.Is(err, ErrInvalidDTMF) {
				t.Errorf("ParseDTMFRelay = %q, %v; want ErrInvalidDTMF", d, err)
			}
		})
	}
}

func FuzzParseDTMFRelay(f *testing.F) {
	for _, s := range []string{"Signal=5\r\nDuration=160\r\n", "Signal= #", "5", "signal=10\nduration=x", "=\n="} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, dur, err := ParseDTMFRelay(body)
		if err != nil {
			if !errors.Is(err, ErrInvalidDTMF) {
				t.Fatalf("error %v does not wrap ErrInvalidDTMF", err)
			}
			return
		}
		if _, ok := EventCode(d); !ok || d >= 'a' {
			t.Fatalf("digit %q", d)
		}
		if dur < 0 || dur > time.Minute {
			t.Fatalf("duration %v", dur)
		}
	})
}
