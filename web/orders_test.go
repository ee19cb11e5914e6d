package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/xuri/excelize/v2"
)

// orderElder registers an elder in a 曹杨新村 committee, as the system.
func orderElder(t *testing.T, e *testEnv) *anxin.Elder {
	t.Helper()
	el := &anxin.Elder{Name: "王秀英", RegionCode: "310107005001", Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	if err := e.db.CreateElder(ctx, anxin.SystemScope(), el); err != nil {
		t.Fatal(err)
	}
	return el
}

func TestOrdersAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		op, prov, other := e.token("operator1"), e.token("provider1"), e.token("provider2")
		provOrg := e.mustFindOrg("安康居家养老服务有限公司")

		// A retried create with the same Idempotency-Key makes one order.
		create := func() *anxin.Order {
			t.Helper()
			req, _ := http.NewRequest("POST", e.ts.URL+"/api/v1/orders", strings.NewReader(
				fmt.Sprintf(`{"type":"service","channel":"inbound_call","elder_id":%d,"title":"陪同就医","description":"周三上午去同济医院"}`, el.ID)))
			req.Header.Set("Authorization", "Bearer "+op)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "call-42")
			var o anxin.Order
			st := doJSON(t, req, &o)
			wantStatus(t, "create order", st, http.StatusCreated)
			return &o
		}
		o1, o2 := create(), create()
		if o1.ID != o2.ID || o1.State != anxin.StateNew || o1.ElderName != "王秀英" {
			t.Fatalf("idempotent create: %+v / %+v", o1, o2)
		}
		act := func(token string, body map[string]any, want int) *anxin.Order {
			t.Helper()
			var o anxin.Order
			st := e.api("POST", fmt.Sprintf("/api/v1/orders/%d/actions", o1.ID), token, body, &o)
			wantStatus(t, fmt.Sprint(body["action"]), st, want)
			return &o
		}
		o := act(op, map[string]any{"action": "dispatch", "version": 1, "org_id": provOrg.ID}, http.StatusOK)
		// The same version again: someone else acted first.
		act(op, map[string]any{"action": "dispatch", "version": 1, "org_id": provOrg.ID}, http.StatusConflict)
		// The other provider cannot see or touch it.
		wantStatus(t, "other provider reads", e.api("GET", fmt.Sprintf("/api/v1/orders/%d", o1.ID), other, nil, nil), http.StatusNotFound)
		act(other, map[string]any{"action": "accept", "version": o.Version}, http.StatusNotFound)
		var list struct{ Total int }
		e.api("GET", "/api/v1/orders", other, nil, &list)
		if list.Total != 0 {
			t.Fatalf("other provider lists %d orders", list.Total)
		}
		o = act(prov, map[string]any{"action": "accept", "version": o.Version}, http.StatusOK)
		// A provider cannot cancel; a closed-loop jump is a conflict.
		act(prov, map[string]any{"action": "cancel", "version": o.Version, "note": "x"}, http.StatusForbidden)
		act(prov, map[string]any{"action": "complete", "version": o.Version}, http.StatusConflict)
		o = act(prov, map[string]any{"action": "start", "version": o.Version}, http.StatusOK)

		// Completion with a photo, as multipart; a fake JPEG is refused.
		post := func(data []byte, name string) (int, string) {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			mw.WriteField("action", "complete")
			mw.WriteField("version", fmt.Sprint(o.Version))
			mw.WriteField("note", "已陪同就诊，取药完毕")
			fw, _ := mw.CreateFormFile("photo", name)
			fw.Write(data)
			mw.Close()
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/orders/%d/actions", e.ts.URL, o1.ID), &b)
			req.Header.Set("Authorization", "Bearer "+prov)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			var out map[string]any
			st := doJSON(t, req, &out)
			return st, fmt.Sprint(out)
		}
		if st, body := post([]byte("This file claims to be a JPEG; it is text."), "fake.jpg"); st != http.StatusBadRequest {
			t.Fatalf("fake photo: %d %s", st, body)
		}
		if st, body := post(jpegBytes(t), "hospital.jpg"); st != http.StatusOK {
			t.Fatalf("photo: %d %s", st, body)
		}
		var events struct{ Items []anxin.OrderEvent }
		e.api("GET", fmt.Sprintf("/api/v1/orders/%d/events", o1.ID), op, nil, &events)
		last := events.Items[len(events.Items)-1]
		if last.Action != "complete" || len(last.Attachments) != 1 || last.Attachments[0].ContentType != "image/jpeg" {
			t.Fatalf("last event %+v", last)
		}
		req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/orders/%d/attachments/%d", e.ts.URL, o1.ID, last.Attachments[0].ID), nil)
		req.Header.Set("Authorization", "Bearer "+other)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		wantStatus(t, "other provider's photo", resp.StatusCode, http.StatusNotFound)
		// Closed orders cannot go back into service.
		var cur anxin.Order
		e.api("GET", fmt.Sprintf("/api/v1/orders/%d", o1.ID), op, nil, &cur)
		o = act(op, map[string]any{"action": "close", "version": cur.Version}, http.StatusOK)
		act(op, map[string]any{"action": "start", "version": o.Version}, http.StatusConflict)
		// Bad input.
		wantStatus(t, "negative quantity", e.api("POST", "/api/v1/orders", op, map[string]any{"type": "supply", "elder_id": el.ID,
			"lines": []map[string]any{{"item_id": 1, "quantity": -3}}}, nil), http.StatusBadRequest)
		wantStatus(t, "no version", e.api("POST", fmt.Sprintf("/api/v1/orders/%d/actions", o1.ID), op, map[string]any{"action": "note", "note": "x"}, nil), http.StatusBadRequest)
		wantStatus(t, "provider creates", e.api("POST", "/api/v1/orders", prov, map[string]any{"type": "service", "elder_id": el.ID, "title": "x"}, nil), http.StatusForbidden)
	})
}

