package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// campaignSeed seeds the demo's campaign calls.
const campaignSeed = 417 // 17 April: the day the 2022 supply line was ordered

// supplyScript is the 2022 supply line's script: the seed's question in
// Mandarin and Shanghainese ("侬屋里厢菜、米、油、肉还有伐?够吃了伐?"), the
// supply packages of the pilot's three suppliers, and how the elder is.
func supplyScript() *anxin.Script {
	return &anxin.Script{
		Name: "助老保供 菜米油肉排摸",
		Questions: []anxin.Question{
			{Key: "supplies", Type: anxin.QuestionYesNo, Text: map[string]string{
				anxin.LangMandarin:     "您好，我们是上海市助老保供专线的客服。打这个电话给您，是问一声：您家里的菜、米、油、肉还有吗？够吃吗？",
				anxin.LangShanghainese: "侬好，阿拉是上海市助老保供专线个客服……打叠个电话拨侬，是问一声，侬屋里厢个菜、米、油、肉还有伐？够吃了伐？",
			}, Options: []anxin.Option{
				{Key: "enough", DTMF: "1", Next: "health", Text: map[string]string{anxin.LangMandarin: "够吃", anxin.LangShanghainese: "够吃个"}},
				{Key: "short", DTMF: "2", Next: "packages", Text: map[string]string{anxin.LangMandarin: "不够，要订", anxin.LangShanghainese: "勿够，要订"}},
			}},
			{Key: "packages", Type: anxin.QuestionMulti, Next: "health", Text: map[string]string{
				anxin.LangMandarin:     "我们有平价保供套餐，第二天送到小区门口，志愿者送上楼。您要哪几样？",
				anxin.LangShanghainese: "阿拉有平价保供套餐，第二天送到小区门口，志愿者帮侬送上来。侬要哪几样？",
			}, Options: []anxin.Option{
				supplyOption("veg", "蔬菜套餐", "蔬菜套餐（50元）"),
				supplyOption("rice", "米面粮油套餐", "米面粮油套餐（98元）"),
				supplyOption("meat", "肉禽套餐", "肉禽套餐（98元）"),
				supplyOption("milk", "牛奶鸡蛋套餐", "牛奶鸡蛋套餐（60元）"),
				supplyOption("fruit", "水果套餐", "水果套餐（50元）"),
			}},
			{Key: "health", Type: anxin.QuestionSingle, Text: map[string]string{
				anxin.LangMandarin:     "您身体还好吗？最近有什么要帮忙的吗？",
				anxin.LangShanghainese: "侬身体好伐？最近有啥要帮忙个伐？",
			}, Options: []anxin.Option{
				{Key: "well", DTMF: "1", Text: map[string]string{anxin.LangMandarin: "都好", anxin.LangShanghainese: "蛮好"}},
				{Key: "medicine", DTMF: "2", Text: map[string]string{anxin.LangMandarin: "要配药或看病", anxin.LangShanghainese: "要配药或者看毛病"},
					Actions: []anxin.Action{{Kind: anxin.ActWorkOrder, Category: "soc-escort", Note: "保供排摸时老人说要配药或看病"}}},
				{Key: "urgent", DTMF: "3", Text: map[string]string{anxin.LangMandarin: "身体不舒服，要人马上来", anxin.LangShanghainese: "身体勿适意，要人马上来"},
					Actions: []anxin.Action{{Kind: anxin.ActEscalation, Urgency: anxin.UrgencyUrgent, Note: "保供排摸时老人说身体不适，需要居委会马上上门"}}},
			}},
		},
	}
}

func supplyOption(key, item, label string) anxin.Option {
	return anxin.Option{Key: key, Text: map[string]string{anxin.LangMandarin: label},
		Actions: []anxin.Action{{Kind: anxin.ActSupplyOrder, Note: item}}}
}

