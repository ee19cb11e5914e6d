package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/web"
)

// runningCampaign creates, builds and starts a preview supply campaign of
// 曹杨新村 through the API as supervisor1.
func runningCampaign(t *testing.T, e *testEnv, body map[string]any) anxin.Campaign {
	t.Helper()
	sup := e.token("supervisor1")
	in := map[string]any{"name": "曹杨保供", "type": "supply", "mode": "preview", "region_code": "310107005", "starts_on": "2026-11-23"}
	for k, v := range body {
		in[k] = v
	}
	var c anxin.Campaign
	wantStatus(t, "create", e.api("POST", "/api/v1/campaigns", sup, in, &c), http.StatusCreated)
	if c.Type != anxin.CampaignSatisfaction {
		wantStatus(t, "tasks", e.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/tasks", c.ID), sup, nil, nil), http.StatusOK)
	}
	wantStatus(t, "start", e.api("PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), sup, map[string]any{"state": "running"}, &c), http.StatusOK)
	return c
}

// nextElder leases the account's next task and returns its elder's id.
func nextElder(t *testing.T, e *testEnv, token string, c anxin.Campaign) int64 {
	t.Helper()
	var next struct {
		Task anxin.Task
	}
	wantStatus(t, "next", e.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/next", c.ID), token, nil, &next), http.StatusOK)
	return next.Task.ElderID
}

// TestReassignAPI: operator1 holds the first elder; the supervisor moves
// her work to operator2 (audited), after which operator1 gets the other
// elder and operator2 the first; the figures count per operator what she
// holds and is assigned. Operators may not reassign; a count needs
// someone to give it to, and a provider cannot be given tasks.
func TestReassignAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		old, two := campaignElders(t, e)
		c := runningCampaign(t, e, nil)
		sup, op1, op2 := e.token("supervisor1"), e.token("operator1"), e.token("operator2")
		if got := nextElder(t, e, op1, c); got != old.ID {
			t.Fatalf("operator1's first elder %d, want %d", got, old.ID)
		}
		path := fmt.Sprintf("/api/v1/campaigns/%d/tasks/reassign", c.ID)
		a1, a2 := mustAccount(t, e, "operator1"), mustAccount(t, e, "operator2")
		wantStatus(t, "an operator reassigns", e.api("POST", path, op1, map[string]any{"from": a2.ID}, nil), http.StatusForbidden)
		wantStatus(t, "a count to nobody", e.api("POST", path, sup, map[string]any{"count": 5}, nil), http.StatusBadRequest)
		wantStatus(t, "to a provider", e.api("POST", path, sup, map[string]any{"from": a1.ID, "to": mustAccount(t, e, "provider1").ID}, nil), http.StatusBadRequest)
		wantStatus(t, "an unknown field", e.api("POST", path, sup, map[string]any{"from": a1.ID, "who": 3}, nil), http.StatusBadRequest)
		var got store.Reassigned
		wantStatus(t, "reassign", e.api("POST", path, sup, map[string]any{"from": a1.ID, "to": a2.ID}, &got), http.StatusOK)
		if got.Released != 1 || got.Moved != 0 || got.Assigned != 0 {
			t.Fatalf("reassigned %+v", got)
		}
		if n := nextElder(t, e, op1, c); n != two.ID {
			t.Fatalf("operator1 after the reassign: elder %d, want %d", n, two.ID)
		}
		if n := nextElder(t, e, op2, c); n != old.ID {
			t.Fatalf("operator2 after the reassign: elder %d, want %d", n, old.ID)
		}
		var st store.CampaignStats
		wantStatus(t, "stats", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/stats", c.ID), sup, nil, &st), http.StatusOK)
		rows := map[int64]store.CallerCount{}
		for _, r := range st.Callers {
			rows[r.AccountID] = r
		}
		if r := rows[a2.ID]; r.Holding != 1 || r.Assigned != 1 || r.Attempts != 1 {
			t.Fatalf("operator2's figures %+v", r)
		}
		if r := rows[a1.ID]; r.Holding != 1 || r.Assigned != 0 || r.Attempts != 1 || st.Dispositions[store.DispReassigned] != 1 {
			t.Fatalf("operator1's figures %+v, dispositions %v", r, st.Dispositions)
		}
		log, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: "campaign.reassign"})
		if err != nil || len(log) != 1 || !strings.Contains(log[0].Detail, "1 released") {
			t.Fatalf("audit %+v %v", log, err)
		}
	})
}

