package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/cryptodash/cryptodash/internal/simulator"
)

// runSimulate serves the CoinGecko simulator until ctx ends.
func runSimulate(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on")
	limit := fs.Int("rate-limit", 0, "calls a minute before answering 429 (0 = no limit)")
	latency := fs.Duration("latency", 0, "delay before every answer")
	coins := fs.Int("coins", 0, "coins /coins/list lists: the real ids first, then made-up ones (0 = the real ids alone)")
	if err := parseFlags(fs, args, stderr); err != nil {
		return exitError{code: 1}
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "CoinGecko simulator (generated prices, not real) on http://%s/api/v3\n", ln.Addr())
	opts := simulator.Options{RatePerMinute: *limit, Latency: *latency}
	if *coins > 0 {
		opts.Coins = simulator.ManyCoins(*coins)
	}
	return serveSimulator(ctx, ln, simulator.New(opts))
}

func serveSimulator(ctx context.Context, ln net.Listener, sim *simulator.Simulator) error {
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
