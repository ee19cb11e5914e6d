package anxin

import (
	"strconv"
	"strings"
)

// MaxPriceFen is the highest price Anxin stores: ¥1,000,000.00. The dearest
// thing the Wuxi catalogue lists is a live-in carer at ¥6,500 a month; a
// larger number is a typing mistake.
const MaxPriceFen = 100_000_000

// Prices are integers of fen (分, 0.01 yuan) everywhere: in the database,
// in the API (price_fen) and in Go. They are never floating point.

// ParseYuan reads a price typed in yuan and returns it in fen, exactly,
// without floating point. It accepts:
//
//   - a decimal number with at most two decimals, optionally with thousands
//     separators in groups of three: 12, 12.5, 12.50, 6,500, 6,500.00
//     (further decimals only when they are zeros: 12.500);
//   - the same with a ¥ or ￥ sign before it and/or 元 after it: ¥12.50,
//     12.5元, ¥ 6,500.00;
//   - yuan, jiao and fen in words: 12元5角, 12元5角3分, 5角, 3分, 12元零5分,
//     12块5毛, and 12块5 (a digit after 元 or 块 is jiao, as people say it);
//   - full-width digits and signs (１２．５元), and spaces anywhere.
//
// It refuses everything else with EINVALID: negative prices, more than two
// decimals that are not zeros, Chinese numerals (十二元), units (元/月),
// exponents, and prices above MaxPriceFen. An empty string is refused too.
func ParseYuan(s string) (int64, error) {
	t := foldPrice(s)
	switch {
	case t == "":
		return 0, ErrorKey(EINVALID, "err.price_required", "Enter a price.")
	case strings.HasPrefix(t, "-") || strings.HasPrefix(t, "¥-"):
		return 0, ErrorKey(EINVALID, "err.price_negative", "A price cannot be negative.")
	}
	var fen int64
	var err error
	if strings.ContainsAny(t, "角毛分块") || strings.Contains(strings.TrimSuffix(t, "元"), "元") {
		fen, err = parseYuanWords(t)
	} else {
		fen, err = parseYuanDecimal(t)
	}
	if err != nil {
		return 0, err
	}
	if fen > MaxPriceFen {
		return 0, errPriceTooLarge()
	}
	return fen, nil
}

func errPriceFormat(s string) error {
	return ErrorKey(EINVALID, "err.price_format", "%q is not a price: write yuan like 12.50, ¥12.50, 12.5元 or 12元5角.", s)
}

func errPriceTooLarge() error {
	return ErrorKey(EINVALID, "err.price_too_large", "The price is too large (at most %s).", FormatYuan(MaxPriceFen))
}

// foldPrice turns full-width characters into their ASCII forms, ￥ into ¥
// and − into -, and removes spaces, except a space inside a number (12 34),
// which stays and makes the price unreadable.
func foldPrice(s string) string {
	rs := []rune(strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\u3000' || r == '\u00a0':
			return ' '
		case r == '￥':
			return '¥'
		case r == '−' || r == '－':
			return '-'
		case r >= '！' && r <= '～':
			return r - ('！' - '!')
		}
		return r
	}, s))
	numeric := func(r rune) bool { return r >= '0' && r <= '9' || r == '.' || r == ',' }
	var b strings.Builder
	for i, r := range rs {
		if r != ' ' {
			b.WriteRune(r)
			continue
		}
		j := i + 1
		for j < len(rs) && rs[j] == ' ' {
			j++
		}
		if b.Len() > 0 && j < len(rs) && numeric(rs[j]) && numeric(rune(b.String()[b.Len()-1])) {
			b.WriteByte(' ')
		}
	}
	return b.String()
}

// maxYuanDigits bounds the digits before the point, so that no number can
// overflow int64 before it is compared with MaxPriceFen.
const maxYuanDigits = 12

// parseYuanDecimal reads [¥]digits[,ddd…][.dd][元].
func parseYuanDecimal(s string) (int64, error) {
	t := strings.TrimPrefix(s, "¥")
	t = strings.TrimSuffix(t, "元")
	whole, frac, hasPoint := strings.Cut(t, ".")
	if whole == "" || (hasPoint && frac == "") || !allDigits(frac) {
		return 0, errPriceFormat(s)
	}
	if strings.Contains(whole, ",") {
		groups := strings.Split(whole, ",")
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, errPriceFormat(s)
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, errPriceFormat(s)
			}
		}
		whole = strings.Join(groups, "")
	}
	if !allDigits(whole) {
		return 0, errPriceFormat(s)
	}
	if len(strings.TrimLeft(whole, "0")) > maxYuanDigits {
		return 0, errPriceTooLarge()
	}
	if len(frac) > 2 {
		if strings.Trim(frac[2:], "0") != "" {
			return 0, ErrorKey(EINVALID, "err.price_fraction", "A price cannot be finer than one fen (0.01 yuan).")
		}
		frac = frac[:2]
	}
	for len(frac) < 2 {
		frac += "0"
	}
	y, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, errPriceFormat(s)
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return y*100 + f, nil
}

// parseYuanWords reads N元 N角 N分 (块 for 元, 毛 for 角, 零 between), in
// that order, each at most once; a lone digit after 元 or 块 is jiao.
func parseYuanWords(s string) (int64, error) {
	t := strings.TrimPrefix(s, "¥")
	var fen int64
	rank := 0 // 1 after yuan, 2 after jiao, 3 after fen
	for t != "" {
		i := 0
		for i < len(t) && t[i] >= '0' && t[i] <= '9' {
			i++
		}
		num, rest := t[:i], t[i:]
		if num == "" {
			if rank == 1 && strings.HasPrefix(rest, "零") {
				t = strings.TrimPrefix(rest, "零")
				continue
			}
			return 0, errPriceFormat(s)
		}
		var unit string
		for _, u := range []string{"元", "块", "角", "毛", "分"} {
			if strings.HasPrefix(rest, u) {
				unit = u
				break
			}
		}
		if unit == "" {
			// 12块5: a digit after the yuan, at the end, is jiao.
			if rank == 1 && rest == "" && len(num) == 1 {
				fen += int64(num[0]-'0') * 10
				return fen, nil
			}
			return 0, errPriceFormat(s)
		}
		t = strings.TrimPrefix(rest, unit)
		switch unit {
		case "元", "块":
			if rank >= 1 {
				return 0, errPriceFormat(s)
			}
			if len(strings.TrimLeft(num, "0")) > maxYuanDigits {
				return 0, errPriceTooLarge()
			}
			y, err := strconv.ParseInt(num, 10, 64)
			if err != nil {
				return 0, errPriceFormat(s)
			}
			fen, rank = y*100, 1
		case "角", "毛":
			if rank >= 2 || len(num) != 1 {
				return 0, errPriceFormat(s)
			}
			fen, rank = fen+int64(num[0]-'0')*10, 2
		case "分":
			if rank >= 3 || len(num) != 1 {
				return 0, errPriceFormat(s)
			}
			fen, rank = fen+int64(num[0]-'0'), 3
		}
	}
	return fen, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FormatYuan formats fen as the console shows prices: ¥6,500.00, ¥0.50,
// -¥1.00. ParseYuan reads every string it returns but the negative ones.
func FormatYuan(fen int64) string {
	sign := ""
	u := uint64(fen)
	if fen < 0 {
		sign, u = "-", uint64(-(fen+1))+1
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	b.WriteString(sign + "¥")
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	c := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + c/10))
	b.WriteByte(byte('0' + c%10))
	return b.String()
}
