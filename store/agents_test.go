package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestAgentStates: an operator signs in, two queues offer her a call at
// the same moment and only one offer wins, the call ends in a wrap-up that
// reads as ready once run out, a restart of the node carrying a call frees
// her, and the supervisor's list is scoped.
func TestAgentStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		db.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		at := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
		w := newOrderWorld(t, db)
		op := w.operator.AccountID
		if s, err := db.AgentStatusOf(ctx, op); err != nil || s.State != anxin.AgentSignedOut {
			t.Fatalf("before: %+v %v", s, err)
		}
		if _, err := db.MoveAgent(ctx, op, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = db.MoveAgent(ctx, op, anxin.AgentEvent{Event: anxin.EvOffer, CallID: int64(100 + i), Node: "node-a"})
			}()
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("two offers at once: %v / %v (want exactly one)", errs[0], errs[1])
		}
		for _, err := range errs {
			if err != nil && anxin.ErrorCode(err) != anxin.ECONFLICT {
				t.Fatalf("losing offer: %v", err)
			}
		}
		if _, err := db.MoveAgent(ctx, op, anxin.AgentEvent{Event: anxin.EvAnswer}); err != nil {
			t.Fatal(err)
		}
		at(3 * time.Minute)
		s, err := db.MoveAgent(ctx, op, anxin.AgentEvent{Event: anxin.EvHangup, WrapUp: 30 * time.Second})
		if err != nil || s.State != anxin.AgentWrapUp {
			t.Fatalf("hangup: %+v %v", s, err)
		}
		at(31 * time.Second)
		if s, _ := db.AgentStatusOf(ctx, op); s.State != anxin.AgentReady {
			t.Fatalf("after the wrap-up ran out: %s", s.State)
		}
		// An offer now works: the expired wrap-up is settled first.
		if _, err := db.MoveAgent(ctx, op, anxin.AgentEvent{Event: anxin.EvOffer, CallID: 102, Node: "node-a"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveAgent(ctx, op, anxin.AgentEvent{Event: anxin.EvAnswer}); err != nil {
			t.Fatal(err)
		}
		// Another node restarting leaves her call alone; hers frees her.
		if n, err := db.ResetAgents(ctx, "node-b"); err != nil || n != 0 {
			t.Fatalf("reset node-b: %d %v", n, err)
		}
		if n, err := db.ResetAgents(ctx, "node-a"); err != nil || n != 1 {
			t.Fatalf("reset node-a: %d %v", n, err)
		}
		if s, _ := db.AgentStatusOf(ctx, op); s.State != anxin.AgentReady || s.CallID != 0 {
			t.Fatalf("after the restart: %+v", s)
		}
		list, err := db.FindAgents(ctx, w.operator)
		if err != nil || len(list) != 1 || list[0].AccountID != op || list[0].Name == "" {
			t.Fatalf("agents %+v %v", list, err)
		}
		if list, _ := db.FindAgents(ctx, w.provider); len(list) != 0 {
			t.Fatalf("a provider sees agents: %+v", list)
		}
	})
}
