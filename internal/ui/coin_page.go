package ui

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/analytics"
	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/numfmt"
	"github.com/cryptodash/cryptodash/internal/sanitize"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/views"
)

const (
	// defaultCoinPreset is a quarter: enough daily candles to see a trend, few enough to see
	// each one.
	defaultCoinPreset = "3m"
	// preferredCurrency is a coin page's currency when its URL names none and it is stored.
	preferredCurrency = "usd"
	// coinChartID is stable so app.js finds the chart again after a theme change.
	coinChartID = "chart-coin"
)

func presetLabel(key string) string {
	for _, p := range presetRanges {
		if p.Key == key {
			return p.Label
		}
	}
	return key
}

// coinPage is one request's coin page: the coin, the view and what was read for it.
type coinPage struct {
	coin       domain.Coin
	meta       domain.Metadata
	currencies []domain.Currency
	state      coinState
	errs       domain.FieldErrors
	now        time.Time
	// latest is the newest stored hour of the series; hasData is false when it has none.
	latest  time.Time
	hasData bool
	span    domain.Range
	gran    domain.Granularity
	candles []domain.Candle
	ends    []domain.Sample
	hours   []domain.Sample
	// at holds the stored price at the newest hour and at each of returnSpans before it;
	// high and low are the stored history's extremes.
	at        []domain.Sample
	high, low domain.Sample
	// quotes are the benchmark units the page offers; quote is the one it is priced in, if
	// any, and quoted the coin's hours in it over their whole common history.
	quotes []quoteUnit
	quote  *quoteUnit
	quoted []domain.Sample
}

// returnSpans are the returns strip's spans, as CoinGecko's and CoinMarketCap's coin pages
// offer them.
var returnSpans = []struct {
	label string
	span  time.Duration
}{{"24h", 24 * time.Hour}, {"7d", 7 * 24 * time.Hour}, {"30d", 30 * 24 * time.Hour}, {"90d", 90 * 24 * time.Hour}, {"1y", 365 * 24 * time.Hour}}

func (h *Handler) coinPage(c echo.Context, f Facts) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	cat, err := h.store.Catalog(ctx)
	if err != nil {
		return err
	}
	coins, currencies := cat.Coins, cat.Currencies
	i := slices.IndexFunc(coins, func(x domain.Coin) bool { return x.ID == id })
	if i < 0 {
		return h.coinMissing(c, f, domain.Excerpt(id), coins)
	}
	p := &coinPage{coin: coins[i], currencies: currencies, now: h.now().UTC(), quotes: quoteChoices(id, coins, currencies)}
	p.state, p.errs = parseCoinState(id, c.QueryParams(), currencies, p.quotes)
	p.meta, err = h.store.Metadata(ctx, id)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	if err := h.loadCoinPrices(ctx, p, cat.LatestHour); err != nil {
		return err
	}
	layout, err := h.layout(ctx, f, p.coin.Name+" ("+strings.ToUpper(p.coin.Symbol)+") in "+strings.ToUpper(p.state.currency), "")
	if err != nil {
		return err
	}
	layout.Description = fmt.Sprintf("%s (%s) in %s: daily candles, the hourly price and the daily mean, with the coin's details.",
		p.coin.Name, strings.ToUpper(p.coin.Symbol), strings.ToUpper(p.state.currency))
	dashCurrency := p.state.currency
	if p.quote != nil {
		dashCurrency = quoteBase
	}
	dashboard, errs := parseViewState(url.Values{"coins": {id}, "currencies": {dashCurrency}},
		newCatalog(coins, currencies, h.defaultCoins))
	props := p.props(layout, h.logos)
	props.DashboardURL = "/"
	if len(errs) == 0 {
		props.DashboardURL = dashboard.URL("/")
	}
	return Render(c, statusFor(p.errs), views.CoinPage(props))
}

