package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/registry"
	"github.com/anxin-care/anxin/roster"
)

const eldersUsage = `Usage:
  anxin elders import [--data DIR | --database URL] [--dry-run] [--json] FILE.xlsx|FILE.csv
  anxin elders count  [--data DIR | --database URL]

import reads a roster (XLSX, or CSV in UTF-8 or GBK), checks every row and
imports the valid ones in one transaction; --dry-run only reports. --json
prints one JSON object: rows, valid, rejected, created, updated, unchanged
and errors (row, column, reason).
`

func (e *cmdEnv) elders(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "count") {
		fmt.Fprint(e.stderr, eldersUsage)
		return errUsage
	}
	var c Config
	fs, err := e.flags("elders "+args[0], &c)
	if err != nil {
		return err
	}
	dry := fs.Bool("dry-run", false, "check the file and report; write nothing")
	asJSON := fs.Bool("json", false, "print the report as one JSON object")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "count" {
		n, err := db.CountElders(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, n)
		return nil
	}
	if fs.NArg() != 1 {
		fmt.Fprint(e.stderr, eldersUsage)
		return errUsage
	}
	path := fs.Arg(0)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	sh, err := roster.Read(f, st.Size(), path, roster.Options{})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	sc := anxin.SystemScope()
	im := &registry.Importer{DB: db}
	p, err := im.Preview(ctx, sc, sh)
	if err != nil {
		return err
	}
	counts := p.Counts
	if !*dry && p.Valid > 0 {
		if counts, err = im.Commit(ctx, sc, p); err != nil {
			return fmt.Errorf("nothing imported: %w", err)
		}
		e.systemAudit(ctx, db, "elders.import", "file", path, fmt.Sprintf("%d rows: %d created, %d updated, %d rejected", counts.Total, counts.Created, counts.Updated, counts.Rejected))
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			File string `json:"file"`
			*registry.Preview
			registry.Counts
			DryRun bool                `json:"dry_run"`
			Errors []registry.RowError `json:"errors"`
		}{path, p, counts, *dry, p.Errors()})
	}
	fmt.Fprintf(e.stdout, "%s: sheet %q, header on row %d; %d rows: %d valid, %d rejected.\n", path, p.Sheet, p.Header, p.Total, p.Valid, p.Rejected)
	if *dry {
		fmt.Fprintln(e.stdout, "Dry run: nothing was written.")
	} else {
		fmt.Fprintf(e.stdout, "Imported: %d created, %d updated, %d unchanged.\n", counts.Created, counts.Updated, counts.Unchanged)
	}
	if errs := p.Errors(); len(errs) > 0 {
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROW\tCOLUMN\tREASON\tVALUE")
		for _, re := range errs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", re.Row, re.Column, re.Reason, re.Value)
		}
		tw.Flush()
	}
	return nil
}