// TestReassignConsole: the live view offers the supervisor a reassign
// form per operator row and the assignment of pending tasks by
// committee; the operator sees neither. Assigning the pending task of
// committee 003 to operator2 says what moved.
func TestReassignConsole(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e)
		c := runningCampaign(t, e, nil)
		nextElder(t, e, e.token("operator1"), c)
		base := fmt.Sprintf("/campaigns/%d", c.ID)
		sup := e.signIn("supervisor1")
		st, body := sup.get(base)
		wantStatus(t, "live view", st, http.StatusOK)
		// The assign form names nobody until the supervisor chooses.
		wantBody(t, body, "改派", "分派待拨任务", "话务员 陈静", "退回任务池", `action="`+base+`/reassign"`,
			`<select name="to" required><option value="">请选择话务员</option>`)
		_, opBody := e.signIn("operator1").get(base)
		if strings.Contains(opBody, base+"/reassign") {
			t.Fatal("the operator is offered the reassign forms")
		}
		a2 := mustAccount(t, e, "operator2")
		st, loc, _ := sup.postLoc(base+"/reassign", url.Values{"to": {fmt.Sprint(a2.ID)}, "count": {"20"}, "within": {"310107005003"}})
		if st != http.StatusSeeOther || !strings.Contains(loc, "reassigned=0,0,1") {
			t.Fatalf("assign: %d %s", st, loc)
		}
		_, body = sup.get(loc)
		wantBody(t, body, "新分派 1 条")
		st, _, body = sup.postLoc(base+"/reassign", url.Values{"count": {"3"}, "to": {""}})
		wantStatus(t, "a count to nobody", st, http.StatusBadRequest)
		wantBody(t, body, "请选择接收任务的话务员")
	})
}

