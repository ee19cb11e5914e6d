package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The catalogue in Chromium, by keyboard where people use it: an operator
// searches and opens an item, a provider proposes a price change, the city
// administrator approves it from the queue and reviews a provider's
// application; an English-speaking administrator sees the queue in
// English.
func TestBrowserCatalogue(t *testing.T) {
	e := newTestEnv(t, "sqlite")
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
	signIn := func(user, next string) {
		t.Helper()
		do(chromedp.Navigate(e.ts.URL+"/login?next="+next), chromedp.WaitVisible(`input[name=username]`),
			chromedp.SendKeys(`input[name=username]`, user),
			chromedp.SendKeys(`input[name=password]`, e.logins[user]+"\r"),
			chromedp.WaitVisible(`nav.side`))
	}
	signOut := func() {
		t.Helper()
		do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))
	}

	// An operator: the search box has focus; type, Enter, ↓, Enter.
	signIn("operator1", "/catalogue")
	screenshot(t, bctx, "catalogue-operator")
	do(chromedp.KeyEvent("陪同就医"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`input[name=q][value="陪同就医"]`))
	if got := text(`table.results tbody`); !strings.Contains(got, "陪同就医（半天）") || strings.Contains(got, "钟点工") {
		t.Fatalf("results for 陪同就医: %q", got)
	}
	do(chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`dl.facts`))
	if h := text(`main h1`); !strings.Contains(h, "陪同就医") {
		t.Fatalf("opened %q", h)
	}
	screenshot(t, bctx, "catalogue-item-operator")
	signOut()

	// The provider proposes a new price for its hourly cleaner… which
	// waits already: it proposes for the bath service instead.
	bath := e.mustFindItem("助浴服务", "")
	signIn("provider1", fmt.Sprintf("/catalogue/%d", bath.ID))
	do(chromedp.SendKeys(`input[name=price]`, "120元5角"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`p.flash`))
	if got := text(`section.waiting`); !strings.Contains(got, "¥120.00") || !strings.Contains(got, "¥120.50") {
		t.Fatalf("waiting change: %q", got)
	}
	screenshot(t, bctx, "catalogue-item-price-proposed")
	do(chromedp.Navigate(e.ts.URL+"/catalogue/new"), chromedp.WaitVisible(`select#category_id`))
	screenshot(t, bctx, "catalogue-new")
	signOut()

	// The city administrator approves it from the queue.
	signIn("cityadmin", "/catalogue/approvals")
	if got := text(`table.approvals tbody`); !strings.Contains(got, "助浴服务") || !strings.Contains(got, "助餐送餐上门") {
		t.Fatalf("queue: %q", got)
	}
	screenshot(t, bctx, "catalogue-approvals")
	do(chromedp.Click(fmt.Sprintf(`form[action="/catalogue/%d/approve"] button`, bath.ID)), chromedp.WaitVisible(`p.flash`))
	if got := text(`table.approvals tbody`); strings.Contains(got, "助浴服务") {
		t.Fatalf("approved item still queued: %q", got)
	}
	if it := e.mustFindItem("助浴服务", ""); it.PriceFen != 12050 {
		t.Fatalf("price after approval %d", it.PriceFen)
	}
	do(chromedp.Navigate(e.ts.URL+"/providers"), chromedp.WaitVisible(`table.results`))
	screenshot(t, bctx, "providers")
	waiting := e.mustFindOrg("好邻居家政服务有限公司")
	do(chromedp.Navigate(fmt.Sprintf("%s/providers/%d", e.ts.URL, waiting.ID)), chromedp.WaitVisible(`section.review`))
	screenshot(t, bctx, "provider-review")
	do(chromedp.SendKeys(`section.review input[name=reason]`, "请补充家政服务资质\r"), chromedp.WaitVisible(`p.flash`))
	if got := text(`p.notice`); !strings.Contains(got, "请补充家政服务资质") {
		t.Fatalf("rejection: %q", got)
	}
	signOut()

	// The provider sees why and applies again.
	signIn("provider7", fmt.Sprintf("/providers/%d/apply", waiting.ID))
	screenshot(t, bctx, "provider-apply")
	signOut()

	// An administrator who reads English.
	a, err := e.db.AccountByUsername(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	a.Locale = anxin.LocaleEN
	if err := e.db.UpdateAccount(ctx, anxin.SystemScope(), a); err != nil {
		t.Fatal(err)
	}
	signIn("admin", "/catalogue/approvals")
	if h := text(`main h1`); h != "Price approval" {
		t.Fatalf("English heading %q", h)
	}
	screenshot(t, bctx, "catalogue-approvals-en")
	do(chromedp.Navigate(e.ts.URL+"/catalogue?family=supply"), chromedp.WaitVisible(`table.results`))
	screenshot(t, bctx, "catalogue-supply-en")
}
