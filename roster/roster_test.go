package roster_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/roster"
)

// mustRead reads data as a file called name with default options.
func mustRead(t testing.TB, data []byte, name string) *roster.Sheet {
	t.Helper()
	s, err := roster.Read(bytes.NewReader(data), int64(len(data)), name, roster.Options{})
	if err != nil {
		t.Fatalf("Read(%s): %v", name, err)
	}
	return s
}

// rowsOf returns the rows of a sheet's records, for comparing.
func rowsOf(s *roster.Sheet) []int {
	var rows []int
	for _, r := range s.Records {
		rows = append(rows, r.Row)
	}
	return rows
}

func TestReadRefuses(t *testing.T) {
	cfb := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 1024)...)
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 200)...)
	notes := []byte("请于3月底前报送。\n联系人：王老师\n")
	tests := []struct {
		name     string
		file     string
		data     []byte
		opt      roster.Options
		want     error
		inMsg    string
		wantCode string
	}{
		{"png renamed xlsx is not a spreadsheet", "名单.xlsx", png, roster.Options{}, roster.ErrNotSpreadsheet, "PNG", anxin.EINVALID},
		{"cfb is encrypted or old", "名单.xlsx", cfb, roster.Options{}, roster.ErrEncryptedOrOldFormat, "without a password", anxin.EINVALID},
		{"old xls is encrypted or old", "名单.xls", cfb, roster.Options{}, roster.ErrEncryptedOrOldFormat, ".xls", anxin.EINVALID},
		{"over MaxBytes is too large", "名单.csv", bytes.Repeat([]byte("姓名,性别\n"), 200), roster.Options{MaxBytes: 1024}, roster.ErrTooLarge, "1 KiB", anxin.EINVALID},
		{"text named xlsx is not a spreadsheet", "名单.xlsx", notes, roster.Options{}, roster.ErrNotSpreadsheet, "text", anxin.EINVALID},
		{"text named csv has no header", "名单.csv", notes, roster.Options{}, roster.ErrNoHeader, "姓名", anxin.EINVALID},
		{"html named xls is not a spreadsheet", "导出.xls", []byte("<html><body><table><tr><td>姓名</td></tr></table>"), roster.Options{}, roster.ErrNotSpreadsheet, "web page", anxin.EINVALID},
		{"empty file", "名单.csv", nil, roster.Options{}, roster.ErrNoHeader, "empty", anxin.EINVALID},
		{"zip that is no workbook", "名单.xlsx", mustZip(t, map[string]string{"readme.txt": "hello"}), roster.Options{}, roster.ErrNotSpreadsheet, "not an Excel workbook", anxin.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := roster.Read(bytes.NewReader(tt.data), int64(len(tt.data)), tt.file, tt.opt)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("message %q does not mention %q", err, tt.inMsg)
			}
			if code := anxin.ErrorCode(err); code != tt.wantCode {
				t.Errorf("code = %s, want %s", code, tt.wantCode)
			}
			var ae *anxin.Error
			if errors.As(err, &ae) && !strings.HasPrefix(ae.Key, "err.roster_") {
				t.Errorf("key = %q", ae.Key)
			}
		})
	}
}

func TestReadDispatchesOnContent(t *testing.T) {
	csv := []byte("姓名,性别,联系电话\n张三,男,13812345678\n")
	t.Run("csv named xlsx is read as csv", func(t *testing.T) {
		s := mustRead(t, csv, "名单.xlsx")
		if s.Format != "csv" || len(s.Records) != 1 {
			t.Fatalf("format %s, %d records", s.Format, len(s.Records))
		}
	})
	t.Run("xlsx named csv is read as xlsx", func(t *testing.T) {
		data := mustXLSX(t, func(f *xlsxFile) {
			f.row("Sheet1", 1, "姓名", "性别")
			f.row("Sheet1", 2, "张三", "男")
		})
		s := mustRead(t, data, "名单.csv")
		if s.Format != "xlsx" || len(s.Records) != 1 {
			t.Fatalf("format %s, %d records", s.Format, len(s.Records))
		}
	})
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张三"},
		{"  张三 ", "张三"},
		{"\u3000张\u3000三\u3000", "张 三"},
		{"张\u00A0\u00A0三", "张 三"},
		{"１３８１２３４５６７８", "13812345678"},
		{"（备注）ＡＢＣ", "(备注)ABC"},
		{"138 1234\t\t5678", "138 1234 5678"},
		{"第一行\r\n第二行", "第一行 第二行"},
		{"\u200B张三\uFEFF", "张三"},
		{"曹杨新村。", "曹杨新村。"},
		{"", ""},
		{" \u3000 ", ""},
	}
	for _, tt := range tests {
		if got := roster.Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSheetPhonesKeepLabels(t *testing.T) {
	csv := "姓名,手机,固定电话,子女电话,邻居电话,电话\n张三,13812345678,,13900001111,62501234,021-5555\n"
	s := mustRead(t, []byte(csv), "名单.csv")
	got := s.Phones(&s.Records[0])
	want := []roster.PhoneCell{
		{Text: "13812345678", Label: anxin.PhoneMobile, Header: "手机"},
		{Text: "13900001111", Label: anxin.PhoneChild, Header: "子女电话"},
		{Text: "62501234", Label: anxin.PhoneNeighbour, Header: "邻居电话"},
		{Text: "021-5555", Label: anxin.PhoneOther, Header: "电话"},
	}
	if len(got) != len(want) {
		t.Fatalf("Phones = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("phone %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if v := s.Records[0].All(roster.FieldPhone); strings.Join(v, " ") != "13812345678 13900001111 62501234 021-5555" {
		t.Errorf("Values[phone] = %q", v)
	}
}