// wellnessScript is the agentless check-in as a script the machine asks:
// the built-in check-in prompt and its three keys.
func wellnessScript() *anxin.Script {
	return &anxin.Script{
		Name: "独居老人电话问候（自动）",
		Questions: []anxin.Question{
			{Key: "wellbeing", Type: anxin.QuestionSingle, Prompt: "checkin", Text: map[string]string{
				anxin.LangMandarin:     "您好，这里是社区为老服务热线，我们来电问候您。身体都好，请按1；需要送菜送物，请按2；需要帮助，请按3。",
				anxin.LangShanghainese: "侬好，此地是社区为老服务热线，阿拉打电话来问候侬。身体蛮好，请按1；要送菜送物事，请按2；要帮忙，请按3。",
			}, Options: []anxin.Option{
				{Key: "well", DTMF: "1", Text: map[string]string{anxin.LangMandarin: "身体都好"}},
				{Key: "service", DTMF: "2", Text: map[string]string{anxin.LangMandarin: "需要送菜送物"},
					Actions: []anxin.Action{{Kind: anxin.ActWorkOrder, Category: "soc-daily", Note: "电话问候时按 2：需要送菜送物，请回电确认"}}},
				{Key: "help", DTMF: "3", Text: map[string]string{anxin.LangMandarin: "需要帮助"},
					Actions: []anxin.Action{{Kind: anxin.ActEscalation, Urgency: anxin.UrgencyUrgent, Note: "电话问候时按 3：需要帮助"}}},
			}},
		},
	}
}

// satisfactionScript is the return visit of a completed order: the score
// (one key per point) and what the elder would like to say.
func satisfactionScript() *anxin.Script {
	score := anxin.Question{Key: store.ScoreQuestion, Type: anxin.QuestionSingle, Text: map[string]string{
		anxin.LangMandarin:     "您好，这里是为老服务热线回访。前几天为您上门的服务，您满意吗？很满意按5，满意按4，一般按3，不满意按2，很不满意按1。",
		anxin.LangShanghainese: "侬好，此地是为老服务热线回访。前两日上门帮侬做个服务，侬满意伐？老满意按5，满意按4，一般按3，勿满意按2，老勿满意按1。",
	}}
	for i, label := range []string{"很不满意", "不满意", "一般", "满意", "很满意"} {
		k := fmt.Sprint(i + 1)
		score.Options = append(score.Options, anxin.Option{Key: k, DTMF: k, Text: map[string]string{anxin.LangMandarin: k + " 分 " + label}})
	}
	return &anxin.Script{Name: "工单服务回访", Questions: []anxin.Question{score,
		{Key: store.CommentQuestion, Type: anxin.QuestionText, Text: map[string]string{
			anxin.LangMandarin:     "您还有什么意见或者建议吗？",
			anxin.LangShanghainese: "侬还有啥意见或者建议伐？",
		}}}}
}

// campaignDemo plays the demo's campaigns.
type campaignDemo struct {
	ctx       context.Context
	db        *store.DB
	r         *rand.Rand
	city      anxin.Scope // the city hotline's supervisor
	operators []anxin.Scope
	cur       time.Time
}

