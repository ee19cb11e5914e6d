package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browser starts headless Chromium (Debian's, never a downloaded one) for a
// test. Without Chromium the test is skipped, except in CI, where .ci/run
// installs it and its absence is a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; .ci/run installs it")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1366, 768),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	tctx, tcancel := context.WithTimeout(bctx, 60*time.Second)
	t.Cleanup(tcancel)
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return tctx
}

// screenshot saves the page to $ANXIN_SCREENSHOTS/name.png when that
// directory is set, for people to look at.
func screenshot(t *testing.T, bctx context.Context, name string) {
	dir := os.Getenv("ANXIN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// An operator signs in with the keyboard only, sees the console in Chinese,
// navigates, and signs out; a committee account's navigation has no admin
// pages and the admin pages refuse it.
func TestBrowserSignInByKeyboard(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	bctx := browser(t)
	do, text := browserDo(t, bctx), browserText(t, bctx)
	do(chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(`input[name=username]`))
	lang, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.documentElement.lang`))
	if err != nil || lang != "zh-CN" {
		t.Fatalf("login page lang %q, %v", lang, err)
	}
	screenshot(t, bctx, "login")
	// The username field has focus: type, Tab, type, Enter.
	do(chromedp.KeyEvent("cityadmin"), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(e.logins["cityadmin"]),
		chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`nav.side`))
	if h := text(`h1`); !strings.Contains(h, "您好") {
		t.Fatalf("home heading %q", h)
	}
	nav := text(`nav.side`)
	for _, want := range []string{"首页", "行政区划", "组织机构", "账号管理", "审计日志", "我的账号"} {
		if !strings.Contains(nav, want) {
			t.Errorf("admin navigation lacks %s: %q", want, nav)
		}
	}
	screenshot(t, bctx, "home-admin")
	do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))

	// A committee account: no admin navigation, admin pages refuse.
	do(chromedp.SendKeys(`input[name=username]`, "committee1-1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["committee1-1"]+"\r"),
		chromedp.WaitVisible(`nav.side`))
	nav = text(`nav.side`)
	if strings.Contains(nav, "组织机构") || strings.Contains(nav, "审计日志") {
		t.Errorf("committee navigation shows admin pages: %q", nav)
	}
	do(chromedp.Navigate(e.ts.URL+"/admin/orgs"), chromedp.WaitVisible(`main h1`))
	if h := text(`main h1`); !strings.HasPrefix(h, "403") {
		t.Errorf("committee on /admin/orgs sees %q", h)
	}
	screenshot(t, bctx, "committee-forbidden")
}

// browserDo runs chromedp steps in the test's browser and fails the test
// on an error.
func browserDo(t *testing.T, bctx context.Context) func(steps ...chromedp.Action[chromedp.Void]) {
	return func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
}

// browserText returns the text of the first element matching a selector.
func browserText(t *testing.T, bctx context.Context) func(sel string) string {
	return func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
}
