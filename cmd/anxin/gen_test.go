package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/namekey"
	"github.com/anxin-care/anxin/store"
	"github.com/anxin-care/anxin/store/storetest"
)

func TestGenEldersCLI(t *testing.T) {
	ctx := context.Background()
	dir := storetest.Config(t, store.SQLite).DataDir
	out, stderr, err := runAnxin(t, ctx, "", "gen", "elders", "--count", "300", "--region", "310107005", "--seed", "7", "--data", dir)
	if err != nil || !strings.Contains(out, "Generated 300 elders in 上海市 普陀区 曹杨新村街道 (310107005)") || !strings.Contains(out, "seed 7") {
		t.Fatalf("gen: %v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(stderr, "100%  300 elders") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}
	if out, _, _ := runAnxin(t, ctx, "", "elders", "count", "--data", dir); strings.TrimSpace(out) != "300" {
		t.Fatalf("elders count: %q", out)
	}

	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	es, _, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Limit: 5})
	if err != nil || len(es) == 0 {
		t.Fatalf("FindElders: %v", err)
	}
	for _, e := range es {
		_, initials := namekey.Keys(e.Name)
		found, _, err := db.FindElders(ctx, anxin.SystemScope(), anxin.ElderFilter{Query: initials, Within: e.RegionCode, Limit: 1000})
		if err != nil || !slices.ContainsFunc(found, func(f *anxin.Elder) bool { return f.ID == e.ID }) {
			t.Errorf("search %q in %s does not find %s: %v", initials, e.RegionCode, e.Name, err)
		}
		if !strings.HasPrefix(e.RegionCode, "310107005") || len(e.Phones) > 0 && e.Phones[0].Number == "" {
			t.Errorf("elder %+v", e)
		}
	}
}

func TestGenEldersErrors(t *testing.T) {
	ctx := context.Background()
	dir := storetest.Config(t, store.SQLite).DataDir
	for _, c := range []struct {
		args []string
		want string
		exit int
	}{
		{[]string{"gen"}, "see usage", 2},
		{[]string{"gen", "elders", "--region", "3101"}, "see usage", 2},
		{[]string{"gen", "elders", "--count", "10"}, "see usage", 2},
		{[]string{"gen", "elders", "--count", "10", "--region", "1101"}, "anxin regions import", 1},
		{[]string{"gen", "elders", "--count", "10", "--region", "31x"}, "digits", 1},
	} {
		_, _, err := runAnxin(t, ctx, "", append(c.args, "--data", dir)...)
		if err == nil || !strings.Contains(errorText(err), c.want) || exitCode(err) != c.exit {
			t.Errorf("%v: %v (exit %d), want %q and exit %d", c.args, err, exitCode(err), c.want, c.exit)
		}
	}
}
