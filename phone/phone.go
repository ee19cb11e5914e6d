// Package phone normalises Chinese telephone numbers to one canonical form,
// so that a number typed by a volunteer, imported from a spreadsheet or
// presented by a carrier on an incoming call compares equal to the one stored
// for an elder.
//
// The canonical form of a mobile is its 11 digits ("13812345678"). The
// canonical form of a landline is its long-distance area code with the
// leading 0, a dash and the local number ("021-62541234", "0510-82345678").
// Extensions are dropped: the elder is reached through the main number.
//
// The package is pure string work on the standard library. It knows nothing
// of elders, storage or telephony, and its errors never repeat the number,
// which is personal data.
package phone

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors returned by Normalize, always wrapped with a short description of
// what is wrong; test them with errors.Is.
var (
	// ErrEmpty reports an input with nothing but blanks in it.
	ErrEmpty = errors.New("phone: empty number")

	// ErrInvalid reports an input that cannot be a mainland China telephone
	// number: letters, a foreign country code, too few or too many digits, a
	// mobile that does not start with 13-19, a landline whose local number
	// starts with 0 or 1.
	ErrInvalid = errors.New("phone: not a valid number")

	// ErrService reports a service number (110, 120, 12345, 10086, 95588,
	// 400 and 800 numbers), which is nobody's own phone. It wraps ErrInvalid,
	// so test for ErrService first when the difference matters.
	ErrService = fmt.Errorf("%w: service number", ErrInvalid)

	// ErrNoAreaCode reports a local landline number (7 or 8 digits) given
	// without an area code when there is no usable default area code.
	ErrNoAreaCode = errors.New("phone: local number without area code")
)

// Normalize returns the canonical form of the mainland China telephone
// number raw, or an error wrapping ErrEmpty, ErrInvalid (ErrService for
// service numbers) or ErrNoAreaCode.
//
// It accepts what people and spreadsheets write: full-width digits and
// punctuation, blanks, dashes, dots and parentheses anywhere, a leading
// apostrophe (a spreadsheet's text marker), the prefixes +86, 0086 and 86,
// the area code with or without its 0 after a country code ("+86 21 6254
// 1234"), a trunk 0 before a mobile ("013812345678"), a number a spreadsheet
// stored as a number ("13812345678.0", "1.3812345678E+10", and "2162541234",
// a landline that lost the 0 of its area code). Scientific notation is
// accepted only when its mantissa holds every digit; "1.38123E+10" has lost
// some and is invalid.
//
// A local landline number without an area code is completed with
// defaultAreaCode ("021", "0510"); when that is "" or not an area code,
// Normalize returns ErrNoAreaCode.
//
// An extension after the main number of a landline is dropped: it may follow
// 转, 分机 or ext ("021-62541234 转 8001"), or a dash when the digits before
// it make a complete landline number ("021-62541234-8001"). Mobiles have no
// extensions.
//
// Normalize reads one number; splitting a cell that holds several ("138...
// / 021-...") is the caller's job.
func Normalize(raw, defaultAreaCode string) (string, error) {
	s := clean(raw)
	if s == "" {
		return "", ErrEmpty
	}
	if d, ok, err := unexcel(s); err != nil {
		return "", err
	} else if ok {
		return national(d, false, true, defaultAreaCode)
	}
	main, hasExt, err := cutExtension(s)
	if err != nil {
		return "", err
	}
	groups, dashed, plus, err := split(main)
	if err != nil {
		return "", err
	}
	n, err := national(strings.Join(groups, ""), plus, len(groups) == 1, defaultAreaCode)
	if err != nil && !hasExt && dashed && len(groups[len(groups)-1]) <= 6 {
		// Perhaps the last group is an extension: "021-62541234-8001".
		groups = groups[:len(groups)-1]
		n2, err2 := national(strings.Join(groups, ""), plus, len(groups) == 1, defaultAreaCode)
		switch {
		case err2 == nil && !IsMobile(n2):
			return n2, nil
		case errors.Is(err2, ErrNoAreaCode):
			return "", err2
		}
	}
	if err != nil {
		return "", err
	}
	if hasExt && IsMobile(n) {
		return "", fmt.Errorf("%w: a mobile number has no extension", ErrInvalid)
	}
	return n, nil
}

