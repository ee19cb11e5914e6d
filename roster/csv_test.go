package roster_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/anxin-care/anxin/roster"
)

const csvRoster = "曹杨新村街道独居老人名册,,,\n" +
	"姓名,性别,出生日期,联系电话,居委\n" +
	"张三,男,1942-03-05,13812345678,曹杨一村居委\n" +
	"李四,女,1942年3月,\"021-62501234\",曹杨一村居委\n"

func TestReadCSVEncodingsAndDelimiters(t *testing.T) {
	mustEncode := func(enc interface{ Bytes([]byte) ([]byte, error) }, s string) []byte {
		b, err := enc.Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	utf16le := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder()
	tab := strings.ReplaceAll(strings.ReplaceAll(csvRoster, ",", "\t"), `"`, "")
	tests := []struct {
		name, encoding string
		data           []byte
	}{
		{"utf-8", "utf-8", []byte(csvRoster)},
		{"utf-8 with bom", "utf-8-bom", append([]byte("\xEF\xBB\xBF"), csvRoster...)},
		{"gbk", "gb18030", mustEncode(simplifiedchinese.GBK.NewEncoder(), csvRoster)},
		{"utf-16le unicode text", "utf-16le", mustEncode(utf16le, tab)},
		{"tab separated", "utf-8", []byte(tab)},
		{"semicolon separated", "utf-8", []byte(strings.ReplaceAll(csvRoster, ",", ";"))},
		{"crlf", "utf-8", []byte(strings.ReplaceAll(csvRoster, "\n", "\r\n"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustRead(t, tt.data, "名单.csv")
			if s.Format != "csv" || s.Encoding != tt.encoding || s.HeaderRow != 2 {
				t.Errorf("format %s encoding %s header row %d", s.Format, s.Encoding, s.HeaderRow)
			}
			if fmt.Sprint(rowsOf(s)) != "[3 4]" {
				t.Fatalf("rows %v", rowsOf(s))
			}
			got := strings.Join([]string{s.Records[0].Get(roster.FieldName), s.Records[1].Get(roster.FieldName),
				s.Records[1].Get(roster.FieldPhone), s.Records[1].Get(roster.FieldCommittee)}, " ")
			if got != "张三 李四 021-62501234 曹杨一村居委" {
				t.Errorf("values %q", got)
			}
		})
	}
}

// TestReadCSVRowNumbers checks rows are numbered as Excel shows them: a
// quoted cell's line breaks do not count, blank lines do.
func TestReadCSVRowNumbers(t *testing.T) {
	data := "姓名,地址,备注\n" +
		"张三,\"曹杨一村\n1号101\",\"两行\n备注\n\"\n" +
		"\n" +
		",,\n" +
		"李四,曹杨一村2号,\n" +
		"\n\n"
	s := mustRead(t, []byte(data), "名单.csv")
	if fmt.Sprint(rowsOf(s)) != "[2 5]" || s.SkippedEmpty != 2 {
		t.Errorf("rows %v skipped %d, want [2 5] and 2", rowsOf(s), s.SkippedEmpty)
	}
	if got := s.Records[0].Get(roster.FieldAddress); got != "曹杨一村 1号101" {
		t.Errorf("address = %q", got)
	}
}

func TestReadCSVUnclosedQuote(t *testing.T) {
	var b strings.Builder
	b.WriteString("姓名,地址\n张三,\"曹杨一村\n")
	for i := range 200 {
		fmt.Fprintf(&b, "老人%d,曹杨一村%d号\n", i, i)
	}
	data := []byte(b.String())
	_, err := roster.Read(bytes.NewReader(data), int64(len(data)), "名单.csv", roster.Options{})
	if !errors.Is(err, roster.ErrMalformedCSV) || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("err = %v, want ErrMalformedCSV near line 2", err)
	}
}

func TestReadCSVTooManyRows(t *testing.T) {
	data := []byte("姓名,性别\n张三,男\n李四,女\n王五,男\n")
	_, err := roster.Read(bytes.NewReader(data), int64(len(data)), "名单.csv", roster.Options{MaxRows: 2})
	if !errors.Is(err, roster.ErrTooManyRows) {
		t.Errorf("err = %v, want ErrTooManyRows", err)
	}
}

func TestReadCSVFormulaErrorsReadAsEmpty(t *testing.T) {
	s := mustRead(t, []byte("姓名,居委\n张三,#N/A\n,#N/A\n李四,一村\n"), "名单.csv")
	if fmt.Sprint(rowsOf(s)) != "[2 4]" || s.SkippedEmpty != 1 {
		t.Fatalf("rows %v skipped %d, want [2 4] and 1", rowsOf(s), s.SkippedEmpty)
	}
	rec := s.Records[0]
	if rec.Get(roster.FieldCommittee) != "" || len(rec.Notes) != 1 || rec.Notes[0] != "B2 (居委): the formula error #N/A, read as empty" {
		t.Errorf("committee %q, notes %q", rec.Get(roster.FieldCommittee), rec.Notes)
	}
}
