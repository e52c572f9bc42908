package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

type runJSON struct {
	ID           int64      `json:"id"`
	Trigger      string     `json:"trigger"`
	Status       string     `json:"status"`
	StartedAt    time.Time  `json:"startedAt"`
	FinishedAt   *time.Time `json:"finishedAt"`
	SeriesTotal  int        `json:"seriesTotal"`
	SeriesDone   int        `json:"seriesDone"`
	WindowsTotal int        `json:"windowsTotal"`
	WindowsDone  int        `json:"windowsDone"`
	RowsWritten  int64      `json:"rowsWritten"`
	// SamplesDropped counts unusable samples per series, {"bitcoin/usd": 3}, when any.
	SamplesDropped map[domain.Series]int `json:"samplesDropped,omitempty"`
	Error          string                `json:"error"`
}

func newRunJSON(r domain.FetchRun) runJSON {
	out := runJSON{ID: r.ID, Trigger: string(r.Trigger), Status: string(r.Status), StartedAt: r.StartedAt.UTC(),
		SeriesTotal: r.SeriesTotal, SeriesDone: r.SeriesDone, WindowsTotal: r.WindowsTotal,
		WindowsDone: r.WindowsDone, RowsWritten: r.RowsWritten, SamplesDropped: r.SamplesDropped, Error: r.Error}
	if r.FinishedAt != nil {
		t := r.FinishedAt.UTC()
		out.FinishedAt = &t
	}
	return out
}

type runStarted struct {
	RunID     int64     `json:"runId"`
	Status    string    `json:"status"`
	StartedAt time.Time `json:"startedAt"`
	Started   bool      `json:"started"`
}

// cronFetchStart starts a fetch run and answers 202 at once: EventBridge API destinations and
// the load balancer give up on long requests, and the run takes minutes. The run must outlive
// this request, so it gets the request's values but not its cancellation.
func (s *server) cronFetchStart(c echo.Context) error {
	if s.deps.Runner == nil {
		return echo.NewHTTPError(http.StatusServiceUnavailable, "fetching is not available in this process")
	}
	run, started, err := s.deps.Runner.Start(context.WithoutCancel(c.Request().Context()), domain.TriggerCron)
	if err != nil {
		return err
	}
	message := "fetch started"
	if !started {
		message = "a fetch is already running"
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/cron/runs/"+strconv.FormatInt(run.ID, 10))
	return writeJSON(c, http.StatusAccepted, envelope{Success: true, Message: message, Data: runStarted{
		RunID: run.ID, Status: string(run.Status), StartedAt: run.StartedAt.UTC(), Started: started,
	}})
}

type cronReadiness struct {
	Ready      bool     `json:"ready"`
	Database   string   `json:"database"`
	Schedule   string   `json:"schedule"`
	Coins      []string `json:"coins"`
	Currencies []string `json:"currencies"`
	LatestRun  *runJSON `json:"latestRun"`
}

// cronFetchStatus lets the scheduler's operator check, with the same token, that a trigger
// would work: the database answers, a runner is wired, and what the last run did.
func (s *server) cronFetchStatus(c echo.Context) error {
	cfg := s.deps.Config
	out := cronReadiness{Database: "up", Schedule: cfg.FetchSchedule, Coins: cfg.Coins,
		Currencies: make([]string, len(cfg.Currencies))}
	for i, cur := range cfg.Currencies {
		out.Currencies[i] = cur.Code
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	run, err := s.deps.Store.LatestRun(ctx)
	switch {
	case err == nil:
		r := newRunJSON(run)
		out.LatestRun = &r
	case errors.Is(err, domain.ErrNotFound):
	default:
		s.log.Warn("cron readiness: database down", "request_id", requestIDOf(c), "error", err.Error())
		out.Database = "down"
		return writeJSON(c, http.StatusServiceUnavailable, envelope{Message: "database unreachable", Data: out})
	}
	out.Ready = s.deps.Runner != nil
	if !out.Ready {
		return writeJSON(c, http.StatusServiceUnavailable, envelope{Message: "fetching is not available in this process", Data: out})
	}
	return ok(c, out)
}
