package ui

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/views"
)

// dashboard is one request's view: the validated state, the hours it covers, its groups (the
// lines of the chart and the rows of the table) and a summary of each selected series.
type dashboard struct {
	state   ViewState
	errs    domain.FieldErrors
	cat     catalog
	hasData bool
	latest  time.Time
	span    domain.Range
	gran    domain.Granularity
	// series is every selected coin in every selected currency, in the chips' order.
	series    []domain.Series
	perSeries []domain.Group
	groups    []domain.Group
	summaries map[domain.Series]domain.Summary
	// lastRun is the newest fetch run, read only while no price is stored, for the empty state.
	lastRun *domain.FetchRun
	// retryAt is when this process fetches again after a failed run, while retrying.
	retryAt     time.Time
	retryReason string
	retrying    bool
	now         time.Time
	// zoom is the chart's zoom from the page URL; the partials never carry one.
	zoom zoomSpan
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
	d.zoom = parseZoom(c.QueryParam(zoomParam), d.errs)
	// A stored hour means stored prices, and so coins and currencies too.
	d.latest, d.hasData = cat.LatestHour, !cat.LatestHour.IsZero()
	if !d.hasData {
		d.latest = d.now.Truncate(time.Hour)
	}
	d.span, d.gran = d.state.resolve(d.latest)
	d.narrow()
	for _, id := range d.cat.coinOrder {
		for _, code := range d.cat.curOrder {
			if slices.Contains(d.state.Coins, id) && slices.Contains(d.state.Currencies, code) {
				d.series = append(d.series, domain.Series{CoinID: id, CurrencyCode: code})
			}
		}
	}
	if !d.hasData {
		// What this says follows the first run, which no data version marks: it is made
		// afresh for every request, and refreshes itself while a run or a retry is ahead.
		c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
		run, err := h.store.LatestRun(ctx)
		switch {
		case err == nil:
			d.lastRun = &run
		case !errors.Is(err, domain.ErrNotFound):
			return nil, err
		}
		d.retryAt, d.retryReason, d.retrying = h.nextRetry()
		return d, nil
	}
	// Every series on its own, grouped here rather than in SQL: a group's mean must carry a
	// member's gap forward and keep its members from one point to the next (domain.Aggregate).
	rows, err := h.store.Prices(ctx, domain.PriceQuery{
		CoinIDs: d.state.Coins, CurrencyCodes: d.state.Currencies,
		Range: d.span, Breakdown: domain.AllDimensions, Granularity: d.gran, Today: d.now,
	})
	if err != nil {
		return nil, err
	}
	if d.state.benchmarked() {
		if rows, err = h.inBitcoin(ctx, d, rows); err != nil {
			return nil, err
		}
	}
	d.perSeries = domain.Aggregate(rows, domain.AllDimensions)
	d.groups = d.perSeries
	if b := d.state.breakdown(); b != domain.AllDimensions {
		d.groups = domain.Aggregate(rows, b)
	}
	if d.summaries, err = h.store.SeriesSummaries(ctx, d.series, d.span, d.gran); err != nil {
		return nil, err
	}
	return d, nil
}

// maxSeries is the most series (a coin in a currency) one dashboard view draws: every
// series is a line, a card and a share of the table, and 200 coins x 10 currencies over a
// month took 735 MB to render. 60 holds every series of the demo (11 coins x 4 currencies)
// and is more lines than a chart can tell apart.
const maxSeries = 60

// narrow keeps a selection of more than maxSeries series to the first coins that fit in the
// chosen currencies, and says so, with how to choose: the view still shows something useful,
// and its URL names what it shows.
func (d *dashboard) narrow() {
	coins, currencies := len(d.state.Coins), len(d.state.Currencies)
	if coins*currencies <= maxSeries {
		return
	}
	keep := max(1, maxSeries/currencies)
	d.errs["coins"] = fmt.Sprintf("%d coins in %d currencies are %d series, and a view draws at most %d; "+
		"showing the first %d coins. Choose fewer coins or currencies, or use the API for more (up to %d rows an answer).",
		coins, currencies, coins*currencies, maxSeries, keep, domain.MaxAnswerRows)
	d.state.Coins = d.state.Coins[:keep]
	if keep*currencies > maxSeries {
		d.state.Currencies = d.state.Currencies[:maxSeries]
	}
}

