package workcal_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/anxin-care/anxin/workcal"
)

var (
	_ workcal.Clock = (*workcal.Calendar)(nil)
	_ workcal.Clock = workcal.Continuous{}
)

func TestDue(t *testing.T) {
	c := workcal.Default()
	// Monday 2025-03-03 09:00 with 8 working hours: 7 h on Monday, due Tuesday 09:30.
	const start = "2025-03-03 09:00"
	eight := workcal.Budget{Working: 8 * time.Hour}
	type pause struct{ from, to string } // to "" = not ended
	tests := []struct {
		name   string
		clock  workcal.Clock
		start  string
		budget workcal.Budget
		pauses []pause
		want   string
		paused bool
	}{
		{"no pause", c, start, eight, nil, "2025-03-04 09:30", false},
		// 3.5 h worked before the pause, 4.5 h left from Tuesday 10:00.
		{"overnight pause covers 5 working hours", c, start, eight,
			[]pause{{"2025-03-03 14:00", "2025-03-04 10:00"}}, "2025-03-04 16:00", false},
		{"pause over the lunch break moves nothing", c, start, eight,
			[]pause{{"2025-03-03 12:00", "2025-03-03 13:30"}}, "2025-03-04 09:30", false},
		{"overlapping pauses count once", c, start, eight,
			[]pause{{"2025-03-03 14:30", "2025-03-03 16:00"}, {"2025-03-03 14:00", "2025-03-03 15:00"}}, "2025-03-04 11:30", false},
		// The first pause moves the due time to 11:30, so the second, which
		// begins after the original 09:30, still counts.
		{"second pause after the original due time", c, start, eight,
			[]pause{{"2025-03-03 14:00", "2025-03-03 16:00"}, {"2025-03-04 10:00", "2025-03-04 11:00"}}, "2025-03-04 14:00", false},
		{"pause before start is cut at start", c, start, eight,
			[]pause{{"2025-03-01 10:00", "2025-03-03 10:00"}}, "2025-03-04 10:30", false},
		{"pause ended before start", c, start, eight,
			[]pause{{"2025-02-28 10:00", "2025-02-28 11:00"}}, "2025-03-04 09:30", false},
		{"pause after the due time: overdue stays overdue", c, start, eight,
			[]pause{{"2025-03-04 10:00", "2025-03-05 10:00"}}, "2025-03-04 09:30", false},
		{"open pause stops the clock", c, start, eight,
			[]pause{{"2025-03-03 14:00", ""}}, "2025-03-04 09:30", true},
		{"open pause after the due time", c, start, eight,
			[]pause{{"2025-03-04 10:00", ""}}, "2025-03-04 09:30", false},
		{"ended then open pause", c, start, eight,
			[]pause{{"2025-03-03 10:00", "2025-03-03 11:00"}, {"2025-03-04 09:00", ""}}, "2025-03-04 10:30", true},
		// The elder asked to wait until after National Day: 1 h was worked
		// before the pause, which covers 24 working hours (9/26 16:00–17:30,
		// make-up Sunday 9/28, 9/29, 9/30); 7 h are left from 10/9 08:30.
		{"pause across national day", c, "2025-09-26 15:00", eight,
			[]pause{{"2025-09-26 16:00", "2025-10-09 08:30"}}, "2025-10-09 17:00", false},
		{"13 working days with two working days paused", c, "2026-02-12 10:00", workcal.Budget{Days: 13},
			[]pause{{"2026-03-02 08:30", "2026-03-04 08:30"}}, "2026-03-11 17:30", false},
		{"days and hours", c, "2025-09-30 15:00", workcal.Budget{Days: 1, Working: 2 * time.Hour}, nil, "2025-10-10 10:30", false},
		{"empty budget", c, start, workcal.Budget{}, []pause{{"2025-03-03 09:00", ""}}, start, false},
		// Round the clock: a pause moves the due time by its length.
		{"24/7", workcal.Continuous{}, "2025-09-30 15:00", eight, nil, "2025-09-30 23:00", false},
		{"24/7 over a holiday night", workcal.Continuous{}, "2025-09-30 20:00", workcal.Budget{Working: 2 * time.Hour}, nil, "2025-09-30 22:00", false},
		{"24/7 with a pause", workcal.Continuous{}, "2025-09-30 15:00", eight,
			[]pause{{"2025-09-30 16:00", "2025-09-30 18:30"}}, "2025-10-01 01:30", false},
		{"24/7 one day", workcal.Continuous{}, "2025-09-30 15:00", workcal.Budget{Days: 1}, nil, "2025-10-01 15:00", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ps []workcal.Interval
			for _, p := range tt.pauses {
				iv := workcal.Interval{From: at(t, p.from)}
				if p.to != "" {
					iv.To = at(t, p.to)
				}
				ps = append(ps, iv)
			}
			kept := append([]workcal.Interval(nil), ps...)
			due, paused := workcal.Due(tt.clock, at(t, tt.start), tt.budget, ps)
			if want := at(t, tt.want); !due.Equal(want) || paused != tt.paused {
				t.Errorf("Due = %s, %v; want %s, %v", due.Format(stamp), paused, want.Format(stamp), tt.paused)
			}
			for i := range ps {
				if ps[i] != kept[i] {
					t.Errorf("Due reordered the caller's pauses")
				}
			}
		})
	}
}

