package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/ui"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/static"
)

// class is what a route's answers are: it decides the route's middleware here and what the
// CDN does with its path (deploy/edge.go, which a test holds to this table).
type class int

const (
	// classStatic answers set their own long-lived Cache-Control: hashed files, robots.txt.
	classStatic class = iota
	// classShared reads are the same for everyone at one data version: they read only the
	// query parameters they name, ask for a login when one is configured, and go through the
	// answer cache, which gives them their ETag and s-maxage.
	classShared
	// classFresh answers are public but never stored: health and liveness.
	classFresh
	// classPersonal answers act for one caller, who shows who they are with a session cookie,
	// a Bearer token or a form: never stored, and the CDN passes every method, header, cookie
	// and query string through to them.
	classPersonal
)

// guard is what a personal route checks before its handler runs. Shared routes always ask
// for a session when a login is configured.
type guard int

const (
	guardNone    guard = iota
	guardSession       // a login session when one is configured (pages)
	guardCron          // CRON_SECRET's Bearer token
	guardMetrics       // METRICS_TOKEN, or a direct scrape (see metricsAuth)
	guardLogin         // the login form itself, which exists only with credentials
)

// endpoint is one row of the route table: a method and a path template.
type endpoint struct {
	method string
	path   string
	class  class
	guard  guard
	// params are the query parameters a shared or page route reads (see knownQuery).
	params []string
	// plain routes are not compressed per request: their bytes are tiny or compressed already.
	plain   bool
	handler func(*server) echo.HandlerFunc
}

// bind makes a handler of a server method.
func bind(m func(*server, echo.Context) error) func(*server) echo.HandlerFunc {
	return func(s *server) echo.HandlerFunc { return func(c echo.Context) error { return m(s, c) } }
}

// serviceRoutes are the routes of the API and of the server itself; the pages are
// ui.Routes, which table adds.
var serviceRoutes = []endpoint{
	{method: http.MethodGet, path: "/metrics", class: classPersonal, guard: guardMetrics, plain: true,
		handler: func(s *server) echo.HandlerFunc { return s.metricsHandler() }},
	{method: http.MethodGet, path: "/static/*", class: classStatic,
		handler: func(*server) echo.HandlerFunc { return echo.WrapHandler(static.Handler()) }},
	{method: http.MethodGet, path: "/robots.txt", class: classStatic, handler: func(*server) echo.HandlerFunc { return robots }},

	{method: http.MethodGet, path: "/api/health", class: classFresh, handler: bind((*server).apiHealth)},
	{method: http.MethodGet, path: "/api/live", class: classFresh, plain: true, handler: bind((*server).apiLive)},

	{method: http.MethodGet, path: "/api/coins", class: classShared, handler: bind((*server).apiCoins)},
	{method: http.MethodGet, path: "/api/coins/:id/metadata", class: classShared, handler: bind((*server).apiCoinMetadata)},
	{method: http.MethodGet, path: "/api/coins/:id/ohlc", class: classShared, params: []string{"currency", "dateFrom", "dateTo"},
		handler: bind((*server).apiCoinOHLC)},
	{method: http.MethodGet, path: "/api/currencies", class: classShared, handler: bind((*server).apiCurrencies)},
	{method: http.MethodGet, path: "/api/prices", class: classShared,
		params:  []string{"coinIds", "currencyCodes", "dateFrom", "dateTo", "breakdown", "granularity", "format", "mode"},
		handler: bind((*server).apiPrices)},

	{method: http.MethodPost, path: "/api/cron/fetch-data", class: classPersonal, guard: guardCron, handler: bind((*server).cronFetchStart)},
	{method: http.MethodGet, path: "/api/cron/fetch-data", class: classPersonal, guard: guardCron, handler: bind((*server).cronFetchStatus)},
	{method: http.MethodGet, path: "/api/cron/runs/:id", class: classPersonal, guard: guardCron, handler: bind((*server).cronRunShow)},

	{method: http.MethodGet, path: route.Login, class: classPersonal, guard: guardLogin, handler: bind((*server).loginShow)},
	{method: http.MethodPost, path: route.Login, class: classPersonal, guard: guardLogin, handler: bind((*server).loginSubmit)},
	{method: http.MethodPost, path: route.Logout, class: classPersonal, guard: guardLogin, handler: bind((*server).logout)},
}

