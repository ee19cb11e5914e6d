package gen_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/gen"
	"github.com/anxin-care/anxin/idcard"
	"github.com/anxin-care/anxin/namekey"
	"github.com/anxin-care/anxin/phone"
)

var (
	today = time.Date(2026, 5, 1, 3, 0, 0, 0, time.UTC)
	// Committees of Shanghai, Wuxi and Beijing, for the local dialects and
	// area codes.
	yuanyuan  = &anxin.Region{Code: "310107005001", Name: "源园居委会", Level: anxin.LevelCommittee, FullName: "上海市 普陀区 曹杨新村街道 源园居委会"}
	xinjing   = &anxin.Region{Code: "310105011001", Name: "新泾一村第一居委会", Level: anxin.LevelCommittee, FullName: "上海市 长宁区 北新泾街道 新泾一村第一居委会"}
	baizhuang = &anxin.Region{Code: "320205001002", Name: "柏庄社区居委会", Level: anxin.LevelCommittee, FullName: "江苏省 无锡市 锡山区 东亭街道 柏庄社区居委会"}
	duofu     = &anxin.Region{Code: "110101001001", Name: "多福巷社区居委会", Level: anxin.LevelCommittee, FullName: "北京市 东城区 东华门街道 多福巷社区居委会"}
	villages  = &anxin.Region{Code: "310117101201", Name: "长征村村委会", Level: anxin.LevelCommittee, FullName: "上海市 松江区 泗泾镇 长征村村委会"}
)

func TestDeterministic(t *testing.T) {
	make := func(seed uint64) []*anxin.Elder {
		g := gen.New(seed)
		var es []*anxin.Elder
		for i := range 300 {
			es = append(es, g.Elder([]*anxin.Region{yuanyuan, baizhuang, duofu}[i%3], today))
		}
		return es
	}
	a, b := make(42), make(42)
	for i := range a {
		if !reflect.DeepEqual(a[i], b[i]) {
			t.Fatalf("elder %d differs with the same seed:\n%+v\n%+v", i, a[i], b[i])
		}
	}
	c := make(43)
	same := 0
	for i := range a {
		if a[i].Name == c[i].Name && a[i].BirthDate == c[i].BirthDate {
			same++
		}
	}
	if same > 10 {
		t.Errorf("seeds 42 and 43 give %d of 300 elders with the same name and birth date", same)
	}
}

// ageOn returns the age in completed years on the date of day.
func ageOn(birth string, day time.Time) int {
	b, _ := time.Parse(time.DateOnly, birth)
	y := day.Year() - b.Year()
	if day.Month() < b.Month() || day.Month() == b.Month() && day.Day() < b.Day() {
		y--
	}
	return y
}

// share counts how often something holds.
type share struct{ yes, of int }

func (s *share) add(ok bool) {
	s.of++
	if ok {
		s.yes++
	}
}

func (s share) frac() float64 { return float64(s.yes) / float64(max(s.of, 1)) }

func (s share) String() string { return fmt.Sprintf("%.1f%% (%d of %d)", 100*s.frac(), s.yes, s.of) }

