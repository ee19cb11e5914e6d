// Package sla decides a work order's deadlines (SLA clocks): how long each
// step may take per order type and urgency, on China's working time or
// round the clock, when a warning is due before each deadline, and which
// deadline is running in each state. It is pure: the store keeps the
// times it computes in indexed columns and a background pass acts on them.
package sla

import (
	"slices"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/workcal"
)

// Clock names of a deadline: the step it bounds.
const (
	Accept   = "accept"   // from dispatch to acceptance
	Start    = "start"    // from acceptance to the start of service
	Complete = "complete" // from intake to completion
	Reply    = "reply"    // from intake to the answer (consultations, complaints)
	Visit    = "visit"    // from completion to the return visit
)

// Clocks lists the clock names in the order of an order's life.
var Clocks = []string{Accept, Start, Complete, Reply, Visit}

// Policy is how long each step of an order may take, for one type and
// urgency. A zero budget means no such clock.
type Policy struct {
	Type, Urgency string
	Accept        workcal.Budget
	Start         workcal.Budget
	Complete      workcal.Budget
	Reply         workcal.Budget
	// RoundTheClock counts every hour of every day (urgent help), instead
	// of working time on working days.
	RoundTheClock bool
	// ReturnVisit is how soon after completion the satisfaction call is due.
	ReturnVisit workcal.Budget
}

// Budget returns the budget of the named clock in p, to read or set (nil
// for an unknown name): ReturnVisit for Visit.
func (p *Policy) Budget(clock string) *workcal.Budget {
	switch clock {
	case Accept:
		return &p.Accept
	case Start:
		return &p.Start
	case Complete:
		return &p.Complete
	case Reply:
		return &p.Reply
	case Visit:
		return &p.ReturnVisit
	}
	return nil
}

// Closing returns the clock that runs from intake until an order of type
// typ is done: Reply for consultations and complaints, Complete for the
// other types. The other one of the two never runs for that type.
func Closing(typ string) string {
	if typ == anxin.TypeConsultation || typ == anxin.TypeComplaint {
		return Reply
	}
	return Complete
}

func hours(h float64) time.Duration { return time.Duration(h * float64(time.Hour)) }

func days(n int) workcal.Budget              { return workcal.Budget{Days: n} }
func working(d time.Duration) workcal.Budget { return workcal.Budget{Working: d} }

// Defaults returns the shipped policies for every type and urgency; see
// docs/decisions.md for where the figures come from.
func Defaults() []Policy {
	var out []Policy
	add := func(p Policy) { out = append(out, p) }
	rv := days(3)
	// Services: a provider accepts within half a working day, starts within
	// two working days, finishes within five.
	add(Policy{Type: anxin.TypeService, Urgency: anxin.UrgencyNormal, Accept: working(hours(4)), Start: days(2), Complete: days(5), ReturnVisit: rv})
	add(Policy{Type: anxin.TypeService, Urgency: anxin.UrgencyUrgent, Accept: working(hours(1)), Start: days(1), Complete: days(2), ReturnVisit: rv})
	add(Policy{Type: anxin.TypeService, Urgency: anxin.UrgencyEmergency, Accept: working(30 * time.Minute), Start: working(hours(2)), Complete: working(hours(24)), RoundTheClock: true, ReturnVisit: days(1)})
	// Supply orders: delivered within three working days.
	add(Policy{Type: anxin.TypeSupply, Urgency: anxin.UrgencyNormal, Accept: days(1), Complete: days(3), ReturnVisit: rv})
	add(Policy{Type: anxin.TypeSupply, Urgency: anxin.UrgencyUrgent, Accept: working(hours(2)), Complete: days(1), ReturnVisit: rv})
	add(Policy{Type: anxin.TypeSupply, Urgency: anxin.UrgencyEmergency, Accept: working(hours(1)), Complete: working(hours(12)), RoundTheClock: true, ReturnVisit: days(1)})
	// Consultations: answered within a working day.
	add(Policy{Type: anxin.TypeConsultation, Urgency: anxin.UrgencyNormal, Reply: days(1)})
	add(Policy{Type: anxin.TypeConsultation, Urgency: anxin.UrgencyUrgent, Reply: working(hours(4))})
	add(Policy{Type: anxin.TypeConsultation, Urgency: anxin.UrgencyEmergency, Reply: working(hours(2)), RoundTheClock: true})
	// Complaints: 13 working days to reply, as the 12345 hotlines allow.
	add(Policy{Type: anxin.TypeComplaint, Urgency: anxin.UrgencyNormal, Accept: days(1), Reply: days(13), ReturnVisit: rv})
	add(Policy{Type: anxin.TypeComplaint, Urgency: anxin.UrgencyUrgent, Accept: working(hours(4)), Reply: days(5), ReturnVisit: rv})
	add(Policy{Type: anxin.TypeComplaint, Urgency: anxin.UrgencyEmergency, Accept: working(hours(2)), Reply: working(hours(24)), RoundTheClock: true, ReturnVisit: days(1)})
	// Urgent help is round the clock whatever its urgency.
	for _, u := range anxin.OrderUrgencies {
		add(Policy{Type: anxin.TypeEscalation, Urgency: u, Accept: working(15 * time.Minute), Start: working(hours(1)),
			Complete: working(hours(24)), RoundTheClock: true, ReturnVisit: days(1)})
	}
	return out
}