// TestTakeTaskInInboundCall: the elder operator1 did not reach rings the
// hotline; operator1's screen pop names her open task with a link to the
// call's page, which offers "complete in this call"; taking it opens the
// workspace on the new attempt. operator2 cannot take it meanwhile (409);
// operator1 asking again gets the same attempt.
func TestTakeTaskInInboundCall(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		now := campaignClock(e)
		old, _ := campaignElders(t, e)
		c := runningCampaign(t, e, nil)
		op1 := e.token("operator1")
		var next struct {
			AttemptID int64 `json:"attempt_id"`
			Task      anxin.Task
		}
		wantStatus(t, "next", e.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/next", c.ID), op1, nil, &next), http.StatusOK)
		wantStatus(t, "no answer", e.api("POST", fmt.Sprintf("/api/v1/tasks/attempts/%d", next.AttemptID), op1,
			map[string]any{"disposition": "no_answer"}, nil), http.StatusOK)
		*now = now.Add(10 * time.Minute)
		call := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: "13812345678", ToNumber: "966666",
			ElderID: old.ID, RegionCode: old.RegionCode}
		if err := e.db.StartCall(ctx, call); err != nil {
			t.Fatal(err)
		}

		// The pop names the task and links to the call's page.
		oc := e.signIn("operator1")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(sctx, "GET", e.ts.URL+"/events", nil)
		resp, err := oc.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		errc := make(chan error, 1)
		go func() {
			errc <- popUntilSeen(e, web.CallPop{AccountID: mustAccount(t, e, "operator1").ID, CallID: call.ID, Number: "13812345678", Hotline: "966666"})
		}()
		event := readEvent(t, bufio.NewReader(resp.Body))
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"待办外呼任务", "曹杨保供", fmt.Sprintf("/calls/%d#tasks", call.ID), "在此通话中完成"} {
			if !strings.Contains(event, want) {
				t.Fatalf("pop lacks %q:\n%s", want, event)
			}
		}

		st, body := oc.get(fmt.Sprintf("/calls/%d", call.ID))
		wantStatus(t, "call page", st, http.StatusOK)
		wantBody(t, body, "王秀英", "曹杨保供", "在此通话中完成", fmt.Sprintf(`action="/tasks/%d/take"`, next.Task.ID), "138****5678")
		if strings.Contains(body, "13812345678") {
			t.Fatal("the call page shows the full number")
		}
		st, loc, _ := oc.postLoc(fmt.Sprintf("/tasks/%d/take", next.Task.ID), url.Values{"call": {fmt.Sprint(call.ID)}})
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, fmt.Sprintf("/campaigns/%d/work?attempt=", c.ID)) {
			t.Fatalf("take: %d %q", st, loc)
		}
		st, body = oc.get(loc)
		wantStatus(t, "workspace", st, http.StatusOK)
		wantBody(t, body, "王秀英")
		// She is on the line: the workspace offers no call button, and a
		// call posted anyway is not dialled.
		attempt := strings.TrimPrefix(loc, fmt.Sprintf("/campaigns/%d/work?attempt=", c.ID))
		if strings.Contains(body, fmt.Sprintf("/work/%s/call", attempt)) {
			t.Fatal("the workspace offers to call an elder who is on the line")
		}
		st, loc2, _ := oc.postLoc(fmt.Sprintf("/campaigns/%d/work/%s/call", c.ID, attempt), url.Values{})
		if st != http.StatusSeeOther || !strings.Contains(loc2, "flash=already_called") {
			t.Fatalf("call posted for an attempt in a call: %d %q", st, loc2)
		}

		path := fmt.Sprintf("/api/v1/tasks/%d/take", next.Task.ID)
		wantStatus(t, "operator2 takes it", e.api("POST", path, e.token("operator2"), map[string]any{"call_id": call.ID}, nil), http.StatusConflict)
		wantStatus(t, "no call", e.api("POST", path, op1, map[string]any{}, nil), http.StatusBadRequest)
		wantStatus(t, "another action", e.api("POST", fmt.Sprintf("/api/v1/tasks/%d/drop", next.Task.ID), op1, map[string]any{"call_id": call.ID}, nil), http.StatusNotFound)
		wantStatus(t, "a provider", e.api("POST", path, e.token("provider1"), map[string]any{"call_id": call.ID}, nil), http.StatusForbidden)
		var taken struct {
			AttemptID int64  `json:"attempt_id"`
			Number    string `json:"number"`
			Workspace string `json:"workspace"`
			Task      anxin.Task
		}
		wantStatus(t, "operator1 again", e.api("POST", path, op1, map[string]any{"call_id": call.ID}, &taken), http.StatusOK)
		if taken.Workspace != loc || taken.Number != "138****5678" || taken.Task.Attempts != 2 {
			t.Fatalf("taken %+v, want the attempt at %s", taken, loc)
		}
	})
}

// TestSatisfactionStart: starting a satisfaction campaign without a
// target gives it the return visits already due in its area — the elder
// whose order was completed, not the other.
func TestSatisfactionStart(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		old, _ := campaignElders(t, e)
		op, prov := e.token("operator1"), e.token("provider1")
		provOrg := e.mustFindOrg("安康居家养老服务有限公司")
		var o anxin.Order
		e.api("POST", "/api/v1/orders", op, map[string]any{"type": "service", "elder_id": old.ID, "title": "修理马桶"}, &o)
		for _, step := range []struct{ token, action string }{{op, "dispatch"}, {prov, "accept"}, {prov, "start"}, {prov, "complete"}} {
			wantStatus(t, step.action, e.api("POST", fmt.Sprintf("/api/v1/orders/%d/actions", o.ID), step.token,
				map[string]any{"action": step.action, "version": o.Version, "org_id": provOrg.ID}, &o), http.StatusOK)
		}
		c := runningCampaign(t, e, map[string]any{"name": "服务回访", "type": "satisfaction"})
		var st store.CampaignStats
		wantStatus(t, "stats", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/stats", c.ID), e.token("supervisor1"), nil, &st), http.StatusOK)
		if st.Tasks != 1 {
			t.Fatalf("a satisfaction campaign started with %d tasks, want the one return visit due", st.Tasks)
		}
		var next struct {
			Task anxin.Task
		}
		wantStatus(t, "next", e.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/next", c.ID), op, nil, &next), http.StatusOK)
		if next.Task.ElderID != old.ID || next.Task.OrderID != o.ID {
			t.Fatalf("task %+v, want elder %d's about order %d", next.Task, old.ID, o.ID)
		}
		var task struct {
			anxin.Task
		}
		wantStatus(t, "task", e.api("GET", fmt.Sprintf("/api/v1/tasks/%d", next.Task.ID), op, nil, &task), http.StatusOK)
		if task.OrderID != o.ID {
			t.Fatalf("GET task's order %d, want %d", task.OrderID, o.ID)
		}
		// The operator sees what she asks the elder about: the order, what
		// it was, who did it and when.
		_, body := e.signIn("operator1").get(fmt.Sprintf("/campaigns/%d/work", c.ID))
		wantBody(t, body, "回访的工单", o.Number, `href="/orders/`+fmt.Sprint(o.ID)+`"`, "修理马桶", "安康居家养老服务有限公司", "服务需求")
	})
}

