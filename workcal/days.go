package workcal

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

//go:embed holidays.csv
var holidaysCSV []byte

// Date is a calendar date in China, without a time of day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads a date written YYYY-MM-DD, such as 2025-10-01. It refuses
// dates that do not exist, such as 2025-02-29.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("bad date %q (want YYYY-MM-DD, such as 2025-10-01)", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// String writes the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Weekday returns the day of the week of the date.
func (d Date) Weekday() time.Weekday {
	return weekdayOf(d.number())
}

// valid reports whether the date exists.
func (d Date) valid() bool {
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
	return t.Year() == d.Year && t.Month() == d.Month && t.Day() == d.Day
}

// number is the count of days from 1970-01-01 to the date.
func (d Date) number() int64 {
	return floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

// Kind says whether a listed date is a day off or a working day.
type Kind string

// The kinds of listed dates.
const (
	// Off is a day off of a holiday block: the statutory holiday, the days off
	// moved next to it and the weekend days inside the block.
	Off Kind = "off"
	// Work is a Saturday or Sunday that is a working day (调休上班).
	Work Kind = "work"
)

// Day is one listed date of a holiday schedule.
type Day struct {
	Date Date
	Kind Kind
	// Name is what a screen shows for the date, such as 春节 or 春节调休上班.
	// Provisional dates, derived from the rules before the State Council's
	// notice, carry （暂定） in their name.
	Name string
}

// provisional marks the names of dates derived before the official notice.
const provisional = "暂定"

// Shipped returns the holiday schedules that ship with Anxin: the State
// Council's notices for 2025 and 2026 and a provisional 2027 derived from the
// statutory rules (see holidays.csv for the sources). An installation stores a
// copy that its administrators edit.
func Shipped() []Day {
	days, err := Parse(bytes.NewReader(holidaysCSV))
	if err != nil {
		panic("workcal: shipped holidays.csv: " + err.Error()) // the tests read it
	}
	return days
}

// LineError is a bad line of a holiday list.
type LineError struct {
	Line int // from 1
	Msg  string
}

// Error returns "line N: message".
func (e *LineError) Error() string {
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

// Parse reads a holiday list: one date a line, "date,kind,name", with the date
// as YYYY-MM-DD, the kind off or work (休 and 班 are read as off and work), and
// an optional name. Blank lines, lines starting with #, a UTF-8 byte-order mark
// and a header line "date,kind,name" are skipped. A work date must be a
// Saturday or Sunday, and a date may be listed once.
//
// Parse reports every bad line, each as a *LineError, joined with errors.Join;
// it returns no days when a line is bad.
func Parse(r io.Reader) ([]Day, error) {
	var (
		days  []Day
		errs  []error
		first = map[Date]int{}
		sc    = bufio.NewScanner(r)
		line  = 0
	)
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if line == 1 {
			text = strings.TrimPrefix(text, "\uFEFF")
		}
		if text == "" || strings.HasPrefix(text, "#") || isHeader(text) {
			continue
		}
		d, err := parseLine(text)
		if err == nil {
			if at, dup := first[d.Date]; dup {
				err = fmt.Errorf("duplicate date %s (first on line %d)", d.Date, at)
			}
		}
		if err != nil {
			errs = append(errs, &LineError{Line: line, Msg: err.Error()})
			continue
		}
		first[d.Date] = line
		days = append(days, d)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read holiday list: %w", err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return days, nil
}

func isHeader(text string) bool {
	f := strings.Split(strings.ToLower(text), ",")
	return len(f) >= 2 && strings.TrimSpace(f[0]) == "date" && strings.TrimSpace(f[1]) == "kind"
}

// parseLine reads "date,kind[,name]"; the name may contain commas and may be
// quoted.
func parseLine(text string) (Day, error) {
	f := strings.SplitN(text, ",", 3)
	if len(f) < 2 {
		return Day{}, fmt.Errorf("want date,kind,name; got %q", text)
	}
	date, err := ParseDate(strings.TrimSpace(f[0]))
	if err != nil {
		return Day{}, err
	}
	d := Day{Date: date}
	switch k := strings.ToLower(strings.TrimSpace(f[1])); k {
	case "off", "休":
		d.Kind = Off
	case "work", "班":
		d.Kind = Work
	default:
		return Day{}, fmt.Errorf("unknown kind %q (want off or work)", k)
	}
	if len(f) == 3 {
		name := strings.TrimSpace(f[2])
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		}
		d.Name = name
	}
	if err := d.check(); err != nil {
		return Day{}, err
	}
	return d, nil
}

// check reports what is wrong with a single day.
func (d Day) check() error {
	if !d.Date.valid() {
		return fmt.Errorf("bad date %s", d.Date)
	}
	switch d.Kind {
	case Off:
	case Work:
		if wd := d.Date.Weekday(); wd != time.Saturday && wd != time.Sunday {
			return fmt.Errorf("%s is a %s; only a Saturday or Sunday can be a make-up working day (work)", d.Date, wd)
		}
	default:
		return fmt.Errorf("%s: unknown kind %q (want off or work)", d.Date, d.Kind)
	}
	return nil
}
