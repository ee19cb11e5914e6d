package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
)

// Committees of the demo accounts committee1-1 (源园居委会, street 曹杨新村)
// and committee2-1 (新泾一村第一居委会, street 北新泾).
const (
	committee11 = "310107005001"
	committee21 = "310105011001"
)

// validID completes 17 digits with their check character.
func validID(first17 string) string { return first17 + string(idcard.CheckDigit(first17)) }

// wangID is the ID number of 王秀英, born 1942-03-05, a woman.
var wangID = validID("31010719420305202")

// wangXiuying is the elder most tests use: a landline given without its
// area code, a mobile, an ID number, the health consent and health data.
func wangXiuying() map[string]any {
	return map[string]any{
		"name": "王秀英", "region_code": committee11, "id_number": wangID,
		"phones":   []map[string]any{{"number": "6254 1234"}, {"number": "138-1234-5678", "label": "child"}},
		"address":  "兰溪路 120 弄 5 号 302 室",
		"living":   "alone",
		"tags":     []string{"高龄", "行动不便"},
		"dialect":  "上海话",
		"health":   "高血压，腿脚不便",
		"contacts": []map[string]any{{"name": "李明", "relation": "儿子", "phones": []string{"139 0000 1111"}}},
		"consents": []map[string]any{{"purpose": "checkin", "given": true, "source": "纸质同意书"}, {"purpose": "health", "given": true, "source": "纸质同意书"}},
	}
}

// mustCreateElderAPI registers an elder through the API as username and
// returns it as the API answered (masked).
func mustCreateElderAPI(t *testing.T, e *testEnv, username string, body map[string]any) *anxin.Elder {
	t.Helper()
	var out anxin.Elder
	if st := e.api("POST", "/api/v1/elders", e.token(username), body, &out); st != http.StatusCreated {
		t.Fatalf("create elder %v as %s: status %d", body["name"], username, st)
	}
	return &out
}

// elderList is the API's list envelope of elders.
type elderList struct {
	Items []*anxin.Elder `json:"items"`
	Total int            `json:"total"`
}

func elderNames(es []*anxin.Elder) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

// seedElders registers 王秀英 and two others as operator1.
func seedElders(t *testing.T, e *testEnv) *anxin.Elder {
	t.Helper()
	w := mustCreateElderAPI(t, e, "operator1", wangXiuying())
	mustCreateElderAPI(t, e, "operator1", map[string]any{"name": "王小明", "region_code": committee11, "phones": []map[string]any{{"number": "13900002222"}}})
	mustCreateElderAPI(t, e, "operator1", map[string]any{"name": "张桂兰", "region_code": committee21, "birth_date": "1930-01-01"})
	return w
}

// An elder registered through the API comes back normalised and masked.
func TestElderAPICreate(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		w := mustCreateElderAPI(t, e, "operator1", wangXiuying())
		if w.ID == 0 || w.BirthDate != "1942-03-05" || w.Gender != anxin.GenderFemale || w.RegionName == "" {
			t.Errorf("created elder: id %d birth %q gender %q region %q", w.ID, w.BirthDate, w.Gender, w.RegionName)
		}
		wantPhones := []anxin.Phone{{Number: "021-****1234", Label: "landline", Rank: 0}, {Number: "138****5678", Label: "child", Rank: 1}}
		if !slices.Equal(w.Phones, wantPhones) {
			t.Errorf("phones %v, want %v", w.Phones, wantPhones)
		}
		if w.IDNumber != idcard.Mask(wangID) || strings.Contains(w.IDNumber, "19420305") {
			t.Errorf("id number %q is not masked", w.IDNumber)
		}
		if len(w.Contacts) != 1 || w.Contacts[0].Phones[0] != "139****1111" {
			t.Errorf("contact phones not masked: %+v", w.Contacts)
		}
		if w.Health != "高血压，腿脚不便" {
			t.Errorf("operator with consent sees health %q", w.Health)
		}
	})
}

