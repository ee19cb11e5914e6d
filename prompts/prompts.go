package prompts

import (
	"embed"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/anxin-care/anxin"
)

//go:embed zh/*.wav
var files embed.FS

// Default is the language of the built-in prompts: Mandarin.
const Default = "zh"

// Names returns the names of the built-in prompts, such as "welcome",
// "main_menu" and "digit_0", sorted. Every name can be opened in the Default
// language.
func Names() []string {
	entries, err := fs.ReadDir(files, Default)
	if err != nil {
		// The directory is embedded at build time; it cannot be missing.
		panic("prompts: " + err.Error())
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".wav"))
	}
	slices.Sort(names)
	return names
}

// Open returns the whole WAV file (RIFF header included) of the built-in
// prompt name in language lang. The caller owns the returned slice. Only the
// Default language is built in; an unknown language or name returns an error
// with code anxin.ENOTFOUND.
func Open(lang, name string) ([]byte, error) {
	if lang != Default {
		return nil, anxin.Errorf(anxin.ENOTFOUND, "no built-in prompts in language %q", lang)
	}
	if !validName(name) {
		return nil, anxin.Errorf(anxin.ENOTFOUND, "no built-in prompt %q", name)
	}
	data, err := files.ReadFile(path.Join(lang, name+".wav"))
	if err != nil {
		return nil, anxin.Errorf(anxin.ENOTFOUND, "no built-in prompt %q", name)
	}
	return data, nil
}

// validName reports whether name is lower_snake_case ASCII, the only form a
// prompt's name takes; anything else (a path, an extension) is not a prompt.
func validName(name string) bool {
	if name == "" || name[0] == '_' || name[len(name)-1] == '_' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
