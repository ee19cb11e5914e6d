package phone

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		area string // default area code
		want string
	}{
		// Mobiles.
		{"mobile", "13812345678", "", "13812345678"},
		{"mobile 19x", "19912345678", "021", "19912345678"},
		{"mobile with +86", "+8613812345678", "", "13812345678"},
		{"mobile with +86 and spaces", "+86 138 1234 5678", "", "13812345678"},
		{"mobile with 0086", "008613812345678", "", "13812345678"},
		{"mobile with 86", "8613812345678", "", "13812345678"},
		{"mobile with 86 dash", "86-138-1234-5678", "", "13812345678"},
		{"mobile with (+86)", "(+86)13812345678", "", "13812345678"},
		{"mobile with trunk 0", "013812345678", "021", "13812345678"},
		{"mobile with +86 and trunk 0", "+86 013812345678", "", "13812345678"},
		{"mobile dashes", "138-1234-5678", "", "13812345678"},
		{"mobile dots", "138.1234.5678", "", "13812345678"},
		{"mobile parentheses", "(138)12345678", "", "13812345678"},
		{"mobile tabs and spaces", " \t13812345678\t ", "", "13812345678"},
		{"mobile full-width digits", "１３８１２３４５６７８", "", "13812345678"},
		{"mobile full-width plus and dash", "＋８６　１３８－１２３４－５６７８", "", "13812345678"},
		{"mobile em dash", "138—1234—5678", "", "13812345678"},
		{"mobile no-break space", "138\u00a01234\u00a05678", "", "13812345678"},
		{"mobile apostrophe", "'13812345678", "", "13812345678"},
		{"mobile apostrophe and spaces", "  ' 13812345678 ", "", "13812345678"},
		{"mobile full-width apostrophe", "＇13812345678", "", "13812345678"},
		{"mobile excel .0", "13812345678.0", "", "13812345678"},
		{"mobile excel .00", "13812345678.00", "", "13812345678"},
		{"mobile excel scientific", "1.3812345678E+10", "", "13812345678"},
		{"mobile excel scientific lower", "1.3812345678e10", "", "13812345678"},
		{"mobile excel scientific full-width", "１.３８１２３４５６７８Ｅ＋１０", "", "13812345678"},

		// Landlines with an area code.
		{"landline dash", "021-62541234", "", "021-62541234"},
		{"landline dash and space", "021-6254 1234", "", "021-62541234"},
		{"landline parentheses", "(021)62541234", "", "021-62541234"},
		{"landline full-width parentheses", "（０２１）６２５４１２３４", "", "021-62541234"},
		{"landline space", "021 62541234", "", "021-62541234"},
		{"landline digits only", "02162541234", "", "021-62541234"},
		{"landline other area than default", "02162541234", "0510", "021-62541234"},
		{"landline beijing", "010-82345678", "", "010-82345678"},
		{"landline 4-digit area", "0510-82345678", "", "0510-82345678"},
		{"landline 4-digit area 7 digits", "0510-8234567", "", "0510-8234567"},
		{"landline 4-digit area digits only", "051282345678", "", "0512-82345678"},
		{"landline +86", "+86 21 6254 1234", "", "021-62541234"},
		{"landline +86 (0)", "+86 (0)21 6254 1234", "", "021-62541234"},
		{"landline 86 dashes", "86-21-62541234", "", "021-62541234"},
		{"landline 0086", "0086 510 82345678", "", "0510-82345678"},
		{"landline excel lost 0", "2162541234", "", "021-62541234"},
		{"landline excel lost 0 4-digit", "51082345678", "", "0510-82345678"},
		{"landline excel lost 0 .0", "2162541234.0", "", "021-62541234"},
		{"landline apostrophe", "'021-62541234", "", "021-62541234"},

		// Local landlines.
		{"local shanghai", "62541234", "021", "021-62541234"},
		{"local shanghai split", "6254 1234", "021", "021-62541234"},
		{"local wuxi", "82345678", "0510", "0510-82345678"},
		{"local wuxi 7 digits", "8234567", "0510", "0510-8234567"},
		{"local excel .0", "62541234.0", "021", "021-62541234"},

		// Extensions are dropped.
		{"extension dash", "021-62541234-8001", "", "021-62541234"},
		{"extension dash short", "021-62541234-8", "", "021-62541234"},
		{"extension after dash and blanks", "021 62541234 - 8001", "", "021-62541234"},
		{"extension 转", "021-62541234转8001", "", "021-62541234"},
		{"extension 转 spaced", "021-62541234 转 8001", "", "021-62541234"},
		{"extension 分机", "021-62541234分机8001", "", "021-62541234"},
		{"extension ext", "021-62541234 ext 8001", "", "021-62541234"},
		{"extension EXT.", "021-62541234 EXT. 8001", "", "021-62541234"},
		{"extension ext:", "021-62541234 ext:8001", "", "021-62541234"},
		{"extension on local", "62541234-8001", "021", "021-62541234"},
		{"extension 转 on local", "62541234转8001", "021", "021-62541234"},
		{"extension +86", "+86 21 62541234-8001", "", "021-62541234"},
		{"extension full-width", "０２１－６２５４１２３４－８００１", "", "021-62541234"},
		{"4-digit area with dash digit reads as 8-digit local", "0510-8234567-8", "", "0510-82345678"},
		{"4-digit area 7 digits and extension", "0510-8234567-1234", "", "0510-8234567"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.raw, tt.area)
			if err != nil || got != tt.want {
				t.Errorf("Normalize(%q, %q) = %q, %v; want %q", tt.raw, tt.area, got, err, tt.want)
			}
			// The canonical form is a fixed point.
			if again, err := Normalize(got, ""); err != nil || again != got {
				t.Errorf("Normalize(%q) = %q, %v; not a fixed point", got, again, err)
			}
		})
	}
}

func TestNormalizeErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		area string
		want error
	}{
		{"empty", "", "021", ErrEmpty},
		{"blanks", " \t　", "021", ErrEmpty},
		{"apostrophe only", "'", "021", ErrEmpty},

		{"local without default", "62541234", "", ErrNoAreaCode},
		{"local 7 digits without default", "8234567", "", ErrNoAreaCode},
		{"local with bad default", "62541234", "21", ErrNoAreaCode},
		{"local with non-digit default", "62541234", "0x1", ErrNoAreaCode},
		{"local extension without default", "62541234-8001", "", ErrNoAreaCode},

		{"police", "110", "021", ErrService},
		{"ambulance", "120", "021", ErrService},
		{"citizen hotline", "12345", "021", ErrService},
		{"carrier", "10086", "021", ErrService},
		{"bank", "95588", "021", ErrService},
		{"local service", "96777", "021", ErrService},
		{"400", "400-820-8820", "021", ErrService},
		{"800", "8008208820", "021", ErrService},

		{"letters", "138abc45678", "", ErrInvalid},
		{"word", "unknown", "", ErrInvalid},
		{"chinese text", "无", "", ErrInvalid},
		{"x extension", "021-62541234 x8001", "", ErrInvalid},
		{"two numbers", "13812345678/13912345678", "", ErrInvalid},
		{"two numbers comma", "13812345678，13912345678", "", ErrInvalid},
		{"punctuation only", "--", "", ErrInvalid},
		{"plus in the middle", "138+12345678", "", ErrInvalid},
		{"foreign", "+852 2123 4567", "", ErrInvalid},
		{"foreign 00", "0085221234567", "", ErrInvalid},
		{"too few digits", "1381234567", "", ErrInvalid},
		{"too many digits", "138123456789", "", ErrInvalid},
		{"mobile 12x", "12812345678", "", ErrInvalid},
		{"mobile 11x", "11812345678", "", ErrInvalid},
		{"mobile 10x", "10812345678", "", ErrInvalid},
		{"mobile with extension", "13812345678转8001", "", ErrInvalid},
		{"mobile with dash extension", "138-1234-5678-8001", "", ErrInvalid},
		{"landline local starts with 0", "021-02541234", "", ErrInvalid},
		{"landline local starts with 1", "021-12541234", "", ErrInvalid},
		{"local starts with 0 after default", "0510-0234567", "", ErrInvalid},
		{"landline 3-digit area 7 digits", "021-6254123", "", ErrInvalid},
		{"landline 3-digit area 9 digits", "021-625412345", "", ErrInvalid},
		{"landline 4-digit area 6 digits", "0510-823456", "", ErrInvalid},
		{"landline 4-digit area 9 digits", "0510823456789", "", ErrInvalid},
		{"area 01x", "011-62541234", "", ErrInvalid},
		{"area only", "021", "", ErrInvalid},
		{"zero", "0", "", ErrInvalid},
		{"local 7 digits in 3-digit area", "6254123", "021", ErrInvalid},
		{"local starts with 1", "12541234", "021", ErrInvalid},
		{"+86 without area code", "+86 62541234", "021", ErrInvalid},
		{"+ alone", "+", "", ErrInvalid},
		{"9 digits", "625412345", "021", ErrInvalid},
		{"12 digits", "621234567890", "021", ErrInvalid},
		{"lost 0 with separators", "21-62541234", "", ErrInvalid},
		{"excel lost digits", "1.38123E+10", "", ErrInvalid},
		{"excel fraction", "1.3812345678E+9", "", ErrInvalid},
		{"excel real fraction", "13812345678.5", "", ErrInvalid},
		{"empty extension", "021-62541234转", "", ErrInvalid},
		{"long extension", "021-62541234 ext 12345678", "", ErrInvalid},
		{"extension with text", "021-62541234转8001张阿姨", "", ErrInvalid},
		{"extension only", "转8001", "", ErrInvalid},
		{"extension too long after dash", "021-62541234-1234567", "", ErrInvalid},
		{"blank before unmarked extension", "021 62541234 8001", "", ErrInvalid},
		{"three blank groups", "6254 1234 5678", "021", ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Normalize(tt.raw, tt.area)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Normalize(%q, %q) = %q, %v; want %v", tt.raw, tt.area, got, err, tt.want)
			}
			if got != "" {
				t.Errorf("Normalize(%q, %q) returned %q with its error", tt.raw, tt.area, got)
			}
			if strings.Contains(err.Error(), strings.TrimSpace(tt.raw)) && len(strings.TrimSpace(tt.raw)) > 3 {
				t.Errorf("error %q repeats the number", err)
			}
		})
	}
}

