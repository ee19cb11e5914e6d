package roster

import (
	"strings"

	"github.com/anxin-care/anxin"
)

// headerScanRows is how many rows from the top of a sheet may hold the
// header; above it there may be a title, a date, notes for whoever fills in
// the form.
const headerScanRows = 20

// headerTable names the headers Anxin recognises, written as headerKey
// leaves them: half-width, lower case, without spaces, digits, "*" marks or
// bracketed notes ("出生日期(yyyy-mm-dd)" is 出生日期, "电话2" is 电话).
var headerTable = []struct {
	field Field
	names []string
}{
	{FieldName, []string{"姓名", "老人姓名", "名字", "老年人姓名", "长者姓名", "name"}},
	{FieldGender, []string{"性别", "gender", "sex"}},
	{FieldBirthDate, []string{"出生日期", "出生年月", "出生年月日", "生日", "出生时间", "birthdate", "dateofbirth", "birthday"}},
	{FieldIDNumber, []string{"身份证号", "身份证号码", "公民身份号码", "证件号码", "身份证", "身份证件号码", "证件号", "idnumber"}},
	{FieldPhone, []string{"联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "固定电话", "固话", "座机",
		"家庭电话", "子女电话", "子女联系电话", "紧急联系电话", "电话号码", "移动电话", "住宅电话", "宅电", "邻居电话",
		"phone", "mobile", "telephone", "tel"}},
	{FieldStreet, []string{"街道", "镇", "街镇", "所属街道", "街道名称", "所属街镇", "乡镇", "乡镇街道", "street"}},
	{FieldCommittee, []string{"居委", "居委会", "社区", "村", "村委会", "居村委", "所属居委", "所属社区", "居委名称",
		"居委会名称", "社区名称", "居村委会", "所属居村委", "所属村居", "村居", "committee", "community"}},
	{FieldDistrict, []string{"区", "区县", "所属区", "所属区县", "district"}},
	{FieldAddress, []string{"地址", "详细地址", "家庭住址", "住址", "居住地址", "现住址", "现居住地址", "家庭地址",
		"居住地", "address"}},
	{FieldLiving, []string{"居住状况", "独居", "居住情况", "是否独居", "居住类型", "居住方式"}},
	{FieldAge, []string{"年龄", "age"}},
	{FieldTags, []string{"标签", "人员类别", "类别", "人员类型", "老人类别", "tags"}},
	{FieldDialect, []string{"方言", "语言", "dialect"}},
	{FieldContactName, []string{"紧急联系人", "紧急联系人姓名", "联系人", "联系人姓名", "监护人", "监护人姓名"}},
	{FieldContactRelation, []string{"关系", "与老人关系", "与本人关系", "联系人关系", "紧急联系人关系", "与联系人关系"}},
	{FieldContactPhone, []string{"紧急联系人电话", "紧急联系人手机", "紧急联系人联系电话", "联系人电话", "联系人手机",
		"联系人联系电话", "监护人电话", "监护人手机"}},
	{FieldNotes, []string{"备注", "说明", "notes", "remarks"}},
	{FieldHealth, []string{"健康状况", "病史", "健康情况", "身体状况", "主要疾病", "慢性病"}},
}

// headerFields indexes headerTable by name.
var headerFields = indexHeaders()

func indexHeaders() map[string]Field {
	m := make(map[string]Field)
	for _, e := range headerTable {
		for _, n := range e.names {
			m[n] = e.field
		}
	}
	return m
}

// headerSuffixes map headers the table does not know by how they end, for
// the endless hand-typed variants (老人手机号, 儿子电话, 本人身份证号). Only
// endings that cannot end a header of another meaning are listed: 电话回访结果
// does not end in 电话.
var headerSuffixes = []struct {
	suffix string
	field  Field
}{
	{"身份证号码", FieldIDNumber},
	{"身份证号", FieldIDNumber},
	{"电话", FieldPhone},
	{"电话号码", FieldPhone},
	{"手机", FieldPhone},
	{"手机号", FieldPhone},
	{"手机号码", FieldPhone},
	{"座机", FieldPhone},
	{"固话", FieldPhone},
	{"联系方式", FieldPhone},
	{"详细地址", FieldAddress},
	{"居住地址", FieldAddress},
	{"住址", FieldAddress},
	{"居委会", FieldCommittee},
	{"居委", FieldCommittee},
	{"村委会", FieldCommittee},
	{"出生日期", FieldBirthDate},
	{"出生年月", FieldBirthDate},
}

// contactWords mark a header as the emergency contact's, not the elder's.
var contactWords = []string{"联系人", "监护人"}

// phoneLabels tell the kind of number from words in its header, most
// specific first: 子女手机 is a child's number.
var phoneLabels = []struct {
	label string
	words []string
}{
	{anxin.PhoneChild, []string{"子女", "儿子", "女儿", "儿女", "家属", "亲属"}},
	{anxin.PhoneNeighbour, []string{"邻居", "邻里"}},
}

var (
	mobileWords   = []string{"手机", "移动电话", "mobile"}
	landlineWords = []string{"固定电话", "固话", "座机", "家庭电话", "宅电", "住宅电话", "家庭固话"}
)

