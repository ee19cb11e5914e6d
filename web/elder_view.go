package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
)

// The elder's profile (/elders/{id}): every field, numbers masked until
// revealed with a reason (audited before anything is shown), health only
// under the consent and role rule, the change history and a timeline.

// healthRole reports whether the scope's roles may see health data at
// all: the hotline's operators, back office, supervisors and
// administrators. Street and committee staff may not.
func healthRole(sc anxin.Scope) bool {
	return sc.Has(anxin.RoleOperator) || sc.Has(anxin.RoleBackOffice) || sc.Has(anxin.RoleSupervisor) || sc.Has(anxin.RoleAdmin)
}

// healthVisible reports whether the viewer may see e's health and
// medication: the elder gave the health consent and the viewer's role
// allows it.
func healthVisible(sc anxin.Scope, e *anxin.Elder) bool {
	return healthRole(sc) && e.HasConsent(anxin.ConsentHealth)
}

// healthWritable reports whether the viewer may write health and
// medication of cur (nil for a new elder): a health role, and nothing
// recorded that is hidden from the viewer, which would be overwritten
// unseen.
func healthWritable(sc anxin.Scope, cur *anxin.Elder) bool {
	return healthRole(sc) && (cur == nil || cur.Health == "" && cur.Medication == "" || healthVisible(sc, cur))
}

// maxRevealReason bounds the reason given for revealing numbers.
const maxRevealReason = 200

// revealReason checks the reason given for revealing full numbers.
func revealReason(raw string) (string, error) {
	reason := strings.TrimSpace(raw)
	switch {
	case reason == "":
		return "", anxin.ErrorKey(anxin.EINVALID, "err.reveal_reason", "Give a reason for showing the full numbers.")
	case utf8.RuneCountInString(reason) > maxRevealReason || !isPlainText(reason):
		return "", anxin.ErrorKey(anxin.EINVALID, "err.reveal_reason_long", "The reason must be one line of at most %d characters.", maxRevealReason)
	}
	return reason, nil
}

// auditReveal records that the request's account saw an elder's full
// numbers, and why. Nothing may be shown when it fails.
func (s *Server) auditReveal(r *http.Request, id int64, reason string) error {
	return s.audit(r, &anxin.AuditEntry{
		Action: anxin.AuditReveal, TargetType: "elder", TargetID: strconv.FormatInt(id, 10),
		Reason: reason, Detail: "phones,id_number",
	})
}

// shownText is a sensitive text as the profile shows it: the text, or a
// placeholder saying it is not recorded or needs authorisation.
type shownText struct {
	Text        string
	Placeholder bool
}

func sensitive(p *Page, value string, visible bool) shownText {
	switch {
	case value == "":
		return shownText{p.T("elders.not_recorded"), true}
	case !visible:
		return shownText{p.T("elders.restricted"), true}
	}
	return shownText{value, false}
}

// historyRow is one recorded change as the profile shows it.
type historyRow struct {
	At                  time.Time
	Actor, Field        string
	Old, New            string
	Created, Restricted bool
}

// timelineItem is one event in an elder's timeline. This issue fills in
// the profile's creation and changes; calls, orders and escalations join
// as further kinds, each linking to where it is shown in full.
type timelineItem struct {
	At      time.Time
	Kind    string // created, change; later call, order, escalation
	Summary string
	Link    string // "" when the event has nowhere else to be shown
}

type elderPage struct {
	*Page
	// Elder is the elder as shown: numbers masked unless Revealed, health
	// and medication cleared unless visible.
	Elder              *anxin.Elder
	Age                int
	Revealed           bool
	Health, Medication shownText
	History            []historyRow
	Timeline           []timelineItem
	CanEdit            bool
	CanOrder           bool
	RevealReason       string
	RevealError        string
	LastContact        time.Time
}

// elderPage builds the profile of e for the viewer.
func (s *Server) elderPage(r *http.Request, sc anxin.Scope, e *anxin.Elder, revealed bool) (*elderPage, error) {
	hist, err := s.db.ElderHistory(r.Context(), sc, e.ID)
	if err != nil {
		return nil, err
	}
	p := &elderPage{
		Page: s.newPage(r, "elders.profile_title"), Elder: shownElder(sc, e, revealed), Age: ageOn(e.BirthDate, s.cfg.Now()),
		Revealed: revealed, CanEdit: canEditElders(sc), LastContact: e.LastContactAt,
	}
	p.Title = e.Name
	visible := healthVisible(sc, e)
	p.Health, p.Medication = sensitive(p.Page, e.Health, visible), sensitive(p.Page, e.Medication, visible)
	for _, h := range hist {
		p.History = append(p.History, historyEntry(p.Page, h, revealed, visible))
	}
	p.Timeline = elderTimeline(p.Page, e, hist)
	orders, _, err := s.db.FindOrders(r.Context(), sc, anxin.OrderFilter{ElderID: e.ID, Limit: maxTimelineOrders})
	if err != nil {
		return nil, err
	}
	for _, o := range orders {
		p.Timeline = append(p.Timeline, timelineItem{At: o.CreatedAt, Kind: "order", Link: fmt.Sprintf("/orders/%d", o.ID),
			Summary: fmt.Sprintf("%s %s（%s）", o.Number, o.Title, p.T("orders.state."+o.State))})
	}
	slices.SortStableFunc(p.Timeline, func(a, b timelineItem) int { return b.At.Compare(a.At) })
	p.CanOrder = !sc.AssignedOnly
	return p, nil
}

