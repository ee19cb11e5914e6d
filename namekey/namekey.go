// Package namekey turns Chinese personal names into the keys operators type
// to find them: full pinyin without tones (王秀英 → wangxiuying) and initials
// (wxy). Surnames with a special reading (曾 zeng, 单 shan, 解 xie …) are read
// as surnames. It knows nothing of storage or search.
package namekey

import (
	"strings"
	"unicode"

	gopinyin "github.com/mozillazg/go-pinyin"
)

// surnameReadings are characters read differently as a surname.
var surnameReadings = map[rune]string{
	'曾': "zeng", '单': "shan", '解': "xie", '仇': "qiu", '朴': "piao", '区': "ou", '查': "zha",
	'乐': "yue", '覃': "qin", '盖': "ge", '种': "chong", '黑': "he", '繁': "po", '员': "yun",
	'缪': "miao", '尉': "yu", '翟': "zhai", '召': "shao", '句': "gou", '过': "guo", '秘': "bi",
	'纪': "ji", '任': "ren", '石': "shi", '沈': "shen", '长': "chang", '重': "chong", '华': "hua",
}

// Keys returns the full pinyin and the initials of a name, lower case
// ASCII. Latin letters in the name are kept; other characters (·, spaces,
// digits) are dropped.
func Keys(name string) (full, initials string) {
	var f, in strings.Builder
	args := gopinyin.NewArgs()
	first := true
	for _, r := range strings.TrimSpace(name) {
		switch {
		case unicode.Is(unicode.Han, r):
			py := ""
			if first {
				py = surnameReadings[r]
			}
			if py == "" {
				if ps := gopinyin.SinglePinyin(r, args); len(ps) > 0 {
					py = ps[0]
				}
			}
			if py != "" {
				f.WriteString(py)
				in.WriteByte(py[0])
			}
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			l := unicode.ToLower(r)
			f.WriteRune(l)
			if first {
				in.WriteRune(l)
			}
		default:
			continue
		}
		first = false
	}
	return f.String(), in.String()
}

// IsKey reports whether a search text could be pinyin or initials: only
// ASCII letters.
func IsKey(q string) bool {
	if q == "" {
		return false
	}
	for _, r := range q {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