// table is the one route table of the service: serviceRoutes and the pages of ui.Routes,
// whose handlers are given the request's ui.Facts. With pages nil (a server of the API
// alone) the pages' rows are still there, for the lists derived from the table, but serve
// nothing.
func table(pages *ui.Handler) []endpoint {
	rows := slices.Clone(serviceRoutes)
	for _, r := range ui.Routes {
		row := endpoint{method: http.MethodGet, path: r.Path, class: classShared, params: r.Params}
		if r.Cache == ui.Personal {
			row.class, row.guard = classPersonal, guardSession
		}
		if pages != nil {
			handle := pages.Handle(r)
			row.handler = func(s *server) echo.HandlerFunc {
				return func(c echo.Context) error { return handle(c, s.pageFacts(c)) }
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// routes registers the route table with the middleware each row's class and guard ask for.
func (s *server) routes(e *echo.Echo) {
	e.Use(s.requestID, s.observe, s.recoverer(), s.securityHeaders, s.bodyLimit(),
		s.deadline, s.whileStarting, s.waitForConnection)
	// Answers made per request are gzipped per request. Static files and cached reads are
	// not: they carry bytes compressed once (static.Handler, s.cache), and compressing them
	// again on every request was most of their cost. promhttp compresses /metrics itself.
	gzip := s.compress()
	for _, r := range table(s.deps.UI) {
		if r.handler == nil || (r.guard == guardLogin && !s.deps.Config.AuthEnabled()) {
			// Without credentials there is nothing to log into and the login paths are 404s.
			continue
		}
		var mw []echo.MiddlewareFunc
		switch r.class {
		case classShared:
			mw = append(mw, s.knownQuery(r.params), s.requireSession, s.cache)
		case classFresh, classPersonal:
			if r.guard == guardSession {
				mw = append(mw, s.knownQuery(r.params), s.requireSession)
			}
			mw = append(mw, noStore)
			if !r.plain {
				mw = append(mw, gzip)
			}
		}
		switch r.guard {
		case guardCron:
			mw = append(mw, s.cronAuth)
		case guardMetrics:
			mw = append(mw, s.metricsAuth)
		case guardLogin:
			if r.method == http.MethodPost {
				mw = append(mw, s.sameOrigin)
			}
			mw = append(mw, s.loadSession)
		}
		e.Add(r.method, r.path, r.handler(s), mw...)
	}
	allow := answerMethods(e)
	// Registered last, this one wins over any catch-all: an unknown URL is a plain 404 that
	// never gets an ETag, a 304 or a login redirect.
	e.RouteNotFound("/*", notFound(e, allow), gzip)
}

// CachedQueryParams is every query parameter a shared route reads, sorted: the allow-list of
// the CDN's cache key (deploy/edge.go's cachedQueryParams, which a test holds to this list).
func CachedQueryParams() []string {
	var all []string
	for _, r := range table(nil) {
		if r.class == classShared {
			all = append(all, r.params...)
		}
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// UncachedCDNPaths are the CDN path patterns of the personal routes, sorted: the behaviours
// that pass everything through (deploy/edge.go's uncachedPaths and the nginx mirror in
// docs/cloudfront.nginx.conf, which a test holds to this list). A directory below the root
// that holds personal routes only is passed through whole ("/api/cron/*"), so a route added
// there later is covered too; any other personal route is its own exact path.
func UncachedCDNPaths() []string {
	rows := table(nil)
	personalOnly := func(dir string) bool {
		for _, r := range rows {
			if strings.HasPrefix(r.path, dir) && r.class != classPersonal {
				return false
			}
		}
		return true
	}
	var all []string
	for _, r := range rows {
		if r.class != classPersonal {
			continue
		}
		pattern := r.path
		for dir := r.path[:strings.LastIndex(r.path, "/")+1]; dir != "/"; dir = dir[:strings.LastIndex(dir[:len(dir)-1], "/")+1] {
			if personalOnly(dir) {
				pattern = dir + "*"
			}
		}
		all = append(all, pattern)
	}
	slices.Sort(all)
	return slices.Compact(all)
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
