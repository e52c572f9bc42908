package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// healthTimeout keeps the health check well under the ALB's own timeout, so a hung database
// shows as "down" rather than as a health check that never answers.
const healthTimeout = 2 * time.Second

// healthFactsTTL is how long the health check reuses its row counts and latest run. The ALB
// probes every few seconds from every zone; the price tables' counts are kept on write
// (series_stats), so reading them is cheap, but there is no need to more than twice a minute.
// The database ping still runs on every probe, so an instance that lost its database still
// answers 503 at once.
const healthFactsTTL = 30 * time.Second

// healthFacts are what the health answer reports beside the ping: every table's row count
// and the latest fetch run (nil before the first).
type healthFacts struct {
	counts    domain.Counts
	latestRun *domain.FetchRun
}

// factsCache keeps the last healthFacts for healthFactsTTL. The lock is not held during the
// query, so a slow database never queues probes behind one another; two probes that find the
// facts stale together both query, which is harmless.
type factsCache struct {
	now func() time.Time

	mu      sync.Mutex
	facts   healthFacts
	fetched time.Time
}

func newFactsCache() *factsCache {
	return &factsCache{now: time.Now}
}

// get returns the cached facts while fresh, otherwise asks load and keeps its answer. A
// failed load is not cached.
func (fc *factsCache) get(ctx context.Context, load func(context.Context) (healthFacts, error)) (healthFacts, error) {
	fc.mu.Lock()
	if !fc.fetched.IsZero() && fc.now().Sub(fc.fetched) < healthFactsTTL {
		f := fc.facts
		fc.mu.Unlock()
		return f, nil
	}
	fc.mu.Unlock()
	f, err := load(ctx)
	if err != nil {
		return healthFacts{}, err
	}
	fc.mu.Lock()
	fc.facts, fc.fetched = f, fc.now()
	fc.mu.Unlock()
	return f, nil
}

// last returns the facts of the last load that succeeded, zero before the first.
func (fc *factsCache) last() healthFacts {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.facts
}

// loadHealthFacts reads what factsCache keeps; no run yet is not a failure.
func (s *server) loadHealthFacts(ctx context.Context) (healthFacts, error) {
	n, err := s.deps.Store.Counts(ctx)
	if err != nil {
		return healthFacts{}, err
	}
	f := healthFacts{counts: n}
	run, err := s.deps.Store.LatestRun(ctx)
	switch {
	case err == nil:
		f.latestRun = &run
	case !errors.Is(err, domain.ErrNotFound):
		return healthFacts{}, err
	}
	return f, nil
}

// The fixed parts of the health answer. healthEnvironment is what the Next.js API reported as
// NODE_ENV, "production" in every deployed build: cryptodash has no development build, and
// which deployment (staging, production) a replica serves is the operator's to tag, not the
// binary's to know.
const (
	healthService     = "cryptodash"
	healthEnvironment = "production"
)

// healthStats are the row counts: the Next.js answer's four tables, then the rest.
type healthStats struct {
	Coins        int64 `json:"coins"`
	Currencies   int64 `json:"currencies"`
	DailyPrices  int64 `json:"dailyPrices"`
	HourlyPrices int64 `json:"hourlyPrices"`
	CoinMetadata int64 `json:"coinMetadata"`
	FetchRuns    int64 `json:"fetchRuns"`
}

type healthDatabase struct {
	Status string      `json:"status"`
	Type   string      `json:"type"`
	Stats  healthStats `json:"stats"`
	// Writes is "ok", or "failing" while the database refuses this replica's writes for
	// want of space: reads and pings go on working on a full disk.
	Writes string `json:"writes"`
}

// healthClock is how far this replica's clock is off the database's, which every time it
// shows or acts on comes from.
type healthClock struct {
	Status      string  `json:"status"`
	SkewSeconds float64 `json:"skewSeconds"`
}