// loadCampaigns creates the demo's campaigns (README): the supply
// check of the four pilot streets' elders who live alone, 80 and over, in
// preview mode, built and worked for one morning by the city's two
// operators on the last working day before now — answers that made supply
// and service orders and one urgent escalation, elders not reached waiting
// for their next attempt; an agentless wellness check of the elders
// living alone who consented to check-in calls, in draft, ready to start;
// and the return visits of completed orders, started that afternoon, its
// first calls made by operator2 (one elder unhappy: a complaint).
func loadCampaigns(ctx context.Context, db *store.DB, now time.Time) error {
	d := &campaignDemo{ctx: ctx, db: db, r: rand.New(rand.NewPCG(campaignSeed, 1))}
	if err := d.prepare(); err != nil {
		return err
	}
	day := lastWorkday(now, db.Calendar().IsWorkday)
	d.cur = day.Add(9 * time.Hour)
	clock := db.Now
	db.Now = func() time.Time { return d.cur }
	defer func() { db.Now = clock }()

	supply := &anxin.Campaign{Name: "四个试点街道高龄独居老人保供排摸", Type: anxin.CampaignSupply, Mode: anxin.DialPreview,
		RegionCode: "3101", StartsOn: day.Format(time.DateOnly), MaxAttempts: 3, RetryMinutes: 60,
		Target: anxin.Target{Living: []string{anxin.LivingAlone}, MinAge: 80}}
	if err := d.campaign(supply, supplyScript(), true); err != nil {
		return err
	}
	if err := d.work(supply); err != nil {
		return err
	}
	wellness := &anxin.Campaign{Name: "独居老人电话问候（自动外呼）", Type: anxin.CampaignWellness, Mode: anxin.DialAgentless,
		RegionCode: "3101", StartsOn: day.Format(time.DateOnly), MaxAttempts: 3, RetryMinutes: 60,
		Target: anxin.Target{Living: []string{anxin.LivingAlone}, Consent: anxin.ConsentCheckIn}}
	if err := d.campaign(wellness, wellnessScript(), false); err != nil {
		return err
	}
	// The return visits: started that afternoon with an empty target, it
	// takes the completed orders whose visit is due, and each order
	// completed from then on adds its elder.
	d.cur = day.Add(14 * time.Hour)
	visits := &anxin.Campaign{Name: "已完成工单电话回访", Type: anxin.CampaignSatisfaction, Mode: anxin.DialPreview,
		RegionCode: "3101", StartsOn: day.Format(time.DateOnly), MaxAttempts: 3, RetryMinutes: 60}
	if err := d.campaign(visits, satisfactionScript(), true); err != nil {
		return err
	}
	return d.visit(visits, 8)
}

// visit plays operator2's first return-visit calls of the afternoon: n
// elders reached, most pleased, one who is not (her comment opens a
// complaint about the order).
func (d *campaignDemo) visit(c *anxin.Campaign, n int) error {
	sc := d.operators[1]
	owner := store.OperatorOwner(sc.AccountID)
	for i := 0; i < n; i++ {
		a, err := d.db.NextTask(d.ctx, c.ID, owner, 15*time.Minute)
		if err != nil {
			return fmt.Errorf("demo return visits: %w", err)
		}
		if a == nil {
			return nil
		}
		rep := store.AttemptReport{Disposition: anxin.DispCompleted, Answers: map[string]string{store.ScoreQuestion: []string{"5", "5", "4", "5", "3"}[d.r.IntN(5)]}}
		switch i {
		case 2:
			rep = store.AttemptReport{Disposition: anxin.DispNoAnswer}
		case 5:
			rep.Answers[store.ScoreQuestion] = "2"
			rep.Answers[store.CommentQuestion] = "送来的时间比说好的晚了两个多小时，东西也少了一样"
		case 6:
			rep.Answers[store.CommentQuestion] = "师傅很耐心，谢谢你们"
		}
		d.cur = d.cur.Add(time.Duration(60+d.r.IntN(120)) * time.Second)
		if _, err := d.db.ReportAttempt(d.ctx, sc, a.ID, owner, rep); err != nil {
			return fmt.Errorf("demo return visit, %s: %w", a.Task, err)
		}
		d.cur = d.cur.Add(time.Duration(20+d.r.IntN(40)) * time.Second)
	}
	return nil
}

// lastWorkday returns midnight (China time) of the last working day
// before now's day.
func lastWorkday(now time.Time, isWorkday func(time.Time) bool) time.Time {
	cst := time.FixedZone("CST", 8*3600)
	l := now.In(cst)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, cst)
	for i := 1; i < 30; i++ {
		if day := d.AddDate(0, 0, -i); isWorkday(day.Add(12 * time.Hour)) {
			return day
		}
	}
	return d.AddDate(0, 0, -1)
}

func (d *campaignDemo) prepare() error {
	for _, u := range []string{"supervisor1", "operator1", "operator2"} {
		a, err := d.db.AccountByUsername(d.ctx, u)
		if err != nil {
			return fmt.Errorf("demo campaigns need the demo's accounts: %w", err)
		}
		if u == "supervisor1" {
			d.city = anxin.ScopeOf(a)
		} else {
			d.operators = append(d.operators, anxin.ScopeOf(a))
		}
	}
	return nil
}

