package callflow_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/sipua/sipptest"
)

// spare adds a second trunk (priority 2, callback number 02162540000) whose
// carrier is SIPp on a port of its own, and returns the trunk and port.
func (w *world) spare(t *testing.T) (*anxin.Trunk, int) {
	t.Helper()
	port := sipptest.FreePort(t)
	b := &anxin.Trunk{Name: "备用中继", Kind: anxin.TrunkStatic, Peers: w.demoTrunk(t).Peers, Host: "127.0.0.1:" + strconv.Itoa(port),
		CallerID: "02162540000", Priority: 2, Enabled: true}
	if err := w.db.SaveTrunk(context.Background(), anxin.SystemScope(), b); err != nil {
		t.Fatal(err)
	}
	return b, port
}

// demoTrunk returns the demo trunk (priority 1, its carrier on w.carrier).
func (w *world) demoTrunk(t *testing.T) *anxin.Trunk {
	t.Helper()
	trunks, err := w.db.Trunks(context.Background())
	if err != nil || len(trunks) == 0 {
		t.Fatalf("trunks %v %v", trunks, err)
	}
	return trunks[0]
}

// placeCheckIn starts a check-in to the elder as operator1's area and
// returns its record's id and the scope to read it with.
func (w *world) placeCheckIn(t *testing.T) (int64, anxin.Scope) {
	t.Helper()
	op, err := w.db.AccountByUsername(context.Background(), "operator1")
	if err != nil {
		t.Fatal(err)
	}
	sc := anxin.ScopeOf(op)
	id, err := w.flows.CheckIn(context.Background(), sc, "13812345678", w.elder.ID)
	if err != nil {
		t.Fatal(err)
	}
	return id, sc
}

// wantCarried checks that a call ended answered, carried by trunk b with
// b's callback number shown.
func wantCarried(t *testing.T, c *anxin.Call, b *anxin.Trunk) {
	t.Helper()
	if c.Trunk != b.Name || c.FromNumber != b.CallerID || c.Cause != anxin.CauseAnswered {
		t.Fatalf("call %+v, want it answered through %s showing %s", c, b.Name, b.CallerID)
	}
	t.Logf("call %d answered through %s %s after it started", c.ID, c.Trunk, c.AnsweredAt.Sub(c.StartedAt).Round(time.Millisecond))
}

// TestFailoverOn503: the first trunk's carrier answers 503 (out of
// service); the check-in goes out through the second trunk, and its record
// names that trunk and its callback number.
func TestFailoverOn503(t *testing.T) {
	w := newWorld(t, options{minPort: 32700, phones: true})
	b, port := w.spare(t)
	first := sipptest.Serve(t, w.carrier, "testdata/uas_503.xml")
	second := sipptest.Serve(t, port, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	id, sc := w.placeCheckIn(t)
	for name, wait := range map[string]func() ([]byte, error){"first carrier": first, "second carrier": second} {
		if out, err := wait(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, sipptest.Tail(out, 2000))
		}
	}
	wantCarried(t, w.ended(t, sc, id), b)
}

// TestFailoverSilentTrunk: nothing answers at the first trunk's address,
// not even 100 Trying; after a few seconds the call goes out through the
// second trunk.
func TestFailoverSilentTrunk(t *testing.T) {
	w := newWorld(t, options{minPort: 32900, phones: true})
	b, port := w.spare(t)
	second := sipptest.Serve(t, port, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	id, sc := w.placeCheckIn(t) // the demo trunk's carrier (w.carrier) is not listening
	if out, err := second(); err != nil {
		t.Fatalf("second carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	wantCarried(t, w.ended(t, sc, id), b)
}

// TestTrunkDownSkipped: the trunk monitor saw the first trunk down on this
// node, so calls out go straight to the second — although the first
// trunk's carrier would answer.
func TestTrunkDownSkipped(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 33100, phones: true})
	b, port := w.spare(t)
	a := w.demoTrunk(t)
	if err := w.db.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: a.ID, Node: "test", State: anxin.TrunkDown, Detail: "OPTIONS: no response (2 in a row)"}); err != nil {
		t.Fatal(err)
	}
	// Down on another node only does not count here.
	if err := w.db.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: b.ID, Node: "other", State: anxin.TrunkDown}); err != nil {
		t.Fatal(err)
	}
	sipptest.Serve(t, w.carrier, "testdata/uas_answer_bye.xml")
	second := sipptest.Serve(t, port, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	id, sc := w.placeCheckIn(t)
	if out, err := second(); err != nil {
		t.Fatalf("second carrier: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	wantCarried(t, w.ended(t, sc, id), b)

	// Both down: no call is placed.
	if err := w.db.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: b.ID, Node: "test", State: anxin.TrunkDown}); err != nil {
		t.Fatal(err)
	}
	op, _ := w.db.AccountByUsername(ctx, "operator1")
	if _, err := w.flows.CheckIn(ctx, anxin.ScopeOf(op), "13812345678", w.elder.ID); anxin.ErrorCode(err) != anxin.EUNAVAILABLE {
		t.Fatalf("check-in with every trunk down: %v", err)
	}
}

// TestTrunkMaxChannels: the first trunk carries one call at a time; a
// second check-in while the first is under way goes out through the
// second trunk, and once the first call has ended the first trunk takes
// calls again.
func TestTrunkMaxChannels(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t, options{minPort: 33300, phones: true})
	b, port := w.spare(t)
	a := w.demoTrunk(t)
	a.MaxChannels = 1
	if err := w.db.SaveTrunk(ctx, anxin.SystemScope(), a); err != nil {
		t.Fatal(err)
	}
	first := sipptest.Serve(t, w.carrier, "testdata/uas_answer_bye.xml")
	second := sipptest.Serve(t, port, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	id1, sc := w.placeCheckIn(t)
	id2, _ := w.placeCheckIn(t)
	for name, wait := range map[string]func() ([]byte, error){"first carrier": first, "second carrier": second} {
		if out, err := wait(); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, sipptest.Tail(out, 2000))
		}
	}
	wantCarried(t, w.ended(t, sc, id1), a)
	wantCarried(t, w.ended(t, sc, id2), b)

	again := sipptest.Serve(t, w.carrier, "testdata/uas_answer_bye.xml")
	time.Sleep(300 * time.Millisecond)
	id3, _ := w.placeCheckIn(t)
	if out, err := again(); err != nil {
		t.Fatalf("first carrier again: %v\n%s", err, sipptest.Tail(out, 2000))
	}
	wantCarried(t, w.ended(t, sc, id3), a)
}
