// Command anxin runs the Anxin elder-care hotline and service platform: the
// web console, the API and (later) telephony, on an embedded SQLite database
// or on PostgreSQL. See `anxin help`.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "anxin:", errorText(err))
		os.Exit(exitCode(err))
	}
}
