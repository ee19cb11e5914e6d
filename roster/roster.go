package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
)

// Field is a roster column Anxin understands.
type Field string

// Fields. A roster may have several columns for one field (a mobile and a
// landline, two emergency contacts); their values are kept in column order.
const (
	FieldName            Field = "name"
	FieldGender          Field = "gender"
	FieldBirthDate       Field = "birth_date"
	FieldIDNumber        Field = "id_number"
	FieldPhone           Field = "phone" // the elder's own numbers; see Column.PhoneLabel
	FieldStreet          Field = "street"
	FieldCommittee       Field = "committee"
	FieldAddress         Field = "address"
	FieldLiving          Field = "living"
	FieldDistrict        Field = "district"
	FieldAge             Field = "age"
	FieldTags            Field = "tags"
	FieldDialect         Field = "dialect"
	FieldContactName     Field = "contact_name"
	FieldContactRelation Field = "contact_relation"
	FieldContactPhone    Field = "contact_phone"
	FieldNotes           Field = "notes"
	FieldHealth          Field = "health"
)

// Column is a column of the header that maps to a Field.
type Column struct {
	Index  int    // 0-based: column A is 0
	Header string // the header as written, cleaned by Clean; "上级/下级" for a two-row header
	Field  Field
	// PhoneLabel is, for FieldPhone, the kind of number the header suggests:
	// anxin.PhoneMobile, PhoneLandline, PhoneChild, PhoneNeighbour or
	// PhoneOther.
	PhoneLabel string
}

// Record is one data row of a roster.
type Record struct {
	// Row is the 1-based row number the user sees in Excel (for a CSV file,
	// the row Excel would show it on).
	Row int
	// Raw holds every cell of the row as read, before cleaning; a cell under
	// a range merged down over several rows holds the range's value.
	Raw []string
	// Notes says which mapped cells were read as empty because they hold no
	// data: a formula with no saved result, or a formula error such as #N/A.
	// It is nil when all is well.
	Notes []string
	// vals holds the non-empty cells of the mapped columns (see All), and
	// spans says which of them belong to which field: a roster of 100,000
	// rows keeps 100,000 records, so no map per record.
	vals  []string
	spans []span
}

// span is the values vals[start:end] of a record's field.
type span struct {
	f          Field
	start, end int32
}

// All returns the non-empty cells of the columns mapped to f, cleaned by
// Clean, in column order. A birth date Excel stored as a date number is
// given as YYYY-MM-DD; other values are the cell text, unvalidated.
func (r *Record) All(f Field) []string {
	for _, sp := range r.spans {
		if sp.f == f {
			return r.vals[sp.start:sp.end:sp.end]
		}
	}
	return nil
}

// Get returns the first value of f in the record, or "".
func (r *Record) Get(f Field) string {
	if v := r.All(f); len(v) > 0 {
		return v[0]
	}
	return ""
}

// PhoneCell is the text of one phone column of a record, with the label its
// header suggests. A cell may hold several numbers; splitting them is the
// phone package's work.
type PhoneCell struct {
	Text   string
	Label  string
	Header string
}

// Sheet is a roster read from a file.
type Sheet struct {
	Name      string // the worksheet's name; for CSV, the file name
	Format    string // "xlsx" or "csv"
	Encoding  string // for CSV: "utf-8", "utf-8-bom", "utf-16le", "utf-16be" or "gb18030"
	HeaderRow int    // 1-based row of the header (the upper row of a two-row header)
	Columns   []Column
	Unmapped  []string // non-empty headers that name no Field, as written
	Records   []Record
	// SkippedEmpty counts the rows between the header and the last record
	// with nothing in the mapped columns (blank lines, rows numbered in the
	// 序号 column but never filled in); empty rows after the last record are
	// not counted.
	SkippedEmpty int
	// RepeatedHeaders counts the copies of the header found among the data
	// (rosters laid out for printing repeat it on every page); they are
	// skipped.
	RepeatedHeaders int
}

