package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// The menu form (/admin/ivr/new, /admin/ivr/{id}): a menu's name, prompts
// and wait, a row per key (key, action, target, and the menu after a
// language choice) with blank rows for new keys, key 0 as a fixed row, and
// the hotline numbers starting at it. A refused form comes back as typed,
// the field or row at fault marked.

// menuForm is a menu as the form shows and posts it.
type menuForm struct {
	ID                     int64
	Name, Greeting, Prompt string
	Timeout                string
	Rows                   []anxin.MenuOption
	Numbers                []string
	OriginalName           string
	Invalid                string // the field to fix: name, prompt, greeting, timeout, options
	InvalidKey             string // the key of the option to fix
	Error                  string
	CanEdit, New           bool
	Keys                   []string
	Actions                []choice
	Names                  *ivrNames
	DIDs                   []didChoice
}

// didChoice is a hotline number's checkbox.
type didChoice struct {
	Number, Name string
	Checked      bool
	Elsewhere    string // the other menu the number starts at now
}

type menuFormPage struct {
	*Page
	Form *menuForm
}

// menuFormOf fills the form from a menu (nil: a new one).
func menuFormOf(m *anxin.Menu) *menuForm {
	if m == nil {
		return &menuForm{New: true, Prompt: "main_menu", Timeout: "8"}
	}
	f := &menuForm{ID: m.ID, Name: m.Name, OriginalName: m.Name, Greeting: m.Greeting, Prompt: m.Prompt,
		Timeout: strconv.Itoa(m.TimeoutSeconds), Numbers: m.Numbers}
	for _, o := range m.Options {
		if o.Key != anxin.OperatorKey {
			f.Rows = append(f.Rows, o)
		}
	}
	return f
}

// menuFormInput reads the posted form: parallel key, action, target and
// next fields, one per row; rows with neither key nor target are blank.
func menuFormInput(r *http.Request, f *menuForm) {
	f.Name = strings.TrimSpace(r.PostFormValue("name"))
	f.Greeting = r.PostFormValue("greeting")
	f.Prompt = r.PostFormValue("prompt")
	f.Timeout = strings.TrimSpace(r.PostFormValue("timeout"))
	f.Numbers = r.PostForm["number"]
	keys, actions, targets, nexts := r.PostForm["key"], r.PostForm["action"], r.PostForm["target"], r.PostForm["next"]
	at := func(v []string, i int) string {
		if i < len(v) {
			return strings.TrimSpace(v[i])
		}
		return ""
	}
	f.Rows = nil
	for i := range keys {
		o := anxin.MenuOption{Key: at(keys, i), Action: at(actions, i), Target: at(targets, i), Next: at(nexts, i)}
		if o.Key == "" && o.Target == "" && o.Next == "" {
			continue
		}
		if o.Action != anxin.MenuLanguage {
			o.Next = ""
		}
		f.Rows = append(f.Rows, o)
	}
}

// menu returns the menu the form describes.
func (f *menuForm) menu() (*anxin.Menu, error) {
	m := &anxin.Menu{ID: f.ID, Name: f.Name, Greeting: f.Greeting, Prompt: f.Prompt, Numbers: f.Numbers}
	t, err := strconv.Atoi(f.Timeout)
	if err != nil {
		return m, anxin.ErrorKey(anxin.EINVALID, "err.menu_timeout", "A menu waits between 2 and 60 seconds for a key.")
	}
	m.TimeoutSeconds = t
	m.Options = slices.Clone(f.Rows)
	return m, nil
}