// The search box finds an elder in every way an operator would try, and
// the filters narrow the list.
func TestElderAPISearch(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		seedElders(t, e)
		tok := e.token("operator1")
		for _, q := range []string{"王秀英", "王秀", "wxy", "WXY", "wangxiuying", "wangx", "1234", "62541234", "5678", "13812345678", wangID[12:], "兰溪路", "120 弄", "1111"} {
			var l elderList
			if st := e.api("GET", "/api/v1/elders?q="+url.QueryEscape(q), tok, nil, &l); st != http.StatusOK {
				t.Fatalf("search %q: status %d", q, st)
			}
			if !slices.Contains(elderNames(l.Items), "王秀英") {
				t.Errorf("search %q finds %v, not 王秀英", q, elderNames(l.Items))
			}
			for _, x := range l.Items {
				if strings.Contains(x.IDNumber, "1942") || slices.ContainsFunc(x.Phones, func(p anxin.Phone) bool { return !strings.Contains(p.Number, "*") }) {
					t.Errorf("search %q returns unmasked numbers: %+v", q, x)
				}
			}
		}
		var l elderList
		e.api("GET", "/api/v1/elders?q=wx", tok, nil, &l)
		if l.Total != 2 {
			t.Errorf("wx finds %v (total %d), want 王秀英 and 王小明", elderNames(l.Items), l.Total)
		}
		e.api("GET", "/api/v1/elders?within=310105&min_age=90", tok, nil, &l)
		if !slices.Equal(elderNames(l.Items), []string{"张桂兰"}) {
			t.Errorf("within 长宁 and 90+ finds %v", elderNames(l.Items))
		}
		e.api("GET", "/api/v1/elders?tag=高龄&living=alone&sort=age", tok, nil, &l)
		if !slices.Equal(elderNames(l.Items), []string{"王秀英"}) {
			t.Errorf("tag 高龄, alone finds %v", elderNames(l.Items))
		}
		for _, bad := range []string{"within=abc", "min_age=x", "living=castle", "sort=salary"} {
			if st := e.api("GET", "/api/v1/elders?"+bad, tok, nil, nil); st != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", bad, st)
			}
		}
	})
}

// The screen pop finds an elder by the caller number in the forms carriers
// present it, completing local numbers with the area code of the caller's
// city.
func TestElderAPILookup(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		seedElders(t, e)
		tok := e.token("operator1")
		for _, raw := range []string{"021-62541234", "62541234", "02162541234", "+86 21 6254 1234", "13812345678", "+8613912340000"} {
			var got struct {
				Items      []*anxin.Elder `json:"items"`
				Candidates []string       `json:"candidates"`
			}
			if st := e.api("GET", "/api/v1/elders/lookup?phone="+url.QueryEscape(raw), tok, nil, &got); st != http.StatusOK {
				t.Fatalf("lookup %s: status %d", raw, st)
			}
			want := raw != "+8613912340000"
			if slices.Contains(elderNames(got.Items), "王秀英") != want {
				t.Errorf("lookup %s: %v (candidates %v)", raw, elderNames(got.Items), got.Candidates)
			}
			if raw == "62541234" && !slices.Equal(got.Candidates, []string{"021-62541234"}) {
				t.Errorf("lookup 62541234: candidates %v", got.Candidates)
			}
		}
		// The emergency contact's number pops the elder too.
		var pop struct{ Items []*anxin.Elder }
		e.api("GET", "/api/v1/elders/lookup?phone=13900001111", tok, nil, &pop)
		if !slices.Equal(elderNames(pop.Items), []string{"王秀英"}) {
			t.Errorf("contact number pops %v", elderNames(pop.Items))
		}
		// The platform has no city: a local number needs ?area=.
		adm := e.token("admin")
		e.api("GET", "/api/v1/elders/lookup?phone=62541234", adm, nil, &pop)
		if len(pop.Items) != 0 {
			t.Errorf("platform lookup without area finds %v", elderNames(pop.Items))
		}
		e.api("GET", "/api/v1/elders/lookup?phone=62541234&area=021", adm, nil, &pop)
		if !slices.Equal(elderNames(pop.Items), []string{"王秀英"}) {
			t.Errorf("platform lookup with area 021 finds %v", elderNames(pop.Items))
		}
		if st := e.api("GET", "/api/v1/elders/lookup", tok, nil, nil); st != http.StatusBadRequest {
			t.Errorf("lookup without phone: %d", st)
		}
	})
}

