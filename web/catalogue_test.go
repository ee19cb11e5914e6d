package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

// mustFindItem finds a demo catalogue item by name and provider.
func (e *testEnv) mustFindItem(name, provider string) *anxin.CatalogueItem {
	e.t.Helper()
	items, _, err := e.db.FindItems(ctx, anxin.SystemScope(), anxin.ItemFilter{Query: name, Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, it := range items {
		if it.Name == name && (provider == "" || it.ProviderName == provider) {
			return it
		}
	}
	e.t.Fatalf("no catalogue item %q of %q", name, provider)
	return nil
}

// postMultipart posts a form with files, with the session's CSRF token.
func (c *testClient) postDocuments(path string, fields url.Values, files map[string][]byte) (int, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("documents", name)
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func lastAuditOf(t *testing.T, e *testEnv, action string) *anxin.AuditEntry {
	t.Helper()
	es, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("no audit entry %s: %v", action, err)
	}
	return es[0]
}

// What each role sees of the catalogue.
func TestCatalogueList(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		op := e.signIn("operator1")
		st, body := op.get("/catalogue")
		wantStatus(t, "operator's catalogue", st, http.StatusOK)
		wantBody(t, body, "服务目录", "钟点工（做饭、保洁）", "¥45.00", "安康居家养老服务有限公司", "住家保姆", "¥6,500.00", "免费", "调价待审：¥50.00")
		if strings.Contains(body, "助餐送餐上门") || strings.Contains(body, "燃气灶维修") || strings.Contains(body, "新增服务项目") {
			t.Fatal("an operator sees pending or rejected items, or may propose")
		}
		_, body = op.get("/catalogue?family=supply&q=" + url.QueryEscape("蔬菜"))
		wantBody(t, body, "蔬菜套餐", "家乐福（上海）保供", "大润发（上海）保供", "¥50.00")
		if strings.Contains(body, "钟点工") {
			t.Fatal("family filter ignored")
		}
		// Area: the repair shop serves Putuo only.
		_, body = op.get("/catalogue?area=310105")
		if strings.Contains(body, "下水道疏通") {
			t.Fatal("a Putuo item is listed for Changning")
		}
		st, _ = op.get("/catalogue?area=31x")
		wantStatus(t, "bad area", st, http.StatusBadRequest)

		// The back office sees every state; the city admin the approvals.
		bo := e.signIn("backoffice1")
		_, body = bo.get("/catalogue?state=rejected")
		wantBody(t, body, "燃气灶维修", "未通过", "新增服务项目")
		admin := e.signIn("cityadmin")
		_, body = admin.get("/catalogue")
		wantBody(t, body, `href="/catalogue/approvals"`, "待审核 2 项", `aria-current="page">服务目录`)
		_, body = admin.get("/catalogue/approvals")
		wantBody(t, body, "助餐送餐上门", "新项目", "钟点工（做饭、保洁）", "调价", "¥50.00", `aria-current="page">价格审核`)
		if strings.Contains(body, `aria-current="page">服务目录`) {
			t.Fatal("two navigation entries are current")
		}
		wantStatus(t, "operator on approvals", func() int { st, _ := op.get("/catalogue/approvals"); return st }(), http.StatusForbidden)

		// Volunteers have no catalogue.
		vol := e.signIn("volunteer1")
		st, _ = vol.get("/catalogue")
		wantStatus(t, "volunteer", st, http.StatusForbidden)
		_, home := vol.get("/")
		if strings.Contains(home, `href="/catalogue"`) {
			t.Fatal("volunteer navigation shows the catalogue")
		}
	})
}