// maxTimelineOrders bounds the work orders on an elder's timeline; the
// order list filtered by elder has them all.
const maxTimelineOrders = 50

func (s *Server) getElder(w http.ResponseWriter, r *http.Request) error {
	sc, e, err := s.elderOf(r)
	if err != nil {
		return err
	}
	p, err := s.elderPage(r, sc, e, false)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "elder", p)
	return nil
}

// postElderReveal shows the profile with full numbers once the reason is
// audited; without a reason the profile comes back masked with a 400.
func (s *Server) postElderReveal(w http.ResponseWriter, r *http.Request) error {
	sc, e, err := s.elderOf(r)
	if err != nil {
		return err
	}
	raw := r.PostFormValue("reason")
	reason, rerr := revealReason(raw)
	if rerr == nil {
		if err := s.auditReveal(r, e.ID, reason); err != nil {
			return err
		}
	}
	p, err := s.elderPage(r, sc, e, rerr == nil)
	if err != nil {
		return err
	}
	if rerr != nil {
		p.RevealReason, p.RevealError = truncate(raw, 4*maxRevealReason), s.msgs.userMessage(p.Lang, rerr)
		s.render(w, r, ErrorStatus(rerr), "elder", p)
		return nil
	}
	p.RevealReason = reason
	s.render(w, r, http.StatusOK, "elder", p)
	return nil
}

// historyEntry renders one change: numbers masked unless revealed, health
// and medication hidden unless visible, enumerations translated.
func historyEntry(p *Page, h anxin.ElderHistory, revealed, healthShown bool) historyRow {
	row := historyRow{At: h.At, Actor: h.ActorName, Field: fieldLabel(p, h.Field)}
	if h.Field == "created" {
		row.Created, row.New = true, h.New
		return row
	}
	val := func(v string) string { return historyValue(p, h.Field, v, revealed) }
	row.Old, row.New = val(h.Old), val(h.New)
	if (h.Field == "health" || h.Field == "medication") && !healthShown {
		row.Restricted = true
		row.Old, row.New = sensitive(p, h.Old, false).Text, sensitive(p, h.New, false).Text
	}
	return row
}

// historyValue renders one stored history value for people.
func historyValue(p *Page, field, v string, revealed bool) string {
	if v == "" {
		return "—"
	}
	num := func(n string) string {
		if revealed {
			return n
		}
		return phone.Mask(n)
	}
	switch field {
	case "id_number":
		if !revealed {
			return maskID(v)
		}
	case "gender", "living", "status":
		return p.T("elders." + field + "." + v)
	case "tags":
		return strings.Join(splitTags(v), "、")
	case "phones":
		var ps []anxin.Phone
		if json.Unmarshal([]byte(v), &ps) != nil {
			return "?"
		}
		var out []string
		for _, x := range ps {
			out = append(out, p.T("elders.label."+x.Label)+" "+num(x.Number))
		}
		return orDash(strings.Join(out, "；"))
	case "contacts":
		var cs []anxin.Contact
		if json.Unmarshal([]byte(v), &cs) != nil {
			return "?"
		}
		var out []string
		for _, c := range cs {
			nums := make([]string, len(c.Phones))
			for i, n := range c.Phones {
				nums[i] = num(n)
			}
			out = append(out, strings.TrimSpace(c.Name+" "+c.Relation+" "+strings.Join(nums, " ")))
		}
		return orDash(strings.Join(out, "；"))
	case "consents":
		var cs []anxin.Consent
		if json.Unmarshal([]byte(v), &cs) != nil {
			return "?"
		}
		var out []string
		for _, c := range cs {
			mark := p.T("elders.consent_no")
			if c.Given {
				mark = p.T("elders.consent_yes")
			}
			out = append(out, p.T("elders.consent."+c.Purpose)+" "+mark)
		}
		return orDash(strings.Join(out, "；"))
	}
	if utf8.RuneCountInString(v) > 200 {
		return string([]rune(v)[:200]) + "…"
	}
	return v
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// elderTimeline lists the elder's events, newest first: the creation and
// the changes, one item per save (changes of one moment by one person).
func elderTimeline(p *Page, e *anxin.Elder, hist []anxin.ElderHistory) []timelineItem {
	var items []timelineItem
	created := false
	for i := 0; i < len(hist); {
		h := hist[i]
		if h.Field == "created" {
			created = true
			items = append(items, timelineItem{At: h.At, Kind: "created", Summary: p.T("elders.tl.created", h.ActorName)})
			i++
			continue
		}
		var fields []string
		j := i
		for ; j < len(hist) && hist[j].Field != "created" && sameSave(hist[j], h); j++ {
			fields = append(fields, fieldLabel(p, hist[j].Field))
		}
		slices.Reverse(fields) // the history is newest first; a save reads in field order
		items = append(items, timelineItem{At: h.At, Kind: "change", Summary: p.T("elders.tl.changed", h.ActorName, strings.Join(fields, "、")), Link: "#history"})
		i = j
	}
	if !created {
		items = append(items, timelineItem{At: e.CreatedAt, Kind: "created", Summary: p.T("elders.tl.created_unknown")})
	}
	slices.SortStableFunc(items, func(a, b timelineItem) int { return b.At.Compare(a.At) })
	return items
}

// sameSave reports whether two history entries come from one save: one
// person, recorded within a second (the store dates each entry as it
// writes it).
func sameSave(a, b anxin.ElderHistory) bool {
	d := a.At.Sub(b.At)
	return a.ActorName == b.ActorName && d < time.Second && d > -time.Second
}
