package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// caoyang is 普陀区 曹杨新村街道, a demo pilot street with committees.
const caoyang = "310107005"

var regionLinkRe = regexp.MustCompile(`href="/regions/(\d+)"`)

func regionLinks(body string) []string {
	var out []string
	for _, m := range regionLinkRe.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestRegionPages(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("operator1")

		st, body := c.get("/regions")
		wantStatus(t, "provinces", st, http.StatusOK)
		wantBody(t, body, "上海市", "北京市", `name="q"`, "autofocus")
		if n := len(regionLinks(body)); n != 31 {
			t.Fatalf("provinces page links %d regions, want 31", n)
		}

		st, body = c.get("/regions/" + caoyang)
		wantStatus(t, "street", st, http.StatusOK)
		wantBody(t, body, `class="crumbs"`, `href="/regions/3101"`, `href="/regions/310107"`,
			"<h1>曹杨新村街道</h1>", caoyang, "上海市 普陀区 曹杨新村街道")
		if strings.Contains(body, `href="/regions/31"`) {
			t.Error("the municipality's province and city both appear in the breadcrumb")
		}
		_, wuxi := c.get("/regions/320213")
		wantBody(t, wuxi, `href="/regions/32"`, `href="/regions/3202"`)
		var committees []string
		for _, code := range regionLinks(body) {
			if anxin.ParentRegionCode(code) == caoyang {
				committees = append(committees, code)
			}
		}
		if len(committees) < 10 {
			t.Fatalf("曹杨新村街道 lists %d committees", len(committees))
		}

		st, body = c.get("/regions/" + committees[0])
		wantStatus(t, "committee", st, http.StatusOK)
		wantBody(t, body, `href="/regions/`+caoyang+`"`, committees[0])

		st, body = c.get("/regions?q=" + url.QueryEscape("曹杨"))
		wantStatus(t, "search", st, http.StatusOK)
		wantBody(t, body, `href="/regions/`+caoyang+`"`, "上海市 普陀区 曹杨新村街道", `value="曹杨"`)

		st, body = c.get("/regions?q=" + caoyang)
		wantStatus(t, "search by code", st, http.StatusOK)
		wantBody(t, body, `href="/regions/`+caoyang+`"`)

		for _, code := range []string{"999999", "99", "abc", "31010700", "3101070050011", "%00"} {
			st, _ = c.get("/regions/" + code)
			wantStatus(t, "unknown region "+code, st, http.StatusNotFound)
		}

		st, _ = e.anon().get("/regions")
		wantStatus(t, "anonymous", st, http.StatusSeeOther)
	})
}

func TestRegionSearchHostileInput(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("operator1")
		for _, q := range []string{
			"%", "_", `\`, "%%", "'", `"`, "' OR '1'='1", "'; DROP TABLE regions; --", "曹杨%", "3101_",
			"\x00", "曹杨\x00", "\xff\xfe", "<script>alert(1)</script>", strings.Repeat("a", 10<<10), strings.Repeat("曹", 4000),
		} {
			st, body := c.get("/regions?q=" + url.QueryEscape(q))
			if st != http.StatusOK {
				t.Fatalf("q=%.40q: status %d", q, st)
			}
			if links := regionLinks(body); len(links) > 0 {
				t.Fatalf("q=%.40q: %d results, want none", q, len(links))
			}
			if strings.Contains(body, "<script>alert") {
				t.Fatalf("q=%.40q: query echoed unescaped", q)
			}
		}
		// The regions are all still there.
		_, body := c.get("/regions")
		if n := len(regionLinks(body)); n != 31 {
			t.Fatalf("after hostile searches %d provinces", n)
		}
	})
}

func TestRegionAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("operator1")
		type list struct {
			Items []anxin.Region `json:"items"`
		}

		var provinces list
		st := e.api("GET", "/api/v1/regions", tok, nil, &provinces)
		wantStatus(t, "provinces", st, http.StatusOK)
		if len(provinces.Items) != 31 || provinces.Items[0].Level != anxin.LevelProvince {
			t.Fatalf("%d provinces: %+v", len(provinces.Items), provinces.Items[:1])
		}

		var kids list
		st = e.api("GET", "/api/v1/regions?parent="+caoyang, tok, nil, &kids)
		wantStatus(t, "children", st, http.StatusOK)
		if len(kids.Items) < 10 {
			t.Fatalf("%d committees", len(kids.Items))
		}
		for _, k := range kids.Items {
			if k.ParentCode != caoyang || k.Level != anxin.LevelCommittee {
				t.Fatalf("child %+v", k)
			}
		}

		var found list
		st = e.api("GET", "/api/v1/regions?q="+url.QueryEscape("曹杨"), tok, nil, &found)
		wantStatus(t, "search", st, http.StatusOK)
		if !hasRegion(found.Items, caoyang) {
			t.Fatalf("search 曹杨: %+v", found.Items)
		}
		st = e.api("GET", "/api/v1/regions?within=3201&q="+url.QueryEscape("曹杨"), tok, nil, &found)
		wantStatus(t, "search within", st, http.StatusOK)
		if hasRegion(found.Items, caoyang) {
			t.Fatal("search within 3201 found a Shanghai street")
		}
		st = e.api("GET", "/api/v1/regions?limit=5&q="+url.QueryEscape("街道"), tok, nil, &found)
		wantStatus(t, "search with limit", st, http.StatusOK)
		if len(found.Items) != 5 {
			t.Fatalf("limit 5: %d items", len(found.Items))
		}
		var none map[string]any
		st = e.api("GET", "/api/v1/regions?q=zzzz", tok, nil, &none)
		wantStatus(t, "no match", st, http.StatusOK)
		if items, ok := none["items"].([]any); !ok || len(items) != 0 {
			t.Fatalf("no match: %v, want an empty items array", none)
		}

		var one anxin.Region
		st = e.api("GET", "/api/v1/regions/"+caoyang, tok, nil, &one)
		wantStatus(t, "one", st, http.StatusOK)
		if one.Name != "曹杨新村街道" || one.Level != anxin.LevelStreet || one.ParentCode != "310107" || one.FullName != "上海市 普陀区 曹杨新村街道" {
			t.Fatalf("region %+v", one)
		}

		var errBody map[string]map[string]string
		st = e.api("GET", "/api/v1/regions/999999", tok, nil, &errBody)
		wantStatus(t, "unknown", st, http.StatusNotFound)
		if errBody["error"]["code"] != anxin.ENOTFOUND {
			t.Fatalf("unknown region body %v", errBody)
		}
		for _, path := range []string{"/api/v1/regions?parent=99", "/api/v1/regions?parent=x"} {
			st = e.api("GET", path, tok, nil, nil)
			wantStatus(t, path, st, http.StatusNotFound)
		}
		for _, path := range []string{"/api/v1/regions?q=%25", "/api/v1/regions?q=%00", "/api/v1/regions?within=x&q=a", "/api/v1/regions?limit=-1",
			"/api/v1/regions?q=" + strings.Repeat("a", 10<<10)} {
			st = e.api("GET", path, tok, nil, nil)
			wantStatus(t, path[:min(len(path), 60)], st, http.StatusBadRequest)
		}
		st = e.api("GET", "/api/v1/regions", "", nil, nil)
		wantStatus(t, "no token", st, http.StatusUnauthorized)
	})
}

func hasRegion(rs []anxin.Region, code string) bool {
	for _, r := range rs {
		if r.Code == code {
			return true
		}
	}
	return false
}

// An operator searches regions with the keyboard only: the search box has
// focus on arrival, Enter searches, Tab reaches the first result.
func TestBrowserRegionSearchByKeyboard(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	bctx := browser(t)
	do := browserDo(t, bctx)
	do(chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "operator1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["operator1"]+"\r"),
		chromedp.WaitVisible(`nav.side`),
		chromedp.Navigate(e.ts.URL+"/regions"), chromedp.WaitVisible(`input[name=q]`))
	focused, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.activeElement.name`))
	if err != nil || focused != "q" {
		t.Fatalf("focus on %q, want the search box (%v)", focused, err)
	}
	do(chromedp.KeyEvent("曹杨"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`main table`))
	got, err := chromedp.Run(bctx, chromedp.Text(`main table`))
	if err != nil || !strings.Contains(got, "上海市 普陀区 曹杨新村街道") {
		t.Fatalf("results %q, %v", got, err)
	}
	screenshot(t, bctx, "regions-search")
	do(chromedp.Navigate(e.ts.URL+"/regions/"+caoyang), chromedp.WaitVisible(`main table`))
	screenshot(t, bctx, "regions-street")
}
