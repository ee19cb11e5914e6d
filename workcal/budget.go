package workcal

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Limits of a budget: longer allowances are typing mistakes, not policies.
const (
	MaxBudgetDays    = 60
	MaxBudgetWorking = 1000 * time.Hour
)

// Errors of [ParseBudget] and [Budget.Check], for callers that explain them
// in the user's language; the errors returned wrap one of them.
var (
	ErrBudgetSyntax   = errors.New("write days, hours and minutes such as 2d, 4h, 1d4h or 30m (2天, 4小时, 30分钟)")
	ErrBudgetNegative = errors.New("a budget cannot be negative")
	ErrBudgetTooLong  = fmt.Errorf("a budget is at most %d working days and %d hours", MaxBudgetDays, MaxBudgetWorking/time.Hour)
	ErrBudgetMinutes  = errors.New("a budget counts whole minutes")
	ErrBudgetDays     = errors.New("working days count whole: write 1d4h rather than 1.5d")
)

// budgetUnits are the words ParseBudget reads after a number, longest first
// where one is the start of another; rank orders them: days, hours, minutes.
var budgetUnits = []struct {
	word string
	rank int
}{
	{"个工作日", 0}, {"工作日", 0}, {"days", 0}, {"day", 0}, {"天", 0}, {"日", 0}, {"d", 0},
	{"个小时", 1}, {"小时", 1}, {"hours", 1}, {"hour", 1}, {"hrs", 1}, {"hr", 1}, {"h", 1},
	{"minutes", 2}, {"minute", 2}, {"mins", 2}, {"min", 2}, {"分钟", 2}, {"分", 2}, {"m", 2},
}

// ParseBudget reads a budget in its text form: working days, then working
// hours, then minutes, each a number and a unit — "2d", "4h", "30m",
// "1h30m", "1d4h" — or in Chinese ("2天", "2个工作日", "4小时", "30分钟",
// "1天4小时", "半小时", "1个半小时"). Case, spaces and full-width characters
// do not matter; hours may have decimals ("1.5h"), days may not. "", "0"
// and "无" are the empty budget (no such clock), and so is any zero. It
// refuses negative budgets, more than [MaxBudgetDays] days or
// [MaxBudgetWorking] of working time, and parts of minutes; the error wraps
// one of the ErrBudget errors.
func ParseBudget(s string) (Budget, error) {
	text := normalizeBudget(s)
	switch text {
	case "", "0", "无":
		return Budget{}, nil
	}
	if strings.HasPrefix(text, "-") {
		return Budget{}, fmt.Errorf("budget %q: %w", s, ErrBudgetNegative)
	}
	var b Budget
	rest, last := text, -1
	for rest != "" {
		i := strings.IndexFunc(rest, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return Budget{}, fmt.Errorf("budget %q: %w", s, ErrBudgetSyntax)
		}
		num, after := rest[:i], rest[i:]
		rank := -1
		for _, u := range budgetUnits {
			if strings.HasPrefix(after, u.word) {
				rank, rest = u.rank, after[len(u.word):]
				break
			}
		}
		if rank <= last {
			// No unit, an unknown one, or units out of order or twice.
			return Budget{}, fmt.Errorf("budget %q: %w", s, ErrBudgetSyntax)
		}
		last = rank
		if err := b.add(rank, num); err != nil {
			return Budget{}, fmt.Errorf("budget %q: %w", s, err)
		}
	}
	if err := b.Check(); err != nil {
		return Budget{}, fmt.Errorf("budget %q: %w", s, err)
	}
	return b, nil
}

// normalizeBudget folds full-width characters, drops spaces, lowercases and
// spells out the Chinese halves of an hour.
func normalizeBudget(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			return unicode.ToLower(r - 0xFEE0)
		case r == '−': // minus sign
			return '-'
		}
		return unicode.ToLower(r)
	}, s)
	s = strings.ReplaceAll(s, "个半小时", ".5小时")
	return strings.ReplaceAll(s, "半小时", "0.5小时")
}

// add adds num units of rank (0 days, 1 hours, 2 minutes) to b. Numbers
// longer than the limits allow are refused before they can overflow.
func (b *Budget) add(rank int, num string) error {
	whole, frac, dotted := strings.Cut(num, ".")
	switch {
	case whole == "" && frac == "", strings.Contains(frac, "."):
		return ErrBudgetSyntax
	case len(strings.TrimLeft(whole, "0")) > 6:
		return ErrBudgetTooLong
	case dotted && rank == 0:
		return ErrBudgetDays
	case dotted && rank == 2:
		return ErrBudgetMinutes
	}
	n := 0
	if whole != "" {
		n, _ = strconv.Atoi(whole)
	}
	switch rank {
	case 0:
		b.Days += n
	case 1:
		b.Working += time.Duration(n) * time.Hour
		if frac != "" {
			// An exact fraction of an hour: frac/10^len(frac) hours.
			frac = strings.TrimRight(frac, "0")
			if len(frac) > 4 {
				return ErrBudgetMinutes
			}
			f, _ := strconv.Atoi(frac)
			scale := 1
			for range len(frac) {
				scale *= 10
			}
			if f*3600%scale != 0 {
				return ErrBudgetMinutes
			}
			b.Working += time.Duration(f*3600/scale) * time.Second
		}
	case 2:
		b.Working += time.Duration(n) * time.Minute
	}
	return nil
}

// Check reports whether b is a budget [ParseBudget] could have read:
// not negative, within [MaxBudgetDays] and [MaxBudgetWorking], in whole
// minutes.
func (b Budget) Check() error {
	switch {
	case b.Days < 0 || b.Working < 0:
		return ErrBudgetNegative
	case b.Days > MaxBudgetDays || b.Working > MaxBudgetWorking:
		return ErrBudgetTooLong
	case b.Working%time.Minute != 0:
		return ErrBudgetMinutes
	}
	return nil
}

// String returns the budget's short text form, which [ParseBudget] reads
// back: days, hours and minutes that are not zero ("1d4h", "30m", "1h30m"),
// and "" for the empty budget. Working time is never turned into days: a
// working day is the calendar's working hours, a round-the-clock day 24
// hours.
func (b Budget) String() string {
	var sb strings.Builder
	if b.Days != 0 {
		fmt.Fprintf(&sb, "%dd", b.Days)
	}
	w := b.Working
	if w < 0 {
		sb.WriteByte('-')
		w = -w
	}
	if h := w / time.Hour; h != 0 {
		fmt.Fprintf(&sb, "%dh", h)
	}
	if m := w % time.Hour / time.Minute; m != 0 {
		fmt.Fprintf(&sb, "%dm", m)
	}
	if s := w % time.Minute; s != 0 {
		// Not a budget ParseBudget reads; shown as it is rather than rounded.
		fmt.Fprintf(&sb, "%gs", s.Seconds())
	}
	return sb.String()
}
