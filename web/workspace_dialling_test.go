package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/web"
	"github.com/chromedp/chromedp"
)

// progressiveCampaign starts a progressive supply campaign over 曹杨新村
// (campaignElders: 王秀英 first in line).
func progressiveCampaign(t *testing.T, e *testEnv) *anxin.Campaign {
	t.Helper()
	sup := e.mustAccountScope("supervisor1")
	c := &anxin.Campaign{Name: "曹杨新村保供问询", Type: anxin.CampaignSupply, Mode: anxin.DialProgressive, StartsOn: "2026-11-23", RegionCode: "310107005"}
	if err := e.db.CreateCampaign(ctx, sup, c); err != nil {
		t.Fatal(err)
	}
	if n, err := e.db.BuildTasks(ctx, sup, c.ID); err != nil || n != 2 {
		t.Fatalf("built %d %v", n, err)
	}
	if err := e.db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	return c
}

// dialFor does what the progressive dialler does when it calls the next
// elder for an operator: leases her the task and places the call, linked
// to the attempt. It returns the attempt and the call.
func dialFor(t *testing.T, e *testEnv, c *anxin.Campaign, account int64) (*store.Attempt, *anxin.Call) {
	t.Helper()
	owner := store.OperatorOwner(account)
	a, err := e.db.NextTask(ctx, c.ID, owner, 15*time.Minute)
	if err != nil || a == nil {
		t.Fatalf("lease %+v %v", a, err)
	}
	call := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: "966666", ToNumber: a.Number,
		ElderID: a.Task.ElderID, CampaignTaskID: a.Task.ID, RegionCode: a.Task.RegionCode, Queue: anxin.DialProgressive}
	if err := e.db.StartCall(ctx, call); err != nil {
		t.Fatal(err)
	}
	if err := e.db.LinkAttemptCall(ctx, a.ID, owner, call.ID); err != nil {
		t.Fatal(err)
	}
	return a, call
}

