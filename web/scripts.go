package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// Campaign scripts (话术): the list of the scripts an area sees and the
// script editor. Every save is a new version; tasks already made keep the
// version they were made with, so the page says so. Everyone who sees a
// campaign reads its script; those who run campaigns write them (the
// store lets only the writing organisation change a script).

func (s *Server) routesScripts() {
	s.page("GET /scripts", s.getScripts)
	s.page("GET /scripts/new", s.getScriptForm)
	s.page("POST /scripts", s.postScript)
	s.page("GET /scripts/{id}", s.getScriptForm)
	s.page("POST /scripts/{id}", s.postScript)
	s.apiScripts()
}

type scriptsPage struct {
	*Page
	Scripts   []store.ScriptSummary
	CanCreate bool
}

func (s *Server) getScripts(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	list, err := s.db.FindScripts(r.Context(), sc)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "scripts", &scriptsPage{Page: s.newPage(r, "scripts.title"), Scripts: list, CanCreate: runsCampaigns(sc)})
	return nil
}

type scriptFormPage struct {
	*Page
	Form       *scriptForm
	New        bool
	CanEdit    bool
	Versions   []store.ScriptVersion
	Types      []choice
	Kinds      []choice
	Categories []choice
	Urgencies  []choice
	Statuses   []choice
	Languages  []choice // the folded-away languages
	Keys       []string // phone keys an option may use
	Prompts    []string
	Saved      string
}

// scriptFormPage fills what the editor offers.
func (s *Server) scriptFormPage(r *http.Request, sc anxin.Scope, f *scriptForm, orgID int64) (*scriptFormPage, error) {
	title := "scripts.new"
	if f.ID != 0 {
		title = "scripts.edit"
	}
	p := &scriptFormPage{Page: s.newPage(r, title), Form: f, New: f.ID == 0, Keys: menuKeys,
		CanEdit: runsCampaigns(sc) && (f.ID == 0 || sc.All || orgID == sc.OrgID)}
	if f.ID != 0 {
		p.Title = p.T("scripts.edit_of", f.Name)
		var err error
		if p.Versions, err = s.db.ScriptVersions(r.Context(), sc, f.ID); err != nil {
			return nil, err
		}
		if len(p.Versions) > 0 {
			f.Latest = p.Versions[0].Version
		}
	}
	for _, t := range anxin.QuestionTypes() {
		p.Types = append(p.Types, choice{t, p.T("scripts.type." + t)})
	}
	for _, k := range anxin.ActionKinds() {
		p.Kinds = append(p.Kinds, choice{k, p.T("scripts.act." + k)})
	}
	cats, err := s.db.FindCategories(r.Context(), "", false)
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		if c.Family != anxin.FamilySupply {
			p.Categories = append(p.Categories, choice{c.Code, c.Name})
		}
	}
	for _, u := range anxin.OrderUrgencies {
		p.Urgencies = append(p.Urgencies, choice{u, p.T("orders.urgency." + u)})
	}
	for _, st := range elderStatuses {
		p.Statuses = append(p.Statuses, choice{st, p.T("elders.status." + st)})
	}
	for _, l := range scriptLangs[2:] {
		p.Languages = append(p.Languages, choice{l, langLabel(p.Page, l)})
	}
	if p.Prompts, _, err = s.promptNames(r.Context()); err != nil {
		return nil, err
	}
	return p, nil
}

// LangLabel names a wording language.
func (p *scriptFormPage) LangLabel(lang string) string { return langLabel(p.Page, lang) }

func (s *Server) getScriptForm(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	var cur *anxin.Script
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		v, _ := strconv.Atoi(r.URL.Query().Get("v"))
		if cur, err = s.db.FindScript(r.Context(), sc, id, max(v, 0)); err != nil {
			return err
		}
	} else if !runsCampaigns(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_staff_only", "Campaigns are run by supervisors, administrators and community staff of their area.")
	}
	var orgID int64
	if cur != nil {
		orgID = cur.OrgID
	}
	p, err := s.scriptFormPage(r, sc, scriptFormOf(cur), orgID)
	if err != nil {
		return err
	}
	if v, err := strconv.Atoi(r.URL.Query().Get("saved")); err == nil {
		p.Saved = p.T("scripts.saved", v)
	}
	s.render(w, r, http.StatusOK, "script_form", p)
	return nil
}

func (s *Server) postScript(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	f := &scriptForm{}
	var orgID int64
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		cur, err := s.db.FindScript(r.Context(), sc, id, 0)
		if err != nil {
			return err
		}
		f.ID, f.Version, orgID = cur.ID, cur.Version, cur.OrgID
	}
	scriptFormInput(r.PostForm, f)
	script := f.script()
	if err := s.saveScript(r, sc, script); err != nil {
		if !showInForm(err) {
			return err
		}
		f.refuse(s.newPage(r, "scripts.edit"), s.msgs, err)
		f.pad()
		p, perr := s.scriptFormPage(r, sc, f, orgID)
		if perr != nil {
			return perr
		}
		s.render(w, r, ErrorStatus(err), "script_form", p)
		return nil
	}
	http.Redirect(w, r, fmt.Sprintf("/scripts/%d?saved=%d", script.ID, script.Version), http.StatusSeeOther)
	return nil
}

// saveScript saves a script as a new version and audits it.
func (s *Server) saveScript(r *http.Request, sc anxin.Scope, script *anxin.Script) error {
	if err := s.db.SaveScript(r.Context(), sc, script); err != nil {
		return err
	}
	return s.audit(r, &anxin.AuditEntry{Action: auditScriptSave, TargetType: "script", TargetID: strconv.FormatInt(script.ID, 10),
		Detail: fmt.Sprintf("%s v%d, %d questions", script.Name, script.Version, len(script.Questions))})
}

// actionSlot is one action of an option as the form shows it.
type actionSlot struct {
	Page   *scriptFormPage
	Action anxin.Action
	N      int
	q      questionForm
	o      optionForm
}

// Name names a field of the action.
func (a actionSlot) Name(field string) string { return a.q.AF(a.o, a.N, field) }

// ActionSlot returns action n of option o of question q, for the
// script_action template.
func (p *scriptFormPage) ActionSlot(q questionForm, o optionForm, n int) actionSlot {
	return actionSlot{Page: p, Action: o.Actions[n], N: n, q: q, o: o}
}
