package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// chartID is stable so app.js can find the chart again after every swap.
const chartID = "chart-prices"

// dashboard is one request's view: the validated state and the rows it selects.
type dashboard struct {
	state   ViewState
	errs    FieldErrors
	cat     catalog
	hasData bool
	latest  time.Time
	win     window
	rows    []domain.PriceRow
	now     time.Time
}

func (h *Handler) loadDashboard(c echo.Context) (*dashboard, error) {
	ctx := c.Request().Context()
	coins, err := h.store.Coins(ctx)
	if err != nil {
		return nil, err
	}
	currencies, err := h.store.Currencies(ctx)
	if err != nil {
		return nil, err
	}
	d := &dashboard{cat: newCatalog(coins, currencies, h.defaultCoins), now: h.now().UTC()}
	d.state, d.errs = parseViewState(c.QueryParams(), d.cat)
	// A stored hour means stored prices, and so coins and currencies too.
	d.latest, err = h.store.LatestHour(ctx)
	d.hasData = err == nil
	switch {
	case errors.Is(err, domain.ErrNotFound):
		d.latest = d.now.Truncate(time.Hour)
	case err != nil:
		return nil, err
	}
	d.win = d.state.resolve(d.latest)
	if d.hasData {
		if d.rows, err = h.prices(ctx, d); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// prices asks the store for the window's rows. Hourly windows pass their hours as bounds, so
// the database filters before it groups: a rolling 24-hour window spans parts of two days, and
// a mean without the date in the breakdown must cover those 24 hours only.
func (h *Handler) prices(ctx context.Context, d *dashboard) ([]domain.PriceRow, error) {
	q := domain.PriceQuery{
		CoinIDs: d.state.Coins, CurrencyCodes: d.state.Currencies,
		From: d.win.From, To: d.win.To, Breakdown: d.state.Breakdown, Granularity: d.win.Granularity,
	}
	if d.win.Granularity == domain.Hourly {
		q.Start, q.End = d.win.Start, d.win.End.Add(time.Hour)
	}
	return h.store.Prices(ctx, q)
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

func (d *dashboard) controls() views.ControlsProps {
	s := d.state
	p := views.ControlsProps{Errors: map[string]string(d.errs)}
	for _, id := range d.cat.coinOrder {
		coin := d.cat.coins[id]
		p.Coins = append(p.Coins, views.Choice{Value: id, Label: coin.Name, Hint: coin.Symbol,
			Checked: slices.Contains(s.Coins, id), Coin: true})
	}
	for _, code := range d.cat.curOrder {
		p.Currencies = append(p.Currencies, views.Choice{Value: code, Label: strings.ToUpper(code),
			Hint: currencySymbols[code], Checked: slices.Contains(s.Currencies, code)})
	}
	for _, r := range presetRanges {
		p.Ranges = append(p.Ranges, views.Choice{Value: r.Key, Label: r.Label, Checked: s.Range == r.Key})
	}
	p.Ranges = append(p.Ranges, views.Choice{Value: rangeCustom, Label: "Custom", Checked: s.Range == rangeCustom})
	p.From, p.To = d.win.From.Format(dayLayout), d.win.To.Format(dayLayout)
	p.Orig = s.Orig
	for _, dim := range defaultCols {
		p.Breakdown = append(p.Breakdown, views.Choice{Value: dim, Label: columnLabel(dim), Checked: s.has(dim)})
	}
	p.Modes = []views.Choice{
		{Value: string(chart.ModePrice), Label: "Price", Checked: s.Mode == chart.ModePrice},
		{Value: string(chart.ModePercent), Label: "% change", Checked: s.Mode == chart.ModePercent},
	}
	p.Scales = []views.Choice{
		{Value: string(chart.ScaleLog), Label: "Log", Checked: s.Scale == chart.ScaleLog},
		{Value: string(chart.ScaleLinear), Label: "Linear", Checked: s.Scale == chart.ScaleLinear},
	}
	if s.Mode == chart.ModePercent {
		p.ScaleHint = "% change is always drawn on a linear scale."
	}
	p.Summary = d.filtersSummary()
	return p
}

// filtersSummary is the one line the collapsed filters show on a phone: "BTC, DOGE, ETH ·
// TRY, USD · 1M".
func (d *dashboard) filtersSummary() string {
	s := d.state
	// In the order of the chips, so the line does not reshuffle as boxes are ticked.
	var coins, curs []string
	for _, id := range d.cat.coinOrder {
		if slices.Contains(s.Coins, id) {
			coins = append(coins, strings.ToUpper(cmp.Or(d.cat.coins[id].Symbol, id)))
		}
	}
	for _, c := range d.cat.curOrder {
		if slices.Contains(s.Currencies, c) {
			curs = append(curs, strings.ToUpper(c))
		}
	}
	rng := d.win.From.Format(dayLayout) + " → " + d.win.To.Format(dayLayout)
	for _, r := range presetRanges {
		if r.Key == s.Range {
			rng = r.Label
		}
	}
	return strings.Join(coins, ", ") + " · " + strings.Join(curs, ", ") + " · " + rng
}

func columnLabel(col string) string {
	switch col {
	case colDate:
		return "Date"
	case colCoin:
		return "Coin"
	case colCurrency:
		return "Currency"
	}
	return "Price"
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
	p.DataThrough = "Data through " + d.latest.Format(hourLayout) + " UTC"
	if domain.UTCDay(d.latest).Equal(domain.UTCDay(d.now)) {
		p.DataThrough += " · today is partial"
	}
	p.RangeLabel = d.rangeLabel()
	if len(d.rows) == 0 {
		p.Empty = true
		p.EmptyTitle = "No prices in this range"
		p.EmptyText = "Nothing is stored for these coins and currencies between " + d.win.From.Format(dayLayout) +
			" and " + d.win.To.Format(dayLayout) + ". Pick a longer range, a range closer to the data above, or other coins."
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
	if d.win.Granularity == domain.Hourly {
		start, end := d.win.Start, d.win.End
		if end.After(d.latest) {
			end = d.latest
		}
		return start.Format(hourLayout) + " → " + end.Format(hourLayout) + " UTC · hourly prices"
	}
	return d.win.From.Format(dayLayout) + " → " + d.win.To.Format(dayLayout) + " · daily averages"
}

func (d *dashboard) chartView() chart.View {
	v := chart.View{Breakdown: d.state.Breakdown, Granularity: d.win.Granularity, Mode: d.state.Mode,
		Scale: d.state.Scale, Symbols: map[string]string{}, CurrencySymbols: currencySymbols, HourlyMax: domain.HourlyMaxSpan}
	for id, c := range d.cat.coins {
		v.Symbols[id] = c.Symbol
	}
	if len(d.state.Currencies) == 1 {
		v.Currency = d.state.Currencies[0]
	}
	return v
}

func (d *dashboard) chart() views.ChartProps {
	p := d.chartToolbar()
	p.Data = chart.Build(d.rows, d.chartView())
	return p
}

// chartToolbar is the chart's props without its data: the note and the zoom and reset URLs,
// which the table partial refreshes out of band.
func (d *dashboard) chartToolbar() views.ChartProps {
	s := d.state
	p := views.ChartProps{ID: chartID}

	var notes []string
	if s.Breakdown.Date {
		if s.Mode == chart.ModePercent {
			notes = append(notes, "% change from each line's first value")
		} else if s.Scale == chart.ScaleLog {
			notes = append(notes, "log scale")
		}
		notes = append(notes, "drag or pinch to zoom; 2 days or less loads hourly prices")
	} else {
		notes = append(notes, "Mean price per group over the range (add Date to the breakdown for lines over time)")
	}
	p.Note = strings.ToUpper(notes[0][:1]) + strings.Join(notes, " · ")[1:]

	zoom := s
	zoom.Range, zoom.Page = defaultRange, 1
	zoom.Orig = cmp.Or(s.Orig, s.rangeSpec())
	p.ZoomURL = zoom.URL("/partials/dashboard")
	if s.Orig != "" {
		back := s.withRangeSpec(s.Orig)
		back.Orig, back.Page = "", 1
		p.ResetURL, p.ResetPartialURL = back.URL("/"), back.URL("/partials/dashboard")
	}
	return p
}

// sortedRows returns the rows in the table's order; ties fall back to date, coin, currency so
// pages never shuffle between requests. Coins sort by the label the table shows, worked out
// once per coin rather than in every comparison.
func (d *dashboard) sortedRows() []domain.PriceRow {
	rows := slices.Clone(d.rows)
	labels := map[string]string{}
	for _, r := range rows {
		if _, ok := labels[r.CoinID]; !ok {
			labels[r.CoinID] = d.coinLabel(r.CoinID)
		}
	}
	byCol := func(col string, a, b domain.PriceRow) int {
		switch col {
		case colDate:
			return a.Time.Compare(b.Time)
		case colCoin:
			return cmp.Compare(labels[a.CoinID], labels[b.CoinID])
		case colCurrency:
			return cmp.Compare(a.CurrencyCode, b.CurrencyCode)
		}
		return cmp.Compare(a.Price, b.Price)
	}
	slices.SortStableFunc(rows, func(a, b domain.PriceRow) int {
		if c := byCol(d.state.Sort, a, b); c != 0 {
			if d.state.Desc {
				return -c
			}
			return c
		}
		if c := byCol(colDate, a, b); c != 0 {
			return c
		}
		if c := byCol(colCoin, a, b); c != 0 {
			return c
		}
		return byCol(colCurrency, a, b)
	})
	return rows
}

func (d *dashboard) coinLabel(id string) string {
	if c, ok := d.cat.coins[id]; ok {
		return c.Name + " (" + strings.ToUpper(c.Symbol) + ")"
	}
	return id
}

// coinName and coinSymbol are the parts of coinLabel; a phone shows the symbol alone.
func (d *dashboard) coinName(id string) string { return cmp.Or(d.cat.coins[id].Name, id) }

func (d *dashboard) coinSymbol(id string) string {
	if c, ok := d.cat.coins[id]; ok && c.Symbol != "" {
		return strings.ToUpper(c.Symbol)
	}
	return ""
}

// priceUnit is what the price column's header says its values are in: the one currency
// when every row is in it, "mixed" when rows average several, and nothing when the
// currency column names each row's own.
func (d *dashboard) priceUnit() string {
	switch {
	case d.state.Breakdown.Currency:
		return ""
	case d.mixesCurrencies():
		return "mixed currencies"
	default:
		return strings.ToUpper(d.state.Currencies[0])
	}
}

// formatTime writes a row's time: its day, or for hourly rows its hour in hourFormat
// (hourLayout on the page, dataHourLayout in the CSV).
func (d *dashboard) formatTime(t time.Time, hourFormat string) string {
	if d.win.Granularity == domain.Hourly {
		return t.Format(hourFormat)
	}
	return t.Format(dayLayout)
}

func (d *dashboard) table() views.TableProps {
	s := d.state
	total := len(d.rows)
	pages := max(1, (total+pageSize-1)/pageSize)
	page := min(s.Page, pages)
	s.Page = page
	rows := d.sortedRows()[(page-1)*pageSize : min(page*pageSize, total)]

	view := d.chartView()
	cols := s.visibleCols()
	dims := cols[:len(cols)-1]
	p := views.TableProps{
		Showing: fmt.Sprintf("Showing %s–%s of %s", formatInt(int64((page-1)*pageSize+1)),
			formatInt(int64((page-1)*pageSize+len(rows))), formatInt(int64(total))),
		CSVURL: s.URL("/dashboard.csv"),
		Sort:   s.Sort, Dir: map[bool]string{false: "asc", true: "desc"}[s.Desc], Cols: strings.Join(s.Cols, ","),
	}
	reorder := s
	reorder.Cols = slices.Clone(defaultCols)
	p.ReorderURL = reorder.URL("/partials/table")

	for i, col := range cols {
		c := views.Column{Key: col, Label: columnLabel(col), Numeric: col == colPrice, Movable: col != colPrice}
		if col == colPrice {
			c.Unit = d.priceUnit()
		}
		if col == colCurrency {
			c.Short = "Cur."
		}
		if s.Sort == col {
			c.Sort = p.Dir
		}
		sorted := s
		sorted.Sort, sorted.Page = col, 1
		sorted.Desc = s.Sort == col && !s.Desc || s.Sort != col && (col == colDate || col == colPrice)
		c.SortURL, c.SortPartialURL = sorted.URL("/"), sorted.URL("/partials/table")
		if c.Movable && i > 0 {
			moved := s.withSwapped(col, dims[i-1])
			c.LeftURL, c.LeftPartialURL = moved.URL("/"), moved.URL("/partials/table")
		}
		if c.Movable && i < len(dims)-1 {
			moved := s.withSwapped(col, dims[i+1])
			c.RightURL, c.RightPartialURL = moved.URL("/"), moved.URL("/partials/table")
		}
		p.Columns = append(p.Columns, c)
	}

	for _, r := range rows {
		var cells []views.Cell
		for _, col := range cols {
			switch col {
			case colDate:
				cells = append(cells, views.Cell{Text: d.formatTime(r.Time, hourLayout)})
			case colCoin:
				cells = append(cells, views.Cell{Text: d.coinLabel(r.CoinID), Name: d.coinName(r.CoinID), Symbol: d.coinSymbol(r.CoinID),
					CoinID: r.CoinID})
			case colCurrency:
				cells = append(cells, views.Cell{Text: strings.ToUpper(r.CurrencyCode)})
			default:
				cells = append(cells, views.Cell{Text: formatPrice(view.ValueCurrency(r.CurrencyCode), r.Price), Numeric: true})
			}
		}
		p.Rows = append(p.Rows, cells)
	}

	if pages > 1 {
		link := func(n int, label string) views.PageLink {
			t := s
			t.Page = n
			return views.PageLink{Label: label, URL: t.URL("/"), PartialURL: t.URL("/partials/table"), Current: n == page}
		}
		if page > 1 {
			l := link(page-1, "‹ Prev")
			p.Prev = &l
		}
		for _, n := range pageWindow(page, pages) {
			if n == 0 {
				p.Pages = append(p.Pages, views.PageLink{Gap: true})
			} else {
				p.Pages = append(p.Pages, link(n, fmt.Sprint(n)))
			}
		}
		p.PageOf = fmt.Sprintf("Page %d of %d", page, pages)
		if page < pages {
			l := link(page+1, "Next ›")
			p.Next = &l
		}
	}
	return p
}

// pageWindow is the page numbers a pagination bar shows: the first, the last, and the current
// one with its neighbours, with 0 where a gap of two or more pages is left out (an ellipsis).
// A gap of a single page shows that page instead, since the ellipsis would be no shorter.
func pageWindow(page, pages int) []int {
	var keep []int
	for _, n := range []int{1, page - 1, page, page + 1, pages} {
		if n >= 1 && n <= pages && !slices.Contains(keep, n) {
			keep = append(keep, n)
		}
	}
	slices.Sort(keep)
	var out []int
	for i, n := range keep {
		if i > 0 {
			switch gap := n - keep[i-1]; {
			case gap == 2:
				out = append(out, n-1)
			case gap > 2:
				out = append(out, 0)
			}
		}
		out = append(out, n)
	}
	return out
}

// withSwapped returns v with two dimension columns exchanged in its column order.
func (v ViewState) withSwapped(a, b string) ViewState {
	v.Cols = slices.Clone(v.Cols)
	i, j := slices.Index(v.Cols, a), slices.Index(v.Cols, b)
	v.Cols[i], v.Cols[j] = v.Cols[j], v.Cols[i]
	return v
}