func doJSON(t *testing.T, req *http.Request, out any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return resp.StatusCode
}

func jpegBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var orderLinkRe = regexp.MustCompile(`/orders/(\d+)\?flash=order_created`)

// TestOrderPages walks the loop in the console: the operator takes an
// order from the elder's profile (a double submit makes one), dispatches
// it, the provider accepts, starts and completes it with a photo in its
// portal, and the elder's timeline shows it.
func TestOrderPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		op := e.signIn("operator1")
		st, body := op.get(fmt.Sprintf("/elders/%d", el.ID))
		wantStatus(t, "profile", st, http.StatusOK)
		wantBody(t, body, fmt.Sprintf(`/orders/new?elder=%d`, el.ID))
		st, body = op.get(fmt.Sprintf("/orders/new?elder=%d", el.ID))
		wantStatus(t, "new order form", st, http.StatusOK)
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(body)
		if key == nil {
			t.Fatal("no idempotency key in the form")
		}
		form := url.Values{"elder_id": {fmt.Sprint(el.ID)}, "type": {"service"}, "title": {"上门理发"}, "urgency": {"normal"},
			"channel": {"inbound_call"}, "key": {key[1]}}
		st, first := op.postLocation("/orders", form)
		wantStatus(t, "create", st, http.StatusSeeOther)
		_, second := op.postLocation("/orders", form)
		if first != second {
			t.Fatalf("double submit: %s then %s", first, second)
		}
		m := orderLinkRe.FindStringSubmatch(first)
		if m == nil {
			t.Fatalf("redirect %q", first)
		}
		id := m[1]
		st, body = op.get("/orders/" + id)
		wantStatus(t, "order page", st, http.StatusOK)
		wantBody(t, body, "上门理发", "待派单", "派单")
		prov := e.mustFindOrg("安康居家养老服务有限公司")
		st, body = op.post("/orders/"+id+"/act", url.Values{"action": {"dispatch"}, "version": {"1"}, "org_id": {fmt.Sprint(prov.ID)}})
		wantStatus(t, "dispatch", st, http.StatusSeeOther)
		// A second tab still showing version 1 gets a clear conflict.
		st, body = op.post("/orders/"+id+"/act", url.Values{"action": {"cancel"}, "version": {"1"}, "note": {"重复"}})
		wantStatus(t, "stale cancel", st, http.StatusConflict)
		wantBody(t, body, "已被他人修改")

		pc := e.signIn("provider1")
		st, body = pc.get("/orders")
		wantStatus(t, "provider queue", st, http.StatusOK)
		wantBody(t, body, "上门理发", "已派单")
		for i, action := range []string{"accept", "start"} {
			st, _ = pc.post("/orders/"+id+"/act", url.Values{"action": {action}, "version": {fmt.Sprint(2 + i)}})
			wantStatus(t, action, st, http.StatusSeeOther)
		}
		st, body = pc.postMultipart("/orders/"+id+"/act", map[string]string{"action": "complete", "version": "4", "note": "理发完成"},
			"photo", "after.jpg", jpegBytes(t))
		wantStatus(t, "complete with photo", st, http.StatusSeeOther)
		st, body = pc.get("/orders/" + id)
		wantBody(t, body, "已完成待回访", "理发完成", "/attachments/")
		// The other provider gets a 404 for the page.
		st, _ = e.signIn("provider2").get("/orders/" + id)
		wantStatus(t, "other provider", st, http.StatusNotFound)
		// The elder's timeline lists the order.
		_, body = op.get(fmt.Sprintf("/elders/%d", el.ID))
		wantBody(t, body, "/orders/"+id, "上门理发")
	})
}

