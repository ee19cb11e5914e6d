package roster_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/roster"
)

// readHeader reads a one-row CSV roster with the given header and returns
// how each column was understood.
func readHeader(t *testing.T, headers ...string) *roster.Sheet {
	t.Helper()
	csv := strings.Join(headers, ",") + "\n" + strings.Repeat("x,", len(headers)) + "\n"
	return mustRead(t, []byte(csv), "名单.csv")
}

func TestHeaderMapping(t *testing.T) {
	tests := []struct {
		header string
		field  roster.Field
		label  string
	}{
		{"姓名", roster.FieldName, ""},
		{"老人姓名", roster.FieldName, ""},
		{"*姓 名", roster.FieldName, ""},
		{"　姓名（必填）", roster.FieldName, ""},
		{"Name", roster.FieldName, ""},
		{"性别(男/女)", roster.FieldGender, ""},
		{"出生日期(yyyy-mm-dd)", roster.FieldBirthDate, ""},
		{"出生年月", roster.FieldBirthDate, ""},
		{"生日", roster.FieldBirthDate, ""},
		{"公民身份号码", roster.FieldIDNumber, ""},
		{"身份证号码（18位）", roster.FieldIDNumber, ""},
		{"老人身份证号", roster.FieldIDNumber, ""},
		{"联系电话", roster.FieldPhone, anxin.PhoneOther},
		{"手机号码", roster.FieldPhone, anxin.PhoneMobile},
		{"手机", roster.FieldPhone, anxin.PhoneMobile},
		{"老人手机号", roster.FieldPhone, anxin.PhoneMobile},
		{"电话（手机）", roster.FieldPhone, anxin.PhoneMobile},
		{"固定电话", roster.FieldPhone, anxin.PhoneLandline},
		{"座机", roster.FieldPhone, anxin.PhoneLandline},
		{"家庭电话", roster.FieldPhone, anxin.PhoneLandline},
		{"子女电话", roster.FieldPhone, anxin.PhoneChild},
		{"子女手机", roster.FieldPhone, anxin.PhoneChild},
		{"儿子电话", roster.FieldPhone, anxin.PhoneChild},
		{"邻居电话", roster.FieldPhone, anxin.PhoneNeighbour},
		{"电话2", roster.FieldPhone, anxin.PhoneOther},
		{"联系方式", roster.FieldPhone, anxin.PhoneOther},
		{"紧急联系电话", roster.FieldPhone, anxin.PhoneOther}, // no contact column: the elder's
		{"所属街道", roster.FieldStreet, ""},
		{"街镇", roster.FieldStreet, ""},
		{"居委会", roster.FieldCommittee, ""},
		{"居村委", roster.FieldCommittee, ""},
		{"所属社区", roster.FieldCommittee, ""},
		{"区县", roster.FieldDistrict, ""},
		{"家庭住址", roster.FieldAddress, ""},
		{"现居住地址", roster.FieldAddress, ""},
		{"是否独居", roster.FieldLiving, ""},
		{"居住状况", roster.FieldLiving, ""},
		{"年龄", roster.FieldAge, ""},
		{"人员类别", roster.FieldTags, ""},
		{"方言", roster.FieldDialect, ""},
		{"紧急联系人", roster.FieldContactName, ""},
		{"与老人关系", roster.FieldContactRelation, ""},
		{"紧急联系人电话", roster.FieldContactPhone, ""},
		{"紧急联系人2电话", roster.FieldContactPhone, ""},
		{"监护人姓名", roster.FieldContactName, ""},
		{"备注", roster.FieldNotes, ""},
		{"健康状况", roster.FieldHealth, ""},
		{"病史", roster.FieldHealth, ""},
	}
	for _, tt := range tests {
		header := tt.header
		if tt.field == roster.FieldName {
			header = tt.header + ",性别"
		} else {
			header = "姓名," + tt.header
		}
		s := readHeader(t, header)
		i := 1
		if tt.field == roster.FieldName {
			i = 0
		}
		if len(s.Columns) != 2 {
			t.Errorf("%q: columns %+v, unmapped %q", tt.header, s.Columns, s.Unmapped)
			continue
		}
		if c := s.Columns[i]; c.Field != tt.field || c.PhoneLabel != tt.label {
			t.Errorf("%q = %s/%q, want %s/%q", tt.header, c.Field, c.PhoneLabel, tt.field, tt.label)
		}
	}
}

func TestHeaderUnmapped(t *testing.T) {
	s := readHeader(t, "序号", "姓名", "户籍地址", "电话回访结果", "", "Email", "性别")
	if fmt.Sprint(s.Unmapped) != "[序号 户籍地址 电话回访结果 Email]" {
		t.Errorf("Unmapped = %q", s.Unmapped)
	}
	if len(s.Columns) != 2 || s.Columns[0].Index != 1 || s.Columns[0].Header != "姓名" {
		t.Errorf("Columns = %+v", s.Columns)
	}
}

func TestHeaderEmergencyPhoneIsTheContactsWithAContact(t *testing.T) {
	s := readHeader(t, "姓名", "紧急联系人", "紧急联系电话")
	if c := s.Columns[2]; c.Field != roster.FieldContactPhone {
		t.Errorf("紧急联系电话 with 紧急联系人 = %s, want contact_phone", c.Field)
	}
}

func TestHeaderNeedsName(t *testing.T) {
	csv := "序号,性别,身份证号,联系电话\n1,男,310107194203061234,13812345678\n"
	if _, err := readCSV(csv); err == nil {
		t.Error("a header without 姓名 was accepted")
	}
	if _, err := readCSV("姓名\n张三\n"); err == nil {
		t.Error("a header of one known column was accepted")
	}
}

func readCSV(csv string) (*roster.Sheet, error) {
	return roster.Read(strings.NewReader(csv), int64(len(csv)), "名单.csv", roster.Options{})
}