// Candidates returns the canonical numbers an incoming caller number raw
// may stand for, for looking up who is calling. Carriers present callers
// in several forms: a local landline without its area code ("62541234",
// completed with defaultAreaCode), with it ("02162541234"), in international
// form ("+8613812345678"), or a mobile from another city with a trunk 0
// ("013812345678").
//
// It returns no candidates (a nil slice) for an anonymous or withheld
// caller, a service number, or anything else that is not plausibly a
// telephone number. Under today's numbering plan every plausible caller
// number has exactly one reading, so there is at most one candidate; the
// result is a slice so that lookups match any of them.
func Candidates(raw, defaultAreaCode string) []string {
	n, err := Normalize(raw, defaultAreaCode)
	if err != nil {
		return nil
	}
	return []string{n}
}

// IsMobile reports whether canonical is a mobile number in canonical form:
// 11 digits starting with 13 to 19.
func IsMobile(canonical string) bool {
	return len(canonical) == 11 && allDigits(canonical) &&
		canonical[0] == '1' && canonical[1] >= '3' && canonical[1] <= '9'
}

// Tail returns the last n digits of canonical, skipping the dash of a
// landline, for finding an elder by the end of a phone number. It returns
// every digit when there are n or fewer, and "" when n is not positive.
func Tail(canonical string, n int) string {
	if n <= 0 {
		return ""
	}
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, canonical)
	if n >= len(d) {
		return d
	}
	return d[len(d)-n:]
}

// Mask hides the middle of a canonical number for display to someone not
// entitled to see it: "138****5678" for a mobile, "021-****1234" for a
// landline (the area code and the last 4 digits stay). Anything not in
// canonical form has every digit but the last 4 hidden, or every digit when
// it has fewer than 8.
func Mask(canonical string) string {
	if IsMobile(canonical) {
		return canonical[:3] + "****" + canonical[7:]
	}
	if area, local, ok := strings.Cut(canonical, "-"); ok && validArea(area) && len(local) >= 7 && allDigits(local) {
		return area + "-" + strings.Repeat("*", len(local)-4) + local[len(local)-4:]
	}
	n := len(Tail(canonical, len(canonical)))
	keep := 4
	if n < 8 {
		keep = 0
	}
	seen := 0
	return strings.Map(func(r rune) rune {
		if r < '0' || r > '9' {
			return r
		}
		seen++
		if seen > n-keep {
			return r
		}
		return '*'
	}, canonical)
}

// AreaCode returns the long-distance area code, with its leading 0, of the
// city whose division code (GB/T 2260) is cityCode: AreaCode("3101") is
// "021", AreaCode("3202") is "0510". A longer code (a district, street or
// committee) is looked up by its first 4 digits. It returns "" for a city
// not in the table; callers then need the area code from elsewhere.
func AreaCode(cityCode string) string {
	if len(cityCode) < 4 {
		return ""
	}
	return areaCodes[cityCode[:4]]
}

