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
	"github.com/anxin-care/anxin/web"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// ringingCall records an inbound call from number for the screen pop.
func ringingCall(t *testing.T, e *testEnv, number string) *anxin.Call {
	t.Helper()
	c := &anxin.Call{Direction: anxin.CallInbound, Leg: anxin.LegCaller, FromNumber: number, ToNumber: "966666",
		RegionCode: "310107005001"}
	if err := e.db.StartCall(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c
}

// popUntilSeen publishes the pop until a console of the operator takes it
// (the console's event stream may still be connecting).
func popUntilSeen(e *testEnv, p web.CallPop) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		n, err := e.srv.PopCall(ctx, p)
		if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no console of operator %d listened", p.AccountID)
}

// TestScreenPopStream reads the operator's event stream: a call from the
// elder's number pops her with a link that starts an order on the call; an
// unknown number offers registration; the number is masked.
func TestScreenPopStream(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		el := orderElder(t, e)
		call := ringingCall(t, e, "13812345678")
		c := e.signIn("operator1")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(sctx, "GET", e.ts.URL+"/events", nil)
		resp, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/event-stream") {
			t.Fatalf("events: %d %s", resp.StatusCode, ct)
		}
		op := mustAccount(t, e, "operator1")
		errc := make(chan error, 2)
		go func() {
			errc <- popUntilSeen(e, web.CallPop{AccountID: op.ID, CallID: call.ID, Number: "+86 138 1234 5678", Hotline: "966666"})
		}()
		r := bufio.NewReader(resp.Body)
		event := readEvent(t, r)
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"event: call", el.Name, "138****5678", fmt.Sprintf("/orders/new?elder=%d&amp;call=%d", el.ID, call.ID)} {
			if !strings.Contains(event, want) {
				t.Fatalf("pop lacks %q:\n%s", want, event)
			}
		}
		if strings.Contains(event, "13812345678") {
			t.Fatal("the pop shows the full number")
		}
		go func() { errc <- popUntilSeen(e, web.CallPop{AccountID: op.ID, Number: "13900000000"}) }()
		if event := readEvent(t, r); !strings.Contains(event, "/elders/new") {
			t.Fatalf("unknown number:\n%s", event)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		// Another operator's console hears nothing of it.
		other := mustAccount(t, e, "operator2")
		if n, err := e.srv.PopCall(ctx, web.CallPop{AccountID: other.ID, Number: "13812345678"}); err != nil || n != 0 {
			t.Fatalf("operator2 without a console: %d, %v", n, err)
		}
		// Signed out, no stream.
		st, _ := e.anon().get("/events")
		wantStatus(t, "anonymous events", st, http.StatusSeeOther)
	})
}

// readEvent reads one server-sent event (skipping comments).
func readEvent(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream: %v", err)
		}
		if strings.HasPrefix(line, ":") {
			continue
		}
		if line == "\n" {
			if b.Len() > 0 {
				return b.String()
			}
			continue
		}
		b.WriteString(line)
	}
}

// TestBrowserScreenPop: operator1 signs in to take calls from the header;
// a call rings her while her console is open;
// the pop appears without a reload, she starts an order from it, and the
// order and the call record point at each other.
func TestBrowserScreenPop(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	el := orderElder(t, e)
	call := ringingCall(t, e, "13812345678")
	bctx := browser(t)
	do, text := browserDo(t, bctx), browserText(t, bctx)
	do(chromedp.Navigate(e.ts.URL+"/login?next=/orders"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "operator1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["operator1"]+"\r"),
		chromedp.WaitVisible(`main h1`))
	// She starts taking calls from the header, and stays on the page.
	do(chromedp.Click(`.agent-bar button[value=sign_in]`), chromedp.WaitVisible(`.agent-bar .badge.agent-ready`))
	if got := text(`main h1`); !strings.Contains(got, "工单") {
		t.Fatalf("after signing in to take calls: %q", got)
	}
	op := mustAccount(t, e, "operator1")
	t0 := time.Now()
	if err := popUntilSeen(e, web.CallPop{AccountID: op.ID, CallID: call.ID, Number: "13812345678", Hotline: "966666"}); err != nil {
		t.Fatal(err)
	}
	do(chromedp.WaitVisible(`#screen-pop .pop`))
	t.Logf("pop shown %v after the first publish", time.Since(t0).Round(time.Millisecond))
	if got := text(`#screen-pop`); !strings.Contains(got, el.Name) || !strings.Contains(got, "966666") {
		t.Fatalf("pop %q", got)
	}
	screenshot(t, bctx, "screen-pop")
	do(chromedp.Click(`#screen-pop a.button-link`), chromedp.WaitVisible(`input#title`),
		chromedp.KeyEvent("老人来电问送餐时间"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`section[aria-labelledby=h-timeline]`))
	orders, _, err := e.db.FindOrders(ctx, anxin.ScopeOf(op), anxin.OrderFilter{ElderID: el.ID})
	if err != nil || len(orders) != 1 || orders[0].CallID != call.ID {
		t.Fatalf("order from the pop: %+v %v", orders, err)
	}
	got, err := e.db.FindCall(ctx, anxin.ScopeOf(op), call.ID)
	if err != nil || got.OrderID != orders[0].ID {
		t.Fatalf("call record %+v %v", got, err)
	}
	// The call is on the calls page, its number masked.
	do(chromedp.Navigate(e.ts.URL+"/calls"), chromedp.WaitVisible(`table.results tbody`))
	if got := text(`table.results tbody`); !strings.Contains(got, "138****5678") || !strings.Contains(got, "966666") {
		t.Fatalf("calls page %q", got)
	}
	screenshot(t, bctx, "calls")
	// Nobody took it: it waits on the to-call-back list.
	if err := e.db.SetCallQueue(ctx, call.ID, "consultation", 30); err != nil {
		t.Fatal(err)
	}
	if err := e.db.EndCall(ctx, call.ID, time.Now(), 200, "", anxin.HangupCaller); err != nil {
		t.Fatal(err)
	}
	do(chromedp.Navigate(e.ts.URL+"/callbacks"), chromedp.WaitVisible(`table.results tbody button`))
	screenshot(t, bctx, "callbacks")
	// Someone else's call cannot be linked by editing the form.
	c := e.signIn("operator1")
	st, body := c.post("/orders", url.Values{"elder_id": {fmt.Sprint(el.ID)}, "type": {"service"}, "channel": {"inbound_call"},
		"urgency": {"normal"}, "title": {"x"}, "call_id": {"999999"}})
	if st != http.StatusBadRequest || !strings.Contains(body, "通话 999999") {
		t.Fatalf("foreign call: %d", st)
	}
}
