package callflow

import (
	"errors"
	"testing"

	"github.com/anxin-care/anxin/sipua"
)

// TestTrunkFailure: which failures of a call hand it to the next trunk —
// the trunk's own (no answer at all, 503, 403, a 408 before anything
// provisional) — and which are the called party's.
func TestTrunkFailure(t *testing.T) {
	dial := func(code int, provisional bool) error {
		return &legError{code: code, dial: &sipua.DialError{Code: code, Provisional: provisional, Err: errors.New("x")}}
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no response", dial(0, false), true},
		{"503", dial(503, false), true},
		{"503 after ringing", dial(503, true), true},
		{"403", dial(403, false), true},
		{"408 from the trunk", dial(408, false), true},
		{"408 after ringing", dial(408, true), false},
		{"busy", dial(486, true), false},
		{"no answer", dial(480, true), false},
		{"cancelled", dial(487, true), false},
		{"not found", dial(404, false), false},
		{"no media leg", &legError{code: 503, cause: "failed"}, false},
	} {
		if got := trunkFailure(tc.err); got != tc.want {
			t.Errorf("%s: trunk failure %v, want %v", tc.name, got, tc.want)
		}
	}
}
