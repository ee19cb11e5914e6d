package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// The campaign builder (/campaigns/new, /campaigns/{id}/edit): name, type,
// dial mode, area, dates, calling windows, attempts, the target's filters
// with a live count of the elders they select (GET /campaigns/count, asked
// by static/campaigns.js as the filters change, and a count button that
// works without it), and the script. Once a campaign has started its type,
// area and target are fixed: the form shows them read-only.

// campaignForm is a campaign as the builder shows and posts it.
type campaignForm struct {
	ID                                                                 int64
	State                                                              string
	Name, Type, Mode, RegionCode, StartsOn, EndsOn, Windows            string
	MaxAttempts, RetryMinutes, MinAge, MaxAge, NotReachedDays, Consent string
	Tags, Living, Dialects                                             []string
	WithOpenOrders                                                     bool
	ScriptID                                                           int64
}

// campaignFormOf fills the form from a campaign.
func campaignFormOf(c *anxin.Campaign) *campaignForm {
	num := func(n int) string {
		if n == 0 {
			return ""
		}
		return strconv.Itoa(n)
	}
	t := c.Target
	return &campaignForm{ID: c.ID, State: c.State, Name: c.Name, Type: c.Type, Mode: c.Mode, RegionCode: c.RegionCode,
		StartsOn: c.StartsOn, EndsOn: c.EndsOn, Windows: strings.Join(c.Windows, " "),
		MaxAttempts: num(c.MaxAttempts), RetryMinutes: num(c.RetryMinutes), MinAge: num(t.MinAge), MaxAge: num(t.MaxAge),
		NotReachedDays: num(t.NotReachedDays), Consent: t.Consent, Tags: t.Tags, Living: t.Living, Dialects: t.Dialects,
		WithOpenOrders: t.WithOpenOrders, ScriptID: c.ScriptID}
}

// campaignFormInput reads the builder's fields from a form or a query
// string (the live count).
func campaignFormInput(v url.Values) *campaignForm {
	get := func(k string) string { return strings.TrimSpace(v.Get(k)) }
	f := &campaignForm{Name: get("name"), Type: get("type"), Mode: get("mode"), RegionCode: get("region_code"),
		StartsOn: get("starts_on"), EndsOn: get("ends_on"), Windows: get("windows"), MaxAttempts: get("max_attempts"),
		RetryMinutes: get("retry_minutes"), MinAge: get("min_age"), MaxAge: get("max_age"), NotReachedDays: get("not_reached_days"),
		Consent: get("consent"), Tags: nonBlank(v["tag"]), Living: nonBlank(v["living"]), Dialects: nonBlank(v["dialect"]),
		WithOpenOrders: formBool(get("with_open_orders"))}
	f.ScriptID, _ = strconv.ParseInt(get("script_id"), 10, 64)
	return f
}

func nonBlank(vs []string) []string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// splitWindows reads calling windows separated by spaces, commas or 、.
func splitWindows(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '，' || r == '、' || r == ';' || r == '；' })
}

// campaign returns the campaign the form describes (over cur, when it
// edits one). Blank numbers take the defaults.
func (f *campaignForm) campaign(cur *anxin.Campaign) (*anxin.Campaign, error) {
	c := &anxin.Campaign{}
	if cur != nil {
		*c = *cur
	}
	c.Name, c.Type, c.Mode, c.RegionCode, c.StartsOn, c.EndsOn = f.Name, f.Type, f.Mode, f.RegionCode, f.StartsOn, f.EndsOn
	c.Windows = splitWindows(f.Windows)
	c.Target = anxin.Target{Tags: f.Tags, Living: f.Living, Dialects: f.Dialects, Consent: f.Consent, WithOpenOrders: f.WithOpenOrders}
	if cur != nil {
		c.Target.Within = cur.Target.Within
	}
	for _, n := range []struct {
		text string
		dst  *int
	}{{f.MaxAttempts, &c.MaxAttempts}, {f.RetryMinutes, &c.RetryMinutes}, {f.MinAge, &c.Target.MinAge},
		{f.MaxAge, &c.Target.MaxAge}, {f.NotReachedDays, &c.Target.NotReachedDays}} {
		*n.dst = 0
		if n.text == "" {
			continue
		}
		v, err := strconv.Atoi(n.text)
		if err != nil || v < 0 || v > 100000 {
			return c, anxin.ErrorKey(anxin.EINVALID, "err.campaign_number", "Ages, days, attempts and minutes are whole numbers.")
		}
		*n.dst = v
	}
	if c.Target.Consent != "" && !slices.Contains(consentPurposes, c.Target.Consent) {
		return c, anxin.ErrorKey(anxin.EINVALID, "err.campaign_target", "The target's ages and days must be sensible.")
	}
	return c, nil
}