// areaCodes maps city division codes to long-distance area codes, from the
// national long-distance area code plan of the Ministry of Industry and
// Information Technology (电信网编码计划, 长途区号), as in force in 2024, and
// checked against the geocoding table of Google's libphonenumber
// (resources/geocoding/zh/86.txt). Cities whose local networks merged share
// a code (Hainan is 0898 throughout; Bozhou uses Fuyang's 0558).
//
// It covers the four municipalities (with their former county codes 1102,
// 1202, 3102 and 5003, which old ID numbers still carry), every city of the
// Yangtze River Delta provinces Jiangsu, Zhejiang and Anhui, Hainan,
// Shenzhen, and every provincial capital. Other cities are left out rather
// than guessed: a wrong area code would silently misfile a number.
var areaCodes = map[string]string{
	// Municipalities.
	"1101": "010", "1102": "010", // Beijing
	"1201": "022", "1202": "022", // Tianjin
	"3101": "021", "3102": "021", // Shanghai
	"5001": "023", "5002": "023", "5003": "023", // Chongqing

	// Jiangsu.
	"3201": "025",  // Nanjing
	"3202": "0510", // Wuxi
	"3203": "0516", // Xuzhou
	"3204": "0519", // Changzhou
	"3205": "0512", // Suzhou
	"3206": "0513", // Nantong
	"3207": "0518", // Lianyungang
	"3208": "0517", // Huai'an
	"3209": "0515", // Yancheng
	"3210": "0514", // Yangzhou
	"3211": "0511", // Zhenjiang
	"3212": "0523", // Taizhou
	"3213": "0527", // Suqian

	// Zhejiang.
	"3301": "0571", // Hangzhou
	"3302": "0574", // Ningbo
	"3303": "0577", // Wenzhou
	"3304": "0573", // Jiaxing
	"3305": "0572", // Huzhou
	"3306": "0575", // Shaoxing
	"3307": "0579", // Jinhua
	"3308": "0570", // Quzhou
	"3309": "0580", // Zhoushan
	"3310": "0576", // Taizhou
	"3311": "0578", // Lishui

	// Anhui.
	"3401": "0551", // Hefei
	"3402": "0553", // Wuhu
	"3403": "0552", // Bengbu
	"3404": "0554", // Huainan
	"3405": "0555", // Ma'anshan
	"3406": "0561", // Huaibei
	"3407": "0562", // Tongling
	"3408": "0556", // Anqing
	"3410": "0559", // Huangshan
	"3411": "0550", // Chuzhou
	"3412": "0558", // Fuyang
	"3413": "0557", // Suzhou (Anhui)
	"3415": "0564", // Lu'an
	"3416": "0558", // Bozhou
	"3417": "0566", // Chizhou
	"3418": "0563", // Xuancheng

	// Hainan.
	"4601": "0898", "4602": "0898", "4603": "0898", "4604": "0898", "4690": "0898",

	// Other provincial capitals, and Shenzhen.
	"1301": "0311", // Shijiazhuang
	"1401": "0351", // Taiyuan
	"1501": "0471", // Hohhot
	"2101": "024",  // Shenyang
	"2201": "0431", // Changchun
	"2301": "0451", // Harbin
	"3501": "0591", // Fuzhou
	"3601": "0791", // Nanchang
	"3701": "0531", // Jinan
	"4101": "0371", // Zhengzhou
	"4201": "027",  // Wuhan
	"4301": "0731", // Changsha
	"4401": "020",  // Guangzhou
	"4403": "0755", // Shenzhen
	"4501": "0771", // Nanning
	"5101": "028",  // Chengdu
	"5201": "0851", // Guiyang
	"5301": "0871", // Kunming
	"5401": "0891", // Lhasa
	"6101": "029",  // Xi'an
	"6201": "0931", // Lanzhou
	"6301": "0971", // Xining
	"6401": "0951", // Yinchuan
	"6501": "0991", // Urumqi
}

// national reads the digits d of a number (plus when it was written with a
// leading +, single when it was written without separators) and returns its
// canonical form.
func national(d string, plus, single bool, defaultAreaCode string) (string, error) {
	intl := plus
	switch {
	case plus:
		if !strings.HasPrefix(d, "86") {
			return "", fmt.Errorf("%w: not a mainland China number", ErrInvalid)
		}
		d = d[2:]
	case strings.HasPrefix(d, "0086") && len(d) >= 13:
		d, intl = d[4:], true
	case strings.HasPrefix(d, "86") && len(d) >= 11:
		// No national number starts with 86 and has 11 or more digits.
		d, intl = d[2:], true
	}
	switch {
	case d == "":
		return "", fmt.Errorf("%w: no digits", ErrInvalid)
	case d[0] == '1':
		if IsMobile(d) {
			return d, nil
		}
		if len(d) <= 6 && !intl {
			return "", ErrService
		}
		return "", fmt.Errorf("%w: a mobile number has 11 digits and starts with 13 to 19", ErrInvalid)
	case d[0] == '0':
		if len(d) == 12 && IsMobile(d[1:]) {
			return d[1:], nil // a trunk 0 before a mobile
		}
		return landline(d)
	case intl:
		return landline("0" + d) // the area code without its 0
	case len(d) == 10 && (strings.HasPrefix(d, "400") || strings.HasPrefix(d, "800")):
		return "", ErrService
	case d[0] == '9' && len(d) <= 6:
		return "", ErrService // 95xxx, 96xxx
	case len(d) == 7 || len(d) == 8:
		if defaultAreaCode == "" {
			return "", ErrNoAreaCode
		}
		if !validArea(defaultAreaCode) {
			return "", fmt.Errorf("%w: the default area code is not an area code", ErrNoAreaCode)
		}
		return withArea(defaultAreaCode, d)
	case single && (len(d) == 10 || len(d) == 11):
		return landline("0" + d) // a spreadsheet dropped the 0 of the area code
	}
	return "", fmt.Errorf("%w: %d digits", ErrInvalid, len(d))
}

// landline splits d, which starts with the 0 of an area code, into area
// code and local number.
func landline(d string) (string, error) {
	n := 4
	switch {
	case strings.HasPrefix(d, "010") || strings.HasPrefix(d, "02"):
		n = 3
	case len(d) < 2 || d[1] < '3':
		return "", fmt.Errorf("%w: no such area code", ErrInvalid)
	}
	if len(d) <= n {
		return "", fmt.Errorf("%w: area code without a number", ErrInvalid)
	}
	return withArea(d[:n], d[n:])
}

