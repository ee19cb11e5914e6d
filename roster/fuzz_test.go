package roster_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/anxin-care/anxin/roster"
)

func FuzzClean(f *testing.F) {
	for _, s := range []string{"张三", " \u3000１３８ 1234\t5678\u00A0", "\u200B\uFEFF", "a  b", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := roster.Clean(s)
		if roster.Clean(c) != c {
			t.Errorf("Clean is not idempotent on %q: %q then %q", s, c, roster.Clean(c))
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1942-03-05", "1942年3月", "15406.0", "19420305", "1942.3", "1942/3/5 0:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := roster.ParseDate(s)
		if err == nil && (d.Year() < 1800 || d.Year() > 2199) {
			t.Errorf("ParseDate(%q) = %s", s, d)
		}
	})
}

// FuzzRead checks Read never panics, whatever the bytes.
func FuzzRead(f *testing.F) {
	f.Add([]byte("姓名,性别\n张三,男\n"), "a.csv")
	f.Add([]byte("\xEF\xBB\xBF姓名\t性别\n\"张\n三\",男\n"), "a.csv")
	f.Add(mustXLSX(f, func(x *xlsxFile) {
		x.row("Sheet1", 1, "姓名", "居委")
		x.row("Sheet1", 2, "张三", "一村")
		x.must(x.MergeCell("Sheet1", "B2", "B3"))
	}), "a.xlsx")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		// A hang is a failure too; the fuzzer reports only crashes.
		timer := time.AfterFunc(5*time.Second, func() { panic(fmt.Sprintf("Read hung on %q %q", name, data)) })
		defer timer.Stop()
		roster.Read(bytes.NewReader(data), int64(len(data)), name, roster.Options{MaxBytes: 1 << 20})
	})
}
