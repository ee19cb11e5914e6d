package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/anxin-care/anxin"
	"github.com/anxin-care/anxin/password"
	"github.com/anxin-care/anxin/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// env bundles what a command may touch, so tests run commands in-process.
type cmdEnv struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// hasher is the password hasher; tests use a fast one.
	hasher password.Hasher
	// ready, when set, receives the base URL once the server listens.
	ready func(url string)
}

const usage = `anxin — elder-care hotline and service platform

Usage:
  anxin serve   [--data DIR | --database URL] [--addr HOST:PORT] [--demo]   run the service
  anxin migrate [--data DIR | --database URL]                               apply database migrations
  anxin demo    [--data DIR | --database URL]                               load the demo dataset
  anxin user    add|list|reset-password|disable ...                         manage accounts
  anxin token   create|list|revoke ...                                      manage API tokens
  anxin elders  import|count [--dry-run] [--json] FILE                    import an elder roster (XLSX/CSV)
  anxin regions import [--data DIR | --database URL] FILE.csv               add committees of other cities
  anxin gen     elders --count N --region CODE [--seed S]                   generate synthetic elders (demos, load tests)
  anxin version                                                             print the version

Every command takes --data DIR (default ./anxin-data, env ANXIN_DATA) or
--database postgres://… (env ANXIN_DATABASE_URL). Run "anxin COMMAND -h" for its flags.
`

// run is the whole program; main and the tests call it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := &cmdEnv{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr, hasher: password.Hasher{P: password.Default}}
	return e.run(ctx, args)
}

func (e *cmdEnv) run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return errUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return e.serve(ctx, rest)
	case "migrate":
		return e.migrate(ctx, rest)
	case "demo":
		return e.demo(ctx, rest)
	case "user":
		return e.user(ctx, rest)
	case "regions":
		return e.regions(ctx, rest)
	case "elders":
		return e.elders(ctx, rest)
	case "gen":
		return e.gen(ctx, rest)
	case "token":
		return e.token(ctx, rest)
	case "version", "--version", "-v":
		fmt.Fprintln(e.stdout, "anxin", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// errUsage is returned after usage was printed.
var errUsage = errors.New("see usage above")

// exitCode maps an error to the process exit status: 2 for usage errors,
// 1 otherwise.
func exitCode(err error) int {
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// errorText is what a person reads: the message of a coded error (its
// cause, when wrapped, follows), the error itself otherwise.
func errorText(err error) string {
	var ae *anxin.Error
	if errors.As(err, &ae) {
		if s := err.Error(); s != ae.Error() {
			return strings.Replace(s, ae.Error(), ae.Message, 1)
		}
		return ae.Message
	}
	return err.Error()
}

// flags makes a flag set for a subcommand with the storage flags.
func (e *cmdEnv) flags(name string, c *Config) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("anxin "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if err := c.storageFlags(fs, e.getenv); err != nil {
		return nil, err
	}
	return fs, nil
}

// open opens and migrates the database, printing what it applied.
func (e *cmdEnv) open(ctx context.Context, c *Config) (*store.DB, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, c.StoreConfig())
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		fmt.Fprintf(e.stderr, "anxin: database %s migrated to schema version %d\n", c.Where(), applied[len(applied)-1])
	}
	return db, nil
}

func (e *cmdEnv) migrate(ctx context.Context, args []string) error {
	var c Config
	fs, err := e.flags("migrate", &c)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.CurrentVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "database %s is at schema version %d\n", c.Where(), v)
	return nil
}

func (e *cmdEnv) demo(ctx context.Context, args []string) error {
	var c Config
	fs, err := e.flags("demo", &c)
	if err != nil {
		return err
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := e.open(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	return e.loadDemo(ctx, db, &c)
}

// newLogger makes the program's logger.
func newLogger(c *Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// systemAudit records an action taken from the command line.
func (e *cmdEnv) systemAudit(ctx context.Context, db *store.DB, action, targetType, target, detail string) error {
	user := e.getenv("USER")
	if user == "" {
		user = "?"
	}
	return db.RecordAudit(ctx, &anxin.AuditEntry{
		ActorName: "cli:" + user, Action: action, TargetType: targetType, TargetID: target, Detail: detail,
	})
}
