package roster_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/anxin-care/anxin/roster"
)

// xlsxFile builds a workbook in a test; its methods fail the test on error.
type xlsxFile struct {
	*excelize.File
	t testing.TB
}

func (f *xlsxFile) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// row writes values into row n of sheet from column A.
func (f *xlsxFile) row(sheet string, n int, values ...any) {
	f.t.Helper()
	f.must(f.SetSheetRow(sheet, fmt.Sprintf("A%d", n), &values))
}

// mustXLSX returns the bytes of a workbook made by build.
func mustXLSX(t testing.TB, build func(f *xlsxFile)) []byte {
	t.Helper()
	f := &xlsxFile{File: excelize.NewFile(), t: t}
	defer f.Close()
	build(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mustZip returns a ZIP archive of files.
func mustZip(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadXLSXMessyLayout reads a roster as a street office keeps it: a
// merged title, a notes row, the header on row 3, a committee merged down
// over three elders, a date cell, phones typed as numbers, a formula that
// turns a number into text, and an empty row in the middle.
func TestReadXLSXMessyLayout(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		const s = "Sheet1"
		f.row(s, 1, "曹杨新村街道独居老人名册（2024年）")
		f.must(f.MergeCell(s, "A1", "J1"))
		f.row(s, 2, "填表说明：带*为必填项")
		f.row(s, 3, "序号", "*姓名", "性别", "出生日期(yyyy-mm-dd)", "身份证号码", "手机", "固定电话", "居委会", "家庭住址", "备注")
		f.row(s, 4, 1, "张三", "男", nil, "310107194203061234", 13812345678, "021-62501234", "曹杨一村居委", "曹杨一村1号101")
		f.row(s, 5, 2, "李四", "女", "1942/3/5", "310107194203051222", nil, "62501235", nil, "曹杨一村2号202")
		f.row(s, 6, 3, "王五", "男", "1940年1月", nil, nil, nil, nil, "曹杨一村3号303", "子女在外地")
		f.row(s, 8, 4, "赵六", "女", 19391231, nil, nil, nil, "曹杨二村居委", "曹杨二村5号")
		f.must(f.MergeCell(s, "H4", "H6"))
		// A date cell: a serial number with a date format, as Excel saves it.
		style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
		f.must(err)
		f.must(f.SetCellValue(s, "D4", time.Date(1942, 3, 6, 0, 0, 0, 0, time.UTC)))
		f.must(f.SetCellStyle(s, "D4", "D4", style))
		// =K5&"" turns a number into text; the cached result is kept.
		f.must(f.SetCellInt(s, "F5", 13900001111))
		f.must(f.SetCellFormula(s, "F5", `K5&""`))
		f.must(f.SetCellInt(s, "K5", 13900001111))
	})
	s := mustRead(t, data, "曹杨新村独居老人.xlsx")

	if s.Name != "Sheet1" || s.Format != "xlsx" || s.HeaderRow != 3 {
		t.Errorf("sheet %q format %s header row %d", s.Name, s.Format, s.HeaderRow)
	}
	if got := rowsOf(s); fmt.Sprint(got) != "[4 5 6 8]" {
		t.Fatalf("rows = %v, want [4 5 6 8]", got)
	}
	if s.SkippedEmpty != 1 {
		t.Errorf("SkippedEmpty = %d, want 1", s.SkippedEmpty)
	}
	if fmt.Sprint(s.Unmapped) != "[序号]" {
		t.Errorf("Unmapped = %q", s.Unmapped)
	}
	want := []struct {
		field roster.Field
		vals  []string
	}{
		{roster.FieldName, []string{"张三", "李四", "王五", "赵六"}},
		{roster.FieldCommittee, []string{"曹杨一村居委", "曹杨一村居委", "曹杨一村居委", "曹杨二村居委"}},
		{roster.FieldBirthDate, []string{"1942-03-06", "1942/3/5", "1940年1月", "19391231"}},
		{roster.FieldIDNumber, []string{"310107194203061234", "310107194203051222", "", ""}},
		{roster.FieldNotes, []string{"", "", "子女在外地", ""}},
	}
	for _, w := range want {
		for i, rec := range s.Records {
			if got := rec.Get(w.field); got != w.vals[i] {
				t.Errorf("row %d %s = %q, want %q", rec.Row, w.field, got, w.vals[i])
			}
		}
	}
	if got := s.Records[0].All(roster.FieldPhone); fmt.Sprint(got) != "[13812345678 021-62501234]" {
		t.Errorf("row 4 phones = %q", got)
	}
	if got := s.Records[1].All(roster.FieldPhone); fmt.Sprint(got) != "[13900001111 62501235]" {
		t.Errorf("row 5 phones (formula) = %q", got)
	}
	for _, rec := range s.Records {
		if _, err := roster.ParseDate(rec.Get(roster.FieldBirthDate)); err != nil {
			t.Errorf("row %d: birth date does not parse: %v", rec.Row, err)
		}
		if rec.Notes != nil {
			t.Errorf("row %d: notes %q", rec.Row, rec.Notes)
		}
	}
}

func TestReadXLSXTitleAndBlankRow(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		f.row("Sheet1", 1, "北新泾街道纯老家庭名单")
		f.must(f.MergeCell("Sheet1", "A1", "E1"))
		f.row("Sheet1", 3, "姓名", "性别", "年龄", "联系电话", "居住情况")
		f.row("Sheet1", 4, "张三", "男", 86, "62501234", "纯老")
	})
	s := mustRead(t, data, "名单.xlsx")
	if s.HeaderRow != 3 || fmt.Sprint(rowsOf(s)) != "[4]" || s.SkippedEmpty != 0 {
		t.Errorf("header row %d, rows %v, skipped %d", s.HeaderRow, rowsOf(s), s.SkippedEmpty)
	}
	if got := s.Records[0].Get(roster.FieldAge); got != "86" {
		t.Errorf("age = %q", got)
	}
}

