package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// healthTimeout keeps the health check well under the ALB's own timeout, so a hung database
// shows as "down" rather than as a health check that never answers.
const healthTimeout = 2 * time.Second

type healthCounts struct {
	Coins        int64 `json:"coins"`
	Currencies   int64 `json:"currencies"`
	PricesHourly int64 `json:"pricesHourly"`
	PricesDaily  int64 `json:"pricesDaily"`
	CoinMetadata int64 `json:"coinMetadata"`
	FetchRuns    int64 `json:"fetchRuns"`
}

type health struct {
	Status   string        `json:"status"`
	Database string        `json:"database"`
	Counts   *healthCounts `json:"counts,omitempty"`
}

// apiHealth answers the load balancer: 200 with row counts while the database answers, 503
// otherwise, so an instance that lost its database is taken out of rotation.
func (s *server) apiHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	err := s.deps.Store.Ping(ctx)
	if err == nil {
		n, cerr := s.deps.Store.Counts(ctx)
		if cerr == nil {
			counts := healthCounts{Coins: n.Coins, Currencies: n.Currencies, PricesHourly: n.HourlyRows,
				PricesDaily: n.DailyRows, CoinMetadata: n.MetadataRow, FetchRuns: n.FetchRuns}
			return ok(c, health{Status: "ok", Database: "up", Counts: &counts})
		}
		err = cerr
	}
	s.log.Warn("health check: database down", "request_id", requestIDOf(c), "error", err.Error())
	return writeJSON(c, http.StatusServiceUnavailable, envelope{
		Message: "database unreachable",
		Data:    health{Status: "error", Database: "down"},
	})
}