// refuse marks what the error is about.
func (f *menuForm) refuse(p *Page, msgs catalog, err error) {
	f.Error = msgs.userMessage(p.Lang, err)
	var e *anxin.Error
	if !errors.As(err, &e) {
		return
	}
	var key string
	switch e.Key {
	case "err.menu_name", "err.menu_name_taken":
		f.Invalid = "name"
	case "err.menu_prompt":
		f.Invalid = "prompt"
	case "err.menu_timeout":
		f.Invalid = "timeout"
	case "err.menu_key", "err.menu_key_twice", "err.menu_key_0", "err.menu_action", "err.menu_target", "err.menu_no_submenu":
		f.Invalid = "options"
		if len(e.Args) > 0 {
			key, _ = e.Args[0].(string)
		}
	case "err.did_not_found":
		f.Invalid = "numbers"
	}
	f.InvalidKey = key
}

// fill adds what the form offers: keys, actions, names and numbers, and
// the blank rows.
func (s *Server) fillMenuForm(ctx context.Context, p *Page, f *menuForm) error {
	menus, err := s.db.Menus(ctx)
	if err != nil {
		return err
	}
	others := slices.DeleteFunc(slices.Clone(menus), func(m *anxin.Menu) bool { return m.ID == f.ID && f.ID != 0 })
	if f.Names, err = s.ivrNamesFor(ctx, p, others); err != nil {
		return err
	}
	dids, err := s.db.DIDs(ctx)
	if err != nil {
		return err
	}
	startsAt := map[string]string{}
	for _, m := range others {
		for _, n := range m.Numbers {
			startsAt[n] = m.Name
		}
	}
	for _, d := range dids {
		if d.Flow != anxin.FlowHotline {
			continue
		}
		c := didChoice{Number: d.Number, Name: d.Name, Checked: slices.Contains(f.Numbers, d.Number)}
		if m := startsAt[d.Number]; m != "" {
			c.Elsewhere = m
		}
		f.DIDs = append(f.DIDs, c)
	}
	f.Keys = menuKeys
	for _, a := range anxin.MenuActions() {
		f.Actions = append(f.Actions, choice{a, p.T("ivr.action." + a)})
	}
	for range emptyOptionRows {
		f.Rows = append(f.Rows, anxin.MenuOption{})
	}
	f.CanEdit = canEditTelephony(p.Scope)
	return nil
}

// TargetList names the datalist that fits an option's action.
func (f *menuForm) TargetList(action string) string {
	if action == "" {
		action = anxin.MenuQueue
	}
	return "ivr-targets-" + action
}

// Invalidates reports whether a row is the one an error is about.
func (f *menuForm) Invalidates(o anxin.MenuOption) bool {
	return f.Invalid == "options" && f.InvalidKey != "" && o.Key == f.InvalidKey
}

func (s *Server) getMenuForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	var m *anxin.Menu
	title := "ivr.new"
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if m, err = s.db.Menu(r.Context(), id); err != nil {
			return err
		}
		title = "ivr.edit"
	}
	p := &menuFormPage{Page: s.newPage(r, title), Form: menuFormOf(m)}
	if m != nil {
		p.Title = p.T("ivr.edit_of", m.Name)
	}
	if err := s.fillMenuForm(r.Context(), p.Page, p.Form); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "ivr_form", p)
	return nil
}

func (s *Server) postMenu(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	var cur *anxin.Menu
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if cur, err = s.db.Menu(r.Context(), id); err != nil {
			return err
		}
	}
	f := menuFormOf(cur)
	menuFormInput(r, f)
	m, err := f.menu()
	if err == nil {
		err = s.saveMenu(r, sc, cur, m)
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		title := "ivr.new"
		if cur != nil {
			title = "ivr.edit"
		}
		p := &menuFormPage{Page: s.newPage(r, title), Form: f}
		if cur != nil {
			p.Title = p.T("ivr.edit_of", cur.Name)
		}
		f.refuse(p.Page, s.msgs, err)
		if err := s.fillMenuForm(r.Context(), p.Page, f); err != nil {
			return err
		}
		s.render(w, r, ErrorStatus(err), "ivr_form", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/ivr?flash=menu_saved#menu-%d", m.ID), http.StatusSeeOther)
	return nil
}
