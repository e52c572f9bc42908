package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/static"
)

// routes is the one route table of the service. Cache policy is attached per route class
// here, so a glance shows what a CDN may keep: public reads get s.cache, everything personal
// or operational gets noStore.
func (s *server) routes(e *echo.Echo) {
	e.Use(s.requestID, s.observe, s.recoverer(), s.securityHeaders, s.bodyLimit(),
		s.deadline, s.whileStarting, s.waitForConnection)
	// Answers made per request are gzipped per request. Static files and cached reads are
	// not: they carry bytes compressed once (static.Handler, s.cache), and compressing them
	// again on every request was most of their cost. promhttp compresses /metrics itself.
	gzip := s.compress()

	e.GET("/metrics", s.metricsHandler(), noStore, s.metricsAuth)
	e.GET("/static/*", echo.WrapHandler(static.Handler()))
	e.GET("/robots.txt", robots)

	api := e.Group("/api")
	api.GET("/health", s.apiHealth, noStore, gzip)
	api.GET("/live", s.apiLive, noStore)

	read := []echo.MiddlewareFunc{s.knownQuery, s.requireSession, s.cache}
	api.GET("/coins", s.apiCoins, read...)
	api.GET("/coins/:id/metadata", s.apiCoinMetadata, read...)
	api.GET("/coins/:id/ohlc", s.apiCoinOHLC, read...)
	api.GET("/currencies", s.apiCurrencies, read...)
	api.GET("/prices", s.apiPrices, read...)

	cron := []echo.MiddlewareFunc{noStore, gzip, s.cronAuth}
	api.POST("/cron/fetch-data", s.cronFetchStart, cron...)
	api.GET("/cron/fetch-data", s.cronFetchStatus, cron...)
	api.GET("/cron/runs/:id", s.cronRunShow, cron...)

	s.loginRoutes(e, gzip)

	if s.deps.UI != nil {
		public := e.Group("", s.knownQuery, s.requireSession, s.cache)
		private := e.Group("", s.knownQuery, s.requireSession, noStore, gzip)
		s.deps.UI.Register(public, private)
	}
	allow := answerMethods(e)
	// A group with middleware registers a catch-all so its middleware runs for unknown paths
	// too. Registered last, this one wins: an unknown URL is a plain 404 that never gets an
	// ETag, a 304 or a login redirect.
	e.RouteNotFound("/*", notFound(e, allow), gzip)
}

// noStore marks a response as never to be cached by a CDN or a browser: cron, status, login,
// health and metrics answers are personal or must be fresh.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}

// answerMethods completes every route as Next.js completed its route handlers: OPTIONS
// answers 204 and any other method the route lacks 405, both with an Allow header naming the
// route's methods, so a preflight or an API explorer gets an answer and a wrong method is
// told so rather than sent a 404. OPTIONS runs before any session or token check, since
// browsers send preflights without credentials, and adds no Access-Control-Allow-* header:
// the Next.js system sent none (its client is same-origin behind the proxy), and allowing
// other origins would let any site read the API with a visitor's login session. It returns
// the Allow header of every route template, for methods no route table can list (see
// notFound).
func answerMethods(e *echo.Echo) map[string]string {
	methods := map[string][]string{}
	for _, r := range e.Routes() {
		if r.Method != echo.RouteNotFound {
			methods[r.Path] = append(methods[r.Path], r.Method)
		}
	}
	allows := make(map[string]string, len(methods))
	for path, m := range methods {
		if slices.Contains(m, http.MethodGet) {
			m = append(m, http.MethodHead)
		}
		m = append(m, http.MethodOptions)
		allow := strings.Join(slices.Sorted(slices.Values(m)), ", ")
		allows[path] = allow
		e.OPTIONS(path, func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderAllow, allow)
			return c.NoContent(http.StatusNoContent)
		}, noStore)
		var lacking []string
		for _, other := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			if !slices.Contains(m, other) {
				lacking = append(lacking, other)
			}
		}
		e.Match(lacking, path, methodNotAllowed(allow), noStore)
	}
	return allows
}

func methodNotAllowed(allow string) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderAllow, allow)
		return echo.ErrMethodNotAllowed
	}
}

// notFound answers what no route matched. A path some route serves, asked with a method no
// route table can list (clients make methods up), is a 405 with that route's Allow header
// like any other wrong method; anything else is a 404. Every route answers OPTIONS (see
// answerMethods), so asking the router for OPTIONS finds the route of the path, if any.
func notFound(e *echo.Echo, allows map[string]string) echo.HandlerFunc {
	return func(c echo.Context) error {
		probe := e.NewContext(c.Request(), nil)
		e.Router().Find(http.MethodOptions, echo.GetPath(c.Request()), probe)
		if allow, ok := allows[probe.Path()]; ok {
			return methodNotAllowed(allow)(c)
		}
		return echo.ErrNotFound
	}
}

// robotsTxt lets crawlers index the pages but not the API or the partials, whose every query
// string is another URL that would only fill the cache with answers no reader asked for.
const robotsTxt = "User-agent: *\nDisallow: /api/\nDisallow: /partials/\n"

func robots(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderCacheControl, "public, max-age=86400")
	return c.String(http.StatusOK, robotsTxt)
}
