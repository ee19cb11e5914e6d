package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// The seed's supply question, in Mandarin and Shanghainese.
const (
	seedMandarin     = "您家里菜、米、油、肉还有吗？够吃吗？"
	seedShanghainese = "侬屋里厢菜、米、油、肉还有伐？够吃了伐？"
)

// campaignClock sets the server's clock to Monday 2026-11-23 10:00 China
// time, inside the default calling windows, and the store's to the time
// it returns, which the test moves on (sessions stay valid).
func campaignClock(e *testEnv) *time.Time {
	e.now = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)
	dbNow := e.now
	e.db.Now = func() time.Time { return dbNow }
	return &dbNow
}

// campaignElders registers two elders of 曹杨新村: 王秀英 (86, alone,
// Shanghainese) first in line, and 张建国.
func campaignElders(t *testing.T, e *testEnv) (*anxin.Elder, *anxin.Elder) {
	t.Helper()
	old := &anxin.Elder{Name: "王秀英", BirthDate: "1940-03-05", RegionCode: "310107005001", Living: anxin.LivingAlone, Dialect: "上海话",
		Address: "枣阳路 100 弄 5 号 302 室", Tags: []string{"高龄"}, Phones: []anxin.Phone{{Number: "13812345678", Label: anxin.PhoneMobile}}}
	two := &anxin.Elder{Name: "张建国", BirthDate: "1950-01-01", RegionCode: "310107005003", Living: anxin.LivingFamily,
		Phones: []anxin.Phone{{Number: "13912345678", Label: anxin.PhoneMobile}}}
	for _, el := range []*anxin.Elder{old, two} {
		if err := e.db.CreateElder(ctx, anxin.SystemScope(), el); err != nil {
			t.Fatal(err)
		}
	}
	return old, two
}

// seedScriptForm is the seed's script as the editor posts it: "no" asks
// for a supply order of the vegetables package.
func seedScriptForm() url.Values {
	return url.Values{"name": {"保供问询"},
		"q0_key": {"enough"}, "q0_type": {"yesno"}, "q0_text_zh": {seedMandarin}, "q0_text_wuu": {seedShanghainese}, "q0_prompt": {""}, "q0_next": {""},
		"q0_o0_key": {"yes"}, "q0_o0_text_zh": {"够"}, "q0_o0_text_wuu": {"够个"}, "q0_o0_dtmf": {"1"},
		"q0_o1_key": {"no"}, "q0_o1_text_zh": {"不够"}, "q0_o1_text_wuu": {"勿够"}, "q0_o1_dtmf": {"2"}, "q0_o1_next": {"need"},
		"q0_o1_a0_kind": {"supply_order"}, "q0_o1_a0_note": {"蔬菜套餐"},
		"q0_o2_key": {""}, "q0_o2_text_zh": {""},
		"q1_key": {"need"}, "q1_type": {"text"}, "q1_text_zh": {"还需要什么？"},
		"q1_o0_key": {""},
		"q2_key":    {""}, "q2_type": {"yesno"}, "q2_text_zh": {""},
	}
}

var locationID = regexp.MustCompile(`/(?:campaigns|scripts)/(\d+)`)

