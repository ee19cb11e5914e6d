package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/idcard"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// rosterHeader is the header of the test rosters.
var rosterHeader = []string{"序号", "姓名", "性别", "出生日期", "身份证号", "联系电话", "街道", "居委会", "详细地址", "居住状况"}

func withCheckDigit(first17 string) string { return first17 + string(idcard.CheckDigit(first17)) }

// messyRows is a street office's roster as it is kept: committees written
// three ways, and one row for each kind of mistake. The comments give the
// spreadsheet row (the header is on row 3).
func messyRows() [][]string {
	ouyang := withCheckDigit("31010719420305002")
	bad := withCheckDigit("31010719480601001")
	bad = bad[:17] + map[bool]string{true: "1", false: "0"}[bad[17] == '0']
	return [][]string{
		{"1", "欧阳秀英", "女", "1942-03-05", ouyang, "6254 1234", "曹杨新村街道", "源园", "枫桥路5号楼302室", "独居"}, // 4 valid
		{"2", "司马建国", "男", "1955年1月1日", "", "13812345678", "曹杨新村", "花溪园居委会", "花溪路8号", "与子女同住"},    // 5 valid
		{"3", "上官梅", "女", "1942-02-30", "", "13900001111", "曹杨新村街道", "源园居委会", "", "独居"},           // 6 bad date
		{"4", "诸葛伟", "男", "1948-06-01", bad, "13900002222", "曹杨新村街道", "源园居委会", "", ""},            // 7 check digit
		{"5", "皇甫芳", "女", "1950-07-01", "", "12345", "曹杨新村街道", "源园居委会", "", ""},                   // 8 bad phone
		{"6", "公孙丽", "女", "1951-08-01", "", "13900003333", "曹杨新村街道", "不存在居委会", "", ""},            // 9 unknown committee
		{"7", "欧阳秀英", "女", "1942-03-05", ouyang, "6254 1234", "曹杨新村街道", "源园", "枫桥路5号楼302室", "独居"}, // 10 duplicate
		{"8", "东方强", "男", "1946-09-09", "", "13900004444", "北新泾街道", "新泾一村第一居委会", "", ""},          // 11 outside scope
		{"9", "慕容敏", "女", "1947-10-10", "", "021-62540000", "曹杨新村街道", "金岭园居委会", "金岭路1号", "纯老"},    // 12 valid
	}
}

// validRows are the names and birth dates of messyRows' valid rows.
var validRows = [][2]string{{"欧阳秀英", "1942-03-05"}, {"司马建国", "1955-01-01"}, {"慕容敏", "1947-10-10"}}

// rosterXLSX lays rows out as people do: a merged title, a date line, the
// header on row 3, a birth date stored as an Excel date.
func rosterXLSX(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sh := f.GetSheetName(0)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellValue(sh, "A1", "曹杨新村街道 独居老人名册"))
	must(f.MergeCell(sh, "A1", "J1"))
	must(f.SetCellValue(sh, "A2", "制表日期：2026年11月"))
	must(f.SetSheetRow(sh, "A3", &rosterHeader))
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, v := range r {
			cells[j] = v
		}
		if d, err := time.Parse("2006-01-02", r[3]); err == nil && i == 0 {
			cells[3] = d // an Excel date, as typed in Excel
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+4)
		must(f.SetSheetRow(sh, cell, &cells))
	}
	buf, err := f.WriteToBuffer()
	must(err)
	return buf.Bytes()
}

