package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/workcal"
)

// What the end-to-end acceptance tests need around the real binary: build
// it, start and kill it, drive its API with a token, drive Chromium
// (Debian's), run SIPp as the carrier with a message trace, and stand in
// for the passing of time in the database.

// buildAnxin builds this command into a temporary directory and returns the
// binary's path.
func buildAnxin(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build anxin: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "anxin")
	cmd := exec.Command(goBin, "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// anxinProcess is `anxin serve` running as its own process.
type anxinProcess struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:PORT
	out  *lockedBuffer
	done chan struct{}
	err  error // Wait's, once done is closed
}

// runningAt is the start-up line that carries the console's address.
var runningAt = regexp.MustCompile(`is running at (http://[0-9.:]+)/`)

// startAnxinProcess starts bin serve with args and waits until it says it
// is running. The process is killed when the test ends if it still runs;
// its output is logged when the test failed.
func startAnxinProcess(t *testing.T, bin string, args ...string) *anxinProcess {
	t.Helper()
	p := &anxinProcess{out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	// Only this test's flags configure it: no ANXIN_* from the caller.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANXIN_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stderr = p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start anxin: %v", err)
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(p.out, line)
			if m := runningAt.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			t.Logf("anxin (pid %d) output:\n%s", p.cmd.Process.Pid, tail(p.out.String(), 8000))
		}
	})
	select {
	case p.base = <-ready:
	case <-p.done:
		t.Fatalf("anxin serve exited: %v\n%s", p.err, p.out)
	case <-time.After(60 * time.Second):
		t.Fatalf("anxin serve did not start:\n%s", p.out)
	}
	return p
}

// kill9 kills the process with SIGKILL, as a crash or an OOM killer would:
// no clean-up runs.
func (p *anxinProcess) kill9(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9: %v", err)
	}
	<-p.done
}

// stop asks the process to stop (SIGTERM, as systemd does) and waits for
// it to exit cleanly.
func (p *anxinProcess) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		// Where it hangs: Go prints every goroutine on SIGQUIT.
		p.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
		t.Fatalf("anxin did not stop within 40 s of SIGTERM:\n%s", p.out.String())
	}
	if p.err != nil {
		t.Fatalf("anxin exited with %v:\n%s", p.err, tail(p.out.String(), 4000))
	}
}

// apiClient calls /api/v1 with an account's API token.
type apiClient struct {
	base, secret string
}

// newAPIToken stores an API token for the account and returns its secret
// (what `anxin token add` prints).
func newAPIToken(t *testing.T, db *store.DB, username string) string {
	t.Helper()
	a, err := db.AccountByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	secret := tokenSecretPrefix + password.Token(24)
	tok := &anxin.APIToken{AccountID: a.ID, Name: "acceptance test", Prefix: secret[:8], Hash: password.Digest(secret), CreatedAt: time.Now().UTC()}
	if err := db.CreateToken(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	return secret
}

// do sends body (JSON, nil for none) and decodes the answer into out (nil:
// ignored); it fails the test unless the status is want.
func (c *apiClient) do(t *testing.T, method, path string, body, out any, want int) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s, want %d: %s", method, path, resp.Status, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// chromium starts headless Chromium (Debian's, never a downloaded one).
// Without it the test is skipped, except in CI, where .ci/run installs it.
func chromium(t *testing.T) context.Context {
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
		chromedp.Flag("no-first-run", true),
		chromedp.WindowSize(1366, 768),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// page drives one Chromium tab against one Anxin process.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// do runs steps, each batch within 20 s, and fails the test with the page's
// address on an error.
func (p *page) do(steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(p.ctx, chromedp.Location())
		body, _ := chromedp.Run(p.ctx, chromedp.Text("main"))
		p.t.Fatalf("at %s: %v\n%s", loc, err, tail(body, 1500))
	}
}

// text returns the text of the first element matching sel. A page still
// loading after a form post (its old document gone, the new one not yet
// there) is read again.
func (p *page) text(sel string) string {
	p.t.Helper()
	return retryNavigating(p, "text of "+sel, func(ctx context.Context) (string, error) { return chromedp.Run(ctx, chromedp.Text(sel)) })
}

// navigating reports whether err is Chromium's answer while a page is
// replaced: the script's execution context went with the old document.
func navigating(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") || strings.Contains(msg, "Execution context was destroyed") ||
		strings.Contains(msg, "Inspected target navigated or closed")
}

// eval evaluates a JavaScript expression that yields a string.
func (p *page) eval(js string) string {
	p.t.Helper()
	return retryNavigating(p, js, func(ctx context.Context) (string, error) { return chromedp.Run(ctx, chromedp.Evaluate[string](js)) })
}

// retryNavigating runs read, again while the page is being replaced, for
// up to 20 s; any other error fails the test.
func retryNavigating(p *page, what string, read func(context.Context) (string, error)) string {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, 20*time.Second)
	defer cancel()
	for {
		v, err := read(ctx)
		if err == nil {
			return v
		}
		if !navigating(err) || ctx.Err() != nil {
			p.t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// location is the page's address without the base.
func (p *page) location() string {
	p.t.Helper()
	loc := retryNavigating(p, "location", func(ctx context.Context) (string, error) { return chromedp.Run(ctx, chromedp.Location()) })
	return strings.TrimPrefix(loc, p.base)
}

// waitFor polls cond (the page after a form post has loaded when it
// holds) for up to 20 s.
func (p *page) waitFor(what string, cond func() bool) {
	p.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			p.t.Fatalf("waited 20 s for %s; at %s", what, p.location())
		}
	}
}

// signIn signs user in from the login page and opens next.
func (p *page) signIn(user, password, next string) {
	p.t.Helper()
	p.do(chromedp.Navigate(p.base+"/login?next="+next), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, user),
		chromedp.SendKeys(`input[name=password]`, password+"\r"),
		chromedp.WaitVisible(`nav.side`))
}

