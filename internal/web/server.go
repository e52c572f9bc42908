// Package web is cryptodash's HTTP edge: the Echo router, its middleware (request ids, access
// log, metrics, security and cache headers, gzip), the one error handler, the JSON API and the
// cron endpoints. Echo types stay in this package and internal/ui; everything behind it speaks
// plain domain types through the small interfaces declared here.
package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/config"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui"
)

// Store is what the web layer reads from the database. *store.Store satisfies it; the
// interface lives here so that the web layer names exactly what it needs.
type Store interface {
	Ping(ctx context.Context) error
	Counts(ctx context.Context) (domain.Counts, error)
	DataVersion(ctx context.Context) (domain.DataVersion, error)
	Catalog(ctx context.Context) (domain.Catalog, error)
	Coins(ctx context.Context) ([]domain.Coin, error)
	Currencies(ctx context.Context) ([]domain.Currency, error)
	Metadata(ctx context.Context, coinID string) (domain.Metadata, error)
	Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error)
	DailyOHLC(ctx context.Context, series domain.Series, days domain.Range, today time.Time) ([]domain.Candle, error)
	Run(ctx context.Context, id int64) (domain.FetchRun, error)
	LatestRun(ctx context.Context) (domain.FetchRun, error)
	WriteFailure() error
}

// Runner starts fetch runs for the cron endpoint. Start must return at once: the new run with
// started true, or, when a run is already going anywhere in the cluster, that run with started
// false. The run itself goes on in the background.
type Runner interface {
	Start(ctx context.Context, trigger domain.Trigger) (run domain.FetchRun, started bool, err error)
}

// Deps is everything the HTTP server needs, passed in by the caller so that tests can wire a
// fresh database and a fake runner.
type Deps struct {
	Config config.Config
	Store  Store
	// Runner may be nil in processes that never fetch; the cron trigger then answers 503.
	Runner Runner
	// UI registers the pages and partials; nil serves the API alone.
	UI *ui.Handler
	// Metrics receives the HTTP metrics and is served at /metrics; nil uses a private registry.
	Metrics *prometheus.Registry
	Logger  *slog.Logger
	// Sessions holds login sessions; required when Config.AuthEnabled(), ignored otherwise.
	// store.Store.Sessions gives the PostgreSQL one that every replica shares.
	Sessions scs.Store
	// BuildID changes with every build and is part of every ETag, so a deploy with new
	// templates invalidates cached pages even when the data has not changed.
	BuildID string
	// CacheBytes bounds the memory of rendered answers kept per data version; zero means
	// DefaultCacheBytes.
	CacheBytes int64
	// Now is the clock of the cache's keys and ETags, which change with the UTC day; clock.Now
	// when nil. It must agree with the UI's clock.
	Now func() time.Time
	// Clock tells how far this host's clock is off the database's, and whether that is known
	// yet; the health check reports a skew beyond domain.MaxClockSkew. Nil means never known.
	Clock func() (time.Duration, bool)
	// Ready reports whether the database is migrated and its data version followed. Until it
	// is, every route but the metrics, static files and health check answers 503, and the
	// health check reports the database down. Nil means ready from the start.
	Ready func() bool
}

// ShutdownTimeout is how long Serve lets in-flight requests finish after its context ends;
// it stays under ECS's default 30 s stop timeout so the drain completes before SIGKILL.
const ShutdownTimeout = 20 * time.Second

// New builds the router with its middleware and every route. It returns a plain http.Handler
// so that nothing outside this package depends on Echo.
func New(d Deps) http.Handler {
	if d.Logger == nil {
		d.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if d.Metrics == nil {
		d.Metrics = prometheus.NewRegistry()
	}
	if d.BuildID == "" {
		d.BuildID = "dev"
	}
	if d.CacheBytes == 0 {
		d.CacheBytes = DefaultCacheBytes
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.Logger.SetOutput(io.Discard)
	s := &server{
		proxies:    proxies(d.Config.TrustedProxies),
		deps:       d,
		log:        d.Logger,
		metrics:    newHTTPMetrics(d.Metrics),
		csp:        contentSecurityPolicy(d.Config.CoinGeckoBaseURL),
		facts:      newFactsCache(),
		etagPrefix: etagPrefix(d.BuildID, d.Config),
		answers:    newAnswerCache(d.CacheBytes, d.Metrics),
		logins:     newLoginThrottle(time.Now, throttleClients),
		work:       newWorkLimiter(),
		now:        d.Now,
	}
	if s.now == nil {
		s.now = clock.Now
	}
	if d.Config.AuthEnabled() {
		if d.Sessions == nil {
			panic("web: Deps.Sessions is required when AUTH_USERNAME is set")
		}
		s.sessions = newSessions(d.Sessions)
	}
	// The logs' client address is the one the sign-in throttle counts (see proxies).
	e.IPExtractor = s.proxies.clientIP
	e.HTTPErrorHandler = s.handleError
	s.routes(e)
	return refuseTransferEncoding(headAsGet(e))
}

// refuseTransferEncoding answers 400 to any request that sends its body with a
// Transfer-Encoding, and closes the connection. The only bodies this service takes are a
// login form and empty cron triggers, which clients send with Content-Length. Go's server
// reads a Transfer-Encoding folded over two lines ("Transfer-Encoding:\r\n chunked") as
// chunked where nginx and other proxies refuse it, so a request smuggled in such a body would
// be answered as a request of its own; closing the connection before reading on means nothing
// after it is ever read.
func refuseTransferEncoding(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.TransferEncoding) > 0 {
			w.Header().Set("Connection", "close")
			http.Error(w, "request bodies are accepted with Content-Length only", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// server carries the dependencies every handler and middleware shares.
type server struct {
	deps     Deps
	log      *slog.Logger
	metrics  *httpMetrics
	csp      string
	sessions *scs.SessionManager
	// facts keeps /api/health's row counts and latest run between probes.
	facts *factsCache
	// etagPrefix starts every ETag; see etagPrefix.
	etagPrefix string
	// answers holds rendered reads; see cache.
	answers *answerCache
	// proxies say which peers' forwarded headers are believed.
	proxies proxies
	// logins throttles sign-in attempts; see loginSubmit.
	logins *loginThrottle
	// work bounds the answers made at once; see cache.
	work *workLimiter
	now  func() time.Time
}

// Listen takes the server's address before anything else starts, so a port that is taken
// stops the process at once, before it fetches or migrates anything.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// Serve serves h on ln until ctx ends, then stops accepting connections and lets in-flight
// requests finish for up to ShutdownTimeout. It returns nil after a clean shutdown.
func Serve(ctx context.Context, h http.Handler, ln net.Listener, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		// A whole year of hourly CSV for every series takes a few seconds to write; a minute
		// still cuts off a client that stopped reading.
		WriteTimeout: time.Minute,
		IdleTimeout:  2 * time.Minute,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("http server listening", "addr", ln.Addr().String())
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()

	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("http server draining", "timeout", ShutdownTimeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("http server shutdown: %w", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	logger.Info("http server stopped")
	return nil
}