// rosterCSV writes rows under a title line and a blank line, so the header
// is on row 3 as in rosterXLSX.
func rosterCSV(rows [][]string) string {
	var b strings.Builder
	b.WriteString("曹杨新村街道 独居老人名册\n\n" + strings.Join(rosterHeader, ",") + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().String(s)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

// uploadRequest builds a multipart upload of one file; the CSRF field, when
// given, comes first, as a browser sends the form.
func uploadRequest(t *testing.T, target, csrf, filename string, data []byte) *http.Request {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if csrf != "" {
		mw.WriteField("csrf", csrf)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", target, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// upload posts a roster to the console with the session's CSRF token.
func (c *testClient) upload(filename string, data []byte) (int, string) {
	c.t.Helper()
	return c.do(uploadRequest(c.t, c.e.ts.URL+"/elders/import", c.csrf, filename, data))
}

var importIDRe = regexp.MustCompile(`/elders/import/([A-Za-z0-9_-]+)/abort`)

// importID reads the upload's id from the preview page.
func importID(t *testing.T, body string) string {
	t.Helper()
	m := importIDRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no import id in preview:\n%s", body)
	}
	return m[1]
}

// wantProblem checks that the preview lists a problem of row in column.
func wantProblem(t *testing.T, body string, row int, column, reason string) {
	t.Helper()
	want := fmt.Sprintf(`<tr><td class="num">%d</td><td>%s</td><td>%s`, row, column, reason)
	if !strings.Contains(body, want) {
		t.Errorf("preview lacks row %d %s %s", row, column, reason)
	}
}

// countElders counts the registered elders with this name and birth date.
func (e *testEnv) countElders(name, birth string) int {
	e.t.Helper()
	es, _, err := e.db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Query: name, Limit: 1000})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, el := range es {
		if el.Name == name && el.BirthDate == birth {
			n++
		}
	}
	return n
}

func (e *testEnv) wantElders(rows [][2]string, want int) {
	e.t.Helper()
	for _, r := range rows {
		if n := e.countElders(r[0], r[1]); n != want {
			e.t.Errorf("%s born %s: %d elders, want %d", r[0], r[1], n, want)
		}
	}
}

// A street office uploads its messy roster, sees every refused row with its
// reason, downloads the check, imports the valid rows once however often it
// clicks, and re-importing the same file changes nothing.
func TestEldersImport(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("street1")
		st, body := c.get("/elders")
		wantStatus(t, "elders", st, http.StatusOK)
		wantBody(t, body, `href="/elders/import"`)
		st, body = c.get("/elders/import")
		wantStatus(t, "form", st, http.StatusOK)
		wantBody(t, body, `enctype="multipart/form-data"`, `accept=".xlsx,.csv"`, "姓名", "50 MB")

		xlsx := rosterXLSX(t, messyRows())
		st, body = c.upload("名册.xlsx", xlsx)
		wantStatus(t, "upload", st, http.StatusOK)
		wantBody(t, body, "第 3 行", "序号", "导入 3 条有效记录", "3 行：新建 3，更新 0，无变化 0", "下载检查报告（Excel）")
		wantProblem(t, body, 6, "出生日期", "日期无效")
		wantProblem(t, body, 7, "身份证号", "身份证号校验位不对")
		wantProblem(t, body, 8, "联系电话", "不是有效的电话号码")
		wantProblem(t, body, 9, "居委会", "不是已知的居（村）委会")
		wantProblem(t, body, 10, "姓名", "与文件中另一行重复")
		wantProblem(t, body, 11, "居委会", "不在您的管辖范围内")
		wantBody(t, body, "<td>欧阳秀英</td><td>曹杨新村街道 源园居委会</td><td>新建</td>", "<td>慕容敏</td><td>曹杨新村街道 金岭园居委会</td>")
		id := importID(t, body)
		e.wantElders(validRows, 0)

		t.Run("the GBK CSV of the same roster reads the same", func(t *testing.T) {
			st, body := c.upload("名册.csv", gbk(t, rosterCSV(messyRows())))
			wantStatus(t, "upload csv", st, http.StatusOK)
			wantBody(t, body, "GBK", "导入 3 条有效记录")
			wantProblem(t, body, 6, "出生日期", "日期无效")
			wantProblem(t, body, 11, "居委会", "不在您的管辖范围内")
		})
		t.Run("the check downloads as a workbook, audited", func(t *testing.T) {
			checkImportReport(t, e, c, id)
		})

		st, body = c.post("/elders/import/"+id+"/commit", nil)
		wantStatus(t, "commit", st, http.StatusOK)
		wantBody(t, body, `<dd id="created">3</dd>`, `<dd id="rejected">6</dd>`, `href="/elders"`)
		e.wantElders(validRows, 1)
		e.wantElders([][2]string{{"东方强", "1946-09-09"}, {"皇甫芳", "1950-07-01"}}, 0)
		audits, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: "elders.import", Limit: 10})
		if err != nil || len(audits) != 1 || audits[0].ActorName != "street1" || !strings.Contains(audits[0].Detail, "3 created") {
			t.Fatalf("import audit: %+v %v", audits, err)
		}

		t.Run("a second commit of the file imports nothing", func(t *testing.T) {
			st, body := c.post("/elders/import/"+id+"/commit", nil)
			wantStatus(t, "commit again", st, http.StatusOK)
			wantBody(t, body, "此文件已导入", `<dd id="created">3</dd>`)
			e.wantElders(validRows, 1)
		})
		t.Run("uploading the file again changes nothing", func(t *testing.T) {
			st, body := c.upload("名册.xlsx", xlsx)
			wantStatus(t, "upload again", st, http.StatusOK)
			wantBody(t, body, "3 行：新建 0，更新 0，无变化 3")
			st, body = c.post("/elders/import/"+importID(t, body)+"/commit", nil)
			wantStatus(t, "commit again", st, http.StatusOK)
			wantBody(t, body, `<dd id="created">0</dd>`, `<dd id="unchanged">3</dd>`)
			e.wantElders(validRows, 1)
		})
		t.Run("another account cannot use the upload", func(t *testing.T) {
			other := e.signIn("cityadmin")
			st, _ := other.post("/elders/import/"+id+"/commit", nil)
			wantStatus(t, "other account's commit", st, http.StatusNotFound)
			st, _ = other.get("/elders/import/" + id + "/report.xlsx")
			wantStatus(t, "other account's report", st, http.StatusNotFound)
		})
	})
}

