package demo

import (
	"fmt"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// The demo catalogue follows Wuxi's 锡心医养 platform: government-guaranteed
// services (free or subsidised) from a street's community health centre
// and an errand service, social services at supervised prices (an hourly
// cleaner ¥45, a hospital escort ¥150 for half a day, a live-in carer
// ¥6,500 a month), and Shanghai's fixed-price supply packages (vegetables
// ¥50, fruit ¥50, rice and oil, milk and eggs, cleaning supplies) from the
// three supply companies. Providers apply and are approved, their staff
// propose the items and the city hotline's administrator approves them, so
// the history reads as it would. One new item, one price change and one
// application wait for a decision; one item was rejected.

// demoProvider is a provider or supplier of the demo with what it offers.
type demoProvider struct {
	name, area string // the organisation and the region it serves
	user       string // its staff account
	categories []string
	items      []demoItem
	ratings    []int // return-visit scores so far
}

type demoItem struct {
	category, name, unit string
	fen                  int64
	contents             string
}

var demoProviders = []demoProvider{
	{name: "安康居家养老服务有限公司", area: "3101", user: "provider1",
		categories: []string{"soc-daily", "soc-housekeeping", "gov-home-care", "gov-meals"},
		ratings:    []int{5, 5, 4, 5, 4, 5, 5, 4, 5, 4},
		items: []demoItem{
			{"soc-daily", "钟点工（做饭、保洁）", "小时", 4500, "上门做饭或打扫卫生，2 小时起约；食材由老人提供。"},
			{"soc-daily", "代买药品", "次", 2000, "凭医保卡到指定药房代购并送到家，药费另付。"},
			{"soc-daily", "助浴服务", "次", 12000, "两名护理员上门协助洗浴，含防滑垫、洗浴用品。"},
			{"soc-housekeeping", "住家保姆", "月", 650000, "24 小时住家照护：一日三餐、起居照料、陪伴；合同与服务商签订，平台不收中介费。"},
			{"soc-housekeeping", "家庭深度保洁", "次", 20000, "3 小时，含厨房、卫生间除垢。"},
			{"gov-home-care", "居家养老上门照护（补贴对象）", "小时", 0, "经评估的居家养老服务补贴对象免费，每月最多 30 小时。"},
			{"gov-meals", "社区长者食堂午餐", "份", 1500, "一荤两素一汤，80 岁以上老人补贴后价格。"},
		}},
	{name: "申城陪诊护理服务中心", area: "3101", user: "provider2",
		categories: []string{"soc-escort", "soc-nursing", "soc-transport"},
		ratings:    []int{5, 5, 5, 4, 5, 5},
		items: []demoItem{
			{"soc-escort", "陪同就医（半天）", "次", 15000, "4 小时内：陪同挂号、候诊、检查、取药，拍照向家属报告就诊情况。"},
			{"soc-escort", "陪同就医（全天）", "次", 28000, "8 小时内，其余同半天。"},
			{"soc-escort", "血透陪护接送", "次", 20000, "往返接送并全程陪护透析。"},
			{"soc-nursing", "居家护理（换药、注射）", "次", 8000, "护士上门，耗材另计。"},
			{"soc-nursing", "鼻饲管、导尿管更换", "次", 15000, "护士上门，耗材另计。"},
			{"soc-transport", "出院接送（含上下楼）", "次", 30000, "轮椅车接送、楼梯搬运，市内单程。"},
		}},
	{name: "邻里帮家居维修服务部", area: "310107", user: "provider3",
		categories: []string{"soc-repair"},
		ratings:    []int{4, 5, 4, 3, 5},
		items: []demoItem{
			{"soc-repair", "下水道疏通", "次", 8000, "含上门费；需更换管件的，材料费另计。"},
			{"soc-repair", "空调清洗、加氟", "台", 15000, "挂机清洗并补充制冷剂，柜机另议。"},
			{"soc-repair", "家电上门检测", "次", 5000, "检测费；维修配件另计，报价经老人或家属同意后再修。"},
			{"soc-repair", "水电小修", "次", 6000, "换灯泡、插座、水龙头等，材料另计。"},
		}},
	{name: "康复之家辅具租赁有限公司", area: "3101", user: "provider4",
		categories: []string{"soc-aids", "gov-renovation"},
		items: []demoItem{
			{"soc-aids", "轮椅租赁", "月", 8000, "手动轮椅，送货上门，押金另付。"},
			{"soc-aids", "家庭护理床租赁", "月", 30000, "电动三摇护理床，含安装和防褥疮床垫。"},
			{"gov-renovation", "适老化改造上门评估", "次", 0, "符合条件的家庭免费评估；改造费用按“以旧换新”政策补贴。"},
			{"gov-renovation", "卫生间扶手安装（补贴后）", "套", 5000, "两根不锈钢扶手，含安装。"},
		}},
	{name: "曹杨新村街道社区卫生服务中心", area: "310107005", user: "provider5",
		categories: []string{"gov-family-doctor", "gov-home-bed", "gov-health-check"},
		items: []demoItem{
			{"gov-family-doctor", "家庭医生签约", "次", 0, "免费签约；诊疗费按医保规定结算。"},
			{"gov-home-bed", "家庭病床建床", "次", 0, "医生上门评估，符合条件的几个工作日内建床，定期上门，按医保结算。"},
			{"gov-health-check", "65 岁以上老人免费体检", "次", 0, "每年一次，行动不便的可预约上门。"},
		}},
	{name: "乐龄为老代办服务社", area: "3101", user: "provider6",
		categories: []string{"gov-allowance", "gov-ltc", "gov-sscard"},
		items: []demoItem{
			{"gov-allowance", "高龄津贴申领代办", "次", 0, "上门收取材料并代为申请。"},
			{"gov-allowance", "户口、证件办理协助", "次", 0, "搬家落户、证件补办等手续的咨询和陪同办理。"},
			{"gov-ltc", "长护险评估申请代办", "次", 0, "代为申请长期护理保险评估并预约上门评估。"},
			{"gov-sscard", "社保卡换领上门服务", "次", 0, "行动不便的老人上门采集信息、代为换领。"},
		}},
	{name: "家乐福（上海）保供", area: "3101", user: "supplier1",
		categories: []string{"sup-food", "sup-household"},
		items: []demoItem{
			{"sup-food", "蔬菜套餐", "份", 5000, "青菜、土豆、洋葱、胡萝卜、番茄、黄瓜等时令蔬菜约 5 公斤。"},
			{"sup-food", "水果套餐", "份", 5000, "苹果、香蕉、橙子等时令水果约 4 公斤。"},
			{"sup-household", "清洁用品套餐", "份", 6000, "洗衣液 2 升、洗洁精、消毒液、卷纸 10 卷、肥皂 2 块。"},
		}},
	{name: "大润发（上海）保供", area: "3101", user: "supplier2",
		categories: []string{"sup-food"},
		items: []demoItem{
			{"sup-food", "米油套餐", "份", 8800, "大米 5 公斤、食用油 1.8 升。"},
			{"sup-food", "牛奶鸡蛋套餐", "份", 6000, "纯牛奶 250 毫升 ×12、鸡蛋 30 枚。"},
			{"sup-food", "蔬菜套餐", "份", 5000, "时令蔬菜约 5 公斤。"},
		}},
	{name: "华润万家（上海）保供", area: "3101", user: "supplier3",
		categories: []string{"sup-food", "sup-household"},
		items: []demoItem{
			{"sup-food", "米面粮油套餐", "份", 9800, "大米 5 公斤、面粉 2.5 公斤、挂面 1 公斤、食用油 1.8 升。"},
			{"sup-food", "肉禽套餐", "份", 9800, "猪肉 1 公斤、鸡腿 1 公斤、冷冻带鱼 1 袋。"},
			{"sup-household", "日用品套餐", "份", 5000, "牙膏、牙刷、毛巾、卷纸、垃圾袋。"},
		}},
}

// newDemoProviders are the providers the demo adds to the two of the
// foundation, with their staff accounts.
var newDemoProviders = []struct{ name, region, user string }{
	{"邻里帮家居维修服务部", "310107", "provider3"},
	{"康复之家辅具租赁有限公司", "3101", "provider4"},
	{"曹杨新村街道社区卫生服务中心", "310107005", "provider5"},
	{"乐龄为老代办服务社", "3101", "provider6"},
	{"好邻居家政服务有限公司", "3101", "provider7"}, // applied, waiting for review
}

// catalogue loads the providers' applications and documents, the
// categories' items, their approvals and the providers' ratings.
func (l *loader) catalogue() {
	for _, p := range newDemoProviders {
		o := l.org(anxin.OrgProvider, p.name, p.region)
		l.account(o, p.user, p.name+" 客服", anxin.RolePartner)
	}
	if l.err != nil {
		return
	}
	admin := l.scopeOf("cityadmin")
	cats, err := l.db.FindCategories(l.ctx, "", false)
	if err != nil {
		l.err = err
		return
	}
	catID := map[string]int64{}
	for _, c := range cats {
		catID[c.Code] = c.ID
	}
	for i, p := range demoProviders {
		staff := l.scopeOf(p.user)
		l.apply(staff, p.area, p.categories, 10+i)
		l.review(admin, staff.OrgID, anxin.ReviewApprove, "")
		for _, it := range p.items {
			item := &anxin.CatalogueItem{CategoryID: catID[it.category], ProviderOrgID: staff.OrgID, Name: it.name, Unit: it.unit, AreaCode: p.area, Contents: it.contents}
			l.do(fmt.Sprintf("demo item %s", it.name), func() error { return l.db.CreateItem(l.ctx, staff, item, it.fen) })
			l.do("approve "+it.name, func() error { return l.db.ApproveItem(l.ctx, admin, item.ID, 1) })
		}
		l.do("ratings", func() error {
			return l.db.Transact(l.ctx, func(tx *store.Tx) error {
				for _, score := range p.ratings {
					if err := tx.RateProvider(l.ctx, staff.OrgID, score); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}
	if l.err != nil {
		return
	}
	// What waits for the administrators: a new item, a price change, an
	// application; and an item they rejected.
	anKang := l.scopeOf("provider1")
	l.do("pending item", func() error {
		it := &anxin.CatalogueItem{CategoryID: catID["gov-meals"], ProviderOrgID: anKang.OrgID, Name: "助餐送餐上门", Unit: "份", AreaCode: "310107",
			Contents: "长者食堂午餐送到家，行动不便老人优先。"}
		return l.db.CreateItem(l.ctx, anKang, it, 2000)
	})
	l.do("price change", func() error {
		items, _, err := l.db.FindItems(l.ctx, anKang, anxin.ItemFilter{Query: "钟点工", Limit: 1})
		if err != nil || len(items) == 0 {
			return fmt.Errorf("钟点工: %v", err)
		}
		_, err = l.db.ProposePrice(l.ctx, anKang, items[0].ID, items[0].Version, 5000)
		return err
	})
	repair := l.scopeOf("provider3")
	l.do("rejected item", func() error {
		it := &anxin.CatalogueItem{CategoryID: catID["soc-repair"], ProviderOrgID: repair.OrgID, Name: "燃气灶维修", Unit: "次", AreaCode: "310107",
			Contents: "上门检修燃气灶。"}
		if err := l.db.CreateItem(l.ctx, repair, it, 12000); err != nil {
			return err
		}
		return l.db.RejectItem(l.ctx, admin, it.ID, 1, "燃气设施须由持证燃气公司维修，请提供燃气器具安装维修资质。")
	})
	waiting := l.scopeOf("provider7")
	l.apply(waiting, "3101", []string{"soc-daily", "soc-housekeeping"}, 30)
}

// scopeOf returns the scope of a demo account.
func (l *loader) scopeOf(username string) anxin.Scope {
	if l.err != nil {
		return anxin.Scope{}
	}
	a, err := l.db.AccountByUsername(l.ctx, username)
	if err != nil {
		l.err = fmt.Errorf("demo account %s: %w", username, err)
		return anxin.Scope{}
	}
	return anxin.ScopeOf(a)
}

// do runs a step unless an earlier one failed.
func (l *loader) do(what string, f func() error) {
	if l.err != nil {
		return
	}
	if err := f(); err != nil {
		l.err = fmt.Errorf("%s: %w", what, err)
	}
}

// apply files a provider's application with its licence scan.
func (l *loader) apply(staff anxin.Scope, area string, categories []string, seq int) {
	org, err := l.db.FindOrg(l.ctx, staff, staff.OrgID)
	if err != nil {
		if l.err == nil {
			l.err = err
		}
		return
	}
	p := &anxin.ProviderProfile{OrgID: org.ID, Company: org.Name, LicenceNo: demoLicence(seq), Categories: categories, AreaCode: area,
		ContactName: "王经理", ContactPhone: fmt.Sprintf("021-6254%04d", 1000+seq)}
	l.do("apply "+org.Name, func() error { return l.db.ApplyProvider(l.ctx, staff, p) })
	l.do("licence "+org.Name, func() error {
		return l.db.AddProviderDocument(l.ctx, staff, &anxin.ProviderDocument{OrgID: org.ID, Kind: anxin.DocLicence,
			Filename: "营业执照.pdf", Data: demoPDF("Business licence (demo) - " + p.LicenceNo)})
	})
}

// review records an administrator's decision on a provider.
func (l *loader) review(admin anxin.Scope, orgID int64, decision, reason string) {
	l.do("review", func() error {
		p, err := l.db.FindProvider(l.ctx, admin, orgID)
		if err != nil {
			return err
		}
		return l.db.ReviewProvider(l.ctx, admin, orgID, p.Version, decision, reason)
	})
}

// demoLicence makes a valid unified social credit code from a number:
// 91 (a company registered with the market regulator), 310000 (Shanghai),
// a made-up organisation code, and the check character.
func demoLicence(n int) string {
	first := fmt.Sprintf("91310000MA1K%05d", n)
	for _, c := range "0123456789ABCDEFGHJKLMNPQRTUWXY" {
		if s, ok := anxin.NormaliseLicence(first + string(c)); ok {
			return s
		}
	}
	return first
}

// demoPDF returns a one-page PDF showing a line of text, for the demo's
// licence scans.
func demoPDF(text string) []byte {
	stream := fmt.Sprintf("BT /F1 18 Tf 72 720 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
	}
	b := []byte("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = len(b)
		b = fmt.Appendf(b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := len(b)
	b = fmt.Appendf(b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		b = fmt.Appendf(b, "%010d 00000 n \n", off)
	}
	return fmt.Appendf(b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
}
