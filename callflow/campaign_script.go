package callflow

import (
	"cmp"
	"context"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// An agentless campaign's call that asks the campaign's script (issue 6):
// when the task's version of the script is IVR-capable, each question's
// prompt plays in the elder's language (else Mandarin, else the built-in
// prompt), one key answers it (a repeat when none or a wrong one comes),
// the chosen option's branch — else the question's — leads on, and 0 at
// any question asks for a person: an urgent escalation at once, then the
// hotline queue. The answers are reported when the call ends, as an
// operator reports hers (store.ReportAttempt), so orders, escalations,
// elder updates and the counts per version come from the same code.

// helpKey asks for a person at any question, as 0 (anxin.OperatorKey)
// does in every menu; a script's options never use it.
const helpKey = '0'

// helpQueue is the queue a check-in's elder who asked for a person waits in.
const helpQueue = "checkin_help"

// outcome is how one question, or a whole script, ended.
type outcome int

const (
	scriptAnswered outcome = iota // a key chose an option; a whole script: it ran to its end
	scriptNoKey                   // no key (or only wrong ones), even after the repeat
	scriptHelp                    // 0: she wants a person
	scriptGone                    // she hung up, or her media stopped
)

// walkScript asks s's questions from the first, following the branches:
// ask asks one and returns the option chosen and how it went. It returns
// the answers given (question key → option key) and how the walk ended:
// scriptAnswered when the script ran to its end. A script only leads forward
// (Script.Validate), so the walk ends; a branch to a question that is not
// there ends it too.
func walkScript(s *anxin.Script, ask func(anxin.Question) (anxin.Option, outcome)) (map[string]string, outcome) {
	answers := map[string]string{}
	if len(s.Questions) == 0 {
		return answers, scriptAnswered
	}
	q := s.Questions[0]
	for range s.Questions {
		o, how := ask(q)
		if how != scriptAnswered {
			return answers, how
		}
		answers[q.Key] = o.Key
		next, ok := s.Question(cmp.Or(o.Next, q.Next))
		if !ok {
			break // "" is the end
		}
		q = next
	}
	return answers, scriptAnswered
}

// optionByKey returns q's option that key answers.
func optionByKey(q anxin.Question, key rune) (anxin.Option, bool) {
	for _, o := range q.Options {
		if o.DTMF == string(key) {
			return o, true
		}
	}
	return anxin.Option{}, false
}

// askQuestion plays q's prompt and waits for one key: with none, or one no
// option has, the caller hears so and the prompt once more. A key pressed
// during any prompt counts (barge-in).
func (k *call) askQuestion(q anxin.Question) (anxin.Option, outcome) {
	var d rune
	ok := true
	// Each pass plays the question or takes a key pressed meanwhile; the
	// bound keeps a caller pressing wrong keys from holding the line.
	for plays, pass := 0, 0; pass < 8; pass++ {
		if d == 0 {
			if plays == 2 {
				return anxin.Option{}, scriptNoKey
			}
			plays++
			if d, ok = k.play(q.Prompt); ok && d == 0 {
				d, ok = k.key(k.menuTimeout())
			}
			if !ok {
				return anxin.Option{}, scriptGone
			}
			if d == 0 {
				if plays < 2 {
					if d, ok = k.play("no_input"); !ok {
						return anxin.Option{}, scriptGone
					}
				}
				continue
			}
		}
		key := d
		d = 0
		if key == helpKey {
			return anxin.Option{}, scriptHelp
		}
		if o, found := optionByKey(q, key); found {
			return o, scriptAnswered
		}
		if d, ok = k.play("invalid_input"); !ok {
			return anxin.Option{}, scriptGone
		}
	}
	return anxin.Option{}, scriptNoKey
}

// scriptCall is a call's course through its script, written by the call's
// goroutine and read by its ended hook (the same goroutine, afterwards).
type scriptCall struct {
	s       *anxin.Script
	answers map[string]string // question key → option key
	how     outcome
}

// askable reports whether every question of s has a prompt to play in the
// call's language (an upload in it, in Mandarin, or built in); the log
// names the first missing.
func (k *call) askable(s *anxin.Script) bool {
	for _, q := range s.Questions {
		if len(k.prompt(q.Prompt)) == 0 {
			k.f.cfg.Log.Error("campaign script: a question's prompt exists in no language; the fixed check-in plays instead",
				"script", s.ID, "version", s.Version, "question", q.Key, "prompt", q.Prompt)
			return false
		}
	}
	return true
}

// askScript asks sc's script on the answered call and keeps the answers in
// sc. At the end she is thanked; with no key after a question's repeat she
// hears goodbye; 0 marks the call's check-in "help", runs help (the urgent
// escalation, opened before anything else) and puts her in the help queue.
func (k *call) askScript(ctx context.Context, sc *scriptCall, help func()) {
	sc.answers, sc.how = walkScript(sc.s, k.askQuestion)
	switch sc.how {
	case scriptAnswered:
		k.play("checkin_thanks")
	case scriptNoKey:
		k.play("goodbye")
	case scriptHelp:
		if err := k.f.cfg.DB.SetCheckIn(ctx, k.rec.ID, anxin.CheckInHelp); err != nil {
			k.f.cfg.Log.Error("campaign script: help", "call", k.rec.ID, "err", err)
		}
		help()
		if _, ok := k.play("checkin_transfer"); ok {
			k.queue(ctx, helpQueue)
		}
	}
}

// callPlan is how a task's call goes: in the elder's language, asking the
// task's version of the campaign's script (nil: the fixed check-in), a
// person found among the operators of region; asked is the script's
// course once it ran.
type callPlan struct {
	lang   string
	region string
	script *anxin.Script
	asked  *scriptCall // nil: the script was not asked
}

// scriptKey names a version of a script.
type scriptKey struct {
	id      int64
	version int
}

// plan reads what a's call needs: the elder's language, the owner's area,
// and the script version to ask when the machine can ask it
// (Script.IVRCapable). Versions are kept once read: a version never
// changes.
func (d *dialler) plan(ctx context.Context, c *anxin.Campaign, a *store.Attempt) (*callPlan, error) {
	db := d.f.cfg.DB
	tc, err := db.TaskCall(ctx, a.Task.ID)
	if err != nil {
		return nil, err
	}
	p := &callPlan{lang: anxin.DialectLang(tc.Dialect), region: tc.OwnerRegion}
	if c.ScriptID == 0 {
		return p, nil
	}
	key := scriptKey{c.ScriptID, tc.ScriptVersion}
	s, ok := d.scripts[key]
	if !ok {
		if s, err = db.Script(ctx, c.ScriptID, tc.ScriptVersion); err != nil {
			return nil, err
		}
		if tc.ScriptVersion != 0 { // 0 is "the latest", which moves
			d.scripts[key] = s
		}
	}
	if s.IVRCapable() {
		p.script = s
	}
	return p, nil
}

// converse is what a campaign's answered call does: in the elder's
// language, with her operators those of the campaign's owner, it asks the
// script when there is one the machine can ask, else plays the fixed
// check-in (answered hears of its key).
func (k *call) converse(ctx context.Context, p *callPlan, help func(), answered func(string)) {
	k.lang = p.lang
	if k.lang != anxin.LangMandarin {
		if err := k.f.cfg.DB.SetCallLang(ctx, k.rec.ID, k.lang); err != nil {
			k.f.cfg.Log.Error("campaign call language", "call", k.rec.ID, "err", err)
		}
	}
	if p.region != "" {
		did := *k.did
		did.RegionCode = p.region
		k.did = &did
	}
	if p.script != nil && k.askable(p.script) {
		p.asked = &scriptCall{s: p.script}
		k.askScript(ctx, p.asked, help)
		return
	}
	k.checkIn(ctx, answered)
}

// report ends a scripted call's attempt as an operator's report would
// (store.ReportAttempt): the answers recorded under the task's script
// version, the chosen options' actions carried out for the campaign's
// owner, the attempt finished with disp. When an action cannot be carried
// out (a category no longer in the catalogue, say) the answers are kept
// and the attempt finished all the same; the log says why.
func (d *dialler) report(c *anxin.Campaign, a *store.Attempt, disp string, answers map[string]string) {
	ctx, db := context.Background(), d.f.cfg.DB
	log := d.f.cfg.Log.With("task", a.Task.ID, "attempt", a.ID)
	sc := anxin.SystemScope()
	sc.OrgID = c.OrgID // the campaign's owner takes the orders
	_, err := db.ReportAttempt(ctx, sc, a.ID, d.owner, store.AttemptReport{Answers: answers, Disposition: disp})
	switch {
	case err == nil:
		return
	case anxin.ErrorCode(err) == anxin.ECONFLICT:
		log.Warn("campaign dialler: reporting the answers", "err", err) // the lease is lost: nothing was written
		return
	}
	log.Error("campaign dialler: the script's actions", "answers", answers, "err", err)
	if err := db.RecordAnswers(ctx, a.ID, answers); err != nil {
		log.Error("campaign dialler: answers", "err", err)
	}
	d.finish(a, disp)
}
