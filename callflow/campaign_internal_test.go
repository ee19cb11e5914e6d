package callflow

import (
	"fmt"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// TestDisposition: how a check-in call's record becomes its attempt's
// disposition.
func TestDisposition(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rec      anxin.Call
		stopping bool
		want     string
	}{
		{"key pressed", anxin.Call{Cause: anxin.CauseAnswered, CheckIn: anxin.CheckInWell, HangupBy: anxin.HangupSystem}, false, anxin.DispCompleted},
		{"key pressed, then the node stopped", anxin.Call{Cause: anxin.CauseAnswered, CheckIn: anxin.CheckInHelp, HangupBy: anxin.HangupSystem}, true, anxin.DispCompleted},
		{"answered, no key", anxin.Call{Cause: anxin.CauseAnswered, HangupBy: anxin.HangupCaller}, false, anxin.DispNoAnswer},
		{"answered, no key, prompts over", anxin.Call{Cause: anxin.CauseAnswered, HangupBy: anxin.HangupSystem}, false, anxin.DispNoAnswer},
		{"answered, the node stopped", anxin.Call{Cause: anxin.CauseAnswered, HangupBy: anxin.HangupSystem}, true, anxin.DispInterrupted},
		{"busy", anxin.Call{Cause: anxin.CauseBusy}, false, anxin.DispBusy},
		{"rang out", anxin.Call{Cause: anxin.CauseNoAnswer}, false, anxin.DispNoAnswer},
		{"rejected", anxin.Call{Cause: anxin.CauseRejected}, false, anxin.DispUnreachable},
		{"unreachable", anxin.Call{Cause: anxin.CauseUnreachable}, false, anxin.DispUnreachable},
		{"failed", anxin.Call{Cause: anxin.CauseFailed}, false, anxin.DispUnreachable},
		{"failed while stopping", anxin.Call{Cause: anxin.CauseFailed}, true, anxin.DispInterrupted},
		{"busy while stopping", anxin.Call{Cause: anxin.CauseBusy}, true, anxin.DispBusy},
		{"cancelled while stopping", anxin.Call{Cause: anxin.CauseCancelled}, true, anxin.DispInterrupted},
		{"lost to a restart", anxin.Call{Cause: anxin.CauseInterrupted}, false, anxin.DispInterrupted},
		{"no record", anxin.Call{}, false, anxin.DispInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := disposition(&tc.rec, tc.stopping); got != tc.want {
				t.Fatalf("disposition %s, want %s", got, tc.want)
			}
		})
	}
}

// TestCheckInOrder: all well opens nothing; supplies a service order for
// the back office (a supply order needs packages); help an urgent
// escalation; each once per attempt (the idempotency key).
func TestCheckInOrder(t *testing.T) {
	c := &anxin.Campaign{Name: "关爱问候"}
	a := &store.Attempt{ID: 7, Task: &anxin.Task{ID: 3, ElderID: 5}}
	if o := checkInOrder(c, a, anxin.CheckInWell, "1"); o != nil {
		t.Fatalf("all well opened %+v", o)
	}
	s := checkInOrder(c, a, anxin.CheckInSupplies, "2")
	if s == nil || s.Type != anxin.TypeService || s.Channel != anxin.ChannelOutbound || s.ElderID != 5 || s.CampaignTaskID != 3 || s.Validate() != nil {
		t.Fatalf("supplies %+v", s)
	}
	h := checkInOrder(c, a, anxin.CheckInHelp, "3")
	if h == nil || h.Type != anxin.TypeEscalation || h.Urgency != anxin.UrgencyUrgent || h.Validate() != nil || h.IdempotencyKey == s.IdempotencyKey ||
		h.Title != "自动问候：老人按 3 求助" {
		t.Fatalf("help %+v", h)
	}
	// A script's 0 is the same help, named by its key.
	if z := checkInOrder(c, a, anxin.CheckInHelp, "0"); z.Title != "自动问候：老人按 0 求助" || z.IdempotencyKey != h.IdempotencyKey {
		t.Fatalf("help by 0 %+v", z)
	}
}

// twoQuestions is an IVR script: are you well (yes/no), then, for those
// who are, supplies (single choice); those who are not end at once.
func twoQuestions() *anxin.Script {
	zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
	return &anxin.Script{Name: "问候", Questions: []anxin.Question{
		{Key: "well", Type: anxin.QuestionYesNo, Prompt: "checkin", Text: zh("身体好吗？"), Options: []anxin.Option{
			{Key: "yes", DTMF: "1", Next: "supplies", Text: zh("好")},
			{Key: "no", DTMF: "2", Text: zh("不好")},
		}},
		{Key: "mood", Type: anxin.QuestionYesNo, Prompt: "checkin", Text: zh("心情好吗？"), Next: "supplies", Options: []anxin.Option{
			{Key: "yes", DTMF: "1", Text: zh("好")}, {Key: "no", DTMF: "2", Text: zh("不好")},
		}},
		{Key: "supplies", Type: anxin.QuestionSingle, Prompt: "checkin", Text: zh("菜米油够吗？"), Options: []anxin.Option{
			{Key: "enough", DTMF: "1", Text: zh("够")}, {Key: "short", DTMF: "3", Text: zh("不够")},
		}},
	}}
}

// TestWalkScript: the questions asked follow the options' branches, else
// the question's own Next; no key, help or a hang-up stop the walk with
// the answers so far.
func TestWalkScript(t *testing.T) {
	s := twoQuestions()
	if err := s.Validate(); err != nil || !s.IVRCapable() {
		t.Fatalf("the test script: %v, IVR-capable %v", err, s.IVRCapable())
	}
	for _, tc := range []struct {
		name    string
		keys    string // a key per question asked; '-' none, '0' help, 'x' hung up
		asked   string
		answers map[string]string
		how     outcome
	}{
		{"well, then supplies short", "13", "well supplies", map[string]string{"well": "yes", "supplies": "short"}, scriptAnswered},
		{"not well: the end", "2", "well", map[string]string{"well": "no"}, scriptAnswered},
		{"help at the second", "10", "well supplies", map[string]string{"well": "yes"}, scriptHelp},
		{"no key at the first", "-", "well", map[string]string{}, scriptNoKey},
		{"hung up at the second", "1x", "well supplies", map[string]string{"well": "yes"}, scriptGone},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked []string
			answers, how := walkScript(s, func(q anxin.Question) (anxin.Option, outcome) {
				key := rune(tc.keys[len(asked)])
				asked = append(asked, q.Key)
				switch key {
				case '-':
					return anxin.Option{}, scriptNoKey
				case '0':
					return anxin.Option{}, scriptHelp
				case 'x':
					return anxin.Option{}, scriptGone
				}
				o, ok := optionByKey(q, key)
				if !ok {
					t.Fatalf("no option %c at %s", key, q.Key)
				}
				return o, scriptAnswered
			})
			if fmt.Sprint(asked) != "["+tc.asked+"]" || fmt.Sprint(answers) != fmt.Sprint(tc.answers) || how != tc.how {
				t.Fatalf("asked %v, answers %v, %v; want [%s], %v, %v", asked, answers, how, tc.asked, tc.answers, tc.how)
			}
		})
	}
}