// rows is the table's rows: every point of every group.
func (d *dashboard) rows() []domain.PriceRow {
	n := 0
	for _, g := range d.groups {
		n += len(g.Points)
	}
	out := make([]domain.PriceRow, 0, n)
	for _, g := range d.groups {
		out = append(out, g.Points...)
	}
	return out
}

func (h *Handler) dashboardPage(c echo.Context, f Facts) error {
	d, err := h.loadDashboard(c)
	if err != nil {
		return err
	}
	layout, err := h.layout(c.Request().Context(), f, "Dashboard", "dashboard")
	if err != nil {
		return err
	}
	layout.Description = d.cat.description()
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
	if !d.hasData || len(d.rows()) == 0 {
		// The table only exists beside data; an empty view needs the whole results block.
		return Render(c, statusFor(d.errs), views.Results(d.results(), true))
	}
	// The chart's toolbar holds the zoom and reset URLs, which carry the table's sort, page
	// and column order: it is swapped out of band so that a zoom after a sort keeps the sort.
	return Render(c, statusFor(d.errs), views.TablePartial(d.table(), d.chartToolbar()))
}

// maxPushedQuery bounds the request query pushUrl echoes: a header is no place for a
// hostile megabyte, and proxies refuse answers with headers of more than a few kilobytes.
const maxPushedQuery = 2000

// pushURL names the page URL of what a partial shows: the canonical URL of a valid state, or
// the request's own query when it had errors, so reloading shows the same messages. A query
// longer than maxPushedQuery is never echoed; the canonical URL of the corrected state takes
// its place.
func (h *Handler) pushURL(c echo.Context, d *dashboard) {
	u := d.state.URL(route.Dashboard)
	if len(d.errs) > 0 {
		if q := c.QueryParams().Encode(); len(q) <= maxPushedQuery {
			u = route.WithQuery(route.Dashboard, q)
		}
	}
	if !d.hasData {
		// The empty state asks for itself every few seconds; a pushed URL each time would
		// fill the history with copies of one page.
		c.Response().Header().Set("HX-Replace-Url", u)
		return
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
		p.Empty = d.noData()
		return p
	}
	p.DataThrough = "Data through " + d.latest.Format(readableHour) + " UTC"
	if domain.UTCDay(d.latest).Equal(domain.UTCDay(d.now)) {
		p.DataThrough += " · today is partial"
	}
	p.RangeLabel = d.rangeLabel()
	if len(d.rows()) == 0 {
		p.Empty = &views.EmptyProps{Title: "No prices in this range",
			Text: "Nothing is stored for these coins and currencies between " + d.span.FirstDay().Format(domain.DayLayout) +
				" and " + d.span.LastDay().Format(domain.DayLayout) + ". Pick a longer range, a range closer to the data above, or other coins."}
		return p
	}
	p.Cards = d.cards()
	p.Chart = d.chart()
	p.Legend = d.legend(p.Chart.Panels)
	p.Notes = d.notes()
	p.Table = d.table()
	return p
}

// fetchCommand is how a person fetches by hand, as it works from a clone of the repository;
// an installed binary takes the same subcommand (cryptodash fetch).
const fetchCommand = "make fetch"

