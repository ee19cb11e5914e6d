package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
)

// The IVR pages in Chromium at 1366×768: the administrator edits a menu,
// picks a language action (the target's suggestions follow it), saves it
// with a mistake and sees it in place, then uploads a recording from the
// prompts page and hears it listed. Nothing is wider than the window.
func TestBrowserIVR(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	sub := &anxin.Menu{Name: "方言选择", Prompt: "dialect_choice", Options: []anxin.MenuOption{
		{Key: "1", Action: anxin.MenuLanguage, Target: "zh"}, {Key: "2", Action: anxin.MenuLanguage, Target: "wuu"}}}
	if err := e.db.SaveMenu(ctx, anxin.SystemScope(), sub); err != nil {
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
	do(chromedp.Navigate(e.ts.URL+"/login?next=/admin/ivr/new"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "admin"),
		chromedp.SendKeys(`input[name=password]`, e.logins["admin"]+"\r"),
		chromedp.WaitVisible(`form.ivr-form`))
	if h := text(`h1`); h != "新建菜单" {
		t.Fatalf("heading %q", h)
	}
	fits("the new menu form")
	screenshot(t, bctx, "ivr-new")

	// Row 1: key 9 to the dialect sub-menu; row 2: a language, whose
	// target suggestions become the languages.
	do(chromedp.SetValue(`#name`, "总机"),
		chromedp.SetValue(`tbody tr:nth-child(1) select[name=key]`, "9"),
		chromedp.SetValue(`tbody tr:nth-child(1) select[name=action]`, "menu"),
		chromedp.SetValue(`tbody tr:nth-child(1) input[name=target]`, "方言选择"),
		chromedp.SetValue(`tbody tr:nth-child(2) select[name=key]`, "1"),
		chromedp.SetValue(`tbody tr:nth-child(2) select[name=action]`, "language"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('tbody tr:nth-child(2) select[name=action]').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.SetValue(`tbody tr:nth-child(2) input[name=target]`, "粤语"))
	if l := eval(`document.querySelector('tbody tr:nth-child(2) input[name=target]').getAttribute('list')`); l != "ivr-targets-language" {
		t.Fatalf("the language row suggests %s", l)
	}
	do(chromedp.Click(`form.ivr-form button.primary`), chromedp.WaitVisible(`#menu-error`))
	if got := text(`#menu-error`); !strings.Contains(got, "按键 1") || !strings.Contains(got, "粤语") {
		t.Fatalf("error %q", got)
	}
	if v := eval(`document.querySelector('tbody tr:nth-child(2) input[name=target]').value + '|' + document.querySelector('#name').value`); v != "粤语|总机" {
		t.Fatalf("typed values lost: %q", v)
	}
	fits("the refused form")
	screenshot(t, bctx, "ivr-refused")
	do(chromedp.SetValue(`tbody tr.invalid input[name=target]`, "yue"), chromedp.Click(`form.ivr-form button.primary`), chromedp.WaitVisible(`p.flash`))
	if got := text(`table.ivr-menus`); !strings.Contains(got, "9 → 子菜单 方言选择") || !strings.Contains(got, "1 → 语言：粤语") || !strings.Contains(got, "0 → 人工服务") {
		t.Fatalf("menus %q", got)
	}
	fits("the menus")
	screenshot(t, bctx, "ivr-list")

	m := mustMenu(t, e, "总机")
	do(chromedp.Navigate(fmt.Sprintf("%s/admin/ivr/%d", e.ts.URL, m.ID)), chromedp.WaitVisible(`form.ivr-form`))
	fits("the edit form")
	screenshot(t, bctx, "ivr-edit")

	do(chromedp.Navigate(e.ts.URL+"/admin/queues"), chromedp.WaitVisible(`table.queues`))
	fits("the queues")
	screenshot(t, bctx, "queues")
	do(chromedp.Navigate(e.ts.URL+"/agents"), chromedp.WaitVisible(`table.skills`))
	fits("the operators")
	screenshot(t, bctx, "agents-skills")

	// Upload a recording from the Shanghainese cell of the welcome.
	wav := filepath.Join(t.TempDir(), "welcome-wuu.wav")
	if err := os.WriteFile(wav, pcWAV(1), 0o644); err != nil {
		t.Fatal(err)
	}
	do(chromedp.Navigate(e.ts.URL+"/admin/prompts"), chromedp.WaitVisible(`table.prompts`))
	fits("the prompts")
	screenshot(t, bctx, "prompts")
	form := `form[action="/admin/prompts/wuu/welcome"]`
	do(chromedp.SetUploadFiles(form+` input[type=file]`, []string{wav}), chromedp.Click(form+` button`), chromedp.WaitVisible(`p.flash`),
		chromedp.WaitVisible(`audio[src="/admin/prompts/wuu/welcome.wav"]`))
	if got := text(`#prompt-welcome`); !strings.Contains(got, "1.0 秒 · 平台管理员") {
		t.Fatalf("welcome row %q", got)
	}
	fits("the prompts after the upload")
	screenshot(t, bctx, "prompts-uploaded")
}
