package web

import (
	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/static"
)

// routes is the one route table of the service. Cache policy is attached per route class
// here, so a glance shows what a CDN may keep: public reads get s.cache, everything personal
// or operational gets noStore.
func (s *server) routes(e *echo.Echo) {
	e.Use(s.requestID, s.observe, s.recoverer(), s.securityHeaders, s.compress(), s.bodyLimit())

	e.GET("/metrics", s.metricsHandler(), noStore, s.metricsAuth)
	e.GET("/static/*", echo.WrapHandler(static.Handler()))

	api := e.Group("/api")
	api.GET("/health", s.apiHealth, noStore)

	read := []echo.MiddlewareFunc{s.requireSession, s.cache}
	api.GET("/coins", s.apiCoins, read...)
	api.GET("/coins/:id/metadata", s.apiCoinMetadata, read...)
	api.GET("/coins/:id/ohlc", s.apiCoinOHLC, read...)
	api.GET("/currencies", s.apiCurrencies, read...)
	api.GET("/prices", s.apiPrices, read...)

	cron := []echo.MiddlewareFunc{noStore, s.cronAuth}
	api.POST("/cron/fetch-data", s.cronFetchStart, cron...)
	api.GET("/cron/fetch-data", s.cronFetchStatus, cron...)
	api.GET("/cron/runs/:id", s.cronRunShow, cron...)

	s.loginRoutes(e)

	if s.deps.UI != nil {
		public := e.Group("", s.requireSession, s.cache)
		private := e.Group("", s.requireSession, noStore)
		s.deps.UI.Register(public, private)
	}
	// A group with middleware registers a catch-all so its middleware runs for unknown paths
	// too. Registered last, this one wins: an unknown URL is a plain 404 that never gets an
	// ETag, a 304 or a login redirect.
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })
}

// noStore marks a response as never to be cached by a CDN or a browser: cron, status, login,
// health and metrics answers are personal or must be fresh.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		return next(c)
	}
}
