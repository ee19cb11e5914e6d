package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// chinaTime is China Standard Time; China has no daylight saving.
var chinaTime = time.FixedZone("CST", 8*3600)

var templateFuncs = template.FuncMap{
	// when formats a time in China Standard Time; the zero time is "—".
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(chinaTime).Format("2006-01-02 15:04")
	},
	"join": strings.Join,
	"add":  func(a, b int) int { return a + b },
	// yuan shows a price in fen as yuan (anxin.FormatYuan).
	"yuan": anxin.FormatYuan,
	// list makes a slice of its arguments, for ranges in templates.
	"list": func(v ...int) []int { return v },
}

// parsePages parses layout.html with each other template into one page set
// per file, named after the file without .html.
func parsePages() (map[string]*template.Template, error) {
	layout, err := template.New("layout.html").Funcs(templateFuncs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" {
			continue
		}
		t, err := layout.Clone()
		if err == nil {
			t, err = t.ParseFS(templateFiles, f)
		}
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", f, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// NavItem is one entry of the navigation.
type NavItem struct {
	Href, Label string
	Active      bool
}

// Page is what every page template gets: the signed-in account, its scope,
// the CSRF token for forms, the navigation for its roles, and T to
// translate. Page structs of each view embed it.
type Page struct {
	Title   string
	Lang    string
	Account *anxin.Account
	Scope   anxin.Scope
	CSRF    string
	Nav     []NavItem
	Flash   string
	Version string
	// Agent is an operator's state bar (nil for everyone else); Path is
	// the page's path, for forms that come back to it.
	Agent *agentBar
	Path  string
	msgs  catalog
	// now is when the page was made (Config.Now), for what depends on
	// the time (Page.AtRisk).
	now time.Time
}

// T translates key into the page's language.
func (p *Page) T(key string, args ...any) string { return p.msgs.translate(p.Lang, key, args...) }

// IsAdmin reports whether the viewer holds the admin role.
func (p *Page) IsAdmin() bool { return p.Scope.Has(anxin.RoleAdmin) }

// newPage fills the common page fields for the request.
func (s *Server) newPage(r *http.Request, titleKey string) *Page {
	p := &Page{Lang: s.locale(r), Version: s.cfg.Version, msgs: s.msgs, now: s.cfg.Now()}
	p.Title = p.T(titleKey)
	if a := accountFrom(r.Context()); a != nil {
		p.Account = a
		p.Scope = anxin.ScopeOf(a)
		if sess := sessionFrom(r.Context()); sess != nil {
			p.CSRF = sess.CSRF
		}
		p.Nav = s.nav(p, r.URL.Path)
		p.Agent = s.agentBarFor(r, p.Scope)
		p.Path = r.URL.RequestURI()
	}
	if f := r.URL.Query().Get("flash"); f != "" {
		if m, ok := s.msgs.lookup(p.Lang, "flash."+f); ok {
			p.Flash = m
		}
	}
	return p
}

// nav lists what the account's roles may open.
func (s *Server) nav(p *Page, current string) []NavItem {
	items := []struct {
		href, key string
		ok        bool
	}{
		{"/", "nav.home", true},
		{"/elders", "nav.elders", p.Scope.All || !p.Scope.AssignedOnly},
		{"/orders", "nav.orders", true},
		{"/calls", "nav.calls", !p.Scope.AssignedOnly},
		{"/campaigns", "nav.campaigns", !p.Scope.AssignedOnly},
		{"/doorknocks", "nav.doorknocks", p.Scope.SeesDoorKnocks()},
		{"/coverage", "nav.coverage", p.Scope.SeesCoverage()},
		{"/callbacks", "nav.callbacks", p.Scope.Has(anxin.RoleOperator) && !p.Scope.AssignedOnly},
		{"/catalogue", "nav.catalogue", !p.Scope.Has(anxin.RoleVolunteer)},
		{"/catalogue/approvals", "nav.approvals", p.IsAdmin()},
		{"/providers", "nav.providers", !p.Scope.AssignedOnly && (p.Scope.CanEditCatalogue() || p.Scope.Has(anxin.RoleSupervisor))},
		{fmt.Sprintf("/providers/%d", p.Scope.OrgID), "nav.my_provider", p.Scope.AssignedOnly && p.Scope.Has(anxin.RolePartner)},
		{"/regions", "nav.regions", true},
		{"/admin/orgs", "nav.orgs", p.IsAdmin()},
		{"/admin/accounts", "nav.accounts", p.IsAdmin()},
		{"/admin/lists", "nav.vocab", p.IsAdmin()},
		{"/admin/calendar", "nav.calendar", p.IsAdmin()},
		{"/admin/sla", "nav.sla", p.IsAdmin()},
		{"/admin/trunks", "nav.trunks", p.IsAdmin()},
		{"/admin/ivr", "nav.ivr", p.IsAdmin()},
		{"/admin/queues", "nav.queues", p.IsAdmin()},
		{"/admin/prompts", "nav.prompts", p.IsAdmin()},
		{"/agents", "nav.agents", p.Scope.Has(anxin.RoleSupervisor) || p.IsAdmin()},
		{"/admin/audit", "nav.audit", p.IsAdmin()},
		{"/admin/alarms", "nav.alarms", p.Scope.SeesAlarms()},
		{"/me", "nav.me", true},
	}
	var out []NavItem
	for _, it := range items {
		if !it.ok {
			continue
		}
		out = append(out, NavItem{Href: it.href, Label: p.T(it.key)})
	}
	// The entry whose address is the longest prefix of the page's is the
	// current one: /catalogue/approvals, not /catalogue as well.
	best := -1
	for i, it := range out {
		if current == it.Href || (it.Href != "/" && strings.HasPrefix(current, it.Href+"/")) {
			if best < 0 || len(it.Href) > len(out[best].Href) {
				best = i
			}
		}
	}
	if best >= 0 {
		out[best].Active = true
	}
	return out
}

// render executes a page template into a buffer first, so a template error
// never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
