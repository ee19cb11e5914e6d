// Command roster writes a street office's roster as an XLSX file from the
// elder generator, for the import benchmark (bench/import.sh, issue 3).
// The rows are what offices hand in: a merged title row above the header,
// street and committee by name, dates and phone numbers typed several ways,
// tags in one cell, an emergency contact, and a share of bad rows (wrong ID
// check digit, impossible date, bad phone, unknown committee, missing name,
// a row repeated).
//
//	go run ./bench/roster -data DIR -region 310107 -count 100000 -out roster.xlsx
//
// DIR is a migrated data directory; only its committees are read.
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/gen"
	"github.com/anxin-care/anxin/store"
	"github.com/xuri/excelize/v2"
)

func main() {
	dataDir := flag.String("data", "", "migrated data directory (committees are read from it)")
	region := flag.String("region", "310107", "district, street or committee code")
	count := flag.Int("count", 100_000, "rows")
	bad := flag.Float64("bad", 0.02, "share of rows with a mistake")
	seed := flag.Uint64("seed", 7, "random seed")
	out := flag.String("out", "roster.xlsx", "file to write")
	flag.Parse()
	if err := run(context.Background(), *dataDir, *region, *count, *bad, *seed, *out); err != nil {
		fmt.Fprintln(os.Stderr, "roster:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dataDir, region string, count int, bad float64, seed uint64, out string) error {
	db, err := store.Open(ctx, store.Config{DataDir: dataDir})
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := gen.Committees(ctx, db, region)
	if err != nil {
		return err
	}
	streets := map[string]string{}
	for _, c := range cs {
		if _, ok := streets[c.ParentCode]; !ok {
			s, err := db.FindRegion(ctx, c.ParentCode)
			if err != nil {
				return err
			}
			streets[c.ParentCode] = s.Name
		}
	}
	g := gen.New(seed)
	r := rand.New(rand.NewPCG(seed, 99))
	today := time.Now()

	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	header := []any{"序号", "姓名", "性别", "出生日期", "身份证号码", "联系电话", "子女电话", "街道", "居委会", "详细地址",
		"居住状况", "人员类别", "紧急联系人", "关系", "紧急联系人电话", "备注"}
	if err := sw.MergeCell("A1", "P1"); err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"老年人基本信息登记表（" + time.Now().Format("2006年1月") + "）"}); err != nil {
		return err
	}
	if err := sw.SetRow("A2", header); err != nil {
		return err
	}
	var prev []any
	for i := 1; i <= count; i++ {
		c := cs[r.IntN(len(cs))]
		e := g.Elder(c, today)
		row := []any{i, e.Name, genderWord(e.Gender), birthDate(r, e.BirthDate), e.IDNumber, "", "",
			streets[c.ParentCode], c.Name, e.Address, livingWord(e.Living), strings.Join(e.Tags, "、"), "", "", "", ""}
		for _, p := range e.Phones {
			col := 5
			if p.Label == anxin.PhoneChild {
				col = 6
			}
			if row[col] == "" {
				row[col] = phoneText(r, p.Number)
			}
		}
		if len(e.Contacts) > 0 {
			ct := e.Contacts[0]
			row[12], row[13] = ct.Name, ct.Relation
			if len(ct.Phones) > 0 {
				row[14] = phoneText(r, ct.Phones[0])
			}
		}
		if r.Float64() < bad {
			spoil(r, row)
		}
		if prev != nil && r.Float64() < bad/4 {
			row = append([]any{i}, prev[1:]...)
		}
		prev = row
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.SaveAs(out)
}

func genderWord(g string) string {
	if g == anxin.GenderFemale {
		return "女"
	}
	return "男"
}

func livingWord(l string) string {
	switch l {
	case anxin.LivingAlone:
		return "独居"
	case anxin.LivingEldersOnly:
		return "纯老"
	case anxin.LivingFamily:
		return "与子女同住"
	}
	return ""
}

// birthDate writes an ISO date the ways offices type it.
func birthDate(r *rand.Rand, iso string) any {
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso
	}
	switch r.IntN(5) {
	case 0:
		return t.Format("2006/1/2")
	case 1:
		return t.Format("2006年1月2日")
	case 2:
		return t.Format("20060102")
	case 3:
		return t // an Excel date cell
	}
	return iso
}

// phoneText writes a canonical number the ways offices type it.
func phoneText(r *rand.Rand, n string) any {
	switch {
	case len(n) == 11 && n[0] == '1':
		switch r.IntN(4) {
		case 0:
			return n[:3] + " " + n[3:7] + " " + n[7:]
		case 1:
			return "+86 " + n
		}
		return n
	case strings.HasPrefix(n, "021") && len(n) == 11:
		switch r.IntN(3) {
		case 0:
			return "021-" + n[3:]
		case 1:
			return n[3:] // local number without the area code
		}
		return "(021)" + n[3:]
	}
	return n
}

// spoil makes one of the mistakes rosters have.
func spoil(r *rand.Rand, row []any) {
	switch r.IntN(6) {
	case 0:
		if id, _ := row[4].(string); len(id) == 18 {
			last := (int(id[17]-'0') + 1) % 10
			row[4] = id[:17] + fmt.Sprint(last)
		} else {
			row[3] = "1942-02-30"
		}
	case 1:
		row[3] = "1942-02-30"
	case 2:
		row[5] = "12345"
	case 3:
		row[8] = "不存在居委会"
	case 4:
		row[1] = ""
	case 5:
		row[5] = "021-6254 12"
	}
}
