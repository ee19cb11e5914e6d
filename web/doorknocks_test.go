package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
)

// monday is Monday 2026-11-23 10:00 China time, inside the default calling
// windows.
var monday = time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC)

// atMonday sets the server's and the store's clock to monday.
func (e *testEnv) atMonday() {
	e.now = monday
	e.db.Now = func() time.Time { return e.now }
}

// scopeOfUser is a demo account's scope.
func (e *testEnv) scopeOfUser(username string) anxin.Scope {
	e.t.Helper()
	a, err := e.db.AccountByUsername(ctx, username)
	if err != nil {
		e.t.Fatal(err)
	}
	return anxin.ScopeOf(a)
}

// knockElder registers an elder with a number and an emergency contact in
// the committee, as the system.
func knockElder(t *testing.T, e *testEnv, name, committee, number string) *anxin.Elder {
	t.Helper()
	el := &anxin.Elder{Name: name, RegionCode: committee, Address: "枫桥路5号楼302室",
		Phones:   []anxin.Phone{{Number: number, Label: anxin.PhoneMobile}},
		Contacts: []anxin.Contact{{Name: "李明", Relation: "儿子", Phones: []string{"13900001111"}}}}
	if err := e.db.CreateElder(ctx, anxin.SystemScope(), el); err != nil {
		t.Fatal(err)
	}
	return el
}

