package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
	"github.com/anxin-care/anxin/store"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// wangForm is 王秀英 as an operator types her into the console's form.
func wangForm() url.Values {
	return url.Values{
		"name": {"王秀英"}, "gender": {""}, "birth_date": {""}, "id_number": {wangID},
		"phone": {"6254 1234", "138 1234 5678", ""}, "phone_label": {"", "child", ""},
		"region_code": {committee11}, "address": {"兰溪路 120 弄 5 号 302 室"}, "living": {"alone"},
		"tags": {"高龄，行动不便"}, "dialect": {"上海话"}, "hearing": {"左耳弱，请大声慢说"}, "best_time": {"上午 9-11 点"},
		"status": {"active"}, "notes": {"女儿在外地"}, "health": {"高血压"}, "medication": {"氨氯地平 每日一次"},
		"consent_checkin": {"true"}, "consent_checkin_source": {"纸质同意书"},
		"consent_health": {"true"}, "consent_health_source": {"纸质同意书"},
		"contact_name": {"李明"}, "contact_relation": {"儿子"}, "contact_phone": {"13900001111"},
	}
}

// mustCreateElderForm creates an elder through the console form and
// returns its id.
func mustCreateElderForm(t *testing.T, c *testClient, v url.Values) int64 {
	t.Helper()
	st, loc, body := postWithLocation(t, c, "/elders", v)
	if st != http.StatusSeeOther {
		t.Fatalf("create elder: status %d\n%s", st, body)
	}
	var id int64
	if _, err := fmt.Sscanf(loc, "/elders/%d?flash=created", &id); err != nil {
		t.Fatalf("create elder: redirect to %q", loc)
	}
	return id
}

// An operator creates an elder with the form and sees her profile with
// masked numbers, health (consent given), contacts, consents, history and
// timeline; the search page finds her by initials, pinyin and phone tail.
func TestElderPagesCreateAndSearch(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		op := e.signIn("operator1")
		st, body := op.get("/elders/new")
		wantStatus(t, "new form", st, http.StatusOK)
		wantBody(t, body, `name="name"`, `name="region_code"`, `name="consent_health"`, `name="health"`)
		id := mustCreateElderForm(t, op, wangForm())

		st, body = op.get(fmt.Sprintf("/elders/%d?flash=created", id))
		wantStatus(t, "profile", st, http.StatusOK)
		wantBody(t, body, "王秀英", "已创建", "021-****1234", "138****5678", "139****1111", idcard.Mask(wangID),
			"源园居委会", "1942-03-05", "独居", "高龄", "行动不便", "上海话", "高血压", "氨氯地平", "李明", "儿子",
			"关爱回访电话", "纸质同意书", "时间线", "operator1 建立档案", "变更记录", `action="/elders/`+fmt.Sprint(id)+`/reveal"`)
		for _, secret := range []string{"62541234", "13812345678", "13900001111", wangID, "19420305"} {
			if strings.Contains(body, secret) {
				t.Errorf("profile shows %s unmasked", secret)
			}
		}

		for _, q := range []string{"wxy", "wangxiuying", "王秀英", "1234", "5678"} {
			st, body := op.get("/elders?q=" + url.QueryEscape(q))
			wantStatus(t, "search "+q, st, http.StatusOK)
			wantBody(t, body, fmt.Sprintf(`data-href="/elders/%d"`, id), "王秀英", "021-****1234", "源园居委会")
		}
		st, body = op.get("/elders?q=zzz")
		wantStatus(t, "search zzz", st, http.StatusOK)
		wantBody(t, body, "没有符合条件的老人")
		st, body = op.get("/elders?within=abc")
		wantStatus(t, "bad within", st, http.StatusBadRequest)
		wantBody(t, body, "行政区划代码")
		st, body = op.get("/elders?living=alone&min_age=80&sort=age&status=active&tag=" + url.QueryEscape("高龄"))
		wantStatus(t, "filters", st, http.StatusOK)
		wantBody(t, body, "王秀英", "<details class=\"more-filters\" open>")
		if age := regexp.MustCompile(`<td>(\d+)</td>`).FindStringSubmatch(body); age == nil || age[1] < "80" {
			t.Errorf("age column %v", age)
		}

		// Committee staff of her committee see her but not her health.
		c11 := e.signIn("committee1-1")
		st, body = c11.get(fmt.Sprintf("/elders/%d", id))
		wantStatus(t, "committee profile", st, http.StatusOK)
		wantBody(t, body, "王秀英", "已记录，需授权查看")
		if strings.Contains(body, "高血压") || strings.Contains(body, "氨氯地平") {
			t.Error("committee staff see health data")
		}
	})
}

