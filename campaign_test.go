package anxin_test

import (
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// TestNextCallTime: calls happen inside the windows on working days (China
// time): before a window → its start; inside → now; between windows → the
// next; after the last → the next working day's first; a weekend or holiday
// is skipped.
func TestNextCallTime(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	holiday := at("2026-10-01 00:00") // a Thursday
	workday := func(d time.Time) bool {
		d = d.In(cst)
		if d.Year() == holiday.Year() && d.YearDay() == holiday.YearDay() {
			return false
		}
		return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday
	}
	w := anxin.DefaultWindows()
	for _, c := range []struct{ from, want string }{
		{"2026-09-28 07:00", "2026-09-28 09:00"}, // Monday early
		{"2026-09-28 10:15", "2026-09-28 10:15"}, // inside
		{"2026-09-28 12:00", "2026-09-28 14:00"}, // lunch
		{"2026-09-28 17:30", "2026-09-29 09:00"}, // the window's end is out
		{"2026-09-30 18:00", "2026-10-02 09:00"}, // the holiday skipped
		{"2026-10-02 20:00", "2026-10-05 09:00"}, // Friday night → Monday
	} {
		if got := anxin.NextCallTime(at(c.from), w, workday); !got.Equal(at(c.want)) {
			t.Errorf("from %s: %s, want %s", c.from, got.In(cst).Format("2006-01-02 15:04"), c.want)
		}
	}
	// A window to midnight: the day's last minute is in it.
	if got := anxin.NextCallTime(at("2026-09-28 23:59"), []string{"00:00-24:00"}, workday); !got.Equal(at("2026-09-28 23:59")) {
		t.Errorf("23:59 in a whole-day window: %s", got.In(cst))
	}
	if from, to, err := anxin.ParseWindow("18:00-24:00"); err != nil || from != 18*60 || to != 24*60 {
		t.Errorf("18:00-24:00: %d %d %v", from, to, err)
	}
	for _, bad := range []string{"9-11", "11:30-09:00", "09:00", "25:00-26:00", "24:00-24:00"} {
		if _, _, err := anxin.ParseWindow(bad); err == nil {
			t.Errorf("window %q accepted", bad)
		}
	}
}

// TestScriptValidate: the seed's supply script passes; scripts that loop
// back, lack Mandarin, reuse a phone key or give a text question options
// are refused.
func TestScriptValidate(t *testing.T) {
	zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
	good := func() *anxin.Script {
		return &anxin.Script{Name: "保供问询", Questions: []anxin.Question{
			{Key: "enough", Type: anxin.QuestionYesNo, Prompt: "supply_enough",
				Text: map[string]string{anxin.LangMandarin: "您家里菜、米、油、肉还有吗？够吃吗？", anxin.LangShanghainese: "侬屋里厢菜、米、油、肉还有伐？够吃了伐？"},
				Options: []anxin.Option{
					{Key: "yes", Text: zh("够"), DTMF: "1"},
					{Key: "no", Text: zh("不够"), DTMF: "2", Next: "need", Actions: []anxin.Action{{Kind: anxin.ActSupplyOrder}}},
				}},
			{Key: "need", Type: anxin.QuestionMulti, Text: zh("需要什么？"), Options: []anxin.Option{
				{Key: "veg", Text: zh("蔬菜")}, {Key: "rice", Text: zh("米")},
			}},
		}}
	}
	s := good()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.IVRCapable() {
		t.Fatal("a multiple-choice question is asked by the machine")
	}
	if anxin.Wording(s.Questions[0].Text, anxin.LangShanghainese) != "侬屋里厢菜、米、油、肉还有伐？够吃了伐？" || anxin.Wording(s.Questions[1].Text, anxin.LangShanghainese) != "需要什么？" {
		t.Fatal("wording per language, Mandarin as fallback")
	}
	for name, spoil := range map[string]func(*anxin.Script){
		"loop":          func(s *anxin.Script) { s.Questions[1].Next = "enough" },
		"no Mandarin":   func(s *anxin.Script) { s.Questions[1].Text = map[string]string{anxin.LangShanghainese: "要啥？"} },
		"key twice":     func(s *anxin.Script) { s.Questions[0].Options[1].DTMF = "1" },
		"key 0":         func(s *anxin.Script) { s.Questions[0].Options[1].DTMF = "0" },
		"text options":  func(s *anxin.Script) { s.Questions[1].Type = anxin.QuestionText },
		"missing next":  func(s *anxin.Script) { s.Questions[0].Next = "nothing" },
		"bad action":    func(s *anxin.Script) { s.Questions[0].Options[1].Actions[0].Kind = "launch" },
		"yes/no of one": func(s *anxin.Script) { s.Questions[0].Options = s.Questions[0].Options[:1] },
	} {
		s := good()
		spoil(s)
		if err := s.Validate(); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
}
