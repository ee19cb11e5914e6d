package anxin_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/anxin-care/anxin"
)

func testVocabulary() *anxin.Vocabulary {
	return anxin.NewVocabulary([]*anxin.Term{
		{ID: 1, Kind: anxin.TermTag, Value: "高龄", Aliases: []string{"80岁以上", "80+"}, Position: 1, Active: true},
		{ID: 2, Kind: anxin.TermTag, Value: "孤寡", Aliases: []string{"孤老"}, Position: 2, Active: false},
		{ID: 3, Kind: anxin.TermDialect, Value: "上海话", Aliases: []string{"沪语", "Shanghainese"}, Position: 1, Active: true},
		{ID: 4, Kind: anxin.TermDialect, Value: "普通话", Position: 2, Active: true},
	})
}

// A value or an alias names its term whatever the case, width and spaces;
// deactivated terms resolve too; the lists are separate.
func TestVocabularyResolve(t *testing.T) {
	v := testVocabulary()
	tests := []struct {
		kind, text, want string
	}{
		{anxin.TermTag, "高龄", "高龄"},
		{anxin.TermTag, " 80岁以上 ", "高龄"},
		{anxin.TermTag, "８０＋", "高龄"},
		{anxin.TermTag, "80 岁 以上", "高龄"},
		{anxin.TermTag, "孤老", "孤寡"},
		{anxin.TermDialect, "沪语", "上海话"},
		{anxin.TermDialect, "SHANGHAINESE", "上海话"},
		{anxin.TermDialect, "ｓｈａｎｇｈａｉｎｅｓｅ", "上海话"},
		{anxin.TermDialect, "上海话\u3000", "上海话"},
	}
	for _, tt := range tests {
		got, err := v.Canonical(tt.kind, tt.text)
		if err != nil || got != tt.want {
			t.Errorf("Canonical(%s, %q) = %q, %v; want %q", tt.kind, tt.text, got, err, tt.want)
		}
	}
	for _, tt := range []struct{ kind, text, key string }{
		{anxin.TermTag, "沪语", "err.unknown_tag"},
		{anxin.TermDialect, "高龄", "err.unknown_dialect"},
		{anxin.TermDialect, "火星话", "err.unknown_dialect"},
	} {
		_, err := v.Canonical(tt.kind, tt.text)
		var ae *anxin.Error
		if anxin.ErrorCode(err) != anxin.EINVALID || !errors.As(err, &ae) || ae.Key != tt.key {
			t.Errorf("Canonical(%s, %q): %v, want %s", tt.kind, tt.text, err, tt.key)
		}
	}
	if got := names(v.Active(anxin.TermTag)); !slices.Equal(got, []string{"高龄"}) {
		t.Errorf("active tags %v", got)
	}
	if got := names(v.Terms(anxin.TermTag)); !slices.Equal(got, []string{"高龄", "孤寡"}) {
		t.Errorf("all tags %v", got)
	}
}

func names(ts []*anxin.Term) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Value)
	}
	return out
}

func TestTermValidate(t *testing.T) {
	ok := &anxin.Term{Kind: anxin.TermDialect, Value: " 温州话 ", Aliases: []string{"温州方言", " 温州  闲话 ", "温州话", "温州方言", ""}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if ok.Value != "温州话" || !slices.Equal(ok.Aliases, []string{"温州方言", "温州 闲话"}) {
		t.Errorf("normalised to %q %q", ok.Value, ok.Aliases)
	}
	for name, bad := range map[string]*anxin.Term{
		"unknown kind":          {Kind: "relation", Value: "儿子"},
		"empty value":           {Kind: anxin.TermTag, Value: "  "},
		"space in value":        {Kind: anxin.TermTag, Value: "高龄 独居"},
		"separator in value":    {Kind: anxin.TermTag, Value: "高龄、独居"},
		"comma in alias":        {Kind: anxin.TermTag, Value: "高龄", Aliases: []string{"80,90"}},
		"value too long":        {Kind: anxin.TermTag, Value: "一二三四五六七八九十一二三四五六七八九十一"},
		"control char in alias": {Kind: anxin.TermTag, Value: "高龄", Aliases: []string{"80\x00"}},
	} {
		if err := bad.Validate(); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}
