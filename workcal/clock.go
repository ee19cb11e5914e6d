package workcal

import (
	"slices"
	"time"
)

// Clock measures SLA time. [*Calendar] counts working hours on working days;
// [Continuous] counts every instant, for urgent work that runs round the clock.
type Clock interface {
	// AddWorking returns the earliest instant at which d of counted time has
	// passed since t; t itself when d is zero or less.
	AddWorking(t time.Time, d time.Duration) time.Time
	// AddWorkdays returns the deadline of "within n days" of t.
	AddWorkdays(t time.Time, n int) time.Time
	// WorkingBetween returns the counted time from a to b, negative when b is
	// before a.
	WorkingBetween(a, b time.Time) time.Duration
}

// Continuous is the round-the-clock [Clock]: every instant counts and a day is
// 24 hours. Its zero value is ready to use.
type Continuous struct{}

// AddWorking returns t+d, or t when d is zero or less.
func (Continuous) AddWorking(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	return t.Add(d)
}

// AddWorkdays returns t plus n times 24 hours, or t when n is zero or less.
func (Continuous) AddWorkdays(t time.Time, n int) time.Time {
	if n <= 0 {
		return t
	}
	return t.Add(time.Duration(n) * 24 * time.Hour)
}

// WorkingBetween returns b-a.
func (Continuous) WorkingBetween(a, b time.Time) time.Duration {
	return b.Sub(a)
}

// Budget is an SLA allowance: whole working days ("reply within 13 working
// days"), working time ("accept within 2 working hours"), or both. Days are
// counted first, by the day-of-receipt rule of [Calendar.AddWorkdays]; the
// working time runs on from the close of business of the last day.
type Budget struct {
	Days    int
	Working time.Duration
}

// End returns the due time of the budget on clock c for work started at
// start, without pauses: start itself for an empty budget.
func (b Budget) End(c Clock, start time.Time) time.Time {
	t := start
	if b.Days > 0 {
		t = c.AddWorkdays(t, b.Days)
	}
	if b.Working > 0 {
		t = c.AddWorking(t, b.Working)
	}
	return t
}

// Interval is a pause of an SLA clock, from From until To. A zero To means the
// pause has not ended.
type Interval struct {
	From, To time.Time
}

// Due returns the due time of work started at start with budget b on clock c,
// pushed back by the counted time that the pauses cover: a pause of three
// working hours moves the due time by three working hours, and a pause over a
// weekend moves it by nothing.
//
// Pauses may come in any order and overlap; the part of a pause before start
// is ignored, and so is a pause that begins at or after the due time it would
// move (work already overdue stays overdue).
//
// While a pause that began before the due time has not ended, paused is true
// and due is the due time had the pause ended the moment it began, so the
// budget left when the clock stopped is c.WorkingBetween(pause.From, due) and
// the due time on resuming at r is c.AddWorking(r, that budget).
func Due(c Clock, start time.Time, b Budget, pauses []Interval) (due time.Time, paused bool) {
	due = b.End(c, start)
	if !slices.IsSortedFunc(pauses, byFrom) {
		pauses = slices.Clone(pauses)
		slices.SortFunc(pauses, byFrom)
	}
	mark := start // every instant before mark has been accounted for
	for _, p := range pauses {
		from := p.From
		if from.Before(mark) {
			from = mark
		}
		if !from.Before(due) {
			break // later pauses begin later still
		}
		if p.To.IsZero() {
			return due, true
		}
		if !p.To.After(from) {
			continue
		}
		due = c.AddWorking(due, c.WorkingBetween(from, p.To))
		mark = p.To
	}
	return due, false
}

func byFrom(a, b Interval) int {
	return a.From.Compare(b.From)
}
