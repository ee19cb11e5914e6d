package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func mustCreateElder(t *testing.T, db *store.DB, e *anxin.Elder) *anxin.Elder {
	t.Helper()
	if err := db.CreateElder(ctx, anxin.SystemScope(), e); err != nil {
		t.Fatalf("create elder %s: %v", e.Name, err)
	}
	return e
}

func TestElders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		db.Now = func() time.Time { return time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC) }
		wang := mustCreateElder(t, db, &anxin.Elder{
			Name: "王秀英", Gender: anxin.GenderFemale, BirthDate: "1942-03-05", IDNumber: "31010719420305002X",
			Phones:     []anxin.Phone{{Number: "021-62541234", Label: anxin.PhoneLandline}, {Number: "13812345678", Label: anxin.PhoneMobile}},
			RegionCode: "310107005001", Address: "枫桥路5号楼302室", Living: anxin.LivingAlone, Tags: []string{"高龄", "低保"},
			Contacts: []anxin.Contact{{Name: "李明", Relation: "儿子", Phones: []string{"13900001111"}}},
		})
		mustCreateElder(t, db, &anxin.Elder{Name: "张建国", Gender: anxin.GenderMale, BirthDate: "1955-01-01",
			Phones: []anxin.Phone{{Number: "13700005678", Label: anxin.PhoneMobile}}, RegionCode: "310107005003", Living: anxin.LivingFamily})
		mustCreateElder(t, db, &anxin.Elder{Name: "曾秀兰", BirthDate: "1930-07-01", RegionCode: "310105011001", Address: "新泾一村12号"})

		search := func(sc anxin.Scope, f anxin.ElderFilter) []string {
			t.Helper()
			es, total, err := db.FindElders(ctx, sc, f)
			if err != nil {
				t.Fatal(err)
			}
			if total != len(es) {
				t.Fatalf("total %d, page %d", total, len(es))
			}
			var names []string
			for _, e := range es {
				names = append(names, e.Name)
			}
			return names
		}
		all := anxin.SystemScope()
		for q, want := range map[string]string{
			"wxy": "王秀英", "WangXiuYing": "王秀英", "wangx": "王秀英", "王秀": "王秀英", "zxl": "曾秀兰", "zengxiulan": "曾秀兰",
			"5678": "王秀英,张建国", "1234": "王秀英", "002X": "王秀英", "002x": "王秀英", "0305002": "", "021-6254 1234": "王秀英", "1111": "王秀英",
			"5号楼": "王秀英", "新泾一村": "曾秀兰", "%": "", "'; DROP TABLE elders; --": "",
		} {
			if got := join(search(all, anxin.ElderFilter{Query: q})); got != want {
				t.Errorf("search %q = %q, want %q", q, got, want)
			}
		}
		if got := join(search(all, anxin.ElderFilter{MinAge: 80})); got != "王秀英,曾秀兰" {
			t.Errorf("80+: %q", got)
		}
		if got := join(search(all, anxin.ElderFilter{Living: anxin.LivingAlone, Tags: []string{"低保"}})); got != "王秀英" {
			t.Errorf("alone + 低保: %q", got)
		}
		if got := join(search(all, anxin.ElderFilter{Within: "310105"})); got != "曾秀兰" {
			t.Errorf("within 长宁: %q", got)
		}

		t.Run("committee sees only its own elders", func(t *testing.T) {
			c1 := mustCreateOrg(t, db, anxin.OrgCommittee, "源园居委会", "310107005001")
			sc := anxin.ScopeOf(mustCreateAccount(t, db, c1, "yuanyuan", anxin.RoleCommunity))
			if got := join(search(sc, anxin.ElderFilter{})); got != "王秀英" {
				t.Fatalf("committee sees %q", got)
			}
			others, _, _ := db.FindElders(ctx, all, anxin.ElderFilter{Query: "zxl"})
			_, err := db.FindElder(ctx, sc, others[0].ID)
			wantCode(t, err, anxin.ENOTFOUND)
			err = db.CreateElder(ctx, sc, &anxin.Elder{Name: "越界", RegionCode: "310107005003"})
			wantCode(t, err, anxin.EFORBIDDEN)
			sup := mustCreateOrg(t, db, anxin.OrgSupplier, "家乐福", "3101")
			ssc := anxin.ScopeOf(mustCreateAccount(t, db, sup, "carrefour", anxin.RolePartner))
			if got := search(ssc, anxin.ElderFilter{}); len(got) != 0 {
				t.Fatalf("supplier sees %v", got)
			}
			wantCode(t, db.CreateElder(ctx, ssc, &anxin.Elder{Name: "x", RegionCode: "310107005001"}), anxin.EFORBIDDEN)
		})
		t.Run("caller number finds the elder and the child's number too", func(t *testing.T) {
			es, err := db.LookupPhone(ctx, all, "021-62541234")
			if err != nil || len(es) != 1 || es[0].ID != wang.ID || len(es[0].Phones) != 2 {
				t.Fatalf("lookup: %+v %v", es, err)
			}
			es, _ = db.LookupPhone(ctx, all, "13900001111")
			if len(es) != 1 || es[0].ID != wang.ID {
				t.Fatalf("contact lookup: %+v", es)
			}
		})
		t.Run("changes are kept in the history", func(t *testing.T) {
			e, _ := db.FindElder(ctx, all, wang.ID)
			e.Status, e.Address = anxin.StatusInHospital, "枫桥路5号楼303室"
			if err := db.UpdateElder(ctx, all, e); err != nil {
				t.Fatal(err)
			}
			h, err := db.ElderHistory(ctx, all, wang.ID)
			if err != nil || len(h) != 3 || h[0].Field != "status" && h[1].Field != "status" {
				t.Fatalf("history %+v %v", h, err)
			}
			got, _ := db.FindElder(ctx, all, wang.ID)
			if got.Callable() || got.Address != "枫桥路5号楼303室" || len(got.Contacts) != 1 {
				t.Fatalf("after update %+v", got)
			}
		})
		t.Run("ID numbers are unique", func(t *testing.T) {
			err := db.CreateElder(ctx, all, &anxin.Elder{Name: "重复", IDNumber: "31010719420305002X", RegionCode: "310107005001"})
			wantCode(t, err, anxin.ECONFLICT)
		})
	})
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