// signOut signs out.
func (p *page) signOut() {
	p.t.Helper()
	p.do(chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`input[name=password]`))
}

// screenshot saves the page to $ANXIN_SCREENSHOTS/name.png when that
// directory is set, for people to look at.
func (p *page) screenshot(name string) {
	p.t.Helper()
	dir := os.Getenv("ANXIN_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.t.Fatalf("screenshot: %v", err)
	}
	os.MkdirAll(dir, 0o755)
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// carrier is SIPp playing the carrier behind the demo trunk and every
// elder's phone, for as many calls as come, tracing every message.
type carrier struct {
	cmd      *exec.Cmd
	out      *lockedBuffer
	messages string // SIPp's message trace
	done     chan struct{}
}

// startCarrier starts SIPp with scenario (relative to the test's
// directory) listening on loopback port.
func startCarrier(t *testing.T, port int, scenario string) *carrier {
	t.Helper()
	sipp := sipptest.Path(t)
	abs, err := filepath.Abs(scenario)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	c := &carrier{out: &lockedBuffer{}, messages: filepath.Join(dir, "messages.log"), done: make(chan struct{})}
	// -l: calls at once SIPp takes; -mp: where Anxin sends the phones'
	// audio (dropped).
	c.cmd = exec.Command(sipp, "-sf", abs, "-i", "127.0.0.1", "-p", strconv.Itoa(port), "-mp", strconv.Itoa(sipptest.FreePort(t)),
		"-l", "2000", "-nostdin", "-trace_msg", "-message_file", c.messages, "-trace_err", "-error_file", filepath.Join(dir, "errors.log"))
	c.cmd.Dir, c.cmd.Stdout, c.cmd.Stderr = dir, c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("sipp: %v", err)
	}
	go func() { c.cmd.Wait(); close(c.done) }()
	t.Cleanup(c.stop)
	time.Sleep(300 * time.Millisecond) // SIPp binds its port
	return c
}

// stop ends SIPp.
func (c *carrier) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
}

