package registry_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
	"github.com/anxin-care/anxin/registry"
	"github.com/anxin-care/anxin/roster"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestMain(m *testing.M) {
	code := m.Run()
	storetest.Cleanup()
	os.Exit(code)
}

var ctx = context.Background()

func id(first17 string) string { return first17 + string(idcard.CheckDigit(first17)) }

// A street office's roster: a title row, Chinese headers, committee names
// written three ways, a local landline, an Excel date serial, and mistakes.
func messyRoster() string {
	wang := id("31010719420305002")
	bad := wang[:17] + "0"
	if bad == wang {
		bad = wang[:17] + "1"
	}
	return "曹杨新村街道独居老人名册,,,,,,\n" +
		"序号,姓名,性别,出生日期,身份证号码,联系电话,所属街道,居委会,详细地址,居住状况\n" +
		"1,王秀英,女,1942/3/5," + wang + ",6254 1234,曹杨新村街道,源园居委会,枫桥路5号楼302室,独居\n" +
		"2,张建国,男,1955年1月1日,,13812345678,曹杨新村,花溪园,花溪路8号,与子女同住\n" +
		"3,李梅,女,1940-02-30,,13900001111,曹杨新村街道,源园居委会,,独居\n" +
		"4,,男,1950-01-01,,13900002222,曹杨新村街道,源园居委会,,\n" +
		"5,赵伟,男,1948-06-01," + bad + ",12345,曹杨新村街道,不存在居委会,,\n" +
		"6,王秀英,女,1942/3/5," + wang + ",6254 1234,曹杨新村街道,源园居委会,枫桥路5号楼302室,独居\n" +
		"7,陈芳,女,15406,,021-62540000,曹杨新村街道,310107005003,,纯老\n"
}

func read(t *testing.T, data []byte, name string) *roster.Sheet {
	t.Helper()
	sh, err := roster.Read(bytes.NewReader(data), int64(len(data)), name, roster.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sh
}

func TestImportPreviewAndCommit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		im := &registry.Importer{DB: db}
		sc := anxin.SystemScope()
		gbk, _ := simplifiedchinese.GBK.NewEncoder().String(messyRoster())
		for _, file := range []struct {
			name string
			data []byte
		}{{"roster-utf8.csv", []byte(messyRoster())}, {"roster-gbk.csv", []byte(gbk)}} {
			p, err := im.Preview(ctx, sc, read(t, file.data, file.name))
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != 7 || p.Valid != 3 || p.Rejected != 4 || p.Header != 2 {
				t.Fatalf("%s: counts %+v header %d", file.name, p.Counts, p.Header)
			}
			want := map[int]string{5: registry.ReasonBadDate, 6: registry.ReasonRequired, 8: registry.ReasonDuplicate}
			got := map[int][]string{}
			for _, e := range p.Errors() {
				got[e.Row] = append(got[e.Row], e.Reason+"@"+e.Column)
			}
			for row, reason := range want {
				if len(got[row]) == 0 || !bytes.HasPrefix([]byte(got[row][0]), []byte(reason)) {
					t.Errorf("%s row %d: %v, want %s", file.name, row, got[row], reason)
				}
			}
			if len(got[7]) != 3 {
				t.Errorf("%s row 7 should report the ID, the phone and the committee: %v", file.name, got[7])
			}
		}
		p, _ := im.Preview(ctx, sc, read(t, []byte(messyRoster()), "roster.csv"))
		c, err := im.Commit(ctx, sc, p)
		if err != nil || c.Created != 3 {
			t.Fatalf("commit: %+v %v", c, err)
		}
		es, _, _ := db.FindElders(ctx, sc, anxin.ElderFilter{Query: "wxy"})
		if len(es) != 1 || es[0].Phones[0].Number != "021-62541234" || es[0].Living != anxin.LivingAlone || es[0].RegionCode != "310107005001" {
			t.Fatalf("imported 王秀英: %+v", es)
		}
		chen, _, _ := db.FindElders(ctx, sc, anxin.ElderFilter{Query: "陈芳"})
		if len(chen) != 1 || chen[0].BirthDate != "1942-03-06" || chen[0].Living != anxin.LivingEldersOnly {
			t.Fatalf("陈芳 (Excel serial date, committee code): %+v", chen)
		}

		t.Run("re-importing the same file creates nothing", func(t *testing.T) {
			p, _ := im.Preview(ctx, sc, read(t, []byte(messyRoster()), "roster.csv"))
			c, err := im.Commit(ctx, sc, p)
			if err != nil || c.Created != 0 || c.Updated != 0 || c.Unchanged != 3 {
				t.Fatalf("second import: %+v %v", c, err)
			}
			if n, _ := db.CountElders(ctx); n != 3 {
				t.Fatalf("%d elders after re-import", n)
			}
		})
		t.Run("a committee imports only into itself", func(t *testing.T) {
			org := &anxin.Org{Kind: anxin.OrgCommittee, Name: "花溪园居委会", RegionCode: "310107005003"}
			if err := db.CreateOrg(ctx, sc, org); err != nil {
				t.Fatal(err)
			}
			a := &anxin.Account{OrgID: org.ID, Username: "huaxi", Roles: []string{anxin.RoleCommunity}, PasswordHash: "x"}
			if err := db.CreateAccount(ctx, sc, a); err != nil {
				t.Fatal(err)
			}
			a.Org = org
			p, err := im.Preview(ctx, anxin.ScopeOf(a), read(t, []byte(messyRoster()), "roster.csv"))
			if err != nil {
				t.Fatal(err)
			}
			outside := 0
			for _, e := range p.Errors() {
				if e.Reason == registry.ReasonOutsideScope {
					outside++
				}
			}
			if p.Valid != 2 || outside < 2 {
				t.Fatalf("committee preview: %+v, %d outside", p.Counts, outside)
			}
		})
	})
}