// Each account sees and changes only the elders of its area; suppliers
// see none at all.
func TestElderAPIScope(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		theirs := mustCreateElderAPI(t, e, "committee2-1", map[string]any{"name": "张桂兰", "region_code": committee21})
		ours := mustCreateElderAPI(t, e, "committee1-1", map[string]any{"name": "赵兰英", "region_code": committee11})
		c11 := e.token("committee1-1")
		if st := e.api("GET", fmt.Sprintf("/api/v1/elders/%d", theirs.ID), c11, nil, nil); st != http.StatusNotFound {
			t.Errorf("committee1-1 reads committee2-1's elder: %d", st)
		}
		if st := e.api("PUT", fmt.Sprintf("/api/v1/elders/%d", theirs.ID), c11, map[string]any{"name": "x", "region_code": committee21}, nil); st != http.StatusNotFound {
			t.Errorf("committee1-1 updates committee2-1's elder: %d", st)
		}
		var errBody struct {
			Error struct{ Code, Message string }
		}
		if st := e.api("POST", "/api/v1/elders", c11, map[string]any{"name": "钱老伯", "region_code": committee21}, &errBody); st != http.StatusForbidden {
			t.Errorf("committee1-1 creates in committee2-1's committee: %d", st)
		}
		if errBody.Error.Code != anxin.EFORBIDDEN || !strings.Contains(errBody.Error.Message, "管辖范围") {
			t.Errorf("outside-area error %+v", errBody.Error)
		}
		// Moving its own elder out of its area is refused too.
		if st := e.api("PUT", fmt.Sprintf("/api/v1/elders/%d", ours.ID), c11, map[string]any{"name": "赵兰英", "region_code": committee21}, nil); st != http.StatusForbidden {
			t.Errorf("committee1-1 moves its elder away: %d", st)
		}
		var l elderList
		e.api("GET", "/api/v1/elders", c11, nil, &l)
		if !slices.Equal(elderNames(l.Items), []string{"赵兰英"}) || l.Total != 1 {
			t.Errorf("committee1-1 lists %v", elderNames(l.Items))
		}
		e.api("GET", "/api/v1/elders", e.token("street1"), nil, &l)
		if !slices.Equal(elderNames(l.Items), []string{"赵兰英"}) {
			t.Errorf("street1 (曹杨新村) lists %v", elderNames(l.Items))
		}
		e.api("GET", "/api/v1/elders", e.token("operator1"), nil, &l)
		if l.Total != 2 {
			t.Errorf("operator1 (city) lists %v", elderNames(l.Items))
		}
		sup := e.token("supplier1")
		for _, req := range []struct{ method, path string }{
			{"GET", "/api/v1/elders"}, {"GET", fmt.Sprintf("/api/v1/elders/%d", ours.ID)},
			{"GET", "/api/v1/elders/lookup?phone=62541234"}, {"POST", "/api/v1/elders"}, {"PUT", fmt.Sprintf("/api/v1/elders/%d", ours.ID)},
		} {
			var body any
			if req.method != "GET" {
				body = map[string]any{"name": "x", "region_code": committee11}
			}
			if st := e.api(req.method, req.path, sup, body, nil); st != http.StatusForbidden {
				t.Errorf("supplier1 %s %s: %d, want 403", req.method, req.path, st)
			}
		}
		if st := e.api("GET", "/api/v1/elders", "", nil, nil); st != http.StatusUnauthorized {
			t.Errorf("no token: %d", st)
		}
	})
}

// Full numbers leave only with a reason, and the reveal is in the audit
// log with that reason before the answer.
func TestElderAPIReveal(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		w := mustCreateElderAPI(t, e, "operator1", wangXiuying())
		tok := e.token("operator1")
		path := fmt.Sprintf("/api/v1/elders/%d", w.ID)
		for _, q := range []string{"?reveal=true", "?reveal=true&reason=", "?reveal=true&reason=%20%20"} {
			var got map[string]any
			if st := e.api("GET", path+q, tok, nil, &got); st != http.StatusBadRequest {
				t.Errorf("%s: status %d, want 400", q, st)
			}
			if fmt.Sprint(got) != "" && strings.Contains(fmt.Sprint(got), "62541234") {
				t.Errorf("%s leaks the number: %v", q, got)
			}
		}
		if _, n, _ := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditReveal}); n != 0 {
			t.Errorf("refused reveals were audited: %d", n)
		}
		var full anxin.Elder
		if st := e.api("GET", path+"?reveal=true&reason="+url.QueryEscape("老人来电核实身份"), tok, nil, &full); st != http.StatusOK {
			t.Fatalf("reveal: %d", st)
		}
		if full.IDNumber != wangID || full.Phones[0].Number != "021-62541234" || full.Phones[1].Number != "13812345678" || full.Contacts[0].Phones[0] != "13900001111" {
			t.Errorf("revealed %q %+v %+v", full.IDNumber, full.Phones, full.Contacts)
		}
		a := lastAudit(t, e, anxin.AuditReveal)
		if a.ActorName != "operator1" || a.TargetType != "elder" || a.TargetID != fmt.Sprint(w.ID) || a.Reason != "老人来电核实身份" || a.Detail != "phones,id_number" {
			t.Errorf("audit entry %+v", a)
		}
		// The reveal is visible to the city's administrator in the audit API.
		var log struct{ Items []*anxin.AuditEntry }
		e.api("GET", "/api/v1/audit?action=reveal", e.token("cityadmin"), nil, &log)
		if len(log.Items) != 1 || log.Items[0].Reason != "老人来电核实身份" {
			t.Errorf("audit API shows %+v", log.Items)
		}
		// Without reveal the numbers stay masked.
		var masked anxin.Elder
		e.api("GET", path, tok, nil, &masked)
		if masked.Phones[0].Number != "021-****1234" || masked.IDNumber != idcard.Mask(wangID) {
			t.Errorf("plain GET: %+v %q", masked.Phones, masked.IDNumber)
		}
	})
}