// postLocation posts a form with the CSRF token and returns the status and
// the redirect's Location.
func (c *testClient) postLocation(path string, v url.Values) (int, string) {
	c.t.Helper()
	v.Set("csrf", c.csrf)
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// postMultipart posts fields and one file with the CSRF token.
func (c *testClient) postMultipart(path string, fields map[string]string, fileField, filename string, data []byte) (int, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", c.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile(fileField, filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// TestBrowserOrderIntake takes an order in Chromium the way an operator
// does at the phone: from the elder's profile, type the request, Enter;
// then dispatch it; the provider accepts, starts and completes it in its
// portal; the operator makes the return visit, and a low score opens a
// complaint.
func TestBrowserOrderIntake(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	el := orderElder(t, e)
	bctx := browser(t)
	do, text := browserDo(t, bctx), browserText(t, bctx)
	signIn := func(user, next string) {
		do(chromedp.Navigate(e.ts.URL+"/login?next="+next), chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, e.logins[user]+"\r"),
			chromedp.WaitVisible(`main h1`))
	}
	signIn("operator1", fmt.Sprintf("/elders/%d", el.ID))
	do(chromedp.Click(fmt.Sprintf(`a[href="/orders/new?elder=%d"]`, el.ID)), chromedp.WaitVisible(`input#title`))
	screenshot(t, bctx, "order-new")
	// The summary field has focus: type and press Enter.
	do(chromedp.KeyEvent("陪同去同济医院配药"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`section[aria-labelledby=h-timeline]`))
	if h := text(`main h1`); !strings.Contains(h, "GD") || !strings.Contains(h, "待派单") {
		t.Fatalf("order heading %q", h)
	}
	prov := e.mustFindOrg("申城陪诊护理服务中心")
	do(chromedp.Click(`details.action summary`), chromedp.SetValue(`select[name=org_id]`, fmt.Sprint(prov.ID)),
		chromedp.Click(`details.action button[type=submit]`), chromedp.WaitVisible(`h1 .badge.state-dispatched`))
	if h := text(`main h1`); !strings.Contains(h, "已派单") {
		t.Fatalf("after dispatch %q", h)
	}
	screenshot(t, bctx, "order-dispatched")
	do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))
	signIn("provider2", "/orders")
	if got := text(`table.results tbody`); !strings.Contains(got, "陪同去同济医院配药") {
		t.Fatalf("provider queue %q", got)
	}
	screenshot(t, bctx, "orders-provider-queue")
	do(chromedp.Click(`table.results tbody a`), chromedp.WaitVisible(`details.action[open] button`),
		chromedp.Click(`details.action[open] button`), chromedp.WaitVisible(`h1 .badge.state-accepted`))
	if h := text(`main h1`); !strings.Contains(h, "已接单") {
		t.Fatalf("after accept %q", h)
	}
	screenshot(t, bctx, "order-accepted")
	// Start and complete with a note, in the portal.
	do(chromedp.Click(`details.action[open] button`), chromedp.WaitVisible(`h1 .badge.state-in_service`))
	do(chromedp.SendKeys(`details.action[open] textarea[name=note]`, "已陪同取药，老人已安全到家"),
		chromedp.Click(`details.action[open] button`), chromedp.WaitVisible(`h1 .badge.state-completed`))
	if got := text(`section[aria-labelledby=h-timeline]`); !strings.Contains(got, "已陪同取药") {
		t.Fatalf("timeline after completion %q", got)
	}
	// The return visit waits in the operator's list; a score of 2 opens a
	// complaint linked to the order.
	do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))
	signIn("operator1", "/orders?view=return_visit")
	if got := text(`table.results tbody`); !strings.Contains(got, "陪同去同济医院配药") {
		t.Fatalf("return-visit list %q", got)
	}
	do(chromedp.Click(`table.results tbody a`), chromedp.WaitVisible(`form.visit-form`),
		chromedp.Click(`form.visit-form input[name=score][value="2"]`),
		chromedp.SendKeys(`form.visit-form textarea[name=comment]`, "药拿错了一盒"),
		chromedp.Click(`form.visit-form button[type=submit]`),
		chromedp.WaitVisible(`section.visit a[href^="/orders/"]`))
	screenshot(t, bctx, "order-visited")
	do(chromedp.Click(`section.visit a[href^="/orders/"]`), chromedp.WaitVisible(`section[aria-labelledby=h-timeline]`))
	if h, body := text(`main h1`), text(`main`); !strings.Contains(h, "投诉") || !strings.Contains(body, "药拿错了一盒") {
		t.Fatalf("complaint %q", h)
	}
}