// TestImportInBatches imports a roster longer than one batch of rows, with
// the same elder (no ID number; same name, birth date and committee) on
// two rows of one batch under different addresses, and ID-numbered rows
// that a second import finds again across batches.
func TestImportInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		sc := anxin.SystemScope()
		im := &registry.Importer{DB: db}
		var b bytes.Buffer
		b.WriteString("姓名,出生日期,身份证号码,居委会,详细地址\n")
		const n = 1234
		for i := range n {
			birth := time.Date(1940+i%10, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, time.UTC)
			idNumber := id(fmt.Sprintf("310107%s%03d", birth.Format("20060102"), i%1000))
			fmt.Fprintf(&b, "老人%04d,%s,%s,源园居委会,枫桥路%d号\n", i, birth.Format(time.DateOnly), idNumber, i)
		}
		b.WriteString("赵阿婆,1938-05-06,,源园居委会,枫桥路1号\n")
		b.WriteString("赵阿婆,1938-05-06,,源园居委会,枫桥路1号3室\n")
		p, err := im.Preview(ctx, sc, read(t, b.Bytes(), "big.csv"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Rejected != 0 {
			t.Fatalf("preview rejected %d: %+v", p.Rejected, p.Errors()[:min(3, len(p.Errors()))])
		}
		c, err := im.Commit(ctx, sc, p)
		if err != nil || c.Created != n+1 || c.Updated != 1 {
			t.Fatalf("commit: %+v %v", c, err)
		}
		zhao, _, _ := db.FindElders(ctx, sc, anxin.ElderFilter{Query: "赵阿婆"})
		if len(zhao) != 1 || zhao[0].Address != "枫桥路1号3室" {
			t.Fatalf("赵阿婆 twice in one batch: %+v", zhao)
		}
		p, _ = im.Preview(ctx, sc, read(t, b.Bytes(), "big.csv"))
		if p.Valid != n+2 {
			t.Fatalf("second preview: %+v", p.Counts)
		}
		c, err = im.Commit(ctx, sc, p)
		if err != nil || c.Created != 0 || c.Unchanged+c.Updated != n+2 {
			t.Fatalf("second commit: %+v %v", c, err)
		}
		if got, _ := db.CountElders(ctx); got != n+1 {
			t.Fatalf("%d elders, want %d", got, n+1)
		}
	})
}
