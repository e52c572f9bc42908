package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// healthTimeout keeps the health check well under the ALB's own timeout, so a hung database
// shows as "down" rather than as a health check that never answers.
const healthTimeout = 2 * time.Second

// healthCountsTTL is how long the health check reuses its row counts. The ALB probes every
// few seconds from every zone, and count(*) on the price tables scans them, so the counts are
// read at most twice a minute; the database ping still runs on every probe, so an instance
// that lost its database still answers 503 at once.
const healthCountsTTL = 30 * time.Second

// countsCache keeps the last row counts for healthCountsTTL. The lock is not held during the
// query, so a slow database never queues probes behind one another; two probes that find the
// counts stale together both query, which is harmless.
type countsCache struct {
	now func() time.Time

	mu      sync.Mutex
	counts  domain.Counts
	fetched time.Time
}

func newCountsCache() *countsCache {
	return &countsCache{now: time.Now}
}

// get returns the cached counts while fresh, otherwise asks load and keeps its answer. A
// failed load is not cached.
func (cc *countsCache) get(ctx context.Context, load func(context.Context) (domain.Counts, error)) (domain.Counts, error) {
	cc.mu.Lock()
	if !cc.fetched.IsZero() && cc.now().Sub(cc.fetched) < healthCountsTTL {
		n := cc.counts
		cc.mu.Unlock()
		return n, nil
	}
	cc.mu.Unlock()
	n, err := load(ctx)
	if err != nil {
		return domain.Counts{}, err
	}
	cc.mu.Lock()
	cc.counts, cc.fetched = n, cc.now()
	cc.mu.Unlock()
	return n, nil
}

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
// otherwise, so an instance that lost its database is taken out of rotation. The counts may
// be up to healthCountsTTL old; the ping is fresh on every call.
func (s *server) apiHealth(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), healthTimeout)
	defer cancel()
	err := s.deps.Store.Ping(ctx)
	if err == nil {
		n, cerr := s.counts.get(ctx, s.deps.Store.Counts)
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
