package callflow

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/anxin-care/anxin"
)

// acd hands ready operators to waiting callers: first come, first served,
// each caller to the operator idle longest among those who may take the
// call. Before a caller's queue overflows, only operators with the queue's
// skill who speak the caller's language may; after, anyone ready.
//
// A node dispatches its own callers; the operators are shared by all
// nodes through their states in the database (an offer moves a ready
// operator to ringing atomically, so two nodes never ring the same
// operator). Places in line, and so the positions announced, are per node.
type acd struct {
	f    *Flows
	mu   sync.Mutex
	seq  uint64
	line []*waiter // in order of arrival
	// running is true while a dispatch loop runs; kick wakes it.
	running bool
	kick    chan struct{}
	// pending are the operators handed to a caller who has not yet
	// offered them the call (their state still says ready).
	pending map[int64]bool
	// handled is a moving average of how long callers recently waited
	// until an operator took them, by queue.
	handled map[string]time.Duration
}

// retryOffer is how long a caller's call is not offered again to an
// operator it was offered to.
const retryOffer = time.Minute

// waiter is a caller in line.
type waiter struct {
	seq    uint64
	region string // the hotline's area: its operators may take the call
	q      anxin.Queue
	lang   string
	since  time.Time
	// offers receives the operator to offer the call to; busy is true
	// from then until the caller is back in line.
	offers chan anxin.AgentStatus
	busy   bool
	// tried says when each operator was offered the call: she is not
	// offered it again for a minute (she let it ring out, or was away).
	tried map[int64]time.Time
}

func newACD(f *Flows) *acd {
	return &acd{f: f, kick: make(chan struct{}, 1), pending: map[int64]bool{}, handled: map[string]time.Duration{}}
}

// join puts a caller in line in the place of their arrival at since: at
// the end for a caller who just rang, further up for one called back in
// their place.
func (a *acd) join(region string, q anxin.Queue, lang string, since time.Time) *waiter {
	a.mu.Lock()
	a.seq++
	w := &waiter{seq: a.seq, region: region, q: q, lang: lang, since: since, offers: make(chan anxin.AgentStatus, 1), tried: map[int64]time.Time{}}
	i := slices.IndexFunc(a.line, func(x *waiter) bool { return x.since.After(since) })
	if i < 0 {
		i = len(a.line)
	}
	a.line = slices.Insert(a.line, i, w)
	if !a.running {
		a.running = true
		go a.run()
	}
	a.mu.Unlock()
	a.wake()
	return w
}

// leave takes a caller out of the line.
func (a *acd) leave(w *waiter) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.line = slices.DeleteFunc(a.line, func(x *waiter) bool { return x == w })
	select {
	case s := <-w.offers: // handed an operator it never offered the call to
		delete(a.pending, s.AccountID)
	default:
	}
}

// offered records that w offered the call to operator id (her state now
// says so) or could not: either way she is no longer pending, and w does
// not offer it to her again.
func (a *acd) offered(w *waiter, id int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.pending, id)
	if w != nil { // nil: a call offered outside the line (elder first)
		w.tried[id] = time.Now()
	}
}

// hold keeps a caller's place but offers them nobody (while they answer a
// question).
func (a *acd) hold(w *waiter) {
	a.mu.Lock()
	w.busy = true
	a.mu.Unlock()
}

// back puts a caller whose offer failed back in line (in their place).
func (a *acd) back(w *waiter) {
	a.mu.Lock()
	w.busy = false
	a.mu.Unlock()
	a.wake()
}

// took records that an operator took a caller who waited d.
func (a *acd) took(queue string, d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if old, ok := a.handled[queue]; ok {
		a.handled[queue] = (3*old + d) / 4
	} else {
		a.handled[queue] = d
	}
}

// position returns how many callers are ahead of w in its queue and area,
// and how long callers of the queue recently waited (0: unknown).
func (a *acd) position(w *waiter) (int, time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, x := range a.line {
		if x == w {
			break
		}
		if x.q.Name == w.q.Name && x.region == w.region {
			n++
		}
	}
	return n, a.handled[w.q.Name]
}

func (a *acd) wake() {
	select {
	case a.kick <- struct{}{}:
	default:
	}
}

// run dispatches while anyone is in line: at once when a caller joins or
// comes back, and every half second (operators become ready).
func (a *acd) run() {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		a.mu.Lock()
		if len(a.line) == 0 {
			a.running = false
			a.mu.Unlock()
			return
		}
		a.mu.Unlock()
		a.dispatch(context.Background())
		select {
		case <-a.kick:
		case <-t.C:
		}
	}
}

// dispatch offers ready operators to the callers in line, in order.
func (a *acd) dispatch(ctx context.Context) {
	a.mu.Lock()
	var line []*waiter
	regions := map[string]bool{}
	for _, w := range a.line {
		if !w.busy {
			line = append(line, w)
			regions[w.region] = true
		}
	}
	a.mu.Unlock()
	if len(line) == 0 {
		return
	}
	db := a.f.cfg.DB
	ready := map[string][]anxin.AgentStatus{}
	var ids []int64
	for region := range regions {
		agents, err := db.FindAgents(ctx, anxin.Scope{Region: region})
		if err != nil {
			a.f.cfg.Log.Error("queue: operators", "err", err)
			return
		}
		agents = slices.DeleteFunc(agents, func(s anxin.AgentStatus) bool { return s.State != anxin.AgentReady })
		slices.SortStableFunc(agents, func(x, y anxin.AgentStatus) int { return x.Since.Compare(y.Since) })
		ready[region] = agents
		for _, s := range agents {
			ids = append(ids, s.AccountID)
		}
	}
	if len(ids) == 0 {
		return
	}
	skills, err := db.Skills(ctx, ids...)
	if err != nil {
		a.f.cfg.Log.Error("queue: skills", "err", err)
		return
	}
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, w := range line {
		if w.busy || !slices.Contains(a.line, w) {
			continue // left meanwhile
		}
		overflow := now.Sub(w.since) >= time.Duration(w.q.OverflowSeconds)*time.Second
		for _, s := range ready[w.region] {
			if a.pending[s.AccountID] || now.Sub(w.tried[s.AccountID]) < retryOffer {
				continue
			}
			if !overflow && !anxin.CanTake(skills[s.AccountID], w.q, w.lang) {
				continue
			}
			a.pending[s.AccountID], w.busy = true, true
			w.offers <- s
			break
		}
	}
}