// A provider proposes a price change; two administrators decide on it; the
// old price stays until one approves, and the history keeps everything.
func TestCataloguePriceFlow(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		it := e.mustFindItem("陪同就医（半天）", "")
		path := fmt.Sprintf("/catalogue/%d", it.ID)
		prov := e.signIn("provider2")
		st, body := prov.get(path)
		wantStatus(t, "provider's item", st, http.StatusOK)
		wantBody(t, body, "¥150.00", "提交调价", "价格记录")
		for _, bad := range []string{"12.505", "-5", "十二元", "2000000", "150元/次"} {
			st, body = prov.post(path+"/price", url.Values{"price": {bad}, "version": {strconv.Itoa(it.Version)}})
			wantStatus(t, "price "+bad, st, http.StatusBadRequest)
			wantBody(t, body, `class="error" role="alert"`, `value="`+strings.ReplaceAll(bad, "/", "/")+`"`)
		}
		st, _ = prov.post(path+"/price", url.Values{"price": {"160元"}, "version": {strconv.Itoa(it.Version)}})
		wantStatus(t, "propose", st, http.StatusSeeOther)
		// The form sent twice changes nothing.
		st, _ = prov.post(path+"/price", url.Values{"price": {"¥160.00"}, "version": {strconv.Itoa(it.Version)}})
		wantStatus(t, "propose twice", st, http.StatusSeeOther)
		st, body = prov.post(path+"/price", url.Values{"price": {"170"}, "version": {strconv.Itoa(it.Version + 1)}})
		wantStatus(t, "another change while one waits", st, http.StatusConflict)
		wantBody(t, body, "已有调价申请（¥160.00）等待审核")
		op := e.signIn("operator1")
		_, body = op.get(path)
		wantBody(t, body, "¥150.00")
		if a := lastAuditOf(t, e, anxin.AuditItemPrice); !strings.Contains(a.Detail, "approved price ¥150.00; proposed ¥160.00") {
			t.Errorf("audit %+v", a)
		}

		// Providers cannot approve; two administrators decide on the same version.
		st, _ = prov.post(path+"/approve", url.Values{"version": {strconv.Itoa(it.Version + 1)}})
		wantStatus(t, "provider approves", st, http.StatusForbidden)
		cityadmin, platform := e.signIn("cityadmin"), e.signIn("admin")
		v := strconv.Itoa(it.Version + 1)
		st, _ = cityadmin.post(path+"/approve", url.Values{"version": {v}, "from": {"approvals"}})
		wantStatus(t, "first approval", st, http.StatusSeeOther)
		st, body = platform.post(path+"/approve", url.Values{"version": {v}, "from": {"approvals"}})
		wantStatus(t, "second approval", st, http.StatusConflict)
		wantBody(t, body, "该项目已被他人修改或审核，请刷新后重试", "价格审核")
		_, body = op.get(path)
		wantBody(t, body, "¥160.00", "¥150.00", "已批准")
		a := lastAuditOf(t, e, anxin.AuditItemApprove)
		if a.ActorName != "cityadmin" || !strings.Contains(a.Detail, "price ¥150.00→¥160.00") {
			t.Errorf("audit %+v", a)
		}
		// A rejection needs a reason and keeps the price.
		prov.post(path+"/price", url.Values{"price": {"200"}})
		cur := e.mustFindItem("陪同就医（半天）", "")
		st, _ = cityadmin.post(path+"/reject", url.Values{"version": {strconv.Itoa(cur.Version)}, "reason": {" "}})
		wantStatus(t, "reject without reason", st, http.StatusBadRequest)
		st, _ = cityadmin.post(path+"/reject", url.Values{"version": {strconv.Itoa(cur.Version)}, "reason": {"超出指导价"}})
		wantStatus(t, "reject", st, http.StatusSeeOther)
		_, body = prov.get(path)
		wantBody(t, body, "¥160.00", "超出指导价", "已驳回")
	})
}

