package gen

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
	"github.com/anxin-care/anxin/phone"
)

// Generator makes synthetic elders. Two generators made with the same seed
// give the same elders when asked the same questions in the same order. A
// Generator is not safe for concurrent use.
type Generator struct {
	r *rand.Rand
	// ids holds the first 17 digits of every ID number issued, as a
	// number, so that no two elders of a run share one.
	ids map[uint64]struct{}
}

// New returns a generator seeded with seed.
func New(seed uint64) *Generator {
	return &Generator{
		r:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		ids: map[uint64]struct{}{},
	}
}

// Shares the generator aims at, over all ages; the tests hold it to them.
const (
	shareWithID      = 0.85 // elders with a resident ID number
	shareActive      = 0.97 // elders whose status is active
	shareCheckIn     = 0.90 // consent to check-in calls
	shareHealth      = 0.60 // consent to keep health data
	shareRecording   = 0.80 // consent to record calls
	shareBestTime    = 0.85 // elders with a best time to call
	consentSource    = "居委纸质登记"
	fallbackChildTel = 0.55 // of elders left without a number, those given a child's
)

// ageBands are five-year age groups of the people on a committee's
// register of older residents, in per cent: Shanghai's 60+ population
// (2020 census: 80+ about 15%) skewed towards the old, whom registers of
// people living alone and hotlines over-represent. 80+ make 22%, 100+ 0.1%.
var ageBands = newTable(
	w[int]{60, 22}, w[int]{65, 24}, w[int]{70, 19}, w[int]{75, 13},
	w[int]{80, 10.5}, w[int]{85, 7.5}, w[int]{90, 3.1}, w[int]{95, 0.8}, w[int]{100, 0.1},
)

// byAge returns the value for age from thresholds: vals[i] applies from
// ages[i] up to the next threshold.
func byAge(age int, ages []int, vals []float64) float64 {
	v := vals[0]
	for i, a := range ages {
		if age >= a {
			v = vals[i]
		}
	}
	return v
}

var decades = []int{60, 70, 80, 90, 100}

// Age-dependent shares, by decade from 60 (see decades). Women outlive
// men; the oldest more often live alone, more rarely carry a mobile, and
// have their children's numbers registered.
var (
	femaleShare   = []float64{0.52, 0.55, 0.60, 0.68, 0.80}
	aloneShare    = []float64{0.18, 0.25, 0.31, 0.34, 0.30}
	eldersOnly    = []float64{0.32, 0.33, 0.27, 0.18, 0.10}
	landlineShare = []float64{0.62, 0.72, 0.80, 0.80, 0.80}
	mobileShare   = []float64{0.78, 0.58, 0.35, 0.20, 0.10}
	childTelShare = []float64{0.30, 0.37, 0.48, 0.56, 0.60}
	disabledShare = []float64{0.02, 0.03, 0.08, 0.18, 0.30} // 失能
	frailShare    = []float64{0.04, 0.06, 0.15, 0.25, 0.35} // 行动不便
	hearingShare  = []float64{0.03, 0.08, 0.25, 0.50, 0.70}
	hospitalShare = []float64{0.015, 0.015, 0.03, 0.04, 0.05}
	careHomeShare = []float64{0.005, 0.005, 0.02, 0.05, 0.08}
)

var (
	hearingNotes = strs("耳背，需大声慢说", 5, "左耳听不清，请大声说", 2, "戴助听器，接电话慢，请多等几声", 2, "听力差，可先打给子女", 1)
	bestTimes    = strs("上午", 45, "下午", 35, "晚饭后", 20)
	conditions   = []struct{ name, medication string }{
		{"高血压", "氨氯地平"}, {"高血压", "硝苯地平缓释片"}, {"糖尿病", "二甲双胍"}, {"冠心病", "阿司匹林"},
		{"慢阻肺", "噻托溴铵吸入剂"}, {"骨质疏松", "钙片"}, {"帕金森病", "多巴丝肼"}, {"阿尔茨海默病早期", "多奈哌齐"},
		{"脑梗后遗症", "阿托伐他汀"}, {"关节炎", ""}, {"白内障术后", ""},
	}
	relations       = strs("儿子", 42, "女儿", 42, "侄子", 6, "邻居", 7, "儿媳", 3)
	childlessKin    = strs("侄子", 50, "邻居", 40, "外甥女", 10)
	femaleRelations = []string{"女儿", "儿媳", "外甥女"}
)