// noData is the empty state before any price is stored. It says where the first fetch
// stands, and when it failed, what failed, when it is tried again and the ways on: a key, the
// network, the demo. While a run or a retry is ahead it asks for itself again every few
// seconds, so what it says follows the run.
func (d *dashboard) noData() *views.EmptyProps {
	e := &views.EmptyProps{Title: "No price data yet", Command: fetchCommand,
		Refresh: d.state.URL(route.DashboardPartial)}
	switch run := d.lastRun; {
	case run == nil:
		e.Text = "A backfill starts by itself when the server starts on an empty database; follow it on the Status page, or fetch by hand with the command below. This page fills in as the data lands."
	case run.Status == domain.RunRunning:
		e.Text = fmt.Sprintf("The first fetch is running (%d of %d windows so far); this page fills in as the data lands. Follow it on the Status page.",
			run.WindowsDone, run.WindowsTotal)
		e.Command = ""
	default:
		e.Title = "The first fetch found no prices"
		e.Problem = run.Error
		e.Text = "Check that this machine reaches CoinGecko and that COINGECKO_API_KEY is right (a free Demo key raises the call budget), then fetch again with the command below. Without internet, make demo runs the dashboard on simulated prices."
		if d.retrying {
			e.Retry = fmt.Sprintf("cryptodash tries again by itself at %s UTC (%s). Why: %s",
				d.retryAt.UTC().Format("15:04"), inDuration(d.retryAt.Sub(d.now)), d.retryReason)
		} else {
			e.Refresh = ""
		}
	}
	return e
}

// inDuration says how far ahead a moment is, in the largest whole unit: "in 4 min".
func inDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "in less than a minute"
	case d < time.Hour:
		return fmt.Sprintf("in %d min", int(d/time.Minute))
	default:
		return fmt.Sprintf("in %d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

// notes say what the numbers on screen are, where a reader could take them for something
// else.
func (d *dashboard) notes() []string {
	var out []string
	unit := "day"
	if d.gran == domain.Hourly {
		unit = "hour"
	}
	if d.state.Mode == chart.ModePercent {
		note := "% change of each series from its first price at or after " + d.span.Start.Format(readableHour) + " UTC"
		if d.gran == domain.Daily {
			note = "% change of each series' daily average from its first day in the range"
		}
		if d.state.benchmarked() {
			note += ", measured in bitcoin: each value is divided by bitcoin's price in the same currency at the same time (daily averages on daily views), so above zero beat bitcoin and below trailed it; bitcoin itself stays at 0%"
		}
		if b := d.state.breakdown(); !b.Coin || !b.Currency {
			note += "; a line for several series is the mean of their changes, so each series weighs the same whatever its price"
		}
		out = append(out, note+".")
	}
	if d.state.splitsCurrencies() {
		out = append(out, "Prices in different currencies are never averaged into one number: each currency keeps its own line and rows. Switch to % change to compare across currencies.")
	}
	var filled, leftOut, partial int
	for _, g := range d.groups {
		leftOut += g.LeftOut
		for _, r := range g.Points {
			if r.Filled {
				filled++
			}
			if r.Partial && !r.Filled {
				partial++
			}
		}
	}
	if filled > 0 {
		out = append(out, fmt.Sprintf("Where a series has no price for a %s, its previous price is carried forward (%d values, marked “filled” in the table).", unit, filled))
	}
	if leftOut > 0 {
		out = append(out, fmt.Sprintf("%d %s left out of lines for several series until each of their series has a price, so a mean never changes members from one point to the next.",
			leftOut, plural(leftOut, unit+" is", unit+"s are")))
	}
	if partial > 0 {
		out = append(out, "Days marked “partial” are incomplete: today, or the first stored day, which the start of the history cuts. A day missing a few hours is complete and says how many it holds (“23 of 24 h”).")
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (d *dashboard) rangeLabel() string {
	if d.gran == domain.Hourly {
		return d.span.Start.Format(readableHour) + " → " + d.lastHour().Format(readableHour) + " UTC · hourly prices"
	}
	return d.span.FirstDay().Format(domain.DayLayout) + " → " + d.span.LastDay().Format(domain.DayLayout) + " · daily averages"
}

// lastHour is the last hour an hourly view can show: the range's, or the latest stored one.
func (d *dashboard) lastHour() time.Time {
	if end := d.span.LastHour(); end.Before(d.latest) {
		return end
	}
	return d.latest
}
