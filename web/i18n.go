package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/anxin-care/anxin"
)

// Messages live in web/messages/*.json, one file per part of the console:
// {"key": {"zh-CN": "...", "en": "..."}}. Keys are unique across files.
//
//go:embed messages/*.json
var messageFiles embed.FS

// catalog maps locale → key → message; it is read once and never changed.
type catalog map[string]map[string]string

func loadCatalog(fsys fs.FS) (catalog, error) {
	c := catalog{anxin.LocaleZH: {}, anxin.LocaleEN: {}}
	files, err := fs.Glob(fsys, "messages/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		var m map[string]map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for key, byLoc := range m {
			for _, loc := range []string{anxin.LocaleZH, anxin.LocaleEN} {
				msg, ok := byLoc[loc]
				if !ok {
					return nil, fmt.Errorf("%s: %s has no %s message", f, key, loc)
				}
				if _, dup := c[loc][key]; dup {
					return nil, fmt.Errorf("%s: %s defined twice", f, key)
				}
				c[loc][key] = msg
			}
		}
	}
	return c, nil
}

// lookup returns the message for key in loc, formatted with args.
func (c catalog) lookup(loc, key string, args ...any) (string, bool) {
	m, ok := c[loc][key]
	if !ok {
		return "", false
	}
	if len(args) > 0 {
		return fmt.Sprintf(m, args...), true
	}
	return m, true
}

// translate returns the message for key, or the key itself when missing
// (a test makes sure none is).
func (c catalog) translate(loc, key string, args ...any) string {
	if m, ok := c.lookup(loc, key, args...); ok {
		return m
	}
	return key
}

// locale picks the user's language: the account's setting, else the
// visitor's explicit choice (lang cookie), else Simplified Chinese. The
// browser's Accept-Language is ignored on purpose: the console is Chinese
// by default and English only when someone asks for it.
func (s *Server) locale(r *http.Request) string {
	if a := accountFrom(r.Context()); a != nil && a.Locale != "" {
		return a.Locale
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == anxin.LocaleEN || c.Value == anxin.LocaleZH) {
		return c.Value
	}
	return anxin.LocaleZH
}
