package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// DefaultOrders is the number of work orders Load writes: three months of
// a pilot's hotline.
const DefaultOrders = 5000

// orderSeed seeds the demo's orders.
const orderSeed = 966666

// ordersPerTx is how many generated orders one transaction writes.
const ordersPerTx = 200

// orderDemo plays three months of orders through the store's services,
// each action at its own moment (the store's clock is moved for it): the
// hotline takes orders from the demo elders, dispatches them to the
// providers that offer the category where the elder lives, the providers
// accept, start and complete them, operators make the return visits; some
// are returned, cancelled, left waiting or never accepted, so that the SLA
// pass at the end finds some overdue and some scores open complaints.
type orderDemo struct {
	ctx       context.Context
	db        *store.DB
	r         *rand.Rand
	now, cur  time.Time
	operators []anxin.Scope
	byOrg     map[int64]anxin.Scope // a staff scope per organisation
	elders    []*anxin.Elder
	offers    map[string][]*anxin.CatalogueItem // "category code committee" → items offered there
	catIDs    map[string]int64                  // category code → id
	supply    []*anxin.CatalogueItem
	cityOrg   int64
	committee map[string]int64 // committee code → its organisation
}

// loadOrders writes n orders dated over the 90 days before now, then runs
// the SLA pass as of now.
func loadOrders(ctx context.Context, db *store.DB, n int, now time.Time) error {
	return PlayOrders(ctx, db, n, orderSeed, now, nil)
}