// idOf reads the id from a redirect's location.
func idOf(t *testing.T, loc string) int64 {
	t.Helper()
	m := locationID.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("no id in %q", loc)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

// postLoc posts a form and returns the status and the redirect's location.
func (c *testClient) postLoc(path string, v url.Values) (int, string, string) {
	c.t.Helper()
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", c.csrf)
	req, _ := http.NewRequest("POST", c.e.ts.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, resp.Header.Get("Location"), b.String()
}

// TestCampaignConsole: the city hotline's supervisor writes the seed's
// script (version 1, then 2), builds a supply campaign for 曹杨新村 with a
// live count, makes its tasks and starts it; an operator takes the first
// elder (in Shanghainese, number masked), answers "not enough" — a supply
// order of the named package with the question and answer in its note —
// and the next elder does not answer: pending again an hour later. The
// live view counts it all. A lost lease says so and moves on.
func TestCampaignConsole(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		clock := campaignClock(e)
		now := *clock
		old, two := campaignElders(t, e)
		sup := e.signIn("supervisor1")

		// The script: a refused form keeps what was typed.
		bad := seedScriptForm()
		bad.Set("q1_text_zh", "")
		bad.Set("q1_key", "need")
		bad.Set("q1_text_wuu", "还要啥？")
		st, _, body := sup.postLoc("/scripts", bad)
		wantStatus(t, "script without Mandarin", st, http.StatusBadRequest)
		wantBody(t, body, "需要普通话措辞", seedShanghainese, "还要啥？")
		st, loc, _ := sup.postLoc("/scripts", seedScriptForm())
		wantStatus(t, "script", st, http.StatusSeeOther)
		scriptID := idOf(t, loc)
		_, body = sup.get(loc)
		wantBody(t, body, "版本 1 已保存；已生成的任务仍用原版本", seedMandarin, seedShanghainese, `value="蔬菜套餐"`)
		st, loc, _ = sup.postLoc(fmt.Sprintf("/scripts/%d", scriptID), seedScriptForm())
		wantStatus(t, "script v2", st, http.StatusSeeOther)
		_, body = sup.get(loc)
		wantBody(t, body, "版本 2 已保存；已生成的任务仍用原版本", "?v=1")

		// The builder: the live count and the count button.
		if st, body := sup.get("/campaigns/count?region_code=310107005&living=alone"); st != http.StatusOK || !strings.Contains(body, `"count":1`) {
			t.Fatalf("live count %d %s", st, body)
		}
		if st, body := sup.get("/campaigns/count?region_code=310105"); st != http.StatusOK || !strings.Contains(body, `"count":0`) {
			// The city's supervisor covers 长宁 too: nobody there.
			t.Fatalf("count elsewhere %d %s", st, body)
		}
		_, body = sup.get("/campaigns/new")
		wantBody(t, body, `name="region_code"`, `<option value="310107005">`, "高龄", "上海话", "保供问询")
		form := url.Values{"name": {"曹杨新村保供问询"}, "type": {"supply"}, "mode": {"preview"}, "region_code": {"310107005"},
			"starts_on": {"2026-11-23"}, "windows": {"09:00-11:30 14:00-17:30"}, "max_attempts": {"3"}, "retry_minutes": {"60"},
			"script_id": {fmt.Sprint(scriptID)}, "op": {"count"}}
		st, _, body = sup.postLoc("/campaigns", form)
		wantStatus(t, "count button", st, http.StatusOK)
		wantBody(t, body, "符合条件：2 位老人", `value="曹杨新村保供问询"`)
		form.Set("windows", "18:00-09:00")
		form.Set("op", "save")
		st, _, body = sup.postLoc("/campaigns", form)
		wantStatus(t, "bad window", st, http.StatusBadRequest)
		wantBody(t, body, "不是有效的呼叫时段")
		form.Set("windows", "09:00-11:30 14:00-17:30")
		st, loc, _ = sup.postLoc("/campaigns", form)
		wantStatus(t, "create", st, http.StatusSeeOther)
		id := idOf(t, loc)
		base := fmt.Sprintf("/campaigns/%d", id)
		st, loc, _ = sup.postLoc(base+"/tasks", nil)
		wantStatus(t, "build", st, http.StatusSeeOther)
		_, body = sup.get(loc)
		wantBody(t, body, "已生成 2 条任务。", "草稿", "保供问询")
		st, _, _ = sup.postLoc(base+"/state", url.Values{"state": {"running"}})
		wantStatus(t, "start", st, http.StatusSeeOther)
		// Started: the name changes, the type and target do not.
		_, body = sup.get(base + "/edit")
		wantBody(t, body, "已开始，不能修改", `value="曹杨新村保供问询"`, "<fieldset class=\"wide target\" disabled>")
		form.Set("name", "曹杨新村保供问询（第一轮）")
		form.Set("type", "wellness")
		form.Set("living", "alone")
		st, _, _ = sup.postLoc(base, form)
		wantStatus(t, "rename", st, http.StatusSeeOther)
		if c, err := e.db.FindCampaign(ctx, anxin.SystemScope(), id); err != nil || c.Name != "曹杨新村保供问询（第一轮）" || c.Type != anxin.CampaignSupply || len(c.Target.Living) != 0 {
			t.Fatalf("after the edit %+v %v", c, err)
		}
		// Another script for a campaign with tasks is refused, and nothing
		// of the form is saved.
		other := anxin.Script{Name: "另一份", Questions: []anxin.Question{{Key: "ok", Type: anxin.QuestionYesNo, Text: map[string]string{"zh": "好吗？"},
			Options: []anxin.Option{{Key: "yes", Text: map[string]string{"zh": "好"}}, {Key: "no", Text: map[string]string{"zh": "不好"}}}}}}
		if err := e.db.SaveScript(ctx, anxin.ScopeOf(mustAccount(t, e, "supervisor1")), &other); err != nil {
			t.Fatal(err)
		}
		form.Set("name", "改名不应保存")
		form.Set("script_id", fmt.Sprint(other.ID))
		st, _, body = sup.postLoc(base, form)
		wantStatus(t, "another script", st, http.StatusConflict)
		wantBody(t, body, "不能换用其他脚本")
		if c, _ := e.db.FindCampaign(ctx, anxin.SystemScope(), id); c.Name != "曹杨新村保供问询（第一轮）" || c.ScriptID != scriptID {
			t.Fatalf("a refused script change saved the form: %q script %d", c.Name, c.ScriptID)
		}
		form.Set("name", "曹杨新村保供问询（第一轮）")
		form.Set("script_id", fmt.Sprint(scriptID))
		_, body = e.signIn("cityadmin").get("/admin/audit?action=campaign.state")
		wantBody(t, body, "外呼活动状态", "draft→running")

		// The operator works it.
		op := e.signIn("operator1")
		_, body = op.get("/campaigns")
		wantBody(t, body, "外呼活动", "曹杨新村保供问询（第一轮）", "0 / 2", "进行中")
		if strings.Contains(body, "/campaigns/new") {
			t.Fatal("an operator is offered to create campaigns")
		}
		st, _ = op.get("/campaigns/new")
		wantStatus(t, "operator creates", st, http.StatusForbidden)
		st, _, _ = op.postLoc(base+"/state", url.Values{"state": {"paused"}})
		wantStatus(t, "operator pauses", st, http.StatusForbidden)
		_, body = op.get(base + "/work")
		wantBody(t, body, "下一位")
		st, loc, _ = op.postLoc(base+"/work/next", nil)
		wantStatus(t, "next", st, http.StatusSeeOther)
		_, body = op.get(loc)
		wantBody(t, body, "王秀英", "86 岁", seedShanghainese, seedMandarin, "138****5678", "呼叫", "下保供订单 · 蔬菜套餐", "蔬菜套餐", "枣阳路")
		// The branch names the next question by number and wording, and
		// the footer still shows the software's version, not the script's.
		wantBody(t, body, "→ 2. 还需要什么？", "为老服务平台 test")
		if strings.Contains(body, "→ need") {
			t.Error("the workspace shows a question's key to the operator")
		}
		attempt := strings.TrimPrefix(regexp.MustCompile(`attempt=\d+`).FindString(loc), "attempt=")
		// Coming back to the workspace finds the same elder.
		_, body = op.get(base + "/work")
		wantBody(t, body, "王秀英", `action="`+base+"/work/"+attempt+`"`)
		// Telephony is not running here: the call button says so.
		st, _, body = op.postLoc(base+"/work/"+attempt+"/call", nil)
		wantStatus(t, "call without telephony", st, http.StatusServiceUnavailable)
		wantBody(t, body, "王秀英")

		st, loc, _ = op.postLoc(base+"/work/"+attempt, url.Values{"a_enough": {"no"}, "a_need": {"米也要"}, "disposition": {"completed"}})
		wantStatus(t, "report", st, http.StatusSeeOther)
		if !strings.Contains(loc, "flash=attempt_saved") || !strings.Contains(loc, "attempt=") {
			t.Fatalf("after the report: %s", loc)
		}
		orders, _, err := e.db.FindOrders(ctx, anxin.SystemScope(), anxin.OrderFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var supply *anxin.Order
		for _, o := range orders {
			if o.ElderID == old.ID && o.Type == anxin.TypeSupply {
				supply = o
			}
		}
		if supply == nil || supply.Channel != anxin.ChannelOutbound || supply.CampaignTaskID == 0 || !strings.Contains(supply.Title, "蔬菜套餐") ||
			!strings.Contains(supply.Description, seedMandarin) || !strings.Contains(supply.Description, "答：不够") {
			t.Fatalf("supply order %+v", supply)
		}
		_, body = op.get(loc)
		wantBody(t, body, "已保存。下一位：", "张建国", seedMandarin)
		attempt = strings.TrimPrefix(regexp.MustCompile(`attempt=\d+`).FindString(loc), "attempt=")
		st, loc, _ = op.postLoc(base+"/work/"+attempt, url.Values{"disposition": {"no_answer"}})
		wantStatus(t, "no answer", st, http.StatusSeeOther)
		_, body = op.get(loc)
		wantBody(t, body, "已保存。现在没有到期的任务。")
		pending, err := e.db.FindTasks(ctx, anxin.SystemScope(), id, anxin.TaskPending, 10)
		if err != nil || len(pending) != 1 || pending[0].ElderID != two.ID || !pending[0].NextAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("pending %+v %v", pending, err)
		}

		_, body = sup.get(base)
		wantBody(t, body, "联系上 1 / 2", "50%", "保供订单", "话务员 王敏", seedMandarin, "不够", "无人接听", "完成")

		// Tomorrow: the lease runs out while the operator talks; her
		// report says so and moves on.
		*clock = now.Add(24 * time.Hour)
		st, loc, _ = op.postLoc(base+"/work/next", nil)
		attempt = strings.TrimPrefix(regexp.MustCompile(`attempt=\d+`).FindString(loc), "attempt=")
		if st != http.StatusSeeOther || attempt == "" {
			t.Fatalf("tomorrow's lease %d %s", st, loc)
		}
		*clock = clock.Add(16 * time.Minute)
		// The other operator's lease closes the vanished attempt and, as
		// Anxin placed no call for it (preview: the number is masked, only
		// Anxin dials it), takes the elder as a new attempt the same day.
		op2 := e.signIn("operator2")
		st, loc2, _ := op2.postLoc(base+"/work/next", nil)
		if st != http.StatusSeeOther || !strings.Contains(loc2, "attempt=") || strings.Contains(loc2, "attempt="+attempt+"&") || strings.HasSuffix(loc2, "attempt="+attempt) {
			t.Fatalf("the other operator's lease %d %s", st, loc2)
		}
		st, loc, _ = op.postLoc(base+"/work/"+attempt, url.Values{"disposition": {"completed"}})
		wantStatus(t, "lost lease", st, http.StatusSeeOther)
		_, body = op.get(loc)
		wantBody(t, body, "上一条任务已超时，已由他人处理。")
	})
}