func TestReadXLSXFormulaWithoutSavedResult(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		f.row("Sheet1", 1, "姓名", "联系电话", "号码")
		f.row("Sheet1", 2, "张三", nil, 13812345678)
		f.must(f.SetCellFormula("Sheet1", "B2", `C2&""`)) // excelize saves no result
	})
	s := mustRead(t, data, "名单.xlsx")
	rec := s.Records[0]
	if got := rec.Get(roster.FieldPhone); got != "" {
		t.Errorf("phone = %q, want empty", got)
	}
	if len(rec.Notes) != 1 || !strings.Contains(rec.Notes[0], "B2 (联系电话)") {
		t.Errorf("notes = %q", rec.Notes)
	}
}

func TestReadXLSXSkipsCoverSheet(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		f.must(f.SetSheetName("Sheet1", "填表说明"))
		f.row("填表说明", 1, "1. 每位老人一行；姓名、身份证号必填。")
		f.row("填表说明", 2, "2. 联系电话请填写手机或固话。")
		_, err := f.NewSheet("名单")
		f.must(err)
		f.row("名单", 1, "姓名", "身份证号", "联系电话")
		f.row("名单", 2, "张三", "310107194203061234", "13812345678")
		f.row("名单", 3, "李四", "310107194203051222", "62501235")
	})
	s := mustRead(t, data, "名单.xlsx")
	if s.Name != "名单" || len(s.Records) != 2 {
		t.Fatalf("sheet %q with %d records", s.Name, len(s.Records))
	}
}

func TestReadXLSXHiddenSheetsLast(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		f.row("Sheet1", 1, "姓名", "性别") // a hidden lookup sheet, in front
		f.row("Sheet1", 2, "下拉", "男")
		_, err := f.NewSheet("名单")
		f.must(err)
		f.row("名单", 1, "姓名", "性别")
		f.row("名单", 2, "张三", "男")
		f.SetActiveSheet(1)
		f.must(f.SetSheetVisible("Sheet1", false))
	})
	if s := mustRead(t, data, "名单.xlsx"); s.Name != "名单" {
		t.Errorf("read sheet %q, want 名单", s.Name)
	}
}

// TestReadXLSXTwoRowHeader reads a header whose upper cells are merged over
// lower ones: 联系电话 over 手机 and 固话, 紧急联系人 over 姓名, 关系 and 电话.
func TestReadXLSXTwoRowHeader(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		const s = "Sheet1"
		f.row(s, 1, "姓名", "性别", "联系电话", nil, "紧急联系人", nil, nil)
		f.row(s, 2, nil, nil, "手机", "固话", "姓名", "关系", "电话")
		f.row(s, 3, "张三", "男", 13812345678, "62501234", "张小明", "儿子", "13900001111")
		for _, m := range [][2]string{{"A1", "A2"}, {"B1", "B2"}, {"C1", "D1"}, {"E1", "G1"}} {
			f.must(f.MergeCell(s, m[0], m[1]))
		}
	})
	s := mustRead(t, data, "名单.xlsx")
	var got []string
	for _, c := range s.Columns {
		got = append(got, fmt.Sprintf("%s=%s:%s", c.Header, c.Field, c.PhoneLabel))
	}
	want := "[姓名=name: 性别=gender: 联系电话/手机=phone:mobile 联系电话/固话=phone:landline " +
		"紧急联系人/姓名=contact_name: 紧急联系人/关系=contact_relation: 紧急联系人/电话=contact_phone:]"
	if fmt.Sprint(got) != want {
		t.Errorf("columns\n got %v\nwant %v", got, want)
	}
	if rowsOf(s)[0] != 3 || len(s.Records) != 1 {
		t.Fatalf("rows %v", rowsOf(s))
	}
	if rec := s.Records[0]; rec.Get(roster.FieldContactName) != "张小明" || rec.Get(roster.FieldName) != "张三" {
		t.Errorf("record %+v", rec)
	}
}

