// Package ui serves cryptodash's HTML: the dashboard, its partials and CSV, the coin hover
// cards and the status page. Handlers parse the view state, read through Store, fill the
// typed props of package views and render; the server (internal/web) owns middleware,
// caching headers and the error handler that turns returned errors into pages.
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
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
	"github.com/cryptodash/cryptodash/views"
)

// Store is what the UI reads; *store.Store satisfies it.
type Store interface {
	DataVersion(ctx context.Context) (domain.DataVersion, error)
	Catalog(ctx context.Context) (domain.Catalog, error)
	Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error)
	Metadata(ctx context.Context, coinID string) (domain.Metadata, error)
	Freshness(ctx context.Context) ([]domain.SeriesFreshness, error)
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

// Register adds the routes. public is for cacheable reads (its middleware sets the shared
// cache headers and answers conditional requests); private is for what must not be cached.
// Handlers here set Cache-Control only to mark an answer no-store: the empty dashboard,
// which follows the first run rather than the data version.
func (h *Handler) Register(public, private *echo.Group) {
	public.GET("/", h.dashboardPage)
	public.GET("/partials/dashboard", h.dashboardPartial)
	public.GET("/partials/table", h.tablePartial)
	public.GET("/dashboard.csv", h.dashboardCSV)
	public.GET("/partials/coins/:id/card", h.coinCard)
	public.GET("/partials/coin-picker", h.coinPicker)
	public.GET("/coins/:id", h.coinPage)
	public.GET("/coins/:id/days.csv", h.coinCSV)
	private.GET("/status", h.statusPage)
	private.GET("/partials/status", h.statusPartial)
}

// Query parameters each UI route reads; any other parameter changes nothing the page shows,
// so the web layer redirects it away before it can enter a cache key (see QueryParams).
var (
	dashboardParams = []string{"coins", "currencies", "range", "from", "to", "shown_from", "shown_to", "orig",
		"breakdown", "mode", "scale", "cols", "sort", "dir", "page", "coin_search"}
	coinPageParams = []string{"currency", "range"}
)

// QueryParams names the query parameters the UI route with template path reads. The
// dashboard's partials and CSV read its whole view state; a coin page its currency and range;
// the hover card and the status page none.
func QueryParams(path string) []string {
	switch path {
	case "/", "/partials/dashboard", "/partials/table", "/dashboard.csv", "/partials/coin-picker":
		return dashboardParams
	case "/coins/:id":
		return coinPageParams
	}
	return nil
}

// PageURL is the page a UI URL belongs to, given its escaped path and raw query: the
// dashboard's partials belong to the dashboard, with their query, which is the page's view
// state too; a coin's hover card to the coin page; the status partial to the status page.
// Any other URL is its own page. A login redirect sends the person there, not to the bare
// fragment HTMX asked for when the session had lapsed.
func PageURL(path, rawQuery string) string {
	switch {
	case path == "/partials/dashboard" || path == "/partials/table":
		path = "/"
	case path == "/partials/status":
		path, rawQuery = "/status", ""
	case strings.HasPrefix(path, "/partials/coins/") && strings.HasSuffix(path, "/card"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/partials/coins/"), "/card")
		if id != "" && !strings.Contains(id, "/") {
			path, rawQuery = "/coins/"+id, ""
		}
	}
	if rawQuery == "" {
		return path
	}
	return path + "?" + rawQuery
}

// Render writes comp with status, rendering into a buffer first so that a template error
// becomes a clean 500 instead of half a page. The web layer renders its own pages with it too.
func Render(c echo.Context, status int, comp templ.Component) error {
	var buf bytes.Buffer
	if err := comp.Render(c.Request().Context(), &buf); err != nil {
		return err
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// layout reads what every page's frame shows. The data version comes from the context when
// the web layer's cache already read it, and from the store for pages it does not cover.
func (h *Handler) layout(ctx context.Context, title, nav string) (views.LayoutProps, error) {
	dv, ok := ctx.Value(dataVersionKey{}).(domain.DataVersion)
	if !ok {
		var err error
		if dv, err = h.store.DataVersion(ctx); err != nil {
			return views.LayoutProps{}, err
		}
	}
	return views.LayoutProps{Title: title, Nav: nav, Simulated: dv.Simulated, ShowSource: true,
		SignedIn: signedIn(ctx)}, nil
}

type signedInKey struct{}

// WithSignedIn marks a request's context as belonging to a signed-in session, so pages offer
// a way to sign out. The web layer's login middleware sets it; without a login nothing does.
func WithSignedIn(ctx context.Context) context.Context {
	return context.WithValue(ctx, signedInKey{}, true)
}

func signedIn(ctx context.Context) bool {
	v, _ := ctx.Value(signedInKey{}).(bool)
	return v
}

type dataVersionKey struct{}

// WithDataVersion hands the data version the web layer's cache read for the request's ETag to
// the page, which shows it (the simulated-data banner) without a second query.
func WithDataVersion(ctx context.Context, v domain.DataVersion) context.Context {
	return context.WithValue(ctx, dataVersionKey{}, v)
}

func statusFor(errs domain.FieldErrors) int {
	if len(errs) > 0 {
		return http.StatusBadRequest
	}
	return http.StatusOK
}