// Phones returns the record's non-empty phone cells in column order, with
// the labels of their headers.
func (s *Sheet) Phones(rec *Record) []PhoneCell {
	var out []PhoneCell
	for _, c := range s.Columns {
		if c.Field != FieldPhone || c.Index >= len(rec.Raw) {
			continue
		}
		if v := Clean(rec.Raw[c.Index]); v != "" {
			out = append(out, PhoneCell{Text: v, Label: c.PhoneLabel, Header: c.Header})
		}
	}
	return out
}

// Options limits what Read accepts. Zero fields take the defaults.
type Options struct {
	MaxBytes int64 // largest file accepted; default 50 MiB
	MaxRows  int   // most records accepted; default 100,000
}

// Defaults for Options. An import holds a file's records and elders in
// memory, about 4 KB a row at its peak: 100,000 rows stay under 500 MB
// (bench/import.sh), and a district's roster larger than that is split by
// street.
const (
	DefaultMaxBytes = 50 << 20
	DefaultMaxRows  = 100_000
)

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	return o
}

// Errors Read returns for files it refuses; test with errors.Is. The
// returned errors also carry an *anxin.Error with code EINVALID and a
// translation key (err.roster_*), so the web layer renders them as a 400
// with a message in the user's language.
var (
	ErrTooLarge             = errors.New("roster: file too large")
	ErrTooManyRows          = errors.New("roster: too many rows")
	ErrEncryptedOrOldFormat = errors.New("roster: encrypted workbook or old .xls format")
	ErrNotSpreadsheet       = errors.New("roster: not a spreadsheet")
	ErrNoHeader             = errors.New("roster: no header row")
	ErrMalformedCSV         = errors.New("roster: malformed CSV")
)

// readError is an error Read returns for a file it refuses: a message for
// the user (an *anxin.Error) that also matches one of the sentinel errors.
type readError struct {
	app   *anxin.Error
	kind  error
	cause error // what went wrong underneath, for the log; may be nil
}

func (e *readError) Error() string {
	if e.cause != nil {
		return "roster: " + e.app.Message + " (" + e.cause.Error() + ")"
	}
	return "roster: " + e.app.Message
}

func (e *readError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.app, e.kind, e.cause}
	}
	return []error{e.app, e.kind}
}

// refuse returns a readError of the given kind. The English message is
// format with args; the translation key takes the same args, so they must
// read the same in every language: numbers, sizes, sheet names.
func refuse(kind error, key, format string, args ...any) *readError {
	return &readError{app: anxin.ErrorKey(anxin.EINVALID, key, format, args...), kind: kind}
}

// byteSize formats n for a person: 50 MiB, 1.5 MiB, 300 KiB, 12 bytes.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Read reads a roster from the first size bytes of r. It decides between
// XLSX and CSV by the content, not by the name: a ZIP file is read as XLSX,
// an OLE2 compound file (an encrypted workbook, an old .xls or WPS .et) is
// refused with ErrEncryptedOrOldFormat, text is read as CSV, and anything
// else is refused with ErrNotSpreadsheet. filename is used in messages, as
// the Sheet name of a CSV file, and to refuse text that has a spreadsheet's
// name but no recognisable header with ErrNotSpreadsheet rather than
// ErrNoHeader.
//
// Read returns ErrTooLarge for a file over opt.MaxBytes, ErrTooManyRows for
// more than opt.MaxRows records, ErrNoHeader when no row among the first 20
// of any sheet names at least two known columns, one of them 姓名, and
// ErrMalformedCSV for a CSV file it cannot parse.
func Read(r io.ReaderAt, size int64, filename string, opt Options) (*Sheet, error) {
	opt = opt.withDefaults()
	if size > opt.MaxBytes {
		return nil, refuse(ErrTooLarge, "err.roster_too_large",
			"The file is %s, over the %s limit; split the roster into smaller files.", byteSize(size), byteSize(opt.MaxBytes))
	}
	if size <= 0 {
		return nil, refuse(ErrNoHeader, "err.roster_empty", "The file is empty.")
	}
	sr := io.NewSectionReader(r, 0, size)
	head := make([]byte, min(size, 4096))
	if _, err := sr.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("roster: read %s: %w", filename, err)
	}
	switch kind := sniff(head); kind {
	case kindZip:
		return readXLSX(sr, opt)
	case kindCFB:
		return nil, refuse(ErrEncryptedOrOldFormat, "err.roster_old_format",
			"The file is a password-protected workbook or an old .xls/.et file; open it in Excel or WPS and save it as .xlsx without a password.")
	case kindText:
		s, err := readCSV(sr, filepath.Base(filename), opt)
		if errors.Is(err, ErrNoHeader) && spreadsheetName(filename) {
			return nil, notSpreadsheet("text without a roster header")
		}
		return s, err
	default:
		return nil, notSpreadsheet(kind)
	}
}

