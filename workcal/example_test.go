package workcal_test

import (
	"fmt"
	"time"

	"github.com/anxin-care/anxin/workcal"
)

func ExampleCalendar_AddWorking() {
	c := workcal.Default()
	cst := workcal.Location()

	// Friday before National Day 2025: Sunday 9/28 is a make-up working day.
	fri := time.Date(2025, 9, 26, 15, 0, 0, 0, cst)
	fmt.Println(c.AddWorking(fri, 8*time.Hour).Format("2006-01-02 15:04 Mon"))

	// Tuesday 9/30, the last working day before the holiday of 10/1–10/8.
	tue := time.Date(2025, 9, 30, 15, 0, 0, 0, cst)
	fmt.Println(c.AddWorking(tue, 8*time.Hour).Format("2006-01-02 15:04 Mon"))
	// Output:
	// 2025-09-28 15:30 Sun
	// 2025-10-09 15:30 Thu
}

func ExampleCalendar_AddWorkdays() {
	c := workcal.Default()
	// A complaint received on Thursday 2026-02-12, to be answered within 13
	// working days, across the Spring Festival and its make-up Saturdays.
	got := time.Date(2026, 2, 12, 10, 0, 0, 0, workcal.Location())
	fmt.Println(c.AddWorkdays(got, 13).Format("2006-01-02 15:04 Mon"))
	// Output:
	// 2026-03-09 17:30 Mon
}

func ExampleDue() {
	c := workcal.Default()
	cst := workcal.Location()
	start := time.Date(2025, 3, 3, 9, 0, 0, 0, cst) // Monday
	budget := workcal.Budget{Working: 8 * time.Hour}

	due, _ := workcal.Due(c, start, budget, nil)
	fmt.Println("due", due.Format("Mon 15:04"))

	// The elder asked to be called back the next morning.
	pause := workcal.Interval{From: time.Date(2025, 3, 3, 14, 0, 0, 0, cst), To: time.Date(2025, 3, 4, 10, 0, 0, 0, cst)}
	due, _ = workcal.Due(c, start, budget, []workcal.Interval{pause})
	fmt.Println("after the pause", due.Format("Mon 15:04"))

	// Urgent work runs round the clock.
	due, _ = workcal.Due(workcal.Continuous{}, start, budget, nil)
	fmt.Println("24/7", due.Format("Mon 15:04"))
	// Output:
	// due Tue 09:30
	// after the pause Tue 16:00
	// 24/7 Mon 17:00
}