func TestDistributions(t *testing.T) {
	const n = 10000
	g := gen.New(2022)
	committees := []*anxin.Region{yuanyuan, xinjing, baizhuang, duofu, villages}
	day := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) // today in China
	var (
		alone, eldersOnly, old, centenarian, female, femaleYoung, femaleOld, aloneYoung, aloneOld share
		withID, landline, mobile, child, anyPhone, contact, checkin, health, recording, active    share
		shanghaiDialect, wuxiDialect, hearingOld                                                  share
	)
	ids := map[string]bool{}
	for i := range n {
		c := committees[i%len(committees)]
		e := g.Elder(c, today)
		if err := e.Validate(); err != nil {
			t.Fatalf("invalid elder %+v: %v", e, err)
		}
		if e.RegionCode != c.Code || e.Address == "" || e.Status == "" {
			t.Fatalf("elder %+v", e)
		}
		if n := utf8.RuneCountInString(e.Name); n < 2 || n > 3 {
			t.Errorf("name %q", e.Name)
		}
		if _, in := namekey.Keys(e.Name); len(in) != utf8.RuneCountInString(e.Name) {
			t.Errorf("name %q has initials %q", e.Name, in)
		}
		age := ageOn(e.BirthDate, day)
		if age < 60 || age > 104 {
			t.Fatalf("%s born %s is %d", e.Name, e.BirthDate, age)
		}
		old.add(age >= 80)
		centenarian.add(age >= 100)
		female.add(e.Gender == anxin.GenderFemale)
		if age < 70 {
			femaleYoung.add(e.Gender == anxin.GenderFemale)
			aloneYoung.add(e.Living == anxin.LivingAlone)
		}
		if age >= 85 {
			femaleOld.add(e.Gender == anxin.GenderFemale)
			aloneOld.add(e.Living == anxin.LivingAlone)
			hearingOld.add(e.Hearing != "")
		}
		alone.add(e.Living == anxin.LivingAlone)
		eldersOnly.add(e.Living == anxin.LivingEldersOnly)
		if slices.Contains(e.Tags, "高龄") != (age >= 80) {
			t.Errorf("%s aged %d has tags %v", e.Name, age, e.Tags)
		}

		withID.add(e.IDNumber != "")
		if e.IDNumber != "" {
			id, err := idcard.Parse(e.IDNumber)
			if err != nil {
				t.Fatalf("ID number %s: %v", e.IDNumber, err)
			}
			if id.Number != e.IDNumber || id.BirthDate != e.BirthDate || id.Gender != e.Gender || id.RegionCode != c.Code[:6] {
				t.Errorf("ID %+v does not match elder %s %s %s in %s", id, e.Name, e.BirthDate, e.Gender, c.Code)
			}
			if ids[e.IDNumber] {
				t.Errorf("ID number %s issued twice", e.IDNumber)
			}
			ids[e.IDNumber] = true
		}

		labels := map[string]bool{}
		for i, p := range e.Phones {
			if got, err := phone.Normalize(p.Number, ""); err != nil || got != p.Number {
				t.Errorf("%s phone %q normalises to %q, %v", p.Label, p.Number, got, err)
			}
			if p.Rank != i || labels[p.Label] {
				t.Errorf("phones %+v", e.Phones)
			}
			if (p.Label == anxin.PhoneLandline) == phone.IsMobile(p.Number) {
				t.Errorf("%s labelled %s", p.Number, p.Label)
			}
			labels[p.Label] = true
		}
		if p := e.Phones; len(p) > 0 && strings.HasPrefix(c.Code, "3101") && p[0].Label == anxin.PhoneLandline && !strings.HasPrefix(p[0].Number, "021-") {
			t.Errorf("Shanghai landline %s", p[0].Number)
		}
		landline.add(labels[anxin.PhoneLandline])
		mobile.add(labels[anxin.PhoneMobile])
		child.add(labels[anxin.PhoneChild])
		anyPhone.add(len(e.Phones) > 0)

		contact.add(len(e.Contacts) > 0)
		for _, k := range e.Contacts {
			if k.Name == "" || k.Relation == "" || len(k.Phones) != 1 || !phone.IsMobile(k.Phones[0]) {
				t.Errorf("contact %+v", k)
			}
		}
		checkin.add(e.HasConsent(anxin.ConsentCheckIn))
		health.add(e.HasConsent(anxin.ConsentHealth))
		recording.add(e.HasConsent(anxin.ConsentRecording))
		for _, k := range e.Consents {
			if k.Source != "居委纸质登记" || !k.At.Before(today) || k.At.Before(today.AddDate(-4, 0, 0)) {
				t.Errorf("consent %+v", k)
			}
		}
		if e.Health != "" && !e.HasConsent(anxin.ConsentHealth) {
			t.Errorf("health data without consent: %+v", e)
		}
		active.add(e.Status == anxin.StatusActive)

		switch c {
		case yuanyuan, xinjing:
			shanghaiDialect.add(e.Dialect == "上海话")
		case baizhuang:
			wuxiDialect.add(e.Dialect == "无锡话")
		case duofu:
			if e.Dialect != "普通话" {
				t.Errorf("Beijing elder speaks %s", e.Dialect)
			}
		}
	}
	for _, c := range []struct {
		name   string
		s      share
		lo, hi float64
	}{
		{"living alone", alone, 0.20, 0.30},
		{"elders only", eldersOnly, 0.25, 0.35},
		{"aged 80+", old, 0.20, 0.25},
		{"aged 100+", centenarian, 0, 0.005},
		{"women", female, 0.52, 0.58},
		{"with an ID number", withID, 0.82, 0.88},
		{"with a landline", landline, 0.64, 0.76},
		{"with a mobile", mobile, 0.55, 0.67},
		{"with a child's mobile", child, 0.36, 0.48},
		{"with a number", anyPhone, 0.965, 0.985},
		{"with an emergency contact", contact, 0.55, 0.65},
		{"consenting to check-in calls", checkin, 0.87, 0.93},
		{"consenting to health data", health, 0.56, 0.64},
		{"consenting to recording", recording, 0.77, 0.83},
		{"active", active, 0.95, 0.99},
		{"of Shanghai speaking 上海话", shanghaiDialect, 0.55, 0.65},
		{"of Wuxi speaking 无锡话", wuxiDialect, 0.55, 0.65},
		{"of 85+ with a hearing note", hearingOld, 0.3, 0.7},
	} {
		if f := c.s.frac(); f < c.lo || f > c.hi {
			t.Errorf("elders %s: %v, want %.0f%%–%.0f%%", c.name, c.s, 100*c.lo, 100*c.hi)
		} else {
			t.Logf("elders %s: %v", c.name, c.s)
		}
	}
	if femaleOld.frac() <= femaleYoung.frac()+0.05 {
		t.Errorf("women: %v of 85+, %v of 60–69; want more among the old", femaleOld, femaleYoung)
	}
	if aloneOld.frac() <= aloneYoung.frac()+0.05 {
		t.Errorf("living alone: %v of 85+, %v of 60–69; want more among the old", aloneOld, aloneYoung)
	}
}