// TestAgentlessScriptNotice: an agentless campaign's page warns when the
// machine cannot ask its script (a question without a prompt or keys),
// and says nothing when it can.
func TestAgentlessScriptNotice(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e)
		sup := e.token("supervisor1")
		zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
		script := func(prompt string) int64 {
			var s anxin.Script
			body := map[string]any{"name": "问候", "questions": []anxin.Question{{Key: "ok", Type: anxin.QuestionYesNo, Text: zh("都好吗？"), Prompt: prompt,
				Options: []anxin.Option{{Key: "yes", Text: zh("好"), DTMF: "1"}, {Key: "no", Text: zh("不好"), DTMF: "2"}}}}}
			wantStatus(t, "script", e.api("POST", "/api/v1/scripts", sup, body, &s), http.StatusCreated)
			return s.ID
		}
		page := e.signIn("supervisor1")
		for _, tc := range []struct {
			prompt string
			notice bool
		}{{"", true}, {"checkin", false}} {
			var c anxin.Campaign
			wantStatus(t, "create", e.api("POST", "/api/v1/campaigns", sup, map[string]any{"name": "自动问候", "type": "wellness",
				"mode": "agentless", "region_code": "310107005", "starts_on": "2026-11-23", "script_id": script(tc.prompt)}, &c), http.StatusCreated)
			st, body := page.get(fmt.Sprintf("/campaigns/%d", c.ID))
			wantStatus(t, "page", st, http.StatusOK)
			if got := strings.Contains(body, `id="script-not-ivr"`); got != tc.notice {
				t.Errorf("prompt %q: notice shown %v, want %v", tc.prompt, got, tc.notice)
			}
		}
	})
}

