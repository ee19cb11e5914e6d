package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
)

// trunkForm is the trunk form as a browser posts it.
func trunkForm(name, kind, peers, host, user, pw, callerID, channels, priority string, enabled bool) url.Values {
	v := url.Values{"name": {name}, "kind": {kind}, "peers": {peers}, "host": {host}, "username": {user}, "password": {pw},
		"caller_id": {callerID}, "max_channels": {channels}, "priority": {priority}}
	if enabled {
		v.Set("enabled", "true")
	}
	return v
}

// trunkNamed returns a trunk from the store by name.
func trunkNamed(t *testing.T, e *testEnv, name string) *anxin.Trunk {
	t.Helper()
	trunks, err := e.db.Trunks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trunks {
		if tr.Name == name {
			return tr
		}
	}
	t.Fatalf("no trunk %q in %+v", name, trunks)
	return nil
}

// The platform administrator lists the trunks with each node's status
// (state, since, detail, calls in progress of the channels), adds a
// registering trunk — its password never shown back, kept when the edit
// leaves it empty — edits and disables it, and adds and edits hotline
// numbers; a refused form comes back as typed. Every change is audited.
// The hotline's administrator sees the page but no form; an operator may
// not open it.
func TestTrunksPage(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		demoTrunk := trunkNamed(t, e, "本机测试中继")
		demoTrunk.MaxChannels = 30
		if err := e.db.SaveTrunk(ctx, anxin.SystemScope(), demoTrunk); err != nil {
			t.Fatal(err)
		}
		since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC) // 08:00 in China
		if err := e.db.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: demoTrunk.ID, Node: "node-a", State: anxin.TrunkDown,
			Detail: "OPTIONS: no response (2 in a row)", Since: since, UpdatedAt: since}); err != nil {
			t.Fatal(err)
		}
		call := &anxin.Call{Direction: anxin.CallOutbound, Leg: anxin.LegCaller, FromNumber: "966666", ToNumber: "13812345678",
			Trunk: demoTrunk.Name, Node: "node-a", StartedAt: since, RegionCode: "3101"}
		if err := e.db.StartCall(ctx, call); err != nil {
			t.Fatal(err)
		}

		admin := e.signIn("admin")
		st, body := admin.get("/admin/trunks")
		wantStatus(t, "page", st, http.StatusOK)
		wantBody(t, body, "本机测试中继", "node-a", "断开", "自 2026-05-01 08:00", "OPTIONS: no response (2 in a row)", "通话中 1 / 30",
			`href="/admin/trunks/new"`, `action="/admin/dids"`, `action="/admin/dids/966666"`, "上海市为老服务热线", `href="/admin/trunks"`)

		// A new registering trunk; its password is not shown back.
		st, loc, _ := postWithLocation(t, admin, "/admin/trunks", trunkForm("联通注册", anxin.TrunkRegister, "", "sip.example.cn:5060",
			"021888", "pa55word", "02162549999", "10", "2", true))
		wantStatus(t, "create", st, http.StatusSeeOther)
		reg := trunkNamed(t, e, "联通注册")
		if !strings.Contains(loc, "flash=trunk_created") || !strings.HasSuffix(loc, fmt.Sprintf("#trunk-%d", reg.ID)) {
			t.Fatalf("redirect to %s", loc)
		}
		if reg.Password != "pa55word" || reg.MaxChannels != 10 || reg.Priority != 2 || !reg.Enabled || reg.Username != "021888" {
			t.Fatalf("stored %+v", reg)
		}
		if a := lastAudit(t, e, anxin.AuditTrunkCreate); a.TargetID != fmt.Sprint(reg.ID) || strings.Contains(a.Detail, "pa55word") ||
			!strings.Contains(a.Detail, "联通注册") {
			t.Fatalf("audit %+v", a)
		}
		st, body = admin.get(fmt.Sprintf("/admin/trunks/%d", reg.ID))
		wantStatus(t, "edit form", st, http.StatusOK)
		wantBody(t, body, `value="sip.example.cn:5060"`, `value="021888"`, "已设置密码（不会显示）")
		if strings.Contains(body, "pa55word") {
			t.Fatal("the edit form shows the password")
		}

		// An edit leaving the password empty keeps it; a bad peer is refused
		// with the form as typed.
		st, body = admin.post(fmt.Sprintf("/admin/trunks/%d", reg.ID), trunkForm("联通注册", anxin.TrunkRegister, "10.0.0.x",
			"sip.example.cn:5060", "021888", "", "02162549999", "20", "2", true))
		wantStatus(t, "bad peer", st, http.StatusBadRequest)
		wantBody(t, body, "10.0.0.x", `role="alert"`, `value="20"`)
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/trunks/%d", reg.ID), trunkForm("联通注册", anxin.TrunkRegister,
			"198.51.100.7", "sip.example.cn:5060", "021888", "", "02162549999", "20", "2", true))
		wantStatus(t, "edit", st, http.StatusSeeOther)
		if reg = trunkNamed(t, e, "联通注册"); reg.Password != "pa55word" || reg.MaxChannels != 20 || len(reg.Peers) != 1 ||
			reg.Peers[0].String() != "198.51.100.7/32" {
			t.Fatalf("after the edit %+v", reg)
		}
		if a := lastAudit(t, e, anxin.AuditTrunkUpdate); a.Detail != "联通注册: peers →198.51.100.7/32; max_channels 10→20" {
			t.Fatalf("audit %+v", a)
		}
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/trunks/%d", reg.ID), trunkForm("联通注册", anxin.TrunkRegister,
			"198.51.100.7", "sip.example.cn:5060", "021888", "n3w", "02162549999", "20", "2", true))
		wantStatus(t, "new password", st, http.StatusSeeOther)
		if a := lastAudit(t, e, anxin.AuditTrunkUpdate); a.Detail != "联通注册: password changed" {
			t.Fatalf("audit %+v", a)
		}

		// Disable from the list.
		st, _, _ = postWithLocation(t, admin, fmt.Sprintf("/admin/trunks/%d/enabled", reg.ID), url.Values{})
		wantStatus(t, "disable", st, http.StatusSeeOther)
		if reg = trunkNamed(t, e, "联通注册"); reg.Enabled || reg.Password != "n3w" {
			t.Fatalf("after disabling %+v", reg)
		}
		_, body = admin.get("/admin/trunks")
		wantBody(t, body, "（已停用）", fmt.Sprintf(`action="/admin/trunks/%d/enabled"`, reg.ID), "尚无节点报告状态")

		// Hotline numbers: a new one, a duplicate refused as typed, an edit.
		st, _, _ = postWithLocation(t, admin, "/admin/dids", url.Values{"number": {"02152000000"}, "flow": {anxin.FlowHotline},
			"region_code": {"310107"}, "name": {"普陀区热线"}})
		wantStatus(t, "new number", st, http.StatusSeeOther)
		st, body = admin.post("/admin/dids", url.Values{"number": {"966666"}, "flow": {anxin.FlowCallback}, "region_code": {"3101"},
			"name": {"重复"}})
		wantStatus(t, "duplicate number", st, http.StatusConflict)
		wantBody(t, body, "号码 966666 已配置", `value="重复"`)
		st, _, _ = postWithLocation(t, admin, "/admin/dids/02152000000", url.Values{"flow": {anxin.FlowCallback},
			"region_code": {"310107"}, "name": {"普陀区回拨"}})
		wantStatus(t, "edit number", st, http.StatusSeeOther)
		if d, err := e.db.DID(ctx, "02152000000"); err != nil || d.Flow != anxin.FlowCallback || d.Name != "普陀区回拨" {
			t.Fatalf("number %+v %v", d, err)
		}
		if a := lastAudit(t, e, anxin.AuditDIDSave); a.Detail != "02152000000: flow hotline→callback; name 普陀区热线→普陀区回拨" {
			t.Fatalf("audit %+v", a)
		}

		// The hotline's administrator reads; the forms are not there and
		// posting is refused.
		city := e.signIn("cityadmin")
		st, body = city.get("/admin/trunks")
		wantStatus(t, "city admin page", st, http.StatusOK)
		wantBody(t, body, "本机测试中继", "只有平台管理员可以修改")
		if strings.Contains(body, `action="/admin/dids"`) || strings.Contains(body, "/admin/trunks/new") {
			t.Fatal("the hotline's administrator gets the forms")
		}
		st, _ = city.post("/admin/trunks", trunkForm("x", anxin.TrunkStatic, "10.0.0.1", "", "", "", "021", "0", "1", true))
		wantStatus(t, "city admin creates", st, http.StatusForbidden)
		st, _ = city.get(fmt.Sprintf("/admin/trunks/%d", reg.ID))
		wantStatus(t, "city admin edit form", st, http.StatusForbidden)

		op := e.signIn("operator1")
		st, _ = op.get("/admin/trunks")
		wantStatus(t, "operator", st, http.StatusForbidden)
		if _, body = op.get("/"); strings.Contains(body, `href="/admin/trunks"`) {
			t.Fatal("an operator's navigation links to the trunks")
		}
	})
}

