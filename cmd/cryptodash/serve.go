package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/web"
)

// runServe serves until ctx ends, then shuts down in order: stop taking requests and drain
// them, stop the schedule, let a running fetch stop at a window boundary, close the pool.
func runServe(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	logger.Info("starting cryptodash", "config", cfg.String())
	runs, cancelRuns := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRuns()
	a, err := openApp(ctx, runs, cfg, logger)
	if err != nil {
		return err
	}
	defer a.store.Close()

	stopSchedule := func() error { return nil }
	if cfg.FetchSchedule != config.ScheduleOff {
		stopSchedule, err = a.pipeline.Schedule(cfg.FetchSchedule)
		if err != nil {
			return err
		}
		logger.Info("fetch schedule on", "cron_utc", cfg.FetchSchedule)
	}
	if cfg.FetchOnStart {
		if err := backfillIfEmpty(ctx, a, logger); err != nil {
			logger.Error("start-up backfill", "err", err)
		}
	}

	deps := web.Deps{
		Config:  cfg,
		Store:   a.store,
		Runner:  a.pipeline,
		UI:      ui.New(ui.Options{Store: a.store, DefaultCoins: defaultDashboardCoins(cfg), Logger: logger}),
		Metrics: a.metrics,
		Logger:  logger,
		BuildID: buildID(),
	}
	if cfg.AuthEnabled() {
		sessions := a.store.Sessions(30 * time.Minute)
		defer sessions.StopCleanup()
		deps.Sessions = sessions
	}
	e := web.New(deps)
	serveErr := web.Serve(ctx, e, ":"+strconv.Itoa(cfg.Port), logger)

	cancelRuns()
	if err := stopSchedule(); err != nil {
		logger.Warn("stop schedule", "err", err)
	}
	waited := make(chan struct{})
	go func() { a.pipeline.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(30 * time.Second):
		logger.Warn("a fetch run did not stop within 30 s; its lock ends with the connection")
	}
	logger.Info("stopped")
	return serveErr
}

// backfillIfEmpty starts a background backfill when no price is stored yet, so a new
// deployment fills itself without anyone calling the cron endpoint.
func backfillIfEmpty(ctx context.Context, a *app, logger *slog.Logger) error {
	counts, err := a.store.Counts(ctx)
	if err != nil {
		return err
	}
	if counts.HourlyRows > 0 {
		return nil
	}
	run, started, err := a.pipeline.Start(ctx, domain.TriggerStartup)
	if err != nil {
		return err
	}
	logger.Info("empty database: backfill", "run_id", run.ID, "started_here", started)
	return nil
}

// defaultDashboardCoins is the dashboard's initial selection (BTC, ETH, DOGE), limited to the
// configured coins so a deployment that drops one still opens on data.
func defaultDashboardCoins(cfg config.Config) []string {
	var out []string
	for _, want := range []string{"bitcoin", "ethereum", "dogecoin"} {
		for _, c := range cfg.Coins {
			if c == want {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		out = cfg.Coins[:min(3, len(cfg.Coins))]
	}
	return out
}

// buildID identifies this build in ETags, so a deploy that changes templates does not
// answer 304 to pages cached under the old ones.
func buildID() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev == "" {
		return "dev-" + strconv.FormatInt(startTime.Unix(), 36)
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified == "true" {
		return fmt.Sprintf("%s-dirty-%s", rev, strconv.FormatInt(startTime.Unix(), 36))
	}
	return rev
}

var startTime = time.Now()
