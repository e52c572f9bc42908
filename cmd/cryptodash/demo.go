package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
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

	fmt.Fprintf(stderr, "demo: simulated CoinGecko at %s (generated prices, not real); dashboard on http://localhost:%d\n",
		overrides["COINGECKO_BASE_URL"], cfg.Port)
	if err := runServe(ctx, cfg, newLogger(stdout, cfg.LogLevel)); err != nil {
		return err
	}
	return <-simErr
}
