package main

import (
	"context"
	"fmt"
	"os"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/divisions"
)

func (e *cmdEnv) regions(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(e.stderr, "Usage: anxin regions import [--data DIR | --database URL] FILE.csv\n\nFILE.csv has the columns code,name,streetCode (committees; the format of the shipped committees file).\n")
		return errUsage
	}
	var c Config
	fs, err := e.flags("regions import", &c)
	if err != nil {
		return err
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("regions import takes one CSV file")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	// Parents come from the database; the file is read whole and checked
	// before anything is written, so a bad row changes nothing.
	rs, err := divisions.ParseCommittees(f, func(code string) *anxin.Region {
		r, err := db.FindRegion(ctx, code)
		if err != nil {
			return nil
		}
		return r
	})
	if err != nil {
		return fmt.Errorf("%s: nothing imported:\n%w", fs.Arg(0), err)
	}
	n, err := db.UpsertRegions(ctx, rs)
	if err != nil {
		return err
	}
	e.systemAudit(ctx, db, anxin.AuditRegionsImport, "file", fs.Arg(0), fmt.Sprintf("%d committees", n))
	fmt.Fprintf(e.stdout, "%d committees imported from %s.\n", n, fs.Arg(0))
	return nil
}