// Proposing a new item: the form, its refusals, and a double submit.
func TestCatalogueNewItem(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		prov := e.signIn("provider3")
		st, body := prov.get("/catalogue/new")
		wantStatus(t, "form", st, http.StatusOK)
		wantBody(t, body, "申报服务项目", "邻里帮家居维修服务部", `name="price"`, "310107")
		cats, _ := e.db.FindCategories(ctx, anxin.FamilySocial, false)
		var repair int64
		for _, c := range cats {
			if c.Code == "soc-repair" {
				repair = c.ID
			}
		}
		form := url.Values{"category_id": {strconv.FormatInt(repair, 10)}, "name": {"马桶维修"}, "unit": {"次"},
			"price": {"80元5角"}, "area_code": {"310107005"}, "contents": {"更换水箱配件，配件另计"}}
		st, _ = prov.post("/catalogue", form)
		wantStatus(t, "create", st, http.StatusSeeOther)
		it := e.mustFindItem("马桶维修", "")
		if it.State != anxin.ItemPending || it.Proposal.PriceFen != 8050 || it.ProviderName != "邻里帮家居维修服务部" {
			t.Fatalf("created %+v", it)
		}
		st, body = prov.post("/catalogue", form)
		wantStatus(t, "double submit", st, http.StatusConflict)
		wantBody(t, body, "已有同名项目", `value="马桶维修"`)
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("area_code", "310105")
		bad.Set("name", "别处维修")
		st, body = prov.post("/catalogue", bad)
		wantStatus(t, "outside the provider's area", st, http.StatusBadRequest)
		wantBody(t, body, "服务区域超出了")
		// The provider edits its pending item; not an approved one.
		edit := url.Values{"category_id": {strconv.FormatInt(repair, 10)}, "name": {"马桶维修（含疏通）"}, "unit": {"次"},
			"area_code": {"310107005"}, "contents": {"x"}, "version": {strconv.Itoa(it.Version)}}
		st, _ = prov.post(fmt.Sprintf("/catalogue/%d", it.ID), edit)
		wantStatus(t, "edit pending", st, http.StatusSeeOther)
		st, _ = prov.post(fmt.Sprintf("/catalogue/%d", it.ID), edit)
		wantStatus(t, "edit with a stale version", st, http.StatusConflict)
		approved := e.mustFindItem("下水道疏通", "")
		st, _ = prov.get(fmt.Sprintf("/catalogue/%d/edit", approved.ID))
		wantStatus(t, "edit form of an approved item", st, http.StatusOK)
		edit.Set("version", strconv.Itoa(approved.Version))
		st, _ = prov.post(fmt.Sprintf("/catalogue/%d", approved.ID), edit)
		wantStatus(t, "edit approved", st, http.StatusForbidden)
		// Operators may not propose.
		st, _ = e.signIn("operator1").get("/catalogue/new")
		wantStatus(t, "operator's form", st, http.StatusForbidden)
		// An applied provider sees why it cannot propose yet.
		_, body = e.signIn("provider7").get("/catalogue/new")
		wantBody(t, body, "审核通过后才能申报服务项目")
	})
}

