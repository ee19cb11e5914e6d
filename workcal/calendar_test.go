package workcal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/workcal"
)

// at reads "2006-01-02 15:04" in China time.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, workcal.Location())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const stamp = "2006-01-02 15:04 Mon"

func TestAddWorking(t *testing.T) {
	c := workcal.Default()
	tests := []struct {
		name  string
		start string
		d     time.Duration
		want  string
	}{
		// The case: Friday 2025-09-26 before National Day. Sunday 9/28 is
		// a make-up working day, so eight working hours end on it.
		{"friday before national day ends on make-up sunday", "2025-09-26 15:00", 8 * time.Hour, "2025-09-28 15:30"},
		{"friday before national day, two days of hours", "2025-09-26 15:00", 16 * time.Hour, "2025-09-29 16:00"},
		// From the last working day before the holiday the clock skips 10/1–10/8.
		{"last day before national day ends after it", "2025-09-30 15:00", 8 * time.Hour, "2025-10-09 15:30"},
		{"last day before national day runs into make-up saturday", "2025-09-30 15:00", 24 * time.Hour, "2025-10-11 16:30"},
		{"on a national day holiday", "2025-10-03 10:00", time.Hour, "2025-10-09 09:30"},
		{"on make-up saturday before opening", "2025-10-11 07:00", time.Hour, "2025-10-11 09:30"},
		{"friday before make-up saturday", "2025-10-10 15:00", 8 * time.Hour, "2025-10-11 15:30"},
		{"on an ordinary saturday", "2025-10-18 10:00", time.Hour, "2025-10-20 09:30"},
		{"make-up sunday evening into monday", "2025-09-28 17:00", time.Hour, "2025-09-29 09:00"},
		{"across the lunch break", "2025-03-03 11:00", 2 * time.Hour, "2025-03-03 14:30"},
		{"ending at noon stays at noon", "2025-03-03 11:00", time.Hour, "2025-03-03 12:00"},
		{"ending at close stays at close", "2025-03-03 16:30", time.Hour, "2025-03-03 17:30"},
		{"starting in the lunch break", "2025-03-03 12:30", time.Hour, "2025-03-03 14:30"},
		{"before opening", "2025-03-03 07:00", time.Hour, "2025-03-03 09:30"},
		{"after closing", "2025-03-03 18:00", time.Hour, "2025-03-04 09:30"},
		{"a whole working day from opening", "2025-03-03 08:30", 7*time.Hour + 30*time.Minute, "2025-03-03 17:30"},
		{"new year 2026 into make-up sunday", "2025-12-31 17:00", time.Hour, "2026-01-04 09:00"},
		{"spring festival 2026 skips to make-up saturday", "2026-02-13 17:00", time.Hour, "2026-02-14 09:00"},
		{"after spring festival 2026", "2026-02-14 17:00", time.Hour, "2026-02-24 09:00"},
		{"provisional spring festival 2027 with 补假", "2027-02-04 17:00", time.Hour, "2027-02-11 09:00"},
		{"no data for 2028: weekends only", "2028-09-29 17:00", time.Hour, "2028-10-02 09:00"},
		{"zero budget", "2025-10-03 10:00", 0, "2025-10-03 10:00"},
		{"negative budget", "2025-03-03 10:00", -time.Hour, "2025-03-03 10:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AddWorking(at(t, tt.start), tt.d)
			if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("AddWorking(%s, %v) = %s, want %s", tt.start, tt.d, got.Format(stamp), want.Format(stamp))
			}
			if loc := got.Location().String(); loc != workcal.Location().String() {
				t.Errorf("result in %s, want China time", loc)
			}
		})
	}
}