// A city without a known area code gets no landlines, and a committee with
// an odd name still gets an address.
func TestOddRegions(t *testing.T) {
	g := gen.New(1)
	for _, c := range []*anxin.Region{
		{Code: "130602001001", Name: "某某社区居委会", FullName: "河北省 保定市 竞秀区 某某社区居委会"},
		{Code: "310104501498", Name: "漕河泾新兴技术开发区虚拟社区", FullName: "上海市 徐汇区 漕河泾新兴技术开发区 漕河泾新兴技术开发区虚拟社区"},
		{Code: "320282402498", Name: "村", FullName: "江苏省 无锡市 宜兴市 村"},
	} {
		for range 200 {
			e := g.Elder(c, today)
			if err := e.Validate(); err != nil || e.Address == "" {
				t.Fatalf("%+v: %v", e, err)
			}
			for _, p := range e.Phones {
				if c.Code[:4] == "1306" && p.Label == anxin.PhoneLandline {
					t.Fatalf("landline %s in a city without an area code", p.Number)
				}
				if got, err := phone.Normalize(p.Number, ""); err != nil || got != p.Number {
					t.Fatalf("%q: %q %v", p.Number, got, err)
				}
			}
		}
	}
}

func BenchmarkElder(b *testing.B) {
	g := gen.New(1)
	for b.Loop() {
		g.Elder(yuanyuan, today)
	}
}
