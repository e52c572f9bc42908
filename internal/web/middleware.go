package web

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/precompress"
	"github.com/cryptodash/cryptodash/internal/sanitize"
)

const requestIDKey = "requestID"

// saneRequestID accepts the ids load balancers and tracing proxies send (uuids, ALB trace
// ids such as "Root=1-5f...") while refusing anything that could forge log lines or bloat
// them.
var saneRequestID = regexp.MustCompile(`^[A-Za-z0-9._:=-]{1,128}$`)

// requestID gives every request an id, reusing the caller's X-Request-Id when it looks like
// one, so a request can be followed from CloudFront through the ALB to our log lines.
func (s *server) requestID(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(echo.HeaderXRequestID)
		if !saneRequestID.MatchString(id) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Response().Header().Set(echo.HeaderXRequestID, id)
		return next(c)
	}
}

func newRequestID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func requestIDOf(c echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

// observe writes the access log line and the HTTP metrics of every request. It hands a
// returned error to the error handler itself, because Echo would otherwise do so only after
// every middleware has returned, and the log and metrics must see the status the client got.
func (s *server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err)
		}
		elapsed := time.Since(start)
		req, res := c.Request(), c.Response()
		route := routeLabel(c)
		s.metrics.observe(req.Method, route, res.Status, elapsed)
		s.log.LogAttrs(req.Context(), slog.LevelInfo, "http request",
			slog.String("request_id", requestIDOf(c)),
			slog.String("method", req.Method),
			slog.String("path", req.URL.Path),
			slog.String("route", route),
			slog.Int("status", res.Status),
			slog.Float64("latency_ms", float64(elapsed.Microseconds())/1000),
			slog.Int64("bytes", res.Size),
			slog.String("client_ip", c.RealIP()),
			slog.String("user_agent", req.UserAgent()),
		)
		return nil
	}
}

// routeLabel is the route template ("/api/coins/:id/metadata"), never the raw path, so that
// metric labels stay few whatever URLs clients send.
func routeLabel(c echo.Context) string {
	switch p := c.Path(); p {
	case "", "/*":
		return "unmatched"
	default:
		return p
	}
}

// recoverer turns a panic into a logged 500 with its stack, instead of a dropped connection.
func (s *server) recoverer() echo.MiddlewareFunc {
	return middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic serving request", "request_id", requestIDOf(c),
				"method", c.Request().Method, "path", c.Request().URL.Path,
				"error", err.Error(), "stack", string(stack))
			return fmt.Errorf("panic: %w", err)
		},
	})
}

// contentSecurityPolicy allows scripts only from our own origin (the dashboard has no inline
// script) and images only from our own origin and where coin logos may come from (see
// sanitize.Logos): CoinGecko's image hosts, or the simulator of the offline demo.
func contentSecurityPolicy(coinGeckoBaseURL string) string {
	img := "'self' data: " + sanitize.LogosFor(coinGeckoBaseURL).Sources()
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self'",
		"style-src 'self' 'unsafe-inline'",
		"img-src " + img,
		"connect-src 'self'",
		"frame-ancestors 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"object-src 'none'",
	}, "; ")
}

// permissionsPolicy turns off the browser features a dashboard never uses, so a script that
// got in anyway could not ask for them.
const permissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), " +
	"accelerometer=(), gyroscope=(), magnetometer=(), browsing-topics=()"

// strictTransportSecurity tells browsers to use https only, for a year. Subdomains are left
// out: they may be the operator's other services, which this one must not speak for.
const strictTransportSecurity = "max-age=31536000"

// securityHeaders sets the headers every response carries, errors included.
func (s *server) securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", s.csp)
		h.Set("Permissions-Policy", permissionsPolicy)
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		h.Set(echo.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
		h.Set(echo.HeaderXFrameOptions, "DENY")
		if s.proxies.overHTTPS(c.Request()) {
			h.Set(echo.HeaderStrictTransportSecurity, strictTransportSecurity)
		}
		return next(c)
	}
}

