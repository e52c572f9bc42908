package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/daily"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/web"
	"github.com/cryptodash/cryptodash/static"
)

// runServe serves until ctx ends, then shuts down: requests drain while a running fetch stops
// (ctx ends it too, between or inside a window, keeping every stored window), then the
// schedule stops and the pool closes. Both fit in ECS's default 30 s stop timeout.
//
// It takes the port first, so a port that is taken stops it before anything else happens,
// then serves at once, whether or not the database answers: until the database is there and
// migrated, pages and the API answer 503 (the health check too, so a load balancer keeps the
// replica out of rotation), while start waits for it in the background.
func runServe(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	logger.Info("starting cryptodash", "config", cfg.String())
	ln, err := web.Listen(":" + strconv.Itoa(cfg.Port))
	if err != nil {
		return err
	}
	opts, err := storeOptions(ctx, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	st, err := store.New(cfg.DatabaseURL, opts...)
	if err != nil {
		ln.Close()
		return err
	}
	defer st.Close()
	// A start that fails for good (a wrong password, a broken migration) stops the server.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	a, err := newApp(ctx, cfg, logger, st)
	if err != nil {
		ln.Close()
		return err
	}
	if cfg.CoinGeckoAPIKey == "" && cfg.CoinGeckoBaseURL == "" {
		logger.Warn("no COINGECKO_API_KEY: calls are limited by IP, so fetching is slow",
			"calls_per_minute", cfg.CoinGeckoRateLimit)
	}

	var ready atomic.Bool
	type started struct {
		stopSchedule func() error
		err          error
	}
	startDone := make(chan started, 1)
	go func() {
		stop, err := a.start(ctx, cfg, logger, &ready)
		if err != nil {
			cancel(err)
		}
		startDone <- started{stop, err}
	}()

	reads := readStore{Store: a.store, daily: daily.New(a.store, 0, logger)}
	a.metrics.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "cryptodash_daily_series_version",
		Help: "Data version whose daily series are held in memory (0: none, or past their budget); daily answers come from PostgreSQL while it trails the database's.",
	}, func() float64 { return float64(reads.daily.HeldVersion()) }))
	deps := web.Deps{
		Config: cfg,
		Store:  reads,
		Runner: a.pipeline,
		UI: ui.New(ui.Options{Store: reads, Now: a.clock.Now, Configured: cfg.Coins,
			NextRetry: a.pipeline.NextRetry, Logos: sanitize.LogosFor(cfg.CoinGeckoBaseURL)}),
		Now:     a.clock.Now,
		Clock:   a.clock.Skew,
		Metrics: a.metrics,
		Logger:  logger,
		BuildID: buildID(),
		Ready:   ready.Load,
	}
	if cfg.AuthEnabled() {
		sessions := a.store.Sessions(30 * time.Minute)
		defer sessions.StopCleanup()
		deps.Sessions = sessions
	}
	// Compressing ECharts takes a third of a second; doing it now keeps that off a visitor.
	go static.Precompress()
	if cfg.PprofAddr != "" {
		stop, err := serveProfiler(cfg.PprofAddr, logger)
		if err != nil {
			return err
		}
		defer stop()
	}
	serveErr := web.Serve(ctx, web.New(deps), ln, logger)

	cancel(nil)
	s := <-startDone
	if err := s.stopSchedule(); err != nil {
		logger.Warn("stop schedule", "err", err)
	}
	a.pipeline.Wait()
	logger.Info("stopped")
	if s.err != nil {
		return s.err
	}
	return serveErr
}

// start waits for the database and makes it ready: created if missing, migrated, its data
// version followed; then it turns ready on and starts the schedule and the start-up fetch,
// which need the database too. While the database cannot be reached it tries again with
// growing pauses (1 s to 30 s) until ctx ends; any other failure is returned, and stops
// serve. It returns the function that stops the schedule.
func (a *app) start(ctx context.Context, cfg config.Config, logger *slog.Logger, ready *atomic.Bool) (func() error, error) {
	stopSchedule := func() error { return nil }
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		err := a.store.EnsureDatabase(ctx)
		if err == nil {
			err = migrate(ctx, a.store, logger)
		}
		if err == nil {
			// Pages and API answers are cached per data version, which must be in memory and
			// follow every replica's writes: the store LISTENs for them until ctx ends.
			err = a.store.WatchDataVersion(ctx, logger)
		}
		if err != nil && !errors.Is(err, domain.ErrUnavailable) {
			return struct{}{}, backoff.Permanent(err)
		}
		return struct{}{}, err
	}, backoff.WithBackOff(&backoff.ExponentialBackOff{
		InitialInterval: time.Second, RandomizationFactor: 0.2, Multiplier: 2, MaxInterval: 30 * time.Second,
	}), backoff.WithMaxElapsedTime(0), backoff.WithNotify(func(err error, wait time.Duration) {
		logger.Warn("the database is not ready; answering 503 until it is", "error", err.Error(), "retry_in", wait.String())
	}))
	if ctx.Err() != nil {
		return stopSchedule, nil
	}
	if err != nil {
		return stopSchedule, fmt.Errorf("prepare the database: %w", err)
	}
	// Slots, windows, days and ages go by the database's clock, read before anything uses it.
	if err := a.clock.Sync(ctx); err != nil {
		logger.Warn("read the database's clock; going by this host's until the next read", "error", err.Error())
	}
	go a.clock.Follow(ctx, logger)
	ready.Store(true)
	logger.Info("database ready")
	a.pipeline.SweepLapsedRuns()

	if cfg.FetchSchedule != config.ScheduleOff {
		stop, err := a.pipeline.Schedule(cfg.FetchSchedule)
		if err != nil {
			return stopSchedule, err
		}
		stopSchedule = stop
		logger.Info("fetch schedule on", "cron_utc", cfg.FetchSchedule)
	}
	if cfg.FetchOnStart {
		if err := fetchOnStart(ctx, a, logger); err != nil {
			logger.Error("fetch on start", "err", err)
		}
	}
	return stopSchedule, nil
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

// readStore is the store as pages and the API read it: daily prices come from the series
// held in memory per data version (internal/daily), everything else from PostgreSQL.
type readStore struct {
	*store.Store
	daily *daily.Cache
}

// Prices answers daily queries from memory and hourly ones from PostgreSQL.
func (r readStore) Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error) {
	return r.daily.Prices(ctx, q)
}

// serveProfiler serves Go's profiler on addr (a loopback address, see config.PprofAddr) until
// the returned function is called.
func serveProfiler(addr string, logger *slog.Logger) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("PPROF_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("profiler", "err", err)
		}
	}()
	logger.Info("profiler listening", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil
}
