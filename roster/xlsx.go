package roster

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"
)

// maxUnpacked bounds the unpacked size of a workbook's parts, against ZIP
// bombs: excelize holds every part under 16 MiB in memory. 100,000 rows of
// 30 columns unpack to about 165 MiB.
const maxUnpacked = 512 << 20

// readXLSX reads the first worksheet with a header: visible sheets first, in
// the workbook's order, so a cover or notes sheet in front is passed over.
//
// Cells are read raw (excelize's RawCellValue): numbers keep all their
// digits (a phone typed as a number reads 13812345678, never 1.38E+10), and
// a date reads as its Excel serial number, which the birth date column turns
// into YYYY-MM-DD. A formula reads as the result Excel saved with it.
func readXLSX(sr *io.SectionReader, opt Options) (*Sheet, error) {
	zr, err := zip.NewReader(sr, sr.Size())
	if err != nil {
		return nil, notSpreadsheet(fmt.Sprintf("a damaged ZIP archive: %v", err))
	}
	var unpacked uint64
	for _, f := range zr.File {
		unpacked += f.UncompressedSize64
	}
	if unpacked > maxUnpacked {
		return nil, refuse(ErrTooLarge, "err.roster_unpacked_too_large",
			"The workbook unpacks to more than %s; split the roster into smaller files.", byteSize(maxUnpacked))
	}
	wb, err := listSheets(zr)
	if err == nil && len(wb.sheets) == 0 {
		err = errors.New("no worksheet")
	}
	if err != nil {
		return nil, notSpreadsheet(fmt.Sprintf("a ZIP archive that is not an Excel workbook: %v", err))
	}
	xf, err := excelize.OpenReader(io.NewSectionReader(sr, 0, sr.Size()),
		excelize.Options{RawCellValue: true, UnzipSizeLimit: maxUnpacked})
	if err != nil {
		if xf != nil {
			xf.Close()
		}
		return nil, notSpreadsheet(fmt.Sprintf("a damaged workbook: %v", err))
	}
	defer xf.Close()
	sheets := slices.Clone(wb.sheets)
	slices.SortStableFunc(sheets, func(a, b workbookSheet) int { return boolInt(a.hidden) - boolInt(b.hidden) })
	for _, ws := range sheets {
		s, err := readWorksheet(xf, ws, wb.date1904, opt)
		if errors.Is(err, errNoHeaderHere) {
			continue
		}
		return s, err
	}
	return nil, refuse(ErrNoHeader, "err.roster_no_header",
		"No sheet has a header row with 姓名 and another known column (性别, 身份证号, 联系电话...) in its first %d rows.", headerScanRows)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readWorksheet reads one worksheet, streaming its rows.
func readWorksheet(xf *excelize.File, ws workbookSheet, date1904 bool, opt Options) (*Sheet, error) {
	sc, err := scanSheet(ws.part)
	if err != nil {
		return nil, damaged(ws.name, err)
	}
	rows, err := xf.Rows(ws.name)
	if err != nil {
		return nil, damaged(ws.name, err)
	}
	defer rows.Close()
	s := &Sheet{Name: ws.name, Format: "xlsx"}
	lay := layout{merges: sc.merges, uncached: sc.uncached, serialDates: true, date1904: date1904}
	if err := readTable(&xlsxRows{rows: rows}, s, lay, opt.MaxRows); err != nil {
		var re *readError
		if errors.Is(err, errNoHeaderHere) || errors.As(err, &re) {
			return nil, err
		}
		return nil, damaged(ws.name, err)
	}
	return s, nil
}

func damaged(sheet string, err error) error {
	e := refuse(ErrNotSpreadsheet, "err.roster_damaged",
		"The workbook could not be read (sheet %q); open it in Excel or WPS and save it again as .xlsx.", sheet)
	e.cause = err
	return e
}

// xlsxRows yields the rows of a worksheet from excelize's streaming reader.
// Rows.Next steps through every row number, including rows missing from the
// file, for which Columns returns nothing.
type xlsxRows struct {
	rows *excelize.Rows
	num  int
}

func (x *xlsxRows) next() (int, []string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return 0, nil, err
		}
		return 0, nil, io.EOF
	}
	x.num++
	cells, err := x.rows.Columns()
	return x.num, cells, err
}