func TestReadXLSXRepeatedHeaderAndMergedTail(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		const s = "Sheet1"
		f.row(s, 1, "序号", "姓名", "居委")
		f.row(s, 2, 1, "张三", "一村")
		f.row(s, 3, 2, "李四")
		f.row(s, 4, "序号", "姓名", "居委") // printed layout: header on every page
		f.row(s, 5, 3, "王五", "二村")
		f.row(s, 6, 4) // numbered but blank, under the merged committee
		f.row(s, 7, 5)
		f.must(f.MergeCell(s, "C2", "C3"))
		f.must(f.MergeCell(s, "C5", "C7"))
	})
	s := mustRead(t, data, "名单.xlsx")
	if fmt.Sprint(rowsOf(s)) != "[2 3 5]" || s.RepeatedHeaders != 1 || s.SkippedEmpty != 0 {
		t.Errorf("rows %v, repeated headers %d, skipped %d", rowsOf(s), s.RepeatedHeaders, s.SkippedEmpty)
	}
	if got := s.Records[1].Get(roster.FieldCommittee); got != "一村" {
		t.Errorf("row 3 committee = %q", got)
	}
}

func TestReadXLSXDate1904(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		yes := true
		f.must(f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
		f.row("Sheet1", 1, "姓名", "出生日期")
		f.row("Sheet1", 2, "张三", 15406)
	})
	s := mustRead(t, data, "名单.xlsx")
	if got := s.Records[0].Get(roster.FieldBirthDate); got != "1946-03-07" {
		t.Errorf("birth date = %q, want 1946-03-07 (1904 date system)", got)
	}
}

func TestReadXLSXLimits(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		f.row("Sheet1", 1, "姓名", "性别")
		for i := 2; i <= 12; i++ {
			f.row("Sheet1", i, fmt.Sprintf("老人%d", i), "男")
		}
	})
	_, err := roster.Read(bytes.NewReader(data), int64(len(data)), "名单.xlsx", roster.Options{MaxRows: 10})
	if !errors.Is(err, roster.ErrTooManyRows) || !strings.Contains(err.Error(), "10 rows") {
		t.Errorf("MaxRows 10: err = %v, want ErrTooManyRows", err)
	}
	noHeader := mustXLSX(t, func(f *xlsxFile) { f.row("Sheet1", 1, "张三", "男") })
	_, err = roster.Read(bytes.NewReader(noHeader), int64(len(noHeader)), "名单.xlsx", roster.Options{})
	if !errors.Is(err, roster.ErrNoHeader) {
		t.Errorf("no header: err = %v, want ErrNoHeader", err)
	}
}

func TestReadXLSXTenThousandDuplicateRows(t *testing.T) {
	data := mustXLSX(t, func(f *xlsxFile) {
		f.row("Sheet1", 1, "姓名", "性别", "身份证号", "联系电话", "居委")
		for i := 2; i <= 10_001; i++ {
			f.row("Sheet1", i, "张三", "男", "310107194203061234", 13812345678, "曹杨一村居委")
		}
	})
	s := mustRead(t, data, "名单.xlsx")
	if len(s.Records) != 10_000 {
		t.Fatalf("read %d records, want 10000", len(s.Records))
	}
	if last := s.Records[9999]; last.Row != 10_001 || last.Get(roster.FieldPhone) != "13812345678" {
		t.Errorf("last record: row %d phone %q", last.Row, last.Get(roster.FieldPhone))
	}
}

var bench100k = struct {
	once sync.Once
	data []byte
	err  error
}{}

// write100k writes a 100,000-row roster with excelize's StreamWriter.
func write100k(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := []any{"序号", "姓名", "性别", "出生日期", "身份证号", "手机", "固定电话", "街道", "居委", "家庭住址", "居住状况", "备注"}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i := 1; i <= 100_000; i++ {
		row := []any{i, fmt.Sprintf("老人%06d", i), "女", 15406 + i%3000, fmt.Sprintf("3101071942%08d", i),
			13800000000 + i, "021-62501234", "曹杨新村街道", fmt.Sprintf("曹杨%d村居委", i%20), fmt.Sprintf("曹杨新村%d号%d室", i%300, i%600), "独居", ""}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(path)
}

func BenchmarkReadXLSX100k(b *testing.B) {
	path := filepath.Join(b.TempDir(), "roster100k.xlsx")
	bench100k.once.Do(func() {
		if bench100k.err = write100k(path); bench100k.err == nil {
			bench100k.data, bench100k.err = os.ReadFile(path)
		}
	})
	if bench100k.err != nil {
		b.Fatal(bench100k.err)
	}
	if err := os.WriteFile(path, bench100k.data, 0o600); err != nil {
		b.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer file.Close()
	b.ReportAllocs()
	b.SetBytes(int64(len(bench100k.data)))
	for b.Loop() {
		s, err := roster.Read(file, int64(len(bench100k.data)), "roster100k.xlsx", roster.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Records) != 100_000 {
			b.Fatalf("%d records", len(s.Records))
		}
	}
}