func TestAddWorkdays(t *testing.T) {
	c := workcal.Default()
	tests := []struct {
		name  string
		start string
		n     int
		want  string
	}{
		{"friday before national day: the make-up sunday is day 1", "2025-09-26 15:00", 1, "2025-09-28 17:30"},
		{"friday before national day: day 3 is the last before the holiday", "2025-09-26 15:00", 3, "2025-09-30 17:30"},
		{"friday before national day: day 4 is after the holiday", "2025-09-26 15:00", 4, "2025-10-09 17:30"},
		{"last day before national day", "2025-09-30 15:00", 1, "2025-10-09 17:30"},
		// 2/13 (1), 2/14 Sat make-up (2), 2/15–2/23 off, 2/24–2/27 (3–6),
		// 2/28 Sat make-up (7), 3/2–3/6 (8–12), 3/9 (13).
		{"complaint over spring festival 2026", "2026-02-12 10:00", 13, "2026-03-09 17:30"},
		{"complaint received before opening: the day still does not count", "2026-02-12 07:00", 13, "2026-03-09 17:30"},
		{"complaint received after closing", "2026-02-12 20:00", 13, "2026-03-09 17:30"},
		{"received on a holiday", "2025-10-03 10:00", 1, "2025-10-09 17:30"},
		{"received on a saturday before a make-up sunday", "2025-09-27 10:00", 1, "2025-09-28 17:30"},
		{"received on an ordinary saturday", "2025-10-18 10:00", 1, "2025-10-20 17:30"},
		{"same day, during hours", "2025-03-03 10:00", 0, "2025-03-03 17:30"},
		{"same day, at close", "2025-03-03 17:30", 0, "2025-03-03 17:30"},
		{"same day, after close", "2025-03-03 18:00", 0, "2025-03-04 17:30"},
		{"same day, on a holiday", "2025-10-01 10:00", 0, "2025-10-09 17:30"},
		{"no data for 2028", "2028-01-01 10:00", 1, "2028-01-03 17:30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.AddWorkdays(at(t, tt.start), tt.n)
			if want := at(t, tt.want); !got.Equal(want) {
				t.Errorf("AddWorkdays(%s, %d) = %s, want %s", tt.start, tt.n, got.Format(stamp), want.Format(stamp))
			}
		})
	}
}

// Without the holiday list the same complaint would be due a week earlier.
func TestAddWorkdaysWeekendsOnly(t *testing.T) {
	c, err := workcal.New(nil, workcal.OfficeHours())
	if err != nil {
		t.Fatal(err)
	}
	got := c.AddWorkdays(at(t, "2026-02-12 10:00"), 13)
	if want := at(t, "2026-03-03 17:30"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got.Format(stamp), want.Format(stamp))
	}
	if c.Covers(2026) {
		t.Error("an empty list covers 2026")
	}
}

