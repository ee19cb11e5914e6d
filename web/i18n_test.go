package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/anxin-care/anxin"
)

// Every message key the templates and the code use exists in both languages.
func TestMessageKeysExist(t *testing.T) {
	c, err := loadCatalog(messageFiles)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{} // key → where
	tmplKey := regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)
	fs.WalkDir(templateFiles, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFiles, path)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = path
		}
		return nil
	})
	codeKey := regexp.MustCompile(`(?:ErrorKey\((?:anxin\.)?E[A-Z]+, |refuse\(Err[A-Za-z]+, |newPage\(r, |\.T\(|translate\([a-zA-Z.]+, )"([a-z0-9_.]*[a-z0-9_])"`)
	for _, dir := range []string{".", "..", "../store", "../roster", "../registry"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range codeKey.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = f
			}
		}
	}
	if len(used) < 20 {
		t.Fatalf("found only %d keys; is the pattern broken?", len(used))
	}
	for key, where := range used {
		for _, loc := range []string{anxin.LocaleZH, anxin.LocaleEN} {
			if _, ok := c[loc][key]; !ok {
				t.Errorf("%s: key %q has no %s message", where, key, loc)
			}
		}
	}
	for _, kind := range anxin.OrgKinds {
		if _, ok := c[anxin.LocaleZH]["kind."+kind]; !ok {
			t.Errorf("no message for organisation kind %s", kind)
		}
	}
	for _, role := range anxin.Roles {
		if _, ok := c[anxin.LocaleZH]["role."+role]; !ok {
			t.Errorf("no message for role %s", role)
		}
	}
}
