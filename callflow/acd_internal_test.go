package callflow

import (
	"slices"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// TestSpokenNumber: places in line are said the Mandarin way, 两 before
// the measure word.
func TestSpokenNumber(t *testing.T) {
	for _, c := range []struct {
		n       int
		measure bool
		want    []string
	}{
		{1, true, []string{"digit_1"}},
		{2, true, []string{"liang"}},
		{2, false, []string{"digit_2"}},
		{10, true, []string{"ten"}},
		{12, true, []string{"ten", "digit_2"}},
		{20, true, []string{"digit_2", "ten"}},
		{47, true, []string{"digit_4", "ten", "digit_7"}},
		{250, true, []string{"digit_9", "ten", "digit_9"}},
	} {
		if got := spokenNumber(c.n, c.measure); !slices.Equal(got, c.want) {
			t.Errorf("spokenNumber(%d, %v) = %v, want %v", c.n, c.measure, got, c.want)
		}
	}
}

// TestACDPosition: a caller's place counts the callers ahead of them in
// the same queue and area only, and moves up as those ahead leave.
func TestACDPosition(t *testing.T) {
	a := newACD(&Flows{})
	a.running = true // no dispatch loop: this test looks at the line only
	now := time.Now()
	q, other := anxin.DefaultQueue("consultation"), anxin.DefaultQueue("complaint")
	w1 := a.join("3101", q, "", now)
	w2 := a.join("3101", other, "", now)
	w3 := a.join("310107", q, "", now)
	w4 := a.join("3101", q, "", now)
	for _, c := range []struct {
		w    *waiter
		want int
	}{{w1, 0}, {w2, 0}, {w3, 0}, {w4, 1}} {
		if n, _ := a.position(c.w); n != c.want {
			t.Errorf("waiter %d: %d ahead, want %d", c.w.seq, n, c.want)
		}
	}
	a.leave(w1)
	if n, _ := a.position(w4); n != 0 {
		t.Errorf("after the first left: %d ahead", n)
	}
	a.took("consultation", 40*time.Second)
	a.took("consultation", 80*time.Second)
	if _, d := a.position(w4); d != 50*time.Second {
		t.Errorf("recent wait %v, want the moving average 50s", d)
	}
}

// TestAnnouncement: the place in line when anyone is ahead, the minutes
// still to wait when callers recently waited a minute or more longer.
func TestAnnouncement(t *testing.T) {
	for _, c := range []struct {
		ahead          int
		recent, waited time.Duration
		want           []string
	}{
		{0, 0, 0, nil},
		{2, 0, 10 * time.Second, []string{"queue_ahead", "liang", "queue_waiting"}},
		{0, 3 * time.Minute, time.Minute, []string{"queue_expected", "liang", "minutes"}},
		{1, 90 * time.Second, 80 * time.Second, []string{"queue_ahead", "digit_1", "queue_waiting"}},
		{12, 10 * time.Minute, 0, []string{"queue_ahead", "ten", "digit_2", "queue_waiting", "queue_expected", "ten", "minutes"}},
	} {
		if got := announcement(c.ahead, c.recent)(c.waited); !slices.Equal(got, c.want) {
			t.Errorf("announcement(%d, %v)(%v) = %v, want %v", c.ahead, c.recent, c.waited, got, c.want)
		}
	}
}
