package callflow

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/demo"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/rtp"
	"github.com/anxin-care/anxin/sipua"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// busyPhones is a node's SIP as the dialler sees it: the extensions
// registered here, and every number busy (486) — it records whom Anxin
// dialled.
type busyPhones struct {
	registered map[string]bool
	mu         sync.Mutex
	dialled    []string
}

func (p *busyPhones) Registered(user string) (sipua.Binding, bool) {
	return sipua.Binding{User: user}, p.registered[user]
}

func (p *busyPhones) Dial(_ context.Context, to sip.Uri, _ string, _ []byte, _ func()) (*sipua.OutgoingCall, error) {
	p.mu.Lock()
	p.dialled = append(p.dialled, to.User)
	p.mu.Unlock()
	return nil, &sipua.DialError{Code: 486, Provisional: true}
}

func (p *busyPhones) numbers() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.dialled...)
}

// TestProgressiveWho: whom one round of the progressive dialler calls an
// elder for, round by round (each round's calls over before the next, the
// elders always busy). Nobody while operator1, who works the campaign, is
// on a break; not operator2, ready but working no campaign; not
// putuo-operator, who works it but whose phone is registered with another
// node. Once operator1 is ready, one elder for her (the older first) —
// busy, the attempt finished as busy, operator1 ready again; the next
// round the other elder. Claimed by another node, nothing; the calls over
// (every elder at the contact cap), nothing.
func TestProgressiveWho(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.Open(t, store.SQLite)
	now := time.Date(2026, 11, 23, 2, 0, 0, 0, time.UTC) // Monday 10:00 China time
	db.Now = func() time.Time { return now }
	logins, err := demo.LoadWith(ctx, db, password.Hasher{P: password.Fast}, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	trunks, _ := db.Trunks(ctx)
	trunks[0].Host = "127.0.0.1:9"
	if err := db.SaveTrunk(ctx, anxin.SystemScope(), trunks[0]); err != nil {
		t.Fatal(err)
	}
	engine, err := rtp.NewEngine(rtp.Config{IP: netip.MustParseAddr("127.0.0.1"), MinPort: 38700, MaxPort: 38800})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { engine.Close() })
	f, err := New(Config{DB: db, Engine: engine, LocalIP: netip.MustParseAddr("127.0.0.1"), Node: "n",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	phones := &busyPhones{registered: map[string]bool{}}
	f.SetPhones(phones)
	ops := map[string]*anxin.Account{}
	for _, l := range logins {
		if l.Username == "operator1" || l.Username == "operator2" || l.Username == "putuo-operator" {
			if ops[l.Username], err = db.AccountByUsername(ctx, l.Username); err != nil {
				t.Fatal(err)
			}
			if _, err := db.MoveAgent(ctx, ops[l.Username].ID, anxin.AgentEvent{Event: anxin.EvSignIn}); err != nil {
				t.Fatal(err)
			}
			if l.Extension == "" {
				t.Fatalf("%s has no extension", l.Username)
			}
			phones.registered[l.Extension] = l.Username != "putuo-operator"
		}
	}
	if len(ops) != 3 {
		t.Fatalf("demo operators %v", ops)
	}
	for number, born := range map[string]string{"13900000041": "1930-01-01", "13900000042": "1950-01-01"} {
		e := &anxin.Elder{Name: "老人", BirthDate: born, RegionCode: "310107005003", Phones: []anxin.Phone{{Number: number, Label: anxin.PhoneMobile}}}
		if err := db.CreateElder(ctx, anxin.SystemScope(), e); err != nil {
			t.Fatal(err)
		}
	}
	sup, err := db.AccountByUsername(ctx, "supervisor1")
	if err != nil {
		t.Fatal(err)
	}
	c := &anxin.Campaign{Name: "保供", Type: anxin.CampaignSupply, Mode: anxin.DialProgressive, StartsOn: "2026-11-23", RegionCode: "310107005003"}
	if err := db.CreateCampaign(ctx, anxin.ScopeOf(sup), c); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BuildTasks(ctx, anxin.ScopeOf(sup), c.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCampaignState(ctx, anxin.ScopeOf(sup), c.ID, anxin.CampaignRunning); err != nil {
		t.Fatal(err)
	}
	op1 := ops["operator1"]
	for _, name := range []string{"operator1", "putuo-operator"} {
		if err := db.JoinCampaign(ctx, ops[name].ID, c.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.MoveAgent(ctx, op1.ID, anxin.AgentEvent{Event: anxin.EvBreak, Reason: "meal"}); err != nil {
		t.Fatal(err)
	}

	p := &progressive{f: f, node: "n", ctx: ctx, calls: map[int64]int64{}, idle: map[int64]time.Time{}}
	round := func(want ...string) {
		t.Helper()
		before := len(phones.numbers())
		p.round(ctx)
		p.wg.Wait()
		if got := phones.numbers()[before:]; len(got) != len(want) || len(want) > 0 && got[0] != want[0] {
			t.Fatalf("dialled %q, want %q", got, want)
		}
	}
	attempts := func() int {
		t.Helper()
		var n int
		if err := db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM campaign_attempts").Scan(&n)
		}); err != nil {
			t.Fatal(err)
		}
		return n
	}

	round()
	if n := attempts(); n != 0 {
		t.Fatalf("%d attempts with nobody free", n)
	}
	if _, err := db.MoveAgent(ctx, op1.ID, anxin.AgentEvent{Event: anxin.EvReady}); err != nil {
		t.Fatal(err)
	}
	round("13900000041")
	owner := store.OperatorOwner(op1.ID)
	var disp, caller string
	if err := db.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT disposition, caller FROM campaign_attempts").Scan(&disp, &caller)
	}); err != nil || disp != anxin.DispBusy || caller != owner {
		t.Fatalf("the attempt: %s by %s (%v), want busy by %s", disp, caller, err, owner)
	}
	if s, _ := db.AgentStatusOf(ctx, op1.ID); s.State != anxin.AgentReady || s.CallID != 0 {
		t.Fatalf("operator1 after a busy elder: %+v", s)
	}
	round("13900000042")
	if n := attempts(); n != 2 {
		t.Fatalf("%d attempts, want 2", n)
	}
	// Another node holds her: nothing here.
	now = now.Add(10 * time.Minute) // the first elder's retry is due, the cap puts it off
	if ok, err := db.ClaimOperator(ctx, op1.ID, c.ID, "other"); err != nil || !ok {
		t.Fatalf("claim by another node %v %v", ok, err)
	}
	round()
	if _, err := db.ReleaseOperator(ctx, op1.ID, "other", 0); err != nil {
		t.Fatal(err)
	}
	round() // due again, but both were called today
	if n := attempts(); n != 2 {
		t.Fatalf("%d attempts after the cap, want 2", n)
	}
}