// checkImportReport downloads the check of upload id and reads it back.
func checkImportReport(t *testing.T, e *testEnv, c *testClient, id string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.ts.URL+"/elders/import/"+id+"/report.xlsx", nil)
	resp, err := c.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	wantStatus(t, "report", resp.StatusCode, http.StatusOK)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(resp.Body)
	if err != nil {
		t.Fatalf("report does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 10 {
		t.Fatalf("report has %d rows, want header + 9", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	res, errs, ok := col["导入结果"], col["错误说明"], col["姓名"] == 1 && col["序号"] == 0
	if !ok || res == 0 || errs == 0 {
		t.Fatalf("report header %q", rows[0])
	}
	cell := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}
	for _, want := range []struct {
		row            int // 1-based in the report
		result, reason string
	}{
		{2, "新建", ""}, {4, "未导入", "出生日期：日期无效"}, {5, "未导入", "身份证号：身份证号校验位不对"},
		{8, "未导入", "姓名：与文件中另一行重复"}, {9, "未导入", "居委会：不在您的管辖范围内"}, {10, "新建", ""},
	} {
		r := rows[want.row-1]
		if cell(r, res) != want.result || !strings.HasPrefix(cell(r, errs), want.reason) || (want.reason == "") != (cell(r, errs) == "") {
			t.Errorf("report row %d: %q", want.row, r)
		}
	}
	if got := cell(rows[4], col["身份证号"]); len(got) != 18 {
		t.Errorf("ID number in the report: %q", got)
	}
	audits, _, err := e.db.FindAudit(ctx, anxin.SystemScope(), anxin.AuditFilter{Action: anxin.AuditExport, Limit: 10})
	if err != nil || len(audits) != 1 || audits[0].TargetType != "import" || audits[0].TargetID != id || !strings.Contains(audits[0].Detail, "rows=9") {
		t.Fatalf("export audit: %+v %v", audits, err)
	}
}

// Two commits of one upload at once (a double click reaching two nodes)
// create each elder once; one of them shows the other's result.
func TestEldersImportConcurrentCommit(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("street1")
		rows := [][]string{
			{"1", "令狐英", "女", "1941-01-01", "", "13700000001", "曹杨新村街道", "源园", "", ""},
			{"2", "宇文华", "男", "1943-02-02", "", "13700000002", "曹杨新村街道", "花溪园", "", ""},
		}
		st, body := c.upload("并发.csv", []byte(rosterCSV(rows)))
		wantStatus(t, "upload", st, http.StatusOK)
		id := importID(t, body)
		var wg sync.WaitGroup
		bodies := make([]string, 4)
		statuses := make([]int, len(bodies))
		for i := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				form := url.Values{"csrf": {c.csrf}}
				req, _ := http.NewRequest("POST", e.ts.URL+"/elders/import/"+id+"/commit", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := c.c.Do(req)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				statuses[i], bodies[i] = resp.StatusCode, string(b)
			}()
		}
		wg.Wait()
		already := 0
		for i, b := range bodies {
			wantStatus(t, "concurrent commit", statuses[i], http.StatusOK)
			if strings.Contains(b, "此文件已导入") {
				already++
			}
		}
		if already != len(bodies)-1 {
			t.Errorf("%d of %d commits say the file was already imported", already, len(bodies))
		}
		e.wantElders([][2]string{{"令狐英", "1941-01-01"}, {"宇文华", "1943-02-02"}}, 1)
	})
}

