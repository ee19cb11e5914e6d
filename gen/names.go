package gen

import (
	"math/rand/v2"
	"slices"
)

// surnameShares are the 100 commonest surnames with their share of the
// population in per cent, rounded, after the Ministry of Public Security's
// 2020 report on household registration names (《二〇二〇年全国姓名报告》)
// and earlier published rankings, plus 俞 and 施, common south of the
// Yangtze.
var surnameShares = []w[string]{
	{"王", 7.12}, {"李", 7.00}, {"张", 6.74}, {"刘", 5.10}, {"陈", 4.61}, {"杨", 3.22}, {"黄", 2.45}, {"赵", 2.19},
	{"吴", 2.00}, {"周", 1.95}, {"徐", 1.45}, {"孙", 1.38}, {"马", 1.29}, {"朱", 1.28}, {"胡", 1.16}, {"郭", 1.15},
	{"何", 1.08}, {"林", 1.06}, {"罗", 0.98}, {"高", 1.00}, {"郑", 0.87}, {"梁", 0.85}, {"谢", 0.74}, {"宋", 0.73},
	{"唐", 0.71}, {"许", 0.66}, {"韩", 0.64}, {"冯", 0.62}, {"邓", 0.61}, {"曹", 0.60}, {"彭", 0.57}, {"曾", 0.56},
	{"肖", 0.54}, {"田", 0.52}, {"董", 0.50}, {"袁", 0.49}, {"潘", 0.48}, {"于", 0.47}, {"蒋", 0.46}, {"蔡", 0.45},
	{"余", 0.44}, {"杜", 0.43}, {"叶", 0.42}, {"程", 0.41}, {"苏", 0.40}, {"魏", 0.39}, {"吕", 0.38}, {"丁", 0.37},
	{"任", 0.36}, {"沈", 0.35}, {"姚", 0.34}, {"卢", 0.33}, {"姜", 0.32}, {"崔", 0.31}, {"钟", 0.30}, {"谭", 0.29},
	{"陆", 0.28}, {"汪", 0.27}, {"范", 0.26}, {"金", 0.25}, {"石", 0.24}, {"廖", 0.23}, {"贾", 0.22}, {"夏", 0.21},
	{"韦", 0.20}, {"付", 0.20}, {"方", 0.19}, {"白", 0.19}, {"邹", 0.18}, {"孟", 0.18}, {"熊", 0.17}, {"秦", 0.17},
	{"邱", 0.16}, {"江", 0.16}, {"尹", 0.15}, {"薛", 0.15}, {"闫", 0.14}, {"段", 0.14}, {"雷", 0.14}, {"侯", 0.13},
	{"龙", 0.13}, {"史", 0.13}, {"陶", 0.12}, {"黎", 0.12}, {"贺", 0.12}, {"顾", 0.11}, {"毛", 0.11}, {"郝", 0.11},
	{"龚", 0.10}, {"邵", 0.10}, {"万", 0.10}, {"钱", 0.10}, {"严", 0.09}, {"覃", 0.09}, {"武", 0.09}, {"戴", 0.09},
	{"莫", 0.08}, {"孔", 0.08}, {"俞", 0.05}, {"施", 0.05},
}

// jiangnan are surnames several times commoner in Shanghai, Jiangsu and
// Zhejiang than in the country as a whole.
var jiangnan = []string{"沈", "顾", "陆", "钱", "蒋", "姚", "俞", "施", "金", "龚", "汪", "邵", "严", "范", "陶", "朱", "徐", "周", "吴"}

var (
	surnames         = newTable(surnameShares...)
	jiangnanSurnames = newTable(boost(surnameShares, jiangnan, 3)...)
)

// boost multiplies the weights of some items.
func boost(ws []w[string], items []string, by float64) []w[string] {
	out := slices.Clone(ws)
	for i := range out {
		if slices.Contains(items, out[i].item) {
			out[i].weight *= by
		}
	}
	return out
}

