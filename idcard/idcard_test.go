package idcard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// valid completes 17 digits with their check character.
func valid(first17 string) string {
	return first17 + string(CheckDigit(first17))
}

// wrong completes 17 digits with a check character that does not match.
func wrong(first17 string) string {
	c := CheckDigit(first17)
	for _, w := range []byte("0123456789X") {
		if w != c {
			return first17 + string(w)
		}
	}
	panic("unreachable")
}

// now is the fixed "today" of the tests: 15 June 2025, noon in China.
var now = time.Date(2025, 6, 15, 12, 0, 0, 0, china)

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		first17 string
		want    byte
	}{
		// The examples of GB 11643-1999 itself.
		{"11010519491231002", 'X'},
		{"44052418800101001", '4'},
		{"", 0},
		{"1101051949123100", 0},
		{"110105194912310021", 0},
		{"1101051949123100X", 0},
		{"１1010519491231002", 0},
	}
	for _, tt := range tests {
		if got := CheckDigit(tt.first17); got != tt.want {
			t.Errorf("CheckDigit(%q) = %q, want %q", tt.first17, got, tt.want)
		}
	}
	// Every check character is reachable, and a number completed with its
	// check character parses.
	seen := map[byte]bool{}
	for i := range 200 {
		first17 := fmt.Sprintf("31010719420305%03d", i)
		c := CheckDigit(first17)
		seen[c] = true
		if _, err := parse(first17+string(c), now); err != nil {
			t.Fatalf("CheckDigit(%q) = %q: %v", first17, c, err)
		}
	}
	if len(seen) != 11 {
		t.Errorf("check characters seen: %d, want 11", len(seen))
	}
}

func TestParse(t *testing.T) {
	x := valid("11010519491231002") // 11010519491231002X
	tests := []struct {
		name string
		raw  string
		want ID
	}{
		{"standard example, X", "11010519491231002X",
			ID{Number: "11010519491231002X", BirthDate: "1949-12-31", Gender: "F", RegionCode: "110105"}},
		{"standard example, born 1880", "440524188001010014",
			ID{Number: "440524188001010014", BirthDate: "1880-01-01", Gender: "M", RegionCode: "440524"}},
		{"shanghai man", valid("31010719420305123"),
			ID{Number: valid("31010719420305123"), BirthDate: "1942-03-05", Gender: "M", RegionCode: "310107"}},
		{"wuxi woman", valid("32021319380817024"),
			ID{Number: valid("32021319380817024"), BirthDate: "1938-08-17", Gender: "F", RegionCode: "320213"}},
		{"lower-case x", strings.ToLower(x),
			ID{Number: x, BirthDate: "1949-12-31", Gender: "F", RegionCode: "110105"}},
		{"full-width", "１１０１０５１９４９１２３１００２Ｘ",
			ID{Number: x, BirthDate: "1949-12-31", Gender: "F", RegionCode: "110105"}},
		{"full-width lower-case x", "１１０１０５１９４９１２３１００２ｘ",
			ID{Number: x, BirthDate: "1949-12-31", Gender: "F", RegionCode: "110105"}},
		{"blanks", " 110105 19491231 002X\t",
			ID{Number: x, BirthDate: "1949-12-31", Gender: "F", RegionCode: "110105"}},
		{"ideographic space", "110105　19491231　002X",
			ID{Number: x, BirthDate: "1949-12-31", Gender: "F", RegionCode: "110105"}},
		{"apostrophe", "'11010519491231002X",
			ID{Number: x, BirthDate: "1949-12-31", Gender: "F", RegionCode: "110105"}},
		{"leap day", valid("31010719400229123"),
			ID{Number: valid("31010719400229123"), BirthDate: "1940-02-29", Gender: "M", RegionCode: "310107"}},
		{"leap day 2000", valid("31010720000229124"),
			ID{Number: valid("31010720000229124"), BirthDate: "2000-02-29", Gender: "F", RegionCode: "310107"}},
		{"born today", valid("31010720250615123"),
			ID{Number: valid("31010720250615123"), BirthDate: "2025-06-15", Gender: "M", RegionCode: "310107"}},
		{"15 digits", "310107420305123",
			ID{Number: valid("31010719420305123"), BirthDate: "1942-03-05", Gender: "M", RegionCode: "310107"}},
		{"15 digits full-width", "３１０１０７４２０３０５１２４",
			ID{Number: valid("31010719420305124"), BirthDate: "1942-03-05", Gender: "F", RegionCode: "310107"}},
		{"15 digits leap day", "310107400229123",
			ID{Number: valid("31010719400229123"), BirthDate: "1940-02-29", Gender: "M", RegionCode: "310107"}},
		{"hong kong", valid("81000019500101123"),
			ID{Number: valid("81000019500101123"), BirthDate: "1950-01-01", Gender: "M", RegionCode: "810000"}},
		{"taiwan residence permit", valid("83000019500101124"),
			ID{Number: valid("83000019500101124"), BirthDate: "1950-01-01", Gender: "F", RegionCode: "830000"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.raw, now)
			if err != nil || got != tt.want {
				t.Errorf("parse(%q) = %+v, %v; want %+v", tt.raw, got, err, tt.want)
			}
			// The number it returns parses to itself.
			if again, err := parse(got.Number, now); err != nil || again != got {
				t.Errorf("parse(%q) = %+v, %v; not a fixed point", got.Number, again, err)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"empty", "", ErrLength},
		{"blanks", "   ", ErrLength},
		{"17 characters", "11010519491231002", ErrLength},
		{"19 characters", "11010519491231002X1", ErrLength},
		{"16 characters", "3101074203051234", ErrLength},
		{"spreadsheet scientific", "1.10105194912310E+17", ErrLength},
		{"letter inside", "1101051949123100AX", ErrCharacters},
		{"X inside", "11010519491231X021", ErrCharacters},
		{"other final letter", "11010519491231002Y", ErrCharacters},
		{"dash", "110105-19491231-02", ErrCharacters},
		{"chinese final", "11010519491231002中", ErrCharacters},
		{"15 with X", "31010742030512X", ErrCharacters},
		{"wrong check digit", wrong("11010519491231002"), ErrCheckDigit},
		{"wrong check digit X", "110105194912310021", ErrCheckDigit},
		{"swapped digits", "11010519491231020X", ErrCheckDigit},
		{"mistyped digit", "11010519491231003X", ErrCheckDigit},
		{"feb 29 non-leap", valid("31010719410229123"), ErrBirthDate},
		{"feb 29 1900", valid("31010719000229123"), ErrBirthDate},
		{"feb 30", valid("31010719400230123"), ErrBirthDate},
		{"month 13", valid("31010719421305123"), ErrBirthDate},
		{"month 00", valid("31010719420005123"), ErrBirthDate},
		{"day 00", valid("31010719420300123"), ErrBirthDate},
		{"april 31", valid("31010719420431123"), ErrBirthDate},
		{"before 1880", valid("44052418791231001"), ErrBirthDate},
		{"year 0000", valid("31010700000101123"), ErrBirthDate},
		{"tomorrow", valid("31010720250616123"), ErrBirthDate},
		{"next year", valid("31010720260101123"), ErrBirthDate},
		{"far future", valid("31010729990101123"), ErrBirthDate},
		{"15 digits bad date", "310107421305123", ErrBirthDate},
		{"province 00", valid("00010719420305123"), ErrRegion},
		{"province 10", valid("10010719420305123"), ErrRegion},
		{"province 16", valid("16010719420305123"), ErrRegion},
		{"province 39", valid("39010719420305123"), ErrRegion},
		{"province 84", valid("84010719420305123"), ErrRegion},
		{"province 91", valid("91010719420305123"), ErrRegion},
		{"15 digits province", "990107420305123", ErrRegion},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.raw, now)
			if !errors.Is(err, tt.want) {
				t.Fatalf("parse(%q) = %+v, %v; want %v", tt.raw, got, err, tt.want)
			}
			if got != (ID{}) {
				t.Errorf("parse(%q) returned %+v with its error", tt.raw, got)
			}
			if len(tt.raw) >= 6 && strings.Contains(err.Error(), tt.raw[:6]) {
				t.Errorf("error %q repeats the number", err)
			}
		})
	}
}

