package workcal

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

const secondsPerDay = 24 * 60 * 60

// Location returns China Standard Time: the Asia/Shanghai zone, or a fixed
// UTC+8 zone named CST when the system has no time-zone data. The two agree on
// every instant after 1991, when China last changed its clocks.
func Location() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
}

// Period is a stretch of working hours in a day, from Start to End, both
// measured from midnight.
type Period struct {
	Start, End time.Duration
}

// WorkingHours are the periods of a working day, in order and apart.
type WorkingHours []Period

// OfficeHours returns the working hours of Chinese government offices and
// their service halls, 08:30–12:00 and 13:30–17:30: 7.5 hours a day. They are
// Anxin's default for work that an office-hours organisation (a street office,
// a residents' committee, a provider's back office) must do.
func OfficeHours() WorkingHours {
	return WorkingHours{
		{8*time.Hour + 30*time.Minute, 12 * time.Hour},
		{13*time.Hour + 30*time.Minute, 17*time.Hour + 30*time.Minute},
	}
}

// Length returns the working time in one working day.
func (h WorkingHours) Length() time.Duration {
	var n time.Duration
	for _, p := range h {
		n += p.End - p.Start
	}
	return n
}

func (h WorkingHours) validate() error {
	if len(h) == 0 {
		return errors.New("working hours: no periods")
	}
	var prev time.Duration
	for i, p := range h {
		switch {
		case p.Start < 0 || p.End > 24*time.Hour:
			return fmt.Errorf("working hours: period %s–%s is not within a day", clock(p.Start), clock(p.End))
		case p.End <= p.Start:
			return fmt.Errorf("working hours: period %s–%s ends before it starts", clock(p.Start), clock(p.End))
		case i > 0 && p.Start < prev:
			return fmt.Errorf("working hours: period %s–%s overlaps or precedes the one before", clock(p.Start), clock(p.End))
		}
		prev = p.End
	}
	return nil
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Calendar counts working time on China's working days in fixed working
// hours. It is safe for concurrent use; build it with [New] or [Default].
//
// Working days come from the calendar's list of days where it covers them and
// from the weekday elsewhere (Monday to Friday work). Lookups use a bitmap of
// the days from the first to the last listed year, so a Calendar's methods do
// not allocate.
type Calendar struct {
	loc   *time.Location
	hours WorkingHours
	span  time.Duration // working time in a working day
	close time.Duration // close of business: the end of the last period

	first int64    // day number of January 1 of the first listed year
	n     int64    // days from first to December 31 of the last listed year
	work  []uint64 // bit i: day first+i is a working day
	adj   []int64  // adj[i]: working days minus weekdays in [first, first+i)

	years       map[int]bool // listed years; true when a date of the year is provisional
	provisional bool
}

// New builds a calendar from a list of days (the shipped list, or an
// administrator's copy) and the working hours. It refuses an invalid list (a
// date listed twice, a work date that is not a Saturday or Sunday, an unknown
// kind) and working hours that are empty, out of order or overlapping.
func New(days []Day, hours WorkingHours) (*Calendar, error) {
	if err := hours.validate(); err != nil {
		return nil, err
	}
	c := &Calendar{
		loc:   Location(),
		hours: append(WorkingHours(nil), hours...),
		span:  hours.Length(),
		close: hours[len(hours)-1].End,
		years: map[int]bool{},
	}
	minY, maxY := 0, 0
	seen := make(map[Date]bool, len(days))
	for _, d := range days {
		if err := d.check(); err != nil {
			return nil, err
		}
		if seen[d.Date] {
			return nil, fmt.Errorf("date %s is listed twice", d.Date)
		}
		seen[d.Date] = true
		y := d.Date.Year
		if len(c.years) == 0 || y < minY {
			minY = y
		}
		if len(c.years) == 0 || y > maxY {
			maxY = y
		}
		c.years[y] = c.years[y] || strings.Contains(d.Name, provisional)
	}
	if len(days) == 0 {
		return c, nil
	}

	c.first = Date{minY, time.January, 1}.number()
	c.n = Date{maxY + 1, time.January, 1}.number() - c.first
	c.work = make([]uint64, (c.n+63)/64)
	for i := int64(0); i < c.n; i++ {
		if isWeekday(c.first + i) {
			c.work[i/64] |= 1 << (i % 64)
		}
	}
	for _, d := range days {
		i := d.Date.number() - c.first
		if d.Kind == Work {
			c.work[i/64] |= 1 << (i % 64)
		} else {
			c.work[i/64] &^= 1 << (i % 64)
		}
	}
	c.adj = make([]int64, c.n+1)
	for i := int64(0); i < c.n; i++ {
		c.adj[i+1] = c.adj[i] + b2i(c.isWork(c.first+i)) - b2i(isWeekday(c.first+i))
	}
	return c, nil
}

// Default returns a calendar of the shipped holiday list ([Shipped]) and
// [OfficeHours]. Each call builds a new one; keep it.
func Default() *Calendar {
	c, err := New(Shipped(), OfficeHours())
	if err != nil {
		panic("workcal: shipped holiday list: " + err.Error()) // the tests build it
	}
	return c
}

// Hours returns the calendar's working hours.
func (c *Calendar) Hours() WorkingHours {
	return append(WorkingHours(nil), c.hours...)
}

// Covers reports whether the calendar's list has dates in the year. For a
// year it does not cover, the calendar knows only weekends, and a screen
// should warn that the year's holidays are missing.
func (c *Calendar) Covers(year int) bool {
	_, ok := c.years[year]
	return ok
}

// Provisional reports whether some of the year's listed dates are provisional
// (their name carries 暂定): derived from the statutory rules before the State
// Council published the year's schedule.
func (c *Calendar) Provisional(year int) bool {
	return c.years[year]
}

// DateOf returns the date in China of the instant t.
func (c *Calendar) DateOf(t time.Time) Date {
	y, m, d := t.In(c.loc).Date()
	return Date{y, m, d}
}

// IsWorkday reports whether the day in China of the instant t is a working
// day: Monday to Friday unless listed off, or a Saturday or Sunday listed work.
func (c *Calendar) IsWorkday(t time.Time) bool {
	day, _, _ := c.split(t)
	return c.isWork(day)
}

// AddWorking returns the earliest instant at which d of working time has
// passed since start: only the working hours of working days count. A budget
// that runs out at the end of a period is due at that end (12:00, 17:30), not
// at the start of the next. A d of zero or less returns start. The result is
// in China time.
func (c *Calendar) AddWorking(start time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return start.In(c.loc)
	}
	day, tod, off := c.split(start)
	if c.isWork(day) {
		p := c.workedBefore(tod) + d
		if p <= c.span {
			return c.join(day, c.at(p), off)
		}
		d = p - c.span
	}
	for {
		day++
		if !c.isWork(day) {
			continue
		}
		if d <= c.span {
			return c.join(day, c.at(d), off)
		}
		d -= c.span
	}
}

