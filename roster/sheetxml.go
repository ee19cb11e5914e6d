package roster

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// This file reads the parts of an XLSX package that excelize gives only by
// loading a whole worksheet into memory: which part holds which sheet, and a
// sheet's merged ranges (listed after all its rows) and formulas without a
// saved result. excelize's GetMergeCells decodes the full worksheet, a few
// hundred bytes per cell; scanSheet streams it instead.

// workbookSheet is a worksheet as the workbook lists it.
type workbookSheet struct {
	name   string
	hidden bool
	part   *zip.File
}

// workbookInfo is what listSheets reads from the workbook.
type workbookInfo struct {
	sheets   []workbookSheet
	date1904 bool
}

type xmlRels struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"Relationship"`
}

type xmlWorkbook struct {
	Pr struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"` // r:id, in whichever namespace
	} `xml:"sheets>sheet"`
}

// listSheets returns the worksheets of a workbook in the workbook's order
// (chart sheets and dialog sheets left out).
func listSheets(zr *zip.Reader) (*workbookInfo, error) {
	files := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		files[strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(f.Name, `\`, "/"), "/"))] = f
	}
	wbPath := "xl/workbook.xml"
	var root xmlRels
	_ = readXMLPart(files, "_rels/.rels", &root) // without it, the usual place
	for _, r := range root.Rels {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			wbPath = resolvePart("", r.Target)
		}
	}
	var wb xmlWorkbook
	if err := readXMLPart(files, wbPath, &wb); err != nil {
		return nil, err
	}
	dir := path.Dir(wbPath)
	var rels xmlRels
	if err := readXMLPart(files, path.Join(dir, "_rels", path.Base(wbPath)+".rels"), &rels); err != nil {
		return nil, err
	}
	info := &workbookInfo{date1904: wb.Pr.Date1904 == "1" || wb.Pr.Date1904 == "true"}
	for _, s := range wb.Sheets {
		for _, r := range rels.Rels {
			if r.ID != s.RID || !strings.HasSuffix(r.Type, "/worksheet") {
				continue
			}
			if part := files[strings.ToLower(resolvePart(dir, r.Target))]; part != nil {
				info.sheets = append(info.sheets, workbookSheet{name: s.Name, hidden: s.State != "" && s.State != "visible", part: part})
			}
		}
	}
	return info, nil
}

// resolvePart resolves a relationship's target against the directory of the
// part that points to it.
func resolvePart(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return path.Clean(target[1:])
	}
	return path.Join(dir, target)
}

func readXMLPart(files map[string]*zip.File, name string, v any) error {
	f := files[strings.ToLower(name)]
	if f == nil {
		return fmt.Errorf("no %s in the package", name)
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := xml.NewDecoder(io.LimitReader(rc, 16<<20)).Decode(v); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	return nil
}

// sheetScan is what scanSheet finds in a worksheet.
type sheetScan struct {
	merges   []cellRange
	uncached map[int][]int // row → 0-based columns
}

// scanSheet streams a worksheet's XML for its merged ranges and for formula
// cells with no saved value (<c><f>…</f></c> without <v>). It looks only at
// tags, which in XML cannot occur inside text, so it runs at the speed of
// decompression rather than of an XML decoder.
func scanSheet(part *zip.File) (*sheetScan, error) {
	rc, err := part.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(rc, 64<<10)
	sc := &sheetScan{}
	var (
		rowNum, col        int // current row (1-based) and cell column (0-based)
		inCell, hasF, hasV bool
	)
	for {
		tag, err := nextTag(br)
		if err == io.EOF {
			return sc, nil
		} else if err != nil {
			return nil, err
		}
		name, end, empty := tagName(tag)
		switch {
		case name == "row" && !end:
			rowNum++
			if _, r, ok := parseRef(attr(tag, "r"), true); ok {
				rowNum = r
			}
			col = -1
		case name == "c" && !end:
			col++
			if c, r, ok := parseRef(attr(tag, "r"), false); ok {
				col, rowNum = c, r
			}
			inCell, hasF, hasV = !empty, false, false
		case name == "f" && !end:
			hasF = true
		case name == "v" && !end && !empty:
			hasV = true
		case name == "c" && end:
			if inCell && hasF && !hasV {
				if sc.uncached == nil {
					sc.uncached = make(map[int][]int)
				}
				sc.uncached[rowNum] = append(sc.uncached[rowNum], col)
			}
			inCell = false
		case name == "mergeCell" && !end:
			if m, ok := parseRange(attr(tag, "ref")); ok {
				sc.merges = append(sc.merges, m)
			}
		}
	}
}

// nextTag returns the inside of the next tag, between < and >. The slice is
// valid until the next read. A tag longer than the buffer comes back cut
// short, which is harmless: the tags scanSheet reads are short.
func nextTag(br *bufio.Reader) ([]byte, error) {
	for {
		_, err := br.ReadSlice('<')
		if err == nil {
			break
		} else if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
	tag, err := br.ReadSlice('>')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = br.ReadSlice('>')
		}
		return nil, err
	}
	if err != nil {
		return nil, err
	}
	return tag[:len(tag)-1], nil
}

// tagName returns a tag's local name, and whether it is an end tag or an
// empty-element tag.
func tagName(tag []byte) (name string, end, empty bool) {
	if len(tag) > 0 && tag[0] == '/' {
		end, tag = true, tag[1:]
	}
	empty = len(tag) > 0 && tag[len(tag)-1] == '/'
	n := bytes.IndexAny(tag, " \t\r\n/")
	if n < 0 {
		n = len(tag)
	}
	local := tag[:n]
	if i := bytes.IndexByte(local, ':'); i >= 0 {
		local = local[i+1:]
	}
	// Compare without allocating: only a few names matter.
	for _, known := range []string{"row", "c", "f", "v", "mergeCell"} {
		if string(local) == known {
			return known, end, empty
		}
	}
	return "", end, empty
}

// attr returns the value of the attribute key in a tag, or nil.
func attr(tag []byte, key string) []byte {
	for i := 0; ; {
		j := bytes.Index(tag[i:], []byte(key))
		if j < 0 {
			return nil
		}
		j += i
		after := j + len(key)
		if j > 0 && isXMLSpace(tag[j-1]) && after+1 < len(tag) && tag[after] == '=' {
			q := tag[after+1]
			if q == '"' || q == '\'' {
				if k := bytes.IndexByte(tag[after+2:], q); k >= 0 {
					return tag[after+2 : after+2+k]
				}
			}
		}
		i = after
	}
}

func isXMLSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\r' || b == '\n' }

// parseRef reads a cell reference such as B12 (or, with rowOnly, a row
// number) into a 0-based column and a 1-based row.
func parseRef(ref []byte, rowOnly bool) (col, row int, ok bool) {
	i := 0
	if !rowOnly {
		for ; i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z'; i++ {
			col = col*26 + int(ref[i]-'A'+1)
		}
		if i == 0 || i > 3 {
			return 0, 0, false
		}
	}
	if i == len(ref) {
		return 0, 0, false
	}
	for ; i < len(ref); i++ {
		if ref[i] < '0' || ref[i] > '9' || row > 1<<21 {
			return 0, 0, false
		}
		row = row*10 + int(ref[i]-'0')
	}
	return col - 1, row, row > 0
}

// parseRange reads a merged range such as A1:F1.
func parseRange(ref []byte) (cellRange, bool) {
	a, b, ok := bytes.Cut(ref, []byte(":"))
	if !ok {
		return cellRange{}, false
	}
	c1, r1, ok1 := parseRef(a, false)
	c2, r2, ok2 := parseRef(b, false)
	if !ok1 || !ok2 {
		return cellRange{}, false
	}
	return cellRange{top: min(r1, r2), left: min(c1, c2), bottom: max(r1, r2), right: max(c1, c2)}, true
}
