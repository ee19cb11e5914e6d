package media

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// maxRelayBody is the largest SIP INFO body ParseDTMFRelay reads; real ones
// are under 30 bytes.
const maxRelayBody = 1 << 10

// ParseDTMFRelay returns the digit of a SIP INFO body, the fallback for peers
// that do not send RFC 4733 events, and its duration if the body gives one.
//
// It reads both the application/dtmf-relay bodies of Cisco and most PBXes,
// lines of key=value with case-insensitive keys ("Signal=5\r\nDuration=160\r\n",
// "Signal= #"), and application/dtmf bodies that hold only the digit ("5").
// The digit may be '0'-'9', '*', '#', 'A'-'D' in either case, or an event code
// 10 to 15 as some gateways write '*', '#' and A-D. A missing or invalid
// Duration is reported as 0: it is advice. Errors wrap ErrInvalidDTMF.
func ParseDTMFRelay(body []byte) (rune, time.Duration, error) {
	if len(body) > maxRelayBody {
		return 0, 0, fmt.Errorf("%w: INFO body of %d bytes", ErrInvalidDTMF, len(body))
	}
	if bytes.IndexByte(body, '=') < 0 {
		d, err := parseRelayDigit(bytes.TrimSpace(body))
		return d, 0, err
	}
	var (
		signal   []byte
		found    bool
		duration time.Duration
	)
	for line := range bytes.Lines(body) {
		key, value, ok := bytes.Cut(line, []byte("="))
		if !ok {
			continue
		}
		key, value = bytes.TrimSpace(key), bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(key, []byte("Signal")):
			signal, found = value, true
		case bytes.EqualFold(key, []byte("Duration")):
			if ms, err := strconv.Atoi(string(value)); err == nil && ms > 0 && ms <= 60000 {
				duration = time.Duration(ms) * time.Millisecond
			}
		}
	}
	if !found {
		return 0, 0, fmt.Errorf("%w: INFO body without Signal", ErrInvalidDTMF)
	}
	d, err := parseRelayDigit(signal)
	if err != nil {
		return 0, 0, err
	}
	return d, duration, nil
}

// parseRelayDigit returns the digit written s: one digit character or an
// event code from 10 to 15.
func parseRelayDigit(s []byte) (rune, error) {
	if len(s) == 1 {
		if code, ok := EventCode(rune(s[0])); ok {
			return rune(digits[code]), nil
		}
	}
	if len(s) == 2 && s[0] == '1' && s[1] >= '0' && s[1] <= '5' {
		return rune(digits[10+s[1]-'0']), nil
	}
	return 0, fmt.Errorf("%w: signal %q is not a DTMF digit", ErrInvalidDTMF, s)
}
