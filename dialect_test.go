package anxin_test

import (
	"testing"

	"github.com/anxin-care/anxin"
)

// TestDialectLang: an elder is spoken to in the language of the first of
// her dialects that has one, Mandarin otherwise.
func TestDialectLang(t *testing.T) {
	for dialect, want := range map[string]string{
		"":         anxin.LangMandarin,
		"普通话":      anxin.LangMandarin,
		"上海话":      anxin.LangShanghainese,
		"沪语":       anxin.LangShanghainese,
		"苏州话、上海话":  anxin.LangShanghainese,
		"广东话, 普通话": anxin.LangCantonese,
		"English":  anxin.LangEnglish,
		"宁波话":      anxin.LangMandarin,
		"上海话普通话":   anxin.LangMandarin, // not separated: no dialect of the list
	} {
		if got := anxin.DialectLang(dialect); got != want {
			t.Errorf("DialectLang(%q) = %q, want %q", dialect, got, want)
		}
	}
}
