package namekey

import "testing"

func TestKeys(t *testing.T) {
	tests := []struct{ name, full, initials string }{
		{"王秀英", "wangxiuying", "wxy"},
		{" 张 阿 姨 ", "zhangayi", "zay"},
		{"曾国藩", "zengguofan", "zgf"},
		{"单田芳", "shantianfang", "stf"},
		{"阿依古丽·买买提", "ayigulimaimaiti", "aygl" + "mmt"},
		{"", "", ""},
	}
	for _, tt := range tests {
		full, in := Keys(tt.name)
		if full != tt.full || in != tt.initials {
			t.Errorf("Keys(%q) = %q, %q; want %q, %q", tt.name, full, in, tt.full, tt.initials)
		}
	}
}

func TestIsKey(t *testing.T) {
	for q, want := range map[string]bool{"wxy": true, "WangXiuYing": true, "": false, "王": false, "1234": false, "wx y": false} {
		if IsKey(q) != want {
			t.Errorf("IsKey(%q) != %v", q, want)
		}
	}
}
