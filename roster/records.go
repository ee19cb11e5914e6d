package roster

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode"
)

// errNoHeaderHere tells readXLSX to try the next sheet.
var errNoHeaderHere = errors.New("roster: no header in this sheet")

// rowReader yields the rows of a sheet in order with their 1-based numbers,
// then io.EOF. Rows it skips (empty lines, rows missing from an XLSX file)
// show as gaps in the numbers.
type rowReader interface {
	next() (num int, cells []string, err error)
}

// row is a row read, after merged ranges above it were filled down.
type row struct {
	num    int
	cells  []string
	filled []int // columns filled down from a merged range; nil for most rows
}

// layout is what readTable needs to know about a sheet besides its rows.
type layout struct {
	merges      []cellRange   // merged ranges; none in CSV
	uncached    map[int][]int // row → columns of formulas without a saved result
	serialDates bool          // birth dates may be Excel date numbers (XLSX)
	date1904    bool          // the workbook uses the 1904 date system
}

// readTable reads the rows of rr into s: it finds the header among the first
// rows, maps its columns, and turns every later row with data into a Record.
// It returns errNoHeaderHere when no row qualifies as the header.
func readTable(rr rowReader, s *Sheet, lay layout, maxRows int) error {
	fill := newFiller(lay.merges)
	var head []row
	for len(head) <= headerScanRows { // one more than scanned, for a two-row header
		num, cells, err := rr.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		cells, filled := fill.apply(num, cells)
		head = append(head, row{num: num, cells: cells, filled: filled})
	}
	h, header, sub := chooseHeader(head, lay.merges)
	if h < 0 {
		return errNoHeaderHere
	}
	rest := head[h+1:]
	if sub != nil {
		rest = rest[1:]
	}
	s.HeaderRow = head[h].num
	s.Columns, s.Unmapped = mapColumns(header, sub)
	t := newTable(s, lay, maxRows, head[len(head)-len(rest)-1].num)
	for _, r := range rest {
		if err := t.add(r); err != nil {
			return err
		}
	}
	for {
		num, cells, err := rr.next()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		cells, filled := fill.apply(num, cells)
		if err := t.add(row{num: num, cells: cells, filled: filled}); err != nil {
			return err
		}
	}
}

// chooseHeader finds the header among the first rows: the row naming the
// most fields, with the row under it when that is the lower row of a
// two-row header, or with the row above it when it is itself the lower row
// (联系电话 over 手机 and 固话 names fewer fields than the row under it). It
// returns the index of the upper header row in head, or -1.
func chooseHeader(head []row, merges []cellRange) (h int, header, sub []string) {
	candidates := make([][]string, 0, headerScanRows)
	for _, r := range head[:min(len(head), headerScanRows)] {
		candidates = append(candidates, r.cells)
	}
	if h = findHeader(candidates); h < 0 {
		return -1, nil, nil
	}
	header = fillAcross(head[h], merges)
	if h > 0 {
		// The row above must name a field and be more than a title merged
		// across the sheet.
		upper := fillAcross(head[h-1], merges)
		if n, _ := headerScore(upper); n > 0 && distinct(upper) > 1 && isSubHeader(upper, header) {
			return h - 1, upper, header
		}
	}
	if h+1 < len(head) {
		if next := fillAcross(head[h+1], merges); isSubHeader(header, next) {
			return h, header, next
		}
	}
	return h, header, nil
}

// distinct counts the different texts in a row.
func distinct(cells []string) int {
	seen := make(map[string]bool)
	for _, c := range cells {
		if c = Clean(c); c != "" {
			seen[c] = true
		}
	}
	return len(seen)
}

// fieldGroup is the columns of one field, in order.
type fieldGroup struct {
	field Field
	cols  []int
}

// table turns data rows into the Records of a Sheet.
type table struct {
	s       *Sheet
	lay     layout
	maxRows int
	groups  []fieldGroup
	mapped  []int    // indexes of mapped columns
	headers []string // header of each mapped column, by index
	nameCol int      // first name column, -1 if none
	last    int      // number of the last row consumed: the header or a record
}

func newTable(s *Sheet, lay layout, maxRows, last int) *table {
	t := &table{s: s, lay: lay, maxRows: maxRows, nameCol: -1, last: last}
	for _, c := range s.Columns {
		t.mapped = append(t.mapped, c.Index)
		for len(t.headers) <= c.Index {
			t.headers = append(t.headers, "")
		}
		t.headers[c.Index] = c.Header
		if c.Field == FieldName && t.nameCol < 0 {
			t.nameCol = c.Index
		}
		i := slices.IndexFunc(t.groups, func(g fieldGroup) bool { return g.field == c.Field })
		if i < 0 {
			t.groups = append(t.groups, fieldGroup{field: c.Field})
			i = len(t.groups) - 1
		}
		t.groups[i].cols = append(t.groups[i].cols, c.Index)
	}
	return t
}

// add adds r as a Record unless it is empty or repeats the header.
func (t *table) add(r row) error {
	if !t.hasOwnData(r) {
		return nil
	}
	if t.nameCol >= 0 && cell(r.cells, t.nameCol) == t.headers[t.nameCol] {
		t.s.RepeatedHeaders++
		t.last = r.num
		return nil
	}
	if len(t.s.Records) >= t.maxRows {
		return refuse(ErrTooManyRows, "err.roster_too_many_rows",
			"The roster has more than %d rows; split it into smaller files.", t.maxRows)
	}
	t.s.SkippedEmpty += r.num - t.last - 1
	t.last = r.num
	t.s.Records = append(t.s.Records, t.record(r))
	return nil
}

