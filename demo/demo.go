// Package demo loads the demo dataset: the four Shanghai pilot streets of
// the 2022 elderly supply hotline (曹杨新村, 北新泾, 彭浦新村, 友谊路) with
// their real committees, a city hotline centre, a district hotline, street
// offices, committees, suppliers, providers, a volunteer team, and one or
// more accounts per role with freshly generated passwords, a service
// catalogue modelled on Wuxi's with its providers (catalogue.go), 2,000
// synthetic elders spread over the pilot streets' committees (package gen,
// with a fixed seed, so every load has the same people), 5,000 work
// orders of the last three months in every state (orders.go), and the
// campaigns: the 2022 supply check worked for a morning and an automated
// wellness check to start (campaigns.go).
//
// It writes only through the store's services, as an administrator would.
package demo

import (
	"context"
	"fmt"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/gen"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
)

// PilotStreets are the four pilot streets named in the Shanghai seed.
var PilotStreets = []string{
	"310107005", // 普陀区 曹杨新村街道
	"310105011", // 长宁区 北新泾街道
	"310106020", // 静安区 彭浦新村街道
	"310113003", // 宝山区 友谊路街道
}

// Login is one demo account and its password, printed once after loading.
type Login struct {
	Username string
	Password string
	Roles    []string
	Org      string
	// Extension and SIPPassword register an operator's phone (empty for
	// everyone else).
	Extension   string
	SIPPassword string
}

// DefaultElders is the number of synthetic elders Load generates.
const DefaultElders = 2000

// elderSeed seeds the generator of the demo's elders: the pilot's year.
const elderSeed = 2022

// Options say how much of the demo dataset LoadWith loads.
type Options struct {
	// Elders is the number of synthetic elders spread over the committees
	// of the pilot streets; 0 loads none, for tests that create their own.
	Elders int
	// Orders is the number of work orders played over the last 90 days for
	// those elders (none without elders).
	Orders int
	// Campaigns loads the demo's campaigns (none without elders): a supply
	// check worked for a morning and an agentless wellness check to start.
	Campaigns bool
}

// Load fills a migrated database that has no accounts yet with the demo
// dataset, DefaultElders elders included, and returns the logins. It
// answers ECONFLICT when accounts exist.
func Load(ctx context.Context, db *store.DB, h password.Hasher) ([]Login, error) {
	return LoadWith(ctx, db, h, Options{Elders: DefaultElders, Orders: DefaultOrders, Campaigns: true})
}