// campaign creates c with its script and, when start, builds its tasks
// and starts it.
func (d *campaignDemo) campaign(c *anxin.Campaign, s *anxin.Script, start bool) error {
	if err := d.db.SaveScript(d.ctx, d.city, s); err != nil {
		return fmt.Errorf("demo script %s: %w", s.Name, err)
	}
	if err := d.db.CreateCampaign(d.ctx, d.city, c); err != nil {
		return fmt.Errorf("demo campaign %s: %w", c.Name, err)
	}
	if err := d.db.SetCampaignScript(d.ctx, d.city, c.ID, s.ID); err != nil {
		return fmt.Errorf("demo campaign %s: %w", c.Name, err)
	}
	if !start {
		return nil
	}
	if _, err := d.db.BuildTasks(d.ctx, d.city, c.ID); err != nil {
		return fmt.Errorf("demo campaign %s: %w", c.Name, err)
	}
	return d.db.SetCampaignState(d.ctx, d.city, c.ID, anxin.CampaignRunning)
}

// work plays the morning window: the two operators take the next task in
// turn, a call of two to five minutes each, until 11:30 or the campaign's
// first tasks are done. Outcomes are drawn from the 2022 line's morning:
// most elders reached and well stocked, some short of food (supply
// orders), a few needing a doctor (service orders), one who is unwell
// (the urgent escalation), the rest not answering, busy or asking to be
// rung later.
func (d *campaignDemo) work(c *anxin.Campaign) error {
	end := d.cur.Add(150 * time.Minute)
	free := []time.Time{d.cur, d.cur.Add(40 * time.Second)}
	completed := 0
	for {
		i := 0
		if free[1].Before(free[0]) {
			i = 1
		}
		d.cur = free[i]
		if !d.cur.Before(end) {
			return nil
		}
		sc := d.operators[i]
		a, err := d.db.NextTask(d.ctx, c.ID, store.OperatorOwner(sc.AccountID), 15*time.Minute)
		if err != nil {
			return fmt.Errorf("demo campaign: %w", err)
		}
		if a == nil {
			return nil
		}
		rep, length := d.outcome(&completed)
		d.cur = d.cur.Add(length)
		if _, err := d.db.ReportAttempt(d.ctx, sc, a.ID, store.OperatorOwner(sc.AccountID), rep); err != nil {
			return fmt.Errorf("demo campaign, %s: %w", a.Task, err)
		}
		free[i] = d.cur.Add(time.Duration(20+d.r.IntN(40)) * time.Second) // wrap-up
	}
}

// outcome draws how one call went and how long it took.
// The fifth elder reached is the one who is unwell.
func (d *campaignDemo) outcome(completed *int) (store.AttemptReport, time.Duration) {
	rep := store.AttemptReport{Answers: map[string]string{}}
	talk := time.Duration(90+d.r.IntN(180)) * time.Second
	ring := time.Duration(30+d.r.IntN(30)) * time.Second
	switch p := d.r.IntN(100); {
	case p < 14:
		rep.Disposition = anxin.DispNoAnswer
		return rep, ring
	case p < 18:
		rep.Disposition = anxin.DispBusy
		return rep, 10 * time.Second
	case p < 21:
		rep.Disposition = anxin.DispCallback
		rep.CallbackAt = d.cur.Add(4 * time.Hour)
		return rep, 40 * time.Second
	case p < 23:
		rep.Disposition = anxin.DispRefused
		return rep, 30 * time.Second
	case p < 45:
		rep.Answers["supplies"] = "short"
		rep.Answers["packages"] = []string{"veg,rice", "veg,meat", "rice,milk", "veg", "veg,rice,meat", "fruit,milk"}[d.r.IntN(6)]
	default:
		rep.Answers["supplies"] = "enough"
	}
	rep.Disposition = anxin.DispCompleted
	*completed++
	switch p := d.r.IntN(100); {
	case *completed == 5:
		rep.Answers["health"] = "urgent"
	case p < 8:
		rep.Answers["health"] = "medicine"
	default:
		rep.Answers["health"] = "well"
	}
	return rep, talk
}