// TestCampaignPermissions: providers have no campaigns (403 on the
// list, 404 on a campaign), another street's staff do not see this
// street's campaign, an operator may not run one; the navigation offers
// campaigns to staff only.
func TestCampaignPermissions(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e)
		c := &anxin.Campaign{Name: "曹杨保供", Type: anxin.CampaignSupply, Mode: anxin.DialManual, StartsOn: "2026-11-23", RegionCode: "310107005"}
		sup := e.mustAccountScope("supervisor1")
		if err := e.db.CreateCampaign(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/campaigns/%d", c.ID)
		prov := e.signIn("provider1")
		for path, want := range map[string]int{"/campaigns": 403, base: 404, base + "/work": 404, "/scripts": 403, "/campaigns/new": 403} {
			st, _ := prov.get(path)
			wantStatus(t, "provider "+path, st, want)
		}
		st, _, _ := prov.postLoc("/campaigns", url.Values{"name": {"x"}})
		wantStatus(t, "provider creates", st, http.StatusForbidden)
		if _, body := prov.get("/"); strings.Contains(body, `href="/campaigns"`) {
			t.Fatal("a provider's navigation offers campaigns")
		}
		other := e.signIn("street2")
		st, _ = other.get(base)
		wantStatus(t, "another street", st, http.StatusNotFound)
		st, body := e.signIn("street1").get(base + "/work")
		wantStatus(t, "the street's staff open the manual workspace", st, http.StatusOK)
		wantBody(t, body, "下一位", "活动没有在进行")
		ptok := e.token("provider1")
		wantStatus(t, "API provider list", e.api("GET", "/api/v1/campaigns", ptok, nil, nil), http.StatusForbidden)
		wantStatus(t, "API provider next", e.api("POST", "/api/v1"+base+"/next", ptok, nil, nil), http.StatusNotFound)
		wantStatus(t, "API provider campaign", e.api("GET", "/api/v1"+base, ptok, nil, nil), http.StatusNotFound)
		wantStatus(t, "API operator creates", e.api("POST", "/api/v1/campaigns", e.token("operator1"),
			map[string]any{"name": "x", "type": "supply", "mode": "manual", "starts_on": "2026-11-23"}, nil), http.StatusForbidden)
	})
}

// mustAccountScope returns the scope of a demo account.
func (e *testEnv) mustAccountScope(username string) anxin.Scope {
	e.t.Helper()
	a, err := e.db.AccountByUsername(ctx, username)
	if err != nil {
		e.t.Fatal(err)
	}
	return anxin.ScopeOf(a)
}