// TestTasksAPI: the campaign's tasks by state, and one task with its
// attempts, the numbers masked; outside the caller's area nothing.
func TestTasksAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		old, _ := campaignElders(t, e)
		c := runningCampaign(t, e, nil)
		op := e.token("operator1")
		var next struct {
			AttemptID int64 `json:"attempt_id"`
			Task      anxin.Task
		}
		wantStatus(t, "next", e.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/next", c.ID), op, nil, &next), http.StatusOK)
		wantStatus(t, "no answer", e.api("POST", fmt.Sprintf("/api/v1/tasks/attempts/%d", next.AttemptID), op,
			map[string]any{"disposition": "no_answer"}, nil), http.StatusOK)

		var list struct{ Tasks []anxin.Task }
		wantStatus(t, "list", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/tasks", c.ID), op, nil, &list), http.StatusOK)
		if len(list.Tasks) != 2 {
			t.Fatalf("%d tasks, want 2", len(list.Tasks))
		}
		wantStatus(t, "done", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/tasks?state=done", c.ID), op, nil, &list), http.StatusOK)
		if len(list.Tasks) != 0 {
			t.Fatalf("%d done tasks, want 0", len(list.Tasks))
		}
		wantStatus(t, "bad state", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/tasks?state=lost", c.ID), op, nil, nil), http.StatusBadRequest)
		wantStatus(t, "bad limit", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/tasks?limit=0", c.ID), op, nil, nil), http.StatusBadRequest)

		var task struct {
			anxin.Task
			Records []struct {
				Number      string
				Disposition string
			} `json:"attempt_records"`
		}
		wantStatus(t, "task", e.api("GET", fmt.Sprintf("/api/v1/tasks/%d", next.Task.ID), op, nil, &task), http.StatusOK)
		if task.ElderID != old.ID || len(task.Records) != 1 || task.Records[0].Disposition != anxin.DispNoAnswer || task.Records[0].Number != "138****5678" {
			t.Fatalf("task %+v", task)
		}
		wantStatus(t, "another street's staff", e.api("GET", fmt.Sprintf("/api/v1/tasks/%d", next.Task.ID), e.token("street2"), nil, nil), http.StatusNotFound)
		wantStatus(t, "a provider", e.api("GET", fmt.Sprintf("/api/v1/tasks/%d", next.Task.ID), e.token("provider1"), nil, nil), http.StatusForbidden)
	})
}

// TestCheckInAnswersLabelled: an agentless campaign without a script the
// machine asks records the check-in key as the answer to "checkin"; the
// live view words it ("按 1：身体都好"), not "checkin 版本 0 / well".
func TestCheckInAnswersLabelled(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e)
		c := runningCampaign(t, e, map[string]any{"name": "自动问候", "type": "wellness", "mode": "agentless"})
		a, err := e.db.NextTask(ctx, c.ID, "node:a", time.Minute)
		if err != nil || a == nil {
			t.Fatalf("lease %+v %v", a, err)
		}
		if err := e.db.RecordAnswers(ctx, a.ID, map[string]string{"checkin": anxin.CheckInWell}); err != nil {
			t.Fatal(err)
		}
		st, body := e.signIn("supervisor1").get(fmt.Sprintf("/campaigns/%d", c.ID))
		wantStatus(t, "live view", st, http.StatusOK)
		wantBody(t, body, "电话问候按键", "按 1：身体都好")
		if strings.Contains(body, "版本 0") || strings.Contains(body, ">well<") {
			t.Error("the live view shows the check-in's raw key or version 0")
		}
	})
}

// TestAnswerDistribution: the live view lists the questions in the order
// the script asks them (not by key), and a multiple choice counts each
// option chosen rather than each combination.
func TestAnswerDistribution(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e)
		sup, op := e.token("supervisor1"), e.token("operator1")
		zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
		var script anxin.Script
		wantStatus(t, "script", e.api("POST", "/api/v1/scripts", sup, map[string]any{"name": "保供", "questions": []anxin.Question{
			{Key: "supplies", Type: anxin.QuestionYesNo, Text: zh("够吃吗？"), Options: []anxin.Option{{Key: "enough", Text: zh("够")}, {Key: "short", Text: zh("不够"), Next: "packages"}}},
			{Key: "packages", Type: anxin.QuestionMulti, Next: "comment", Text: zh("要哪几样？"), Options: []anxin.Option{{Key: "veg", Text: zh("蔬菜")}, {Key: "rice", Text: zh("米油")}, {Key: "meat", Text: zh("肉禽")}}},
			{Key: "comment", Type: anxin.QuestionText, Text: zh("还有什么要说？")},
		}}, &script), http.StatusCreated)
		c := runningCampaign(t, e, map[string]any{"script_id": script.ID})
		for _, packages := range []string{"rice", "veg,rice"} {
			var next struct {
				AttemptID int64 `json:"attempt_id"`
			}
			wantStatus(t, "next", e.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/next", c.ID), op, nil, &next), http.StatusOK)
			wantStatus(t, "report", e.api("POST", fmt.Sprintf("/api/v1/tasks/attempts/%d", next.AttemptID), op, map[string]any{
				"disposition": "completed", "answers": map[string]string{"supplies": "short", "packages": packages, "comment": "<b>送菜</b>早点来"}}, nil), http.StatusOK)
		}
		_, body := e.signIn("supervisor1").get(fmt.Sprintf("/campaigns/%d", c.ID))
		first, second := strings.Index(body, "够吃吗？"), strings.Index(body, "要哪几样？")
		if first < 0 || second < 0 || first > second {
			t.Fatalf("questions out of the script's order (够吃吗 at %d, 要哪几样 at %d)", first, second)
		}
		row := regexp.MustCompile(`<th scope="row">米油</th><td class="money">(\d+)</td>`).FindStringSubmatch(body)
		if row == nil || row[1] != "2" {
			t.Fatalf("米油 counted %v, want 2 (chosen by both elders)", row)
		}
		// The options in the script's order, the one nobody chose too —
		// not the commonest first (rows would jump as the page refreshes).
		var order []string
		for _, m := range regexp.MustCompile(`<th scope="row">([^<]+)</th><td class="money">(\d+)</td>`).FindAllStringSubmatch(body, -1) {
			order = append(order, m[1]+"="+m[2])
		}
		if got := strings.Join(order, " "); !strings.Contains(got, "够=0 不够=2 蔬菜=1 米油=2 肉禽=0") {
			t.Errorf("answer rows %q, want the script's options in order with their counts", got)
		}
		// Free text is listed as said, escaped, without a bar.
		wantBody(t, body, `“&lt;b&gt;送菜&lt;/b&gt;早点来”`, "× 2")
		if strings.Contains(body, "蔬菜、米油") {
			t.Error("a combination of options is counted as one answer")
		}
	})
}

