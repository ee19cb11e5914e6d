package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// TestNextCallTime: calls happen inside the windows on working days (China
// time): before a window → its start; inside → now; between windows → the
// next; after the last → the next working day's first; a weekend or holiday
// is skipped.
func TestNextCallTime(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	holiday := at("2026-10-01 00:00") // a Thursday
	workday := func(d time.Time) bool {
		d = d.In(cst)
		if d.Year() == holiday.Year() && d.YearDay() == holiday.YearDay() {
			return false
		}
		return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	}
	w := anxin.DefaultWindows()
	for _, c := range []struct{ from, want string }{
		{"2026-09-28 07:00", "2026-09-28 09:00"}, // Monday early
		{"2026-09-28 10:15", "2026-09-28 10:15"}, // inside
		{"2026-09-28 12:00", "2026-09-28 14:00"}, // lunch
		{"2026-09-28 17:30", "2026-09-29 09:00"}, // the window's end is out
		{"2026-09-30 18:00", "2026-10-02 09:00"}, // the holiday skipped
		{"2026-10-02 20:00", "2026-10-05 09:00"}, // Friday night → Monday
	} {
		if got := anxin.NextCallTime(at(c.from), w, workday); !got.Equal(at(c.want)) {
			t.Errorf("from %s: %s, want %s", c.from, got.In(cst).Format("2006-01-02 15:04"), c.want)
		}
	}
	for _, bad := range []string{"9-11", "11:30-09:00", "09:00", "25:00-26:00"} {
		if _, _, err := anxin.ParseWindow(bad); err == nil {
			t.Errorf("window %q accepted", bad)
		}
	}
}