// What must be refused is refused, and writes nothing.
func TestEldersImportRefusals(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		c := e.signIn("street1")
		t.Run("a committee cannot import another committee's elders", func(t *testing.T) {
			cc := e.signIn("committee1-1")
			rows := [][]string{
				{"1", "西门红", "女", "1940-04-04", "", "13600000001", "北新泾街道", "新泾一村第一居委会", "", ""},
				{"2", "南宫亮", "男", "1944-05-05", "", "13600000002", "北新泾街道", "新泾一村第一居委会", "", ""},
			}
			st, body := cc.upload("北新泾.xlsx", rosterXLSX(t, rows))
			wantStatus(t, "upload", st, http.StatusOK)
			wantBody(t, body, "没有可导入的行")
			wantProblem(t, body, 4, "居委会", "不在您的管辖范围内")
			wantProblem(t, body, 5, "居委会", "不在您的管辖范围内")
			if strings.Contains(body, "/commit") {
				t.Error("preview offers to import nothing")
			}
			st, body = cc.post("/elders/import/"+importID(t, body)+"/commit", nil)
			wantStatus(t, "commit", st, http.StatusOK)
			wantBody(t, body, `<dd id="created">0</dd>`, `<dd id="rejected">2</dd>`)
			e.wantElders([][2]string{{"西门红", "1940-04-04"}, {"南宫亮", "1944-05-05"}}, 0)
		})
		t.Run("discarding deletes the upload and writes nothing", func(t *testing.T) {
			st, body := c.upload("名册.xlsx", rosterXLSX(t, messyRows()))
			wantStatus(t, "upload", st, http.StatusOK)
			id := importID(t, body)
			st, _ = c.post("/elders/import/"+id+"/abort", nil)
			wantStatus(t, "abort", st, http.StatusSeeOther)
			a, _ := e.db.AccountByUsername(ctx, "street1")
			if _, err := e.db.FindImportFile(ctx, a.ID, id); anxin.ErrorCode(err) != anxin.ENOTFOUND {
				t.Fatalf("upload after abort: %v", err)
			}
			_, body = c.get("/elders/import?flash=import_aborted")
			wantBody(t, body, "已放弃导入")
			st, _ = c.post("/elders/import/"+id+"/commit", nil)
			wantStatus(t, "commit after abort", st, http.StatusNotFound)
			e.wantElders(validRows, 0)
		})
		t.Run("a picture is not a roster", func(t *testing.T) {
			png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{0}, 64)...)
			st, body := c.upload("名册.xlsx", png)
			wantStatus(t, "png", st, http.StatusBadRequest)
			wantBody(t, body, "不是 Excel 工作簿", `type="file"`)
		})
		t.Run("a file over the limit", func(t *testing.T) {
			big := make([]byte, 52<<20)
			copy(big, "姓名,性别\n")
			st, body := c.upload("大名册.csv", big)
			wantStatus(t, "too large", st, http.StatusBadRequest)
			wantBody(t, body, "超过 50 MB")
		})
		t.Run("no file", func(t *testing.T) {
			st, body := c.post("/elders/import", nil)
			wantStatus(t, "no file", st, http.StatusBadRequest)
			wantBody(t, body, "请选择要上传的名册文件")
		})
		t.Run("without the CSRF token", func(t *testing.T) {
			st, _ := c.do(uploadRequest(t, e.ts.URL+"/elders/import", "", "名册.xlsx", rosterXLSX(t, messyRows())))
			wantStatus(t, "upload without csrf", st, http.StatusForbidden)
			st, _ = c.postForm("/elders/import/x/commit", nil)
			wantStatus(t, "commit without csrf", st, http.StatusForbidden)
		})
		t.Run("signed out", func(t *testing.T) {
			st, _ := e.anon().do(uploadRequest(t, e.ts.URL+"/elders/import", "", "名册.csv", []byte(rosterCSV(messyRows()))))
			wantStatus(t, "anonymous upload", st, http.StatusUnauthorized)
		})
		t.Run("partners and volunteers cannot import", func(t *testing.T) {
			for _, who := range []string{"supplier1", "provider1", "volunteer1"} {
				st, _ := e.signIn(who).get("/elders/import")
				wantStatus(t, who, st, http.StatusForbidden)
			}
		})
	})
}

