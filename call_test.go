package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

func TestClassifyCause(t *testing.T) {
	for code, want := range map[int]string{
		200: anxin.CauseAnswered, 202: anxin.CauseAnswered,
		486: anxin.CauseBusy, 600: anxin.CauseBusy,
		408: anxin.CauseNoAnswer, 480: anxin.CauseNoAnswer,
		403: anxin.CauseRejected, 603: anxin.CauseRejected, 607: anxin.CauseRejected,
		404: anxin.CauseUnreachable, 484: anxin.CauseUnreachable, 503: anxin.CauseUnreachable, 504: anxin.CauseUnreachable,
		487: anxin.CauseCancelled,
		0:   anxin.CauseFailed, 500: anxin.CauseFailed, 488: anxin.CauseFailed, 183: anxin.CauseFailed,
	} {
		if got := anxin.ClassifyCause(code); got != want {
			t.Errorf("ClassifyCause(%d) = %s, want %s", code, got, want)
		}
	}
}

func TestCallDuration(t *testing.T) {
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	c := anxin.Call{StartedAt: at, AnsweredAt: at.Add(5 * time.Second), EndedAt: at.Add(65 * time.Second)}
	if c.Duration() != time.Minute {
		t.Fatalf("duration %v", c.Duration())
	}
	c.AnsweredAt = time.Time{}
	if c.Duration() != 0 {
		t.Fatalf("unanswered duration %v", c.Duration())
	}
}