// While paused, the budget left is kept; resuming later gives the due time
// that a pause which ended then would give.
func TestDueResume(t *testing.T) {
	c := workcal.Default()
	start, from, resume := at(t, "2025-03-03 09:00"), at(t, "2025-03-03 14:00"), at(t, "2025-03-04 10:00")
	b := workcal.Budget{Working: 8 * time.Hour}
	due, paused := workcal.Due(c, start, b, []workcal.Interval{{From: from}})
	if !paused {
		t.Fatal("not paused")
	}
	left := c.WorkingBetween(from, due)
	if left != 4*time.Hour+30*time.Minute {
		t.Errorf("left %v, want 4h30m", left)
	}
	ended, _ := workcal.Due(c, start, b, []workcal.Interval{{From: from, To: resume}})
	if got := c.AddWorking(resume, left); !got.Equal(ended) {
		t.Errorf("resumed due %s, want %s", got.Format(stamp), ended.Format(stamp))
	}
}

// randomInstant returns an instant in 2025–2027, to the nanosecond, or on a
// minute boundary one time in four (so boundaries like 12:00 come up).
func randomInstant(r *rand.Rand, loc *time.Location) time.Time {
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(2028, 1, 1, 0, 0, 0, 0, loc)
	d := time.Duration(r.Int64N(int64(to.Sub(from))))
	if r.IntN(4) == 0 {
		d = d.Truncate(30 * time.Minute)
	}
	return from.Add(d)
}

// TestWorkingProperties checks WorkingBetween against AddWorking and against a
// slow day-by-day count written from the CSV rows directly.
func TestWorkingProperties(t *testing.T) {
	c := workcal.Default()
	loc := workcal.Location()
	ref := newReference(t)
	r := rand.New(rand.NewPCG(4, 2025))
	for i := 0; i < 10000; i++ {
		a := randomInstant(r, loc)
		d := time.Duration(r.Int64N(int64(200 * time.Hour)))
		if r.IntN(4) == 0 {
			d = d.Truncate(30 * time.Minute)
		}
		due := c.AddWorking(a, d)
		if got := c.WorkingBetween(a, due); got != d {
			t.Fatalf("WorkingBetween(%s, AddWorking(+%v) = %s) = %v", a.Format(time.RFC3339Nano), d, due.Format(time.RFC3339Nano), got)
		}
		// Earliest: a moment less and the budget is not yet spent.
		if d > 0 && c.WorkingBetween(a, due.Add(-time.Nanosecond)) != d-time.Nanosecond {
			t.Fatalf("AddWorking(%s, %v) = %s is not the earliest instant", a, d, due)
		}

		b := randomInstant(r, loc)
		w := c.WorkingBetween(a, b)
		if want := ref.between(a, b); w != want {
			t.Fatalf("WorkingBetween(%s, %s) = %v, reference %v", a.Format(time.RFC3339Nano), b.Format(time.RFC3339Nano), w, want)
		}
		if b.After(a) {
			back := c.AddWorking(a, w)
			if back.After(b) || c.WorkingBetween(back, b) != 0 {
				t.Fatalf("AddWorking(%s, WorkingBetween(.., %s)) = %s", a, b, back)
			}
		}
	}
}

// reference counts working time day by day with time.Date, from the rows of
// the shipped list, sharing no code with Calendar.
type reference struct {
	kind map[string]workcal.Kind
	loc  *time.Location
}