// consentPurposes are the consents a target may require.
var consentPurposes = []string{anxin.ConsentCheckIn, anxin.ConsentHealth, anxin.ConsentRecording}

// Started reports whether the campaign has left its draft: its type,
// area and target are fixed.
func (f *campaignForm) Started() bool { return f.State != "" && f.State != anxin.CampaignDraft }

// Has reports whether a multi-choice field holds value, for checkboxes.
func (f *campaignForm) Has(field, value string) bool {
	switch field {
	case "living":
		return slices.Contains(f.Living, value)
	}
	return false
}

type campaignFormPage struct {
	*Page
	Form     *campaignForm
	New      bool
	Types    []choice
	Modes    []choice
	Areas    []choice
	Livings  []choice
	Consents []choice
	Tags     []termChoice
	Dialects []termChoice
	Scripts  []store.ScriptSummary
	// Count is the elders the target selects, shown after the count
	// button ("" before).
	Count   string
	Error   string
	Invalid string // the field to fix
}

// campaignFormPage fills what the builder offers.
func (s *Server) campaignFormPage(r *http.Request, sc anxin.Scope, f *campaignForm) (*campaignFormPage, error) {
	title := "campaigns.new"
	if f.ID != 0 {
		title = "campaigns.edit"
	}
	p := &campaignFormPage{Page: s.newPage(r, title), Form: f, New: f.ID == 0}
	for _, t := range anxin.CampaignTypes() {
		p.Types = append(p.Types, choice{t, p.T("campaigns.type." + t)})
	}
	for _, m := range anxin.DialModes() {
		p.Modes = append(p.Modes, choice{m, p.T("campaigns.mode." + m)})
	}
	for _, l := range elderLivings {
		p.Livings = append(p.Livings, choice{l, p.T("elders.living." + l)})
	}
	for _, c := range consentPurposes {
		p.Consents = append(p.Consents, choice{c, p.T("elders.consent." + c)})
	}
	vocab, err := s.db.Vocabulary(r.Context())
	if err != nil {
		return nil, err
	}
	p.Tags = termChoices(p.Page, vocab, anxin.TermTag, f.Tags)
	p.Dialects = termChoices(p.Page, vocab, anxin.TermDialect, f.Dialects)
	if p.Areas, err = s.campaignAreas(r.Context(), sc, f.RegionCode); err != nil {
		return nil, err
	}
	if p.Scripts, err = s.db.FindScripts(r.Context(), sc); err != nil {
		return nil, err
	}
	return p, nil
}

// campaignAreas lists the areas a campaign of sc may cover: sc's region,
// the regions below it and the ones below those (the platform: provinces
// and their cities), indented by level; current is kept when it lies
// deeper.
func (s *Server) campaignAreas(ctx context.Context, sc anxin.Scope, current string) ([]choice, error) {
	var roots []*anxin.Region
	if sc.Region != "" {
		root, err := s.db.FindRegion(ctx, sc.Region)
		if err != nil {
			return nil, err
		}
		roots = []*anxin.Region{root}
	} else if sc.All {
		var err error
		if roots, err = s.db.FindRegions(ctx, anxin.RegionFilter{}); err != nil {
			return nil, err
		}
	}
	var out []choice
	add := func(r *anxin.Region, depth int) {
		out = append(out, choice{r.Code, strings.Repeat("\u3000", depth) + r.Name})
	}
	for _, root := range roots {
		add(root, 0)
		kids, err := s.db.FindRegions(ctx, anxin.RegionFilter{Parent: root.Code, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			add(k, 1)
			if sc.Region == "" {
				continue
			}
			grand, err := s.db.FindRegions(ctx, anxin.RegionFilter{Parent: k.Code, Limit: 500})
			if err != nil {
				return nil, err
			}
			for _, g := range grand {
				add(g, 2)
			}
		}
	}
	if current != "" && !slices.ContainsFunc(out, func(c choice) bool { return c.Value == current }) && sc.CoversRegion(current) {
		name := current
		if r, err := s.db.FindRegion(ctx, current); err == nil {
			name = r.FullName
		}
		out = append(out, choice{current, name})
	}
	return out, nil
}

func (s *Server) getCampaignNew(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	if !runsCampaigns(sc) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_staff_only", "Campaigns are run by supervisors, administrators and community staff of their area.")
	}
	f := campaignFormOf(&anxin.Campaign{Type: anxin.CampaignSupply, Mode: anxin.DialPreview, RegionCode: sc.Region,
		StartsOn: s.cfg.Now().In(chinaTime).Format("2006-01-02"), Windows: anxin.DefaultWindows(), MaxAttempts: 3, RetryMinutes: 60})
	f.ScriptID, _ = queryID(r, "script")
	p, err := s.campaignFormPage(r, sc, f)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "campaign_form", p)
	return nil
}