// A provider sees and changes only its own items and documents; others
// get 404, nothing leaks. Documents are for the provider and admins only.
func TestCatalogueProviderScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		mine := e.mustFindItem("陪同就医（半天）", "")
		theirs := e.mustFindItem("钟点工（做饭、保洁）", "")
		prov := e.signIn("provider2")
		for _, p := range []string{"", "/edit"} {
			st, _ := prov.get(fmt.Sprintf("/catalogue/%d%s", theirs.ID, p))
			wantStatus(t, "another provider's item"+p, st, http.StatusNotFound)
		}
		for _, p := range []string{"/price", "/retire", "/approve", ""} {
			st, _ := prov.post(fmt.Sprintf("/catalogue/%d%s", theirs.ID, p), url.Values{"price": {"1"}, "version": {"1"}})
			wantStatus(t, "POST another provider's item"+p, st, http.StatusNotFound)
		}
		_, body := prov.get("/catalogue")
		if strings.Contains(body, theirs.Name) || !strings.Contains(body, mine.Name) {
			t.Fatal("a provider's list shows other providers' items")
		}
		tok := e.token("provider2")
		wantStatus(t, "API item", e.api("GET", fmt.Sprintf("/api/v1/catalogue/items/%d", theirs.ID), tok, nil, nil), http.StatusNotFound)
		wantStatus(t, "API prices", e.api("GET", fmt.Sprintf("/api/v1/catalogue/items/%d/prices", theirs.ID), tok, nil, nil), http.StatusNotFound)

		anKang := e.mustFindOrg("安康居家养老服务有限公司")
		docs, err := e.db.FindProviderDocuments(ctx, anxin.SystemScope(), anKang.ID)
		if err != nil || len(docs) != 1 {
			t.Fatalf("demo documents: %v", err)
		}
		docPath := fmt.Sprintf("/providers/%d/documents/%d", anKang.ID, docs[0].ID)
		st, _ := prov.get(fmt.Sprintf("/providers/%d", anKang.ID))
		wantStatus(t, "another provider's page", st, http.StatusNotFound)
		st, _ = prov.get(docPath)
		wantStatus(t, "another provider's document", st, http.StatusNotFound)
		wantStatus(t, "API document", e.api("GET", "/api/v1"+docPath, tok, nil, nil), http.StatusNotFound)
		// Back office sees the provider but not its documents.
		bo := e.signIn("backoffice1")
		st, body = bo.get(fmt.Sprintf("/providers/%d", anKang.ID))
		wantStatus(t, "back office on a provider", st, http.StatusOK)
		if strings.Contains(body, "营业执照.pdf") {
			t.Fatal("back office sees licence documents")
		}
		st, _ = bo.get(docPath)
		wantStatus(t, "back office document", st, http.StatusNotFound)
		// Its own staff and the administrator download it, audited.
		for _, who := range []string{"provider1", "cityadmin"} {
			c := e.signIn(who)
			req, _ := http.NewRequest("GET", e.ts.URL+docPath, nil)
			resp, err := c.c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("%s download: %d %v", who, resp.StatusCode, resp.Header)
			}
			if a := lastAuditOf(t, e, anxin.AuditDocumentDownload); a.ActorName != who || a.TargetID != strconv.FormatInt(docs[0].ID, 10) {
				t.Fatalf("audit %+v", a)
			}
		}
	})
}

// Documents are judged by their contents; the size is limited.
func TestProviderDocumentUpload(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		org := e.mustFindOrg("好邻居家政服务有限公司")
		path := fmt.Sprintf("/providers/%d/documents", org.ID)
		c := e.signIn("provider7")
		kind := url.Values{"kind": {"permit"}}
		st, body := c.postDocuments(path, kind, map[string][]byte{"许可证.pdf": []byte("<html><script>alert(1)</script>")})
		wantStatus(t, "HTML named .pdf", st, http.StatusBadRequest)
		wantBody(t, body, "许可证.pdf — 文件不是 PDF、JPG 或 PNG")
		st, body = c.postDocuments(path, kind, map[string][]byte{"big.pdf": append([]byte("%PDF-"), make([]byte, anxin.MaxDocumentBytes)...)})
		wantStatus(t, "11 MB", st, http.StatusBadRequest)
		wantBody(t, body, "文件超过 10 MB")
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
		st, _ = c.postDocuments(path, kind, map[string][]byte{"scan.pdf": png})
		wantStatus(t, "a PNG named .pdf", st, http.StatusSeeOther)
		docs, _ := e.db.FindProviderDocuments(ctx, anxin.SystemScope(), org.ID)
		if len(docs) != 2 || docs[1].ContentType != "image/png" || docs[1].Kind != anxin.DocPermit {
			t.Fatalf("documents: %+v", docs)
		}
		// Without the CSRF token nothing is stored.
		c.csrf = "wrong"
		st, _ = c.postDocuments(path, kind, map[string][]byte{"other.png": append(png, 1)})
		wantStatus(t, "no CSRF", st, http.StatusForbidden)
		// Through the API.
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, _ := mw.CreateFormFile("file", "licence.jpg")
		fw.Write([]byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3})
		mw.Close()
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1"+path, &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+e.token("provider7"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		wantStatus(t, "API upload", resp.StatusCode, http.StatusCreated)
	})
}