// TestFindEldersByLetters checks the order of a letter search (pinyin
// prefix matches by pinyin, then the other initials matches by initials
// and pinyin), that an elder matching both ways is listed once, and that
// pages split across the two parts neither skip nor repeat an elder.
func TestFindEldersByLetters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		// Pinyin and initials: 安安 anan aa, 安德鲁 andelu adl, 艾妮 aini an,
		// 阿宁 aning an, 包安 baoan ba, 白爱 baiai ba, 魏雪 weixue wx,
		// 文宣 wenxuan wx, 吴欣 wuxin wx, 王秀英 wangxiuying wxy,
		// 王小英 wangxiaoying wxy.
		for _, n := range []string{"王秀英", "安安", "艾妮", "包安", "吴欣", "安德鲁", "阿宁", "白爱", "魏雪", "王小英", "文宣"} {
			mustCreateElder(t, db, &anxin.Elder{Name: n, RegionCode: "310107005001"})
		}
		page := func(q string, offset, limit int) (string, int) {
			t.Helper()
			es, total, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Query: q, Offset: offset, Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range es {
				names = append(names, e.Name)
			}
			return join(names), total
		}
		for q, want := range map[string]string{
			"an":  "安安,安德鲁,阿宁,艾妮",
			"ba":  "白爱,包安",
			"wx":  "魏雪,文宣,吴欣,王小英,王秀英",
			"wxy": "王小英,王秀英",
			"WX":  "魏雪,文宣,吴欣,王小英,王秀英",
			"aa":  "安安",
			"zz":  "",
		} {
			wantN := 0
			if want != "" {
				wantN = len(strings.Split(want, ","))
			}
			got, total := page(q, 0, 50)
			if got != want || total != wantN {
				t.Errorf("%s: %q (total %d), want %q", q, got, total, want)
			}
			var paged []string
			for off := 0; off < total; off++ {
				p, _ := page(q, off, 1)
				paged = append(paged, p)
			}
			if join(paged) != got {
				t.Errorf("%s one by one %q, all at once %q", q, join(paged), got)
			}
			if total > 2 {
				first, _ := page(q, 0, 2)
				rest, _ := page(q, 2, 50)
				if first+","+rest != got {
					t.Errorf("%s in pages of two: %q + %q", q, first, rest)
				}
			}
		}
	})
}