// TestWorkspaceDialling: in a progressive campaign's workspace operator1
// (signed out of taking calls) presses "start dialling": she works the
// campaign and is ready; the page says Anxin dials for her and offers no
// "next elder" — pressing it anyway leases nothing. Anxin calls 王秀英 for
// her: her screen pop names the elder (not the hotline's caller ID) and
// links to the attempt; the workspace shows the elder she holds without a
// call button (while the elder's phone rings, it says so and waits). Her
// report takes her back to waiting, with no new lease.
// Stop leaves the campaign; so do signing out of taking calls and of the
// console. A supervisor does not dial, and a preview campaign cannot be
// dialled.
func TestWorkspaceDialling(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		old, _ := campaignElders(t, e)
		c := progressiveCampaign(t, e)
		base := fmt.Sprintf("/campaigns/%d/work", c.ID)
		op := mustAccount(t, e, "operator1")
		owner := store.OperatorOwner(op.ID)
		dialling := func(want int64) {
			t.Helper()
			if id, err := e.db.DiallingCampaign(ctx, op.ID); err != nil || id != want {
				t.Fatalf("operator1 works campaign %d (%v), want %d", id, err, want)
			}
		}

		oc := e.signIn("operator1")
		_, body := oc.get(base)
		wantBody(t, body, "开始外呼", `action="`+base+`/start"`)
		if strings.Contains(body, `id="next-task"`) {
			t.Fatal("a progressive campaign offers the operator the next elder by hand")
		}
		st, loc, _ := oc.postLoc(base+"/start", nil)
		wantStatus(t, "start", st, http.StatusSeeOther)
		dialling(c.ID)
		if s, _ := e.db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentReady {
			t.Fatalf("operator1 after starting: %s", s.State)
		}
		_, body = oc.get(loc)
		wantBody(t, body, "已开始外呼。", "正在为您外呼", "停止外呼", fmt.Sprintf(`data-dialling="%d"`, c.ID))
		// On a break, the page says why nobody is called.
		st, _, _ = oc.postLoc("/agent/state", url.Values{"event": {"break"}, "reason": {"meal"}, "back": {base}})
		wantStatus(t, "break", st, http.StatusSeeOther)
		_, body = oc.get(base)
		wantBody(t, body, "您现在是“小休”状态，设为就绪后才会为您拨号。")
		st, _, _ = oc.postLoc("/agent/state", url.Values{"event": {"ready"}, "back": {base}})
		wantStatus(t, "ready", st, http.StatusSeeOther)
		st, loc, _ = oc.postLoc(base+"/next", nil)
		if st != http.StatusSeeOther || strings.Contains(loc, "attempt=") {
			t.Fatalf("next elder by hand while dialling: %d %s", st, loc)
		}
		if a, _ := e.db.HeldAttempt(ctx, c.ID, owner); a != nil {
			t.Fatalf("leased by hand while dialling: %+v", a)
		}

		// Anxin calls 王秀英 for her; she answers, and operator1's phone
		// rings with the pop.
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(sctx, "GET", e.ts.URL+"/events", nil)
		resp, err := oc.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		a, call := dialFor(t, e, c, op.ID)
		if a.Task.ElderID != old.ID {
			t.Fatalf("first in line: elder %d, want 王秀英 (%d)", a.Task.ElderID, old.ID)
		}
		// Her phone rings: the workspace waits for her answer.
		_, body = oc.get(base)
		wantBody(t, body, "正在呼叫 王秀英，等待老人接听")
		if strings.Contains(body, `id="work-form"`) {
			t.Fatal("the workspace shows the elder before she answered")
		}
		if err := e.db.CallAnswered(ctx, call.ID, time.Now(), 0); err != nil {
			t.Fatal(err)
		}
		errc := make(chan error, 1)
		go func() {
			errc <- popUntilSeen(e, web.CallPop{AccountID: op.ID, CallID: call.ID, Number: "966666", Hotline: "966666"})
		}()
		event := readEvent(t, bufio.NewReader(resp.Body))
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		work := fmt.Sprintf("%s?attempt=%d", base, a.ID)
		for _, want := range []string{"外呼接通", "138****5678", old.Name, `href="` + work + `"`, fmt.Sprintf(`data-work-campaign="%d"`, c.ID)} {
			if !strings.Contains(event, want) {
				t.Fatalf("pop lacks %q:\n%s", want, event)
			}
		}
		_, body = oc.get(base)
		wantBody(t, body, old.Name, `action="`+fmt.Sprintf("%s/%d", base, a.ID)+`"`)
		if strings.Contains(body, "/call\"") {
			t.Fatal("the workspace offers to call an elder Anxin called")
		}
		st, loc, _ = oc.postLoc(fmt.Sprintf("%s/%d", base, a.ID), url.Values{"disposition": {"completed"}})
		if st != http.StatusSeeOther || loc != base+"?flash=attempt_saved_dialling" {
			t.Fatalf("report: %d %s", st, loc)
		}
		_, body = oc.get(loc)
		wantBody(t, body, "已保存。就绪后系统会为您拨打下一位。", "正在为您外呼")
		if a, _ := e.db.HeldAttempt(ctx, c.ID, owner); a != nil {
			t.Fatalf("leased after the report: %+v", a)
		}

		// Stop; sign out of taking calls; sign out of the console.
		st, loc, _ = oc.postLoc(base+"/stop", nil)
		wantStatus(t, "stop", st, http.StatusSeeOther)
		dialling(0)
		_, body = oc.get(loc)
		wantBody(t, body, "已停止外呼。", "开始外呼")
		oc.postLoc(base+"/start", nil)
		dialling(c.ID)
		st, _, _ = oc.postLoc("/agent/state", url.Values{"event": {"sign_out"}, "back": {base}})
		wantStatus(t, "sign out of taking calls", st, http.StatusSeeOther)
		dialling(0)
		oc.postLoc(base+"/start", nil)
		dialling(c.ID)
		if s, _ := e.db.AgentStatusOf(ctx, op.ID); s.State != anxin.AgentReady {
			t.Fatalf("operator1 after starting again: %s", s.State)
		}
		st, _, _ = oc.postLoc("/logout", nil)
		wantStatus(t, "log out", st, http.StatusSeeOther)
		dialling(0)

		sc := e.signIn("supervisor1")
		st, _, _ = sc.postLoc(base+"/start", nil)
		wantStatus(t, "a supervisor starts dialling", st, http.StatusForbidden)
		preview := &anxin.Campaign{Name: "预览", Type: anxin.CampaignSupply, Mode: anxin.DialPreview, StartsOn: "2026-11-23", RegionCode: "310107005"}
		if err := e.db.CreateCampaign(ctx, e.mustAccountScope("supervisor1"), preview); err != nil {
			t.Fatal(err)
		}
		oc = e.signIn("operator1")
		st, _, body = oc.postLoc(fmt.Sprintf("/campaigns/%d/work/start", preview.ID), nil)
		wantStatus(t, "dialling a preview campaign", st, http.StatusBadRequest)
		wantBody(t, body, "只有“渐进式外呼”的活动由系统为话务员拨号。")
	})
}