// chinaDay is today's date in China, as midnight UTC.
func chinaDay(t time.Time) time.Time {
	y, m, d := t.In(time.FixedZone("CST", 8*3600)).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (g *Generator) chance(p float64) bool { return g.r.Float64() < p }

// Elder returns a new synthetic elder in the committee, aged as of today.
// The elder is valid (anxin.Elder.Validate) and not stored.
func (g *Generator) Elder(committee *anxin.Region, today time.Time) *anxin.Elder {
	day := chinaDay(today)
	age := ageBands.pick(g.r) + g.r.IntN(5)
	female := g.chance(byAge(age, decades, femaleShare))
	// A birth date that makes the elder exactly age today.
	latest := day.AddDate(-age, 0, 0)
	earliest := day.AddDate(-age-1, 0, 1)
	birth := earliest.AddDate(0, 0, g.r.IntN(int(latest.Sub(earliest).Hours()/24)+1))

	surname := surnameTable(committee.Code).pick(g.r)
	e := &anxin.Elder{
		Name:       surname + givenName(g.r, female, birth.Year()),
		Gender:     anxin.GenderMale,
		BirthDate:  birth.Format(time.DateOnly),
		RegionCode: committee.Code,
		RegionName: committee.FullName,
		Status:     anxin.StatusActive,
		Tags:       []string{},
		Phones:     []anxin.Phone{},
		Contacts:   []anxin.Contact{},
		Consents:   []anxin.Consent{},
	}
	if female {
		e.Gender = anxin.GenderFemale
	}
	if g.chance(shareWithID) && len(committee.Code) >= 6 {
		e.IDNumber = g.idNumber(committee.Code[:6], birth, !female)
	}
	childless := g.household(e, age)
	e.Address = address(g.r, committee.Name, committee.Code)
	g.phones(e, age, childless)
	// Committees make sure those living alone name someone.
	contactShare := 0.55
	if e.Living == anxin.LivingAlone {
		contactShare = 0.70
	}
	if g.chance(contactShare) {
		e.Contacts = append(e.Contacts, g.contact(e, surname, childless))
	}
	g.care(e, age, day)
	return e
}

// household sets the living arrangement and tags, and reports whether the
// elder lost their only child (失独).
func (g *Generator) household(e *anxin.Elder, age int) (childless bool) {
	switch x := g.r.Float64(); {
	case x < byAge(age, decades, aloneShare):
		e.Living = anxin.LivingAlone
	case x < byAge(age, decades, aloneShare)+byAge(age, decades, eldersOnly):
		e.Living = anxin.LivingEldersOnly
	default:
		e.Living = anxin.LivingFamily
	}
	childless = g.chance(0.012)
	if age >= 80 {
		e.Tags = append(e.Tags, "高龄")
	}
	if e.Living != anxin.LivingFamily && !childless && g.chance(0.35) {
		e.Tags = append(e.Tags, "空巢")
	}
	if childless {
		e.Tags = append(e.Tags, "失独")
	}
	if g.chance(byAge(age, decades, disabledShare)) {
		e.Tags = append(e.Tags, "失能")
	} else if g.chance(byAge(age, decades, frailShare)) {
		e.Tags = append(e.Tags, "行动不便")
	}
	if g.chance(0.04) {
		e.Tags = append(e.Tags, "残疾")
	}
	if g.chance(0.03) {
		e.Tags = append(e.Tags, "低保")
	}
	return childless
}

// phones gives the elder a landline, a mobile and a child's mobile in
// age-dependent shares, ordered as an operator should try them: a younger
// elder's own mobile first, else the landline.
func (g *Generator) phones(e *anxin.Elder, age int, childless bool) {
	var land, mob, child string
	if area := phone.AreaCode(e.RegionCode); area != "" && g.chance(byAge(age, decades, landlineShare)) {
		land = landline(g.r, area)
	}
	if g.chance(byAge(age, decades, mobileShare)) {
		mob = mobile(g.r)
	}
	if !childless && g.chance(byAge(age, decades, childTelShare)) {
		child = mobile(g.r)
	}
	if land == "" && mob == "" && child == "" && !childless && g.chance(fallbackChildTel) {
		child = mobile(g.r)
	}
	add := func(n, label string) {
		if n != "" {
			e.Phones = append(e.Phones, anxin.Phone{Number: n, Label: label, Rank: len(e.Phones)})
		}
	}
	if age < 75 {
		add(mob, anxin.PhoneMobile)
		add(land, anxin.PhoneLandline)
	} else {
		add(land, anxin.PhoneLandline)
		add(mob, anxin.PhoneMobile)
	}
	add(child, anxin.PhoneChild)
}

// contact returns an emergency contact: a son or daughter (whose mobile is
// often the child's number already registered), or for the childless a
// nephew or neighbour.
func (g *Generator) contact(e *anxin.Elder, surname string, childless bool) anxin.Contact {
	rel := relations.pick(g.r)
	if childless {
		rel = childlessKin.pick(g.r)
	}
	female := slices.Contains(femaleRelations, rel)
	if rel == "邻居" {
		female = g.chance(0.6)
	}
	// Children carry their father's surname: the elder's for a man,
	// usually another for a woman. Daughters-in-law and neighbours are
	// from other families.
	s := surname
	switch {
	case rel == "邻居" || rel == "儿媳" || rel == "外甥女":
		s = surnameTable(e.RegionCode).pick(g.r)
	case e.Gender == anxin.GenderFemale && g.chance(0.9):
		s = surnameTable(e.RegionCode).pick(g.r)
	}
	c := anxin.Contact{Name: s + childName(g.r, female), Relation: rel}
	for _, p := range e.Phones {
		if p.Label == anxin.PhoneChild && (rel == "儿子" || rel == "女儿") && g.chance(0.6) {
			c.Phones = []string{p.Number}
		}
	}
	if c.Phones == nil {
		c.Phones = []string{mobile(g.r)}
	}
	return c
}

// care fills in how to call the elder, health, consents and status.
func (g *Generator) care(e *anxin.Elder, age int, day time.Time) {
	e.Dialect = dialect(g.r, e.RegionCode)
	if g.chance(byAge(age, decades, hearingShare)) {
		e.Hearing = hearingNotes.pick(g.r)
	}
	if g.chance(shareBestTime) {
		e.BestTime = bestTimes.pick(g.r)
	}
	// Registered on paper at the committee some time in the last three
	// years, during office hours (China time).
	at := day.AddDate(0, 0, -30-g.r.IntN(1000)).Add(time.Duration(1+g.r.IntN(8*60)) * time.Minute) // 08:00–16:00 CST is 00:00–08:00 UTC
	for _, c := range []struct {
		purpose string
		share   float64
	}{{anxin.ConsentCheckIn, shareCheckIn}, {anxin.ConsentHealth, shareHealth}, {anxin.ConsentRecording, shareRecording}} {
		if g.chance(c.share) {
			e.Consents = append(e.Consents, anxin.Consent{Purpose: c.purpose, Given: true, At: at, Source: consentSource})
		}
	}
	if e.HasConsent(anxin.ConsentHealth) && g.chance(0.55) {
		var hs, ms []string
		for range 1 + g.r.IntN(2) {
			c := conditions[g.r.IntN(len(conditions))]
			if !slices.Contains(hs, c.name) {
				hs = append(hs, c.name)
				if c.medication != "" {
					ms = append(ms, c.medication)
				}
			}
		}
		e.Health, e.Medication = strings.Join(hs, "、"), strings.Join(ms, "、")
	}
	switch x := g.r.Float64(); {
	case x < byAge(age, decades, hospitalShare):
		e.Status, e.Notes = anxin.StatusInHospital, "住院中，出院后恢复关怀电话"
	case x < byAge(age, decades, hospitalShare)+byAge(age, decades, careHomeShare):
		e.Status, e.Notes = anxin.StatusCareHome, "已入住养老机构"
	}
}

// idNumber issues a resident ID number registered in the district, not
// issued before in this run, or "" in the unlikely case that 50 draws all
// collide. The sequence number is odd for men and even for women.
func (g *Generator) idNumber(district string, birth time.Time, male bool) string {
	for range 50 {
		seq := 2 + 2*g.r.IntN(499) // 002–998
		if male {
			seq = 1 + 2*g.r.IntN(500) // 001–999
		}
		first17 := district + birth.Format("20060102") + fmt.Sprintf("%03d", seq)
		key, err := strconv.ParseUint(first17, 10, 64)
		if err != nil {
			return ""
		}
		if _, dup := g.ids[key]; dup {
			continue
		}
		g.ids[key] = struct{}{}
		return first17 + string(idcard.CheckDigit(first17))
	}
	return ""
}

// reissue gives an elder whose ID number turned out to be taken another
// one with the same region, birth date and gender.
func (g *Generator) reissue(e *anxin.Elder) {
	birth, err := time.Parse(time.DateOnly, e.BirthDate)
	if err != nil || len(e.IDNumber) < 6 {
		e.IDNumber = ""
		return
	}
	e.IDNumber = g.idNumber(e.IDNumber[:6], birth, e.Gender == anxin.GenderMale)
}