// notSpreadsheet refuses a file; looks says what it seems to be, for the log.
func notSpreadsheet(looks string) *readError {
	e := refuse(ErrNotSpreadsheet, "err.roster_not_spreadsheet",
		"The file is not an Excel workbook or a CSV table; open it in Excel or WPS and save it as .xlsx.")
	e.cause = errors.New(looks)
	return e
}

// spreadsheetName reports whether name ends like a workbook's name.
func spreadsheetName(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx", ".xlsm", ".xls", ".et", ".ods":
		return true
	}
	return false
}

// Kinds of content sniff tells apart; others are descriptions of binary
// content for messages.
const (
	kindZip  = "zip"
	kindCFB  = "cfb"
	kindText = "text"
)

var magics = []struct {
	prefix, kind string
}{
	{"PK\x03\x04", kindZip},
	{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", kindCFB},
	{"\x89PNG", "a PNG image"},
	{"\xFF\xD8\xFF", "a JPEG image"},
	{"GIF8", "a GIF image"},
	{"%PDF", "a PDF document"},
	{"Rar!", "a RAR archive"},
	{"7z\xBC\xAF", "a 7z archive"},
	{"\x1F\x8B", "a gzip archive"},
	{"PK\x05\x06", "an empty ZIP archive"},
}

// sniff tells what head, the start of a file, is.
func sniff(head []byte) string {
	for _, m := range magics {
		if bytes.HasPrefix(head, []byte(m.prefix)) {
			return m.kind
		}
	}
	if bytes.HasPrefix(head, []byte("\xFF\xFE")) || bytes.HasPrefix(head, []byte("\xFE\xFF")) {
		return kindText // UTF-16 with a byte-order mark
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "a binary file"
	}
	lower := bytes.ToLower(bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n"))
	if bytes.HasPrefix(lower, []byte("<")) {
		if bytes.Contains(lower, []byte("urn:schemas-microsoft-com:office:spreadsheet")) {
			return "an XML Spreadsheet 2003 file"
		}
		if bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<table")) ||
			bytes.HasPrefix(lower, []byte("<!doctype")) {
			return "a web page"
		}
	}
	return kindText
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// Clean returns s tidied for reading: full-width ASCII letters, digits and
// punctuation become half-width, every kind of space (U+3000, NBSP, tabs,
// line breaks) becomes one ASCII space between words and none at the ends,
// and invisible characters (zero-width spaces, byte-order marks, control
// characters) are dropped. Chinese punctuation outside the full-width ASCII
// block, such as 。 and 、, is kept.
func Clean(s string) string {
	if isClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFF01 - '!'
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case invisible(r):
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isClean reports whether Clean(s) == s, cheaply, for the common case.
func isClean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == ' ' {
				if i == 0 || i == len(s)-1 || s[i+1] == ' ' {
					return false
				}
			} else if c < ' ' || c == 0x7F {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r >= 0xFF01 && r <= 0xFF5E) || unicode.IsSpace(r) || invisible(r) {
			return false
		}
		i += n
	}
	return true
}

// invisible reports whether r is a character Clean drops.
func invisible(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF':
		return true
	}
	return unicode.IsControl(r)
}
