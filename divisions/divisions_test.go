package divisions

import (
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
)

func TestShipped(t *testing.T) {
	rs, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]*anxin.Region{}
	counts := map[int]int{}
	for _, r := range rs {
		if r.ParentCode != "" && byCode[r.ParentCode] == nil {
			t.Fatalf("%s comes before its parent %s", r.Code, r.ParentCode)
		}
		byCode[r.Code] = r
		counts[r.Level]++
	}
	want := map[int]int{anxin.LevelProvince: 31, anxin.LevelCity: 342, anxin.LevelDistrict: 2978, anxin.LevelStreet: 41352, anxin.LevelCommittee: 7763}
	for lvl, n := range want {
		if counts[lvl] != n {
			t.Errorf("level %d: %d regions, want %d", lvl, counts[lvl], n)
		}
	}
	if got := byCode["310107005"]; got == nil || got.FullName != "上海市 普陀区 曹杨新村街道" {
		t.Errorf("曹杨新村街道 = %+v", got)
	}
	if got := byCode["3202"]; got == nil || got.Name != "无锡市" {
		t.Errorf("3202 = %+v", got)
	}
}

func TestParseCommittees(t *testing.T) {
	known := func(code string) *anxin.Region {
		if code == "110101001" {
			return &anxin.Region{Code: code, Name: "东华门街道", Level: anxin.LevelStreet, FullName: "北京市 东城区 东华门街道"}
		}
		return nil
	}
	t.Run("valid rows", func(t *testing.T) {
		in := "\ufeffcode,name,streetCode,provinceCode,cityCode,areaCode\n110101001001,\"多福巷社区居委会\",110101001,11,1101,110101\n"
		rs, err := ParseCommittees(strings.NewReader(in), known)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].FullName != "北京市 东城区 东华门街道 多福巷社区居委会" || rs[0].Level != anxin.LevelCommittee {
			t.Fatalf("got %+v", rs[0])
		}
	})
	t.Run("bad rows are named", func(t *testing.T) {
		in := "code,name,streetCode\n1101010010,x,110101001\n110101001002,,110101001\n999999999001,y,999999999\n110101001003,z,110101002\n"
		_, err := ParseCommittees(strings.NewReader(in), known)
		if err == nil {
			t.Fatal("no error")
		}
		for _, want := range []string{"row 2: bad code", "row 3: name missing", "row 4: unknown parent", "row 5: parent"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q lacks %q", err, want)
			}
		}
	})
	t.Run("missing columns", func(t *testing.T) {
		_, err := ParseCommittees(strings.NewReader("a,b\n1,2\n"), known)
		if err == nil || !strings.Contains(err.Error(), "columns") {
			t.Fatalf("err = %v", err)
		}
	})
}
