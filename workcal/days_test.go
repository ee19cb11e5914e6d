package workcal_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin/workcal"
)

// TestShippedData checks holidays.csv against itself and against the rules
// the State Council applies.
func TestShippedData(t *testing.T) {
	days := workcal.Shipped()
	byDate := map[workcal.Date]workcal.Day{}
	perYear := map[int]int{} // weekdays off minus make-up days
	for _, d := range days {
		if _, dup := byDate[d.Date]; dup {
			t.Errorf("%s listed twice", d.Date)
		}
		byDate[d.Date] = d
		if d.Name == "" {
			t.Errorf("%s has no name", d.Date)
		}
		wd := d.Date.Weekday()
		weekend := wd == time.Saturday || wd == time.Sunday
		switch d.Kind {
		case workcal.Work:
			if !weekend {
				t.Errorf("%s (%s) is a make-up working day on a %s", d.Date, d.Name, wd)
			}
			perYear[d.Date.Year]--
		case workcal.Off:
			if !weekend {
				perYear[d.Date.Year]++
			}
		default:
			t.Errorf("%s: kind %q", d.Date, d.Kind)
		}
	}
	// From 2025 the statutory holidays are 13 days a year; days moved around
	// them (调休) and given back for a weekend (补假) keep the total.
	for _, y := range []int{2025, 2026, 2027} {
		if perYear[y] != 13 {
			t.Errorf("%d nets %d weekdays off, want 13", y, perYear[y])
		}
	}

	// Each holiday is one unbroken block: every day from its first listed day
	// to its last is listed off or is a weekend that is not a make-up day.
	type block struct {
		year     int
		name     string
		min, max time.Time
	}
	blocks := map[[2]string]*block{}
	for _, d := range days {
		if d.Kind != workcal.Off {
			continue
		}
		day := time.Date(d.Date.Year, d.Date.Month, d.Date.Day, 0, 0, 0, 0, time.UTC)
		k := [2]string{d.Date.String()[:4], d.Name}
		b := blocks[k]
		if b == nil {
			b = &block{year: d.Date.Year, name: d.Name, min: day, max: day}
			blocks[k] = b
		}
		b.min, b.max = minTime(b.min, day), maxTime(b.max, day)
	}
	for _, b := range blocks {
		if n := int(b.max.Sub(b.min).Hours()/24) + 1; n > 9 {
			t.Errorf("%d %s lasts %d days", b.year, b.name, n)
		}
		for day := b.min; !day.After(b.max); day = day.AddDate(0, 0, 1) {
			d, listed := byDate[workcal.Date{Year: day.Year(), Month: day.Month(), Day: day.Day()}]
			weekend := day.Weekday() == time.Saturday || day.Weekday() == time.Sunday
			if listed && d.Kind == workcal.Work || !listed && !weekend {
				t.Errorf("%d %s is broken on %s", b.year, b.name, day.Format(time.DateOnly))
			}
		}
	}
	// A make-up day is near a holiday: within two weeks of a day off.
	for _, d := range days {
		if d.Kind != workcal.Work {
			continue
		}
		day := time.Date(d.Date.Year, d.Date.Month, d.Date.Day, 0, 0, 0, 0, time.UTC)
		near := false
		for i := -14; i <= 14 && !near; i++ {
			o := day.AddDate(0, 0, i)
			near = byDate[workcal.Date{Year: o.Year(), Month: o.Month(), Day: o.Day()}].Kind == workcal.Off
		}
		if !near {
			t.Errorf("make-up day %s (%s) is not near a holiday", d.Date, d.Name)
		}
	}
	// 2027 has no official notice yet: every one of its dates is provisional,
	// and no make-up working day is invented.
	for _, d := range days {
		p := strings.Contains(d.Name, "（暂定）")
		if (d.Date.Year == 2027) != p {
			t.Errorf("%s %s: provisional = %v", d.Date, d.Name, p)
		}
		if d.Date.Year == 2027 && d.Kind == workcal.Work {
			t.Errorf("2027 make-up day %s invented", d.Date)
		}
	}
}