func TestErrServiceIsInvalid(t *testing.T) {
	_, err := Normalize("95588", "021")
	if !errors.Is(err, ErrService) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrService wrapping ErrInvalid", err)
	}
	for _, e := range []error{ErrEmpty, ErrNoAreaCode} {
		if errors.Is(e, ErrInvalid) {
			t.Errorf("%v is ErrInvalid", e)
		}
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		area string
		want []string
	}{
		{"local landline", "62541234", "021", []string{"021-62541234"}},
		{"local landline wuxi", "82345678", "0510", []string{"0510-82345678"}},
		{"landline with area code", "02162541234", "021", []string{"021-62541234"}},
		{"landline other city", "051082345678", "021", []string{"0510-82345678"}},
		{"landline without trunk 0", "2162541234", "0510", []string{"021-62541234"}},
		{"mobile international", "+8613812345678", "021", []string{"13812345678"}},
		{"mobile 86", "8613812345678", "021", []string{"13812345678"}},
		{"mobile trunk 0", "013812345678", "021", []string{"13812345678"}},
		{"mobile", "13812345678", "", []string{"13812345678"}},
		{"local without default", "62541234", "", nil},
		{"anonymous", "anonymous", "021", nil},
		{"withheld", "", "021", nil},
		{"service", "95588", "021", nil},
		{"short", "1234", "021", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Candidates(tt.raw, tt.area); !slices.Equal(got, tt.want) {
				t.Errorf("Candidates(%q, %q) = %q, want %q", tt.raw, tt.area, got, tt.want)
			}
		})
	}
}

