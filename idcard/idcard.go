// Package idcard validates mainland China resident identity numbers
// (GB 11643-1999) and reads what they say: where the holder's household was
// registered when the number was issued, the birth date and the gender.
//
// A number has 18 characters: a 6-digit region code (GB/T 2260), the birth
// date as YYYYMMDD, a 3-digit sequence number whose last digit is odd for
// men and even for women, and a check character, 0-9 or X, computed with
// ISO 7064 MOD 11-2. The 15-digit numbers issued before 1999 (two-digit
// year, no check character) are converted to 18.
//
// The package is pure: it knows nothing of elders or storage. An identity
// number is sensitive personal data, so its errors never repeat the number
// and Mask hides the birth date and sequence.
package idcard

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ID is a valid resident identity number and what it says.
type ID struct {
	// Number is the 18-character number, with X in upper case.
	Number string
	// BirthDate is the birth date as YYYY-MM-DD, the form of
	// anxin.Elder.BirthDate.
	BirthDate string
	// Gender is "M" or "F" (anxin.GenderMale, anxin.GenderFemale), from the
	// parity of the 17th digit.
	Gender string
	// RegionCode is the first 6 digits: the county-level division of the
	// household registration when the number was issued. Old numbers keep
	// codes that have since been abolished.
	RegionCode string
}

// Errors returned by Parse, always wrapped with a short description of what
// is wrong; test them with errors.Is.
var (
	// ErrLength reports a number that, blanks aside, has neither 18 nor 15
	// characters.
	ErrLength = errors.New("idcard: wrong length")

	// ErrCharacters reports a number with characters other than digits and
	// a final X.
	ErrCharacters = errors.New("idcard: invalid characters")

	// ErrCheckDigit reports an 18-character number whose last character does
	// not match the other 17: most often a mistyped digit.
	ErrCheckDigit = errors.New("idcard: wrong check digit")

	// ErrBirthDate reports a birth date that is not a calendar date, is
	// before 1880 or is after today (in China).
	ErrBirthDate = errors.New("idcard: invalid birth date")

	// ErrRegion reports a number whose first 2 digits are not a province.
	ErrRegion = errors.New("idcard: unknown province")
)

// Parse validates the resident identity number raw and returns what it
// says, or an error wrapping ErrLength, ErrCharacters, ErrRegion,
// ErrBirthDate or ErrCheckDigit, checked in that order so that the error
// points at the part to look at.
//
// Parse accepts full-width characters, blanks anywhere ("310107 19420305
// 123X"), a lower-case x and a leading apostrophe (a spreadsheet's text
// marker). A 15-digit number is converted to 18 characters: its year gets
// the century 19 and the check character is computed.
//
// Parse checks the province, not the county: region codes change over the
// years and a number keeps the one it was issued with. The first 2 digits
// must be a province of GB/T 2260 (11-65), Taiwan (71), Hong Kong (81),
// Macao (82), or 83, which residence permits of Taiwan residents carry.
func Parse(raw string) (ID, error) {
	return parse(raw, time.Now())
}

// china is mainland China's time, UTC+8 all year, for deciding what today is.
var china = time.FixedZone("CST", 8*60*60)

// parse is Parse as of now.
func parse(raw string, now time.Time) (ID, error) {
	s := clean(raw)
	n := utf8.RuneCountInString(s)
	if n != 18 && n != 15 {
		return ID{}, fmt.Errorf("%w: %d characters, want 18 (or 15)", ErrLength, n)
	}
	if n == 15 && !allDigits(s) {
		return ID{}, fmt.Errorf("%w: want 15 digits", ErrCharacters)
	}
	if last := s[len(s)-1]; n == 18 && (!allDigits(s[:17]) || last != 'X' && (last < '0' || last > '9')) {
		return ID{}, fmt.Errorf("%w: want 17 digits and a digit or X", ErrCharacters)
	}
	if n == 15 {
		first17 := s[:6] + "19" + s[6:]
		s = first17 + string(CheckDigit(first17))
	}
	if !provinces[s[:2]] {
		return ID{}, fmt.Errorf("%w: no province %s", ErrRegion, s[:2])
	}
	birth, err := birthDate(s[6:14], now)
	if err != nil {
		return ID{}, err
	}
	if c := CheckDigit(s[:17]); c != s[17] {
		return ID{}, ErrCheckDigit
	}
	gender := "F"
	if (s[16]-'0')%2 == 1 {
		gender = "M"
	}
	return ID{Number: s, BirthDate: birth, Gender: gender, RegionCode: s[:6]}, nil
}

// birthDate checks the YYYYMMDD date d and returns it as YYYY-MM-DD.
func birthDate(d string, now time.Time) (string, error) {
	y, m, day := atoi(d[:4]), atoi(d[4:6]), atoi(d[6:])
	t := time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != m || t.Day() != day {
		return "", fmt.Errorf("%w: %s-%s-%s is not a date", ErrBirthDate, d[:4], d[4:6], d[6:])
	}
	if y < 1880 {
		return "", fmt.Errorf("%w: before 1880", ErrBirthDate)
	}
	ty, tm, td := now.In(china).Date()
	if t.After(time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)) {
		return "", fmt.Errorf("%w: in the future", ErrBirthDate)
	}
	return t.Format(time.DateOnly), nil
}

// weights are the ISO 7064 MOD 11-2 weights of the first 17 digits:
// 2^(17-i) mod 11.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// CheckDigit returns the check character ('0'-'9' or 'X') that completes
// the first 17 digits of an identity number, or 0 when first17 is not 17
// ASCII digits.
func CheckDigit(first17 string) byte {
	if len(first17) != 17 || !allDigits(first17) {
		return 0
	}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// Mask hides the birth date and sequence of an identity number for display
// to someone not entitled to see it, showing the first 6 and last 4
// characters: "310107********123X". A string shorter than 15 characters is
// hidden entirely.
func Mask(number string) string {
	r := []rune(number)
	if len(r) < 15 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// provinces are the first 2 digits of region codes: the provinces of
// GB/T 2260, Taiwan, Hong Kong and Macao, and 83 of Taiwan residents'
// residence permits.
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// clean folds full-width characters to ASCII, removes blanks and a leading
// apostrophe, and upper-cases x.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		}
		if r == 'x' {
			return 'X'
		}
		return r
	}, s)
	return strings.TrimPrefix(s, "'")
}

// allDigits reports whether s is made of ASCII digits only ("" is).
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi converts a string of ASCII digits.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
