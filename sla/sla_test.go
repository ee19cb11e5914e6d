package sla_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
	"github.com/anxin-care/anxin/workcal"
)

var cst = workcal.Location()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDefaultsCoverEveryTypeAndUrgency(t *testing.T) {
	b := sla.NewBook(sla.Defaults(), workcal.Default())
	for _, typ := range anxin.OrderTypes {
		for _, u := range anxin.OrderUrgencies {
			p, _ := b.Policy(typ, u)
			if p.Type != typ || p.Urgency != u {
				t.Errorf("no policy for %s/%s", typ, u)
			}
			if p.Complete == (workcal.Budget{}) && p.Reply == (workcal.Budget{}) {
				t.Errorf("%s/%s has neither a completion nor a reply clock", typ, u)
			}
		}
	}
	if p, _ := b.Policy(anxin.TypeComplaint, anxin.UrgencyNormal); p.Reply != (workcal.Budget{Days: 13}) {
		t.Errorf("complaint reply %+v, want 13 working days", p.Reply)
	}
}

// An order taken on the Friday before the 2025 National Day holiday: the
// holiday (10/1–10/8) does not count, the make-up Sunday 9/28 and Saturday
// 10/11 do.
func TestNationalDay2025(t *testing.T) {
	b := sla.NewBook(sla.Defaults(), workcal.Default())
	p, c := b.Policy(anxin.TypeService, anxin.UrgencyNormal)
	taken := at("2025-09-26 15:00")
	if got, want := sla.Set(c, taken, p.Complete).Due, at("2025-10-10 17:30"); !got.Equal(want) {
		t.Errorf("complete by %v, want %v", got.In(cst), want)
	}
	// Accept within 4 working hours: 2.5 h on Friday, 1.5 h on the make-up Sunday.
	if got, want := sla.Set(c, taken, p.Accept).Due, at("2025-09-28 10:00"); !got.Equal(want) {
		t.Errorf("accept by %v, want %v", got.In(cst), want)
	}
	// Dispatched on the last working day before the holiday, late afternoon:
	// the 4 working hours run on after the holiday.
	if got, want := sla.Set(c, at("2025-09-30 16:00"), p.Accept).Due, at("2025-10-09 11:00"); !got.Equal(want) {
		t.Errorf("accept by %v, want %v", got.In(cst), want)
	}
	// Urgent help runs round the clock.
	pe, ce := b.Policy(anxin.TypeEscalation, anxin.UrgencyNormal)
	if got, want := sla.Set(ce, at("2025-10-01 03:00"), pe.Accept).Due, at("2025-10-01 03:15"); !got.Equal(want) {
		t.Errorf("escalation accept by %v, want %v", got.In(cst), want)
	}
}

func TestWarningsPausesAndNext(t *testing.T) {
	c := workcal.Default()
	d := sla.Set(c, at("2026-11-23 09:00"), workcal.Budget{Working: 4 * time.Hour})
	if !d.Warn.Equal(at("2026-11-23 12:00")) || !d.Due.Equal(at("2026-11-23 14:30")) {
		t.Fatalf("deadline %v / %v", d.Warn.In(cst), d.Due.In(cst))
	}
	one := sla.Set(c, at("2026-11-23 09:00"), workcal.Budget{Days: 1})
	if !one.Due.Equal(at("2026-11-24 17:30")) || !one.Warn.Equal(at("2026-11-24 13:45")) {
		t.Fatalf("one day: %v / %v", one.Warn.In(cst), one.Due.In(cst))
	}
	// Paused from Monday 10:00 to Tuesday 10:00: 7.5 working hours later.
	s := d.Shift(c, at("2026-11-23 10:00"), at("2026-11-24 10:00"))
	if !s.Due.Equal(at("2026-11-24 14:30")) {
		t.Fatalf("shifted due %v", s.Due.In(cst))
	}
	running := sla.Running(anxin.TypeService, anxin.StateDispatched, false)
	dl := map[string]sla.Deadline{sla.Accept: d, sla.Complete: one}
	p, ok := sla.Next(running, dl, at("2026-11-23 09:00"))
	if !ok || p.Kind() != "warn:accept" {
		t.Fatalf("next %+v %v", p, ok)
	}
	p, _ = sla.Next(running, dl, p.At)
	if p.Kind() != "breach:accept" {
		t.Fatalf("then %+v", p)
	}
	p, _ = sla.Next(running, dl, p.At)
	if p.Kind() != "warn:complete" {
		t.Fatalf("then %+v", p)
	}
	if got := sla.Running(anxin.TypeService, anxin.StateDispatched, true); got != nil {
		t.Fatalf("paused runs %v", got)
	}
	if got := sla.Running(anxin.TypeComplaint, anxin.StateClosed, false); got != nil {
		t.Fatalf("closed runs %v", got)
	}
}

// Points at the same instant are all acted on, warnings first.
func TestBetweenKeepsTies(t *testing.T) {
	at := at("2025-09-30 17:30")
	dl := map[string]sla.Deadline{
		sla.Start:    {Warn: at.Add(-time.Hour), Due: at},
		sla.Complete: {Warn: at, Due: at.Add(48 * time.Hour)},
	}
	ps := sla.Between([]string{sla.Start, sla.Complete}, dl, at.Add(-30*time.Minute), at)
	if len(ps) != 2 || ps[0].Kind() != "warn:complete" || ps[1].Kind() != "breach:start" {
		t.Fatalf("points %+v", ps)
	}
}