// Bad input comes back as the form with the user's input and each field's
// reason in Chinese; nothing is stored.
func TestElderFormValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		op := e.signIn("operator1")
		wrongCheck := wangID[:17] + map[bool]string{true: "1", false: "X"}[wangID[17] == 'X']
		cases := []struct {
			name string
			set  url.Values
			want []string
		}{
			{"bad phone and check digit", url.Values{"phone": {"12345", "", ""}, "id_number": {wrongCheck}},
				[]string{`value="12345"`, "“12345”：不是有效的电话号码", "校验位不对", `value="` + wrongCheck + `"`}},
			{"ID contradicts birth date", url.Values{"birth_date": {"1950-01-01"}}, []string{"身份证号与出生日期或性别不一致", `value="1950-01-01"`}},
			{"no name", url.Values{"name": {""}}, []string{"必填"}},
			{"not a committee", url.Values{"region_code": {"310107005"}}, []string{"不是已知的居（村）委会"}},
			{"10 KB notes", url.Values{"notes": {strings.Repeat("很长的备注。", 1700)}}, []string{"内容过长（最多 2000 个字）"}},
			{"health without consent", url.Values{"consent_health": {""}}, []string{"须先取得老人对“健康信息”用途的同意"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				v := wangForm()
				for k, vals := range c.set {
					v[k] = vals
				}
				st, body := op.post("/elders", v)
				wantStatus(t, c.name, st, http.StatusBadRequest)
				wantBody(t, body, append([]string{"处需要更正", `class="field-error"`, "兰溪路 120 弄"}, c.want...)...)
			})
		}
		if n, _ := e.db.CountElders(ctx); n != 0 {
			t.Errorf("refused forms stored %d elders", n)
		}
		// Without the CSRF token nothing happens.
		st, _ := op.postForm("/elders", wangForm())
		wantStatus(t, "no csrf", st, http.StatusForbidden)
	})
}

// Scope on the pages: another committee's elder is not found, creating one
// there is refused on the form, suppliers may not open the registry.
func TestElderPagesScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c21 := e.signIn("committee2-1")
		v := url.Values{"name": {"张桂兰"}, "region_code": {committee21}, "status": {"active"}, "phone": {"62500000"}}
		theirs := mustCreateElderForm(t, c21, v)

		c11 := e.signIn("committee1-1")
		st, body := c11.get("/elders/new")
		wantStatus(t, "committee new form", st, http.StatusOK)
		wantBody(t, body, `value="`+committee11+`"`)
		if strings.Contains(body, `name="health"`) {
			t.Error("committee staff are offered the health fields")
		}
		for _, path := range []string{"/elders/%d", "/elders/%d/edit"} {
			st, _ := c11.get(fmt.Sprintf(path, theirs))
			wantStatus(t, "committee1-1 "+path, st, http.StatusNotFound)
		}
		st, _ = c11.post(fmt.Sprintf("/elders/%d/reveal", theirs), url.Values{"reason": {"test"}})
		wantStatus(t, "committee1-1 reveals another's elder", st, http.StatusNotFound)
		st, body = c11.post("/elders", url.Values{"name": {"钱老伯"}, "region_code": {committee21}, "status": {"active"}})
		wantStatus(t, "create outside area", st, http.StatusForbidden)
		wantBody(t, body, "不在您的管辖范围内", `value="钱老伯"`)
		st, body = c11.get("/elders")
		wantStatus(t, "committee1-1 search", st, http.StatusOK)
		if strings.Contains(body, "张桂兰") {
			t.Error("committee1-1 lists committee2-1's elder")
		}

		sup := e.signIn("supplier1")
		for _, path := range []string{"/elders", "/elders/new", fmt.Sprintf("/elders/%d", theirs)} {
			st, body := sup.get(path)
			wantStatus(t, "supplier1 "+path, st, http.StatusForbidden)
			wantBody(t, body, "不能查阅老人档案库")
		}
		_, body = sup.get("/")
		if strings.Contains(body, `href="/elders"`) {
			t.Error("supplier navigation offers the elder registry")
		}
	})
}