// TestReturnVisitPage completes an order and makes its return visit in
// the console: a low score opens a complaint, and the elder is not called
// twice in a day.
func TestReturnVisitPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		op, prov := e.token("operator1"), e.token("provider1")
		provOrg := e.mustFindOrg("安康居家养老服务有限公司")
		var o anxin.Order
		e.api("POST", "/api/v1/orders", op, map[string]any{"type": "service", "elder_id": el.ID, "title": "修理马桶"}, &o)
		for _, step := range []struct {
			token, action string
		}{{op, "dispatch"}, {prov, "accept"}, {prov, "start"}, {prov, "complete"}} {
			st := e.api("POST", fmt.Sprintf("/api/v1/orders/%d/actions", o.ID), step.token,
				map[string]any{"action": step.action, "version": o.Version, "org_id": provOrg.ID}, &o)
			wantStatus(t, step.action, st, http.StatusOK)
		}
		c := e.signIn("operator1")
		st, body := c.get(fmt.Sprintf("/orders/%d", o.ID))
		wantStatus(t, "order page", st, http.StatusOK)
		wantBody(t, body, "待回访", fmt.Sprintf(`action="/orders/%d/visit"`, o.ID))
		st, body = c.post(fmt.Sprintf("/orders/%d/visit", o.ID), url.Values{"outcome": {"reached"}})
		wantStatus(t, "no score", st, http.StatusBadRequest)
		wantBody(t, body, "1 到 5 分")
		st, _ = c.post(fmt.Sprintf("/orders/%d/visit", o.ID), url.Values{"outcome": {"reached"}, "score": {"2"}, "comment": {"水管又漏了"}})
		wantStatus(t, "visit", st, http.StatusSeeOther)
		var v anxin.ReturnVisit
		wantStatus(t, "visit API", e.api("GET", fmt.Sprintf("/api/v1/orders/%d/return-visit", o.ID), op, nil, &v), http.StatusOK)
		if v.State != anxin.VisitDone || v.Score != 2 || v.ComplaintOrderID == 0 {
			t.Fatalf("visit %+v", v)
		}
		st, body = c.get(fmt.Sprintf("/orders/%d", v.ComplaintOrderID))
		wantStatus(t, "complaint", st, http.StatusOK)
		wantBody(t, body, "投诉", "回访不满意：修理马桶", "水管又漏了")
	})
}

