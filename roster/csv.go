package roster

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// textEncoding is how a CSV file's bytes become text.
type textEncoding struct {
	name string
	skip int64 // bytes of byte-order mark
	dec  encoding.Encoding
}

// readCSV reads a CSV file: comma-, tab- or semicolon-separated, in UTF-8
// (with or without a byte-order mark), UTF-16 with a byte-order mark (Excel's
// "Unicode text"), or GB18030, the superset of GBK that Excel and WPS on
// Chinese Windows write.
func readCSV(sr *io.SectionReader, name string, opt Options) (*Sheet, error) {
	enc, err := detectEncoding(sr)
	if err != nil {
		return nil, err
	}
	delim, err := sniffDelimiter(enc.open(sr))
	if err != nil {
		return nil, err
	}
	cr := csv.NewReader(enc.open(sr))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // 张"三 and other stray quotes of hand-typed files
	s := &Sheet{Name: name, Format: "csv", Encoding: enc.name}
	err = readTable(&csvRows{r: cr}, s, layout{}, opt.MaxRows)
	if errors.Is(err, errNoHeaderHere) {
		return nil, refuse(ErrNoHeader, "err.roster_no_header",
			"No header row with 姓名 and another known column (性别, 身份证号, 联系电话...) in the first %d rows.", headerScanRows)
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

// detectEncoding tells the encoding from a byte-order mark, else by whether
// the whole file is valid UTF-8: GBK text almost never is, and UTF-8 text
// that is also valid GBK would be short and odd.
func detectEncoding(sr *io.SectionReader) (textEncoding, error) {
	bom := make([]byte, 3)
	n, err := sr.ReadAt(bom, 0)
	if err != nil && err != io.EOF {
		return textEncoding{}, err
	}
	bom = bom[:n]
	switch {
	case bytes.HasPrefix(bom, utf8BOM):
		return textEncoding{name: "utf-8-bom", skip: 3}, nil
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}):
		return textEncoding{name: "utf-16le", skip: 2, dec: xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM)}, nil
	case bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		return textEncoding{name: "utf-16be", skip: 2, dec: xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM)}, nil
	}
	ok, err := validUTF8(io.NewSectionReader(sr, 0, sr.Size()))
	if err != nil {
		return textEncoding{}, err
	}
	if ok {
		return textEncoding{name: "utf-8"}, nil
	}
	return textEncoding{name: "gb18030", dec: simplifiedchinese.GB18030}, nil
}

// open returns the file's text from the start, after any byte-order mark.
func (e textEncoding) open(sr *io.SectionReader) io.Reader {
	var r io.Reader = io.NewSectionReader(sr, e.skip, sr.Size()-e.skip)
	if e.dec != nil {
		r = transform.NewReader(r, e.dec.NewDecoder())
	}
	return bufio.NewReaderSize(r, 64<<10)
}

// validUTF8 reports whether all of r is valid UTF-8, reading it in chunks.
func validUTF8(r io.Reader) (bool, error) {
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := io.ReadFull(r, buf[carry:])
		chunk := buf[:carry+n]
		end := len(chunk)
		if err == nil {
			end = completeRunes(chunk) // keep a rune cut at the chunk's end for the next
		}
		if !utf8.Valid(chunk[:end]) {
			return false, nil
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return true, nil
		case err != nil:
			return false, err
		}
		carry = copy(buf, chunk[end:])
	}
}

// completeRunes returns the length of b without a rune cut short at its end.
func completeRunes(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if utf8.FullRune(b[i:]) {
				return len(b)
			}
			return i
		}
	}
	return len(b)
}

// sniffDelimiter picks the separator under which a line among the first
// ones reads as the best header: a comma unless tabs or semicolons do better.
func sniffDelimiter(r io.Reader) (rune, error) {
	head := make([]byte, 64<<10)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return 0, err
	}
	lines := strings.SplitN(string(head[:n]), "\n", headerScanRows+1)
	best, bestScore := ',', 0
	for _, d := range []rune{',', '\t', ';'} {
		for _, line := range lines[:min(len(lines), headerScanRows)] {
			cells := strings.Split(strings.TrimRight(line, "\r"), string(d))
			for i, c := range cells {
				cells[i] = strings.Trim(c, `" `)
			}
			if score, name := headerScore(cells); name && score > bestScore {
				best, bestScore = d, score
			}
		}
	}
	return best, nil
}

// csvRows yields CSV records with the row numbers Excel would show them on:
// blank lines count as rows, and a quoted cell's line breaks do not.
type csvRows struct {
	r     *csv.Reader
	extra int // line breaks inside the quoted cells read so far
}

func (c *csvRows) next() (int, []string, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return 0, nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		line := 0
		if errors.As(err, &pe) {
			line = pe.StartLine
		}
		return 0, nil, malformedCSV(line, err)
	}
	line, _ := c.r.FieldPos(0)
	num := line - c.extra
	for _, f := range rec {
		n := strings.Count(f, "\n")
		if n > maxCellLines {
			return 0, nil, malformedCSV(line, fmt.Errorf("a cell of %d lines", n+1))
		}
		c.extra += n
	}
	return num, rec, nil
}

// maxCellLines bounds the line breaks in one quoted cell. A quotation mark
// left open swallows the rest of the file into one cell, silently, as
// Excel does; no roster cell holds this many lines.
const maxCellLines = 50

func malformedCSV(line int, cause error) error {
	e := refuse(ErrMalformedCSV, "err.roster_malformed_csv",
		"The CSV file is malformed near line %d (a quotation mark is not closed?); open it in Excel or WPS and save it as .xlsx.", line)
	e.cause = cause
	return e
}
