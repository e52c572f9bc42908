package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/cryptodash/cryptodash/internal/coingecko"
	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/pipeline"
	"github.com/cryptodash/cryptodash/internal/store"
)

// app is the wiring every command shares: the migrated store, the CoinGecko client and the
// pipeline built on them.
type app struct {
	store    *store.Store
	client   *coingecko.Client
	pipeline *pipeline.Pipeline
	metrics  *prometheus.Registry
}

// openApp connects and migrates the database, then builds the client and pipeline. Background
// runs of the pipeline stop when ctx ends.
func openApp(ctx context.Context, cfg config.Config, logger *slog.Logger) (*app, error) {
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if len(applied) > 0 {
		logger.Info("migrations applied", "files", applied)
	}
	client, err := coingecko.New(coingecko.Config{
		Plan:          cfg.CoinGeckoPlan,
		APIKey:        cfg.CoinGeckoAPIKey,
		BaseURL:       cfg.CoinGeckoBaseURL,
		RatePerMinute: cfg.CoinGeckoRateLimit,
		Logger:        logger,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("COINGECKO_*: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	p := pipeline.New(ctx, pipeline.Options{
		Store:       st,
		Source:      client,
		Coins:       cfg.Coins,
		Currencies:  cfg.Currencies,
		HistoryDays: cfg.HistoryDays,
		Simulated:   client.Simulated,
		Logger:      logger,
		Metrics:     reg,
	})
	return &app{store: st, client: client, pipeline: p, metrics: reg}, nil
}
