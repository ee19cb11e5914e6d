package gen

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestCommitteeStem(t *testing.T) {
	for _, c := range []struct{ name, stem, compound string }{
		{"源园居委会", "源园", "源园小区"},
		{"新泾一村第一居委会", "新泾一村", "新泾一村"},
		{"柏庄一村社区居委会", "柏庄一村", "柏庄一村"},
		{"剑河家苑居委会", "剑河家苑", "剑河家苑"},
		{"长征村村委会", "长征村", "长征村"},
		{"繁华里居民社区委员会", "繁华里", "繁华里"},
		{"滨河社区居民委员", "滨河", "滨河小区"},
		{"漕河泾新兴技术开发区虚拟社区", "", ""},
		{"前卫农场虚拟生活区", "", ""},
	} {
		stem := committeeStem(c.name)
		if stem != c.stem {
			t.Errorf("committeeStem(%q) = %q, want %q", c.name, stem, c.stem)
		}
		if stem != "" && compoundName(stem) != c.compound {
			t.Errorf("compoundName(%q) = %q, want %q", stem, compoundName(stem), c.compound)
		}
	}
}

func TestAddress(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	forms := map[string]int{}
	for range 2000 {
		a := address(r, "源园居委会", "310107005001")
		switch {
		case strings.HasPrefix(a, "源园小区") && strings.Contains(a, "号楼") && strings.HasSuffix(a, "室"):
			forms["compound"]++
		case strings.Contains(a, "路") && strings.Contains(a, "弄") && strings.HasSuffix(a, "室"):
			forms["lane"]++
		case strings.Contains(a, "号楼") && strings.Contains(a, "单元"):
			forms["estate"]++
		case strings.Contains(a, "路") && strings.HasSuffix(a, "室"):
			forms["road"]++
		default:
			t.Fatalf("address %q", a)
		}
	}
	if len(forms) != 4 {
		t.Errorf("address forms %v", forms)
	}
	for range 100 {
		if a := address(r, "云南中路居委会", "310101002001"); strings.Contains(a, "云南中路小区") {
			t.Errorf("road committee address %q", a)
		}
	}
	if a := address(r, "长征村村委会", "310117101201"); !strings.HasPrefix(a, "长征村") || !strings.Contains(a, "组") {
		t.Errorf("village address %q", a)
	}
}

func TestSpread(t *testing.T) {
	g := New(1)
	for _, c := range []struct{ count, n int }{{300, 20}, {1000000, 6500}, {5, 40}, {1, 1}} {
		parts := g.spread(c.count, c.n)
		sum, lo, hi := 0, c.count, 0
		for _, p := range parts {
			sum += p
			lo, hi = min(lo, p), max(hi, p)
		}
		if sum != c.count || len(parts) != c.n {
			t.Errorf("spread(%d, %d) = %d parts summing to %d", c.count, c.n, len(parts), sum)
		}
		if c.count >= 100*c.n && hi < 4*lo {
			t.Errorf("spread(%d, %d): committees from %d to %d elders, want uneven", c.count, c.n, lo, hi)
		}
	}
}

func TestIDNumbersUnique(t *testing.T) {
	g := New(1)
	seen := map[string]bool{}
	birth := time.Date(1942, 3, 5, 0, 0, 0, 0, time.UTC)
	// 499 women can share a district and a birthday; 300 find numbers.
	for i := range 300 {
		id := g.idNumber("310107", birth, false)
		if id == "" || seen[id] || (id[16]-'0')%2 != 0 {
			t.Fatalf("ID %d: %q", i, id)
		}
		seen[id] = true
	}
}