// invites reads SIPp's message trace: for each dialled number (the user of
// the INVITE's request URI), the distinct Call-IDs it was sent — an
// INVITE retransmitted keeps its Call-ID, a new dialling has a new one.
func (c *carrier) invites(t *testing.T) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile(c.messages)
	if err != nil {
		t.Fatalf("SIPp's message trace: %v", err)
	}
	out := map[string]map[string]bool{}
	for _, block := range strings.Split(string(b), "message received") {
		i := strings.Index(block, "INVITE sip:")
		if i < 0 || strings.Contains(block[:i], "CSeq") {
			continue
		}
		user, _, _ := strings.Cut(block[i+len("INVITE sip:"):], "@")
		var callID string
		for _, line := range strings.Split(block, "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && (strings.EqualFold(strings.TrimSpace(k), "Call-ID") || strings.TrimSpace(k) == "i") {
				callID = strings.TrimSpace(v)
				break
			}
		}
		if callID == "" {
			t.Fatalf("an INVITE without a Call-ID in SIPp's trace:\n%s", tail(block, 800))
		}
		if out[user] == nil {
			out[user] = map[string]bool{}
		}
		out[user][callID] = true
	}
	return out
}

// chinaTime is the campaigns' clock.
var chinaTime = time.FixedZone("CST", 8*3600)

// makeTodayAWorkday makes today (China's day) a working day in the holiday
// calendar, as an administrator would for a make-up working day, so that
// campaigns dial whatever day the test runs on.
func makeTodayAWorkday(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().In(chinaTime)
	if db.Calendar().IsWorkday(now) {
		return
	}
	all, err := db.CalendarDays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	today := workcal.Date{Year: now.Year(), Month: now.Month(), Day: now.Day()}
	var year []workcal.Day
	for _, d := range all {
		if d.Date.Year == today.Year && d.Date != today {
			year = append(year, d)
		}
	}
	if wd := now.Weekday(); wd == time.Saturday || wd == time.Sunday {
		year = append(year, workcal.Day{Date: today, Kind: workcal.Work, Name: "验收测试调休上班"})
	}
	if err := db.SetCalendarYear(ctx, anxin.SystemScope(), today.Year, year); err != nil {
		t.Fatalf("make %s a working day: %v", today, err)
	}
	if !db.Calendar().IsWorkday(now) {
		t.Fatalf("%s is still no working day", today)
	}
}

// timePasses stands for "an hour, a day passes" without waiting for it:
// it rewrites the campaign's timestamps in the database as they would
// read after a day — the campaign's pending tasks are due now (their retry
// delay, the next calling window, the contact cap's next day have come),
// and every campaign attempt of the campaign's elders, in any campaign,
// started and ended a day earlier (so the contact cap of one campaign
// call a day lets the next attempt through). Nothing else moves: call
// records, orders and the elders' last contact keep their real times.
func timePasses(t *testing.T, db *store.DB, campaignID int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Transact(ctx, func(tx *store.Tx) error {
		now := time.Now().UTC()
		if _, err := tx.ExecContext(ctx, `UPDATE campaign_tasks SET next_at = $1 WHERE campaign_id = $2 AND state = 'pending'`,
			now.Add(-time.Second), campaignID); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, started_at, ended_at FROM campaign_attempts
			WHERE elder_id IN (SELECT elder_id FROM campaign_tasks WHERE campaign_id = $1)`, campaignID)
		if err != nil {
			return err
		}
		type times struct {
			id             int64
			started, ended *time.Time
		}
		var all []times
		for rows.Next() {
			var a times
			var started time.Time
			var ended *time.Time
			if err := rows.Scan(&a.id, &started, &ended); err != nil {
				rows.Close()
				return err
			}
			a.started, a.ended = &started, ended
			all = append(all, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, a := range all {
			var ended any
			if a.ended != nil {
				ended = a.ended.UTC().Add(-24 * time.Hour)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_attempts SET started_at = $1, ended_at = $2 WHERE id = $3`,
				a.started.UTC().Add(-24*time.Hour), ended, a.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("a day passes: %v", err)
	}
}

// count runs a COUNT query (or any one-integer query) against db.
func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	ctx := context.Background()
	if err := db.View(ctx, func(tx *store.Tx) error { return tx.QueryRowContext(ctx, q, args...).Scan(&n) }); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// ids runs a query of one ID column and returns the IDs.
func ids(t *testing.T, a *acceptance, q string, args ...any) map[int64]bool {
	t.Helper()
	ctx := context.Background()
	out := map[int64]bool{}
	err := a.db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}

// rowsOf runs a query of one text column and returns its rows.
func rowsOf(t *testing.T, a *acceptance, q string, args ...any) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := a.db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return out
}