// TestParseToday checks that "today" is the date in China: at 20:00 UTC on
// 14 June it is already 15 June in Shanghai, and someone born that day
// exists.
func TestParseToday(t *testing.T) {
	born := valid("31010720250615123")
	if _, err := parse(born, time.Date(2025, 6, 14, 20, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("born today in China: %v", err)
	}
	if _, err := parse(born, time.Date(2025, 6, 14, 15, 0, 0, 0, time.UTC)); !errors.Is(err, ErrBirthDate) {
		t.Errorf("born tomorrow in China: %v, want ErrBirthDate", err)
	}
}

func TestParseUsesClock(t *testing.T) {
	if _, err := Parse("11010519491231002X"); err != nil {
		t.Errorf("Parse: %v", err)
	}
	tomorrow := time.Now().In(china).AddDate(0, 0, 1).Format("20060102")
	if _, err := Parse(valid("310107" + tomorrow + "123")); !errors.Is(err, ErrBirthDate) {
		t.Errorf("Parse born tomorrow: %v, want ErrBirthDate", err)
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"31010719420305123X", "310107********123X"},
		{"440524188001010014", "440524********0014"},
		{"310107420305123", "310107*****5123"},
		{"3101071942", "**********"},
		{"", ""},
		{"中文中文中文中文中文中文中文中文", "中文中文中文******中文中文"},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func ExampleParse() {
	id, err := Parse("110105 19491231 002x")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(id.Number, id.BirthDate, id.Gender, id.RegionCode)

	_, err = Parse("110105194912310021")
	fmt.Println(errors.Is(err, ErrCheckDigit))
	// Output:
	// 11010519491231002X 1949-12-31 F 110105
	// true
}

func ExampleCheckDigit() {
	fmt.Printf("%c\n", CheckDigit("11010519491231002"))
	// Output: X
}

func ExampleMask() {
	fmt.Println(Mask("11010519491231002X"))
	// Output: 110105********002X
}

// FuzzParse checks that whatever Parse accepts is an 18-character number
// that parses to itself.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"11010519491231002X", "310107420305123", "１１０１０５１９４９１２３１００２ｘ", "'440524188001010014"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, err := parse(raw, now)
		if err != nil {
			return
		}
		if len(id.Number) != 18 || CheckDigit(id.Number[:17]) != id.Number[17] {
			t.Fatalf("parse(%q).Number = %q", raw, id.Number)
		}
		if again, err := parse(id.Number, now); err != nil || again != id {
			t.Fatalf("parse(%q) = %+v; again %+v, %v", raw, id, again, err)
		}
	})
}
