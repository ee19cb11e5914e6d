package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

// An alarm raised twice is one active alarm that keeps when it was first
// raised and takes the newest words; each node has its own; clearing ends
// it into the history, and the next raise starts a new one.
func TestAlarms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		raise := func(node string, at time.Time, args ...string) (*anxin.Alarm, bool) {
			t.Helper()
			a := &anxin.Alarm{Key: "recordings.disk_full", Node: node, Severity: anxin.AlarmWarning,
				Message: "alarm.recordings.disk_full", Args: args, RaisedAt: at}
			raised, err := db.RaiseAlarm(ctx, a)
			if err != nil {
				t.Fatalf("raise: %v", err)
			}
			return a, raised
		}
		first, raised := raise("node-a", at, "/data/recordings", "900 MiB", "2 GiB")
		if !raised || first.ID == 0 {
			t.Fatalf("first raise: raised %v, id %d", raised, first.ID)
		}
		again, raised := raise("node-a", at.Add(time.Minute), "/data/recordings", "800 MiB", "2 GiB")
		if raised || again.ID != first.ID || !again.RaisedAt.Equal(at) {
			t.Fatalf("raise while active: raised %v, %+v, want the alarm of %v", raised, again, at)
		}
		other, raised := raise("node-b", at.Add(2*time.Minute))
		if !raised || other.ID == first.ID {
			t.Fatalf("another node's alarm: raised %v, id %d", raised, other.ID)
		}
		if _, err := db.RaiseAlarm(ctx, &anxin.Alarm{Key: "trunk.down", Severity: "fatal", Message: "x"}); anxin.ErrorCode(err) != anxin.EINVALID {
			t.Errorf("raise with a bad severity: %v, want EINVALID", err)
		}
		crit := &anxin.Alarm{Key: "trunks.down", Severity: anxin.AlarmCritical, Message: "alarm.trunks.down", RaisedAt: at}
		if _, err := db.RaiseAlarm(ctx, crit); err != nil {
			t.Fatal(err)
		}

		active, err := db.ActiveAlarms(ctx, anxin.SystemScope())
		if err != nil {
			t.Fatal(err)
		}
		if ids := alarmIDs(active); !slices.Equal(ids, []int64{crit.ID, other.ID, first.ID}) {
			t.Fatalf("active alarms %v, want critical first then newest: %v", ids, []int64{crit.ID, other.ID, first.ID})
		}
		if a := active[2]; !slices.Equal(a.Args, []string{"/data/recordings", "800 MiB", "2 GiB"}) || !a.Active() {
			t.Errorf("active alarm %+v, want the newest arguments", a)
		}
		if n, err := db.CountActiveAlarms(ctx); err != nil || n != 3 {
			t.Errorf("count active: %d, %v", n, err)
		}

		cleared, err := db.ClearAlarm(ctx, "recordings.disk_full", "node-a", at.Add(time.Hour))
		if err != nil || !cleared {
			t.Fatalf("clear: %v, %v", cleared, err)
		}
		if cleared, err := db.ClearAlarm(ctx, "recordings.disk_full", "node-a", at.Add(2*time.Hour)); err != nil || cleared {
			t.Errorf("clear again: %v, %v; want nothing to clear", cleared, err)
		}
		next, raised := raise("node-a", at.Add(3*time.Hour))
		if !raised || next.ID == first.ID {
			t.Fatalf("raise after clear: raised %v, id %d, want a new alarm", raised, next.ID)
		}

		all, total, err := db.FindAlarms(ctx, anxin.SystemScope(), anxin.AlarmFilter{})
		if err != nil {
			t.Fatal(err)
		}
		// crit and first were raised at the same time: the later id first.
		if total != 4 || !slices.Equal(alarmIDs(all), []int64{next.ID, other.ID, crit.ID, first.ID}) {
			t.Fatalf("history %v (total %d)", alarmIDs(all), total)
		}
		for _, a := range all {
			if a.ID == first.ID && (a.Active() || !a.ClearedAt.Equal(at.Add(time.Hour))) {
				t.Errorf("cleared alarm %+v", a)
			}
		}
		onlyActive, total, err := db.FindAlarms(ctx, anxin.SystemScope(), anxin.AlarmFilter{ActiveOnly: true, Limit: 2})
		if err != nil || total != 3 || len(onlyActive) != 2 {
			t.Errorf("active page: %d of %d, %v", len(onlyActive), total, err)
		}
	})
}

// Alarms are for the platform's and a city's administrators and
// supervisors.
func TestAlarmsScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		for _, c := range []struct {
			name string
			sc   anxin.Scope
			sees bool
		}{
			{"platform admin", anxin.SystemScope(), true},
			{"city supervisor", anxin.Scope{Region: "3202", Roles: []string{anxin.RoleSupervisor}}, true},
			{"city admin", anxin.Scope{Region: "3202", Roles: []string{anxin.RoleAdmin}}, true},
			{"city operator", anxin.Scope{Region: "3202", Roles: []string{anxin.RoleOperator}}, false},
			{"district supervisor", anxin.Scope{Region: "320213", Roles: []string{anxin.RoleSupervisor}}, false},
			{"supplier", anxin.Scope{AssignedOnly: true, Roles: []string{anxin.RoleAdmin}}, false},
		} {
			_, err := db.ActiveAlarms(ctx, c.sc)
			_, _, ferr := db.FindAlarms(ctx, c.sc, anxin.AlarmFilter{})
			if c.sees && (err != nil || ferr != nil) {
				t.Errorf("%s: %v, %v", c.name, err, ferr)
			}
			if !c.sees && (anxin.ErrorCode(err) != anxin.EFORBIDDEN || anxin.ErrorCode(ferr) != anxin.EFORBIDDEN) {
				t.Errorf("%s: %v, %v; want EFORBIDDEN", c.name, err, ferr)
			}
		}
	})
}

func alarmIDs(as []*anxin.Alarm) []int64 {
	var ids []int64
	for _, a := range as {
		ids = append(ids, a.ID)
	}
	return ids
}