// compress gzips answers for clients that accept it, on the routes that make their answer
// per request (routes chooses them).
func (s *server) compress() echo.MiddlewareFunc {
	// The fastest level: these answers are compressed once per request, and a flood of them
	// must not buy a core's worth of deflate each.
	return middleware.GzipWithConfig(middleware.GzipConfig{MinLength: precompress.MinSize, Level: gzip.BestSpeed})
}

// bodyLimit caps request bodies: the only bodies this service accepts are the login form and
// empty cron triggers.
func (s *server) bodyLimit() echo.MiddlewareFunc {
	return middleware.BodyLimit("64K")
}

// RequestTimeout bounds the database work of a request. A database that stops answering
// (a network that drops its packets, a failover) would otherwise hold every request until
// TCP gave up, minutes later; at the deadline the query is abandoned and the client gets a
// 503, which a load balancer or CDN retries elsewhere. Real requests take milliseconds, and a
// year of hourly CSV a few seconds.
const RequestTimeout = 10 * time.Second

// deadline gives every request's context RequestTimeout.
func (s *server) deadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// connectionWait bounds how long a read waits for a connection the database turned away
// for want of slots (domain.ErrDatabaseBusy): long enough for a busy moment to pass, short
// enough that a database that stays full gives a 503 soon.
const connectionWait = 5 * time.Second

// waitForConnection runs a read again, with short growing pauses, while the database turns
// its connections away for want of slots (another client took them, or this replica's pool
// grew past the server's limit): the request waits for a connection to free up instead of
// failing at once. Only GET and HEAD are run again, and only while nothing has been written:
// handlers render into memory first, so a failed attempt leaves only its headers, which are
// put back as they were.
func (s *server) waitForConnection(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			return next(c)
		}
		header := c.Response().Header().Clone()
		var last error
		_, err := backoff.Retry(req.Context(), func() (struct{}, error) {
			c.SetRequest(req)
			h := c.Response().Header()
			clear(h)
			maps.Copy(h, header.Clone())
			last = next(c)
			if last == nil || !errors.Is(last, domain.ErrDatabaseBusy) || c.Response().Committed {
				return struct{}{}, backoff.Permanent(last)
			}
			return struct{}{}, last
		}, backoff.WithBackOff(&backoff.ExponentialBackOff{
			InitialInterval: 50 * time.Millisecond, RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: 500 * time.Millisecond,
		}), backoff.WithMaxElapsedTime(connectionWait), backoff.WithNotify(func(err error, wait time.Duration) {
			s.log.Info("the database turned a connection away; waiting for one", "request_id", requestIDOf(c),
				"wait_ms", wait.Milliseconds(), "error", err.Error())
		}))
		if err != nil && last != nil {
			// At the request's deadline Retry answers with the context's error; the client is
			// told of the database it waited for.
			return last
		}
		return err
	}
}

// errStarting answers requests while the database is not ready yet (see Deps.Ready).
var errStarting = fmt.Errorf("the service is starting and waits for its database: %w", domain.ErrDatabaseDown)

// whileStarting answers 503 until Deps.Ready says the database is migrated and followed:
// before that a page could meet tables that do not exist yet. The metrics, static files, the
// health check (which reports the database down itself) and the liveness check are always
// served.
func (s *server) whileStarting(next echo.HandlerFunc) echo.HandlerFunc {
	if s.deps.Ready == nil {
		return next
	}
	return func(c echo.Context) error {
		switch c.Path() {
		case "/metrics", "/static/*", "/api/health", "/api/live":
			return next(c)
		}
		if !s.deps.Ready() {
			return errStarting
		}
		return next(c)
	}
}

// headAsGet answers HEAD like GET, as HTTP requires and as CDNs and uptime checks expect: Echo
// routes HEAD nowhere by itself, and it routes on the request it was handed, so the method is
// changed before Echo sees it. The handler gets a GET on a copy of the request, while net/http
// still holds the original HEAD and so sends the headers without the body.
func headAsGet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			get := r.Clone(r.Context())
			get.Method = http.MethodGet
			r = get
		}
		next.ServeHTTP(w, r)
	})
}