// healthRun is the latest fetch run as the health answer shows it: enough for a monitor to
// alert on a failed or stuck run. Its error text and progress stay behind the cron token and
// the status page, since /api/health answers everyone, with or without a login.
type healthRun struct {
	ID         int64      `json:"id"`
	Trigger    string     `json:"trigger"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"startedAt"`
	FinishedAt *time.Time `json:"finishedAt"`
}

// health is the Next.js API's health answer, with the latest fetch run added beside it so a
// monitor can alert on a failed run as well as on a lost database.
type health struct {
	Status      string         `json:"status"`
	Timestamp   string         `json:"timestamp"`
	Service     string         `json:"service"`
	Database    healthDatabase `json:"database"`
	Environment string         `json:"environment"`
	Version     string         `json:"version"`
	LatestRun   *healthRun     `json:"latestRun"`
	// Clock is nil until the database's clock has been read.
	Clock *healthClock `json:"clock,omitempty"`
}

// apiHealth answers the load balancer and monitors in the Next.js API's shape: 200 with row
// counts while the database answers, 503 otherwise (and while the service starts and waits
// for its database), so an instance that lost its database is taken out of rotation (the ALB reads only the status). The counts and latest run may be up
// to healthFactsTTL old; the ping is fresh on every call. version is the build id ETags carry.
func (s *server) apiHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	now := jsTime(s.now())
	err := errStarting
	if s.deps.Ready == nil || s.deps.Ready() {
		err = s.deps.Store.Ping(ctx)
	}
	if err == nil {
		// The database answered the ping, so this replica stays in rotation even when its
		// counts cannot be read (a busy database, a statement cut by the deadline): the
		// answer is then degraded, with the last counts read, if any.
		var problems []string
		f, ferr := s.facts.get(ctx, s.loadHealthFacts)
		if ferr != nil {
			f = s.facts.last()
			problems = append(problems, "the row counts could not be read")
			s.log.Warn("health check: row counts", "request_id", requestIDOf(c), "error", ferr.Error())
		}
		n := f.counts
		out := health{Status: "healthy", Timestamp: now, Service: healthService,
			Database: healthDatabase{Status: "connected", Type: "PostgreSQL", Stats: healthStats{
				Coins: n.Coins, Currencies: n.Currencies, DailyPrices: n.DailyRows, HourlyPrices: n.HourlyRows,
				CoinMetadata: n.MetadataRow, FetchRuns: n.FetchRuns}},
			Environment: healthEnvironment, Version: s.deps.BuildID}
		if r := f.latestRun; r != nil {
			j := newRunJSON(*r)
			out.LatestRun = &healthRun{ID: j.ID, Trigger: j.Trigger, Status: j.Status, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
		}
		// A degraded replica still serves: its answer stays 200 so the load balancer keeps
		// it, and monitors read the status.
		out.Database.Writes = "ok"
		if werr := s.deps.Store.WriteFailure(); werr != nil {
			out.Database.Writes = "failing"
			problems = append(problems, "the database refuses writes (disk full?)")
			s.log.Warn("health check: writes failing", "request_id", requestIDOf(c), "error", werr.Error())
		}
		if s.deps.Clock != nil {
			if skew, known := s.deps.Clock(); known {
				out.Clock = &healthClock{Status: "ok", SkewSeconds: skew.Seconds()}
				if skew > domain.MaxClockSkew || skew < -domain.MaxClockSkew {
					out.Clock.Status = "skewed"
					problems = append(problems, "this replica's clock is "+skew.Round(time.Second).String()+" off the database's")
				}
			}
		}
		message := "System is healthy"
		if len(problems) > 0 {
			out.Status = "degraded"
			message = "System is degraded: " + strings.Join(problems, "; ")
		}
		return writeJSON(c, http.StatusOK, envelope{Success: true, Message: message, Data: out})
	}
	s.log.Warn("health check: database down", "request_id", requestIDOf(c), "error", err.Error())
	return writeJSON(c, http.StatusServiceUnavailable, envelope{
		Message: "Health check failed",
		Errors: map[string]string{"database": "disconnected", "status": "unhealthy", "timestamp": now,
			"service": healthService, "version": s.deps.BuildID},
	})
}