// fieldReasons decodes a 400 answer into field → reasons.
type invalidBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Fields []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
		Value  string `json:"value"`
	} `json:"fields"`
}

func (b invalidBody) has(field, reason string) bool {
	for _, f := range b.Fields {
		if f.Field == field && f.Reason == reason {
			return true
		}
	}
	return false
}

// Bad input answers 400 with every field problem and its reason code; SQL
// metacharacters are data; nothing half-valid is stored.
func TestElderAPIValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("operator1")
		wrongCheck := wangID[:17] + string("0123456789X"[(strings.IndexByte("0123456789X", wangID[17])+1)%11])
		cases := []struct {
			name   string
			change map[string]any
			want   [][2]string // field, reason
		}{
			{"bad phone and ID check digit", map[string]any{"phones": []map[string]any{{"number": "12345"}}, "id_number": wrongCheck},
				[][2]string{{"phone", "bad_phone"}, {"id_number", "id_check_digit"}}},
			{"ID contradicts birth date", map[string]any{"birth_date": "1950-01-01"}, [][2]string{{"id_number", "id_mismatch"}}},
			{"no name, no committee", map[string]any{"name": " ", "region_code": ""}, [][2]string{{"name", "required"}, {"region_code", "required"}}},
			{"street instead of committee", map[string]any{"region_code": "310107005"}, [][2]string{{"region_code", "unknown_committee"}}},
			{"unknown committee", map[string]any{"region_code": "310107005999"}, [][2]string{{"region_code", "unknown_committee"}}},
			{"10 KB notes", map[string]any{"notes": strings.Repeat("很长的备注。", 1700)}, [][2]string{{"notes", "bad_value"}}},
			{"future birth date", map[string]any{"id_number": "", "birth_date": "2999-01-01"}, [][2]string{{"birth_date", "future_date"}}},
			{"bad enumerations", map[string]any{"gender": "X", "living": "castle", "status": "gone"}, [][2]string{{"gender", "bad_value"}, {"living", "bad_value"}, {"status", "bad_value"}}},
			{"health without consent", map[string]any{"consents": []map[string]any{}}, [][2]string{{"health", "bad_value"}}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				body := wangXiuying()
				for k, v := range c.change {
					body[k] = v
				}
				var got invalidBody
				if st := e.api("POST", "/api/v1/elders", tok, body, &got); st != http.StatusBadRequest {
					t.Fatalf("status %d, want 400", st)
				}
				if got.Error.Code != "invalid" || got.Error.Message == "" {
					t.Errorf("error %+v", got.Error)
				}
				for _, w := range c.want {
					if !got.has(w[0], w[1]) {
						t.Errorf("fields %+v lack %s %s", got.Fields, w[0], w[1])
					}
				}
			})
		}
		if n, _ := e.db.CountElders(ctx); n != 0 {
			t.Fatalf("refused elders were stored: %d", n)
		}
		var got invalidBody
		e.api("POST", "/api/v1/elders", tok, map[string]any{"name": "王秀英", "region_code": committee11, "phones": []map[string]any{{"number": "12345"}}}, &got)
		if !strings.Contains(got.Error.Message, "电话") {
			t.Errorf("message %q is not in Chinese", got.Error.Message)
		}
		if st := e.api("POST", "/api/v1/elders", tok, map[string]any{"name": "x", "region_code": committee11, "salary": 1}, nil); st != http.StatusBadRequest {
			t.Errorf("unknown field: %d", st)
		}

		sneaky := map[string]any{"name": "O'Brien\"; DROP TABLE elders; --", "region_code": committee11, "address": "兰溪路 100% 弄_5 号 '); DELETE FROM elders; --"}
		mustCreateElderAPI(t, e, "operator1", sneaky)
		mustCreateElderAPI(t, e, "operator1", wangXiuying())
		for q, want := range map[string]int{"' OR 1=1 --": 0, "%": 0, "_": 0, "100%": 1, "弄_5": 1, "O'Brien": 1, "王秀英' OR '1'='1": 0} {
			var l elderList
			if st := e.api("GET", "/api/v1/elders?q="+url.QueryEscape(q), tok, nil, &l); st != http.StatusOK {
				t.Fatalf("search %q: %d", q, st)
			}
			if l.Total != want {
				t.Errorf("search %q: %d results %v, want %d", q, l.Total, elderNames(l.Items), want)
			}
		}
		if n, _ := e.db.CountElders(ctx); n != 2 {
			t.Errorf("%d elders after the metacharacters, want 2", n)
		}
		// A second elder with the same ID number is a conflict.
		if st := e.api("POST", "/api/v1/elders", tok, wangXiuying(), nil); st != http.StatusConflict {
			t.Errorf("duplicate ID number: %d", st)
		}
	})
}

