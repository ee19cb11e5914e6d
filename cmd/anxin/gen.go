package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/anxin-care/anxin/gen"
)

const genUsage = `Usage:
  anxin gen elders --count N --region CODE [--seed S] [--data DIR | --database URL]

gen elders writes N synthetic elders (invented names, valid-looking ID and
telephone numbers) into the committees of the region CODE: a committee (12
digits), street (9), district (6) or city (4, e.g. 3101 Shanghai). It is for
demos, training and load tests; never generate into a database whose
elders are called over the real telephone network. The same --seed gives
the same elders; without it a random seed is used and printed.
`

func (e *cmdEnv) gen(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "elders" {
		fmt.Fprint(e.stderr, genUsage)
		return errUsage
	}
	var c Config
	fs, err := e.flags("gen elders", &c)
	if err != nil {
		return err
	}
	count := fs.Int("count", 0, "number of elders to generate")
	region := fs.String("region", "", "region code: committee, street, district or city")
	seed := fs.Uint64("seed", 0, "random seed; the same seed gives the same elders (default: random)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *count <= 0 || *region == "" || fs.NArg() > 0 {
		fmt.Fprint(e.stderr, genUsage)
		return errUsage
	}
	seeded := false
	fs.Visit(func(f *flag.Flag) { seeded = seeded || f.Name == "seed" })
	if !seeded {
		*seed = uint64(time.Now().UnixNano())
	}
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := gen.Committees(ctx, db, *region)
	if err != nil {
		return err
	}
	r, err := db.FindRegion(ctx, *region)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "anxin: generating %d elders into %d committees of %s (%s), seed %d\n", *count, len(cs), r.FullName, r.Code, *seed)
	start := time.Now()
	next := 1 // the next tenth to report
	progress := func(done int) {
		if tenth := done * 10 / *count; tenth >= next {
			el := time.Since(start)
			fmt.Fprintf(e.stderr, "anxin: %3d%%  %d elders  %s  %.0f elders/s\n", tenth*10, done, el.Round(time.Second), float64(done)/el.Seconds())
			next = tenth + 1
		}
	}
	n, err := gen.New(*seed).Populate(ctx, db, cs, *count, progress)
	el := time.Since(start)
	if n > 0 {
		e.systemAudit(ctx, db, "elders.generate", "region", r.Code, fmt.Sprintf("%d synthetic elders, seed %d", n, *seed))
	}
	if err != nil {
		return fmt.Errorf("after %d elders: %w", n, err)
	}
	fmt.Fprintf(e.stdout, "Generated %d elders in %s (%s) in %s: %.0f elders/s (seed %d).\n",
		n, r.FullName, r.Code, el.Round(time.Millisecond), float64(n)/el.Seconds(), *seed)
	return nil
}
