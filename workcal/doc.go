// Package workcal measures SLA time on China's working days: it adds working
// time and working days to an instant, measures the working time between two
// instants, and computes due times that pauses push back.
//
// # The model
//
// Time is China Standard Time (UTC+8, no daylight saving since 1991). A day is
// a working day when it is Monday to Friday and not a day off of a statutory
// holiday, or when it is a Saturday or Sunday made a working day (调休上班).
// Which dates are which comes from a list of [Day] values: the official State
// Council schedules for 2025 and 2026 and a provisional 2027 ship with the
// package ([Shipped], holidays.csv), and administrators can edit a copy of the
// list ([Parse] reads the same CSV format). Outside the years the list covers,
// Monday to Friday work and weekends are off; [Calendar.Covers] tells a screen
// when to warn that a year has no holiday data.
//
// A working day has the same working hours every day ([WorkingHours]; by
// default 08:30–12:00 and 13:30–17:30, 7.5 hours). Working time is the time
// inside those hours on working days; everything else — nights, the lunch
// break, weekends, holidays — does not count.
//
// Two kinds of budget exist, and a [Budget] may hold both:
//
//   - working time ("accept within 4 working hours"): [Calendar.AddWorking]
//     returns the earliest instant at which that much working time has passed,
//     so a budget that runs out at noon is due at 12:00, not 13:30;
//   - working days ("reply within 13 working days"): [Calendar.AddWorkdays]
//     counts the working days after the day of receipt — the day of receipt
//     never counts, whatever the hour — and returns the close of business of
//     the last one, the way the Civil Code counts periods (art. 201: the
//     first day does not count; art. 203: a period ends when business ends).
//
// Urgent work runs round the clock: [Continuous] counts every instant and a
// day as 24 hours. Both kinds of clock satisfy [Clock], and [Due] computes a
// due time on either, moving it back by the working time that pauses (the
// elder asked to wait until next week) cover.
//
// # What it must not know
//
// The package is pure: no database, no globals, no current time. It does not
// know orders, types or urgencies; the caller picks the clock and the budget
// and stores the due time it returns, so that a restart or a change of the
// holiday list recomputes due times from the stored start, budget and pauses.
package workcal
