package web

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// The telephony configuration (/admin/trunks, /api/v1/trunks,
// /api/v1/dids): the trunks to the carriers — where their calls come from
// (peer addresses, or the carrier Anxin registers to), where calls out go,
// the callback number shown, channels and priority — with each node's
// live status of them, and the inbound numbers (DIDs) with the flow and
// area their calls go to. Every administrator may look; only the
// platform's administrators change them (the store refuses anyone else).
// Passwords are write-only: never rendered nor answered. Changes are
// audited and apply on every node within seconds: each node's trunk
// monitor re-reads the trunks (registrations, probes, allowed peers), and
// calls out read them per call.

func (s *Server) routesTrunks() {
	s.page("GET /admin/trunks", s.getTrunks)
	s.page("GET /admin/trunks/new", s.getTrunkNew)
	s.page("POST /admin/trunks", s.postTrunkNew)
	s.page("GET /admin/trunks/{id}", s.getTrunk)
	s.page("POST /admin/trunks/{id}", s.postTrunk)
	s.page("POST /admin/trunks/{id}/enabled", s.postTrunkEnabled)
	s.page("POST /admin/dids", s.postDIDNew)
	s.page("POST /admin/dids/{number}", s.postDID)
	s.api("GET /api/v1/trunks", s.apiTrunks)
	s.api("POST /api/v1/trunks", s.apiCreateTrunk)
	s.api("PATCH /api/v1/trunks/{id}", s.apiPatchTrunk)
	s.api("GET /api/v1/dids", s.apiDIDs)
	s.api("POST /api/v1/dids", s.apiCreateDID)
	s.api("PATCH /api/v1/dids/{number}", s.apiPatchDID)
}

// canEditTelephony and telephonyEditorOf (web/ivr.go) say who changes the
// telephony configuration: the platform's administrators.

// parsePeers reads peer addresses separated by commas, spaces or lines:
// CIDR prefixes, or single addresses (a /32 or /128).
func parsePeers(text string) ([]netip.Prefix, error) {
	out := []netip.Prefix{}
	for _, f := range strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == '，' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, anxin.ErrorKey(anxin.EINVALID, "err.trunk_peer_bad", "%q is not an address or a CIDR prefix (203.0.113.0/28).", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// peersText writes peers one per line.
func peersText(peers []netip.Prefix) string {
	s := make([]string, len(peers))
	for i, p := range peers {
		s[i] = p.String()
	}
	return strings.Join(s, "\n")
}

// saveTrunk stores next (a new trunk when cur is nil) and audits what
// changed; the password is never written to the log.
func (s *Server) saveTrunk(r *http.Request, sc anxin.Scope, cur, next *anxin.Trunk) error {
	if !canEditTelephony(sc) {
		return errTelephonyAdmin()
	}
	pwChanged := next.Password != "" && (cur == nil || next.Password != cur.Password)
	if err := s.db.SaveTrunk(r.Context(), sc, next); err != nil {
		return err
	}
	if cur == nil {
		return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditTrunkCreate, TargetType: "trunk", TargetID: strconv.FormatInt(next.ID, 10),
			Detail: fmt.Sprintf("%s (%s) host %q, callback %s, channels %d, priority %d, enabled %t", next.Name, next.Kind, next.Host,
				next.CallerID, next.MaxChannels, next.Priority, next.Enabled)})
	}
	var d auditDiff
	d.note("name", cur.Name, next.Name)
	d.note("kind", cur.Kind, next.Kind)
	d.note("peers", strings.ReplaceAll(peersText(cur.Peers), "\n", ","), strings.ReplaceAll(peersText(next.Peers), "\n", ","))
	d.note("host", cur.Host, next.Host)
	d.note("username", cur.Username, next.Username)
	if pwChanged {
		d = append(d, "password changed")
	}
	d.note("caller_id", cur.CallerID, next.CallerID)
	d.note("max_channels", strconv.Itoa(cur.MaxChannels), strconv.Itoa(next.MaxChannels))
	d.note("priority", strconv.Itoa(cur.Priority), strconv.Itoa(next.Priority))
	d.note("enabled", strconv.FormatBool(cur.Enabled), strconv.FormatBool(next.Enabled))
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditTrunkUpdate, TargetType: "trunk", TargetID: strconv.FormatInt(next.ID, 10),
		Detail: next.Name + ": " + d.String()})
}

// saveDID stores an inbound number (create: no such number yet) and
// audits it.
func (s *Server) saveDID(r *http.Request, sc anxin.Scope, d *anxin.DID, create bool) error {
	if !canEditTelephony(sc) {
		return errTelephonyAdmin()
	}
	cur, err := s.db.DID(r.Context(), d.Number)
	switch {
	case err == nil && create:
		return anxin.ErrorKey(anxin.ECONFLICT, "err.did_exists", "The number %s is configured already; change it in its row.", d.Number)
	case err != nil && anxin.ErrorCode(err) != anxin.ENOTFOUND:
		return err
	case err != nil && !create:
		return err
	}
	if err := s.db.SaveDID(r.Context(), sc, d); err != nil {
		return err
	}
	detail := fmt.Sprintf("%s → %s, area %s, %s", d.Number, d.Flow, d.RegionCode, d.Name)
	if cur != nil {
		var diff auditDiff
		diff.note("flow", cur.Flow, d.Flow)
		diff.note("region_code", cur.RegionCode, d.RegionCode)
		diff.note("name", cur.Name, d.Name)
		detail = d.Number + ": " + diff.String()
	}
	return s.audit(r, &anxin.AuditEntry{Action: anxin.AuditDIDSave, TargetType: "did", TargetID: d.Number, Detail: detail})
}

