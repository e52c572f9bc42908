package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/simulator"
)

// demoDatabase keeps simulated prices out of the database real fetches use.
const demoDatabase = "cryptodash_demo"

// runDemo runs the simulator and the dashboard in one process, for a machine without
// internet. It uses its own database unless DATABASE_URL says otherwise, and a rate limit high
// enough that the year of history arrives in well under a minute while staying visible on
// /status.
func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	limit := fs.Int("rate-limit", 600, "simulated CoinGecko calls a minute")
	// A fixed address keeps the logo URLs stored in coin_metadata valid from one demo to the next.
	simAddr := fs.String("sim-addr", "127.0.0.1:8091", "address of the built-in CoinGecko simulator")
	if err := parseFlags(fs, args, stderr); err != nil {
		return exitError{code: 1}
	}
	ln, err := net.Listen("tcp", *simAddr)
	if err != nil {
		return fmt.Errorf("demo simulator on %s (choose another with -sim-addr): %w", *simAddr, err)
	}
	overrides := map[string]string{
		"COINGECKO_BASE_URL":   "http://" + ln.Addr().String() + "/api/v3",
		"COINGECKO_RATE_LIMIT": fmt.Sprint(*limit),
		"COINGECKO_API_KEY":    "",
	}
	cfg, err := config.Load(func(name string) string {
		if v, ok := overrides[name]; ok {
			return v
		}
		return getenv(name)
	})
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("configuration:\n  %s", strings.ReplaceAll(err.Error(), "\n", "\n  "))
	}
	stopDB, err := firstRun.useDatabase(ctx, &cfg, demoDatabase, getenv, stderr)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer stopDB()
	simErr := make(chan error, 1)
	go func() { simErr <- serveSimulator(ctx, ln, simulator.New(simulator.Options{RatePerMinute: *limit})) }()

	logger, logPath, closeLog := demoLogger(stdout, stderr, cfg.LogLevel)
	defer closeLog()
	fmt.Fprintf(stderr, "demo: prices come from the built-in CoinGecko simulator at %s: they are generated, not real\n",
		overrides["COINGECKO_BASE_URL"])
	if logPath != "" {
		fmt.Fprintf(stderr, "demo: the log goes to %s; warnings and errors show here too\n", logPath)
	}
	fmt.Fprintf(stderr, "demo: dashboard on http://localhost:%d\n", cfg.Port)
	if err := runServe(ctx, cfg, logger); err != nil {
		return err
	}
	return <-simErr
}

// demoLogger keeps the demo's few lines readable for a person at a terminal: the JSON log,
// with its line per request, goes to a file in the cache directory, and only warnings and
// errors reach the terminal. Anything else (a pipe, a log collector) gets the JSON log on
// stdout, as from serve.
func demoLogger(stdout, stderr io.Writer, level string) (logger *slog.Logger, path string, closeLog func()) {
	if !isTerminal(stdout) {
		return newLogger(stdout, level), "", func() {}
	}
	f, err := openDemoLog()
	if err != nil {
		fmt.Fprintf(stderr, "demo: no log file (%v); warnings and errors show here\n", err)
		return splitLogger(stderr, nil, level), "", func() {}
	}
	return splitLogger(stderr, f, level), f.Name(), func() { _ = f.Close() }
}

// openDemoLog starts the demo's log file afresh, so it holds this run alone.
func openDemoLog() (*os.File, error) {
	cache, err := firstRun.cacheDir()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cache, "cryptodash")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(filepath.Join(dir, "demo.log"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
}

// splitLogger writes warnings and errors to terminal as text and everything at level to file
// as JSON; a nil file leaves the terminal alone.
func splitLogger(terminal, file io.Writer, level string) *slog.Logger {
	text := slog.NewTextHandler(terminal, &slog.HandlerOptions{Level: slog.LevelWarn})
	if file == nil {
		return slog.New(text)
	}
	return slog.New(slog.NewMultiHandler(text, jsonHandler(file, level)))
}