// Book finds the policy of an order and the clock it runs on.
type Book struct {
	policies map[[2]string]Policy
	work     workcal.Clock
}

// NewBook builds a book from policies and the working-time clock (a
// *workcal.Calendar).
func NewBook(policies []Policy, work workcal.Clock) *Book {
	b := &Book{policies: map[[2]string]Policy{}, work: work}
	for _, p := range policies {
		b.policies[[2]string{p.Type, p.Urgency}] = p
	}
	return b
}

// Policy returns the policy of a type and urgency (a zero policy, no
// clocks, when there is none) and the clock it runs on.
func (b *Book) Policy(typ, urgency string) (Policy, workcal.Clock) {
	p := b.policies[[2]string{typ, urgency}]
	if p.RoundTheClock {
		return p, workcal.Continuous{}
	}
	return p, b.work
}

// Deadline is one running clock of an order: when it warns and when it is
// breached.
type Deadline struct {
	Warn, Due time.Time
}

// Set returns the deadline of budget b started at start on clock c, with a
// warning when three quarters of the budget have passed; the zero Deadline
// for an empty budget.
func Set(c workcal.Clock, start time.Time, b workcal.Budget) Deadline {
	if b == (workcal.Budget{}) {
		return Deadline{}
	}
	warn := workcal.Budget{Days: b.Days * 3 / 4, Working: b.Working * 3 / 4}
	d := Deadline{Warn: warn.End(c, start), Due: b.End(c, start)}
	if warn == (workcal.Budget{}) && b.Days > 0 {
		// One working day: warn half a working day before its close.
		d.Warn = c.AddWorking(c.AddWorkdays(start, b.Days-1), hours(3.75))
	}
	if !d.Warn.Before(d.Due) {
		d.Warn = time.Time{}
	}
	return d
}

// Shift moves a deadline by the time a pause covered on its clock: the
// working time between from and to is added to both instants.
func (d Deadline) Shift(c workcal.Clock, from, to time.Time) Deadline {
	gap := c.WorkingBetween(from, to)
	if gap <= 0 || d.Due.IsZero() {
		return d
	}
	out := Deadline{Due: c.AddWorking(d.Due, gap)}
	if !d.Warn.IsZero() {
		out.Warn = c.AddWorking(d.Warn, gap)
	}
	return out
}

// Running lists the clocks that run for an order in a state: acceptance
// while dispatched, the start while accepted, completion from intake until
// done, the reply for consultations and complaints until done, and the
// return visit once completed. A paused order runs none.
func Running(typ, state string, paused bool) []string {
	if state == anxin.StateCompleted && !paused {
		return []string{Visit}
	}
	if paused || !anxin.Open(state) {
		return nil
	}
	var out []string
	switch state {
	case anxin.StateDispatched:
		out = append(out, Accept)
	case anxin.StateAccepted:
		out = append(out, Start)
	}
	return append(out, Closing(typ))
}

// Point is a moment the SLA pass acts on: a warning or a breach of a
// clock.
type Point struct {
	At    time.Time
	Clock string
	// Breach is false for the warning before the deadline.
	Breach bool
}

// Kind names the point as the store keeps it: "warn:accept", "breach:reply".
func (p Point) Kind() string {
	if p.Breach {
		return "breach:" + p.Clock
	}
	return "warn:" + p.Clock
}

// Next returns the earliest point after `after` among the running clocks'
// deadlines (deadlines by clock name), and false when there is none.
func Next(running []string, deadlines map[string]Deadline, after time.Time) (Point, bool) {
	var best Point
	found := false
	consider := func(p Point) {
		if p.At.IsZero() || !p.At.After(after) {
			return
		}
		if !found || p.At.Before(best.At) {
			best, found = p, true
		}
	}
	for _, name := range running {
		d := deadlines[name]
		consider(Point{At: d.Warn, Clock: name})
		consider(Point{At: d.Due, Clock: name, Breach: true})
	}
	return best, found
}

// Between returns the points of the running clocks after `after` and not
// after `until`, in time order (a warning before its breach at the same
// instant): what a pass at until acts on.
func Between(running []string, deadlines map[string]Deadline, after, until time.Time) []Point {
	var out []Point
	for _, name := range running {
		d := deadlines[name]
		for _, p := range []Point{{At: d.Warn, Clock: name}, {At: d.Due, Clock: name, Breach: true}} {
			if !p.At.IsZero() && p.At.After(after) && !p.At.After(until) {
				out = append(out, p)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Point) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		if a.Breach != b.Breach && !a.Breach {
			return -1
		}
		return 0
	})
	return out
}

// Raise returns the next urgency up (emergency stays emergency).
func Raise(urgency string) string {
	switch urgency {
	case anxin.UrgencyNormal:
		return anxin.UrgencyUrgent
	default:
		return anxin.UrgencyEmergency
	}
}
