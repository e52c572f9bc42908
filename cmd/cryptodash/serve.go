package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/web"
	"github.com/cryptodash/cryptodash/static"
)

// runServe serves until ctx ends, then shuts down: requests drain while a running fetch stops
// (ctx ends it too, between or inside a window, keeping every stored window), then the
// schedule stops and the pool closes. Both fit in ECS's default 30 s stop timeout.
func runServe(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	logger.Info("starting cryptodash", "config", cfg.String())
	a, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.store.Close()
	a.pipeline.SweepLapsedRuns()

	stopSchedule := func() error { return nil }
	if cfg.FetchSchedule != config.ScheduleOff {
		stopSchedule, err = a.pipeline.Schedule(cfg.FetchSchedule)
		if err != nil {
			return err
		}
		logger.Info("fetch schedule on", "cron_utc", cfg.FetchSchedule)
	}
	if cfg.FetchOnStart {
		if err := fetchOnStart(ctx, a, logger); err != nil {
			logger.Error("fetch on start", "err", err)
		}
	}
	if cfg.CoinGeckoAPIKey == "" && cfg.CoinGeckoBaseURL == "" {
		logger.Warn("no COINGECKO_API_KEY: calls are limited by IP, so fetching is slow",
			"calls_per_minute", cfg.CoinGeckoRateLimit)
	}

	// Pages and API answers are cached per data version, which must be in memory and follow
	// every replica's writes: the store LISTENs for them until ctx ends.
	if err := a.store.WatchDataVersion(ctx, logger); err != nil {
		return err
	}
	deps := web.Deps{
		Config:  cfg,
		Store:   a.store,
		Runner:  a.pipeline,
		UI:      ui.New(ui.Options{Store: a.store}),
		Metrics: a.metrics,
		Logger:  logger,
		BuildID: buildID(),
	}
	if cfg.AuthEnabled() {
		sessions := a.store.Sessions(30 * time.Minute)
		defer sessions.StopCleanup()
		deps.Sessions = sessions
	}
	// Compressing ECharts takes a third of a second; doing it now keeps that off a visitor.
	go static.Precompress()
	handler := web.New(deps)
	serveErr := web.Serve(ctx, handler, ":"+strconv.Itoa(cfg.Port), logger)

	if err := stopSchedule(); err != nil {
		logger.Warn("stop schedule", "err", err)
	}
	a.pipeline.Wait()
	logger.Info("stopped")
	return serveErr
}

// fetchOnStart starts a background run when the database has no prices yet, so a new
// deployment fills itself without anyone calling the cron endpoint, and when the last run did
// not finish (a deploy stopped it, or it failed), so an interrupted backfill resumes at once
// rather than at the next scheduled slot.
func fetchOnStart(ctx context.Context, a *app, logger *slog.Logger) error {
	has, err := a.store.HasPrices(ctx)
	if err != nil {
		return err
	}
	reason := "empty database"
	if has {
		last, err := a.store.LatestRun(ctx)
		if err != nil && !errors.Is(err, domain.ErrNotFound) {
			return err
		}
		if err == nil && last.Status != domain.RunFailed && last.Status != domain.RunRunning {
			return nil
		}
		reason = "the last fetch run did not finish"
	}
	run, started, err := a.pipeline.Start(ctx, domain.TriggerStartup)
	if err != nil {
		return err
	}
	logger.Info("fetch on start", "reason", reason, "run_id", run.ID, "started_here", started)
	return nil
}

// buildID identifies this build in ETags, so a deploy that changes templates does not answer
// 304 to pages cached under the old ones. It hashes the executable itself: replicas running the
// same image agree on it however the binary was built, and any change of code changes it.
func buildID() string {
	path, err := os.Executable()
	if err == nil {
		var f *os.File
		if f, err = os.Open(path); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err = io.Copy(h, f); err == nil {
				return hex.EncodeToString(h.Sum(nil))[:12]
			}
		}
	}
	// Without a readable executable, fall back to something that is at least stable for the
	// life of this process.
	return "pid" + strconv.Itoa(os.Getpid())
}
