package gen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"unicode/utf8"
)

// Road names by city. Shanghai's are the roads of the pilot streets and
// their neighbours; Wuxi's of its old town; elsewhere the names every
// Chinese city has.
var (
	shanghaiRoads = even(
		"枫桥路", "兰溪路", "梅岭北路", "杏山路", "桂巷路", "花溪路", "南溪路", "武宁路", "真如路", "宜川路",
		"延长中路", "共和新路", "江场路", "临汾路", "平型关路", "彭江路", "场中路", "通河路", "泗塘路", "长江西路",
		"呼玛路", "淞滨路", "牡丹江路", "双城路", "天山路", "仙霞路", "哈密路", "北渔路", "剑河路", "协和路",
		"福泉路", "金沙江路", "中山北路", "曹杨路", "铜川路", "梅川路", "长寿路", "安远路", "新村路", "万航渡路",
		"友谊路", "爱辉路", "泗塘一村路", "蒲淞北路", "新泾路")
	wuxiRoads = even(
		"人民中路", "中山路", "解放南路", "梁溪路", "清扬路", "广益路", "惠山路", "锡山路", "东亭路", "学前街",
		"县前街", "健康路", "通扬路", "凤翔路", "广石路", "扬名路", "五爱路", "盛岸路", "江海路", "青石路",
		"兴源路", "塘南路", "沁园路", "金城路")
	commonRoads = even(
		"人民路", "解放路", "中山路", "建设路", "新华路", "和平路", "胜利路", "文化路", "健康路", "幸福路",
		"友谊路", "光明路", "长江路", "黄河路", "延安路", "北京路", "南京路", "青年路", "工农路", "红旗路",
		"东风路", "朝阳路", "迎宾大道", "府前街", "工人新村路", "学府路")
	compoundSuffixes = even("新村", "小区", "花园", "公寓", "家园", "苑")
	compoundStems    = even(
		"曹杨", "甘泉", "宜川", "延长", "长风", "金杨", "仙霞", "天山", "虹储", "中原", "凉城", "控江", "鞍山", "工农",
		"和平", "幸福", "光明", "友谊", "向阳", "东方", "华山", "春晖", "锦绣", "兰苑", "馨园", "梅园", "枫林")
)

// roadTable returns the road names of a city.
func roadTable(code string) *table[string] {
	switch {
	case strings.HasPrefix(code, "3101"):
		return shanghaiRoads
	case strings.HasPrefix(code, "3202"):
		return wuxiRoads
	}
	return commonRoads
}

// committeeStem returns the place a committee is named after, "" when its
// name is no place people live in (虚拟社区, 开发区): "源园居委会" → "源园",
// "新泾一村第一居委会" → "新泾一村", "长征村村委会" → "长征村".
func committeeStem(name string) string {
	for _, bad := range []string{"虚拟", "开发区", "园区", "农场", "林场", "管理区", "工业"} {
		if strings.Contains(name, bad) {
			return ""
		}
	}
	s := name
	for _, suffix := range []string{"社区居民委员会", "居民社区委员会", "居民委员会", "社区居委会", "居委会", "村民委员会", "村委会", "居委", "社区居民委员", "社区"} {
		if t, ok := strings.CutSuffix(s, suffix); ok {
			s = t
			break
		}
	}
	// "新泾一村第一" → "新泾一村".
	if i := strings.LastIndex(s, "第"); i > 0 && strings.Trim(s[i+len("第"):], "一二三四五六七八九十") == "" {
		s = s[:i]
	}
	if n := utf8.RuneCountInString(s); n < 2 || n > 8 {
		return ""
	}
	return s
}

// compoundName turns a committee's stem into the name of its housing
// estate: "源园" → "源园小区", "新泾一村" stays.
func compoundName(stem string) string {
	for _, end := range []string{"村", "苑", "小区", "花园", "家苑", "公寓", "城", "坊", "里", "庭", "湾", "府", "邸", "家园", "新村"} {
		if strings.HasSuffix(stem, end) {
			return stem
		}
	}
	return stem + "小区"
}