// TestShippedNotices spells out the official notices once more, so that a
// slip in holidays.csv shows up as a difference from the text of the notice.
func TestShippedNotices(t *testing.T) {
	c := workcal.Default()
	notices := []struct {
		from, to string // a block of days off, inclusive
		work     []string
	}{
		// 国办发明电〔2024〕12号
		{"2025-01-01", "2025-01-01", nil},
		{"2025-01-28", "2025-02-04", []string{"2025-01-26", "2025-02-08"}},
		{"2025-04-04", "2025-04-06", nil},
		{"2025-05-01", "2025-05-05", []string{"2025-04-27"}},
		{"2025-05-31", "2025-06-02", nil},
		{"2025-10-01", "2025-10-08", []string{"2025-09-28", "2025-10-11"}},
		// 国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04
		{"2026-01-01", "2026-01-03", []string{"2026-01-04"}},
		{"2026-02-15", "2026-02-23", []string{"2026-02-14", "2026-02-28"}},
		{"2026-04-04", "2026-04-06", nil},
		{"2026-05-01", "2026-05-05", []string{"2026-05-09"}},
		{"2026-06-19", "2026-06-21", nil},
		{"2026-09-25", "2026-09-27", nil},
		{"2026-10-01", "2026-10-07", []string{"2026-09-20", "2026-10-10"}},
	}
	for _, n := range notices {
		from, to := at(t, n.from+" 12:00"), at(t, n.to+" 12:00")
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if c.IsWorkday(d) {
				t.Errorf("%s should be off (%s–%s)", d.Format(time.DateOnly), n.from, n.to)
			}
		}
		// The days either side of a block are working days or weekends.
		for _, d := range []time.Time{from.AddDate(0, 0, -1), to.AddDate(0, 0, 1)} {
			wd := d.Weekday()
			if !c.IsWorkday(d) && wd != time.Saturday && wd != time.Sunday {
				t.Errorf("%s, next to %s–%s, is off but not listed in the notice", d.Format(time.DateOnly), n.from, n.to)
			}
		}
		for _, w := range n.work {
			if !c.IsWorkday(at(t, w+" 12:00")) {
				t.Errorf("%s should be a make-up working day", w)
			}
		}
	}
}

func TestParse(t *testing.T) {
	in := "\uFEFFdate,kind,name\r\n" +
		"# a comment\r\n" +
		"\r\n" +
		"2025-01-26, work, 春节调休上班\r\n" +
		"2025-01-28,off,\"春节, 除夕\"\r\n" +
		"2025-01-29,休\r\n" +
		"2025-02-08,班,春节调休上班\r\n"
	got, err := workcal.Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []workcal.Day{
		{Date: workcal.Date{Year: 2025, Month: 1, Day: 26}, Kind: workcal.Work, Name: "春节调休上班"},
		{Date: workcal.Date{Year: 2025, Month: 1, Day: 28}, Kind: workcal.Off, Name: "春节, 除夕"},
		{Date: workcal.Date{Year: 2025, Month: 1, Day: 29}, Kind: workcal.Off},
		{Date: workcal.Date{Year: 2025, Month: 2, Day: 8}, Kind: workcal.Work, Name: "春节调休上班"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d days, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("day %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	in := strings.Join([]string{
		"# holidays",            // 1
		"2025-01-01,off,元旦",     // 2
		"2025-02-30,off,春节",     // 3: no such date
		"2025/10/01,off,国庆节",    // 4: wrong separator
		"2025-10-02,holiday,国庆", // 5: unknown kind
		"2025-01-01,off,元旦",     // 6: duplicate of line 2
		"2025-10-13,work,调休",    // 7: a Monday
		"2025-10-03",            // 8: no kind
		"2025-10-04,off,国庆节",    // 9: fine
	}, "\n")
	days, err := workcal.Parse(strings.NewReader(in))
	if err == nil {
		t.Fatal("no error")
	}
	if days != nil {
		t.Errorf("days returned with an error: %v", days)
	}
	want := []struct {
		line int
		msg  string
	}{
		{3, `bad date "2025-02-30"`},
		{4, `bad date "2025/10/01"`},
		{5, `unknown kind "holiday"`},
		{6, "duplicate date 2025-01-01 (first on line 2)"},
		{7, "2025-10-13 is a Monday"},
		{8, "want date,kind,name"},
	}
	var got []*workcal.LineError
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var le *workcal.LineError
		if !errors.As(e, &le) {
			t.Fatalf("error %v is not a *LineError", e)
		}
		got = append(got, le)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		if got[i].Line != w.line || !strings.Contains(got[i].Msg, w.msg) {
			t.Errorf("error %d = %q, want line %d with %q", i, got[i], w.line, w.msg)
		}
	}
	if !strings.Contains(err.Error(), "line 5: unknown kind \"holiday\" (want off or work)") {
		t.Errorf("message reads %q", err)
	}
}

func TestDate(t *testing.T) {
	d, err := workcal.ParseDate("2025-09-28")
	if err != nil {
		t.Fatal(err)
	}
	if d.String() != "2025-09-28" || d.Weekday() != time.Sunday {
		t.Errorf("got %s, %s", d, d.Weekday())
	}
	// 2025-09-27 16:30 UTC is already the 28th in China.
	if got := workcal.Default().DateOf(time.Date(2025, 9, 27, 16, 30, 0, 0, time.UTC)); got != d {
		t.Errorf("DateOf = %s, want %s", got, d)
	}
	if _, err := workcal.ParseDate("2025-9-28"); err == nil {
		t.Error("ParseDate accepted 2025-9-28")
	}
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
