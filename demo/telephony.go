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
// the printed logins.

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
