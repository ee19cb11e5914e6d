package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/anxin-care/anxin"
)

// The queues' settings (/admin/queues): every queue a caller may reach —
// the built-in ones and those the menus name — with its label, the skill
// its operators need, when it overflows to any operator, when the caller
// is offered a callback and how often the position is announced. A queue
// without settings of its own serves with anxin.DefaultQueue.

func (s *Server) routesQueues() {
	s.page("GET /admin/queues", s.getQueues)
	s.page("POST /admin/queues/{name}", s.postQueue)
}

type queuesPage struct {
	*Page
	Queues  []queueRow
	Skills  []choice // suggestions for the skill field
	CanEdit bool
}

// queueRow is a queue as its row shows it: settings as typed when refused.
type queueRow struct {
	Name, Label, Skill                string
	Overflow, MaxWait, Announce       string
	Custom                            bool
	Default                           string // the default label, shown as the placeholder
	Error                             string
	Form                              string // id of the row's form
	InvalidSkill, InvalidTimes, Focus bool
}

// queueSkills are the skills the form suggests: the languages other than
// Mandarin and the hotline tiers in use.
func queueSkills(p *Page, queues []anxin.Queue) []choice {
	var out []choice
	for _, l := range anxin.Languages()[1:] {
		out = append(out, choice{l, langLabel(p, l)})
	}
	seen := map[string]bool{"complaint": true}
	out = append(out, choice{"complaint", p.T("queue.skill.complaint")})
	for _, q := range queues {
		if q.Skill != "" && !seen[q.Skill] && !slices.Contains(anxin.Languages(), q.Skill) {
			seen[q.Skill] = true
			out = append(out, choice{q.Skill, q.Skill})
		}
	}
	return out
}

// queueRefused is a row as posted, with the error that refused it.
type queueRefused struct {
	Name string
	In   queueInput
	Err  error
}

// queueInput is a queue's settings as typed.
type queueInput struct {
	Label, Skill                string
	Overflow, MaxWait, Announce string
}

// parse reads the settings of the queue named name.
func (in queueInput) parse(name string) (anxin.Queue, error) {
	q := anxin.Queue{Name: name, Label: in.Label, Skill: strings.TrimSpace(in.Skill)}
	var err error
	num := func(s string) int {
		n, e := strconv.Atoi(strings.TrimSpace(s))
		if e != nil && err == nil {
			err = anxin.ErrorKey(anxin.EINVALID, "err.queue_times", "Overflow 0 s or more, maximum wait 10 s to 1 h, announcements every 0 (never) to 600 s.")
		}
		return n
	}
	q.OverflowSeconds, q.MaxWaitSeconds, q.AnnounceSeconds = num(in.Overflow), num(in.MaxWait), num(in.Announce)
	if err != nil {
		return q, err
	}
	return q, q.Validate()
}

func (s *Server) queuesPage(r *http.Request, refused *queueRefused) (*queuesPage, error) {
	menus, err := s.db.Menus(r.Context())
	if err != nil {
		return nil, err
	}
	queues, custom, err := s.queuesInUse(r.Context(), menus)
	if err != nil {
		return nil, err
	}
	p := &queuesPage{Page: s.newPage(r, "queues.title"), CanEdit: canEditTelephony(scopeOf(r))}
	p.Skills = queueSkills(p.Page, queues)
	itoa := strconv.Itoa
	for _, q := range queues {
		def := anxin.DefaultQueue(q.Name)
		row := queueRow{Name: q.Name, Label: q.Label, Skill: q.Skill, Overflow: itoa(q.OverflowSeconds), MaxWait: itoa(q.MaxWaitSeconds),
			Announce: itoa(q.AnnounceSeconds), Custom: custom[q.Name], Default: queueLabel(p.Page, def), Form: "queue-form-" + q.Name}
		if row.Label == q.Name {
			row.Label = "" // the placeholder shows the default
		}
		if refused != nil && refused.Name == q.Name {
			in := refused.In
			row.Label, row.Skill, row.Overflow, row.MaxWait, row.Announce = in.Label, in.Skill, in.Overflow, in.MaxWait, in.Announce
			row.Error = s.msgs.userMessage(p.Lang, refused.Err)
			row.InvalidSkill = errorKeyOf(refused.Err) == "err.skill"
			row.InvalidTimes, row.Focus = !row.InvalidSkill, true
		}
		p.Queues = append(p.Queues, row)
	}
	return p, nil
}

func (s *Server) getQueues(w http.ResponseWriter, r *http.Request) error {
	if _, err := adminScopeOf(r); err != nil {
		return err
	}
	p, err := s.queuesPage(r, nil)
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, "queues", p)
	return nil
}

func (s *Server) postQueue(w http.ResponseWriter, r *http.Request) error {
	sc, err := telephonyEditorOf(r)
	if err != nil {
		return err
	}
	name := r.PathValue("name")
	if !anxin.ValidSkill(name) {
		return anxin.ErrorKey(anxin.ENOTFOUND, "err.queue_name", "A queue's name is 1 to 32 lower-case letters, digits, - or _.")
	}
	in := queueInput{Label: r.PostFormValue("label"), Skill: r.PostFormValue("skill"), Overflow: r.PostFormValue("overflow"),
		MaxWait: r.PostFormValue("max_wait"), Announce: r.PostFormValue("announce")}
	q, err := in.parse(name)
	if err == nil {
		err = s.saveQueue(r, sc, q)
	}
	if err != nil {
		if !showInForm(err) {
			return err
		}
		p, perr := s.queuesPage(r, &queueRefused{Name: name, In: in, Err: err})
		if perr != nil {
			return perr
		}
		s.render(w, r, ErrorStatus(err), "queues", p)
		return nil
	}
	http.Redirect(w, r, "/admin/queues?flash=queue_saved#queue-"+name, http.StatusSeeOther)
	return nil
}

// saveQueue stores a queue's settings and audits what changed.
func (s *Server) saveQueue(r *http.Request, sc anxin.Scope, q anxin.Queue) error {
	cur := anxin.DefaultQueue(q.Name)
	stored, err := s.db.Queues(r.Context())
	if err != nil {
		return err
	}
	for _, x := range stored {
		if x.Name == q.Name {
			cur = x
		}
	}
	if err := s.db.SaveQueue(r.Context(), sc, &q); err != nil {
		return err
	}
	var d auditDiff
	d.note("label", strconv.Quote(cur.Label), strconv.Quote(q.Label))
	d.note("skill", orNone(cur.Skill), orNone(q.Skill))
	d.note("overflow", fmt.Sprint(cur.OverflowSeconds), fmt.Sprint(q.OverflowSeconds))
	d.note("max_wait", fmt.Sprint(cur.MaxWaitSeconds), fmt.Sprint(q.MaxWaitSeconds))
	d.note("announce", fmt.Sprint(cur.AnnounceSeconds), fmt.Sprint(q.AnnounceSeconds))
	return s.audit(r, &anxin.AuditEntry{Action: auditQueueUpdate, TargetType: "queue", TargetID: q.Name, Detail: d.String()})
}