// LoadWith is Load with options.
func LoadWith(ctx context.Context, db *store.DB, h password.Hasher, opt Options) ([]Login, error) {
	n, err := db.CountAccounts(ctx)
	if err != nil {
		return nil, err
	} else if n > 0 {
		return nil, anxin.Errorf(anxin.ECONFLICT, "the database already has %d accounts; the demo dataset loads only into an empty database", n)
	}
	l := &loader{ctx: ctx, db: db, h: h, sc: anxin.SystemScope()}
	platform := l.org(anxin.OrgPlatform, "安心平台运维", "")
	city := l.org(anxin.OrgHotline, "上海市助老保供专线", "3101")
	putuo := l.org(anxin.OrgHotline, "普陀区为老服务热线", "310107")
	l.account(platform, "admin", "平台管理员", anxin.RoleAdmin)
	l.account(city, "cityadmin", "热线管理员", anxin.RoleAdmin, anxin.RoleSupervisor)
	l.account(city, "operator1", "话务员 王敏", anxin.RoleOperator)
	l.account(city, "operator2", "话务员 陈静", anxin.RoleOperator)
	l.account(city, "backoffice1", "中台 李强", anxin.RoleBackOffice)
	l.account(city, "supervisor1", "班长 张丽", anxin.RoleSupervisor)
	l.account(putuo, "putuo-operator", "普陀话务员 周洁", anxin.RoleOperator)

	for i, code := range PilotStreets {
		street, err := db.FindRegion(ctx, code)
		if err != nil {
			return nil, fmt.Errorf("demo street %s: %w", code, err)
		}
		so := l.org(anxin.OrgStreet, street.Name+"办事处", code)
		l.account(so, fmt.Sprintf("street%d", i+1), street.Name+" 工作人员", anxin.RoleCommunity)
		kids, err := db.FindRegions(ctx, anxin.RegionFilter{Parent: code})
		if err != nil {
			return nil, err
		}
		for j, k := range kids {
			co := l.org(anxin.OrgCommittee, k.Name, k.Code)
			if j < 2 {
				l.account(co, fmt.Sprintf("committee%d-%d", i+1, j+1), k.Name+" 社工", anxin.RoleCommunity)
			}
		}
		if i == 0 {
			vt := l.org(anxin.OrgVolunteer, street.Name+"志愿者服务队", code)
			l.account(vt, "volunteer1", "志愿者 刘伟", anxin.RoleVolunteer)
		}
	}
	for i, name := range []string{"家乐福（上海）保供", "大润发（上海）保供", "华润万家（上海）保供"} {
		s := l.org(anxin.OrgSupplier, name, "3101")
		l.account(s, fmt.Sprintf("supplier%d", i+1), name+" 调度", anxin.RolePartner)
	}
	for i, name := range []string{"安康居家养老服务有限公司", "申城陪诊护理服务中心"} {
		p := l.org(anxin.OrgProvider, name, "3101")
		l.account(p, fmt.Sprintf("provider%d", i+1), name+" 客服", anxin.RolePartner)
	}
	l.catalogue()
	l.telephony()
	if l.err != nil {
		return nil, l.err
	}
	if opt.Elders > 0 {
		if err := loadElders(ctx, db, opt.Elders); err != nil {
			return nil, err
		}
	}
	if opt.Orders > 0 && opt.Elders > 0 {
		if err := loadOrders(ctx, db, opt.Orders, db.Now()); err != nil {
			return nil, err
		}
	}
	if opt.Campaigns && opt.Elders > 0 {
		if err := loadCampaigns(ctx, db, db.Now()); err != nil {
			return nil, err
		}
	}
	return l.logins, nil
}

// loadElders generates n elders in the committees of the pilot streets.
func loadElders(ctx context.Context, db *store.DB, n int) error {
	var committees []*anxin.Region
	for _, code := range PilotStreets {
		cs, err := gen.Committees(ctx, db, code)
		if err != nil {
			return fmt.Errorf("demo elders: %w", err)
		}
		committees = append(committees, cs...)
	}
	if _, err := gen.New(elderSeed).Populate(ctx, db, committees, n, nil); err != nil {
		return fmt.Errorf("demo elders: %w", err)
	}
	return nil
}

// loader remembers the first error so the dataset reads as a list.
type loader struct {
	ctx    context.Context
	db     *store.DB
	h      password.Hasher
	sc     anxin.Scope
	logins []Login
	err    error
}

func (l *loader) org(kind, name, region string) *anxin.Org {
	o := &anxin.Org{Kind: kind, Name: name, RegionCode: region}
	if l.err == nil {
		if err := l.db.CreateOrg(l.ctx, l.sc, o); err != nil {
			l.err = fmt.Errorf("demo org %s: %w", name, err)
		}
	}
	return o
}

func (l *loader) account(o *anxin.Org, username, name string, roles ...string) {
	if l.err != nil {
		return
	}
	pw := password.Generate()
	hash, err := l.h.Hash(pw)
	if err != nil {
		l.err = err
		return
	}
	a := &anxin.Account{OrgID: o.ID, Username: username, DisplayName: name, Roles: roles, PasswordHash: hash}
	if err := l.db.CreateAccount(l.ctx, l.sc, a); err != nil {
		l.err = fmt.Errorf("demo account %s: %w", username, err)
		return
	}
	l.logins = append(l.logins, Login{Username: username, Password: pw, Roles: a.Roles, Org: o.Name})
}
