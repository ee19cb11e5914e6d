package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/phone"
)

// Screen pop (issue 5): when a call rings an operator's phone, their
// console shows who is calling — the elders matched by the calling number
// (several: choose; none: register), their open orders and last contact —
// pushed over server-sent events (/events) without a reload, with a link
// that starts an order linked to the call. The telephony layer calls
// PopCall; every console page of the operator listens.

// hub fans events out to each account's open consoles.
type hub struct {
	mu   sync.Mutex
	subs map[int64]map[chan []byte]struct{}
}

func newHub() *hub { return &hub{subs: map[int64]map[chan []byte]struct{}{}} }

func (h *hub) subscribe(account int64) chan []byte {
	ch := make(chan []byte, 8)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[account] == nil {
		h.subs[account] = map[chan []byte]struct{}{}
	}
	h.subs[account][ch] = struct{}{}
	return ch
}

func (h *hub) unsubscribe(account int64, ch chan []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs[account], ch)
	if len(h.subs[account]) == 0 {
		delete(h.subs, account)
	}
}

// publish sends an event to every console of the account and reports how
// many got it; a console too slow to take it misses it (never blocks).
func (h *hub) publish(account int64, event []byte) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for ch := range h.subs[account] {
		select {
		case ch <- event:
			n++
		default:
		}
	}
	return n
}

// sseEvent formats a server-sent event; data lines may not hold newlines.
func sseEvent(name, data string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "event: %s\n", name)
	for _, line := range strings.Split(data, "\n") {
		fmt.Fprintf(&b, "data: %s\n", line)
	}
	b.WriteString("\n")
	return b.Bytes()
}

// heartbeat keeps idle event streams open through proxies.
const heartbeat = 20 * time.Second

// getEvents streams the signed-in account's events (server-sent events).
func (s *Server) getEvents(w http.ResponseWriter, r *http.Request) error {
	a := accountFrom(r.Context())
	if a == nil {
		return anxin.ErrorKey(anxin.EUNAUTHORIZED, "err.signin_required", "Please sign in.")
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		return anxin.Errorf(anxin.EINTERNAL, "streaming unsupported")
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, ": ok\n\n")
	fl.Flush()
	ch := s.hub.subscribe(a.ID)
	defer s.hub.unsubscribe(a.ID, ch)
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case ev := <-ch:
			if _, err := w.Write(ev); err != nil {
				return nil
			}
			fl.Flush()
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
			fl.Flush()
		}
	}
}

// CallPop is what the telephony layer knows when a call rings an
// operator's phone.
type CallPop struct {
	AccountID int64  // the operator whose phone rings
	CallID    int64  // the call record of the caller's leg
	Number    string // the calling number as it came
	Hotline   string // the number dialled
}

// popElder is one elder the calling number matched.
type popElder struct {
	*anxin.Elder
	Age        int
	OpenOrders int
	// Tasks are her open campaign tasks the operator may complete in this
	// call (on the call's page).
	Tasks []callTask
}

type popPage struct {
	*Page
	Call   CallPop
	Shown  string // the calling number, masked
	Elders []popElder
	// Work is the campaign attempt the call was placed for, when the
	// operator holds it (progressive dialling; workspace_dialling.go).
	Work *popWork
}

// PopCall shows the call on the operator's consoles: the elders the
// number matches within the operator's area, with their open orders and
// last contact. It returns how many consoles showed it (0: the operator
// has none open).
func (s *Server) PopCall(ctx context.Context, c CallPop) (int, error) {
	a, err := s.db.FindAccount(ctx, anxin.SystemScope(), c.AccountID)
	if err != nil {
		return 0, err
	}
	sc := anxin.ScopeOf(a)
	area := phone.AreaCode(sc.Region)
	elders, err := s.db.LookupPhone(ctx, sc, phone.Candidates(c.Number, area)...)
	if err != nil {
		return 0, err
	}
	shown := c.Number
	if n, err := phone.Normalize(c.Number, area); err == nil {
		shown = n
	}
	work, err := s.workOfCall(ctx, sc, c)
	if err != nil {
		return 0, err
	}
	if work != nil { // a call Anxin placed to the elder: her, not the caller ID
		elders, shown = []*anxin.Elder{work.elder}, work.number
	}
	p := &popPage{Page: &Page{Lang: a.Locale, msgs: s.msgs, Account: a, Scope: sc, now: s.cfg.Now()}, Call: c, Shown: maskCallNumber(shown), Work: work}
	if p.Lang == "" {
		p.Lang = anxin.LocaleZH
	}
	for _, e := range elders {
		_, open, err := s.db.FindOrders(ctx, sc, anxin.OrderFilter{ElderID: e.ID, Open: true, Limit: 1})
		if err != nil {
			return 0, err
		}
		var tasks []callTask
		if work == nil { // an elder calling in: her open campaign tasks
			if tasks, err = s.workableTasks(ctx, sc, e.ID); err != nil {
				return 0, err
			}
		}
		p.Elders = append(p.Elders, popElder{Elder: e, Age: ageOn(e.BirthDate, s.cfg.Now()), OpenOrders: open, Tasks: tasks})
	}
	var buf bytes.Buffer
	if err := s.pages["pop"].ExecuteTemplate(&buf, "content", p); err != nil {
		return 0, err
	}
	return s.hub.publish(a.ID, sseEvent("call", buf.String())), nil
}
