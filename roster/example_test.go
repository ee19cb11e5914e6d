package roster_test

import (
	"fmt"
	"strings"

	"github.com/anxin-care/anxin/roster"
)

func ExampleRead() {
	csv := "曹杨新村街道独居老人名册\n" +
		"序号,*姓名,出生日期,手机,固定电话,居委会\n" +
		"1,张三,1942年3月5日,１３８１２３４５６７８,62501234,曹杨一村居委\n"
	s, err := roster.Read(strings.NewReader(csv), int64(len(csv)), "名单.csv", roster.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("header on row", s.HeaderRow, "ignoring", s.Unmapped)
	for _, rec := range s.Records {
		birth, _ := roster.ParseDate(rec.Get(roster.FieldBirthDate))
		fmt.Println(rec.Row, rec.Get(roster.FieldName), birth.Format("2006-01-02"), rec.Get(roster.FieldCommittee))
		for _, p := range s.Phones(&rec) {
			fmt.Println(" ", p.Label, p.Text)
		}
	}
	// Output:
	// header on row 2 ignoring [序号]
	// 3 张三 1942-03-05 曹杨一村居委
	//   mobile 13812345678
	//   landline 62501234
}
