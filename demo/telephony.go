package demo

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/sipua"
)

// Demo telephony: a trunk that takes calls from this machine (loopback),
// the city hotline 966666 and Putuo's district hotline, and a SIP
// extension for each demo operator (8001, 8002, …) with its password in
// the printed logins. The IVR: the city hotline's main menu (1
// consultation, 2 home services, 3 complaints; 0 a person); the district
// hotline asks first for Mandarin (1) or Shanghainese (2), then the same
// menu; operator2 speaks Shanghainese.

// CityHotline and DistrictHotline are the demo's inbound numbers.
const (
	CityHotline     = "966666"
	DistrictHotline = "02162220000"
)

// SIPRealm is the digest realm of operators' phones.
const SIPRealm = "anxin"

func (l *loader) telephony() {
	if l.err != nil {
		return
	}
	t := &anxin.Trunk{Name: "本机测试中继", Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"),
		netip.MustParsePrefix("::1/128")}, Host: "127.0.0.1:5070", CallerID: CityHotline, MaxChannels: 0, Priority: 1, Enabled: true}
	if err := l.db.SaveTrunk(l.ctx, l.sc, t); err != nil {
		l.err = fmt.Errorf("demo trunk: %w", err)
		return
	}
	for _, d := range []*anxin.DID{
		{Number: CityHotline, Flow: anxin.FlowHotline, RegionCode: "3101", Name: "上海市为老服务热线"},
		{Number: DistrictHotline, Flow: anxin.FlowHotline, RegionCode: "310107", Name: "普陀区为老服务热线"},
	} {
		if err := l.db.SaveDID(l.ctx, l.sc, d); err != nil {
			l.err = fmt.Errorf("demo number %s: %w", d.Number, err)
			return
		}
	}
	l.ivr()
	if l.err != nil {
		return
	}
	ext := 8001
	for i := range l.logins {
		lg := &l.logins[i]
		if !slices.Contains(lg.Roles, anxin.RoleOperator) {
			continue
		}
		a, err := l.db.AccountByUsername(l.ctx, lg.Username)
		if err != nil {
			l.err = err
			return
		}
		lg.Extension, lg.SIPPassword = fmt.Sprint(ext), password.Generate()
		if err := l.db.SetExtension(l.ctx, l.sc, a.ID, lg.Extension, sipua.HA1(lg.Extension, SIPRealm, lg.SIPPassword)); err != nil {
			l.err = fmt.Errorf("demo extension %s: %w", lg.Extension, err)
			return
		}
		ext++
	}
}

// ivr configures the demo's menus and queues.
func (l *loader) ivr() {
	main := func(name string, numbers ...string) *anxin.Menu {
		return &anxin.Menu{Name: name, Greeting: "welcome", Prompt: "main_menu", Numbers: numbers, Options: []anxin.MenuOption{
			{Key: "1", Action: anxin.MenuQueue, Target: "consultation"},
			{Key: "2", Action: anxin.MenuQueue, Target: "service"},
			{Key: "3", Action: anxin.MenuQueue, Target: "complaint"},
		}}
	}
	district := main("区热线主菜单")
	district.Greeting = ""
	for _, m := range []*anxin.Menu{
		main("市热线主菜单", CityHotline),
		district,
		{Name: "区热线语言选择", Greeting: "welcome", Prompt: "dialect_choice", Numbers: []string{DistrictHotline}, Options: []anxin.MenuOption{
			{Key: "1", Action: anxin.MenuLanguage, Target: anxin.LangMandarin, Next: district.Name},
			{Key: "2", Action: anxin.MenuLanguage, Target: anxin.LangShanghainese, Next: district.Name},
		}},
	} {
		if err := l.db.SaveMenu(l.ctx, l.sc, m); err != nil {
			l.err = fmt.Errorf("demo menu %s: %w", m.Name, err)
			return
		}
	}
	for _, q := range []anxin.Queue{
		{Name: "consultation", Label: "咨询服务", OverflowSeconds: 30, MaxWaitSeconds: 120, AnnounceSeconds: 30},
		{Name: "service", Label: "上门服务", OverflowSeconds: 30, MaxWaitSeconds: 120, AnnounceSeconds: 30},
		{Name: "complaint", Label: "投诉建议", OverflowSeconds: 20, MaxWaitSeconds: 120, AnnounceSeconds: 30},
		{Name: anxin.OperatorQueue, Label: "人工服务", OverflowSeconds: 0, MaxWaitSeconds: 120, AnnounceSeconds: 30},
	} {
		if err := l.db.SaveQueue(l.ctx, l.sc, &q); err != nil {
			l.err = fmt.Errorf("demo queue %s: %w", q.Name, err)
			return
		}
	}
	a, err := l.db.AccountByUsername(l.ctx, "operator2")
	if err != nil {
		l.err = err
		return
	}
	if err := l.db.SetSkills(l.ctx, l.sc, a.ID, []string{anxin.LangShanghainese}); err != nil {
		l.err = fmt.Errorf("demo skills: %w", err)
	}
}