func TestIsMobile(t *testing.T) {
	for s, want := range map[string]bool{
		"13812345678":    true,
		"13012345678":    true,
		"19912345678":    true,
		"12812345678":    false,
		"1381234567":     false,
		"138123456789":   false,
		"1381234567x":    false,
		"021-62541234":   false,
		"+8613812345678": false,
		"":               false,
	} {
		if got := IsMobile(s); got != want {
			t.Errorf("IsMobile(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestTail(t *testing.T) {
	tests := []struct {
		canonical string
		n         int
		want      string
	}{
		{"13812345678", 4, "5678"},
		{"13812345678", 11, "13812345678"},
		{"13812345678", 20, "13812345678"},
		{"021-62541234", 4, "1234"},
		{"021-62541234", 8, "62541234"},
		{"021-62541234", 10, "2162541234"},
		{"021-62541234", 0, ""},
		{"021-62541234", -1, ""},
		{"", 4, ""},
	}
	for _, tt := range tests {
		if got := Tail(tt.canonical, tt.n); got != tt.want {
			t.Errorf("Tail(%q, %d) = %q, want %q", tt.canonical, tt.n, got, tt.want)
		}
	}
}

func TestMask(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"13812345678", "138****5678"},
		{"021-62541234", "021-****1234"},
		{"0510-82345678", "0510-****5678"},
		{"0510-8234567", "0510-***4567"},
		// Not canonical: hide all but the last 4 digits, or everything.
		{"+86 138 1234 5678", "+** *** **** 5678"},
		{"62541234", "****1234"},
		{"95588", "*****"},
		{"1234", "****"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Mask(tt.in); got != tt.want {
			t.Errorf("Mask(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestAreaCode(t *testing.T) {
	tests := []struct {
		code, want string
	}{
		{"1101", "010"},
		{"1201", "022"},
		{"3101", "021"},
		{"5001", "023"},
		{"5002", "023"},
		{"3202", "0510"},
		{"3205", "0512"},
		{"3201", "025"},
		{"3301", "0571"},
		{"4401", "020"},
		{"4403", "0755"},
		{"4201", "027"},
		{"5101", "028"},
		{"6101", "029"},
		{"2101", "024"},
		{"4601", "0898"},
		{"310107", "021"},        // a district
		{"320213005001", "0510"}, // a committee
		{"310230", "021"},        // 崇明县, an old county code still on ID cards
		{"4402", ""},             // a city left out
		{"31", ""},               // a province
		{"", ""},
		{"９９９９", ""},
	}
	for _, tt := range tests {
		if got := AreaCode(tt.code); got != tt.want {
			t.Errorf("AreaCode(%q) = %q, want %q", tt.code, got, tt.want)
		}
	}
}

// TestAreaCodeTable checks the whole table: every province it must cover is
// complete, every code has the right shape, and 3-digit codes belong to the
// cities that have them.
func TestAreaCodeTable(t *testing.T) {
	for prov, last := range map[string]int{"32": 13, "33": 11} {
		for i := 1; i <= last; i++ {
			code := prov + string(rune('0'+i/10)) + string(rune('0'+i%10))
			if AreaCode(code) == "" {
				t.Errorf("AreaCode(%q) missing", code)
			}
		}
	}
	capitals := []string{"1101", "1201", "1301", "1401", "1501", "2101", "2201", "2301", "3101", "3201", "3301",
		"3401", "3501", "3601", "3701", "4101", "4201", "4301", "4401", "4501", "4601", "5001", "5101", "5201",
		"5301", "5401", "6101", "6201", "6301", "6401", "6501"}
	for _, c := range capitals {
		if AreaCode(c) == "" {
			t.Errorf("capital %s missing", c)
		}
	}
	for city, area := range areaCodes {
		if len(city) != 4 || !allDigits(city) {
			t.Errorf("city code %q", city)
		}
		if !validArea(area) {
			t.Errorf("%s: area code %q has the wrong shape", city, area)
		}
		// Every area code makes a valid local number its own.
		if got, err := Normalize("82345678", area); err != nil || got != area+"-82345678" {
			t.Errorf("%s: Normalize with default %q = %q, %v", city, area, got, err)
		}
	}
}

func TestNormalizeNeverPanics(t *testing.T) {
	inputs := []string{"\xff\xfe", "转", "ext", "EXT", "İext1", "1E", "1.E+1", ".0", "E+10", "1e+999", "+86",
		"0086", "86", "00", "(", "'", "''13812345678", "0" + strings.Repeat("1", 100)}
	for _, in := range inputs {
		_, _ = Normalize(in, "021")
		_ = Candidates(in, "021")
		_ = Mask(in)
		_ = Tail(in, 4)
	}
}

// FuzzNormalize checks that whatever Normalize accepts is canonical: a fixed
// point, a mobile or a landline of the right shape, and that its mask hides
// something.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"13812345678", "+86 21 6254 1234", "62541234", "021-62541234转8001",
		"1.3812345678E+10", "１３８１２３４５６７８", "95588", "'013812345678"} {
		f.Add(s, "021")
	}
	f.Fuzz(func(t *testing.T, raw, area string) {
		n, err := Normalize(raw, area)
		if err != nil {
			return
		}
		if again, err := Normalize(n, ""); err != nil || again != n {
			t.Fatalf("Normalize(%q, %q) = %q; again %q, %v", raw, area, n, again, err)
		}
		a, local, isLandline := strings.Cut(n, "-")
		if !IsMobile(n) && !(isLandline && validArea(a) && allDigits(local)) {
			t.Fatalf("Normalize(%q, %q) = %q, not canonical", raw, area, n)
		}
		if !strings.Contains(Mask(n), "***") {
			t.Fatalf("Mask(%q) = %q", n, Mask(n))
		}
	})
}