// Full numbers appear only after a reason is given, and the reveal is in
// the audit log with the reason; history masks numbers too.
func TestElderPageReveal(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		op := e.signIn("operator1")
		id := mustCreateElderForm(t, op, wangForm())
		path := fmt.Sprintf("/elders/%d/reveal", id)

		st, body := op.post(path, url.Values{"reason": {"  "}})
		wantStatus(t, "reveal without reason", st, http.StatusBadRequest)
		wantBody(t, body, "请填写查看完整号码的原因", "021-****1234")
		if strings.Contains(body, "62541234") || strings.Contains(body, wangID) {
			t.Error("a refused reveal shows numbers")
		}
		st, _ = op.postForm(path, url.Values{"reason": {"test"}})
		wantStatus(t, "reveal without csrf", st, http.StatusForbidden)
		if _, n, _ := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditReveal}); n != 0 {
			t.Fatalf("refused reveals audited: %d", n)
		}

		st, body = op.post(path, url.Values{"reason": {"老人来电核实身份"}})
		wantStatus(t, "reveal", st, http.StatusOK)
		wantBody(t, body, "021-62541234", "13812345678", "13900001111", wangID, "老人来电核实身份")
		a := lastAudit(t, e, anxin.AuditReveal)
		if a.ActorName != "operator1" || a.TargetID != fmt.Sprint(id) || a.Reason != "老人来电核实身份" || a.Detail != "phones,id_number" {
			t.Errorf("audit %+v", a)
		}
		// The city's administrator finds it in the audit log page.
		admin := e.signIn("cityadmin")
		st, body = admin.get("/admin/audit?action=reveal")
		wantStatus(t, "audit page", st, http.StatusOK)
		wantBody(t, body, "老人来电核实身份", "operator1")
	})
}

// Editing keeps masked numbers that come back unchanged, records the
// change in the history (numbers masked there too) and the timeline.
func TestElderPageEdit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		op := e.signIn("operator1")
		id := mustCreateElderForm(t, op, wangForm())
		st, body := op.get(fmt.Sprintf("/elders/%d/edit", id))
		wantStatus(t, "edit form", st, http.StatusOK)
		wantBody(t, body, `value="021-****1234"`, `value="138****5678"`, `value="`+idcard.Mask(wangID)+`"`, `value="139****1111"`, "高血压")
		if strings.Contains(body, "62541234") {
			t.Error("edit form shows a full number")
		}
		v := wangForm()
		v["phone"] = []string{"021-****1234", "138****5678", "13611112222"}
		v["phone_label"] = []string{"landline", "child", ""}
		v.Set("id_number", idcard.Mask(wangID))
		v.Set("contact_phone", "139****1111")
		v.Set("address", "兰溪路 122 弄 1 号")
		v.Set("health", "高血压，糖尿病")
		st, loc, body := postWithLocation(t, op, fmt.Sprintf("/elders/%d", id), v)
		if st != http.StatusSeeOther || loc != fmt.Sprintf("/elders/%d?flash=saved", id) {
			t.Fatalf("save: %d %q\n%s", st, loc, body)
		}
		el, err := e.db.FindElder(ctx, anxin.SystemScope(), id)
		if err != nil {
			t.Fatal(err)
		}
		var nums []string
		for _, p := range el.Phones {
			nums = append(nums, p.Number)
		}
		if strings.Join(nums, " ") != "021-62541234 13812345678 13611112222" || el.IDNumber != wangID || el.Contacts[0].Phones[0] != "13900001111" {
			t.Errorf("after edit: %v %q %v", nums, el.IDNumber, el.Contacts)
		}
		if el.Address != "兰溪路 122 弄 1 号" || !el.HasConsent(anxin.ConsentHealth) || el.Health != "高血压，糖尿病" {
			t.Errorf("after edit: %+v", el)
		}
		st, body = op.get(fmt.Sprintf("/elders/%d", id))
		wantStatus(t, "profile after edit", st, http.StatusOK)
		wantBody(t, body, "operator1 修改了 电话、地址、健康状况", "136****2222", "兰溪路 122 弄 1 号", "高血压，糖尿病")
		if strings.Contains(body, "13611112222") {
			t.Error("history shows the new number unmasked")
		}
		_, body = op.post(fmt.Sprintf("/elders/%d/reveal", id), url.Values{"reason": {"核对电话"}})
		wantBody(t, body, "13611112222")

		// Committee staff editing keep the health they cannot see.
		c11 := e.signIn("committee1-1")
		st, body = c11.get(fmt.Sprintf("/elders/%d/edit", id))
		wantStatus(t, "committee edit form", st, http.StatusOK)
		wantBody(t, body, "已记录，需授权查看；本次保存不会改动")
		v.Del("health")
		v.Del("medication")
		v.Set("notes", "居委会上门确认")
		st, _, body = postWithLocation(t, c11, fmt.Sprintf("/elders/%d", id), v)
		if st != http.StatusSeeOther {
			t.Fatalf("committee save: %d\n%s", st, body)
		}
		el, _ = e.db.FindElder(ctx, anxin.SystemScope(), id)
		if el.Health != "高血压，糖尿病" || el.Medication == "" || el.Notes != "居委会上门确认" {
			t.Errorf("after committee edit: health %q medication %q notes %q", el.Health, el.Medication, el.Notes)
		}
		_, body = c11.get(fmt.Sprintf("/elders/%d", id))
		wantBody(t, body, "健康状况", "已记录，需授权查看")
		if strings.Contains(body, "高血压") || strings.Contains(body, "糖尿病") {
			t.Error("the profile or its history shows health to committee staff")
		}
	})
}

