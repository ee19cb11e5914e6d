package main

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/gen"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/sipua/sipptest"
	"github.com/anxin-care/anxin/store"
)

// The committee whose elders the story calls (曹杨新村街道 源园居委会, the
// demo's committee1-1), its street, and the street of the kill -9 phase's
// generated elders (长宁区 北新泾街道).
const (
	storyCommittee = "310107005001"
	storyStreet    = "310107005"
	loadStreet     = "310105011"
)

// What an elder of the story does when the wellness check rings, by the
// number the carrier (testdata/campaign_checkin_carrier.xml) sees.
const (
	answersPrefix = "13910001" // answers and presses 1
	busyPrefix    = "13910002" // 486
	ringOutPrefix = "13910003" // rings, then 480 from the network
)

// storyElders is how many elders the story's committee has; every fourth
// never answers (half busy, half ringing out).
const storyElders = 40

// TestCampaignAcceptance is issue 6's "Done when" as one story against the
// real binary (`anxin serve`, built by the test, SQLite), SIPp as the
// carrier and Debian's Chromium:
//
//  1. a fresh data directory: the demo's accounts, organisations and
//     telephony, 40 elders in one committee of 曹杨新村 whose numbers the
//     demo trunk sends to SIPp, today a working day;
//  2. supervisor1 builds a supply check for the street in the console
//     (live count, the script, tasks, start); operator1 works it in preview
//     mode: one answer makes a supply order, the next an escalation; the
//     live view shows them;
//  3. an agentless wellness check over the committee (made through the
//     API) dials SIPp: 30 elders press 1, 10 never answer and are retried
//     as days pass (timePasses) until their tasks fail and door-knocks go
//     to the committee; the elders the supply check reached today wait
//     for the next day (the contact cap across campaigns);
//  4. committee1-1 sees the door-knocks, acknowledges one and records "all
//     well"; street1's coverage page shows the elders reached;
//  5. a second agentless campaign over 240 generated elders, 30 channels:
//     the node is killed with SIGKILL while ~30 calls are up and started
//     again on the same data; nobody is dialled twice, the interrupted
//     attempts are closed as interrupted, and dialling goes on.
func TestCampaignAcceptance(t *testing.T) {
	sipptest.Path(t)
	bctx := chromium(t)
	awayFromMidnight(t)
	t0 := time.Now()
	a := prepareAcceptance(t)
	a.bin = buildAnxin(t)
	t.Logf("built anxin and prepared the data in %s", time.Since(t0).Round(time.Millisecond))
	a.proc = startAnxinProcess(t, a.bin, a.serveArgs()...)
	a.api = &apiClient{base: a.proc.base, secret: a.supervisorToken}
	a.browser = &page{t: t, ctx: bctx, base: a.proc.base}

	steps := []struct {
		name string
		run  func(*testing.T)
	}{
		{"supply check worked in preview mode", a.supplyCheck},
		{"agentless check-in retries and knocks", a.wellnessCheck},
		{"committee closes a door-knock and coverage shows it", a.doorKnockAndCoverage},
		{"kill -9 mid-campaign dials nobody twice", a.killMidCampaign},
	}
	for _, s := range steps {
		start := time.Now()
		ok := t.Run(s.name, func(t *testing.T) {
			a.browser.t = t
			s.run(t)
		})
		t.Logf("%s: %s", s.name, time.Since(start).Round(time.Millisecond))
		if !ok {
			return // each step builds on the one before
		}
	}
	t.Logf("the whole story took %s", time.Since(t0).Round(time.Millisecond))
}

// acceptance is the story's node, data and what it has made so far.
type acceptance struct {
	dir                  string
	db                   *store.DB // the test's own handle on the node's SQLite file
	logins               map[string]string
	elders               []*anxin.Elder // the committee's, by index
	sipPort, carrierPort int
	bin                  string
	proc                 *anxinProcess
	api                  *apiClient
	supervisorToken      string
	browser              *page
	checkin              *carrier       // the wellness check's SIPp, kept up until the last phase
	supply, wellness     int64          // campaign IDs
	supplyElders         map[int64]bool // reached by the supply check
}

