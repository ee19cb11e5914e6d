package roster

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidDate is returned, wrapped, by ParseDate.
var ErrInvalidDate = errors.New("roster: not a date")

// maxSerial is the largest Excel serial number ParseDate takes for a date:
// 60000 is 2064-04-08.
const maxSerial = 60000

// ParseDate reads a date as rosters write it and returns it at midnight UTC:
//
//	1942-03-05  1942/3/5  1942.3.5  1942年3月5日  19420305
//	1942-03-05 00:00:00   1942-03-05T00:00:00Z
//	1942-03  1942年3月  1942.3  194203  (month only: the 1st of the month)
//	15406  15406.0                   (an Excel serial number, 1 to 60000)
//
// Full-width digits and stray spaces are accepted. It returns an error
// wrapping ErrInvalidDate for impossible dates (1942-02-30, month 13), for a
// two-digit year or a day-first order (42-3-5, 5/3/1942: ambiguous), and for
// a four-digit number from 1800 to 2199 (1942 alone is a year without a
// month, far likelier than the serial number of a day in 1905).
//
// Serial numbers follow Excel's 1900 date system, where 1 is 1900-01-01 and
// 60 is the 1900-02-29 that never was (Lotus 1-2-3's leap-year bug), so 61
// is 1900-03-01 and 25569 is 1970-01-01.
func ParseDate(s string) (time.Time, error) {
	t := strings.ReplaceAll(stripTime(Clean(s)), " ", "")
	if t == "" {
		return time.Time{}, fmt.Errorf("%w: empty", ErrInvalidDate)
	}
	if digits, ok := wholeNumber(t); ok {
		return parseNumberDate(t, digits)
	}
	return parseSeparated(t)
}

// stripTime removes a time of day after a date: " 00:00:00", "T00:00:00Z",
// " 下午 12:00:00".
func stripTime(t string) string {
	if i := strings.IndexAny(t, " T"); i > 0 && strings.Contains(t[i:], ":") {
		return t[:i]
	}
	return t
}

// wholeNumber reports whether t is a number (digits, optionally a fraction)
// and returns its integer digits.
func wholeNumber(t string) (string, bool) {
	ip, frac, _ := strings.Cut(t, ".")
	if ip == "" || strings.Trim(ip, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return "", false
	}
	return ip, true
}

func parseNumberDate(t, digits string) (time.Time, error) {
	whole := strings.Trim(t[len(digits):], ".0") == ""
	switch {
	case whole && len(digits) == 8:
		return civilDate(t, digits[:4], digits[4:6], digits[6:])
	case whole && len(digits) == 6:
		return civilDate(t, digits[:4], digits[4:], "")
	case len(digits) == 4 && digits >= "1800" && digits <= "2199" && whole:
		return time.Time{}, fmt.Errorf("%w: %q is a year without a month", ErrInvalidDate, t)
	case len(digits) == 4 && digits >= "1800" && digits <= "2199":
		return parseSeparated(t) // 1942.3: March 1942
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %q", ErrInvalidDate, t)
	}
	d, ok := excelSerial(v, false)
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %q is not an Excel date number (1 to %d)", ErrInvalidDate, t, maxSerial)
	}
	return d, nil
}

// excelSerial converts an Excel serial number to its date, ignoring the
// time of day. date1904 selects the 1904 date system of old Mac workbooks,
// where 0 is 1904-01-01.
func excelSerial(v float64, date1904 bool) (time.Time, bool) {
	if math.IsNaN(v) || v < 0 || v >= maxSerial+1 {
		return time.Time{}, false
	}
	days := int(v)
	switch {
	case date1904:
		return time.Date(1904, 1, 1+days, 0, 0, 0, 0, time.UTC), true
	case days < 1, days == 60: // 0 is 1900-01-00; 60 is 1900-02-29
		return time.Time{}, false
	case days < 60:
		return time.Date(1899, 12, 31+days, 0, 0, 0, 0, time.UTC), true
	}
	return time.Date(1899, 12, 30+days, 0, 0, 0, 0, time.UTC), true
}

// parseSeparated reads Y-M-D and Y-M with -, /, . or 年月日 between the parts.
func parseSeparated(t string) (time.Time, error) {
	bad := func(why string) (time.Time, error) {
		return time.Time{}, fmt.Errorf("%w: %q%s", ErrInvalidDate, t, why)
	}
	dayMark := false
	parts := strings.FieldsFunc(t, func(r rune) bool {
		switch r {
		case '-', '/', '.', '年', '月':
			return true
		case '日', '号':
			dayMark = true
			return true
		}
		return false
	})
	for _, p := range parts {
		if strings.Trim(p, "0123456789") != "" {
			return bad("")
		}
	}
	switch {
	case len(parts) < 2 || len(parts) > 3:
		return bad("")
	case len(parts[0]) != 4:
		return bad(": the year must have four digits and come first")
	case len(parts[1]) > 2 || (len(parts) == 3 && len(parts[2]) > 2):
		return bad("")
	case len(parts) == 2 && dayMark:
		return bad("")
	case len(parts) == 2:
		return civilDate(t, parts[0], parts[1], "")
	}
	return civilDate(t, parts[0], parts[1], parts[2])
}

// civilDate checks and builds a date from its digits; an empty day means
// the first of the month.
func civilDate(t, ys, ms, ds string) (time.Time, error) {
	y, _ := strconv.Atoi(ys)
	m, _ := strconv.Atoi(ms)
	d := 1
	if ds != "" {
		d, _ = strconv.Atoi(ds)
	}
	if y < 1800 || y > 2199 {
		return time.Time{}, fmt.Errorf("%w: %q: year %d out of range", ErrInvalidDate, t, y)
	}
	if m < 1 || m > 12 {
		return time.Time{}, fmt.Errorf("%w: %q: no month %d", ErrInvalidDate, t, m)
	}
	date := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || date.Day() != d {
		return time.Time{}, fmt.Errorf("%w: %q: %d-%02d has no day %d", ErrInvalidDate, t, y, m, d)
	}
	return date, nil
}