// An application is filed, rejected with a reason, filed again, approved;
// then the provider can act.
func TestProviderApplicationFlow(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		org := e.mustFindOrg("好邻居家政服务有限公司")
		page := fmt.Sprintf("/providers/%d", org.ID)
		prov := e.signIn("provider7")
		st, body := prov.get("/providers")
		wantStatus(t, "a provider's list", st, http.StatusSeeOther)
		_, body = prov.get(page)
		wantBody(t, body, "待审核", "申请已提交，等待平台审核", "营业执照.pdf", "修改申请资料", `aria-current="page">企业资料`)
		st, body = prov.get(page + "/apply")
		wantStatus(t, "apply form", st, http.StatusOK)
		wantBody(t, body, "统一社会信用代码", `value="soc-daily" checked`)
		cur, _ := e.db.FindProvider(ctx, anxin.SystemScope(), org.ID)
		fields := url.Values{"company": {"好邻居家政服务有限公司"}, "licence_no": {"91310000MA1K0003X0"}, "categories": {"soc-daily", "soc-housekeeping"},
			"area_code": {"3101"}, "contact_name": {"李经理"}, "contact_phone": {"13812345678"}, "version": {strconv.Itoa(cur.Version)}}
		st, body = prov.postDocuments(page+"/apply", fields, nil)
		wantStatus(t, "bad licence", st, http.StatusBadRequest)
		wantBody(t, body, "不是有效的统一社会信用代码", `value="李经理"`)
		fields.Set("licence_no", strings.ToLower(cur.LicenceNo))
		st, body = prov.postDocuments(page+"/apply", fields, map[string][]byte{"fake.jpg": []byte("not an image")})
		wantStatus(t, "bad document", st, http.StatusBadRequest)
		wantBody(t, body, "fake.jpg — 文件不是 PDF、JPG 或 PNG")

		admin := e.signIn("cityadmin")
		_, body = admin.get("/providers?status=applied")
		wantBody(t, body, "好邻居家政服务有限公司", "待审核")
		_, body = admin.get(page)
		wantBody(t, body, "通过入驻", "不予通过", "营业执照.pdf", "provider7")
		st, _ = admin.post(page+"/review", url.Values{"decision": {"reject"}, "version": {strconv.Itoa(cur.Version)}, "reason": {"请补充家政服务资质"}})
		wantStatus(t, "reject", st, http.StatusSeeOther)
		st, body = admin.post(page+"/review", url.Values{"decision": {"approve"}, "version": {strconv.Itoa(cur.Version)}})
		wantStatus(t, "stale decision", st, http.StatusConflict)
		wantBody(t, body, "该申请已被他人修改或审核")
		_, body = prov.get(page)
		wantBody(t, body, "未通过原因：", "请补充家政服务资质", "填写入驻申请")
		cur, _ = e.db.FindProvider(ctx, anxin.SystemScope(), org.ID)
		fields.Set("version", strconv.Itoa(cur.Version))
		st, _ = prov.postDocuments(page+"/apply", fields, map[string][]byte{"资质.png": append([]byte("\x89PNG\r\n\x1a\n"), 0)})
		wantStatus(t, "apply again", st, http.StatusSeeOther)
		cur, _ = e.db.FindProvider(ctx, anxin.SystemScope(), org.ID)
		if cur.Status != anxin.ProviderApplied || cur.ContactName != "李经理" || cur.Reason != "" {
			t.Fatalf("applied again: %+v", cur)
		}
		if a := lastAuditOf(t, e, anxin.AuditProviderApply); !strings.Contains(a.Detail, "status rejected→applied") {
			t.Errorf("audit %+v", a)
		}
		st, _ = admin.post(page+"/review", url.Values{"decision": {"approve"}, "version": {strconv.Itoa(cur.Version)}})
		wantStatus(t, "approve", st, http.StatusSeeOther)
		_, body = prov.get("/catalogue/new")
		if strings.Contains(body, "审核通过后才能申报") {
			t.Fatal("an approved provider is told to wait")
		}
		// Suspended: its items are no longer offered.
		cur, _ = e.db.FindProvider(ctx, anxin.SystemScope(), org.ID)
		st, _ = admin.post(page+"/review", url.Values{"decision": {"suspend"}, "version": {strconv.Itoa(cur.Version)}, "reason": {"投诉核查"}})
		wantStatus(t, "suspend", st, http.StatusSeeOther)
		_, body = admin.get(page)
		wantBody(t, body, "暂停原因：", "投诉核查", "恢复")
		if a := lastAuditOf(t, e, anxin.AuditProviderReview); a.Reason != "投诉核查" || !strings.Contains(a.Detail, "suspend (was approved)") {
			t.Errorf("audit %+v", a)
		}
		// Operators have no provider pages.
		st, _ = e.signIn("operator1").get(page)
		wantStatus(t, "operator on a provider", st, http.StatusForbidden)
	})
}

