package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestEldersImportCLI(t *testing.T) {
	ctx := context.Background()
	dir := storetest.Config(t, store.SQLite).DataDir
	file := filepath.Join(t.TempDir(), "名册.csv")
	os.WriteFile(file, []byte("\ufeff姓名,性别,出生年月,手机,街道,居委\n"+
		"王秀英,女,1942年3月5日,138 1234 5678,曹杨新村街道,源园\n"+
		"李梅,女,1940-02-30,13900001111,曹杨新村街道,源园\n"+
		"张建国,男,19550101,12345,曹杨新村街道,花溪园\n"), 0o644)
	type report struct {
		Rows, Valid, Rejected, Created, Updated int
		DryRun                                  bool `json:"dry_run"`
		Errors                                  []struct {
			Row    int
			Column string
			Reason string
		}
	}
	runJSON := func(args ...string) report {
		t.Helper()
		out, _, err := runAnxin(t, ctx, "", args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		var r report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("not one JSON object: %v\n%s", err, out)
		}
		return r
	}
	r := runJSON("elders", "import", "--data", dir, "--dry-run", "--json", file)
	if r.Rows != 3 || r.Valid != 1 || r.Rejected != 2 || r.Created != 0 || !r.DryRun || len(r.Errors) != 2 {
		t.Fatalf("dry run: %+v", r)
	}
	if r.Errors[0].Row != 3 || r.Errors[0].Column != "出生年月" || r.Errors[0].Reason != "bad_date" ||
		r.Errors[1].Row != 4 || r.Errors[1].Column != "手机" || r.Errors[1].Reason != "bad_phone" {
		t.Fatalf("errors: %+v", r.Errors)
	}
	if out, _, _ := runAnxin(t, ctx, "", "elders", "count", "--data", dir); strings.TrimSpace(out) != "0" {
		t.Fatalf("dry run wrote: count %q", out)
	}
	r = runJSON("elders", "import", "--data", dir, "--json", file)
	if r.Created != 1 {
		t.Fatalf("import: %+v", r)
	}
	r = runJSON("elders", "import", "--data", dir, "--json", file)
	if r.Created != 0 || r.Updated != 0 {
		t.Fatalf("re-import: %+v", r)
	}
	if out, _, _ := runAnxin(t, ctx, "", "elders", "count", "--data", dir); strings.TrimSpace(out) != "1" {
		t.Fatalf("count %q", out)
	}
	png := filepath.Join(t.TempDir(), "roster.xlsx")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n0000000000000000"), 0o644)
	if _, _, err := runAnxin(t, ctx, "", "elders", "import", "--data", dir, png); err == nil {
		t.Fatal("a PNG named .xlsx was accepted")
	}
}
