// Command registry measures elder search (FindElders) and caller-number
// lookup (LookupPhone) on an existing SQLite data directory, such as one
// filled with `anxin gen elders --count 1000000` (issue 3). It only reads.
//
//	go run ./bench/registry -data /tmp/anxin-reg-1m
//
// It samples real query strings from the data (random elders by seeded
// random ids), warms up with one pass over every query, then times each
// query once, single-threaded and sequentially, and prints per kind the
// count, p50, p95, p99, max and the average number of results (the total
// FindElders counts). Then, per kind, it times the statements FindElders
// runs (the COUNT(*) and the page; for letters, both the pinyin and the
// initials part) on their own and prints EXPLAIN QUERY PLAN for them,
// through a separate read-only connection.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/namekey"
	"github.com/anxin-care/anxin/phone"
	"github.com/anxin-care/anxin/store"
	_ "modernc.org/sqlite"
)

type sample struct {
	name, idNumber string
	phones         []string // the elder's own numbers, canonical
}

type kind struct {
	name    string
	target  string
	queries []string
}

type result struct {
	kind, scope string
	n           int
	lat         []time.Duration
	results     float64 // average total (FindElders) or rows (LookupPhone)
	target      string
}

func main() {
	dataDir := flag.String("data", "/tmp/anxin-reg-1m", "SQLite data directory holding anxin.db")
	samples := flag.Int("samples", 2000, "elders to sample for query strings")
	seed := flag.Uint64("seed", 1, "random seed for sampling")
	street := flag.String("street", "310107005", "region code of the street-level scope")
	explain := flag.Bool("explain", true, "print query plans and COUNT(*) timings")
	flag.Parse()
	ctx := context.Background()
	if err := run(ctx, *dataDir, *samples, *seed, *street, *explain); err != nil {
		fmt.Fprintln(os.Stderr, "registry:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dataDir string, nSamples int, seed uint64, street string, explain bool) error {
	path := filepath.Join(dataDir, "anxin.db")
	if _, err := os.Stat(path); err != nil {
		return err
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	db, err := store.Open(ctx, store.Config{DataDir: dataDir})
	if err != nil {
		return err
	}
	defer db.Close()

	var total, maxID, inStreet int
	if err := raw.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM elders").Scan(&total, &maxID); err != nil {
		return err
	}
	if err := raw.QueryRowContext(ctx, "SELECT COUNT(*) FROM elders WHERE region_code >= ? AND region_code < ?", street, street+":").Scan(&inStreet); err != nil {
		return err
	}
	fmt.Printf("elders: %d (max id %d); in street %s: %d\n", total, maxID, street, inStreet)
	if total == 0 {
		return fmt.Errorf("no elders in %s", path)
	}

	// Sample elders by random id (ids are dense after gen).
	r := rand.New(rand.NewPCG(seed, 2022))
	var ss []sample
	seen := map[int]bool{}
	for tries := 0; len(ss) < nSamples && tries < nSamples*20; tries++ {
		id := 1 + r.IntN(maxID)
		if seen[id] {
			continue
		}
		seen[id] = true
		var s sample
		err := raw.QueryRowContext(ctx, "SELECT name, COALESCE(id_number, '') FROM elders WHERE id = ?", id).Scan(&s.name, &s.idNumber)
		if err == sql.ErrNoRows {
			continue
		} else if err != nil {
			return err
		}
		rows, err := raw.QueryContext(ctx, "SELECT number FROM elder_phones WHERE elder_id = ? AND NOT contact ORDER BY rank", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				rows.Close()
				return err
			}
			s.phones = append(s.phones, n)
		}
		rows.Close()
		ss = append(ss, s)
	}
	fmt.Printf("sampled %d elders (seed %d)\n\n", len(ss), seed)

	kinds := buildKinds(ss)
	lookups := buildLookups(ss, r)

	scopes := []struct {
		name string
		sc   anxin.Scope
	}{
		{"system", anxin.SystemScope()},
		{"street " + street, anxin.Scope{Region: street, Roles: []string{anxin.RoleAdmin}}},
	}

	// Warm-up: one pass over everything, results discarded.
	start := time.Now()
	for _, k := range kinds {
		for _, q := range k.queries {
			for _, s := range scopes {
				if _, _, err := db.FindElders(ctx, s.sc, anxin.ElderFilter{Query: q, Limit: 20}); err != nil {
					return fmt.Errorf("%s %q: %w", k.name, q, err)
				}
			}
		}
	}
	for _, l := range lookups {
		if _, err := db.LookupPhone(ctx, anxin.SystemScope(), phone.Candidates(l, "021")...); err != nil {
			return err
		}
	}
	fmt.Printf("warm-up pass: %s\n\n", time.Since(start).Round(time.Millisecond))

	var res []result
	for _, s := range scopes {
		for _, k := range kinds {
			rr := result{kind: k.name, scope: s.name, target: k.target}
			var sum int
			for _, q := range k.queries {
				t0 := time.Now()
				_, n, err := db.FindElders(ctx, s.sc, anxin.ElderFilter{Query: q, Limit: 20})
				d := time.Since(t0)
				if err != nil {
					return err
				}
				rr.lat = append(rr.lat, d)
				sum += n
			}
			rr.n = len(k.queries)
			rr.results = float64(sum) / float64(max(rr.n, 1))
			res = append(res, rr)
		}
	}
	for _, s := range scopes[:1] {
		rr := result{kind: "caller-number lookup", scope: s.name, target: "p99 < 5 ms"}
		var sum int
		for _, l := range lookups {
			c := phone.Candidates(l, "021")
			t0 := time.Now()
			es, err := db.LookupPhone(ctx, s.sc, c...)
			d := time.Since(t0)
			if err != nil {
				return err
			}
			rr.lat = append(rr.lat, d)
			sum += len(es)
		}
		rr.n = len(lookups)
		rr.results = float64(sum) / float64(max(rr.n, 1))
		res = append(res, rr)
	}

	fmt.Println("| scope | kind | n | p50 | p95 | p99 | max | avg results | target |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|---:|---|")
	for _, rr := range res {
		slices.Sort(rr.lat)
		fmt.Printf("| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", rr.scope, rr.kind, rr.n,
			ms(pct(rr.lat, 50)), ms(pct(rr.lat, 95)), ms(pct(rr.lat, 99)), ms(rr.lat[len(rr.lat)-1]),
			avg(rr.results), rr.target)
	}

	if explain {
		fmt.Println()
		if err := explainCount(ctx, raw, kinds, "system", "", nil); err != nil {
			return err
		}
		fmt.Println()
		if err := explainCount(ctx, raw, kinds, "street "+street, "e.region_code >= ? AND e.region_code < ? AND ", []any{street, street + ":"}); err != nil {
			return err
		}
	}
	return nil
}

func buildKinds(ss []sample) []kind {
	var name2, fullName, pinyin, pinyinPrefix, initials2, initials3, initials4, phoneTail, idTail []string
	for _, s := range ss {
		if utf8.RuneCountInString(s.name) >= 2 {
			name2 = append(name2, string([]rune(s.name)[:2]))
		}
		fullName = append(fullName, s.name)
		full, in := namekey.Keys(s.name)
		if full != "" {
			pinyin = append(pinyin, full)
			// A prefix as typed part-way: the surname and most of the given name.
			if len(full) > 6 {
				pinyinPrefix = append(pinyinPrefix, full[:len(full)-2])
			}
		}
		switch {
		case len(in) >= 4:
			initials4 = append(initials4, in)
		case len(in) == 3:
			initials3 = append(initials3, in)
		case len(in) == 2:
			initials2 = append(initials2, in)
		}
		if len(s.phones) > 0 {
			p := s.phones[0]
			phoneTail = append(phoneTail, p[len(p)-4:])
		}
		if len(s.idNumber) >= 6 {
			idTail = append(idTail, s.idNumber[len(s.idNumber)-6:])
		}
	}
	t := "p95 < 30 ms"
	ks := []kind{
		{"name, 2 characters (surname + 1st given)", t, name2},
		{"name, full", t, fullName},
		{"pinyin, full", t, pinyin},
		{"pinyin, prefix (full minus 2 letters)", t, pinyinPrefix},
		{"initials, 2 letters", t, initials2},
		{"initials, 3 letters", t, initials3},
		{"initials, 4+ letters", t, initials4},
		{"phone tail, 4 digits", t, phoneTail},
		{"ID tail, 6 characters", t, idTail},
	}
	return slices.DeleteFunc(ks, func(k kind) bool { return len(k.queries) == 0 })
}

// buildLookups writes each sampled elder's first number in the raw forms a
// carrier or a person presents.
func buildLookups(ss []sample, r *rand.Rand) []string {
	var out []string
	for i, s := range ss {
		if len(s.phones) == 0 {
			continue
		}
		p := s.phones[0]
		switch {
		case phone.IsMobile(p):
			switch i % 3 {
			case 0:
				out = append(out, p)
			case 1:
				out = append(out, "+86"+p)
			default:
				out = append(out, p[:3]+" "+p[3:7]+" "+p[7:])
			}
		case strings.HasPrefix(p, "021-"):
			local := p[4:]
			switch i % 3 {
			case 0:
				out = append(out, local)
			case 1:
				out = append(out, p)
			default:
				out = append(out, "+86 21 "+local)
			}
		default:
			out = append(out, p)
		}
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// explainCount prints the query plans of FindElders' count and page
// statements for one query of each kind (in the scope given by scopeCond,
// built as the store builds them) and times the COUNT(*) alone over every
// query of the kind.
func explainCount(ctx context.Context, raw *sql.DB, kinds []kind, scope, scopeCond string, scopeArgs []any) error {
	const cols = "e.id, e.name, e.gender, e.birth_date, COALESCE(e.id_number, ''), e.region_code, COALESCE(r.full_name, ''), e.address, e.living, e.tags, e.dialect, e.hearing, e.best_time, e.health, e.medication, e.contacts, e.consents, e.status, e.notes, e.last_contact_at, e.created_at, e.updated_at"
	const from = " FROM elders e LEFT JOIN regions r ON r.code = e.region_code"
	fmt.Printf("COUNT(*) and page statement alone (%s scope, same WHERE as FindElders; page = LIMIT 20 without loading phones), per kind:\n", scope)
	fmt.Println()
	fmt.Println("| kind | n | count p50 | count p95 | count max | page p50 | page p95 | page max |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	var plans []string
	for _, k := range kinds {
		var cl, pl []time.Duration
		for i, q := range k.queries {
			var countPlans, pagePlans []string
			var n int
			var ct, pt time.Duration
			for _, part := range condition(q) {
				w := scopeCond + part.where
				args := append(slices.Clone(scopeArgs), part.args...)
				countQ := "SELECT COUNT(*) FROM elders e WHERE " + w
				pageQ := "SELECT " + cols + from + " WHERE " + w + " ORDER BY " + part.order + " LIMIT ? OFFSET ?"
				pa := append(slices.Clone(args), 20, 0)
				t0 := time.Now()
				var m int
				if err := raw.QueryRowContext(ctx, countQ, args...).Scan(&m); err != nil {
					return err
				}
				ct += time.Since(t0)
				n += m
				t0 = time.Now()
				rows, err := raw.QueryContext(ctx, pageQ, pa...)
				if err != nil {
					return err
				}
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
				if err != nil {
					return err
				}
				pt += time.Since(t0)
				if i == 0 {
					cp, err := plan(ctx, raw, countQ, args)
					if err != nil {
						return err
					}
					pp, err := plan(ctx, raw, pageQ, pa)
					if err != nil {
						return err
					}
					countPlans, pagePlans = append(countPlans, cp), append(pagePlans, pp)
				}
			}
			cl, pl = append(cl, ct), append(pl, pt)
			if i == 0 {
				plans = append(plans, fmt.Sprintf("%s, e.g. %q (%d matches):\n  count: %s\n  page:  %s", k.name, q, n,
					strings.Join(countPlans, "\n     +  "), strings.Join(pagePlans, "\n     +  ")))
			}
		}
		slices.Sort(cl)
		slices.Sort(pl)
		fmt.Printf("| %s | %d | %s | %s | %s | %s | %s | %s |\n", k.name, len(cl), ms(pct(cl, 50)), ms(pct(cl, 95)), ms(cl[len(cl)-1]),
			ms(pct(pl, 50)), ms(pct(pl, 95)), ms(pl[len(pl)-1]))
	}
	fmt.Println()
	fmt.Printf("EXPLAIN QUERY PLAN (%s scope):\n", scope)
	for _, p := range plans {
		fmt.Println(p)
	}
	return nil
}

// part is one statement FindElders runs for a query: its WHERE and order.
type part struct {
	where string
	args  []any
	order string
}

// condition mirrors store.FindElders for the query forms sampled here:
// one statement, or for letters two (pinyin prefix, then initials).
func condition(q string) []part {
	const byPinyin = "e.name_pinyin, e.id"
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, q)
	switch {
	case len(d) >= 3 && len(d)+1 == len(q) && (q[len(q)-1] == 'x' || q[len(q)-1] == 'X'):
		rev := "X" + reverse(d)
		return []part{{"e.id_rev >= ? AND e.id_rev < ?", []any{rev, rev + ":"}, byPinyin}}
	case d != "" && len(d) == len(q):
		rev := reverse(d)
		return []part{{"(e.id IN (SELECT elder_id FROM elder_phones WHERE number_rev >= ? AND number_rev < ?) OR (e.id_rev >= ? AND e.id_rev < ?))",
			[]any{rev, rev + ":", rev, rev + ":"}, byPinyin}}
	case namekey.IsKey(q):
		k := strings.ToLower(q)
		return []part{
			{"e.name_pinyin >= ? AND e.name_pinyin < ?", []any{k, k + "{"}, byPinyin},
			{"e.name_initials >= ? AND e.name_initials < ? AND NOT (e.name_pinyin >= ? AND e.name_pinyin < ?)",
				[]any{k, k + "{", k, k + "{"}, "e.name_initials, e.name_pinyin, e.id"},
		}
	default:
		return []part{{"e.name >= ? AND e.name < ?", []any{q, q + "\U0010FFFF"}, byPinyin}}
	}
}

func reverse(s string) string {
	b := []byte(s)
	slices.Reverse(b)
	return string(b)
}

func plan(ctx context.Context, raw *sql.DB, q string, args []any) (string, error) {
	rows, err := raw.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var parts []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			return "", err
		}
		parts = append(parts, detail)
	}
	return strings.Join(parts, "; "), rows.Err()
}

func pct(s []time.Duration, p int) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

func avg(f float64) string {
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.1f", f)
}