// PUT replaces the editable fields; masked numbers sent back as GET shows
// them keep the stored ones; health follows the consent and role rule.
func TestElderAPIUpdateAndHealth(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		w := mustCreateElderAPI(t, e, "operator1", wangXiuying())
		op := e.token("operator1")
		path := fmt.Sprintf("/api/v1/elders/%d", w.ID)
		var cur, next anxin.Elder
		e.api("GET", path, op, nil, &cur)
		cur.Address = "兰溪路 122 弄 1 号"
		cur.Phones = append(cur.Phones, anxin.Phone{Number: "021 5250 0000"})
		if st := e.api("PUT", path, op, cur, &next); st != http.StatusOK {
			t.Fatalf("PUT: %d", st)
		}
		var full anxin.Elder
		e.api("GET", path+"?reveal=1&reason=test", op, nil, &full)
		nums := []string{}
		for _, p := range full.Phones {
			nums = append(nums, p.Number)
		}
		if !slices.Equal(nums, []string{"021-62541234", "13812345678", "021-52500000"}) || full.IDNumber != wangID || full.Address != "兰溪路 122 弄 1 号" {
			t.Errorf("after PUT: %v %q %q", nums, full.IDNumber, full.Address)
		}
		if full.Contacts[0].Phones[0] != "13900001111" {
			t.Errorf("contact phone after PUT: %v", full.Contacts)
		}
		hist, err := e.db.ElderHistory(ctx, anxin.SystemScope(), w.ID)
		if err != nil || len(hist) != 3 { // created, address, phones
			t.Errorf("history %+v, %v", hist, err)
		}

		// committee1-1 (community staff) does not see health, and its PUT
		// keeps it; it may not write health either.
		c11 := e.token("committee1-1")
		var seen anxin.Elder
		e.api("GET", path, c11, nil, &seen)
		if seen.Health != "" || seen.Name != "王秀英" {
			t.Errorf("committee sees health %q", seen.Health)
		}
		seen.Notes = "居委会上门确认"
		if st := e.api("PUT", path, c11, seen, nil); st != http.StatusOK {
			t.Fatalf("committee PUT: %d", st)
		}
		e.api("GET", path, op, nil, &next)
		if next.Health != "高血压，腿脚不便" || next.Notes != "居委会上门确认" {
			t.Errorf("after committee PUT: health %q notes %q", next.Health, next.Notes)
		}
		seen.Health = "糖尿病"
		var bad invalidBody
		if st := e.api("PUT", path, c11, seen, &bad); st != http.StatusBadRequest || !bad.has("health", "bad_value") {
			t.Errorf("committee writes health: %d %+v", st, bad.Fields)
		}
		// Withdrawn health consent hides health even from operators.
		next.Consents = []anxin.Consent{{Purpose: anxin.ConsentCheckIn, Given: true}}
		next.Health = ""
		next.Medication = ""
		if st := e.api("PUT", path, op, next, nil); st != http.StatusOK {
			t.Fatalf("withdraw consent: %d", st)
		}
		e.api("GET", path, op, nil, &next)
		if next.Health != "" || next.HasConsent(anxin.ConsentHealth) {
			t.Errorf("after withdrawal: %+v", next)
		}
		if st := e.api("PUT", "/api/v1/elders/999999", op, next, nil); st != http.StatusNotFound {
			t.Errorf("PUT unknown elder: %d", st)
		}
	})
}
