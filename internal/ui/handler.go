// Package ui serves cryptodash's HTML: the dashboard, its partials and CSV, the coin pages and
// hover cards, the status page, and the login and error pages. Routes is its one route table;
// handlers parse the view state, read through Store, fill the typed props of package views
// and render. The server (internal/web) registers the table with its middleware, caching
// headers, sessions and the error handler, and hands each handler the request's Facts.
//
// A page URL always answers with the full page and a partial URL always with the partial,
// whether or not HX-Request is set: partials carry the whole view state in their own query
// string, so the URL alone decides the body. A CDN keying on the URL (and forwarding no
// headers) therefore never serves one in place of the other, and no Vary: HX-Request is
// needed. History restores fetch the page URL, which is the full page.
package ui

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/views"
)

// Store is what the UI reads; *store.Store satisfies it.
type Store interface {
	DataVersion(ctx context.Context) (domain.DataVersion, error)
	Catalog(ctx context.Context) (domain.Catalog, error)
	Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error)
	Metadata(ctx context.Context, coinID string) (domain.Metadata, error)
	Freshness(ctx context.Context, staleBefore time.Time, maxCoins int) (domain.FreshnessReport, error)
	RecentRuns(ctx context.Context, limit int) ([]domain.FetchRun, error)
	LatestRun(ctx context.Context) (domain.FetchRun, error)
	SeriesSummaries(ctx context.Context, series []domain.Series, r domain.Range, g domain.Granularity) (map[domain.Series]domain.Summary, error)
	// The coin page's reads.
	StoredRanges(ctx context.Context, series []domain.Series) (map[domain.Series]domain.Range, error)
	DailyOHLC(ctx context.Context, series domain.Series, days domain.Range, today time.Time) ([]domain.Candle, error)
	DailyMarket(ctx context.Context, series domain.Series, days domain.Range) ([]domain.Sample, error)
	HourlyPrices(ctx context.Context, series domain.Series, r domain.Range) ([]domain.Sample, error)
	PricesAt(ctx context.Context, series domain.Series, at []time.Time) (points []domain.Sample, high, low domain.Sample, err error)
}

// Options are the UI's dependencies.
type Options struct {
	Store Store
	// DefaultCoins is the coin selection of a URL that names none; unknown ids are skipped.
	DefaultCoins []string
	// Now is the clock for ages on the status page and "today is partial"; clock.Now when nil.
	Now func() time.Time
	// Configured is the coin ids the fetches ask for (COINS): before any is stored, pages
	// name these rather than nothing.
	Configured []string
	// NextRetry tells when this process tries again after a run that failed, and why; ok is
	// false when no retry is waiting. Nil means it never says.
	NextRetry func() (at time.Time, reason string, ok bool)
	// Logos says which logo URLs pages show; the zero value allows CoinGecko's hosts only.
	Logos sanitize.Logos
}

// Handler serves the UI routes.
type Handler struct {
	store        Store
	defaultCoins []string
	configured   []string
	nextRetry    func() (time.Time, string, bool)
	now          func() time.Time
	logos        sanitize.Logos
}

// New returns a Handler. Without DefaultCoins the dashboard opens on bitcoin, ethereum and
// dogecoin, or on the first three stored coins when those are not stored.
func New(opts Options) *Handler {
	h := &Handler{store: opts.Store, defaultCoins: opts.DefaultCoins, configured: opts.Configured,
		nextRetry: opts.NextRetry, now: opts.Now, logos: opts.Logos}
	if h.now == nil {
		h.now = clock.Now
	}
	if h.nextRetry == nil {
		h.nextRetry = func() (time.Time, string, bool) { return time.Time{}, "", false }
	}
	if len(h.defaultCoins) == 0 {
		h.defaultCoins = []string{"bitcoin", "ethereum", "dogecoin"}
	}
	return h
}

// HX-Push-Url makes HTMX push the page URL of the state a partial shows, which the client
// cannot know when the server corrected or canonicalised the request.
const headerHXPushURL = "HX-Push-Url"

// Cache is how a route's answers may be kept.
type Cache int

const (
	// Shared answers are the same for everyone at one data version: the web layer's answer
	// cache and the CDN keep them under their URL, so the query parameters the route reads
	// are its whole input.
	Shared Cache = iota
	// Personal answers are made for the request that asked and must be fresh (the status
	// page): never stored, and the CDN passes every header and cookie through.
	Personal
)

// Facts are what the web layer knows of a request that a page shows, handed to each handler
// rather than hidden in the request's context.
type Facts struct {
	// SignedIn says the request belongs to a signed-in session, so pages offer to sign out.
	SignedIn bool
	// Version is the data version the web layer's cache read for the request's ETag, which
	// the page shows (the simulated-data banner) without reading it again; nil where no cache
	// read it, and the page reads it from the store.
	Version *domain.DataVersion
}

