package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/recordings"
)

// TestAlarms: a node's disk-full alarm shows on the home page of the
// platform's and the city's administrators and supervisors, in their
// language, and not on an operator's or a district's; /admin/alarms keeps
// the history; the API lists it; /metrics counts the active ones.
func TestAlarms(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		at := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		old := &anxin.Alarm{Key: recordings.KeyWriteFailed, Node: "node-a", Severity: anxin.AlarmWarning,
			Message: recordings.MessageWriteFailed, Args: []string{"/data/recordings", "read-only file system"}, RaisedAt: at}
		if _, err := e.db.RaiseAlarm(ctx, old); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.ClearAlarm(ctx, old.Key, old.Node, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		full := &anxin.Alarm{Key: recordings.KeyDiskFull, Node: "node-a", Severity: anxin.AlarmWarning,
			Message: recordings.MessageDiskFull, Args: []string{"/data/recordings", "900.0 MiB", "2.0 GiB"}, RaisedAt: at.Add(2 * time.Hour)}
		if _, err := e.db.RaiseAlarm(ctx, full); err != nil {
			t.Fatal(err)
		}

		for _, who := range []string{"admin", "cityadmin", "supervisor1"} {
			_, body := e.signIn(who).get("/")
			wantBody(t, body, "录音磁盘空间不足：/data/recordings 仅剩 900.0 MiB，低于最低要求 2.0 GiB。", "node-a", `href="/admin/alarms"`)
			if strings.Contains(body, "录音无法写入") {
				t.Errorf("%s: a cleared alarm on the home page", who)
			}
		}
		for _, who := range []string{"operator1", "putuo-operator", "street1", "provider1"} {
			if _, body := e.signIn(who).get("/"); strings.Contains(body, "录音磁盘") || strings.Contains(body, `href="/admin/alarms"`) {
				t.Errorf("%s sees the alarms", who)
			}
		}

		c := e.signIn("cityadmin")
		st, body := c.get("/admin/alarms")
		wantStatus(t, "alarms page", st, http.StatusOK)
		wantBody(t, body, "录音磁盘空间不足", "录音无法写入 /data/recordings：read-only file system。", "未解除")
		_, body = c.get("/admin/alarms?active=1")
		if strings.Contains(body, "录音无法写入") || !strings.Contains(body, "录音磁盘空间不足") {
			t.Errorf("active alarms page:\n%s", body)
		}
		st, _ = e.signIn("operator1").get("/admin/alarms")
		wantStatus(t, "operator opens the alarms", st, http.StatusForbidden)

		var list struct {
			Items []struct {
				anxin.Alarm
				Text string `json:"text"`
			}
			Total int
		}
		tok := e.token("admin")
		wantStatus(t, "API alarms", e.api("GET", "/api/v1/alarms", tok, nil, &list), http.StatusOK)
		if list.Total != 2 || len(list.Items) != 2 || list.Items[0].ID != full.ID || !list.Items[1].ClearedAt.Equal(at.Add(time.Hour)) ||
			list.Items[0].Args[1] != "900.0 MiB" || !strings.HasPrefix(list.Items[0].Text, "录音磁盘空间不足") {
			t.Fatalf("API alarms %+v", list)
		}
		wantStatus(t, "API active alarms", e.api("GET", "/api/v1/alarms?active=true", tok, nil, &list), http.StatusOK)
		if list.Total != 1 || list.Items[0].Key != recordings.KeyDiskFull || !list.Items[0].ClearedAt.IsZero() {
			t.Fatalf("API active alarms %+v", list)
		}
		wantStatus(t, "API bad filter", e.api("GET", "/api/v1/alarms?active=maybe", tok, nil, nil), http.StatusBadRequest)
		wantStatus(t, "API alarms as an operator", e.api("GET", "/api/v1/alarms", e.token("operator1"), nil, nil), http.StatusForbidden)

		_, body = e.anon().get("/metrics")
		wantBody(t, body, "anxin_alarms_active 1\n")
	})
}
