package anxin

import "strings"

// dialectLangs maps the dialects of the registry's list (and their usual
// spellings) to the languages of scripts and prompts.
var dialectLangs = map[string]string{
	"普通话": LangMandarin, "上海话": LangShanghainese, "沪语": LangShanghainese,
	"粤语": LangCantonese, "广东话": LangCantonese, "英语": LangEnglish, "English": LangEnglish,
}

// DialectLang returns the language in which an elder of the given dialect
// is spoken to — a script's wording, an agentless call's prompts: the
// language of the first of her dialects that has one (an elder may list
// several, "上海话、普通话"), Mandarin for any other.
func DialectLang(dialect string) string {
	for _, d := range strings.FieldsFunc(dialect, func(r rune) bool { return strings.ContainsRune(TermSeparators+" ", r) }) {
		if l, ok := dialectLangs[d]; ok {
			return l
		}
	}
	return LangMandarin
}
