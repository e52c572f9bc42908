package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// httpMetrics are the request counter and latency histogram, labelled by route template so
// that the number of series stays bounded.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg *prometheus.Registry) *httpMetrics {
	return &httpMetrics{
		requests: register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cryptodash_http_requests_total",
			Help: "HTTP requests served, by method, route template and status code.",
		}, []string{"method", "route", "code"})),
		duration: register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cryptodash_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"})),
	}
}

// register adds c to reg, or returns the collector already there, so that building a second
// router on the same registry (tests, a restart in-process) does not panic.
func register[T prometheus.Collector](reg *prometheus.Registry, c T) T {
	if err := reg.Register(c); err != nil {
		var already prometheus.AlreadyRegisteredError
		if errors.As(err, &already) {
			if existing, ok := already.ExistingCollector.(T); ok {
				return existing
			}
		}
		panic("web: register metric: " + err.Error())
	}
	return c
}

// observe counts a request. Every label comes from a closed set, since each distinct value
// is a series kept for the life of the process: the method is one HTTP defines or "other",
// the route a template of the route table (see routeLabel), the status one this server sends.
func (m *httpMetrics) observe(method, route string, status int, elapsed time.Duration) {
	method = methodLabel(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(method, route).Observe(elapsed.Seconds())
}

// methodLabel is the method as a metric label: any client can make one up ("FOO", or a new
// one per request), so those all count as "other".
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "other"
}

func (s *server) metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.deps.Metrics, promhttp.HandlerOpts{}))
}

// metricsAuth guards /metrics, which tells who uses what and how much. With METRICS_TOKEN
// set it asks for that Bearer token (Prometheus' authorization.credentials). Without it, the
// metrics are for a scraper that reaches the server directly (a sidecar, a scraper inside the
// VPC): a request that came through any proxy, and so perhaps from the internet through
// CloudFront, gets a 404. With a login configured and no METRICS_TOKEN, a direct request
// also needs CRON_SECRET's Bearer token, or without that a signed-in session, answering 401
// rather than redirecting a scraper to the login form.
func (s *server) metricsAuth(next echo.HandlerFunc) echo.HandlerFunc {
	cfg := s.deps.Config
	if cfg.MetricsToken != "" {
		return requireBearer(cfg.MetricsToken, "metrics", next)
	}
	guarded := next
	switch {
	case !cfg.AuthEnabled():
	case cfg.CronSecret != "":
		guarded = s.cronAuth(next)
	default:
		guarded = s.loadSession(func(c echo.Context) error {
			if s.sessions.GetString(c.Request().Context(), sessionUserKey) == "" {
				return echo.NewHTTPError(http.StatusUnauthorized, "login required")
			}
			return next(c)
		})
	}
	return func(c echo.Context) error {
		if s.proxied(c.Request()) {
			return echo.ErrNotFound
		}
		return guarded(c)
	}
}

// proxied reports whether a request passed through a proxy: it comes from a trusted one, or
// carries a header that proxies add (the ALB always adds X-Forwarded-For).
func (s *server) proxied(r *http.Request) bool {
	if s.proxies.fromTrusted(r) {
		return true
	}
	for _, h := range []string{echo.HeaderXForwardedFor, echo.HeaderXForwardedProto, "Forwarded", "Via",
		headerViewerAddress, headerCloudFrontProto} {
		if r.Header.Get(h) != "" {
			return true
		}
	}
	return false
}
