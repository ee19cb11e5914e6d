package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
)

// The operator's workspace in Chromium at 1366×768: she takes the next
// elder, reads the seed's question in Shanghainese, picks "not enough"
// with the mouse and ends the call with the key 1, lands on the next
// elder and ends that call with 5 (no answer). The supervisor's builder
// counts the target live as a filter is ticked, and the live view and
// the script editor fit the window.
func TestBrowserWorkspace(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	campaignClock(e)
	old, two := campaignElders(t, e)
	sup := e.mustAccountScope("supervisor1")
	zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
	script := &anxin.Script{Name: "保供问询", Questions: []anxin.Question{
		{Key: "enough", Type: anxin.QuestionYesNo, Text: map[string]string{anxin.LangMandarin: seedMandarin, anxin.LangShanghainese: seedShanghainese},
			Options: []anxin.Option{{Key: "yes", Text: zh("够")},
				{Key: "no", Text: zh("不够"), Actions: []anxin.Action{{Kind: anxin.ActSupplyOrder, Note: "蔬菜套餐"}}}}},
		{Key: "mood", Type: anxin.QuestionSingle, Text: zh("心情好吗？"), Options: []anxin.Option{{Key: "good", Text: zh("好")}, {Key: "low", Text: zh("不太好")}}},
	}}
	if err := e.db.SaveScript(ctx, sup, script); err != nil {
		t.Fatal(err)
	}
	c := &anxin.Campaign{Name: "曹杨新村保供问询", Type: anxin.CampaignSupply, Mode: anxin.DialPreview, StartsOn: "2026-11-23", RegionCode: "310107005"}
	if err := e.db.CreateCampaign(ctx, sup, c); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SetCampaignScript(ctx, sup, c.ID, script.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := e.db.BuildTasks(ctx, sup, c.ID); err != nil || n != 2 {
		t.Fatalf("built %d %v", n, err)
	}
	if err := e.db.SetCampaignState(ctx, sup, c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}

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
	text := browserText(t, bctx)
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	fits := func(page string) {
		t.Helper()
		if w := eval(`String(document.documentElement.scrollWidth - window.innerWidth)`); w != "0" {
			t.Errorf("%s is %s px wider than the window", page, w)
		}
	}
	work := fmt.Sprintf("/campaigns/%d/work", c.ID)
	do(chromedp.Navigate(e.ts.URL+"/login?next="+work), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "operator1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["operator1"]+"\r"),
		chromedp.WaitVisible(`#next-task`))
	if nav := text(`nav.side`); !strings.Contains(nav, "外呼活动") {
		t.Errorf("the operator's navigation lacks 外呼活动: %q", nav)
	}
	screenshot(t, bctx, "workspace-start")
	do(chromedp.Click(`#next-task`), chromedp.WaitVisible(`#work-form`))
	if h := text(`#elder-name`); !strings.Contains(h, "王秀英") || !strings.Contains(h, "86 岁") {
		t.Fatalf("elder card %q", h)
	}
	if q := text(`#ws-enough legend`); !strings.Contains(q, seedShanghainese) {
		t.Fatalf("the question in her dialect: %q", q)
	}
	if n := text(`#call-number`); n != "138****5678" {
		t.Fatalf("number shown %q", n)
	}
	fits("the workspace")
	screenshot(t, bctx, "workspace-task")
	// The answer by mouse, the outcome by key: 1 is completed.
	do(chromedp.Click(`input[name=a_enough][value=no]`), chromedp.KeyEvent("1"), chromedp.WaitVisible(`p.flash`))
	if f := text(`p.flash`); !strings.Contains(f, "已保存。下一位：") {
		t.Fatalf("flash %q", f)
	}
	if h := text(`#elder-name`); !strings.Contains(h, "张建国") {
		t.Fatalf("next elder %q", h)
	}
	screenshot(t, bctx, "workspace-next")
	do(chromedp.KeyEvent("5"), chromedp.WaitVisible(`#next-task`))
	if f := text(`p.flash`); !strings.Contains(f, "现在没有到期的任务") {
		t.Fatalf("flash %q", f)
	}
	orders, _, err := e.db.FindOrders(ctx, anxin.SystemScope(), anxin.OrderFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	supply := 0
	for _, o := range orders {
		if o.ElderID == old.ID && o.Type == anxin.TypeSupply && strings.Contains(o.Description, seedMandarin) {
			supply++
		}
	}
	if supply != 1 {
		t.Fatalf("supply orders for 王秀英: %d", supply)
	}
	if pending, err := e.db.FindTasks(ctx, anxin.SystemScope(), c.ID, anxin.TaskPending, 10); err != nil || len(pending) != 1 || pending[0].ElderID != two.ID {
		t.Fatalf("pending %+v %v", pending, err)
	}
	do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))

	// The supervisor: the live view, the builder's live count, the script.
	do(chromedp.SendKeys(`input[name=username]`, "supervisor1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["supervisor1"]+"\r"),
		chromedp.WaitVisible(`nav.side`),
		chromedp.Navigate(fmt.Sprintf("%s/campaigns/%d", e.ts.URL, c.ID)), chromedp.WaitVisible(`.stats`))
	if s := text(`.stats`); !strings.Contains(s, "50%") {
		t.Fatalf("live view %q", s)
	}
	fits("the live view")
	screenshot(t, bctx, "campaign-live")
	do(chromedp.Navigate(e.ts.URL+"/campaigns/new"), chromedp.WaitVisible(`form.campaign-form`))
	count := func(want string) {
		t.Helper()
		var got string
		for i := 0; i < 50; i++ {
			if got = text(`#target-count`); strings.Contains(got, want) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("target count %q, want %q", got, want)
	}
	count("符合条件：")
	do(chromedp.SetValue(`#region_code`, "310107005"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#region_code').dispatchEvent(new Event('change', {bubbles: true}))`))
	count("2 位老人")
	do(chromedp.Click(`input[name=living][value=alone]`))
	count("1 位老人")
	fits("the builder")
	screenshot(t, bctx, "campaign-builder")
	do(chromedp.Navigate(fmt.Sprintf("%s/scripts/%d", e.ts.URL, script.ID)), chromedp.WaitVisible(`form.script-form`))
	fits("the script editor")
	screenshot(t, bctx, "script-editor")
	do(chromedp.Navigate(e.ts.URL+"/campaigns"), chromedp.WaitVisible(`table.campaigns`))
	fits("the campaigns")
	screenshot(t, bctx, "campaigns")
}
