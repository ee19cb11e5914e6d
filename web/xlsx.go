package web

import "github.com/xuri/excelize/v2"

// table is a one-sheet workbook the console hands out: a bold header row
// frozen above the data, column widths from column A (0 keeps the
// default), and rows written with excelize's stream writer.
type table struct {
	Sheet  string
	Widths []float64
	Header []any
}

// write builds the workbook and returns its bytes. rows receives the file,
// for styles its cells may use, and add, which appends one row.
func (t table) write(rows func(f *excelize.File, add func(row []any) error) error) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), t.Sheet); err != nil {
		return nil, err
	}
	sw, err := f.NewStreamWriter(t.Sheet)
	if err != nil {
		return nil, err
	}
	for i, width := range t.Widths {
		if width > 0 {
			if err := sw.SetColWidth(i+1, i+1, width); err != nil {
				return nil, err
			}
		}
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	if err := sw.SetRow("A1", t.Header, excelize.RowOpts{StyleID: bold}); err != nil {
		return nil, err
	}
	next := 2
	add := func(row []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, next)
		next++
		return sw.SetRow(cell, row)
	}
	if err := rows(f, add); err != nil {
		return nil, err
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// headerOf translates message keys into a header row.
func headerOf(p *Page, keys []string) []any {
	h := make([]any, len(keys))
	for i, k := range keys {
		h[i] = p.T(k)
	}
	return h
}