// An operator searches with the keyboard only: types wxy and Enter, moves
// to the result with ↓ and opens it with Enter.
func TestBrowserElderSearch(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	mustCreateElderAPI(t, e, "operator1", wangXiuying())
	mustCreateElderAPI(t, e, "operator1", map[string]any{"name": "吴晓燕", "region_code": committee11, "phones": []map[string]any{{"number": "13700001234"}}, "tags": []string{}})
	mustCreateElderAPI(t, e, "operator1", map[string]any{"name": "张桂兰", "region_code": committee21, "birth_date": "1930-01-01"})
	bctx := browser(t)
	do, text := browserDo(t, bctx), browserText(t, bctx)
	do(chromedp.Navigate(e.ts.URL+"/login?next=/elders"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "operator1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["operator1"]+"\r"),
		chromedp.WaitVisible(`input#q`))
	// The search box has focus: type, Enter.
	do(chromedp.KeyEvent("wxy"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`input#q[value="wxy"]`))
	if got := text(`table.results tbody`); !strings.Contains(got, "王秀英") || !strings.Contains(got, "吴晓燕") || strings.Contains(got, "张桂兰") {
		t.Fatalf("results for wxy: %q", got)
	}
	do(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowUp))
	cur := text(`table.results tbody tr.current`)
	if !strings.Contains(cur, "王秀英") {
		t.Fatalf("highlighted row %q", cur)
	}
	screenshot(t, bctx, "elders-search")
	do(chromedp.KeyEvent(kb.Enter))
	wctx, cancel := context.WithTimeout(bctx, 10*time.Second)
	defer cancel()
	if err := chromedp.Do(wctx, chromedp.WaitVisible(`.profile-head h1`)); err != nil {
		loc, _ := chromedp.Run(bctx, chromedp.Location())
		html, _ := chromedp.Run(bctx, chromedp.OuterHTML("table.results tbody"))
		t.Fatalf("DEBUG %v location %s\n%s", err, loc, html)
	}
	if h := text(`.profile-head h1`); !strings.Contains(h, "王秀英") {
		t.Fatalf("opened %q", h)
	}
	if body := text(`main`); strings.Contains(body, "62541234") || !strings.Contains(body, "021-****1234") {
		t.Errorf("profile numbers: %q", body)
	}
	screenshot(t, bctx, "elder-profile")
	do(chromedp.SendKeys(`input#reason`, "老人来电核实身份\r"), chromedp.WaitVisible(`p.revealed`))
	if body := text(`main`); !strings.Contains(body, "021-62541234") || !strings.Contains(body, wangID) {
		t.Errorf("revealed profile: %q", body)
	}
	screenshot(t, bctx, "elder-revealed")

	// The form refuses a bad phone and ID number with reasons in Chinese
	// and keeps what was typed.
	do(chromedp.Navigate(e.ts.URL+"/elders/new"), chromedp.WaitVisible(`input#name`))
	screenshot(t, bctx, "elder-form")
	do(chromedp.SendKeys(`input#name`, "周阿婆"),
		chromedp.SendKeys(`input#birth_date`, "1938.7.1"),
		chromedp.SendKeys(`input#id_number`, validID("31010719380701402")[:17]+"0"),
		chromedp.SendKeys(`input[name=phone]`, "12345"),
		chromedp.SendKeys(`input#region_code`, committee11),
		chromedp.Click(`form.elder-form button[type=submit]`),
		chromedp.WaitVisible(`p.field-error`))
	if got := text(`form.elder-form`); !strings.Contains(got, "不是有效的电话号码") || !strings.Contains(got, "校验位") {
		t.Errorf("form errors: %q", got)
	}
	screenshot(t, bctx, "elder-form-errors")
}