// prepareAcceptance makes the data directory (step 1) and opens the test's
// own handle on it; the binary serves the same file.
func prepareAcceptance(t *testing.T) *acceptance {
	t.Helper()
	ctx := context.Background()
	a := &acceptance{dir: t.TempDir(), logins: map[string]string{}, sipPort: sipptest.FreePort(t), carrierPort: sipptest.FreePort(t)}
	db, err := store.Open(ctx, store.Config{DataDir: a.dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a.db = db
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.LoadCalendar(ctx); err != nil {
		t.Fatal(err)
	}
	logins, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range logins {
		a.logins[l.Username] = l.Password
	}
	makeTodayAWorkday(t, db)

	surnames := []rune("王李张刘陈杨赵黄周吴")
	given := []string{"秀英", "桂英", "建国", "玉兰"}
	for i := 0; i < storyElders; i++ {
		prefix := answersPrefix
		switch i % 8 {
		case 3:
			prefix = busyPrefix
		case 7:
			prefix = ringOutPrefix
		}
		e := &anxin.Elder{Name: string(surnames[i%10]) + given[i/10], RegionCode: storyCommittee, BirthDate: "1954-05-01",
			Living: anxin.LivingFamily, Address: fmt.Sprintf("枣阳路%d弄%d号", 100+i, 1+i%6),
			Phones: []anxin.Phone{{Number: fmt.Sprintf("%s%03d", prefix, i), Label: anxin.PhoneMobile}}}
		if i < 2 {
			// The two the operator calls first: 80 and over, alone.
			e.BirthDate, e.Living = "1940-03-01", anxin.LivingAlone
		}
		if err := db.CreateElder(ctx, anxin.SystemScope(), e); err != nil {
			t.Fatalf("elder %d: %v", i, err)
		}
		a.elders = append(a.elders, e)
	}
	if _, err := gen.New(2022).Generate(ctx, db, loadStreet, 240, nil); err != nil {
		t.Fatal(err)
	}
	trunks, err := db.Trunks(ctx)
	if err != nil || len(trunks) == 0 {
		t.Fatalf("demo trunks %v %v", trunks, err)
	}
	trunks[0].Host, trunks[0].MaxChannels = "127.0.0.1:"+strconv.Itoa(a.carrierPort), 0
	if err := db.SaveTrunk(ctx, anxin.SystemScope(), trunks[0]); err != nil {
		t.Fatal(err)
	}
	a.supervisorToken = newAPIToken(t, db, "supervisor1")
	return a
}

// serveArgs are the node's flags, the same for every start.
func (a *acceptance) serveArgs() []string {
	return []string{"--data", a.dir, "--sip-addr", "127.0.0.1:" + strconv.Itoa(a.sipPort), "--rtp-ports", "39000-39999"}
}

// awayFromMidnight waits, when China's day ends within four minutes, until
// it has ended: the contact cap, the calling window and the working day
// the story relies on are China's day's and must not change under it.
func awayFromMidnight(t *testing.T) {
	now := time.Now().In(chinaTime)
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, chinaTime)
	if left := midnight.Sub(now); left < 4*time.Minute {
		t.Logf("China's day ends in %s: waiting for the next one", left.Round(time.Second))
		time.Sleep(left + 2*time.Second)
	}
}

// today is China's date.
func today() string { return time.Now().In(chinaTime).Format(time.DateOnly) }

// allDay is a calling window covering the day, so the test passes at any
// hour (but the day's last minute).
var allDay = []string{"00:00-23:59"}

// supplyScript is the supply check's script: the seed's question, whose
// "not enough" makes a supply order, and how she is, whose "unwell" makes
// an urgent escalation.
func supplyScript() anxin.Script {
	zh := func(s string) map[string]string { return map[string]string{anxin.LangMandarin: s} }
	return anxin.Script{Name: "保供排摸（验收）", Questions: []anxin.Question{
		{Key: "supplies", Type: anxin.QuestionYesNo, Next: "health", Text: map[string]string{
			anxin.LangMandarin:     "您家里的菜、米、油、肉还有吗？够吃吗？",
			anxin.LangShanghainese: "侬屋里厢菜、米、油、肉还有伐？够吃了伐？"},
			Options: []anxin.Option{{Key: "enough", Text: zh("够吃")},
				{Key: "short", Text: zh("不够，要订"), Actions: []anxin.Action{{Kind: anxin.ActSupplyOrder, Note: "蔬菜套餐"}}}}},
		{Key: "health", Type: anxin.QuestionSingle, Text: zh("您身体还好吗？"), Options: []anxin.Option{
			{Key: "well", Text: zh("都好")},
			{Key: "urgent", Text: zh("身体不舒服，要人马上来"),
				Actions: []anxin.Action{{Kind: anxin.ActEscalation, Urgency: anxin.UrgencyUrgent, Note: "保供排摸时老人说身体不适"}}}}},
	}}
}

// supplyCheck is step 2.
func (a *acceptance) supplyCheck(t *testing.T) {
	script := supplyScript()
	a.api.do(t, "POST", "/api/v1/scripts", map[string]any{"name": script.Name, "questions": script.Questions}, &script, 201)
	a.supply = a.buildSupplyCheck(t, script.ID)
	first, second := a.workSupplyCheck(t)

	// The orders, in the database: on channel outbound_campaign, linked to
	// the tasks of the two elders the operator saw.
	byName := map[string]int64{}
	for _, e := range a.elders {
		byName[e.Name] = e.ID
	}
	want := []string{
		fmt.Sprintf("%d %s %s", byName[first], anxin.TypeSupply, anxin.ChannelOutbound),
		fmt.Sprintf("%d %s %s %s", byName[second], anxin.TypeEscalation, anxin.ChannelOutbound, anxin.UrgencyUrgent),
	}
	got := strings.Join(rowsOf(t, a, `SELECT o.elder_id || ' ' || o.type || ' ' || o.channel || CASE WHEN o.type = 'escalation'
		THEN ' ' || o.urgency ELSE '' END FROM orders o JOIN campaign_tasks t ON t.id = o.campaign_task_id
		WHERE t.campaign_id = $1 ORDER BY o.id`, a.supply), "; ")
	if got != strings.Join(want, "; ") {
		t.Fatalf("the campaign's orders (elder, type, channel, urgency): %s, want %s", got, strings.Join(want, "; "))
	}
	if byName[first] != a.elders[0].ID && byName[first] != a.elders[1].ID {
		t.Errorf("the operator was not given one of the two oldest elders living alone first: %q", first)
	}
	// Three attempts: the two elders reached, who have had today's
	// campaign call (the contact cap), and the card she gave back
	// undialled (interrupted, no call: it does not count).
	if got := rowsOf(t, a, `SELECT a.disposition FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
		WHERE t.campaign_id = $1 ORDER BY a.id`, a.supply); strings.Join(got, " ") != "completed completed interrupted" {
		t.Fatalf("the supply check's attempts: %v", got)
	}
	a.supplyElders = ids(t, a, `SELECT a.elder_id FROM campaign_attempts a JOIN campaign_tasks t ON t.id = a.task_id
		WHERE t.campaign_id = $1 AND a.disposition = $2`, a.supply, anxin.DispCompleted)
}

// buildSupplyCheck: supervisor1 builds the supply check for the street in
// the console — the live count, preview mode, a whole-day window, the
// script — makes its tasks and starts it. It returns the campaign's ID.
func (a *acceptance) buildSupplyCheck(t *testing.T, script int64) int64 {
	p := a.browser
	p.signIn("supervisor1", a.logins["supervisor1"], "/campaigns/new")
	p.do(chromedp.WaitVisible(`form.campaign-form`),
		chromedp.SetValue(`#region_code`, storyStreet),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#region_code').dispatchEvent(new Event('change', {bubbles: true}))`))
	p.waitFor("the live count of 40 elders", func() bool { return strings.Contains(p.text(`#target-count`), "40 位老人") })
	p.do(chromedp.SetValue(`#name`, "曹杨新村保供排摸（验收）"), chromedp.SetValue(`#type`, anxin.CampaignSupply),
		chromedp.SetValue(`#mode`, anxin.DialPreview), chromedp.SetValue(`#windows`, strings.Join(allDay, " ")),
		chromedp.SetValue(`#script_id`, strconv.FormatInt(script, 10)))
	p.screenshot("acceptance-builder")
	p.do(chromedp.Click(`button[name=op][value=save]`))
	var id string
	p.waitFor("the new campaign's page", func() bool {
		m := regexp.MustCompile(`^/campaigns/(\d+)\?`).FindStringSubmatch(p.location())
		if m != nil {
			id = m[1]
		}
		return m != nil
	})
	p.do(chromedp.WaitVisible(`.stats`), chromedp.Click(`form[action="/campaigns/`+id+`/tasks"] button`))
	p.waitFor("the tasks built", func() bool { return strings.Contains(p.location(), "built=") })
	if got := p.text(`p.flash`); !strings.Contains(got, "已生成 40 条任务") {
		t.Fatalf("after building: %q", got)
	}
	p.do(chromedp.Click(`form[action="/campaigns/`+id+`/state"]:has(input[value=running]) button`),
		chromedp.WaitVisible(`h1 .campaign-running`))
	p.signOut()
	n, _ := strconv.ParseInt(id, 10, 64)
	return n
}

// workSupplyCheck: operator1 works the supply check in preview mode. The
// first elder's answers make a supply order, the second's an escalation;
// the third card she gives back. The live view shows two done and the
// orders. It returns the two elders' names.
func (a *acceptance) workSupplyCheck(t *testing.T) (first, second string) {
	p := a.browser
	id := strconv.FormatInt(a.supply, 10)
	p.signIn("operator1", a.logins["operator1"], "/campaigns/"+id+"/work")
	p.do(chromedp.Click(`#next-task`), chromedp.WaitVisible(`#work-form`))
	if q := p.text(`#ws-supplies legend`); !strings.Contains(q, "够吃吗") {
		t.Fatalf("the question: %q", q)
	}
	p.screenshot("acceptance-workspace")
	report := func(supplies, health string) string {
		t.Helper()
		name, at := strings.Fields(p.text(`#elder-name`))[0], p.location()
		p.do(chromedp.Click(`input[name=a_supplies][value=`+supplies+`]`), chromedp.Click(`input[name=a_health][value=`+health+`]`),
			chromedp.Click(`button[name=disposition][value=completed]`))
		p.waitFor("the next elder", func() bool { return p.location() != at })
		if f := p.text(`p.flash`); !strings.Contains(f, "已保存。下一位：") {
			t.Fatalf("after reporting: %q", f)
		}
		return name
	}
	first = report("short", "well")
	second = report("enough", "urgent")
	if third := strings.Fields(p.text(`#elder-name`))[0]; first == second || third == second {
		t.Fatalf("the workspace did not move on: %q, %q, %q", first, second, third)
	}
	p.do(chromedp.Click(`form[action="/campaigns/` + id + `/work/release"] button`))
	p.waitFor("the live view", func() bool { return strings.Contains(p.location(), "flash=tasks_released") })
	p.do(chromedp.WaitVisible(`.stats`))
	if done := p.text(`.stat.task-done .big`); done != "2" {
		t.Errorf("the live view shows %s done, want 2", done)
	}
	if o := p.text(`.campaign-grid`); !strings.Contains(o, "保供订单") || !strings.Contains(o, "紧急求助") {
		t.Errorf("the live view's orders: %q", o)
	}
	p.screenshot("acceptance-supply-live")
	p.signOut()
	return first, second
}

// startAgentless creates an agentless wellness check over region through
// the API (a whole-day window, three attempts five minutes apart), builds
// its tasks and starts it; it returns the campaign and how many tasks were
// made.
func (a *acceptance) startAgentless(t *testing.T, name, region string) (id int64, tasks int) {
	var c anxin.Campaign
	a.api.do(t, "POST", "/api/v1/campaigns", map[string]any{"name": name, "type": anxin.CampaignWellness,
		"mode": anxin.DialAgentless, "region_code": region, "starts_on": today(), "windows": allDay,
		"max_attempts": 3, "retry_minutes": 5}, &c, 201)
	var built struct {
		Made int `json:"made"`
	}
	a.api.do(t, "POST", fmt.Sprintf("/api/v1/campaigns/%d/tasks", c.ID), nil, &built, 200)
	a.api.do(t, "PATCH", fmt.Sprintf("/api/v1/campaigns/%d", c.ID), map[string]string{"state": anxin.CampaignRunning}, nil, 200)
	return c.ID, built.Made
}

// wellnessCheck is step 3: three days of the agentless check-in.
func (a *acceptance) wellnessCheck(t *testing.T) {
	a.checkin = startCarrier(t, a.carrierPort, "testdata/campaign_checkin_carrier.xml")
	var made int
	a.wellness, made = a.startAgentless(t, "源园居委会关爱问候（自动外呼）", storyCommittee)
	if made != storyElders {
		t.Fatalf("%d tasks made, want %d", made, storyElders)
	}
	unanswered := storyElders / 4
	for day, want := range []struct{ done, pending, failed int }{
		// Day 1: all but the two the supply check reached today (the
		// contact cap puts them off) and the ten who never answer.
		{storyElders - 2 - unanswered, 2 + unanswered, 0},
		// Day 2: those two answer; the ten fail again.
		{storyElders - unanswered, unanswered, 0},
		// Day 3: the ten's last attempt: failed, door-knocks.
		{storyElders - unanswered, 0, unanswered},
	} {
		if day > 0 {
			timePasses(t, a.db, a.wellness)
		}
		a.waitIdle(t, a.wellness)
		states := a.taskStates(t, a.wellness)
		t.Logf("day %d: tasks %v, attempts %d", day+1, states, count(t, a.db, `SELECT COUNT(*) FROM campaign_attempts a
			JOIN campaign_tasks t ON t.id = a.task_id WHERE t.campaign_id = $1`, a.wellness))
		if states[anxin.TaskDone] != want.done || states[anxin.TaskPending] != want.pending || states[anxin.TaskFailed] != want.failed {
			t.Fatalf("day %d: tasks by state %v, want done %d, pending %d, failed %d", day+1, states, want.done, want.pending, want.failed)
		}
		if day > 0 {
			continue
		}
		for e := range a.supplyElders {
			if n := count(t, a.db, `SELECT attempts FROM campaign_tasks WHERE campaign_id = $1 AND elder_id = $2`, a.wellness, e); n != 0 {
				t.Errorf("elder %d, reached by the supply check today, was rung again by the wellness check (%d attempts)", e, n)
			}
		}
	}
	a.checkWellnessOutcome(t)
}

// checkWellnessOutcome checks the wellness check after its last day, in
// the database, in SIPp's trace and in the supervisor's live view.
func (a *acceptance) checkWellnessOutcome(t *testing.T) {
	// Each unanswered elder: three attempts, then a door-knock for the
	// committee; each who answered: one call.
	seen := a.checkin.invites(t)
	for i, e := range a.elders {
		number := e.Phones[0].Number
		attempts := count(t, a.db, `SELECT attempts FROM campaign_tasks WHERE campaign_id = $1 AND elder_id = $2`, a.wellness, e.ID)
		knocks := count(t, a.db, `SELECT COUNT(*) FROM door_knocks WHERE elder_id = $1 AND region_code = $2 AND state = 'open'`, e.ID, storyCommittee)
		want, wantKnocks := 1, 0
		if !strings.HasPrefix(number, answersPrefix) {
			want, wantKnocks = 3, 1
		}
		if attempts != want || knocks != wantKnocks {
			t.Errorf("elder %d (%s): %d attempts, %d door-knocks; want %d, %d", i, number, attempts, knocks, want, wantKnocks)
		}
		// SIPp's side: one INVITE (a Call-ID of its own) per attempt.
		if len(seen[number]) != want {
			t.Errorf("SIPp saw %d INVITEs (distinct Call-IDs) for %s, want %d", len(seen[number]), number, want)
		}
		delete(seen, number)
	}
	if len(seen) != 0 {
		t.Errorf("SIPp was sent INVITEs for numbers of nobody in the campaign: %v", seen)
	}
	unanswered := strconv.Itoa(storyElders / 4)
	p := a.browser
	p.signIn("supervisor1", a.logins["supervisor1"], fmt.Sprintf("/campaigns/%d", a.wellness))
	p.do(chromedp.WaitVisible(`.stats`))
	if f := p.text(`.stat.task-failed .big`); f != unanswered {
		t.Errorf("the live view shows %s failed, want %s", f, unanswered)
	}
	if rows := p.eval(`String(document.querySelectorAll('table.failed-tasks tbody tr').length)`); rows != unanswered {
		t.Errorf("the live view lists %s elders not reached, want %s", rows, unanswered)
	}
	p.screenshot("acceptance-wellness-live")
	p.signOut()
}

// waitIdle waits (up to 90 s) until the campaign has no attempt under way
// and no task due: the dialler has done what it can today.
func (a *acceptance) waitIdle(t *testing.T, campaign int64) {
	t.Helper()
	for deadline := time.Now().Add(90 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		busy := count(t, a.db, `SELECT COUNT(*) FROM campaign_tasks WHERE campaign_id = $1
			AND (state = 'leased' OR state = 'pending' AND next_at <= $2)`, campaign, time.Now().UTC())
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("campaign %d still has %d tasks due or being called after 90 s: %v", campaign, busy, a.taskStates(t, campaign))
		}
	}
}

// taskStates counts the campaign's tasks by state.
func (a *acceptance) taskStates(t *testing.T, campaign int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, s := range []string{anxin.TaskPending, anxin.TaskLeased, anxin.TaskDone, anxin.TaskFailed} {
		out[s] = count(t, a.db, `SELECT COUNT(*) FROM campaign_tasks WHERE campaign_id = $1 AND state = $2`, campaign, s)
	}
	return out
}

// doorKnockAndCoverage is step 4.
func (a *acceptance) doorKnockAndCoverage(t *testing.T) {
	p := a.browser
	p.signIn("committee1-1", a.logins["committee1-1"], "/doorknocks")
	p.do(chromedp.WaitVisible(`table.knocks`))
	if rows := p.eval(`String(document.querySelectorAll('table.knocks tbody tr').length)`); rows != strconv.Itoa(storyElders/4) {
		t.Fatalf("committee1-1 sees %s door-knocks, want %d:\n%s", rows, storyElders/4, p.text(`table.knocks`))
	}
	p.screenshot("acceptance-doorknocks")
	at := p.location()
	p.do(chromedp.Click(`table.knocks tbody tr:first-child button`))
	p.waitFor("the acknowledgement", func() bool { return p.location() != at })
	p.do(chromedp.WaitVisible(`p.flash`), chromedp.Click(`table.knocks tbody tr:first-child td a`), chromedp.WaitVisible(`form.knock-result`))
	knock := strings.TrimPrefix(p.location(), "/doorknocks/")
	p.do(chromedp.Click(`input[name=result][value=all_well]`), chromedp.SendKeys(`#note`, "上门看过，老人在家，电话静音了"),
		chromedp.Click(`form.knock-result button[type=submit]`))
	p.waitFor("the door-knock closed", func() bool { return strings.Contains(p.text(`main h1`), "已办结") })
	p.screenshot("acceptance-doorknock-closed")
	id, err := strconv.ParseInt(strings.SplitN(knock, "?", 2)[0], 10, 64)
	if err != nil {
		t.Fatalf("door-knock address %q", knock)
	}
	if n := count(t, a.db, `SELECT COUNT(*) FROM door_knocks WHERE id = $1 AND state = 'closed' AND result = 'all_well'`, id); n != 1 {
		t.Fatalf("door-knock %d is not closed as all well", id)
	}
	p.signOut()

	// Coverage of the street: the committee's 40 elders, 31 reached today
	// (the 30 who answered a call, the one a neighbour's knock found well).
	reached := storyElders - storyElders/4 + 1
	if n := count(t, a.db, `SELECT COUNT(*) FROM elders WHERE region_code = $1 AND last_contact_at IS NOT NULL`, storyCommittee); n != reached {
		t.Fatalf("%d elders of the committee reached in the database, want %d", n, reached)
	}
	p.signIn("street1", a.logins["street1"], "/coverage")
	p.do(chromedp.WaitVisible(`table.coverage`))
	if h := p.text(`main h1`); h != "联系覆盖率：曹杨新村街道" {
		t.Fatalf("coverage title %q", h)
	}
	row := p.eval(`Array.from(document.querySelectorAll('table.coverage tbody tr')).filter(r => r.querySelector('a[href="/coverage?area=` +
		storyCommittee + `"]')).map(r => Array.from(r.cells).map(c => c.innerText.trim()).join('|')).join('')`)
	cells := strings.Split(row, "|")
	if len(cells) < 3 || cells[1] != strconv.Itoa(storyElders) || !strings.HasPrefix(cells[2], strconv.Itoa(reached)+" ") {
		t.Fatalf("the committee's coverage row %q: want %d active, %d reached within a day", row, storyElders, reached)
	}
	t.Logf("coverage of %s on the street's page: %s", storyCommittee, row)
	p.screenshot("acceptance-coverage")
	p.signOut()
}