// headerKey normalises a header for lookup: Clean, lower case, without
// spaces, digits, required-field marks, colons or bracketed notes.
func headerKey(h string) string {
	return headerText(stripBrackets(Clean(h)))
}

// headerText is headerKey without removing bracketed notes, for reading
// them (电话（手机） is a mobile number).
func headerText(h string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '*', r == '※', r == '★', r == ':':
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, Clean(h))
}

// stripBrackets removes bracketed text, in ASCII or Chinese brackets.
func stripBrackets(s string) string {
	const open, close = "([【〔《<", ")]】〕》>"
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(open, r):
			depth++
		case strings.ContainsRune(close, r) && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mapHeader tells which field a header names, and for a phone the label
// its words suggest. ok is false for headers Anxin does not understand.
func mapHeader(h string) (f Field, label string, ok bool) {
	key := headerKey(h)
	if key == "" {
		return "", "", false
	}
	f, ok = headerFields[key]
	if !ok {
		f, ok = mapBySuffix(key)
	}
	if f == FieldPhone {
		label = phoneLabel(headerText(h))
	}
	return f, label, ok
}

func mapBySuffix(key string) (Field, bool) {
	contact := containsAny(key, contactWords)
	if contact && strings.HasSuffix(key, "姓名") {
		return FieldContactName, true
	}
	for _, s := range headerSuffixes {
		if !strings.HasSuffix(key, s.suffix) {
			continue
		}
		switch {
		case s.field == FieldPhone && contact:
			return FieldContactPhone, true
		case s.field == FieldAddress && containsAny(key, []string{"户籍", "户口", "邮"}):
			return "", false // where the elder is registered, not where they live
		}
		return s.field, true
	}
	return "", false
}

func phoneLabel(text string) string {
	for _, l := range phoneLabels {
		if containsAny(text, l.words) {
			return l.label
		}
	}
	mobile, landline := containsAny(text, mobileWords), containsAny(text, landlineWords)
	switch {
	case mobile && !landline:
		return anxin.PhoneMobile
	case landline && !mobile:
		return anxin.PhoneLandline
	}
	return anxin.PhoneOther
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// headerScore counts the cells of row that name a field, and tells whether
// one of them is the elder's name.
func headerScore(row []string) (n int, name bool) {
	for _, c := range row {
		if f, _, ok := mapHeader(c); ok {
			n++
			name = name || f == FieldName
		}
	}
	return n, name
}

// findHeader returns the index of the row among rows that names the most
// fields, at least two and the name among them; the earliest wins a tie. It
// returns -1 when no row qualifies.
func findHeader(rows [][]string) int {
	best, bestN := -1, 1
	for i, row := range rows {
		if n, name := headerScore(row); name && n > bestN {
			best, bestN = i, n
		}
	}
	return best
}

// isSubHeader reports whether sub, the row under header, is the lower row of
// a two-row header: 联系电话 merged over two columns with 手机 and 固话 under
// it. Such a row has nothing of its own in the name column, and at least
// half of its own cells (those that do not repeat the cell above, as a
// merged 姓名 does) are known headers.
func isSubHeader(header, sub []string) bool {
	known, own := 0, 0
	for i := range sub {
		h, s := cell(header, i), cell(sub, i)
		if s == "" || s == h {
			continue
		}
		if f, _, _ := mapHeader(h); f == FieldName {
			return false // a data row: it has a name
		}
		own++
		if _, _, ok := mapHeader(s); ok {
			known++
		}
	}
	return known > 0 && 2*known >= own
}

// mapColumns maps the header (and the row under it when sub is not nil) to
// columns. A column of a two-row header is mapped by the two texts together
// (紧急联系人 over 电话 is 紧急联系人电话), else by the lower, else by the upper.
func mapColumns(header, sub []string) (cols []Column, unmapped []string) {
	for i := range max(len(header), len(sub)) {
		h, s := cell(header, i), cell(sub, i)
		texts := []string{h}
		display := h
		if s != "" && s != h {
			texts = []string{h + s, s, h}
			display = strings.TrimPrefix(h+"/"+s, "/")
		}
		mapped := false
		for _, t := range texts {
			if f, label, ok := mapHeader(t); ok {
				cols = append(cols, Column{Index: i, Header: display, Field: f, PhoneLabel: label})
				mapped = true
				break
			}
		}
		if !mapped && display != "" {
			unmapped = append(unmapped, display)
		}
	}
	emergencyPhones(cols)
	return cols, unmapped
}

// emergencyPhones makes a 紧急联系电话 column the contact's phone when the
// roster names an emergency contact; without one it is the elder's number.
func emergencyPhones(cols []Column) {
	hasContact := false
	for _, c := range cols {
		hasContact = hasContact || c.Field == FieldContactName
	}
	if !hasContact {
		return
	}
	for i, c := range cols {
		if c.Field == FieldPhone && strings.Contains(headerKey(c.Header), "紧急") {
			cols[i].Field, cols[i].PhoneLabel = FieldContactPhone, ""
		}
	}
}

// cell returns row[i] cleaned, or "" past the end of the row.
func cell(row []string, i int) string {
	if i < len(row) {
		return Clean(row[i])
	}
	return ""
}