func (s *Server) getCampaignEdit(w http.ResponseWriter, r *http.Request) error {
	sc, c, err := s.campaignOf(r)
	if err != nil {
		return err
	}
	if !runsCampaign(sc, c) {
		return anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_staff_only", "Campaigns are run by supervisors, administrators and community staff of their area.")
	}
	p, err := s.campaignFormPage(r, sc, campaignFormOf(c))
	if err != nil {
		return err
	}
	p.Title = p.T("campaigns.edit_of", c.Name)
	s.render(w, r, http.StatusOK, "campaign_form", p)
	return nil
}

// postCampaign creates (POST /campaigns) or saves (POST /campaigns/{id})
// a campaign, or counts its target (the count button).
func (s *Server) postCampaign(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err != nil {
		return err
	}
	var cur *anxin.Campaign
	if r.PathValue("id") != "" {
		if _, cur, err = s.campaignOf(r); err != nil {
			return err
		}
	}
	f := campaignFormInput(r.PostForm)
	if cur != nil {
		f.ID, f.State = cur.ID, cur.State
		if f.Started() {
			// Fixed once started: what the form shows read-only.
			locked := campaignFormOf(cur)
			f.Type, f.RegionCode, f.Tags, f.Living, f.Dialects = locked.Type, locked.RegionCode, locked.Tags, locked.Living, locked.Dialects
			f.MinAge, f.MaxAge, f.NotReachedDays, f.Consent, f.WithOpenOrders = locked.MinAge, locked.MaxAge, locked.NotReachedDays, locked.Consent, locked.WithOpenOrders
		}
	}
	c, err := f.campaign(cur)
	if err == nil && r.PostFormValue("op") == "count" {
		n, err := s.countTarget(r.Context(), sc, c)
		if err == nil {
			p, err := s.campaignFormPage(r, sc, f)
			if err != nil {
				return err
			}
			p.Count = strconv.Itoa(n)
			s.render(w, r, http.StatusOK, "campaign_form", p)
			return nil
		}
		return s.refuseCampaignForm(w, r, sc, f, err)
	}
	if err == nil {
		err = s.saveCampaign(r, sc, cur, c, f.ScriptID)
	}
	if err != nil {
		return s.refuseCampaignForm(w, r, sc, f, err)
	}
	flash := "campaign_saved"
	if cur == nil {
		flash = "campaign_created"
	}
	http.Redirect(w, r, fmt.Sprintf("/campaigns/%d?flash=%s", c.ID, flash), http.StatusSeeOther)
	return nil
}