// Given names by sex and the era of birth: the names of women born before
// 1940 (秀英, 桂英, 金娣 …) differ from those of the early People's Republic
// (建华, 红英 …), and the political names of men (建国, 援朝, 卫东) date
// their holders. One-character names grow commoner in the 1950s and 60s.
var (
	womenBefore1940 = strs(
		"秀英", 6, "桂英", 5, "秀兰", 4, "玉兰", 4, "凤英", 3, "桂兰", 3, "秀珍", 3, "玉珍", 2, "淑珍", 2, "凤珍", 2,
		"月英", 2, "金娣", 2, "彩娣", 1, "招娣", 1, "根娣", 1, "阿妹", 1, "小妹", 1, "素珍", 2, "桂珍", 2, "宝珍", 1,
		"美英", 1, "兰英", 2, "翠英", 1, "玉英", 2, "淑英", 2, "淑华", 1, "金花", 1, "菊英", 1, "巧英", 1, "莲英", 1,
		"杏娣", 1, "雪英", 1, "阿娥", 1, "银娣", 1, "菊芬", 1, "美华", 1)
	women1940s = strs(
		"秀英", 3, "桂英", 2, "秀兰", 2, "玉兰", 2, "凤英", 1, "淑珍", 2, "美华", 2, "凤珍", 1, "秀珍", 2, "丽华", 2,
		"美英", 1, "惠珍", 2, "佩华", 1, "佩珍", 1, "雅芳", 1, "秀芳", 2, "玉芳", 1, "桂芳", 1, "菊芬", 1, "月娥", 1,
		"美娟", 1, "素华", 1, "爱珍", 1, "金凤", 1, "巧珍", 1, "桂兰", 1, "玉华", 1, "丽娟", 1, "秀娟", 1, "琴", 1,
		"英", 1, "珍", 1)
	women1955 = strs(
		"建华", 2, "红英", 2, "丽萍", 2, "美玲", 1, "红梅", 2, "爱华", 1, "卫红", 2, "秀云", 1, "建英", 1, "国英", 1,
		"惠英", 1, "亚萍", 1, "海燕", 1, "雪梅", 1, "玉梅", 1, "丽娟", 2, "美芳", 1, "小燕", 1, "晓红", 1, "红霞", 2,
		"玉华", 1, "秀娟", 1, "桂芳", 1, "红", 1, "丽", 1, "芳", 2, "敏", 1, "萍", 2, "英", 1, "霞", 1, "玲", 1,
		"华", 1, "燕", 1, "静", 1, "勤", 1)
	menBefore1940 = strs(
		"金根", 3, "阿三", 1, "福生", 2, "永康", 1, "德明", 2, "根宝", 2, "金宝", 2, "福根", 2, "阿毛", 1, "荣根", 1,
		"宝根", 1, "长根", 1, "桂林", 1, "志明", 1, "国华", 1, "德华", 1, "德兴", 1, "寿山", 1, "福林", 1, "兴发", 1,
		"顺发", 1, "正明", 1, "家骏", 1, "子明", 1, "文龙", 1, "仁发", 1, "炳生", 1, "阿四", 1, "小弟", 1, "金龙", 1,
		"鸿生", 1, "海生", 1, "锦荣", 1, "士林", 1, "瑞章", 1, "荣生", 1)
	men1940s = strs(
		"建国", 3, "国强", 2, "德明", 1, "志强", 2, "金根", 1, "福生", 1, "永康", 1, "国华", 2, "德华", 1, "明华", 1,
		"志明", 2, "荣华", 1, "忠明", 1, "国平", 1, "建平", 1, "国民", 1, "新华", 1, "国良", 1, "建新", 1, "正国", 1,
		"家明", 1, "振华", 1, "伟民", 1, "根林", 1, "海林", 1, "和平", 1, "解放", 1, "胜利", 1, "荣", 1, "明", 1)
	men1955 = strs(
		"建国", 2, "国强", 2, "志强", 2, "建华", 2, "建平", 2, "建明", 1, "国庆", 2, "卫国", 2, "卫东", 2, "援朝", 1,
		"跃进", 1, "红卫", 1, "永红", 1, "新民", 1, "建军", 2, "国忠", 1, "志刚", 1, "志华", 1, "建新", 1, "振华", 1,
		"海林", 1, "伟民", 1, "伟", 1, "强", 1, "刚", 1, "勇", 1, "军", 1, "明", 1, "平", 1, "华", 1, "斌", 1,
		"杰", 1, "东", 1, "卫", 1, "建", 1)

	// The names of elders' children and neighbours, born 1950–1995.
	childMen = strs(
		"伟", 3, "强", 2, "磊", 2, "军", 2, "勇", 2, "杰", 2, "涛", 1, "明", 2, "超", 1, "斌", 1, "刚", 1, "平", 1,
		"辉", 1, "鹏", 1, "华", 1, "飞", 1, "波", 1, "建华", 1, "志强", 1, "海峰", 1, "晓东", 2, "文杰", 1, "俊", 1,
		"浩", 1, "建军", 1, "国栋", 1, "卫东", 1, "晓明", 1, "敏", 1, "峰", 1)
	childWomen = strs(
		"芳", 3, "娜", 1, "敏", 2, "静", 2, "丽", 2, "艳", 2, "娟", 2, "霞", 1, "燕", 1, "玲", 1, "萍", 1, "红", 1,
		"婷", 1, "颖", 1, "慧", 1, "丽娟", 1, "红霞", 1, "海燕", 1, "晓燕", 2, "秀兰", 1, "丽萍", 1, "雪梅", 1,
		"晓红", 1, "蓓", 1, "雯", 1, "琳", 1, "洁", 1)
)

// surnameTable returns the surnames for a region: boosted south of the
// Yangtze (Shanghai 31, Jiangsu 32, Zhejiang 33).
func surnameTable(code string) *table[string] {
	if len(code) >= 2 && (code[:2] == "31" || code[:2] == "32" || code[:2] == "33") {
		return jiangnanSurnames
	}
	return surnames
}

// givenName returns a given name typical of a person born in year.
func givenName(r *rand.Rand, female bool, year int) string {
	var t *table[string]
	switch {
	case female && year < 1940:
		t = womenBefore1940
	case female && year < 1955:
		t = women1940s
	case female:
		t = women1955
	case year < 1940:
		t = menBefore1940
	case year < 1955:
		t = men1940s
	default:
		t = men1955
	}
	return t.pick(r)
}

// childName returns the given name of someone born 1950–1995.
func childName(r *rand.Rand, female bool) string {
	if female {
		return childWomen.pick(r)
	}
	return childMen.pick(r)
}
