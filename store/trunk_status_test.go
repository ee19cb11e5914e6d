package store_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// TestTrunkStatus: each node records its own status of a trunk; the state's
// start (since) stays while the state does and moves when it changes; the
// lists carry each node's calls in progress through the trunk (open legs
// naming it); a call that fails over moves to the next trunk with its
// callback number, and the channel count of a leg leaves out the legs
// opened after it.
func TestTrunkStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sys := anxin.SystemScope()
		a := &anxin.Trunk{Name: "电信", Kind: anxin.TrunkStatic, Peers: []netip.Prefix{netip.MustParsePrefix("203.0.113.0/28")},
			Host: "203.0.113.1", CallerID: "02162541234", MaxChannels: 2, Priority: 1, Enabled: true}
		b := &anxin.Trunk{Name: "联通", Kind: anxin.TrunkRegister, Host: "sip.example.cn", Username: "u", Password: "p",
			CallerID: "02162540000", Priority: 2, Enabled: true}
		for _, tr := range []*anxin.Trunk{a, b} {
			if err := db.SaveTrunk(ctx, sys, tr); err != nil {
				t.Fatal(err)
			}
		}
		t0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		set := func(id int64, node, state, detail string, at time.Time) {
			t.Helper()
			if err := db.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: id, Node: node, State: state, Detail: detail, UpdatedAt: at}); err != nil {
				t.Fatal(err)
			}
		}
		set(a.ID, "n1", anxin.TrunkUp, "OPTIONS: 200 OK", t0)
		set(a.ID, "n1", anxin.TrunkUp, "OPTIONS: 200 OK", t0.Add(30*time.Second))
		set(a.ID, "n2", anxin.TrunkDown, "OPTIONS: no response (2 in a row)", t0)
		set(b.ID, "n1", anxin.TrunkRegistering, "", t0)
		set(b.ID, "n1", anxin.TrunkUp, "200 OK, 300 s", t0.Add(time.Second))
		if err := db.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: a.ID, Node: "n1", State: "sideways"}); err == nil {
			t.Fatal("a state outside the list was recorded")
		}

		// Calls in progress: two on n1 through a, one ended, one on n2.
		var open []int64
		for _, c := range []struct {
			node, trunk string
			end         bool
		}{{"n1", a.Name, false}, {"n1", a.Name, true}, {"n1", a.Name, false}, {"n2", a.Name, false}, {"n1", b.Name, false}} {
			rec := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: "02162541234", ToNumber: "13812345678",
				Trunk: c.trunk, Node: c.node, StartedAt: t0, RegionCode: "3101"}
			if err := db.StartCall(ctx, rec); err != nil {
				t.Fatal(err)
			}
			if c.end {
				db.EndCall(ctx, rec.ID, t0, 200, "", anxin.HangupCaller)
			} else {
				open = append(open, rec.ID)
			}
		}
		all, err := db.TrunkStatuses(ctx, "")
		if err != nil || len(all) != 3 {
			t.Fatalf("statuses %+v %v", all, err)
		}
		want := []struct {
			id          int64
			node, state string
			since       time.Time
			calls       int
		}{{a.ID, "n1", anxin.TrunkUp, t0, 2}, {a.ID, "n2", anxin.TrunkDown, t0, 1}, {b.ID, "n1", anxin.TrunkUp, t0.Add(time.Second), 1}}
		for i, w := range want {
			s := all[i]
			if s.TrunkID != w.id || s.Node != w.node || s.State != w.state || !s.Since.Equal(w.since) || s.Calls != w.calls {
				t.Errorf("status %d: %+v, want %+v", i, s, w)
			}
		}
		if !all[0].UpdatedAt.Equal(t0.Add(30*time.Second)) || all[2].Detail != "200 OK, 300 s" {
			t.Errorf("updated %v, detail %q", all[0].UpdatedAt, all[2].Detail)
		}
		mine, err := db.TrunkStatuses(ctx, "n2")
		if err != nil || len(mine) != 1 || mine[0].State != anxin.TrunkDown || mine[0].Calls != 1 {
			t.Fatalf("n2's statuses %+v %v", mine, err)
		}

		count := func(before int64) int {
			t.Helper()
			n, err := db.OpenTrunkCalls(ctx, "n1", a.Name, before)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n, m := count(0), count(open[1]); n != 2 || m != 1 {
			t.Fatalf("n1's calls through a: %d, before the second: %d", n, m)
		}
		// The second leg fails over to b.
		if err := db.SetCallTrunk(ctx, open[1], b.Name, b.CallerID); err != nil {
			t.Fatal(err)
		}
		c, err := db.FindCall(ctx, sys, open[1])
		if err != nil || c.Trunk != b.Name || c.FromNumber != b.CallerID {
			t.Fatalf("moved call %+v %v", c, err)
		}
		if n := count(0); n != 1 {
			t.Fatalf("n1's calls through a after the move: %d", n)
		}
		if err := db.SetCallTrunk(ctx, 999999, b.Name, b.CallerID); anxin.ErrorCode(err) != anxin.ENOTFOUND {
			t.Fatalf("moving a call that does not exist: %v", err)
		}
	})
}
