package roster_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anxin-care/anxin/roster"
)

func TestParseDate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1942-03-05", "1942-03-05"},
		{"1942/3/5", "1942-03-05"},
		{"1942.3.5", "1942-03-05"},
		{"1942年3月5日", "1942-03-05"},
		{"1942年03月05号", "1942-03-05"},
		{"1942 年 3 月 5 日", "1942-03-05"},
		{"１９４２－０３－０５", "1942-03-05"},
		{"\u30001942-03-05 ", "1942-03-05"},
		{"19420305", "1942-03-05"},
		{"1942-03-05 00:00:00", "1942-03-05"},
		{"1942/3/5 0:00", "1942-03-05"},
		{"1942-03-05T00:00:00Z", "1942-03-05"},
		{"1942年3月", "1942-03-01"},
		{"1942-03", "1942-03-01"},
		{"1942.3", "1942-03-01"},
		{"194203", "1942-03-01"},
		{"1944-02-29", "1944-02-29"},
		{"15406", "1942-03-06"},
		{"15406.0", "1942-03-06"},
		{"15406.75", "1942-03-06"},
		{"1", "1900-01-01"},
		{"59", "1900-02-28"},
		{"61", "1900-03-01"},
		{"25569", "1970-01-01"},
		{"36526", "2000-01-01"},
		{"60000", "2064-04-08"},
	}
	for _, tt := range tests {
		got, err := roster.ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if s := got.Format(time.DateOnly); s != tt.want || got.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %s %s, want %s UTC", tt.in, s, got.Location(), tt.want)
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{
		"", "   ",
		"1942-02-30", "1943-02-29", "1942-13-01", "1942-00-10", "1942-04-31", "1942年3月32日",
		"42-3-5", "5/3/1942", "3/5/42", // two-digit years and day-first orders are ambiguous
		"1942",       // a year alone, not the serial number of a day in 1905
		"60",         // 1900-02-29 never was
		"0", "60001", // outside the serial range
		"1942-03-05-01", "1942年3日", "一九四二年三月五日", "不详", "19420230", "194213",
		"310107194203061234", // an ID number, not a date
	} {
		if d, err := roster.ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %s, want an error", in, d.Format(time.DateOnly))
		} else if !errors.Is(err, roster.ErrInvalidDate) {
			t.Errorf("ParseDate(%q): %v does not wrap ErrInvalidDate", in, err)
		}
	}
}

// TestParseDateSerialsAgreeWithExcelize checks every serial number against
// excelize's own conversion.
func TestParseDateSerialsAgreeWithExcelize(t *testing.T) {
	for serial := 1; serial <= 60000; serial++ {
		if serial == 60 || (serial >= 1800 && serial <= 2199) {
			continue
		}
		want, err := excelize.ExcelDateToTime(float64(serial), false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := roster.ParseDate(strconv.Itoa(serial))
		if err != nil {
			t.Fatalf("serial %d: %v", serial, err)
		}
		if !got.Equal(want) {
			t.Fatalf("serial %d = %s, excelize says %s", serial, got, want)
		}
	}
}