// The API: list, create, price change, approval with versions, offers,
// providers and review.
func TestCatalogueAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		var cats struct{ Items []anxin.Category }
		wantStatus(t, "categories", e.api("GET", "/api/v1/catalogue/categories?family=government", e.token("operator1"), nil, &cats), http.StatusOK)
		if len(cats.Items) != 9 || cats.Items[0].OwnerDept == "" {
			t.Fatalf("government categories: %+v", cats.Items)
		}
		var list struct {
			Items []anxin.CatalogueItem
			Total int
		}
		op := e.token("operator1")
		wantStatus(t, "items", e.api("GET", "/api/v1/catalogue/items?q="+url.QueryEscape("住家保姆"), op, nil, &list), http.StatusOK)
		if list.Total != 1 || list.Items[0].PriceFen != 650000 || list.Items[0].ProviderName != "安康居家养老服务有限公司" {
			t.Fatalf("live-in carer: %+v", list)
		}
		wantStatus(t, "bad family", e.api("GET", "/api/v1/catalogue/items?family=x", op, nil, nil), http.StatusBadRequest)

		prov := e.token("provider3")
		body := map[string]any{"category_id": e.mustFindItem("下水道疏通", "").CategoryID, "name": "热水器维修", "unit": "次", "price_fen": 9000, "area_code": "310107"}
		var it anxin.CatalogueItem
		wantStatus(t, "create", e.api("POST", "/api/v1/catalogue/items", prov, body, &it), http.StatusCreated)
		if it.State != anxin.ItemPending || it.Priced || it.Proposal == nil || it.Proposal.PriceFen != 9000 {
			t.Fatalf("created %+v", it)
		}
		wantStatus(t, "create twice", e.api("POST", "/api/v1/catalogue/items", prov, body, nil), http.StatusConflict)
		body["name"], body["price_fen"] = "负价", -1
		wantStatus(t, "negative price", e.api("POST", "/api/v1/catalogue/items", prov, body, nil), http.StatusBadRequest)
		delete(body, "price_fen")
		wantStatus(t, "no price", e.api("POST", "/api/v1/catalogue/items", prov, body, nil), http.StatusBadRequest)

		item := fmt.Sprintf("/api/v1/catalogue/items/%d", it.ID)
		admin := e.token("cityadmin")
		wantStatus(t, "approve by provider", e.api("POST", item+"/approve", prov, map[string]any{"version": it.Version}, nil), http.StatusForbidden)
		wantStatus(t, "approve stale", e.api("POST", item+"/approve", admin, map[string]any{"version": it.Version + 1}, nil), http.StatusConflict)
		wantStatus(t, "approve", e.api("POST", item+"/approve", admin, map[string]any{"version": it.Version}, &it), http.StatusOK)
		wantStatus(t, "approve again", e.api("POST", item+"/approve", admin, map[string]any{"version": it.Version - 1}, nil), http.StatusConflict)
		if !it.Priced || it.PriceFen != 9000 || it.State != anxin.ItemApproved {
			t.Fatalf("approved %+v", it)
		}
		wantStatus(t, "patch stale", e.api("PATCH", item, prov, map[string]any{"version": 1, "price_fen": 9500}, nil), http.StatusConflict)
		wantStatus(t, "price change", e.api("PATCH", item, prov, map[string]any{"version": it.Version, "price_fen": 9500}, &it), http.StatusOK)
		if it.PriceFen != 9000 || it.Proposal == nil || it.Proposal.PriceFen != 9500 {
			t.Fatalf("during the change %+v", it)
		}
		wantStatus(t, "reject without reason", e.api("POST", item+"/reject", admin, map[string]any{"version": it.Version}, nil), http.StatusBadRequest)
		wantStatus(t, "reject", e.api("POST", item+"/reject", admin, map[string]any{"version": it.Version, "reason": "太贵"}, &it), http.StatusOK)
		var hist struct{ Items []anxin.PriceChange }
		wantStatus(t, "history", e.api("GET", item+"/prices", prov, nil, &hist), http.StatusOK)
		if len(hist.Items) != 2 || hist.Items[0].Status != anxin.PriceRejected || hist.Items[0].Reason != "太贵" {
			t.Fatalf("history %+v", hist.Items)
		}
		wantStatus(t, "retire", e.api("PATCH", item, prov, map[string]any{"version": it.Version, "state": "retired"}, &it), http.StatusOK)
		if it.State != anxin.ItemRetired {
			t.Fatalf("retired %+v", it)
		}

		var offers struct{ Items []anxin.CatalogueItem }
		escort := e.mustFindItem("陪同就医（半天）", "")
		wantStatus(t, "offers", e.api("GET", fmt.Sprintf("/api/v1/catalogue/offers?category=%d&committee=310107005001", escort.CategoryID), op, nil, &offers), http.StatusOK)
		if len(offers.Items) != 3 || offers.Items[0].PriceFen > offers.Items[1].PriceFen {
			t.Fatalf("escort offers %+v", offers.Items)
		}
		wantStatus(t, "offers outside", e.api("GET", fmt.Sprintf("/api/v1/catalogue/offers?category=%d&committee=320213001001", escort.CategoryID), e.token("putuo-operator"), nil, nil), http.StatusNotFound)

		var provs struct {
			Items []anxin.ProviderProfile
			Total int
		}
		wantStatus(t, "providers", e.api("GET", "/api/v1/providers?status=applied", admin, nil, &provs), http.StatusOK)
		if provs.Total != 1 {
			t.Fatalf("applied providers %+v", provs)
		}
		p := provs.Items[0]
		wantStatus(t, "review", e.api("POST", fmt.Sprintf("/api/v1/providers/%d/review", p.OrgID), admin, map[string]any{"version": p.Version, "decision": "approve"}, &p), http.StatusOK)
		if p.Status != anxin.ProviderApproved {
			t.Fatalf("reviewed %+v", p)
		}
		// A provider files its application through the API.
		p.ContactName = "赵"
		req := map[string]any{"company": p.Company, "licence_no": p.LicenceNo, "categories": p.Categories, "area_code": p.AreaCode, "version": p.Version}
		wantStatus(t, "apply when approved", e.api("POST", "/api/v1/providers", e.token("provider7"), req, nil), http.StatusForbidden)
	})
}
