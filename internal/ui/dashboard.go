package ui

import (
	"context"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// dashboard is one request's view: the validated state, the hours it covers and the rows it
// selects.
type dashboard struct {
	state   ViewState
	errs    domain.FieldErrors
	cat     catalog
	hasData bool
	latest  time.Time
	span    domain.Range
	gran    domain.Granularity
	rows    []domain.PriceRow
	now     time.Time
}

func (h *Handler) loadDashboard(c echo.Context) (*dashboard, error) {
	ctx := c.Request().Context()
	// One read per data version, not per request: the store keeps it in memory.
	cat, err := h.store.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	d := &dashboard{cat: newCatalog(cat.Coins, cat.Currencies, h.defaultCoins), now: h.now().UTC()}
	d.state, d.errs = parseViewState(c.QueryParams(), d.cat)
	// A stored hour means stored prices, and so coins and currencies too.
	d.latest, d.hasData = cat.LatestHour, !cat.LatestHour.IsZero()
	if !d.hasData {
		d.latest = d.now.Truncate(time.Hour)
	}
	d.span, d.gran = d.state.resolve(d.latest)
	if d.hasData {
		if d.rows, err = h.prices(ctx, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// prices asks the store for the view's rows. The database filters by the span before it
// groups: a rolling 24-hour span covers parts of two days, and a mean without the date in the
// breakdown must cover those 24 hours only.
func (h *Handler) prices(ctx context.Context, d *dashboard) ([]domain.PriceRow, error) {
	return h.store.Prices(ctx, domain.PriceQuery{
		CoinIDs: d.state.Coins, CurrencyCodes: d.state.Currencies,
		Range: d.span, Breakdown: d.state.Breakdown, Granularity: d.gran,
	})
}

func (h *Handler) dashboardPage(c echo.Context) error {
	d, err := h.loadDashboard(c)
	if err != nil {
		return err
	}
	layout, err := h.layout(c.Request().Context(), "Dashboard", "dashboard")
	if err != nil {
		return err
	}
	results := d.results()
	return Render(c, statusFor(d.errs), views.Dashboard(views.DashboardProps{
		Layout:   layout,
		Controls: results.Controls,
		Results:  results,
	}))
}

func (h *Handler) dashboardPartial(c echo.Context) error {
	d, err := h.loadDashboard(c)
	if err != nil {
		return err
	}
	h.pushURL(c, d)
	return Render(c, statusFor(d.errs), views.Results(d.results(), true))
}

func (h *Handler) tablePartial(c echo.Context) error {
	d, err := h.loadDashboard(c)
	if err != nil {
		return err
	}
	h.pushURL(c, d)
	if !d.hasData || len(d.rows) == 0 {
		// The table only exists beside data; an empty view needs the whole results block.
		return Render(c, statusFor(d.errs), views.Results(d.results(), true))
	}
	// The chart's toolbar holds the zoom and reset URLs, which carry the table's sort, page
	// and column order: it is swapped out of band so that a zoom after a sort keeps the sort.
	return Render(c, statusFor(d.errs), views.TablePartial(d.table(), d.chartToolbar()))
}

// pushURL names the page URL of what a partial shows: the canonical URL of a valid state, or
// the request's own query when it had errors, so reloading shows the same messages.
func (h *Handler) pushURL(c echo.Context, d *dashboard) {
	u := d.state.URL("/")
	if len(d.errs) > 0 {
		u = "/?" + c.QueryParams().Encode()
	}
	c.Response().Header().Set(headerHXPushURL, u)
}

func (d *dashboard) results() views.ResultsProps {
	p := views.ResultsProps{Controls: d.controls()}
	for _, key := range []string{"sort", "dir", "page", "cols"} {
		if msg := d.errs[key]; msg != "" {
			p.Notices = append(p.Notices, msg)
		}
	}
	if !d.hasData {
		p.Empty = true
		p.EmptyTitle = "No price data yet"
		p.EmptyText = "A backfill starts by itself when the server starts on an empty database; follow it on the Status page, or fetch by hand with the command below. This page fills in as the data lands."
		p.EmptyCommand = "cryptodash fetch"
		return p
	}
	p.DataThrough = "Data through " + d.latest.Format(readableHour) + " UTC"
	if domain.UTCDay(d.latest).Equal(domain.UTCDay(d.now)) {
		p.DataThrough += " · today is partial"
	}
	p.RangeLabel = d.rangeLabel()
	if len(d.rows) == 0 {
		p.Empty = true
		p.EmptyTitle = "No prices in this range"
		p.EmptyText = "Nothing is stored for these coins and currencies between " + d.span.FirstDay().Format(domain.DayLayout) +
			" and " + d.span.LastDay().Format(domain.DayLayout) + ". Pick a longer range, a range closer to the data above, or other coins."
		return p
	}
	p.CurrencyNote = d.currencyNote()
	p.Chart = d.chart()
	p.Table = d.table()
	return p
}

// mixesCurrencies reports whether values average prices quoted in different currencies: the
// currency is not in the breakdown and more than one is selected. Such values get no symbol.
func (d *dashboard) mixesCurrencies() bool {
	return !d.state.Breakdown.Currency && len(d.state.Currencies) > 1
}

// currencyNote explains symbol-less values, which would otherwise read as a bug.
func (d *dashboard) currencyNote() string {
	if !d.mixesCurrencies() {
		return ""
	}
	codes := make([]string, len(d.state.Currencies))
	for i, c := range d.state.Currencies {
		codes[i] = strings.ToUpper(c)
	}
	return "Values mix currencies: each is a mean of prices in " + joinAnd(codes) +
		", so none carries a currency symbol. Add Currency to the breakdown, or choose one currency, to compare like with like."
}

// joinAnd lists names for a sentence: "A", "A and B", "A, B and C".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (d *dashboard) rangeLabel() string {
	if d.gran == domain.Hourly {
		end := d.span.LastHour()
		if end.After(d.latest) {
			end = d.latest
		}
		return d.span.Start.Format(readableHour) + " → " + end.Format(readableHour) + " UTC · hourly prices"
	}
	return d.span.FirstDay().Format(domain.DayLayout) + " → " + d.span.LastDay().Format(domain.DayLayout) + " · daily averages"
}
