package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/mattn/go-isatty"

	"github.com/cryptodash/cryptodash/internal/config"
)

// exitError carries a specific exit status, such as 2 for a partial fetch.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return fmt.Sprintf("exit status %d: %s", e.code, e.msg) }

const usage = `cryptodash: crypto price-history dashboard

Usage:
  cryptodash serve          run the dashboard, JSON API, schedule and cron endpoint
  cryptodash fetch          run one fetch in the foreground (exit 0 succeeded, 2 partial, 1 failed)
  cryptodash migrate        apply database migrations
  cryptodash simulate       run the CoinGecko simulator (a test double: its prices are not real)
  cryptodash demo           run the simulator and the dashboard together, for machines without internet
  cryptodash config         print the configuration with secrets masked
  cryptodash hash-password  read a password on stdin and print its bcrypt hash for AUTH_PASSWORD_HASH

Configuration comes from the environment; see README.md.
`

// run is the whole program behind main, so tests can drive any subcommand in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "simulate":
		return runSimulate(ctx, rest, stderr)
	case "hash-password":
		return runHashPassword(stdinReader, stdout)
	case "demo":
		return runDemo(ctx, rest, getenv, stdout, stderr)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	switch cmd {
	case "serve":
		stopDB, err := firstRun.useDatabase(ctx, &cfg, "", getenv, stderr)
		if err != nil {
			return err
		}
		defer stopDB()
		return runServe(ctx, cfg, newLogger(stdout, cfg.LogLevel))
	case "fetch":
		return runFetch(ctx, rest, cfg, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, cfg, stdout)
	case "config":
		fmt.Fprintln(stdout, strings.Join(cfg.Pairs(), "\n"))
		return nil
	}
	return fmt.Errorf("unknown command %q\n\n%s", cmd, usage)
}

func newLogger(w io.Writer, level string) *slog.Logger { return slog.New(jsonHandler(w, level)) }

// jsonHandler writes the JSON log lines operators' tools read, at level and above.
func jsonHandler(w io.Writer, level string) slog.Handler {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})
}

// isTerminal reports whether w is a terminal, where a person rather than a program reads.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}

// parseFlags parses a subcommand's flags, writing usage errors to stderr.
func parseFlags(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	return fs.Parse(args)
}