// loadCoinPrices reads the series' prices over the view's range, which reaches back from
// newest, the newest stored hour of any series, as the dashboard's ranges do: a card on the
// dashboard and the coin page it links to then cover the same hours and state the same change.
func (h *Handler) loadCoinPrices(ctx context.Context, p *coinPage, newest time.Time) error {
	if u, ok := quoteOf(p.state.currency, p.quotes); ok {
		p.quote = &u
		return h.loadQuotedPrices(ctx, p, newest, u)
	}
	series := domain.Series{CoinID: p.coin.ID, CurrencyCode: p.state.currency}
	stored, err := h.store.StoredRanges(ctx, []domain.Series{series})
	if err != nil {
		return err
	}
	r, ok := stored[series]
	if !ok {
		return nil
	}
	p.hasData, p.latest = true, r.End.Add(-time.Hour)
	anchor := p.latest
	if newest.After(anchor) {
		anchor = newest
	}
	p.span, p.gran = ViewState{Range: p.state.rng}.resolve(anchor)
	at := []time.Time{p.latest}
	for _, r := range returnSpans {
		at = append(at, analytics.ReturnFrom(p.latest, r.span))
	}
	if p.at, p.high, p.low, err = h.store.PricesAt(ctx, series, at); err != nil {
		return err
	}
	if p.gran == domain.Hourly {
		p.hours, err = h.store.HourlyPrices(ctx, series, p.span)
		return err
	}
	if p.candles, err = h.store.DailyOHLC(ctx, series, p.span, p.now); err != nil {
		return err
	}
	p.ends, err = h.store.DailyMarket(ctx, series, p.span)
	return err
}