// withArea checks the local number of a landline in the area and returns
// the canonical form.
func withArea(area, local string) (string, error) {
	if local[0] == '0' || local[0] == '1' {
		return "", fmt.Errorf("%w: a local number starts with 2 to 9", ErrInvalid)
	}
	if len(area) == 3 && len(local) != 8 {
		return "", fmt.Errorf("%w: local numbers in area %s have 8 digits, not %d", ErrInvalid, area, len(local))
	}
	if len(local) != 7 && len(local) != 8 {
		return "", fmt.Errorf("%w: a local number has 7 or 8 digits, not %d", ErrInvalid, len(local))
	}
	return area + "-" + local, nil
}

// validArea reports whether code has the shape of a long-distance area code:
// 010 and 020-029, or 4 digits 03xx-09xx.
func validArea(code string) bool {
	if !allDigits(code) || len(code) < 3 || code[0] != '0' {
		return false
	}
	switch len(code) {
	case 3:
		return code == "010" || code[1] == '2'
	case 4:
		return code[1] >= '3'
	}
	return false
}

// clean folds full-width and look-alike characters to ASCII, trims blanks
// and drops a leading apostrophe.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			return r - 0xFEE0
		case r == 0x3000, r == 0x00A0, r == 0x2007, r == 0x202F: // wide and no-break spaces
			return ' '
		case r >= 0x2010 && r <= 0x2015, r == 0x2212, r == 0xFE63: // hyphens, dashes, minus
			return '-'
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "'") {
		s = strings.TrimSpace(s[1:])
	}
	return s
}

// unexcel undoes what a spreadsheet does to a number stored as a number:
// "13812345678.0" and "1.3812345678E+10" both give "13812345678". ok is
// false when s is not written that way; err is set when it is but digits
// were lost.
func unexcel(s string) (digits string, ok bool, err error) {
	mant, exp, sci := strings.Cut(strings.ToUpper(s), "E")
	whole, frac, dot := strings.Cut(mant, ".")
	if !allDigits(whole) || !allDigits(frac) || (dot && frac == "") {
		return "", false, nil
	}
	if !sci {
		if !dot || strings.Trim(frac, "0") != "" {
			return "", false, nil
		}
		return whole, true, nil
	}
	exp = strings.TrimPrefix(exp, "+")
	if exp == "" || len(exp) > 2 || !allDigits(exp) {
		return "", false, nil
	}
	if e, _ := strconv.Atoi(exp); len(frac) != e {
		return "", false, fmt.Errorf("%w: scientific notation has lost digits", ErrInvalid)
	}
	return whole + frac, true, nil
}

// cutExtension returns s without an extension introduced by 转, 分机 or ext,
// and whether there was one.
func cutExtension(s string) (main string, ext bool, err error) {
	lower := strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s) // ASCII only, so byte offsets stay those of s
	at, marker := -1, ""
	for _, m := range []string{"转", "分机", "ext"} {
		if i := strings.Index(lower, m); i >= 0 && (at < 0 || i < at) {
			at, marker = i, m
		}
	}
	if at < 0 {
		return s, false, nil
	}
	rest := strings.TrimLeft(s[at+len(marker):], ".:： \t")
	rest = strings.TrimSpace(rest)
	if rest == "" || len(rest) > 6 || !allDigits(rest) {
		return "", false, fmt.Errorf("%w: an extension has 1 to 6 digits", ErrInvalid)
	}
	return s[:at], true, nil
}

// split reads the digits of s in groups between separators, whether the
// last group follows a dash, and whether s starts with a +.
func split(s string) (groups []string, dashed, plus bool, err error) {
	var cur strings.Builder
	dash := false // a dash since the last group
	flush := func() {
		if cur.Len() > 0 {
			groups = append(groups, cur.String())
			cur.Reset()
			dashed, dash = dash && len(groups) > 1, false
		}
	}
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			cur.WriteRune(r)
		case r == '-':
			flush()
			dash = true
		case r == ' ', r == '\t', r == '.', r == '(', r == ')':
			flush()
		case r == '+' && !plus && len(groups) == 0 && cur.Len() == 0:
			plus = true
		default:
			return nil, false, false, fmt.Errorf("%w: unexpected character %q", ErrInvalid, r)
		}
	}
	flush()
	if len(groups) == 0 {
		return nil, false, false, fmt.Errorf("%w: no digits", ErrInvalid)
	}
	return groups, dashed, plus, nil
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
