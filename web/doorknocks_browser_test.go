package web_test

import (
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
)

// In the browser: the committee's staff follow the home page's door-knock
// block to the list, acknowledge, open the door-knock, record "all well"
// and see it closed; the street office opens its coverage and clicks
// through to a committee and its never-reached elders.
func TestBrowserDoorKnocks(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	e.atMonday()
	wang := knockElder(t, e, "王秀英", "310107005001", "13812345678")
	campaignCall(t, e, wang, anxin.DispNoAnswer)
	zhang := knockElder(t, e, "张桂英", "310107005001", "13812340001")
	campaignCall(t, e, zhang, anxin.DispNoAnswer)
	knockElder(t, e, "李阿婆", "310107005003", "13812340002")
	reached := knockElder(t, e, "赵阿姨", "310107005004", "13812340003")
	campaignCall(t, e, reached, anxin.DispCompleted)

	bctx := browser(t)
	do, text := browserDo(t, bctx), browserText(t, bctx)
	signIn := func(user string) {
		t.Helper()
		do(chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, e.logins[user]+"\r"),
			chromedp.WaitVisible(`nav.side`))
	}
	signIn("committee1-1")
	if got := text(`#h-knocks`); !strings.Contains(got, "上门探访") {
		t.Fatalf("home block %q", got)
	}
	screenshot(t, bctx, "home-committee-doorknocks")
	do(chromedp.Click(`section[aria-labelledby="h-knocks"] a`), chromedp.WaitVisible(`table.knocks`))
	if got := text(`table.knocks tbody`); !strings.Contains(got, "王秀英") || !strings.Contains(got, "张桂英") || !strings.Contains(got, "138****5678") {
		t.Fatalf("list %q", got)
	}
	screenshot(t, bctx, "doorknocks")
	do(chromedp.Click(`table.knocks tbody tr:first-child button`), chromedp.WaitVisible(`p.flash`))
	do(chromedp.Click(`table.knocks tbody tr:first-child td a`), chromedp.WaitVisible(`form.knock-result`))
	screenshot(t, bctx, "doorknock")
	do(chromedp.Click(`input[name=result][value=all_well]`), chromedp.SendKeys(`#note`, "老人在家，电话线松了"),
		chromedp.Click(`form.knock-result button[type=submit]`), chromedp.WaitVisible(`p.flash`))
	if got := text(`main h1`); !strings.Contains(got, "已办结") {
		t.Fatalf("after the visit %q", got)
	}
	screenshot(t, bctx, "doorknock-closed")
	do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))

	signIn("street1")
	do(chromedp.Navigate(e.ts.URL+"/coverage"), chromedp.WaitVisible(`table.coverage`))
	if got := text(`main h1`); got != "联系覆盖率：曹杨新村街道" {
		t.Fatalf("coverage title %q", got)
	}
	screenshot(t, bctx, "coverage-street")
	do(chromedp.Click(`table.coverage a[href="/coverage?area=310107005001"]`), chromedp.WaitVisible(`dl.facts`))
	if got := text(`main h1`); got != "联系覆盖率：源园居委会" {
		t.Fatalf("drilled into %q", got)
	}
	screenshot(t, bctx, "coverage-committee")
	do(chromedp.Navigate(e.ts.URL+"/coverage/elders?area=310107005&list=never"), chromedp.WaitVisible(`table.results`))
	if got := text(`table.results tbody`); !strings.Contains(got, "李阿婆") || strings.Contains(got, "王秀英") {
		t.Fatalf("never reached %q", got)
	}
	screenshot(t, bctx, "coverage-never")
}