// The API checks a roster (dry_run) or imports it, in the CLI's shape.
func TestEldersImportAPI(t *testing.T) {
	eachEngine(t, func(t *testing.T, e *testEnv) {
		tok := e.token("street1")
		post := func(query, filename string, data []byte, out any) int {
			t.Helper()
			req := uploadRequest(t, e.ts.URL+"/api/v1/elders/import"+query, "", filename, data)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatalf("decode %s: %v", b, err)
			}
			return resp.StatusCode
		}
		type report struct {
			File      string `json:"file"`
			Sheet     string `json:"sheet"`
			Header    int    `json:"header_row"`
			Rows      int    `json:"rows"`
			Valid     int    `json:"valid"`
			Rejected  int    `json:"rejected"`
			Created   int    `json:"created"`
			Unchanged int    `json:"unchanged"`
			DryRun    bool   `json:"dry_run"`
			Errors    []struct {
				Row                   int
				Column, Field, Reason string
			} `json:"errors"`
		}
		csv := []byte(rosterCSV(messyRows()))
		var dry report
		st := post("?dry_run=true", "名册.csv", csv, &dry)
		wantStatus(t, "dry run", st, http.StatusOK)
		if !dry.DryRun || dry.File != "名册.csv" || dry.Header != 3 || dry.Rows != 9 || dry.Valid != 3 || dry.Rejected != 6 || dry.Created != 3 || len(dry.Errors) != 6 {
			t.Fatalf("dry run: %+v", dry)
		}
		if e0 := dry.Errors[0]; e0.Row != 6 || e0.Column != "出生日期" || e0.Field != "birth_date" || e0.Reason != "bad_date" {
			t.Errorf("first error %+v", e0)
		}
		e.wantElders(validRows, 0)

		var done report
		wantStatus(t, "import", post("", "名册.csv", csv, &done), http.StatusOK)
		if done.DryRun || done.Created != 3 || done.Rejected != 6 {
			t.Fatalf("import: %+v", done)
		}
		e.wantElders(validRows, 1)
		wantStatus(t, "import again", post("", "名册.csv", csv, &done), http.StatusOK)
		if done.Created != 0 || done.Unchanged != 3 {
			t.Fatalf("import again: %+v", done)
		}
		e.wantElders(validRows, 1)

		var apiErr struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		st = post("", "名册.xlsx", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), &apiErr)
		if st != http.StatusBadRequest || apiErr.Error.Code != "invalid" || !strings.Contains(apiErr.Error.Message, "不是 Excel 工作簿") {
			t.Fatalf("png: %d %+v", st, apiErr)
		}
		partner := e.token("supplier1")
		tok = partner
		wantStatus(t, "supplier", post("?dry_run=true", "名册.csv", csv, &apiErr), http.StatusForbidden)
	})
}

// The preview as a street office sees it, in headless Chromium.
func TestBrowserImportPreview(t *testing.T) {
	e := newTestEnv(t, "sqlite")
	bctx := browser(t)
	file := filepath.Join(t.TempDir(), "曹杨新村独居老人名册.xlsx")
	if err := os.WriteFile(file, rosterXLSX(t, messyRows()), 0o644); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(bctx,
		chromedp.Navigate(e.ts.URL+"/login"), chromedp.WaitVisible(`input[name=username]`),
		chromedp.SendKeys(`input[name=username]`, "street1"),
		chromedp.SendKeys(`input[name=password]`, e.logins["street1"]+"\r"),
		chromedp.WaitVisible(`nav.side`),
		chromedp.Navigate(e.ts.URL+"/elders/import"), chromedp.WaitVisible(`input[type=file]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, bctx, "import-form")
	err = chromedp.Do(bctx,
		chromedp.SetUploadFiles(`input[type=file]`, []string{file}),
		chromedp.Click(`form[enctype] button[type=submit]`),
		chromedp.WaitVisible(`#commit`),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(bctx, chromedp.Text(`main`))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"导入 3 条有效记录", "日期无效", "不在您的管辖范围内", "放弃"} {
		if !strings.Contains(text, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	screenshot(t, bctx, "import-preview")
}