// The API lists trunks without passwords and with each node's status,
// creates and patches them (platform administrators), and does the same
// for hotline numbers; other administrators read, everyone else gets 403.
func TestTrunksAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		admin, city, op := e.token("admin"), e.token("cityadmin"), e.token("operator1")
		var created struct {
			ID          int64    `json:"id"`
			Name        string   `json:"name"`
			Peers       []string `json:"peers"`
			HasPassword bool     `json:"has_password"`
			Enabled     bool     `json:"enabled"`
			Password    string   `json:"password"`
		}
		body := map[string]any{"name": "电信备用", "kind": "static", "peers": []string{"203.0.113.0/28", "198.51.100.9"},
			"host": "203.0.113.1", "username": "u", "password": "secret", "caller_id": "02162541234", "max_channels": 5, "priority": 3}
		if st := e.api("POST", "/api/v1/trunks", admin, body, &created); st != http.StatusCreated || created.ID == 0 || !created.Enabled ||
			!created.HasPassword || created.Password != "" || len(created.Peers) != 2 || created.Peers[1] != "198.51.100.9/32" {
			t.Fatalf("create: %d %+v", st, created)
		}
		if st := e.api("POST", "/api/v1/trunks", admin, body, nil); st != http.StatusConflict {
			t.Fatalf("same name again: %d", st)
		}
		if st := e.api("POST", "/api/v1/trunks", city, map[string]any{"name": "x"}, nil); st != http.StatusForbidden {
			t.Fatalf("city admin creates: %d", st)
		}
		if st := e.api("POST", "/api/v1/trunks", admin, map[string]any{"name": "x", "kind": "static", "caller_id": "021"}, nil); st != http.StatusBadRequest {
			t.Fatalf("static trunk without peers: %d", st)
		}
		if err := e.db.SetTrunkStatus(ctx, &anxin.TrunkStatus{TrunkID: created.ID, Node: "node-a", State: anxin.TrunkUp,
			Detail: "OPTIONS: 200 OK"}); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/trunks/%d", created.ID)
		var patched struct {
			Enabled     bool   `json:"enabled"`
			MaxChannels int    `json:"max_channels"`
			Host        string `json:"host"`
			Status      []struct {
				Node, State string
			} `json:"status"`
		}
		if st := e.api("PATCH", path, admin, map[string]any{"enabled": false, "max_channels": 8}, &patched); st != http.StatusOK ||
			patched.Enabled || patched.MaxChannels != 8 || patched.Host != "203.0.113.1" || len(patched.Status) != 1 || patched.Status[0].State != "up" {
			t.Fatalf("patch: %d %+v", st, patched)
		}
		if tr := trunkNamed(t, e, "电信备用"); tr.Password != "secret" {
			t.Fatalf("the patch lost the password: %+v", tr)
		}
		if st := e.api("PATCH", "/api/v1/trunks/999999", admin, map[string]any{"enabled": true}, nil); st != http.StatusNotFound {
			t.Fatalf("patch of nothing: %d", st)
		}
		if st := e.api("PATCH", path, op, map[string]any{"enabled": true}, nil); st != http.StatusForbidden {
			t.Fatalf("operator patches: %d", st)
		}
		var list struct {
			Items []map[string]any `json:"items"`
		}
		if st := e.api("GET", "/api/v1/trunks", city, nil, &list); st != http.StatusOK || len(list.Items) != 2 {
			t.Fatalf("list: %d %+v", st, list)
		}
		for _, it := range list.Items {
			if _, ok := it["password"]; ok {
				t.Fatalf("a listed trunk has its password: %+v", it)
			}
		}
		if st := e.api("GET", "/api/v1/trunks", op, nil, nil); st != http.StatusForbidden {
			t.Fatalf("operator lists trunks: %d", st)
		}

		// Numbers.
		did := map[string]any{"number": "02152000000", "flow": "hotline", "region_code": "310107", "name": "普陀区热线"}
		if st := e.api("POST", "/api/v1/dids", admin, did, nil); st != http.StatusCreated {
			t.Fatalf("create number: %d", st)
		}
		if st := e.api("POST", "/api/v1/dids", admin, did, nil); st != http.StatusConflict {
			t.Fatalf("number again: %d", st)
		}
		if st := e.api("POST", "/api/v1/dids", admin, map[string]any{"number": "123456", "flow": "hotline", "region_code": "999999",
			"name": "x"}, nil); st != http.StatusNotFound && st != http.StatusBadRequest {
			t.Fatalf("number in no region: %d", st)
		}
		var d anxin.DID
		if st := e.api("PATCH", "/api/v1/dids/02152000000", admin, map[string]any{"flow": "callback"}, &d); st != http.StatusOK ||
			d.Flow != anxin.FlowCallback || d.Name != "普陀区热线" {
			t.Fatalf("patch number: %d %+v", st, d)
		}
		if st := e.api("PATCH", "/api/v1/dids/02152000000", admin, map[string]any{"number": "1234567"}, nil); st != http.StatusBadRequest {
			t.Fatalf("renaming a number: %d", st)
		}
		if st := e.api("PATCH", "/api/v1/dids/5550000", admin, map[string]any{"flow": "hotline"}, nil); st != http.StatusNotFound {
			t.Fatalf("patch of no number: %d", st)
		}
		if st := e.api("PATCH", "/api/v1/dids/02152000000", city, map[string]any{"flow": "hotline"}, nil); st != http.StatusForbidden {
			t.Fatalf("city admin patches a number: %d", st)
		}
		var dids struct {
			Items []anxin.DID `json:"items"`
		}
		if st := e.api("GET", "/api/v1/dids", city, nil, &dids); st != http.StatusOK || len(dids.Items) != 3 {
			t.Fatalf("numbers: %d %+v", st, dids)
		}
		if st := e.api("GET", "/api/v1/dids", op, nil, nil); st != http.StatusForbidden {
			t.Fatalf("operator lists numbers: %d", st)
		}
	})
}
