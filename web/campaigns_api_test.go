package web_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// seedScript is the seed's script as the API takes it.
func seedScript() map[string]any {
	return map[string]any{"name": "保供问询", "questions": []map[string]any{
		{"key": "enough", "type": "yesno", "text": map[string]string{"zh": seedMandarin, "wuu": seedShanghainese}, "options": []map[string]any{
			{"key": "yes", "text": map[string]string{"zh": "够"}, "dtmf": "1"},
			{"key": "no", "text": map[string]string{"zh": "不够"}, "dtmf": "2", "actions": []map[string]string{{"kind": "supply_order", "note": "米油套餐"}}},
		}},
		{"key": "health", "type": "single", "text": map[string]string{"zh": "身体怎么样？"}, "options": []map[string]any{
			{"key": "ok", "text": map[string]string{"zh": "挺好"}},
			{"key": "fell", "text": map[string]string{"zh": "摔倒了"}, "actions": []map[string]string{{"kind": "escalation", "urgency": "emergency", "note": "老人摔倒"}}},
		}},
	}}
}

// TestCampaignsAPI: a supervisor saves the script twice and reads version
// 1 back, creates the campaign, builds its tasks and starts it; a
// started campaign keeps its target. An operator's next task is the
// Shanghainese elder with the script in her dialect, the same task when
// asked again; her report makes the supply order and the escalation, a
// second report is a conflict, and the figures count it. Nothing due: 204.
func TestCampaignsAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		old, _ := campaignElders(t, e)
		sup, op := e.token("supervisor1"), e.token("operator1")

		var script anxin.Script
		wantStatus(t, "create script", e.api("POST", "/api/v1/scripts", sup, seedScript(), &script), http.StatusCreated)
		bad := seedScript()
		bad["questions"].([]map[string]any)[1]["next"] = "enough"
		wantStatus(t, "a loop", e.api("PUT", fmt.Sprintf("/api/v1/scripts/%d", script.ID), sup, bad, nil), http.StatusBadRequest)
		v2 := seedScript()
		v2["questions"].([]map[string]any)[1]["text"] = map[string]string{"zh": "最近身体怎么样？"}
		wantStatus(t, "version 2", e.api("PUT", fmt.Sprintf("/api/v1/scripts/%d", script.ID), sup, v2, &script), http.StatusOK)
		if script.Version != 2 {
			t.Fatalf("version %d", script.Version)
		}
		var v1 anxin.Script
		e.api("GET", fmt.Sprintf("/api/v1/scripts/%d?version=1", script.ID), op, nil, &v1)
		if v1.Version != 1 || v1.Questions[1].Text["zh"] != "身体怎么样？" {
			t.Fatalf("version 1 %+v", v1)
		}
		var scripts struct{ Items []struct{ ID, Version int64 } }
		if e.api("GET", "/api/v1/scripts", op, nil, &scripts); len(scripts.Items) != 1 || scripts.Items[0].Version != 2 {
			t.Fatalf("scripts %+v", scripts)
		}

		var c anxin.Campaign
		wantStatus(t, "create", e.api("POST", "/api/v1/campaigns", sup, map[string]any{"name": "曹杨保供", "type": "supply", "mode": "preview",
			"region_code": "310107005", "starts_on": "2026-11-23", "script_id": script.ID, "target": map[string]any{"min_age": 60}}, &c), http.StatusCreated)
		if c.State != anxin.CampaignDraft || c.ScriptID != script.ID || c.MaxAttempts != 3 || len(c.Windows) != 2 {
			t.Fatalf("campaign %+v", c)
		}
		base := fmt.Sprintf("/api/v1/campaigns/%d", c.ID)
		var made struct{ Made int }
		wantStatus(t, "tasks", e.api("POST", base+"/tasks", sup, nil, &made), http.StatusOK)
		if made.Made != 2 {
			t.Fatalf("made %d", made.Made)
		}
		wantStatus(t, "start", e.api("PATCH", base, sup, map[string]any{"state": "running"}, &c), http.StatusOK)
		wantStatus(t, "the target of a running campaign", e.api("PATCH", base, sup, map[string]any{"target": map[string]any{"min_age": 90}}, nil), http.StatusConflict)
		wantStatus(t, "rename", e.api("PATCH", base, sup, map[string]any{"name": "曹杨保供（一）"}, &c), http.StatusOK)
		if c.Name != "曹杨保供（一）" || c.State != anxin.CampaignRunning {
			t.Fatalf("renamed %+v", c)
		}
		wantStatus(t, "the operator pauses", e.api("PATCH", base, op, map[string]any{"state": "paused"}, nil), http.StatusForbidden)

		var next struct {
			AttemptID int64  `json:"attempt_id"`
			Number    string `json:"number"`
			Language  string `json:"language"`
			Task      anxin.Task
			Elder     struct {
				Name string
				Age  int
			}
			Script anxin.Script
		}
		wantStatus(t, "next", e.api("POST", base+"/next", op, nil, &next), http.StatusOK)
		if next.Task.ElderID != old.ID || next.Elder.Name != "王秀英" || next.Elder.Age != 86 || next.Language != anxin.LangShanghainese ||
			next.Number != "138****5678" || next.Script.Version != 2 || next.Script.Questions[0].Text["wuu"] != seedShanghainese {
			t.Fatalf("next %+v", next)
		}
		first := next.AttemptID
		wantStatus(t, "next again", e.api("POST", base+"/next", op, nil, &next), http.StatusOK)
		if next.AttemptID != first {
			t.Fatalf("asked again, a new attempt %d (held %d)", next.AttemptID, first)
		}
		attempt := fmt.Sprintf("/api/v1/tasks/attempts/%d", first)
		wantStatus(t, "someone else reports", e.api("POST", attempt, e.token("operator2"), map[string]any{"disposition": "completed"}, nil), http.StatusConflict)
		wantStatus(t, "a wrong answer", e.api("POST", attempt, op, map[string]any{"answers": map[string]string{"enough": "perhaps"}, "disposition": "completed"}, nil), http.StatusBadRequest)
		var res struct {
			Task   anxin.Task
			Orders []anxin.Order
		}
		wantStatus(t, "report", e.api("POST", attempt, op, map[string]any{"answers": map[string]string{"enough": "no", "health": "fell"}, "disposition": "completed"}, &res), http.StatusOK)
		if res.Task.State != anxin.TaskDone || len(res.Orders) != 2 || res.Orders[0].Type != anxin.TypeSupply || res.Orders[0].Title != "米油套餐" ||
			res.Orders[1].Type != anxin.TypeEscalation || res.Orders[1].Urgency != anxin.UrgencyEmergency {
			t.Fatalf("report %+v", res)
		}
		wantStatus(t, "again", e.api("POST", attempt, op, map[string]any{"disposition": "completed"}, nil), http.StatusConflict)

		wantStatus(t, "next elder", e.api("POST", base+"/next", op, nil, &next), http.StatusOK)
		wantStatus(t, "callback", e.api("POST", fmt.Sprintf("/api/v1/tasks/attempts/%d", next.AttemptID), op, map[string]any{
			"disposition": "callback", "callback_at": time.Date(2026, 11, 25, 6, 30, 0, 0, time.UTC)}, &res), http.StatusOK)
		if res.Task.State != anxin.TaskPending || !res.Task.NextAt.Equal(time.Date(2026, 11, 25, 6, 30, 0, 0, time.UTC)) {
			t.Fatalf("callback %+v", res.Task)
		}
		wantStatus(t, "nothing due", e.api("POST", base+"/next", op, nil, nil), http.StatusNoContent)

		var st struct {
			Tasks, Done, Reached, Attempts int
			States, Dispositions, Orders   map[string]int
			Callers                        []struct {
				Name     string
				Attempts int
			}
			Answers []struct {
				Version  int
				Question string
				Value    string
				Count    int
			}
		}
		wantStatus(t, "stats", e.api("GET", base+"/stats", sup, nil, &st), http.StatusOK)
		if st.Tasks != 2 || st.Done != 1 || st.Reached != 2 || st.Attempts != 2 || st.States["pending"] != 1 || st.Dispositions["callback"] != 1 ||
			st.Orders["supply"] != 1 || st.Orders["escalation"] != 1 || len(st.Callers) != 1 || st.Callers[0].Name != "话务员 王敏" || len(st.Answers) != 2 || st.Answers[0].Version != 2 {
			t.Fatalf("stats %+v", st)
		}
		var list struct{ Items []anxin.Campaign }
		if e.api("GET", "/api/v1/campaigns", op, nil, &list); len(list.Items) != 1 || list.Items[0].ID != c.ID {
			t.Fatalf("list %+v", list)
		}
	})
}