// Pages.

type trunksPage struct {
	*Page
	CanEdit bool
	Trunks  []trunkRow
	DIDs    []didRow
	NewDID  didRow
	Flows   []string
}

// trunkRow is a trunk with its status on each node.
type trunkRow struct {
	*anxin.Trunk
	Status []statusRow
}

// statusRow is a trunk's status on one node.
type statusRow struct {
	*anxin.TrunkStatus
	// Class styles the state's badge.
	Class string
}

// didRow is an inbound number as its row's form shows it.
type didRow struct {
	anxin.DID
	Form  string // id of the row's form
	Error string
	New   bool        // the row adding a number
	P     *trunksPage // for the row's template: T, CSRF, CanEdit, Flows
}

// trunkBadges style the states with the console's badge colours.
var trunkBadges = map[string]string{anxin.TrunkUp: "badge", anxin.TrunkDown: "badge urgency-urgent",
	anxin.TrunkRegistering: "badge state-new", anxin.TrunkOff: "badge state-cancelled"}

// trunksPage builds the list, with a refused number form as typed.
func (s *Server) trunksPage(r *http.Request, refused *didRow) (*trunksPage, error) {
	ctx := r.Context()
	trunks, err := s.db.Trunks(ctx)
	if err != nil {
		return nil, err
	}
	status, err := s.db.TrunkStatuses(ctx, "")
	if err != nil {
		return nil, err
	}
	dids, err := s.db.DIDs(ctx)
	if err != nil {
		return nil, err
	}
	p := &trunksPage{Page: s.newPage(r, "trunks.title"), CanEdit: canEditTelephony(scopeOf(r)),
		Flows: []string{anxin.FlowHotline, anxin.FlowCallback}}
	p.NewDID = didRow{DID: anxin.DID{Flow: anxin.FlowHotline}, Form: "did-new", New: true, P: p}
	for _, t := range trunks {
		row := trunkRow{Trunk: t}
		for _, st := range status {
			if st.TrunkID == t.ID {
				row.Status = append(row.Status, statusRow{TrunkStatus: st, Class: trunkBadges[st.State]})
			}
		}
		p.Trunks = append(p.Trunks, row)
	}
	for i, d := range dids {
		row := didRow{DID: *d, Form: "did-" + strconv.Itoa(i), P: p}
		if refused != nil && refused.Number == d.Number && refused.Form != "did-new" {
			row.DID, row.Error = refused.DID, refused.Error
		}
		p.DIDs = append(p.DIDs, row)
	}
	if refused != nil && refused.Form == "did-new" {
		p.NewDID.DID, p.NewDID.Error = refused.DID, refused.Error
	}
	return p, nil
}

func (s *Server) getTrunks(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	p, err := s.trunksPage(r, nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "trunks", p)
	return nil
}

// didForm reads an inbound number's form.
func didForm(r *http.Request, number string) anxin.DID {
	return anxin.DID{Number: strings.TrimSpace(number), Flow: r.PostFormValue("flow"),
		RegionCode: strings.TrimSpace(r.PostFormValue("region_code")), Name: r.PostFormValue("name")}
}

func (s *Server) postDIDNew(w http.ResponseWriter, r *http.Request) error {
	return s.postDIDForm(w, r, didForm(r, r.PostFormValue("number")), true)
}

func (s *Server) postDID(w http.ResponseWriter, r *http.Request) error {
	return s.postDIDForm(w, r, didForm(r, r.PathValue("number")), false)
}

// postDIDForm saves a number from the list's forms, or shows the list
// again with the row as typed and why it was refused.
func (s *Server) postDIDForm(w http.ResponseWriter, r *http.Request, d anxin.DID, create bool) error {
	sc, err := telephonyEditorOf(r)
	if err == nil {
		err = s.saveDID(r, sc, &d, create)
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		row := &didRow{DID: d, Form: "did-edit"}
		if create {
			row.Form = "did-new"
		}
		row.Error = s.msgs.userMessage(s.locale(r), err)
		p, perr := s.trunksPage(r, row)
		if perr != nil {
			return perr
		}
		s.render(w, r, ErrorStatus(err), "trunks", p)
		return nil
	}
	http.Redirect(w, r, "/admin/trunks?flash=did_saved#dids", http.StatusSeeOther)
	return nil
}

// trunkFormPage is the form of a new trunk (Current nil) or of one.
type trunkFormPage struct {
	*Page
	Current *anxin.Trunk
	Form    trunkInput
	Kinds   []string
	Error   string
}