func TestWorkingBetween(t *testing.T) {
	c := workcal.Default()
	tests := []struct {
		name string
		a, b string
		want time.Duration
	}{
		// 2.5 h on 9/26, 7.5 h each on 9/28, 9/29, 9/30, 1.5 h on 10/9.
		{"across national day 2025", "2025-09-26 15:00", "2025-10-09 10:00", 26*time.Hour + 30*time.Minute},
		{"backwards is negative", "2025-10-09 10:00", "2025-09-26 15:00", -(26*time.Hour + 30*time.Minute)},
		{"inside the lunch break", "2025-03-03 12:05", "2025-03-03 13:25", 0},
		{"across the lunch break", "2025-03-03 11:00", "2025-03-03 14:00", 90 * time.Minute},
		{"a night", "2025-03-03 17:30", "2025-03-04 08:30", 0},
		{"a holiday week", "2025-10-01 00:00", "2025-10-09 00:00", 0},
		{"a make-up saturday", "2025-10-11 00:00", "2025-10-12 00:00", 7*time.Hour + 30*time.Minute},
		{"an ordinary week", "2025-03-03 00:00", "2025-03-10 00:00", 5 * (7*time.Hour + 30*time.Minute)},
		// 2025: 365 days, 261 weekdays, 18 weekdays off, 5 make-up days.
		{"the year 2025", "2025-01-01 00:00", "2026-01-01 00:00", 248 * (7*time.Hour + 30*time.Minute)},
		// 2026: 261 weekdays, 19 weekdays off, 6 make-up days.
		{"the year 2026", "2026-01-01 00:00", "2027-01-01 00:00", 248 * (7*time.Hour + 30*time.Minute)},
		// 2027 (provisional): 261 weekdays, 13 weekdays off.
		{"the year 2027", "2027-01-01 00:00", "2028-01-01 00:00", 248 * (7*time.Hour + 30*time.Minute)},
		// 2024 is not listed: 262 weekdays.
		{"the year 2024, weekends only", "2024-01-01 00:00", "2025-01-01 00:00", 262 * (7*time.Hour + 30*time.Minute)},
		{"same instant", "2025-03-03 10:00", "2025-03-03 10:00", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.WorkingBetween(at(t, tt.a), at(t, tt.b)); got != tt.want {
				t.Errorf("WorkingBetween(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func TestIsWorkday(t *testing.T) {
	c := workcal.Default()
	tests := []struct {
		day  string
		want bool
	}{
		{"2025-09-26 23:59", true},  // Friday
		{"2025-09-27 12:00", false}, // Saturday
		{"2025-09-28 00:00", true},  // Sunday, make-up working day
		{"2025-10-01 12:00", false}, // National Day
		{"2025-10-08 12:00", false}, // Wednesday in the holiday
		{"2025-10-09 12:00", true},
		{"2025-10-11 12:00", true}, // Saturday, make-up working day
		{"2026-02-14 12:00", true}, // Saturday, make-up working day
		{"2026-02-23 12:00", false},
		{"2026-02-24 12:00", true},
		{"2027-02-09 12:00", false}, // provisional 补假
		{"2024-10-01 12:00", true},  // not listed: a Tuesday
		{"2028-01-01 12:00", false}, // not listed: a Saturday
	}
	for _, tt := range tests {
		if got := c.IsWorkday(at(t, tt.day)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.day, got, tt.want)
		}
	}
	// The day is China's, whatever the zone of the instant.
	utc := at(t, "2025-09-28 07:00").UTC() // 2025-09-27 23:00 UTC
	if !c.IsWorkday(utc) {
		t.Errorf("IsWorkday(%s) = false, want the Chinese make-up Sunday", utc)
	}
}

func TestCoversAndProvisional(t *testing.T) {
	c := workcal.Default()
	for year, want := range map[int][2]bool{
		2024: {false, false},
		2025: {true, false},
		2026: {true, false},
		2027: {true, true},
		2028: {false, false},
	} {
		if got := c.Covers(year); got != want[0] {
			t.Errorf("Covers(%d) = %v, want %v", year, got, want[0])
		}
		if got := c.Provisional(year); got != want[1] {
			t.Errorf("Provisional(%d) = %v, want %v", year, got, want[1])
		}
	}
}

func TestNewRefuses(t *testing.T) {
	sat := workcal.Date{Year: 2025, Month: time.October, Day: 11}
	mon := workcal.Date{Year: 2025, Month: time.October, Day: 13}
	h := workcal.OfficeHours()
	tests := []struct {
		name  string
		days  []workcal.Day
		hours workcal.WorkingHours
		want  string
	}{
		{"duplicate date", []workcal.Day{{Date: sat, Kind: workcal.Work}, {Date: sat, Kind: workcal.Off}}, h, "listed twice"},
		{"work on a monday", []workcal.Day{{Date: mon, Kind: workcal.Work}}, h, "is a Monday"},
		{"unknown kind", []workcal.Day{{Date: mon, Kind: "holiday"}}, h, "unknown kind"},
		{"impossible date", []workcal.Day{{Date: workcal.Date{Year: 2025, Month: 2, Day: 29}, Kind: workcal.Off}}, h, "bad date"},
		{"no hours", nil, nil, "no periods"},
		{"empty period", nil, workcal.WorkingHours{{9 * time.Hour, 9 * time.Hour}}, "ends before it starts"},
		{"overlap", nil, workcal.WorkingHours{{9 * time.Hour, 12 * time.Hour}, {11 * time.Hour, 17 * time.Hour}}, "overlaps"},
		{"past midnight", nil, workcal.WorkingHours{{20 * time.Hour, 25 * time.Hour}}, "not within a day"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := workcal.New(tt.days, tt.hours)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestOtherWorkingHours(t *testing.T) {
	// A provider's back office working 09:00–17:00 without a lunch break.
	c, err := workcal.New(workcal.Shipped(), workcal.WorkingHours{{9 * time.Hour, 17 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	got := c.AddWorking(at(t, "2025-09-30 15:00"), 8*time.Hour)
	if want := at(t, "2025-10-09 15:00"); !got.Equal(want) {
		t.Errorf("got %s, want %s", got.Format(stamp), want.Format(stamp))
	}
	if got := c.AddWorkdays(at(t, "2025-09-30 15:00"), 1); !got.Equal(at(t, "2025-10-09 17:00")) {
		t.Errorf("AddWorkdays: got %s, want close at 17:00", got.Format(stamp))
	}
	if h := c.Hours(); len(h) != 1 || h.Length() != 8*time.Hour {
		t.Errorf("Hours() = %v", h)
	}
}