// AddWorkdays returns the deadline of "within n working days" of start: the
// close of business of the nth working day after the day of start. The day of
// start never counts, whether start is before, during or after its working
// hours, or on a day off. An n of zero or less means the same working day: the
// close of business of the first working day that closes at or after start.
// The result is in China time.
func (c *Calendar) AddWorkdays(start time.Time, n int) time.Time {
	day, tod, off := c.split(start)
	if n <= 0 {
		if !c.isWork(day) || tod > c.close {
			day++
			for !c.isWork(day) {
				day++
			}
		}
		return c.join(day, c.close, off)
	}
	for n > 0 {
		day++
		if c.isWork(day) {
			n--
		}
	}
	return c.join(day, c.close, off)
}

// WorkingBetween returns the working time from a to b: the time inside the
// working hours of working days. It is negative when b is before a (a due time
// already passed, by so much working time).
func (c *Calendar) WorkingBetween(a, b time.Time) time.Duration {
	if b.Before(a) {
		return -c.WorkingBetween(b, a)
	}
	da, ta, _ := c.split(a)
	db, tb, _ := c.split(b)
	days := c.workdaysBefore(db) - c.workdaysBefore(da)
	return time.Duration(days)*c.span + c.partial(db, tb) - c.partial(da, ta)
}

// split returns the day number and time of day of t in China, and the zone
// offset in seconds.
func (c *Calendar) split(t time.Time) (day int64, tod time.Duration, off int64) {
	_, o := t.In(c.loc).Zone()
	s := t.Unix() + int64(o)
	day = floorDiv(s, secondsPerDay)
	tod = time.Duration(s-day*secondsPerDay)*time.Second + time.Duration(t.Nanosecond())
	return day, tod, int64(o)
}

// join is the inverse of split. Computations keep the offset of their start:
// China's has not changed since 1991.
func (c *Calendar) join(day int64, tod time.Duration, off int64) time.Time {
	s := day*secondsPerDay + int64(tod/time.Second) - off
	return time.Unix(s, int64(tod%time.Second)).In(c.loc)
}

// isWork reports whether the day is a working day.
func (c *Calendar) isWork(day int64) bool {
	if i := day - c.first; i >= 0 && i < c.n {
		return c.work[i/64]&(1<<(i%64)) != 0
	}
	return isWeekday(day)
}

// workdaysBefore counts the working days before the day, from an arbitrary
// origin: workdaysBefore(b) - workdaysBefore(a) is the number of working days
// in [a, b).
func (c *Calendar) workdaysBefore(day int64) int64 {
	// Day 4, 1970-01-05, is a Monday: count five a week and the weekdays of
	// the last partial week.
	m := day - 4
	n := 5*floorDiv(m, 7) + min(m-7*floorDiv(m, 7), 5)
	switch i := day - c.first; {
	case c.n == 0 || i <= 0:
	case i >= c.n:
		n += c.adj[c.n]
	default:
		n += c.adj[i]
	}
	return n
}

// workedBefore returns the working time of a working day before the time of
// day tod.
func (c *Calendar) workedBefore(tod time.Duration) time.Duration {
	var w time.Duration
	for _, p := range c.hours {
		if tod <= p.Start {
			break
		}
		w += min(tod, p.End) - p.Start
	}
	return w
}

// partial is the working time of the day before tod.
func (c *Calendar) partial(day int64, tod time.Duration) time.Duration {
	if !c.isWork(day) {
		return 0
	}
	return c.workedBefore(tod)
}

// at returns the earliest time of day at which w of the day's working time
// has passed, for 0 < w <= span.
func (c *Calendar) at(w time.Duration) time.Duration {
	for _, p := range c.hours {
		if l := p.End - p.Start; w > l {
			w -= l
			continue
		}
		return p.Start + w
	}
	return c.close
}

// isWeekday reports whether the day is Monday to Friday.
func isWeekday(day int64) bool {
	wd := weekdayOf(day)
	return wd != time.Saturday && wd != time.Sunday
}

// weekdayOf returns the day of the week of a day number; day 0, 1970-01-01,
// was a Thursday.
func weekdayOf(day int64) time.Weekday {
	return time.Weekday(day + 4 - 7*floorDiv(day+4, 7))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