// saveCampaign creates c (cur nil) or saves it over cur, sets its script
// and audits what it did.
func (s *Server) saveCampaign(r *http.Request, sc anxin.Scope, cur, c *anxin.Campaign, scriptID int64) error {
	if scriptID != 0 && scriptID != c.ScriptID {
		// Checked first: a refused script leaves no campaign behind.
		if _, err := s.db.FindScript(r.Context(), sc, scriptID, 0); err != nil {
			return err
		}
		// A campaign with tasks keeps its script (store.SetCampaignScript):
		// refused before anything else is saved.
		if cur != nil && cur.ScriptID != 0 {
			progress, err := s.db.CampaignsProgress(r.Context(), anxin.SystemScope(), []int64{cur.ID})
			if err != nil {
				return err
			}
			if progress[cur.ID].Tasks > 0 {
				return anxin.ErrorKey(anxin.ECONFLICT, "err.campaign_script_fixed", "The campaign has tasks made with its script: edit that script instead (new tasks get the new version).")
			}
		}
	}
	action := auditCampaignCreate
	if cur == nil {
		if err := s.db.CreateCampaign(r.Context(), sc, c); err != nil {
			return err
		}
	} else {
		action = auditCampaignUpdate
		if err := s.db.UpdateCampaign(r.Context(), sc, c); err != nil {
			return err
		}
	}
	if scriptID != 0 && scriptID != c.ScriptID {
		if err := s.db.SetCampaignScript(r.Context(), sc, c.ID, scriptID); err != nil {
			return err
		}
		c.ScriptID = scriptID
	}
	return s.audit(r, &anxin.AuditEntry{Action: action, TargetType: "campaign", TargetID: strconv.FormatInt(c.ID, 10),
		Detail: fmt.Sprintf("%s %s/%s %s script %d", c.Name, c.Type, c.Mode, c.RegionCode, c.ScriptID)})
}

// refuseCampaignForm shows the builder again as typed, with the reason.
func (s *Server) refuseCampaignForm(w http.ResponseWriter, r *http.Request, sc anxin.Scope, f *campaignForm, err error) error {
	if !showInForm(err) && anxin.ErrorCode(err) != anxin.ENOTFOUND {
		return err
	}
	p, ferr := s.campaignFormPage(r, sc, f)
	if ferr != nil {
		return ferr
	}
	p.Error = s.msgs.userMessage(p.Lang, err)
	var e *anxin.Error
	if errors.As(err, &e) {
		p.Invalid = map[string]string{
			"err.campaign_name": "name", "err.campaign_type": "type", "err.campaign_mode": "mode", "err.campaign_dates": "starts_on",
			"err.campaign_window": "windows", "err.campaign_attempts": "max_attempts", "err.campaign_target": "min_age",
			"err.campaign_number": "min_age", "err.campaign_area": "region_code", "err.script_not_found": "script_id",
		}[e.Key]
	}
	s.render(w, r, ErrorStatus(err), "campaign_form", p)
	return nil
}

// countTarget counts the elders a campaign's target selects, its numbers
// checked first.
func (s *Server) countTarget(ctx context.Context, sc anxin.Scope, c *anxin.Campaign) (int, error) {
	if !runsCampaigns(sc) {
		return 0, anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_staff_only", "Campaigns are run by supervisors, administrators and community staff of their area.")
	}
	if c.RegionCode == "" {
		c.RegionCode = sc.Region
	}
	t := c.Target
	if t.MaxAge != 0 && t.MaxAge < t.MinAge {
		return 0, anxin.ErrorKey(anxin.EINVALID, "err.campaign_target", "The target's ages and days must be sensible.")
	}
	if !sc.CoversRegion(c.RegionCode) {
		return 0, anxin.ErrorKey(anxin.EFORBIDDEN, "err.campaign_area", "A campaign covers your own area or part of it.")
	}
	return s.db.CountTarget(ctx, sc, c)
}

// getCampaignCount answers the builder's live count: GET /campaigns/count
// with the form's fields → {"count": n}, or {"error": message}.
func (s *Server) getCampaignCount(w http.ResponseWriter, r *http.Request) error {
	sc, err := campaignsScopeOf(r)
	if err == nil {
		var c *anxin.Campaign
		if c, err = campaignFormInput(r.URL.Query()).campaign(nil); err == nil {
			var n int
			if n, err = s.countTarget(r.Context(), sc, c); err == nil {
				writeJSON(w, http.StatusOK, map[string]int{"count": n})
				return nil
			}
		}
	}
	if anxin.ErrorCode(err) == anxin.EINTERNAL {
		return err
	}
	writeJSON(w, ErrorStatus(err), map[string]string{"error": s.msgs.userMessage(s.locale(r), err)})
	return nil
}