// trunkInput is the trunk form as typed; the password is never shown
// back.
type trunkInput struct {
	Name, Kind, Peers, Host, Username, Password, CallerID, MaxChannels, Priority string
	Enabled, HasPassword                                                         bool
}

func inputOf(t *anxin.Trunk) trunkInput {
	return trunkInput{Name: t.Name, Kind: t.Kind, Peers: peersText(t.Peers), Host: t.Host, Username: t.Username, CallerID: t.CallerID,
		MaxChannels: strconv.Itoa(t.MaxChannels), Priority: strconv.Itoa(t.Priority), Enabled: t.Enabled, HasPassword: t.Password != ""}
}

// trunkFormInput reads the trunk form.
func trunkFormInput(r *http.Request) trunkInput {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return trunkInput{Name: v("name"), Kind: v("kind"), Peers: r.PostFormValue("peers"), Host: v("host"), Username: v("username"),
		Password: r.PostFormValue("password"), CallerID: v("caller_id"), MaxChannels: v("max_channels"), Priority: v("priority"),
		Enabled: formBool(r.PostFormValue("enabled"))}
}

// apply sets t's fields from the form.
func (in trunkInput) apply(t *anxin.Trunk) error {
	peers, err := parsePeers(in.Peers)
	if err != nil {
		return err
	}
	atoi := func(s string) (int, error) {
		if s == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			return 0, anxin.ErrorKey(anxin.EINVALID, "err.trunk_whole_number", "Channels and priority are whole numbers.")
		}
		return n, nil
	}
	channels, err := atoi(in.MaxChannels)
	if err != nil {
		return err
	}
	priority, err := atoi(in.Priority)
	if err != nil {
		return err
	}
	t.Name, t.Kind, t.Peers, t.Host, t.Username, t.CallerID = in.Name, in.Kind, peers, in.Host, in.Username, in.CallerID
	t.MaxChannels, t.Priority, t.Enabled = channels, priority, in.Enabled
	t.Password = in.Password // empty: the store keeps the one it has
	return nil
}

func (s *Server) trunkForm(r *http.Request, cur *anxin.Trunk, in trunkInput) *trunkFormPage {
	title := "trunks.new"
	if cur != nil {
		title = "trunks.edit"
	}
	p := &trunkFormPage{Page: s.newPage(r, title), Current: cur, Form: in, Kinds: []string{anxin.TrunkStatic, anxin.TrunkRegister}}
	p.Form.Password = ""
	if cur != nil {
		p.Title = cur.Name
		p.Form.HasPassword = cur.Password != ""
	}
	return p
}

func (s *Server) getTrunkNew(w http.ResponseWriter, r *http.Request) error {
	if _, err := telephonyEditorOf(r); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "trunk_form", s.trunkForm(r, nil, trunkInput{Kind: anxin.TrunkStatic, Enabled: true, Priority: "1"}))
	return nil
}

// trunkOf returns the trunk the path names (with its password, for edits).
func (s *Server) trunkOf(r *http.Request) (*anxin.Trunk, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	return s.db.Trunk(r.Context(), id)
}

func (s *Server) getTrunk(w http.ResponseWriter, r *http.Request) error {
	if _, err := telephonyEditorOf(r); err != nil {
		return err
	}
	cur, err := s.trunkOf(r)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "trunk_form", s.trunkForm(r, cur, inputOf(cur)))
	return nil
}

func (s *Server) postTrunkNew(w http.ResponseWriter, r *http.Request) error {
	return s.postTrunkForm(w, r, nil)
}

func (s *Server) postTrunk(w http.ResponseWriter, r *http.Request) error {
	if _, err := telephonyEditorOf(r); err != nil {
		return err
	}
	cur, err := s.trunkOf(r)
	if err != nil {
		return err
	}
	return s.postTrunkForm(w, r, cur)
}

// postTrunkForm saves the trunk form over cur (nil: a new trunk), or shows
// the form again as typed with why it was refused.
func (s *Server) postTrunkForm(w http.ResponseWriter, r *http.Request, cur *anxin.Trunk) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	in := trunkFormInput(r)
	next := &anxin.Trunk{}
	if cur != nil {
		c := *cur
		next = &c
	}
	if err = in.apply(next); err == nil {
		err = s.saveTrunk(r, sc, cur, next)
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		p := s.trunkForm(r, cur, in)
		p.Error = s.msgs.userMessage(p.Lang, err)
		s.render(w, r, ErrorStatus(err), "trunk_form", p)
		return nil
	}
	flash := "trunk_saved"
	if cur == nil {
		flash = "trunk_created"
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/trunks?flash=%s#trunk-%d", flash, next.ID), http.StatusSeeOther)
	return nil
}

// postTrunkEnabled enables or disables a trunk from the list.
func (s *Server) postTrunkEnabled(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	cur, err := s.trunkOf(r)
	if err != nil {
		return err
	}
	next := *cur
	next.Enabled = formBool(r.PostFormValue("enabled"))
	if next.Enabled != cur.Enabled {
		if err := s.saveTrunk(r, sc, cur, &next); err != nil {
			return err
		}
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/trunks?flash=trunk_saved#trunk-%d", cur.ID), http.StatusSeeOther)
	return nil
}
