package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	appclock "github.com/cryptodash/cryptodash/internal/clock"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/store"
)

// app is the wiring every command shares: the migrated store, the CoinGecko client and the
// pipeline built on them.
type app struct {
	store *store.Store
	// clock is the database's clock, which the pipeline and pages go by.
	clock    *store.Clock
	client   *coingecko.Client
	pipeline *pipeline.Pipeline
	metrics  *prometheus.Registry
}

// openApp connects and migrates the database, then builds the client and pipeline, for the
// commands that need the database at once. Background runs of the pipeline stop when ctx ends.
func openApp(ctx context.Context, cfg config.Config, logger *slog.Logger) (*app, error) {
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, st, logger); err != nil {
		st.Close()
		return nil, err
	}
	a, err := newApp(ctx, cfg, logger, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := a.clock.Sync(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// migrate applies the pending migrations and logs them.
func migrate(ctx context.Context, st *store.Store, logger *slog.Logger) error {
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		logger.Info("migrations applied", "files", applied)
	}
	return nil
}

// newApp builds the client and pipeline on st, whose database need not answer yet. Background
// runs of the pipeline stop when ctx ends.
func newApp(ctx context.Context, cfg config.Config, logger *slog.Logger, st *store.Store) (*app, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	client, err := coingecko.New(coingecko.Config{
		Plan:          cfg.CoinGeckoPlan,
		APIKey:        cfg.CoinGeckoAPIKey,
		BaseURL:       cfg.CoinGeckoBaseURL,
		RatePerMinute: cfg.CoinGeckoRateLimit,
		BreakAfter429: cfg.CoinGeckoMax429,
		Logger:        logger,
		HTTPClient:    &http.Client{Transport: instrumentedTransport(reg)},
	})
	if err != nil {
		return nil, fmt.Errorf("COINGECKO_*: %w", err)
	}
	clock := st.NewClock(appclock.Now)
	p := pipeline.New(ctx, pipeline.Options{
		Store:       st,
		Now:         clock.Now,
		Source:      client,
		Coins:       cfg.Coins,
		Currencies:  cfg.Currencies,
		HistoryDays: cfg.HistoryDays,
		RunTimeout:  cfg.FetchRunTimeout,
		Simulated:   client.Simulated,
		Logger:      logger,
		Metrics:     reg,
	})
	return &app{store: st, clock: clock, client: client, pipeline: p, metrics: reg}, nil
}

// instrumentedTransport counts and times every call to CoinGecko by status code, so an
// operator sees 429s and retries on /metrics before a run ends partial.
func instrumentedTransport(reg prometheus.Registerer) http.RoundTripper {
	f := promauto.With(reg)
	calls := f.NewCounterVec(prometheus.CounterOpts{Name: "cryptodash_coingecko_requests_total",
		Help: "HTTP calls to CoinGecko, retries included, by status code."}, []string{"code", "method"})
	latency := f.NewHistogramVec(prometheus.HistogramOpts{Name: "cryptodash_coingecko_request_duration_seconds",
		Help: "Duration of HTTP calls to CoinGecko.", Buckets: prometheus.DefBuckets}, []string{"code", "method"})
	return promhttp.InstrumentRoundTripperCounter(calls,
		promhttp.InstrumentRoundTripperDuration(latency, http.DefaultTransport))
}
