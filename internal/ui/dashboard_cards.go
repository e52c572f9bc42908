package ui

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// cards is the first thing the dashboard says: per selected series its last price, its change
// over the range, its high and low, and a sparkline of the line the chart draws for it. The
// change is the line's own: the chart's last value for the series, the table's last row and
// the CSV's, so one screen says one number for it (daily views measure daily averages, and
// the card says so).
func (d *dashboard) cards() []views.SeriesCard {
	lines := map[domain.Series][]domain.PriceRow{}
	for _, g := range d.perSeries {
		lines[domain.Series{CoinID: g.CoinID, CurrencyCode: g.CurrencyCode}] = g.Points
	}
	currencies := make([]domain.Currency, 0, len(d.cat.curOrder))
	for _, code := range d.cat.curOrder {
		currencies = append(currencies, d.cat.currencies[code])
	}
	var out []views.SeriesCard
	for _, s := range d.series {
		coin := d.cat.coins[s.CoinID]
		style := chart.StyleOf(s.CoinID, s.CurrencyCode)
		c := views.SeriesCard{
			Name: strings.ToUpper(coin.Symbol) + " / " + strings.ToUpper(s.CurrencyCode),
			Coin: coin.Name, Light: style.Color.Light, Dark: style.Color.Dark,
			URL: coinPageURL(s, d.state.Range, currencies),
		}
		sum, ok := d.summaries[s]
		line := lines[s]
		if !ok || len(line) == 0 {
			c.Missing = "No prices in this range"
			out = append(out, c)
			continue
		}
		first, last := line[0], line[len(line)-1]
		c.Last = formatPrice(s.CurrencyCode, sum.Last)
		c.Change = formatPercent(last.Change / 100)
		c.ChangeAbs = formatSigned(s.CurrencyCode, last.Price-first.Price)
		c.Up, c.Down = last.Change > 0, last.Change < 0
		c.High, c.Low = formatPrice(s.CurrencyCode, sum.High), formatPrice(s.CurrencyCode, sum.Low)
		if d.gran == domain.Daily {
			c.Basis = "daily avg."
			c.Since = "since " + first.Time.Format(domain.DayLayout)
			c.Title = fmt.Sprintf("Change of the daily average, as the chart and table measure it: from %s (%s) to %s (%s). The last price is %s.",
				first.Time.Format(domain.DayLayout), formatPrice(s.CurrencyCode, first.Price),
				last.Time.Format(domain.DayLayout), formatPrice(s.CurrencyCode, last.Price), c.Last)
		} else {
			c.Since = "since " + first.Time.Format(readableHour) + " UTC"
			c.Title = fmt.Sprintf("Change from the first hour in the range, %s UTC (%s), to the last, %s UTC (%s).",
				first.Time.Format(readableHour), formatPrice(s.CurrencyCode, first.Price),
				last.Time.Format(readableHour), formatPrice(s.CurrencyCode, last.Price))
		}
		c.Spark = sparkline(line, dashArray(style.Dash))
		out = append(out, c)
	}
	return out
}

// coinPageURL links a series to its coin's page, in its currency and over the dashboard's
// range where the coin page offers it. The coin page's own parser reads the choice, so the
// link is that page's canonical URL: a choice that is its default is left out.
func coinPageURL(s domain.Series, r rangeChoice, currencies []domain.Currency) string {
	q := url.Values{"currency": {s.CurrencyCode}}
	if presetDays(r.preset) > 0 {
		q.Set("range", r.preset)
	}
	state, _ := parseCoinState(s.CoinID, q, currencies)
	return state.URL()
}

// sparkline draws a series' values as an SVG polyline in a 100 x 28 box, highest value at the
// top; fewer than two points draw nothing.
func sparkline(points []domain.PriceRow, dash string) views.Sparkline {
	if len(points) < 2 {
		return views.Sparkline{}
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range points {
		lo, hi = min(lo, p.Price), max(hi, p.Price)
	}
	var b strings.Builder
	for i, p := range points {
		x := float64(i) / float64(len(points)-1) * 100
		y := 14.0
		if hi > lo {
			y = 26 - (p.Price-lo)/(hi-lo)*24
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(x, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64))
	}
	return views.Sparkline{Points: b.String(), Dash: dash}
}

// formatSigned writes a price difference with its sign.
func formatSigned(currency string, v float64) string {
	if v > 0 {
		return "+" + formatPrice(currency, v)
	}
	return formatPrice(currency, v)
}