// coinCSV downloads the days the coin page's range touches: each day's OHLC, stored hours,
// partial flag, and volume and market cap at its last stored hour, as the page's table has
// them (a 1D view's CSV holds the days of its hours).
func (h *Handler) coinCSV(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	cat, err := h.store.Catalog(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(cat.Coins, func(x domain.Coin) bool { return x.ID == id }) {
		return echo.NewHTTPError(http.StatusNotFound, "unknown coin")
	}
	p := &coinPage{coin: domain.Coin{ID: id}, now: h.now().UTC(), quotes: quoteChoices(id, cat.Coins, cat.Currencies)}
	p.state, p.errs = parseCoinState(id, c.QueryParams(), cat.Currencies, p.quotes)
	if len(p.errs) > 0 {
		return c.String(http.StatusBadRequest, "This download link has problems: "+strings.Join(slices.Sorted(maps.Values(p.errs)), " ")+"\n")
	}
	if err := h.loadCoinPrices(ctx, p, cat.LatestHour); err != nil {
		return err
	}
	series := domain.Series{CoinID: id, CurrencyCode: p.state.currency}
	if p.hasData && p.gran == domain.Hourly && p.quote != nil {
		p.quotedDays(p.span)
	} else if p.hasData && p.gran == domain.Hourly {
		if p.candles, err = h.store.DailyOHLC(ctx, series, p.span, p.now); err != nil {
			return err
		}
		if p.ends, err = h.store.DailyMarket(ctx, series, p.span); err != nil {
			return err
		}
	}
	ends := make(map[time.Time]domain.Sample, len(p.ends))
	for _, e := range p.ends {
		ends[domain.UTCDay(e.Time)] = e
	}
	var buf bytes.Buffer
	if err := domain.WriteCandlesCSV(&buf, p.candles, ends); err != nil {
		return fmt.Errorf("coin csv: %w", err)
	}
	name := id + "-" + p.state.currency + "-days.csv"
	if p.hasData {
		name = id + "-" + p.state.currency + "-" + p.span.FirstDay().Format(domain.DayLayout) + "-to-" + p.span.LastDay().Format(domain.DayLayout) + ".csv"
	}
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *Handler) coinMissing(c echo.Context, f Facts, id string, coins []domain.Coin) error {
	layout, err := h.layout(c.Request().Context(), f, "Coin not found", "")
	if err != nil {
		return err
	}
	p := views.CoinMissingProps{Layout: layout, ID: id}
	for _, coin := range coins {
		p.Coins = append(p.Coins, views.CoinLink{Label: coin.Name, URL: route.CoinURL(coin.ID, nil), TestID: "coin-link-" + coin.ID})
	}
	if len(coins) == 0 {
		// Nothing is stored yet: the first fetch has not landed. The configured ids are what
		// it will bring, and a link to each would be one more 404.
		p.Configured = h.configured
		p.Tracked = slices.Contains(h.configured, id)
	}
	return Render(c, http.StatusNotFound, views.CoinMissing(p))
}

func (p *coinPage) props(layout views.LayoutProps, logos sanitize.Logos) views.CoinPageProps {
	s := p.state
	cur := strings.ToUpper(s.currency)
	out := views.CoinPageProps{
		Layout:       layout,
		Name:         p.coin.Name,
		Symbol:       strings.ToUpper(p.coin.Symbol),
		Initials:     initials(p.coin.Symbol, p.coin.Name),
		ImageURL:     logos.URL(p.meta.ImageURL),
		Currency:     cur,
		Errors:       map[string]string(p.errs),
		Description:  description(p.meta.Description, pageSentences, pageChars),
		HomepageURL:  sanitize.Homepage(p.meta.HomepageURL),
		CoinGeckoURL: "https://www.coingecko.com/en/coins/" + url.PathEscape(p.coin.ID),
	}
	s = s.unzoomed()
	for _, c := range p.currencies {
		v := s
		v.currency = c.Code
		if c.Code == s.currency {
			out.CurrencyName = c.Name
		}
		out.Currencies = append(out.Currencies, views.CoinLink{Label: strings.ToUpper(c.Code), URL: v.URL(),
			Current: c.Code == s.currency, TestID: "coin-currency-" + c.Code, Title: c.Name})
	}
	for _, u := range p.quotes {
		v := s
		v.currency = u.code
		l := views.CoinLink{Label: strings.ToUpper(u.code), URL: v.URL(), Current: u.code == s.currency,
			TestID: "coin-currency-" + u.code, Title: "Priced in " + strings.ToLower(u.name) + ": the coin's USD price divided by " + u.name + "'s of the same hour"}
		if u.self {
			l.URL, l.Title = "", u.selfText
		}
		if l.Current {
			out.CurrencyName = u.name + ", derived from the stored USD prices"
		}
		out.Quotes = append(out.Quotes, l)
	}
	for _, r := range presetRanges {
		v := s
		v.rng = presetChoice(r.Key)
		out.Ranges = append(out.Ranges, views.CoinLink{Label: r.Label, URL: v.URL(),
			Current: r.Key == s.rng.preset, TestID: "coin-range-" + r.Key, Title: rangeTitle(r.Days)})
	}
	for _, sc := range []struct {
		scale        chart.Scale
		label, title string
	}{{chart.ScaleLinear, "Linear", "Equal steps of price are equal heights"},
		{chart.ScaleLog, "Log", "Equal percentage moves are equal heights, as over a year of a coin that rose tenfold"}} {
		v := s
		v.scale = sc.scale
		out.Scales = append(out.Scales, views.CoinLink{Label: sc.label, URL: v.URL(), Current: sc.scale == s.scale,
			TestID: "coin-scale-" + string(sc.scale), Title: sc.title})
	}
	out.Custom = p.customDates()
	if !p.hasData {
		out.Empty = true
		out.EmptyTitle = "No " + cur + " prices for " + p.coin.Name + " yet"
		out.EmptyText = "Nothing is stored for this coin in " + cmp.Or(out.CurrencyName, cur) +
			". Try another currency above, or see how far each series reaches on the Status page."
		return out
	}
	out.DataThrough = "Data through " + p.latest.Format(readableHour) + " UTC"
	if domain.UTCDay(p.latest).Equal(domain.UTCDay(p.now)) {
		out.DataThrough += " · today is partial"
	}
	var st rangeStats
	if p.gran == domain.Hourly {
		if len(p.hours) == 0 {
			return p.emptyRange(out)
		}
		st = hourlyStats(p.hours)
		out.RangeLabel = p.hours[0].Time.Format(readableHour) + " → " + p.hours[len(p.hours)-1].Time.Format(readableHour) + " UTC · hourly prices"
		spec := chart.CoinHours(p.hours, p.chartView())
		out.Chart, out.Figure = spec.Chart(), coinFigureProps(spec.Figure())
		out.ChartNote = "Hourly prices in " + cur + ", the rolling 24-hour volume and the market cap at each hour."
		out.Zoom = p.state.zoom.bands(hourTimes(p.hours))
		out.Table = p.hourlyTable()
	} else {
		if len(p.candles) == 0 {
			return p.emptyRange(out)
		}
		st = dailyStats(p.candles, p.ends)
		out.RangeLabel = p.candles[0].Day.Format(domain.DayLayout) + " → " + p.candles[len(p.candles)-1].Day.Format(domain.DayLayout) + " · daily candles"
		spec := chart.CoinDays(p.candles, p.ends, p.chartView())
		out.Chart, out.Figure = spec.Chart(), coinFigureProps(spec.Figure())
		out.ChartNote = "Daily candles in " + cur + ": hollow rose, filled fell, dashed is a partial day. Volume (CoinGecko's rolling 24-hour figure) and market cap are read at each day's last stored hour; a dimmed bar was read before 23:00."
		out.Table = p.dailyTable()
		out.Notes = p.partialNotes()
		days := make([]time.Time, len(p.candles))
		for i, c := range p.candles {
			days[i] = c.Day
		}
		out.Zoom = p.state.zoom.bands(days)
	}
	if p.state.scale == chart.ScaleLog {
		out.ChartNote += " Log price axis: equal heights are equal percentage moves."
	}
	out.ZoomHelp = zoomHelp
	if p.quote != nil {
		out.Notes = append([]string{"Priced in " + cur + ": each hour's USD price of " + p.coin.Name + " divided by " + p.quote.name +
			"'s USD price of the same hour, from the stored prices (an hour missing on either side is a gap, never a guess). " +
			"A rising line means it beat " + p.quote.name + "; market cap and volume are divided alike."}, out.Notes...)
	}
	out.Table.CSVURL = p.state.csvURL()
	out.ChartID = coinChartID
	out.ChartLabel = p.coin.Name + " price chart in " + cur + "; the table below lists every value"
	p.fillStats(&out, st)
	p.fillReturns(&out)
	return out
}

// fillReturns writes the returns strip, each from the stored price a span before the newest
// hour, and the stored history's high and low with their hours. A return is not the range's
// "Change" (which starts at the range's first price), so it has its own name.
func (p *coinPage) fillReturns(out *views.CoinPageProps) {
	cur := p.state.currency
	last := p.at[0]
	for i, r := range returnSpans {
		s := views.Stat{ID: "return-" + r.label, Label: r.label + " return", Value: "—"}
		from := p.at[i+1]
		switch {
		case from.Time.IsZero():
			s.Help = "The stored history does not reach back " + r.label + "."
		default:
			ret := analytics.Change(from.Price, last.Price)
			s.Value, s.Raw, s.Tone = formatPercent(ret), raw(ret), tone(ret)
			s.Help = "From " + formatPrice(cur, from.Price) + " at " + from.Time.Format(readableHour) + " UTC to " +
				formatPrice(cur, last.Price) + " at " + last.Time.Format(readableHour) + " UTC."
		}
		out.Returns = append(out.Returns, s)
	}
	out.History = []views.Stat{
		{ID: "history-high", Label: "Highest in stored history", Value: formatPrice(cur, p.high.Price), Raw: raw(p.high.Price),
			Help: "The highest stored hourly price, at " + p.high.Time.Format(readableHour) + " UTC."},
		{ID: "history-low", Label: "Lowest in stored history", Value: formatPrice(cur, p.low.Price), Raw: raw(p.low.Price),
			Help: "The lowest stored hourly price, at " + p.low.Time.Format(readableHour) + " UTC."},
	}
	out.History = append(out.History, p.marketStats(last.Price)...)
}

// marketStats are the coin's rank and supply as of the last run that fetched its details,
// and the fully diluted value they give at the newest stored price.
func (p *coinPage) marketStats(price float64) []views.Stat {
	m := p.meta.Market
	asOf := "As of the last run that fetched the coin's details"
	if !p.meta.UpdatedAt.IsZero() {
		asOf += ", " + p.meta.UpdatedAt.Format(readableHour) + " UTC"
	}
	asOf += " (CoinGecko)."
	symbol := strings.ToUpper(p.coin.Symbol)
	supply := func(id, label string, v *float64, none string) views.Stat {
		s := views.Stat{ID: id, Label: label, Value: "—", Help: none}
		if v != nil {
			s.Value, s.Raw, s.Full = formatCompact("", *v)+" "+symbol, raw(*v), formatMagnitude(*v)+" "+symbol
			s.Help = asOf
		}
		return s
	}
	rank := views.Stat{ID: "rank", Label: "Market-cap rank", Value: "—", Help: "Not ranked by CoinGecko, or not fetched yet."}
	if m.Rank != nil {
		rank.Value, rank.Raw, rank.Help = "#"+strconv.Itoa(*m.Rank), strconv.Itoa(*m.Rank), asOf
	}
	out := []views.Stat{rank,
		supply("circulating", "Circulating supply", m.CirculatingSupply, "Not reported."),
		supply("total-supply", "Total supply", m.TotalSupply, "Not reported."),
		supply("max-supply", "Max supply", m.Max, "No maximum: the supply is not capped, or CoinGecko does not know a cap."),
	}
	fdv := views.Stat{ID: "fdv", Label: "Fully diluted value", Value: "—", Help: "Needs a maximum or total supply."}
	if n := cmp.Or(m.Max, m.TotalSupply); n != nil {
		v := price * *n
		what := "maximum"
		if m.Max == nil {
			what = "total"
		}
		fdv.Value, fdv.Raw, fdv.Full = formatCompact(p.state.currency, v), raw(v), formatPrice(p.state.currency, v)
		fdv.Help = "The newest stored price × the " + what + " supply."
	}
	return append(out, fdv)
}

// emptyRange is the page for a range with no stored prices, which a range reaching back from
// the series' own newest hour only meets when the data changes under the request.
func (p *coinPage) emptyRange(out views.CoinPageProps) views.CoinPageProps {
	out.Empty = true
	out.EmptyTitle = "No prices in this range"
	out.EmptyText = "Nothing is stored for " + p.coin.Name + " in " + out.Currency + " between " +
		p.span.FirstDay().Format(domain.DayLayout) + " and " + p.span.LastDay().Format(domain.DayLayout) + "."
	return out
}

func (p *coinPage) chartView() chart.CoinView {
	return chart.CoinView{CoinID: p.coin.ID, Currency: p.state.currency, CurrencySymbols: currencySymbols, Scale: p.state.scale}
}

// zoomHelp says how to zoom a chart with each kind of pointer, and that the link keeps it.
const zoomHelp = "Zoom with the mouse wheel, a two-finger pinch or scroll on a trackpad, or a pinch on a touch screen; drag to pan, or drag the handles of the slider below. The address keeps the zoom, so a copied link opens on the same span."

func hourTimes(hours []domain.Sample) []time.Time {
	if len(hours) == 0 {
		return nil
	}
	// The chart places hours by time (chart.CoinHours), a missing one keeping its band.
	var out []time.Time
	for t := hours[0].Time; !t.After(hours[len(hours)-1].Time); t = t.Add(time.Hour) {
		out = append(out, t)
	}
	return out
}

// customDates is the form that picks a custom range: the range's days, and the view's other
// choices carried along as hidden fields.
func (p *coinPage) customDates() views.CoinCustom {
	s := p.state.unzoomed()
	c := views.CoinCustom{Action: route.CoinURL(s.coinID, nil), Current: s.rng.custom(), Error: p.errs["range"]}
	if p.hasData {
		c.From, c.To = p.span.FirstDay().Format(domain.DayLayout), p.span.LastDay().Format(domain.DayLayout)
	}
	keep := s.query(true)
	keep.Del("range")
	keep.Del("from")
	keep.Del("to")
	for _, k := range slices.Sorted(maps.Keys(keep)) {
		c.Hidden = append(c.Hidden, views.HiddenField{Name: k, Value: keep.Get(k)})
	}
	return c
}

func rangeTitle(days int) string {
	if days == 1 {
		return "The last 24 hours, hour by hour"
	}
	return "The last " + strconv.Itoa(days) + " days, a candle a day"
}

// fillStats writes the stats with what each one means, so a number is never read as
// something else: where a change starts, which hours a high covers, what a volatility is
// computed from.
func (p *coinPage) fillStats(out *views.CoinPageProps, st rangeStats) {
	cur := p.state.currency
	daily := p.gran == domain.Daily
	out.Period = "over " + presetLabel(p.state.rng.preset)
	if p.state.rng.custom() {
		out.Period = "from " + p.state.rng.days.FirstDay().Format(domain.DayLayout) + " to " + p.state.rng.days.LastDay().Format(domain.DayLayout)
	}

	out.Last = views.Stat{ID: "last", Label: "Last price", Value: formatPrice(cur, st.last), Raw: raw(st.last),
		Help: "At the newest stored hour, " + st.lastAt.Format(readableHour) + " UTC."}
	abs, pct := st.change()
	out.Change = views.Stat{ID: "change", Label: "Change " + out.Period, Value: signedPrice(cur, abs) + " (" + formatPercent(pct) + ")",
		Raw: raw(pct), Tone: tone(abs)}
	if daily {
		out.Change.Help = "From the first price in the range, the open of " + st.firstAt.Format(domain.DayLayout) + " (its first stored hour), to the last price."
	} else {
		out.Change.Help = "From the first price in the range, at " + st.firstAt.Format(readableHour) + " UTC, to the last price."
	}

	high := views.Stat{ID: "high", Label: "High", Value: formatPrice(cur, st.high), Raw: raw(st.high)}
	low := views.Stat{ID: "low", Label: "Low", Value: formatPrice(cur, st.low), Raw: raw(st.low)}
	if daily {
		high.Help = "The highest hourly price in the range, on " + st.highAt.Format(domain.DayLayout) + "."
		low.Help = "The lowest hourly price in the range, on " + st.lowAt.Format(domain.DayLayout) + "."
	} else {
		high.Help = "The highest hourly price in the range, at " + st.highAt.Format(readableHour) + " UTC."
		low.Help = "The lowest hourly price in the range, at " + st.lowAt.Format(readableHour) + " UTC."
	}

	vol := views.Stat{ID: "volatility", Label: "Annual volatility"}
	switch {
	case !math.IsNaN(st.volatility):
		vol.Value, vol.Raw = formatPercentPlain(st.volatility), raw(st.volatility)
		vol.Help = "Annualised: the standard deviation of the " + strconv.Itoa(st.returns) + " daily log returns of the closes of complete days, × √365 (crypto trades every day)." + leftOut(st.left)
	case daily:
		vol.Value = "—"
		vol.Help = "Needs at least 2 daily returns (3 complete days); this range has " + strconv.Itoa(st.returns) + "." + leftOut(st.left)
	default:
		vol.Value = "—"
		vol.Help = "Needs at least 2 daily returns; 1D has hours, not days. Choose 1W or longer."
	}

	dd := views.Stat{ID: "drawdown", Label: "Max drawdown", Value: formatPercent(st.drawdown), Raw: raw(st.drawdown)}
	what := "closes of complete days"
	at := func(t time.Time) string { return t.Format(domain.DayLayout) }
	if !daily {
		what = "hourly prices"
		at = func(t time.Time) string { return t.Format(readableHour) + " UTC" }
	}
	switch {
	case math.IsNaN(st.drawdown):
		dd.Value, dd.Raw = "—", ""
		dd.Help = "Needs a complete day; this range has none." + leftOut(st.left)
	case st.drawdown < 0:
		dd.Tone = "down"
		dd.Help = "The largest fall of the " + what + " from their running peak: " + at(st.peakAt) + " to " + at(st.troughAt) + "." + leftOut(st.left)
	default:
		dd.Value = "0.00%"
		dd.Help = "The " + what + " never fell below an earlier peak in this range."
	}

	asOf := "at the newest stored hour, " + st.marketAt.Format(readableHour) + " UTC."
	mcap := views.Stat{ID: "market-cap", Label: "Market cap", Value: "—", Help: "No market cap was reported for the newest stored hour."}
	if st.marketCap != nil {
		mcap.Value, mcap.Raw, mcap.Full = formatCompact(cur, *st.marketCap), raw(*st.marketCap), formatPrice(cur, *st.marketCap)
		mcap.Help = "CoinGecko's market capitalisation " + asOf
	}
	volume := views.Stat{ID: "volume", Label: "24 h volume", Value: "—", Help: "No volume was reported for the newest stored hour."}
	if st.volume != nil {
		volume.Value, volume.Raw, volume.Full = formatCompact(cur, *st.volume), raw(*st.volume), formatPrice(cur, *st.volume)
		volume.Help = "CoinGecko's trading volume over the 24 hours up to the newest stored hour, " + st.marketAt.Format(readableHour) + " UTC."
	}
	out.Stats = []views.Stat{high, low, vol, dd, mcap, volume}
}

// leftOut says which days a statistic over complete days left out.
func leftOut(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return " 1 partial day (today, or the day the stored history starts in) is left out."
	}
	return " " + strconv.Itoa(n) + " partial days (today, or the day the stored history starts in) are left out."
}

