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
	"github.com/anxin-care/anxin/prompts"
)

// The IVR console (issue 5): the menus callers hear (/admin/ivr), the
// queues they wait in (/admin/queues), the prompts played (/admin/prompts,
// prompts.go) and the operators' skills (/agents). Every administrator
// reads them; the platform's administrators change them (the store refuses
// everyone else), and every change is audited. Key 0 reaches a person from
// any menu: the forms show it as a fixed row and never store it otherwise.

// Audit actions of the IVR console.
const (
	auditMenuCreate   = "ivr.menu.create"
	auditMenuUpdate   = "ivr.menu.update"
	auditMenuDelete   = "ivr.menu.delete"
	auditQueueUpdate  = "ivr.queue.update"
	auditPromptUpload = "prompt.upload"
	auditPromptDelete = "prompt.delete"
	auditSkillsUpdate = "agent.skills"
)

// builtinQueues are the queues the call flows use whatever the menus say:
// the default menu's three, the operator's (key 0) and the check-in's
// call for help.
var builtinQueues = []string{"consultation", "service", "complaint", anxin.OperatorQueue, "checkin_help"}

// menuKeys are the keys a menu's options may use, as on a telephone; 0 is
// the operator's.
var menuKeys = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "#"}

// emptyOptionRows is how many blank rows the menu form offers for new keys.
const emptyOptionRows = 3

func (s *Server) routesIVR() {
	s.page("GET /admin/ivr", s.getMenus)
	s.page("GET /admin/ivr/new", s.getMenuForm)
	s.page("GET /admin/ivr/{id}", s.getMenuForm)
	s.page("POST /admin/ivr", s.postMenu)
	s.page("POST /admin/ivr/{id}", s.postMenu)
	s.page("POST /admin/ivr/{id}/delete", s.postMenuDelete)
	s.routesQueues()
	s.routesPrompts()
	s.apiIVR()
}

// canEditTelephony reports whether the scope may change menus, queues and
// prompts, as the store decides.
func canEditTelephony(sc anxin.Scope) bool { return sc.All && sc.Has(anxin.RoleAdmin) }

func errTelephonyAdmin() error {
	return anxin.ErrorKey(anxin.EFORBIDDEN, "err.telephony_admin_only", "Only the platform's administrators change trunks and hotline numbers.")
}

// telephonyEditorOf returns the scope of a platform administrator, and
// EFORBIDDEN for anyone else.
func telephonyEditorOf(r *http.Request) (anxin.Scope, error) {
	sc, err := adminScopeOf(r)
	if err == nil && !canEditTelephony(sc) {
		err = errTelephonyAdmin()
	}
	return sc, err
}

// ivrNames is what menus may refer to, with labels in the page's
// language: queues, menus, prompts and languages.
type ivrNames struct {
	Queues    []choice
	Menus     []choice
	Prompts   []choice
	Languages []choice
	queue     map[string]string // name → label
	prompt    map[string]string
	lang      map[string]string
}

// choice is an option of a select or datalist.
type choice struct {
	Value, Label string
}

// queueLabel names a queue: its stored label, else the built-in queue's
// name in the page's language, else its name.
func queueLabel(p *Page, q anxin.Queue) string {
	if q.Label != "" && q.Label != q.Name {
		return q.Label
	}
	if m, ok := p.msgs.lookup(p.Lang, "queue.name."+q.Name); ok {
		return m
	}
	return q.Name
}

// langLabel names a language in the page's language.
func langLabel(p *Page, lang string) string {
	if m, ok := p.msgs.lookup(p.Lang, "lang."+lang); ok {
		return m
	}
	return lang
}

// promptText is what a built-in prompt says, "" for others.
func promptText(p *Page, name string) string {
	m, _ := p.msgs.lookup(p.Lang, "prompt.text."+name)
	return m
}