// PlayOrders plays n more orders of the demo's kind into a database that
// holds the demo dataset (its accounts, catalogue and elders), dated over
// the 90 days before now, in transactions of ordersPerTx, calling progress
// (when not nil) after each; then it runs the SLA pass as of now. The
// benchmarks use it to fill a database with realistic orders.
func PlayOrders(ctx context.Context, db *store.DB, n int, seed uint64, now time.Time, progress func(done int)) error {
	d := &orderDemo{ctx: ctx, db: db, r: rand.New(rand.NewPCG(seed, 1)), now: now, byOrg: map[int64]anxin.Scope{},
		offers: map[string][]*anxin.CatalogueItem{}, catIDs: map[string]int64{}, committee: map[string]int64{}}
	if err := d.prepare(); err != nil {
		return err
	}
	clock := db.Now
	db.Now = func() time.Time { return d.cur }
	defer func() { db.Now = clock }()
	for start := 0; start < n; start += ordersPerTx {
		err := db.Transact(ctx, func(tx *store.Tx) error {
			for i := start; i < min(start+ordersPerTx, n); i++ {
				if err := d.order(tx); err != nil {
					return fmt.Errorf("demo order %d: %w", i+1, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if progress != nil {
			progress(min(start+ordersPerTx, n))
		}
	}
	db.Now = clock
	if _, err := db.RunSLA(ctx, now); err != nil {
		return fmt.Errorf("demo SLA pass: %w", err)
	}
	return nil
}

func (d *orderDemo) prepare() error {
	for _, u := range []string{"operator1", "operator2", "putuo-operator"} {
		a, err := d.db.AccountByUsername(d.ctx, u)
		if err != nil {
			return fmt.Errorf("demo orders need the demo's operators: %w", err)
		}
		d.operators = append(d.operators, anxin.ScopeOf(a))
	}
	orgs, _, err := d.db.FindOrgs(d.ctx, anxin.SystemScope(), anxin.OrgFilter{Limit: 1000})
	if err != nil {
		return err
	}
	for _, o := range orgs {
		switch o.Kind {
		case anxin.OrgCommittee:
			d.committee[o.RegionCode] = o.ID
		case anxin.OrgHotline:
			if o.RegionCode == "3101" {
				d.cityOrg = o.ID
			}
		}
	}
	accounts, _, err := d.db.FindAccounts(d.ctx, anxin.SystemScope(), anxin.AccountFilter{Limit: 1000})
	if err != nil {
		return err
	}
	for _, a := range accounts {
		if _, ok := d.byOrg[a.OrgID]; !ok && !a.Disabled && a.Org != nil {
			d.byOrg[a.OrgID] = anxin.ScopeOf(a)
		}
	}
	items, _, err := d.db.FindItems(d.ctx, anxin.SystemScope(), anxin.ItemFilter{State: anxin.ItemApproved, Limit: 1000})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Family == anxin.FamilySupply {
			d.supply = append(d.supply, it)
		} else {
			d.catIDs[it.CategoryCode] = it.CategoryID
		}
	}
	for off := 0; ; off += 1000 {
		es, _, err := d.db.FindElders(d.ctx, anxin.SystemScope(), anxin.ElderFilter{Offset: off, Limit: 1000})
		if err != nil {
			return err
		}
		d.elders = append(d.elders, es...)
		if len(es) < 1000 {
			break
		}
	}
	if len(d.elders) == 0 || len(d.supply) == 0 || len(d.catIDs) == 0 {
		return fmt.Errorf("demo orders need elders and an approved catalogue")
	}
	return nil
}

// later moves the clock on by between lo and hi and reports whether the
// new moment is still in the past.
func (d *orderDemo) later(lo, hi time.Duration) bool {
	d.cur = d.cur.Add(lo + time.Duration(d.r.Int64N(int64(hi-lo)+1)))
	return d.cur.Before(d.now)
}

func (d *orderDemo) pick(weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := d.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

var demoRequests = map[string][]string{
	"soc-daily":        {"每周打扫两次卫生", "帮忙做午饭", "代买降压药", "需要助浴"},
	"soc-housekeeping": {"找住家保姆", "家里要深度保洁"},
	"soc-escort":       {"陪同去瑞金医院复诊", "陪同做胃镜检查", "透析接送"},
	"soc-nursing":      {"上门换药", "更换导尿管"},
	"soc-transport":    {"出院接回家", "去医院的轮椅接送"},
	"soc-repair":       {"水龙头漏水", "马桶堵了", "电灯不亮", "热水器打不着火"},
	"gov-home-care":    {"申请居家照护服务", "照护员上门时间调整"},
	"gov-meals":        {"订长者食堂午餐"},
}

// order plays one order from intake to wherever time stops it.
func (d *orderDemo) order(tx *store.Tx) error {
	e := d.elders[d.r.IntN(len(d.elders))]
	d.cur = d.now.Add(-time.Duration(d.r.Int64N(int64(90 * 24 * time.Hour))))
	d.cur = time.Date(d.cur.Year(), d.cur.Month(), d.cur.Day(), 0, 0, 0, 0, time.UTC).Add(time.Duration(d.r.IntN(12*60)) * time.Minute) // 08:00–20:00 China time
	if !d.cur.Before(d.now) {
		d.cur = d.now.Add(-time.Hour) // today's, not yet come: an hour ago
	}
	op := d.operators[d.r.IntN(len(d.operators))]
	if !op.CoversRegion(e.RegionCode) {
		op = d.operators[0] // the city hotline's
	}
	o := &anxin.Order{ElderID: e.ID, Urgency: []string{anxin.UrgencyNormal, anxin.UrgencyUrgent, anxin.UrgencyEmergency}[d.pick(85, 12, 3)],
		Channel: anxin.OrderChannels[d.pick(60, 20, 10, 5, 5)]}
	var item *anxin.CatalogueItem
	switch d.pick(55, 25, 10, 5, 5) {
	case 0:
		o.Type = anxin.TypeService
		code, offers, err := d.offersFor(e.RegionCode)
		if err != nil {
			return err
		}
		o.Title = demoRequests[code][d.r.IntN(len(demoRequests[code]))]
		item = offers[d.r.IntN(len(offers))]
		o.CategoryID = item.CategoryID
	case 1:
		o.Type = anxin.TypeSupply
		var here []*anxin.CatalogueItem
		for _, p := range d.supply {
			if p.Offered() && anxin.RegionWithin(e.RegionCode, p.AreaCode) {
				here = append(here, p)
			}
		}
		if len(here) == 0 {
			return fmt.Errorf("no supply package offered in %s", e.RegionCode)
		}
		for range 1 + d.pick(60, 30, 10) {
			p := here[d.r.IntN(len(here))]
			o.Lines = append(o.Lines, anxin.OrderLine{ItemID: p.ID, Quantity: 1 + d.pick(80, 15, 5)})
		}
	case 2:
		o.Type, o.Title = anxin.TypeConsultation, []string{"咨询高龄津贴怎么申请", "问社保卡换卡", "咨询适老化改造补贴", "长护险怎么评估"}[d.r.IntN(4)]
	case 3:
		o.Type, o.Title = anxin.TypeComplaint, []string{"送菜晚了两天", "上门服务人员态度不好", "维修后又坏了"}[d.r.IntN(3)]
	default:
		o.Type, o.Urgency, o.Title = anxin.TypeEscalation, anxin.UrgencyUrgent, []string{"独居老人电话无人接听", "老人说头晕站不起来", "家里有煤气味"}[d.r.IntN(3)]
	}
	if err := tx.CreateOrder(d.ctx, op, o); err != nil {
		return err
	}
	var failed error
	act := func(sc anxin.Scope, a anxin.OrderAction) bool {
		if failed != nil || !d.later(10*time.Minute, 3*time.Hour) {
			return false
		}
		a.Version = o.Version
		next, err := tx.ActOnOrder(d.ctx, sc, o.ID, a)
		if err != nil {
			failed = fmt.Errorf("%s %s: %w", o.Number, a.Action, err)
			return false
		}
		o = next
		return true
	}
	// Where it goes.
	var assignee int64
	switch o.Type {
	case anxin.TypeService:
		assignee = item.ProviderOrgID
	case anxin.TypeSupply:
		assignee = o.Lines[0].SupplierID
	case anxin.TypeEscalation:
		assignee = d.committee[o.RegionCode]
	}
	if d.r.IntN(100) < 4 {
		act(op, anxin.OrderAction{Action: anxin.ActCancel, Note: "老人表示不需要了"})
		return failed
	}
	if assignee == 0 {
		// Consultations and complaints the hotline handles itself.
		if !act(op, anxin.OrderAction{Action: anxin.ActHandle}) || !act(op, anxin.OrderAction{Action: anxin.ActComplete, Note: "已电话答复"}) {
			return failed
		}
		return d.visit(tx, op, o)
	}
	worker, ok := d.byOrg[assignee]
	if !ok {
		worker = op // no account of its own: the hotline records for it
	}
	dispatch := anxin.OrderAction{Action: anxin.ActDispatch, OrgID: assignee}
	if item != nil {
		dispatch.ItemID = item.ID
	}
	if !act(op, dispatch) {
		return failed
	}
	if d.r.IntN(100) < 8 {
		if !act(worker, anxin.OrderAction{Action: anxin.ActReturn, Note: "本周人手不足"}) || !act(op, dispatch) {
			return failed
		}
	}
	if d.r.IntN(100) < 2 {
		return nil // never accepted: the SLA pass finds it overdue
	}
	if !act(worker, anxin.OrderAction{Action: anxin.ActAccept}) {
		return failed
	}
	if d.r.IntN(100) < 5 {
		act(op, anxin.OrderAction{Action: anxin.ActPause, Note: "老人要求下周再上门"})
		if !d.later(24*time.Hour, 6*24*time.Hour) || !act(op, anxin.OrderAction{Action: anxin.ActResume}) {
			return failed
		}
	}
	if !d.later(2*time.Hour, 30*time.Hour) || !act(worker, anxin.OrderAction{Action: anxin.ActStart}) {
		return failed
	}
	done := anxin.OrderAction{Action: anxin.ActComplete, Note: "服务完成"}
	if o.Type == anxin.TypeSupply {
		if d.r.IntN(100) < 5 {
			if !act(worker, anxin.OrderAction{Action: anxin.ActDeliveryFailed, Note: "敲门无人应答，电话未接"}) || !d.later(20*time.Hour, 30*time.Hour) {
				return failed
			}
		}
		done = anxin.OrderAction{Action: anxin.ActComplete, Note: "已送达", Outcome: []string{anxin.DeliveredGate, anxin.DeliveredVolunteer}[d.pick(60, 40)]}
		if d.r.IntN(100) < 40 {
			done.CashFen = o.TotalFen // paid in cash on delivery
		}
	}
	if !act(worker, done) {
		return failed
	}
	return d.visit(tx, op, o)
}

// visit makes the return visit a day or two after completion, if that day
// has come; a busy elder may not be called twice a day.
func (d *orderDemo) visit(tx *store.Tx, op anxin.Scope, o *anxin.Order) error {
	if o.State != anxin.StateCompleted || !d.later(20*time.Hour, 48*time.Hour) {
		return nil
	}
	res := anxin.VisitResult{Reached: d.r.IntN(100) < 90, FamilyAnswered: d.r.IntN(100) < 20}
	if res.Reached {
		res.Score = 5 - d.pick(60, 25, 8, 4, 3)
		if res.Score <= anxin.ComplaintScore {
			res.Comment = "服务人员迟到，态度一般"
		}
	}
	v, err := tx.RecordReturnVisit(d.ctx, op, o.ID, res)
	if anxin.ErrorCode(err) == anxin.ECONFLICT || anxin.ErrorCode(err) == anxin.ENOTFOUND {
		return nil // called today already, or no visit for this type
	} else if err != nil || v.ComplaintOrderID == 0 || d.r.IntN(100) < 20 {
		return err // most complaints the city hotline answers; some wait
	}
	c := &anxin.Order{ID: v.ComplaintOrderID, Version: 1}
	for _, a := range []anxin.OrderAction{{Action: anxin.ActHandle}, {Action: anxin.ActComplete, Note: "已联系服务商整改，并向老人致歉"}} {
		if !d.later(2*time.Hour, 4*24*time.Hour) {
			return nil
		}
		a.Version = c.Version
		if c, err = tx.ActOnOrder(d.ctx, op, c.ID, a); err != nil {
			return fmt.Errorf("complaint %d %s: %w", v.ComplaintOrderID, a.Action, err)
		}
	}
	return nil
}

// offersFor picks a category of the demo's requests with items offered in
// the committee, and those items, as an operator would see them.
func (d *orderDemo) offersFor(committee string) (string, []*anxin.CatalogueItem, error) {
	codes := make([]string, 0, len(demoRequests))
	for c := range demoRequests {
		if d.catIDs[c] != 0 {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes)
	d.r.Shuffle(len(codes), func(i, j int) { codes[i], codes[j] = codes[j], codes[i] })
	for _, code := range codes {
		key := code + " " + committee
		items, ok := d.offers[key]
		if !ok {
			var err error
			if items, err = d.db.OffersFor(d.ctx, anxin.SystemScope(), d.catIDs[code], committee); err != nil {
				return "", nil, err
			}
			d.offers[key] = items
		}
		if len(items) > 0 {
			return code, items, nil
		}
	}
	return "", nil, fmt.Errorf("no service offered in %s", committee)
}