// campaignCall runs one call of a wellness campaign by supervisor1 over
// the elder's committee (one attempt), ending with disposition. It
// returns the door-knock FinishAttempt opened (0 when none).
func campaignCall(t *testing.T, e *testEnv, el *anxin.Elder, disposition string) int64 {
	t.Helper()
	sup := e.scopeOfUser("supervisor1")
	c := &anxin.Campaign{Name: "关爱问候 " + el.Name, Type: anxin.CampaignWellness, Mode: anxin.DialPreview,
		StartsOn: e.now.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly), MaxAttempts: 1, RegionCode: el.RegionCode,
		Target: anxin.Target{}}
	if err := e.db.CreateCampaign(ctx, sup, c); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.BuildTasks(ctx, sup, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	for {
		a, err := e.db.NextTask(ctx, c.ID, "test", time.Minute)
		if err != nil || a == nil {
			t.Fatalf("no task for %s: %v", el.Name, err)
		}
		if a.Task.ElderID != el.ID {
			// Another elder of the committee: not called now.
			if _, err := e.db.FinishAttempt(ctx, a.ID, "test", anxin.DispRefused, time.Time{}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		task, err := e.db.FinishAttempt(ctx, a.ID, "test", disposition, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if task.State != anxin.TaskFailed {
			return 0
		}
		list, _, err := e.db.FindDoorKnocks(ctx, anxin.SystemScope(), anxin.KnockFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range list {
			if k.TaskID == task.ID {
				return k.ID
			}
		}
		t.Fatalf("no door-knock for the failed task of %s", el.Name)
	}
}

// TestDoorKnocks: a wellness call nobody answered becomes a door-knock the
// demo committee's staff see on their home page and list (numbers masked,
// the reason in words); another committee and an operator cannot see it;
// the staff reveal the numbers with a reason, acknowledge it, refuse an
// empty "needs something", record one, which opens a work order and
// clears the home page. The API lists, acknowledges and closes another.
func TestDoorKnocks(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.atMonday()
		wang := knockElder(t, e, "王秀英", "310107005001", "13812345678")
		id := campaignCall(t, e, wang, anxin.DispNoAnswer)
		path := "/doorknocks/" + strconv.FormatInt(id, 10)

		c := e.signIn("committee1-1")
		st, body := c.get("/")
		wantStatus(t, "home", st, http.StatusOK)
		wantBody(t, body, `href="/doorknocks"`, "1 位老人待上门探访", "1 件由本单位负责")
		st, body = c.get("/doorknocks")
		wantStatus(t, "list", st, http.StatusOK)
		wantBody(t, body, "王秀英", "枫桥路5号楼302室", "138****5678", "139****1111", "「关爱问候 王秀英」外呼 1 次未联系上（最后一次：无人接听）",
			"2026-11-24 10:00", `action="`+path+`/acknowledge"`, "待接单")
		if strings.Contains(body, "13812345678") {
			t.Fatal("the list shows the full number")
		}

		other := e.signIn("committee1-2")
		if st, body := other.get("/doorknocks"); st != http.StatusOK || strings.Contains(body, "王秀英") {
			t.Fatalf("another committee's list: %d", st)
		}
		if st, _ := other.get(path); st != http.StatusNotFound {
			t.Fatalf("another committee opened it: %d", st)
		}
		if st, _ := e.signIn("operator1").get("/doorknocks"); st != http.StatusForbidden {
			t.Fatalf("an operator's list: %d", st)
		}

		if st, _ := c.post(path+"/reveal", url.Values{"reason": {""}}); st != http.StatusBadRequest {
			t.Fatalf("reveal without a reason: %d", st)
		}
		st, body = c.post(path+"/reveal", url.Values{"reason": {"上门前联系家属"}})
		wantStatus(t, "reveal", st, http.StatusOK)
		wantBody(t, body, "13812345678", "13900001111")

		st, loc := c.postLocation(path+"/acknowledge", url.Values{"back": {"list"}})
		if st != http.StatusSeeOther || !strings.HasPrefix(loc, "/doorknocks?") {
			t.Fatalf("acknowledge: %d %s", st, loc)
		}
		st, body = c.get(path)
		wantStatus(t, "door-knock", st, http.StatusOK)
		wantBody(t, body, "已接单", "源园居委会 社工", `name="result" value="needs_something"`)

		st, body = c.post(path+"/result", url.Values{"result": {"needs_something"}, "note": {" "}})
		wantStatus(t, "needs something without a note", st, http.StatusBadRequest)
		wantBody(t, body, "请写明老人需要什么")
		st, loc = c.postLocation(path+"/result", url.Values{"result": {"needs_something"}, "note": {"降压药快吃完了，需要代购"}})
		if st != http.StatusSeeOther || !strings.Contains(loc, "flash=knock_order") {
			t.Fatalf("record: %d %s", st, loc)
		}
		k, err := e.db.FindDoorKnock(ctx, anxin.SystemScope(), id)
		if err != nil || k.State != anxin.KnockClosed || k.OrderID == 0 {
			t.Fatalf("after the visit %+v %v", k, err)
		}
		st, body = c.get(path)
		wantStatus(t, "closed door-knock", st, http.StatusOK)
		wantBody(t, body, "已办结", "需要帮助", "降压药快吃完了", "/orders/"+strconv.FormatInt(k.OrderID, 10))
		if st, body = c.get("/orders/" + strconv.FormatInt(k.OrderID, 10)); st != http.StatusOK || !strings.Contains(body, "降压药快吃完了") {
			t.Fatalf("the work order: %d", st)
		}
		if _, body = c.get("/"); strings.Contains(body, "待上门探访") {
			t.Fatal("the home page still counts a closed door-knock")
		}

		// The API: list, acknowledge, close.
		li := knockElder(t, e, "李阿婆", "310107005001", "13912345678")
		id2 := campaignCall(t, e, li, anxin.DispBusy)
		tok := e.token("committee1-1")
		var list struct {
			Items []struct {
				ID      int64        `json:"id"`
				State   string       `json:"state"`
				Overdue bool         `json:"overdue"`
				Elder   *anxin.Elder `json:"elder"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if st := e.api("GET", "/api/v1/doorknocks", tok, nil, &list); st != http.StatusOK || list.Total != 1 || list.Items[0].ID != id2 ||
			list.Items[0].Overdue || list.Items[0].Elder == nil || list.Items[0].Elder.Phones[0].Number != "139****5678" {
			t.Fatalf("API list %d %+v", st, list)
		}
		if st := e.api("GET", "/api/v1/doorknocks?state=closed", tok, nil, &list); st != http.StatusOK || list.Total != 1 || list.Items[0].ID != id {
			t.Fatalf("API closed list %d %+v", st, list)
		}
		if st := e.api("GET", "/api/v1/doorknocks?state=soon", tok, nil, nil); st != http.StatusBadRequest {
			t.Fatalf("API unknown state: %d", st)
		}
		apiPath := "/api/v1/doorknocks/" + strconv.FormatInt(id2, 10)
		var got struct {
			State   string `json:"state"`
			Result  string `json:"result"`
			OrderID int64  `json:"order_id"`
		}
		if st := e.api("POST", apiPath+"/acknowledge", tok, nil, &got); st != http.StatusOK || got.State != anxin.KnockAcknowledged {
			t.Fatalf("API acknowledge %d %+v", st, got)
		}
		if st := e.api("POST", apiPath+"/acknowledge", tok, nil, nil); st != http.StatusConflict {
			t.Fatalf("API acknowledge twice: %d", st)
		}
		if st := e.api("POST", apiPath+"/result", e.token("committee1-2"), map[string]string{"result": "all_well"}, nil); st != http.StatusNotFound {
			t.Fatalf("API result by another committee: %d", st)
		}
		if st := e.api("POST", apiPath+"/result", tok, map[string]string{"result": "all_well"}, &got); st != http.StatusOK ||
			got.State != anxin.KnockClosed || got.Result != anxin.KnockAllWell || got.OrderID != 0 {
			t.Fatalf("API all well %d %+v", st, got)
		}
		if el, _ := e.db.FindElder(ctx, anxin.SystemScope(), li.ID); !el.LastContactAt.Equal(e.now) {
			t.Fatalf("seen at the door, not marked reached: %v", el.LastContactAt)
		}
	})
}

// TestDoorKnockEscalatedToStreet: a door-knock of a committee without an
// account is handed to the street office at once; the street's staff see
// it on their home page as theirs; late there, it goes up past a district
// hotline with nobody to work it.
func TestDoorKnockEscalatedToStreet(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		e.atMonday()
		// The demo gives accounts to the first two committees of each
		// street only: 310107005004 has none.
		el := knockElder(t, e, "赵阿姨", "310107005004", "13712345678")
		campaignCall(t, e, el, anxin.DispNoAnswer)
		if n, err := e.db.RunDoorKnocks(ctx, e.now); err != nil || n != 1 {
			t.Fatalf("pass handed up %d %v", n, err)
		}
		c := e.signIn("street1")
		_, body := c.get("/")
		wantBody(t, body, "1 位老人待上门探访", "1 件由本单位负责")
		_, body = c.get("/doorknocks")
		wantBody(t, body, "赵阿姨", "已上转", "已转交：普陀区 曹杨新村街道")
		if _, err := e.db.RunDoorKnocks(ctx, e.now.Add(store.DoorKnockWithin)); err != nil {
			t.Fatal(err)
		}
		// Late at the street: the district's hotline has only an operator,
		// who works no door-knocks, so it goes to the city's supervisors.
		_, body = c.get("/doorknocks?state=escalated")
		wantBody(t, body, "已转交：上海市")
	})
}
