package anxin_test

import (
	"testing"

	"github.com/anxin-care/anxin"
)

func TestNormaliseLicence(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		ok   bool
	}{
		// Published codes of well-known companies.
		{"914403001922038216", "914403001922038216", true},
		{"91330100799655058B", "91330100799655058B", true},
		{" 9144 0300 1922 0382 16 ", "914403001922038216", true},
		{"91330100799655058b", "91330100799655058B", true},
		{"９１４４０３００１９２２０３８２１６", "914403001922038216", true},
		{"914403001922038217", "", false}, // wrong check character
		{"91440300192203821", "", false},  // 17 characters
		{"9144030019220382160", "", false},
		{"91440300192203821I", "", false}, // I is not in the alphabet
		{"", "", false},
	} {
		got, ok := anxin.NormaliseLicence(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("NormaliseLicence(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestDocumentType(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"pdf", []byte("%PDF-1.7\n..."), "application/pdf"},
		{"jpeg", []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 0}, "image/jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00"), "image/png"},
		{"html named .pdf", []byte("<!doctype html><script>"), ""},
		{"gif", []byte("GIF89a"), ""},
		{"zip (docx)", []byte("PK\x03\x04"), ""},
		{"pdf marker later in the file", []byte("junk%PDF-1.4"), ""},
		{"empty", nil, ""},
	} {
		got, err := anxin.DocumentType(c.data)
		if got != c.want || (c.want == "") != (err != nil) {
			t.Errorf("%s: %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	big := &anxin.ProviderDocument{Data: append([]byte("%PDF-"), make([]byte, anxin.MaxDocumentBytes)...)}
	if err := big.CheckDocument(); anxin.ErrorCode(err) != anxin.EINVALID {
		t.Errorf("11 MB document: %v", err)
	}
	ok := &anxin.ProviderDocument{Data: []byte("%PDF-1.4")}
	if err := ok.CheckDocument(); err != nil || ok.Kind != anxin.DocLicence || ok.ContentType != "application/pdf" || ok.Size != 8 {
		t.Errorf("small pdf: %+v, %v", ok, err)
	}
}
