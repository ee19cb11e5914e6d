package store_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sla"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
	"github.com/anxin-care/anxin/workcal"
)

// The calendar starts as the shipped schedules; a platform administrator
// replaces a year, and the SLA clocks count on it at once.
func TestCalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		days, err := db.CalendarDays(ctx)
		if err != nil || len(days) != len(workcal.Shipped()) {
			t.Fatalf("%d days, %v; want the %d shipped", len(days), err, len(workcal.Shipped()))
		}
		if err := db.LoadCalendar(ctx); err != nil {
			t.Fatal(err)
		}
		due := func() time.Time {
			p, c := db.Clocks().Policy(anxin.TypeService, anxin.UrgencyNormal)
			return sla.Set(c, cst("2027-03-01 09:00"), p.Complete).Due // Monday, 5 working days
		}
		if got := due(); !got.Equal(cst("2027-03-08 17:30")) {
			t.Fatalf("before: due %v", got.In(workcal.Location()))
		}
		admin := anxin.SystemScope()
		w := newOrderWorld(t, db)
		wantCode(t, db.SetCalendarYear(ctx, w.operator, 2027, nil), anxin.EFORBIDDEN)
		d := func(s string, k workcal.Kind, name string) workcal.Day {
			date, _ := workcal.ParseDate(s)
			return workcal.Day{Date: date, Kind: k, Name: name}
		}
		// A made-up local holiday on Tuesday 2027-03-02 moves the deadline a day.
		keep := []workcal.Day{}
		for _, x := range days {
			if x.Date.Year == 2027 {
				keep = append(keep, x)
			}
		}
		next := append(keep, d("2027-03-02", workcal.Off, "测试假日"))
		if err := db.SetCalendarYear(ctx, admin, 2027, next); err != nil {
			t.Fatal(err)
		}
		if got := due(); !got.Equal(cst("2027-03-09 17:30")) {
			t.Fatalf("after: due %v", got.In(workcal.Location()))
		}
		// Refused: a weekday as a make-up working day, a date of another year.
		wantCode(t, db.SetCalendarYear(ctx, admin, 2027, []workcal.Day{d("2027-03-03", workcal.Work, "x")}), anxin.EINVALID)
		wantCode(t, db.SetCalendarYear(ctx, admin, 2027, []workcal.Day{d("2026-03-07", workcal.Work, "x")}), anxin.EINVALID)
		if got := due(); !got.Equal(cst("2027-03-09 17:30")) {
			t.Fatalf("a refused edit changed the clocks: %v", got.In(workcal.Location()))
		}
	})
}