// queuesInUse returns the settings of every queue a caller may reach: the
// built-in ones, those the menus name and those with settings of their
// own, by name (anxin.DefaultQueue where none are stored), and which are
// stored.
func (s *Server) queuesInUse(ctx context.Context, menus []*anxin.Menu) ([]anxin.Queue, map[string]bool, error) {
	stored, err := s.db.Queues(ctx)
	if err != nil {
		return nil, nil, err
	}
	custom := map[string]bool{}
	byName := map[string]anxin.Queue{}
	for _, q := range stored {
		byName[q.Name], custom[q.Name] = q, true
	}
	add := func(name string) {
		if _, ok := byName[name]; !ok && anxin.ValidSkill(name) {
			byName[name] = anxin.DefaultQueue(name)
		}
	}
	for _, n := range builtinQueues {
		add(n)
	}
	for _, m := range menus {
		for _, o := range m.Options {
			if o.Action == anxin.MenuQueue || o.Action == anxin.MenuCallback {
				add(o.Target)
			}
		}
	}
	out := make([]anxin.Queue, 0, len(byName))
	for _, q := range byName {
		out = append(out, q)
	}
	slices.SortFunc(out, func(a, b anxin.Queue) int { return strings.Compare(a.Name, b.Name) })
	return out, custom, nil
}

// promptNames returns the names of every prompt: built in and uploaded.
func (s *Server) promptNames(ctx context.Context) ([]string, []anxin.Prompt, error) {
	up, err := s.db.UploadedPrompts(ctx)
	if err != nil {
		return nil, nil, err
	}
	names := prompts.Names()
	for _, p := range up {
		names = append(names, p.Name)
	}
	slices.Sort(names)
	return slices.Compact(names), up, nil
}

// ivrNamesFor gathers the names menus may refer to.
func (s *Server) ivrNamesFor(ctx context.Context, p *Page, menus []*anxin.Menu) (*ivrNames, error) {
	n := &ivrNames{queue: map[string]string{}, prompt: map[string]string{}, lang: map[string]string{}}
	queues, _, err := s.queuesInUse(ctx, menus)
	if err != nil {
		return nil, err
	}
	for _, q := range queues {
		l := queueLabel(p, q)
		n.queue[q.Name] = l
		n.Queues = append(n.Queues, choice{q.Name, l})
	}
	for _, m := range menus {
		n.Menus = append(n.Menus, choice{m.Name, m.Name})
	}
	names, _, err := s.promptNames(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		l := name
		if t := promptText(p, name); t != "" {
			l = name + " · " + truncate(t, 30)
		}
		n.prompt[name] = l
		n.Prompts = append(n.Prompts, choice{name, l})
	}
	for _, lang := range anxin.Languages() {
		l := langLabel(p, lang)
		n.lang[lang] = l
		n.Languages = append(n.Languages, choice{lang, l})
	}
	return n, nil
}

// summary says what a key does in the page's language: "咨询 队列",
// "子菜单 方言".
func (n *ivrNames) summary(p *Page, o anxin.MenuOption) string {
	or := func(m map[string]string, k string) string {
		if v, ok := m[k]; ok && v != "" {
			return v
		}
		return k
	}
	switch o.Action {
	case anxin.MenuQueue, anxin.MenuCallback:
		return p.T("ivr.sum."+o.Action, or(n.queue, o.Target))
	case anxin.MenuLanguage:
		if o.Next != "" {
			return p.T("ivr.sum.language_next", or(n.lang, o.Target), o.Next)
		}
		return p.T("ivr.sum.language", or(n.lang, o.Target))
	}
	return p.T("ivr.sum."+o.Action, o.Target)
}