func newReference(t *testing.T) reference {
	ref := reference{kind: map[string]workcal.Kind{}, loc: workcal.Location()}
	for _, d := range workcal.Shipped() {
		ref.kind[d.Date.String()] = d.Kind
	}
	return ref
}

func (ref reference) between(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -ref.between(b, a)
	}
	a, b = a.In(ref.loc), b.In(ref.loc)
	var total time.Duration
	for day := time.Date(a.Year(), a.Month(), a.Day(), 0, 0, 0, 0, ref.loc); day.Before(b); day = day.AddDate(0, 0, 1) {
		k, listed := ref.kind[day.Format(time.DateOnly)]
		wd := day.Weekday()
		if listed && k == workcal.Off || !listed && (wd == time.Saturday || wd == time.Sunday) {
			continue
		}
		for _, p := range [][4]int{{8, 30, 12, 0}, {13, 30, 17, 30}} {
			s := time.Date(day.Year(), day.Month(), day.Day(), p[0], p[1], 0, 0, ref.loc)
			e := time.Date(day.Year(), day.Month(), day.Day(), p[2], p[3], 0, 0, ref.loc)
			if s.Before(a) {
				s = a
			}
			if e.After(b) {
				e = b
			}
			if e.After(s) {
				total += e.Sub(s)
			}
		}
	}
	return total
}

func TestContinuous(t *testing.T) {
	var c workcal.Continuous
	a := at(t, "2025-10-01 10:00")
	if got := c.AddWorking(a, 90*time.Minute); !got.Equal(at(t, "2025-10-01 11:30")) {
		t.Errorf("AddWorking = %s", got.Format(stamp))
	}
	if got := c.AddWorking(a, -time.Hour); !got.Equal(a) {
		t.Errorf("AddWorking(-1h) = %s", got.Format(stamp))
	}
	if got := c.AddWorkdays(a, 2); !got.Equal(at(t, "2025-10-03 10:00")) {
		t.Errorf("AddWorkdays = %s", got.Format(stamp))
	}
	if got := c.WorkingBetween(at(t, "2025-10-03 10:00"), a); got != -48*time.Hour {
		t.Errorf("WorkingBetween = %v", got)
	}
}

func TestCalendarDoesNotAllocate(t *testing.T) {
	c := workcal.Default()
	a, b := at(t, "2025-09-26 15:00"), at(t, "2026-03-09 10:00")
	pauses := []workcal.Interval{{From: at(t, "2025-09-29 10:00"), To: at(t, "2025-09-29 11:00")}}
	for name, f := range map[string]func(){
		"AddWorking":     func() { c.AddWorking(a, 8*time.Hour) },
		"AddWorkdays":    func() { c.AddWorkdays(a, 13) },
		"WorkingBetween": func() { c.WorkingBetween(a, b) },
		"IsWorkday":      func() { c.IsWorkday(a) },
		"Due":            func() { workcal.Due(c, a, workcal.Budget{Days: 3}, pauses) },
	} {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times", name, n)
		}
	}
}

func BenchmarkAddWorking(b *testing.B) {
	c := workcal.Default()
	r := rand.New(rand.NewPCG(1, 2))
	loc := workcal.Location()
	starts := make([]time.Time, 1024)
	budgets := make([]time.Duration, len(starts))
	for i := range starts {
		starts[i] = randomInstant(r, loc)
		budgets[i] = time.Duration(r.Int64N(int64(40 * time.Hour))) // up to about 5 working days
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i & (len(starts) - 1)
		c.AddWorking(starts[j], budgets[j])
	}
}

func BenchmarkWorkingBetween(b *testing.B) {
	c := workcal.Default()
	r := rand.New(rand.NewPCG(1, 2))
	loc := workcal.Location()
	as, bs := make([]time.Time, 1024), make([]time.Time, 1024)
	for i := range as {
		as[i], bs[i] = randomInstant(r, loc), randomInstant(r, loc)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := i & (len(as) - 1)
		c.WorkingBetween(as[j], bs[j])
	}
}

func BenchmarkDue(b *testing.B) {
	c := workcal.Default()
	start := time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Location())
	pauses := []workcal.Interval{{From: start.Add(24 * time.Hour), To: start.Add(72 * time.Hour)}}
	budget := workcal.Budget{Days: 13}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		workcal.Due(c, start, budget, pauses)
	}
}