// Route is one row of the HTML surface's route table.
type Route struct {
	// Path is the template the router matches (package route names them).
	Path  string
	Cache Cache
	// Params are the query parameters the route reads. Any other changes nothing it shows, so
	// the web layer redirects it away before it can enter a cache key, and the CDN's cache key
	// holds these and no others.
	Params []string
	// Page gives the page a partial belongs to, from the partial's path parameter and query;
	// nil for a page, which is its own. A login redirect sends the person there, not to the
	// bare fragment HTMX asked for when the session had lapsed.
	Page  func(id, rawQuery string) string
	serve func(*Handler, echo.Context, Facts) error
}

// Query parameters the dashboard's routes read (its view state), and a coin page's.
var (
	dashboardParams = []string{"coins", "currencies", "range", "from", "to", "shown_from", "shown_to", "orig",
		"breakdown", "mode", "bench", "scale", "cols", "sort", "dir", "page", "coin_search"}
	// The pages read a chart's zoom too; the partials and downloads do not.
	pageParams     = append(slices.Clone(dashboardParams), zoomParam)
	coinPageParams = []string{"currency", "range", "from", "to", "scale", zoomParam}
	coinCSVParams  = []string{"currency", "range", "from", "to"}
)

// Routes is the HTML surface: every page, partial and download, each GET. The web layer
// registers them with the middleware their Cache asks for (internal/web/routes.go). A page
// URL always answers with the full page and a partial URL with the partial (see the package
// comment), so a partial's Params are its page's.
var Routes = []Route{
	{Path: route.Dashboard, Params: pageParams, serve: (*Handler).dashboardPage},
	{Path: route.DashboardPartial, Params: dashboardParams, Page: dashboardPage, serve: facts((*Handler).dashboardPartial)},
	{Path: route.TablePartial, Params: dashboardParams, Page: dashboardPage, serve: facts((*Handler).tablePartial)},
	{Path: route.CoinPicker, Params: dashboardParams, Page: dashboardPage, serve: facts((*Handler).coinPicker)},
	{Path: route.DashboardCSV, Params: dashboardParams, serve: facts((*Handler).dashboardCSV)},
	{Path: route.Coin, Params: coinPageParams, serve: (*Handler).coinPage},
	{Path: route.CoinCard, Page: func(id, _ string) string { return route.CoinURL(id, nil) }, serve: facts((*Handler).coinCard)},
	{Path: route.CoinCSV, Params: coinCSVParams, serve: facts((*Handler).coinCSV)},
	{Path: route.Status, Cache: Personal, serve: (*Handler).statusPage},
	{Path: route.StatusPartial, Cache: Personal, Page: func(string, string) string { return route.Status }, serve: facts((*Handler).statusPartial)},
}

// dashboardPage is the page of the dashboard's partials: their query is its view state too.
func dashboardPage(_, rawQuery string) string { return route.WithQuery(route.Dashboard, rawQuery) }

// facts adapts a handler that shows none of the request's facts.
func facts(serve func(*Handler, echo.Context) error) func(*Handler, echo.Context, Facts) error {
	return func(h *Handler, c echo.Context, _ Facts) error { return serve(h, c) }
}

// Handle returns r's handler, served by h. Handlers set Cache-Control only to mark an answer
// no-store: the empty dashboard, which follows the first run rather than the data version.
func (h *Handler) Handle(r Route) func(echo.Context, Facts) error {
	return func(c echo.Context, f Facts) error { return r.serve(h, c, f) }
}

// renderBuffers hold pages while they are rendered. A dashboard is some 75 KB, and a buffer
// grown from nothing for each miss allocated twice that in its steps; one kept from an
// earlier page is already its size.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledRender is the largest buffer kept for the next page: a rare huge page must not
// stay in memory for every later one.
const maxPooledRender = 1 << 20

// Render writes comp with status, rendering into a buffer first so that a template error
// becomes a clean 500 instead of half a page.
func Render(c echo.Context, status int, comp templ.Component) error {
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledRender {
			buf.Reset()
			renderBuffers.Put(buf)
		}
	}()
	if err := comp.Render(c.Request().Context(), buf); err != nil {
		return err
	}
	// HTMLBlob copies the page out (into the answer cache's recorder, or to the client)
	// before the buffer goes back.
	return c.HTMLBlob(status, buf.Bytes())
}

// layout reads what every page's frame shows. The data version comes from the facts when the
// web layer's cache already read it, and from the store for pages it does not cover.
func (h *Handler) layout(ctx context.Context, f Facts, title, nav string) (views.LayoutProps, error) {
	var dv domain.DataVersion
	if f.Version != nil {
		dv = *f.Version
	} else {
		var err error
		if dv, err = h.store.DataVersion(ctx); err != nil {
			return views.LayoutProps{}, err
		}
	}
	return views.LayoutProps{Title: title, Nav: nav, Simulated: dv.Simulated, ShowSource: true,
		SignedIn: f.SignedIn}, nil
}

func statusFor(errs domain.FieldErrors) int {
	if len(errs) > 0 {
		return http.StatusBadRequest
	}
	return http.StatusOK
}