// TestBrowserWorkspaceDialling: operator1 starts dialling in Chromium;
// when Anxin connects her to 王秀英 the pop arrives and the workspace
// opens the elder by itself.
func TestBrowserWorkspaceDialling(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	campaignClock(e)
	old, _ := campaignElders(t, e)
	c := progressiveCampaign(t, e)
	op := mustAccount(t, e, "operator1")
	bctx := browser(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		wctx, cancel := context.WithTimeout(bctx, 15*time.Second)
		defer cancel()
		if err := chromedp.Do(wctx, steps...); err != nil {
			loc, _ := chromedp.Run(bctx, chromedp.Location())
			t.Fatalf("at %s: %v", loc, err)
		}
	}
	base := fmt.Sprintf("/campaigns/%d/work", c.ID)
	do(chromedp.Navigate(e.ts.URL+"/login?next="+base), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "operator1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["operator1"]+"\r"),
		chromedp.WaitVisible(`#start-dialling`), chromedp.Click(`#start-dialling`), chromedp.WaitVisible(`#dialling-on`))
	a, call := dialFor(t, e, c, op.ID)
	if err := e.db.CallAnswered(ctx, call.ID, time.Now(), 0); err != nil {
		t.Fatal(err)
	}
	if err := popUntilSeen(e, web.CallPop{AccountID: op.ID, CallID: call.ID, Number: "966666", Hotline: "966666"}); err != nil {
		t.Fatal(err)
	}
	do(chromedp.WaitVisible(`#work-form`))
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil || !strings.HasSuffix(loc, fmt.Sprintf("%s?attempt=%d", base, a.ID)) {
		t.Fatalf("the workspace is at %s (%v), want attempt %d", loc, err, a.ID)
	}
	if name := browserText(t, bctx)(`#elder-name`); !strings.Contains(name, old.Name) {
		t.Fatalf("the workspace shows %q, want %s", name, old.Name)
	}
}

// TestDiallingAPI: an operator starts and stops progressive dialling
// through the API; a preview campaign and a body without "active" are
// refused, and a supervisor takes no calls.
func TestDiallingAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		campaignClock(e)
		campaignElders(t, e)
		c := progressiveCampaign(t, e)
		op := e.token("operator1")
		path := fmt.Sprintf("/api/v1/campaigns/%d/dialling", c.ID)
		var out struct{ Active bool }
		wantStatus(t, "start", e.api("POST", path, op, map[string]any{"active": true}, &out), http.StatusOK)
		if !out.Active {
			t.Fatal("started, but Anxin does not dial for her")
		}
		st, err := e.db.AgentStatusOf(ctx, mustAccount(t, e, "operator1").ID)
		if err != nil || st.State != anxin.AgentReady {
			t.Fatalf("after starting she is %+v (%v), want ready", st, err)
		}
		wantStatus(t, "stop", e.api("POST", path, op, map[string]any{"active": false}, &out), http.StatusOK)
		if out.Active {
			t.Fatal("stopped, but Anxin still dials for her")
		}
		wantStatus(t, "no flag", e.api("POST", path, op, map[string]any{}, nil), http.StatusBadRequest)
		wantStatus(t, "supervisor", e.api("POST", path, e.token("supervisor1"), map[string]any{"active": true}, nil), http.StatusForbidden)
		preview := runningCampaign(t, e, map[string]any{"name": "预览"})
		wantStatus(t, "preview campaign", e.api("POST", fmt.Sprintf("/api/v1/campaigns/%d/dialling", preview.ID), op, map[string]any{"active": true}, nil), http.StatusBadRequest)
	})
}