// hasOwnData reports whether a mapped column of r holds text of the row's
// own: not only values filled down from a merged range above, and not only
// formula errors (templates often carry =VLOOKUP(...) down to row 1000).
func (t *table) hasOwnData(r row) bool {
	for _, i := range t.mapped {
		if i < len(r.cells) && !blank(r.cells[i]) && !slices.Contains(r.filled, i) && !excelError(Clean(r.cells[i])) {
			return true
		}
	}
	return false
}

// record builds the Record of a row.
func (t *table) record(r row) Record {
	rec := Record{Row: r.num, Raw: r.cells}
	vals := make([]string, 0, len(t.mapped))
	var spans []span
	for _, g := range t.groups {
		start := len(vals)
		for _, i := range g.cols {
			v := cell(r.cells, i)
			switch {
			case v == "" && slices.Contains(t.lay.uncached[r.num], i):
				rec.Notes = append(rec.Notes, t.note(r.num, i,
					"a formula without a saved result, read as empty; open the file in Excel or WPS and save it again"))
			case excelError(v):
				rec.Notes = append(rec.Notes, t.note(r.num, i, "the formula error "+v+", read as empty"))
			case v != "":
				if g.field == FieldBirthDate && t.lay.serialDates {
					v = serialToISO(v, t.lay.date1904)
				}
				vals = append(vals, v)
			}
		}
		if len(vals) > start {
			spans = append(spans, span{g.field, int32(start), int32(len(vals))})
		}
	}
	rec.vals, rec.spans = slices.Clip(vals), slices.Clip(spans)
	return rec
}

// note says what is wrong with a cell: "B5 (联系电话): ...".
func (t *table) note(num, col int, what string) string {
	return fmt.Sprintf("%s%d (%s): %s", columnName(col), num, t.headers[col], what)
}

// excelError reports whether v is one of the error values Excel shows for a
// formula that failed.
func excelError(v string) bool {
	if v == "" || v[0] != '#' {
		return false
	}
	switch v {
	case "#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA":
		return true
	}
	return false
}

// serialToISO turns an Excel date number, as a date cell of a workbook
// reads raw, into YYYY-MM-DD; other text is returned as it is.
func serialToISO(v string, date1904 bool) string {
	digits, ok := wholeNumber(v)
	if !ok || len(digits) > 5 || (len(digits) == 4 && digits >= "1800" && digits <= "2199") {
		return v // text, 19420305, or a year
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return v
	}
	if d, ok := excelSerial(f, date1904); ok {
		return d.Format("2006-01-02")
	}
	return v
}

// columnName returns the letters of a 0-based column: 0 is A, 26 is AA.
func columnName(i int) string {
	name := ""
	for i++; i > 0; i = (i - 1) / 26 {
		name = string(rune('A'+(i-1)%26)) + name
	}
	return name
}

// blank reports whether Clean(s) would be empty.
func blank(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && !invisible(r) {
			return false
		}
	}
	return true
}

// cellRange is a merged range: rows 1-based, columns 0-based, inclusive.
type cellRange struct {
	top, left, bottom, right int
}

// filler fills merged ranges down as rows stream past: every row a range
// covers gets the range's value in the range's first column. Excel keeps
// the value only in the top-left cell; a committee merged over the rows of
// its elders belongs to each of them. Ranges are not filled across: a data
// row's neighbouring columns hold other fields.
type filler struct {
	ranges []cellRange // spanning rows, by top row
	next   int
	active []downFill
}

type downFill struct {
	col, last int
	val       string
}

func newFiller(merges []cellRange) *filler {
	f := &filler{}
	for _, m := range merges {
		if m.bottom > m.top {
			f.ranges = append(f.ranges, m)
		}
	}
	slices.SortFunc(f.ranges, func(a, b cellRange) int { return a.top - b.top })
	return f
}

// apply fills row num and returns its cells and the columns it filled.
func (f *filler) apply(num int, cells []string) ([]string, []int) {
	var filled []int
	keep := f.active[:0]
	for _, a := range f.active {
		if a.last < num {
			continue
		}
		keep = append(keep, a)
		for len(cells) <= a.col {
			cells = append(cells, "")
		}
		if blank(cells[a.col]) {
			cells[a.col] = a.val
			filled = append(filled, a.col)
		}
	}
	f.active = keep
	for ; f.next < len(f.ranges) && f.ranges[f.next].top <= num; f.next++ {
		m := f.ranges[f.next]
		if m.top == num && m.left < len(cells) && !blank(cells[m.left]) {
			f.active = append(f.active, downFill{col: m.left, last: m.bottom, val: cells[m.left]})
		}
	}
	return cells, filled
}

// fillAcross returns a copy of a header row with merged ranges filled
// across: 联系电话 merged over two columns heads both.
func fillAcross(r row, merges []cellRange) []string {
	c := slices.Clone(r.cells)
	for _, m := range merges {
		if m.right == m.left || r.num < m.top || r.num > m.bottom || m.left >= len(c) {
			continue
		}
		for len(c) <= m.right {
			c = append(c, "")
		}
		for i := m.left + 1; i <= m.right; i++ {
			if blank(c[i]) {
				c[i] = c[m.left]
			}
		}
	}
	return c
}