// TestOverdueOnHome runs the SLA pass a month after an order was
// dispatched: the order is overdue, and the operator's home page says so
// and lists the alerts.
func TestOverdueOnHome(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		op := e.token("operator1")
		var o anxin.Order
		e.api("POST", "/api/v1/orders", op, map[string]any{"type": "service", "elder_id": el.ID, "title": "送餐"}, &o)
		e.api("POST", fmt.Sprintf("/api/v1/orders/%d/actions", o.ID), op,
			map[string]any{"action": "dispatch", "version": o.Version, "org_id": e.mustFindOrg("安康居家养老服务有限公司").ID}, &o)
		pass := o.CreatedAt.AddDate(0, 1, 0)
		n, err := e.db.RunSLA(ctx, pass)
		if err != nil || n < 2 {
			t.Fatalf("SLA pass: %d points, %v", n, err)
		}
		_, body := e.signIn("operator1").get("/")
		wantBody(t, body, "/orders?view=overdue", "超时工单", "送餐", "接单时限", "条未读", "全部标为已读")
		// Marked read, the alerts stay listed but are no longer new.
		e.now = pass
		c := e.signIn("operator1")
		st, _ := c.post("/notices/seen", nil)
		wantStatus(t, "mark read", st, http.StatusSeeOther)
		_, body = c.get("/")
		wantBody(t, body, "送餐")
		if strings.Contains(body, "条未读") || strings.Contains(body, `class="unread"`) {
			t.Fatal("alerts still unread after marking them read")
		}
		var got anxin.Order
		e.api("GET", fmt.Sprintf("/api/v1/orders/%d", o.ID), op, nil, &got)
		if !got.Overdue || got.Urgency == anxin.UrgencyNormal {
			t.Fatalf("after the pass: %+v", got)
		}
		// The provider's home does not show the hotline's alerts.
		_, body = e.signIn("provider1").get("/")
		if strings.Contains(body, "工单提醒") {
			t.Fatal("provider sees the hotline's alerts")
		}
	})
}

