package workcal_test

import (
	"errors"
	"testing"
	"time"

	"github.com/anxin-care/anxin/workcal"
)

func TestParseBudget(t *testing.T) {
	h, m := time.Hour, time.Minute
	tests := []struct {
		in   string
		want workcal.Budget
		text string // String() of the result
	}{
		{"", workcal.Budget{}, ""},
		{"0", workcal.Budget{}, ""},
		{"无", workcal.Budget{}, ""},
		{"0h", workcal.Budget{}, ""},
		{"0d0h", workcal.Budget{}, ""},
		{"2d", workcal.Budget{Days: 2}, "2d"},
		{"4h", workcal.Budget{Working: 4 * h}, "4h"},
		{"30m", workcal.Budget{Working: 30 * m}, "30m"},
		{"1h30m", workcal.Budget{Working: 90 * m}, "1h30m"},
		{"90m", workcal.Budget{Working: 90 * m}, "1h30m"},
		{"1d4h", workcal.Budget{Days: 1, Working: 4 * h}, "1d4h"},
		{"1d4h30m", workcal.Budget{Days: 1, Working: 4*h + 30*m}, "1d4h30m"},
		{"25h", workcal.Budget{Working: 25 * h}, "25h"}, // working hours never become days
		{" 1 d 4 H ", workcal.Budget{Days: 1, Working: 4 * h}, "1d4h"},
		{"2 days", workcal.Budget{Days: 2}, "2d"},
		{"1 hour 15 min", workcal.Budget{Working: 75 * m}, "1h15m"},
		{"1.5h", workcal.Budget{Working: 90 * m}, "1h30m"},
		{".25h", workcal.Budget{Working: 15 * m}, "15m"},
		{"2天", workcal.Budget{Days: 2}, "2d"},
		{"2个工作日", workcal.Budget{Days: 2}, "2d"},
		{"4小时", workcal.Budget{Working: 4 * h}, "4h"},
		{"4个小时", workcal.Budget{Working: 4 * h}, "4h"},
		{"30分钟", workcal.Budget{Working: 30 * m}, "30m"},
		{"1天4小时", workcal.Budget{Days: 1, Working: 4 * h}, "1d4h"},
		{"1天 4小时 30分", workcal.Budget{Days: 1, Working: 4*h + 30*m}, "1d4h30m"},
		{"半小时", workcal.Budget{Working: 30 * m}, "30m"},
		{"1个半小时", workcal.Budget{Working: 90 * m}, "1h30m"},
		{"１３天", workcal.Budget{Days: 13}, "13d"}, // full-width digits
		{"60d", workcal.Budget{Days: 60}, "60d"},
		{"1000h", workcal.Budget{Working: 1000 * h}, "1000h"},
		{"60d1000h", workcal.Budget{Days: 60, Working: 1000 * h}, "60d1000h"},
	}
	for _, tt := range tests {
		got, err := workcal.ParseBudget(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBudget(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			continue
		}
		if s := got.String(); s != tt.text {
			t.Errorf("ParseBudget(%q).String() = %q, want %q", tt.in, s, tt.text)
		}
		if back, err := workcal.ParseBudget(got.String()); err != nil || back != got {
			t.Errorf("ParseBudget(%q) does not read its String() %q back: %+v, %v", tt.in, got.String(), back, err)
		}
	}
}

func TestParseBudgetRefuses(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"4", workcal.ErrBudgetSyntax}, // a number needs a unit
		{"h", workcal.ErrBudgetSyntax},
		{"abc", workcal.ErrBudgetSyntax},
		{"4x", workcal.ErrBudgetSyntax},
		{"4h2d", workcal.ErrBudgetSyntax}, // days come first
		{"1h2h", workcal.ErrBudgetSyntax},
		{"1..5h", workcal.ErrBudgetSyntax},
		{"4h 多", workcal.ErrBudgetSyntax},
		{"-2d", workcal.ErrBudgetNegative},
		{"－4小时", workcal.ErrBudgetNegative},
		{"61d", workcal.ErrBudgetTooLong},
		{"1001h", workcal.ErrBudgetTooLong},
		{"1000h1m", workcal.ErrBudgetTooLong},
		{"99999999999999999999d", workcal.ErrBudgetTooLong},
		{"1.5d", workcal.ErrBudgetDays},
		{"0.5天", workcal.ErrBudgetDays},
		{"1.5m", workcal.ErrBudgetMinutes},
		{"0.01h", workcal.ErrBudgetMinutes},
	}
	for _, tt := range tests {
		got, err := workcal.ParseBudget(tt.in)
		if !errors.Is(err, tt.want) {
			t.Errorf("ParseBudget(%q) = %+v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestBudgetCheck(t *testing.T) {
	tests := []struct {
		b    workcal.Budget
		want error
	}{
		{workcal.Budget{}, nil},
		{workcal.Budget{Days: 13}, nil},
		{workcal.Budget{Days: -1}, workcal.ErrBudgetNegative},
		{workcal.Budget{Working: -time.Minute}, workcal.ErrBudgetNegative},
		{workcal.Budget{Days: 61}, workcal.ErrBudgetTooLong},
		{workcal.Budget{Working: 90 * time.Second}, workcal.ErrBudgetMinutes},
	}
	for _, tt := range tests {
		if err := tt.b.Check(); !errors.Is(err, tt.want) {
			t.Errorf("%+v.Check() = %v, want %v", tt.b, err, tt.want)
		}
	}
	// String shows what Check refuses as it is, rather than rounding it.
	if s := (workcal.Budget{Working: 90 * time.Second}).String(); s != "1m30s" {
		t.Errorf("90 s: %q", s)
	}
}