// isRoad reports whether a committee's stem is a road's name.
func isRoad(stem string) bool {
	for _, end := range []string{"路", "街", "巷", "大道"} {
		if strings.HasSuffix(stem, end) {
			return true
		}
	}
	return false
}

// isVillage reports whether a committee is a village (村委会).
func isVillage(name string) bool {
	return strings.HasSuffix(name, "村委会") || strings.HasSuffix(name, "村民委员会")
}

// address returns a plausible home address in the committee.
func address(r *rand.Rand, committee string, code string) string {
	stem := committeeStem(committee)
	if isVillage(committee) && stem != "" {
		return fmt.Sprintf("%s%d组%d号", strings.TrimSuffix(stem, "村")+"村", 1+r.IntN(12), 1+r.IntN(120))
	}
	// A walk-up of the 1950s–90s: six floors, two to four flats a landing.
	room := func(floors int) int { return (1+r.IntN(floors))*100 + 1 + r.IntN(4) }
	switch x := r.Float64(); {
	case x < 0.35 && isRoad(stem):
		// A committee named after its road: "云南中路居委会".
		return fmt.Sprintf("%s%d弄%d号%d室", stem, 1+r.IntN(120)*10+r.IntN(10), 1+r.IntN(60), room(6))
	case x < 0.35 && stem != "":
		c := compoundName(stem)
		if strings.HasSuffix(c, "村") {
			return fmt.Sprintf("%s%d号%d室", c, 1+r.IntN(150), room(6))
		}
		return fmt.Sprintf("%s%d号楼%d单元%d室", c, 1+r.IntN(40), 1+r.IntN(6), room(6))
	case x < 0.75:
		return fmt.Sprintf("%s%d弄%d号%d室", roadTable(code).pick(r), 1+r.IntN(120)*10+r.IntN(10), 1+r.IntN(60), room(6))
	case x < 0.9:
		return fmt.Sprintf("%s%s%d号楼%d单元%d室", compoundStems.pick(r), compoundSuffixes.pick(r), 1+r.IntN(30), 1+r.IntN(4), room(18))
	default:
		return fmt.Sprintf("%s%d号%d室", roadTable(code).pick(r), 1+r.IntN(900), room(24))
	}
}

// mobilePrefixes are the first three digits of mobile numbers, weighted
// towards the old 13x blocks that people who got a mobile late kept.
var mobilePrefixes = strs(
	"130", 3, "131", 3, "132", 2, "133", 3, "134", 3, "135", 5, "136", 4, "137", 4, "138", 6, "139", 6,
	"150", 2, "151", 2, "152", 1, "153", 2, "155", 1, "156", 1, "157", 1, "158", 2, "159", 2,
	"180", 1, "181", 1, "182", 1, "183", 1, "186", 1, "187", 1, "188", 1, "189", 2,
	"173", 1, "177", 1, "199", 1, "198", 1, "166", 1)

// mobile returns a mobile number in canonical form.
func mobile(r *rand.Rand) string {
	return fmt.Sprintf("%s%08d", mobilePrefixes.pick(r), r.IntN(100000000))
}

// landline returns a landline number in canonical form in the area (with
// its 0): 8-digit local numbers after a 3-digit area code (Shanghai's
// start with 5 or 6), 8 or in smaller places 7 digits after a 4-digit one.
func landline(r *rand.Rand, area string) string {
	switch {
	case area == "021":
		return fmt.Sprintf("021-%d%07d", 5+r.IntN(2), r.IntN(10000000))
	case len(area) == 3:
		return fmt.Sprintf("%s-%d%07d", area, []int{6, 8}[r.IntN(2)], r.IntN(10000000))
	case r.IntN(5) == 0:
		return fmt.Sprintf("%s-%d%06d", area, 2+r.IntN(7), r.IntN(1000000))
	}
	return fmt.Sprintf("%s-8%07d", area, r.IntN(10000000))
}

// dialect returns what an elder of the city speaks on the phone.
func dialect(r *rand.Rand, code string) string {
	local := ""
	switch {
	case strings.HasPrefix(code, "3101"):
		local = "上海话"
	case strings.HasPrefix(code, "3202"):
		local = "无锡话"
	}
	if local != "" && r.Float64() < 0.6 {
		return local
	}
	return "普通话"
}