// TestSupplyOrderForm takes a supply order in the console: the packages
// offered where the elder lives, quantities typed, priced from the
// catalogue; a bad quantity is refused with the form kept.
func TestSupplyOrderForm(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		items, _, err := e.db.FindItems(ctx, anxin.SystemScope(), anxin.ItemFilter{Family: anxin.FamilySupply, Offered: true, Limit: 50})
		if err != nil || len(items) < 2 {
			t.Fatalf("demo supply packages: %d, %v", len(items), err)
		}
		c := e.signIn("operator1")
		st, body := c.get(fmt.Sprintf("/orders/new?elder=%d&type=supply", el.ID))
		wantStatus(t, "supply form", st, http.StatusOK)
		wantBody(t, body, fmt.Sprintf(`name="qty_%d"`, items[0].ID), items[0].Name)
		key := regexp.MustCompile(`name="key" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]
		form := url.Values{"elder_id": {fmt.Sprint(el.ID)}, "type": {"supply"}, "urgency": {"normal"}, "channel": {"outbound_campaign"}, "key": {key},
			fmt.Sprintf("qty_%d", items[0].ID): {"2"}, fmt.Sprintf("qty_%d", items[1].ID): {"-1"}}
		st, body = c.post("/orders", form)
		wantStatus(t, "bad quantity", st, http.StatusBadRequest)
		wantBody(t, body, "1 到 99")
		form.Set(fmt.Sprintf("qty_%d", items[1].ID), "1")
		st, loc := c.postLocation("/orders", form)
		wantStatus(t, "supply order", st, http.StatusSeeOther)
		m := orderLinkRe.FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("redirect %q", loc)
		}
		var o anxin.Order
		e.api("GET", "/api/v1/orders/"+m[1], e.token("operator1"), nil, &o)
		want := 2*items[0].PriceFen + items[1].PriceFen
		if o.Type != anxin.TypeSupply || len(o.Lines) != 2 || o.TotalFen != want || o.Title == "" {
			t.Fatalf("supply order %+v, want total %d", o, want)
		}
	})
}

// TestPickList: a supplier's pick list for the day groups its supply
// orders by street, committee and compound, totals the packages, and the
// workbook (with full numbers) is audited; another supplier sees nothing.
func TestPickList(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		el2 := &anxin.Elder{Name: "张桂兰", RegionCode: "310107005001", Address: "淞滨路541弄54号602室",
			Phones: []anxin.Phone{{Number: "13900001234", Label: anxin.PhoneMobile}}}
		if err := e.db.CreateElder(ctx, anxin.SystemScope(), el2); err != nil {
			t.Fatal(err)
		}
		items, _, err := e.db.FindItems(ctx, anxin.SystemScope(), anxin.ItemFilter{Family: anxin.FamilySupply, Offered: true, Limit: 50})
		if err != nil || len(items) == 0 {
			t.Fatalf("packages: %v", err)
		}
		pkg := items[0]
		op := e.token("operator1")
		for _, id := range []int64{el.ID, el2.ID} {
			var o anxin.Order
			wantStatus(t, "supply order", e.api("POST", "/api/v1/orders", op, map[string]any{"type": "supply", "elder_id": id,
				"lines": []map[string]any{{"item_id": pkg.ID, "quantity": 2}}}, &o), http.StatusCreated)
			wantStatus(t, "dispatch", e.api("POST", fmt.Sprintf("/api/v1/orders/%d/actions", o.ID), op,
				map[string]any{"action": "dispatch", "version": o.Version, "org_id": pkg.ProviderOrgID}, nil), http.StatusOK)
		}
		var supplierUser string
		for _, u := range []string{"supplier1", "supplier2", "supplier3"} {
			a, err := e.db.AccountByUsername(ctx, u)
			if err == nil && a.OrgID == pkg.ProviderOrgID {
				supplierUser = u
			}
		}
		if supplierUser == "" {
			t.Fatalf("no demo account for supplier %d", pkg.ProviderOrgID)
		}
		c := e.signIn(supplierUser)
		st, body := c.get("/orders/picklist")
		wantStatus(t, "pick list", st, http.StatusOK)
		wantBody(t, body, "共 2 单待配送", "曹杨新村街道", "源园居委会", "淞滨路541弄", pkg.Name+" × <strong>4</strong>", "139****1234")
		if strings.Contains(body, "13900001234") {
			t.Fatal("the page shows a full number")
		}
		st, xlsx := c.get("/orders/picklist.xlsx")
		wantStatus(t, "pick list workbook", st, http.StatusOK)
		f, err := excelize.OpenReader(strings.NewReader(xlsx))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows(f.GetSheetName(0))
		if len(rows) != 3 || !slices.Contains(rows[1], "13812345678") && !slices.Contains(rows[2], "13812345678") {
			t.Fatalf("workbook rows %v", rows)
		}
		entries, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditExport, Limit: 10})
		if err != nil || len(entries) == 0 || entries[0].TargetType != "picklist" {
			t.Fatalf("audit %+v %v", entries, err)
		}
		// Another supplier's list is its own, and empty.
		for _, u := range []string{"supplier1", "supplier2", "supplier3"} {
			if u != supplierUser {
				_, body = e.signIn(u).get(fmt.Sprintf("/orders/picklist?supplier=%d", pkg.ProviderOrgID))
				wantBody(t, body, "这一天没有待配送的订单")
				break
			}
		}
	})
}