// errorKeyOf returns the message key of an *anxin.Error in err's chain.
func errorKeyOf(err error) string {
	var e *anxin.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// Pages.

type menusPage struct {
	*Page
	Menus   []menuLine
	Default []string // hotline numbers at the built-in menu
	CanEdit bool
	Error   string
}

// menuLine is a menu in the list.
type menuLine struct {
	ID                       int64
	Name, Greeting, Prompt   string
	Options                  []string // "1 → 咨询 队列"
	Numbers                  []string
	From                     []string // the menus leading here
	TimeoutSeconds           int
	GreetingText, PromptText string
}

func (s *Server) getMenus(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	p, err := s.menusPage(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "ivr", p)
	return nil
}

func (s *Server) menusPage(r *http.Request) (*menusPage, error) {
	ctx := r.Context()
	menus, err := s.db.Menus(ctx)
	if err != nil {
		return nil, err
	}
	dids, err := s.db.DIDs(ctx)
	if err != nil {
		return nil, err
	}
	p := &menusPage{Page: s.newPage(r, "ivr.title"), CanEdit: canEditTelephony(scopeOf(r))}
	names, err := s.ivrNamesFor(ctx, p.Page, menus)
	if err != nil {
		return nil, err
	}
	started := map[string]bool{}
	from := map[string][]string{}
	for _, m := range menus {
		for _, o := range m.Options {
			if o.Action == anxin.MenuSubmenu {
				from[o.Target] = append(from[o.Target], m.Name)
			} else if o.Action == anxin.MenuLanguage && o.Next != "" {
				from[o.Next] = append(from[o.Next], m.Name)
			}
		}
	}
	for _, m := range menus {
		l := menuLine{ID: m.ID, Name: m.Name, Greeting: m.Greeting, Prompt: m.Prompt, Numbers: m.Numbers, TimeoutSeconds: m.TimeoutSeconds,
			GreetingText: promptText(p.Page, m.Greeting), PromptText: promptText(p.Page, m.Prompt), From: slices.Compact(from[m.Name])}
		for _, o := range m.Options {
			if o.Key != anxin.OperatorKey {
				l.Options = append(l.Options, o.Key+" → "+names.summary(p.Page, o))
			}
		}
		l.Options = append(l.Options, anxin.OperatorKey+" → "+p.T("ivr.operator"))
		for _, n := range m.Numbers {
			started[n] = true
		}
		p.Menus = append(p.Menus, l)
	}
	for _, d := range dids {
		if d.Flow == anxin.FlowHotline && !started[d.Number] {
			p.Default = append(p.Default, d.Number)
		}
	}
	return p, nil
}

// saveMenu stores a menu (cur nil: a new one) and audits it.
func (s *Server) saveMenu(r *http.Request, sc anxin.Scope, cur, m *anxin.Menu) error {
	if err := s.db.SaveMenu(r.Context(), sc, m); err != nil {
		return err
	}
	e := &anxin.AuditEntry{Action: auditMenuCreate, TargetType: "ivr_menu", TargetID: strconv.FormatInt(m.ID, 10)}
	if cur == nil {
		e.Detail = fmt.Sprintf("%q: %s", m.Name, menuDetail(m))
	} else {
		e.Action = auditMenuUpdate
		var d auditDiff
		d.note("name", strconv.Quote(cur.Name), strconv.Quote(m.Name))
		d.note("greeting", orNone(cur.Greeting), orNone(m.Greeting))
		d.note("prompt", cur.Prompt, m.Prompt)
		d.note("timeout", strconv.Itoa(cur.TimeoutSeconds), strconv.Itoa(m.TimeoutSeconds))
		d.note("options", optionsDetail(cur.Options), optionsDetail(m.Options))
		d.note("numbers", orNone(strings.Join(cur.Numbers, ",")), orNone(strings.Join(m.Numbers, ",")))
		e.Detail = fmt.Sprintf("%q: %s", m.Name, d)
	}
	return s.audit(r, e)
}

// menuDetail describes a new menu for the audit log.
func menuDetail(m *anxin.Menu) string {
	return fmt.Sprintf("greeting %s; prompt %s; timeout %d; options %s; numbers %s", orNone(m.Greeting), m.Prompt, m.TimeoutSeconds,
		optionsDetail(m.Options), orNone(strings.Join(m.Numbers, ",")))
}

// optionsDetail writes options as "1:queue:consultation,9:language:wuu>main".
func optionsDetail(opts []anxin.MenuOption) string {
	var parts []string
	for _, o := range opts {
		s := o.Key + ":" + o.Action + ":" + o.Target
		if o.Next != "" {
			s += ">" + o.Next
		}
		parts = append(parts, s)
	}
	return orNone(strings.Join(parts, ","))
}

func (s *Server) postMenuDelete(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.deleteMenu(r, sc, id); err != nil {
		if !showInForm(err) {
			return err
		}
		p, perr := s.menusPage(r)
		if perr != nil {
			return perr
		}
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "ivr", p)
		return nil
	}
	http.Redirect(w, r, "/admin/ivr?flash=menu_deleted", http.StatusSeeOther)
	return nil
}

// deleteMenu deletes a menu and audits it.
func (s *Server) deleteMenu(r *http.Request, sc anxin.Scope, id int64) error {
	m, err := s.db.Menu(r.Context(), id)
	if err != nil {
		return err
	}
	if err := s.db.DeleteMenu(r.Context(), sc, id); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{Action: auditMenuDelete, TargetType: "ivr_menu", TargetID: strconv.FormatInt(id, 10),
		Detail: fmt.Sprintf("%q: %s", m.Name, menuDetail(m))})
}