// A reveal whose audit entry cannot be written shows nothing: 500 on the
// page and the API, and no number in either answer.
func TestElderRevealNeedsItsEntry(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		w := mustCreateElderAPI(t, e, "operator1", wangXiuying())
		refuse := []string{"CREATE TRIGGER refuse_reveal BEFORE INSERT ON audit_log WHEN (NEW.action = 'reveal') BEGIN SELECT RAISE(ABORT, 'no reveals'); END"}
		if e.db.Engine() == store.Postgres {
			refuse = []string{
				"CREATE FUNCTION refuse_reveal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no reveals'; END $$",
				"CREATE TRIGGER refuse_reveal BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.action = 'reveal') EXECUTE FUNCTION refuse_reveal()",
			}
		}
		err := e.db.Transact(ctx, func(tx *store.Tx) error {
			for _, q := range refuse {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		op := e.signIn("operator1")
		st, body := op.post(fmt.Sprintf("/elders/%d/reveal", w.ID), url.Values{"reason": {"老人来电核实身份"}})
		wantStatus(t, "unaudited reveal page", st, http.StatusInternalServerError)
		var out map[string]any
		st = e.api("GET", fmt.Sprintf("/api/v1/elders/%d?reveal=true&reason=x", w.ID), e.token("operator1"), nil, &out)
		wantStatus(t, "unaudited reveal API", st, http.StatusInternalServerError)
		for _, got := range []string{body, fmt.Sprint(out)} {
			if strings.Contains(got, "62541234") || strings.Contains(got, wangID) || strings.Contains(got, "021-****1234") {
				t.Errorf("an unaudited reveal shows the elder: %s", got)
			}
		}
	})
}

// Every message the elder pages build from a value exists in both
// languages: each registry reason code and each enumeration.
func TestElderMessages(t *testing.T) {
	msgs := map[string]map[string]string{}
	files, _ := filepath.Glob("messages/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		maps.Copy(msgs, m)
	}
	src, err := os.ReadFile("../registry/normalize.go")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range regexp.MustCompile(`\bReason\w+\s*=\s*"([a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		keys = append(keys, "reason."+m[1])
	}
	if len(keys) < 10 {
		t.Fatalf("found only %d reason codes", len(keys))
	}
	for prefix, values := range map[string][]string{
		"elders.gender.":  {anxin.GenderMale, anxin.GenderFemale},
		"elders.living.":  {anxin.LivingAlone, anxin.LivingEldersOnly, anxin.LivingFamily},
		"elders.status.":  {anxin.StatusActive, anxin.StatusMovedAway, anxin.StatusInHospital, anxin.StatusCareHome, anxin.StatusDeceased},
		"elders.label.":   {anxin.PhoneLandline, anxin.PhoneMobile, anxin.PhoneChild, anxin.PhoneNeighbour, anxin.PhoneOther},
		"elders.consent.": {anxin.ConsentCheckIn, anxin.ConsentHealth, anxin.ConsentRecording},
		"elders.field.": {"created", "name", "gender", "birth_date", "id_number", "phones", "region_code", "address", "living",
			"tags", "dialect", "hearing", "best_time", "health", "medication", "contacts", "consents", "status", "notes"},
		"elders.tl.kind.": {"created", "change"},
	} {
		for _, v := range values {
			keys = append(keys, prefix+v)
		}
	}
	for _, k := range keys {
		if msgs[k][anxin.LocaleZH] == "" || msgs[k][anxin.LocaleEN] == "" {
			t.Errorf("no message %s in both languages", k)
		}
	}
}