// partialNotes flags the incomplete days of the range and counts the complete ones that miss
// some hours. The first day is named when the start of the history cuts it, since the
// range's change starts on it; today is said by "Data through … · today is partial".
func (p *coinPage) partialNotes() []string {
	var notes []string
	gaps := 0
	for i, c := range p.candles {
		hours := strconv.Itoa(c.Samples) + " of 24 hours"
		switch {
		case c.Partial && i == 0 && !domain.UTCDay(p.now).Equal(c.Day):
			notes = append(notes, "The first day, "+c.Day.Format(domain.DayLayout)+", is partial ("+hours+
				"): the stored history starts during it, so the change starts at its first stored hour.")
		case !c.Partial && c.Samples < 24:
			gaps++
		}
	}
	switch gaps {
	case 0:
	case 1:
		notes = append(notes, "1 day in the range misses some hours; it counts as complete, and the table says how many it holds.")
	default:
		notes = append(notes, strconv.Itoa(gaps)+" days in the range miss some hours; they count as complete, and the table says how many each holds.")
	}
	return notes
}

// dailyTable lists the days newest first, the order an analyst reads them in.
func (p *coinPage) dailyTable() views.OHLCTable {
	cur := p.state.currency
	ends := make(map[time.Time]domain.Sample, len(p.ends))
	for _, e := range p.ends {
		ends[domain.UTCDay(e.Time)] = e
	}
	t := views.OHLCTable{Caption: "Daily prices in " + strings.ToUpper(cur) + ", newest first", First: "Day",
		Headers: []string{"Open", "High", "Low", "Close", "vs prior close", "24 h volume", "Market cap"}, Hours: true}
	for i := len(p.candles) - 1; i >= 0; i-- {
		c := p.candles[i]
		change := views.ValueCell{Text: "—"}
		if i > 0 {
			d := analytics.Change(p.candles[i-1].Close, c.Close)
			change = views.ValueCell{Text: formatPercent(d), Tone: tone(d)}
		}
		e := ends[c.Day]
		row := views.OHLCRow{Label: c.Day.Format(domain.DayLayout), Partial: c.Partial, Samples: strconv.Itoa(c.Samples),
			Cells: []views.ValueCell{
				{Text: formatPrice(cur, c.Open)}, {Text: formatPrice(cur, c.High)}, {Text: formatPrice(cur, c.Low)},
				{Text: formatPrice(cur, c.Close)}, change, optCompact(cur, e.TotalVolume), optCompact(cur, e.MarketCap),
			}}
		if c.Samples < 24 {
			row.Samples += " of 24"
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (p *coinPage) hourlyTable() views.OHLCTable {
	cur := p.state.currency
	t := views.OHLCTable{Caption: "Hourly prices in " + strings.ToUpper(cur) + ", newest first", First: "Hour (UTC)",
		Headers: []string{"Price", "vs prior hour", "24 h volume", "Market cap"}}
	for i := len(p.hours) - 1; i >= 0; i-- {
		h := p.hours[i]
		change := views.ValueCell{Text: "—"}
		// Across a missing hour there is no prior hour to compare with.
		if i > 0 && p.hours[i-1].Time.Equal(h.Time.Add(-time.Hour)) {
			d := analytics.Change(p.hours[i-1].Price, h.Price)
			change = views.ValueCell{Text: formatPercent(d), Tone: tone(d)}
		}
		t.Rows = append(t.Rows, views.OHLCRow{Label: h.Time.Format(readableHour), Cells: []views.ValueCell{
			{Text: formatPrice(cur, h.Price)}, change, optCompact(cur, h.TotalVolume), optCompact(cur, h.MarketCap),
		}})
	}
	return t
}

func optCompact(cur string, v *float64) views.ValueCell {
	if v == nil {
		return views.ValueCell{Text: "—"}
	}
	return views.ValueCell{Text: formatCompact(cur, *v), Title: formatPrice(cur, *v)}
}

// raw is a stat at full precision, for data-value: what tests and scrapers compare.
func raw(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func tone(v float64) string {
	switch {
	case v > 0:
		return "up"
	case v < 0:
		return "down"
	}
	return ""
}

// formatPercent writes a fraction as pages write every change: numfmt.Percent with two
// decimals.
func formatPercent(f float64) string { return numfmt.Percent(f, 2) }

// formatPercentPlain writes a fraction that has no direction (a volatility) as "48.20%".
func formatPercentPlain(f float64) string { return strconv.FormatFloat(f*100, 'f', 2, 64) + "%" }

// signedPrice is a price change with its sign: "+$1,234.50", "-$0.0012".
func signedPrice(cur string, v float64) string {
	s := formatPrice(cur, v)
	if v > 0 {
		return "+" + s
	}
	return s
}

// formatCompact writes an amount with three significant figures and a unit: "$1.32T".
func formatCompact(cur string, v float64) string { return numfmt.Compact(cur, currencySymbols, v) }