// TestStartBuildsTasks: starting a draft makes its tasks (the demo's
// wellness check is started with one click), and tasks built before are
// not built twice.
func TestStartBuildsTasks(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e)
		sup := e.token("supervisor1")
		var c anxin.Campaign
		wantStatus(t, "create", e.api("POST", "/api/v1/campaigns", sup, map[string]any{"name": "自动问候", "type": "wellness",
			"mode": "agentless", "region_code": "310107005", "starts_on": "2026-11-23"}, &c), http.StatusCreated)
		// The draft's page says how many elders starting it will call; it
		// asks for the count once loaded.
		web := e.signIn("supervisor1")
		_, body := web.get(fmt.Sprintf("/campaigns/%d", c.ID))
		wantBody(t, body, "目标人群", fmt.Sprintf(`data-count-url="/campaigns/%d/count"`, c.ID))
		st, body := web.get(fmt.Sprintf("/campaigns/%d/count", c.ID))
		wantStatus(t, "draft's count", st, http.StatusOK)
		wantBody(t, body, `{"count":2}`)
		st, body = e.signIn("operator1").get(fmt.Sprintf("/campaigns/%d/count", c.ID))
		wantStatus(t, "an operator's count", st, http.StatusForbidden)
		st, loc, _ := web.postLoc(fmt.Sprintf("/campaigns/%d/state", c.ID), url.Values{"state": {"running"}})
		if st != http.StatusSeeOther || !strings.Contains(loc, "flash=campaign_running") {
			t.Fatalf("start: %d %q", st, loc)
		}
		var stats struct{ Tasks int }
		wantStatus(t, "stats", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/stats", c.ID), sup, nil, &stats), http.StatusOK)
		if stats.Tasks != 2 {
			t.Fatalf("%d tasks after starting the draft, want 2", stats.Tasks)
		}
	})
}

// TestCommitteeSeesItsShare: 源园居委会's staff looking at the street's
// campaign see the figures of their own elder only, and are told so; the
// street's supervisor sees the whole campaign without the notice.
func TestCommitteeSeesItsShare(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e) // one elder in 源园 (310107005001), one in another committee
		c := runningCampaign(t, e, nil)
		var st store.CampaignStats
		wantStatus(t, "committee's stats", e.api("GET", fmt.Sprintf("/api/v1/campaigns/%d/stats", c.ID), e.token("committee1-1"), nil, &st), http.StatusOK)
		if st.Tasks != 1 || st.Area != "310107005001" {
			t.Fatalf("the committee's figures: %d tasks, area %q; want its 1 elder", st.Tasks, st.Area)
		}
		_, body := e.signIn("committee1-1").get(fmt.Sprintf("/campaigns/%d", c.ID))
		wantBody(t, body, `id="area-only"`, "以下数字只统计您辖区")
		_, body = e.signIn("supervisor1").get(fmt.Sprintf("/campaigns/%d", c.ID))
		if strings.Contains(body, `id="area-only"`) {
			t.Fatal("the supervisor, whose area covers the campaign, is told the figures are narrowed")
		}
		_, body = e.signIn("committee1-1").get("/campaigns")
		if !regexp.MustCompile(`0 / 1\b`).MatchString(body) {
			t.Error("the committee's list does not count its own elder's task only")
		}
	})
}
