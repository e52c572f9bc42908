// Package chart turns price rows and the dashboard's view settings into ECharts options with
// go-echarts. Everything here is a pure function of its inputs, so the options a page embeds
// can be tested without a browser. This package owns the options; static/js/app.js only adds
// what JSON cannot carry (formatter functions, which it builds from Meta) and what depends on
// the chart's width in the browser (the legend and margins of a narrow chart, the number of
// x labels).
package chart

import (
	"cmp"
	"sort"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Mode says whether the chart shows prices or each line's change from its first value.
type Mode string

// The value modes of the chart.
const (
	ModePrice   Mode = "price"
	ModePercent Mode = "pct"
)

// Scale is the value axis's scale.
type Scale string

// The value-axis scales.
const (
	ScaleLinear Scale = "linear"
	ScaleLog    Scale = "log"
)

// Kind is the ECharts series type the chart draws.
type Kind string

// A line needs time on the x axis; without the Date breakdown the groups are bars.
const (
	KindLine Kind = "line"
	KindBar  Kind = "bar"
)

// View is the part of the dashboard state that shapes the chart.
type View struct {
	Breakdown   domain.Breakdown
	Granularity domain.Granularity
	Mode        Mode
	Scale       Scale
	// Symbols maps coin ids to their ticker ("bitcoin" → "btc") for legend names; a coin
	// missing from it is named by its id.
	Symbols map[string]string
	// Currency is the one currency every value is in when only one is selected, so values
	// carry its symbol even when the currency is not in the breakdown.
	Currency string
	// CurrencySymbols maps currency codes to the symbol their values are written with ("usd"
	// → "$"); a currency missing from it is written with its code. The page's table uses the
	// same map, so chart and table agree.
	CurrencySymbols map[string]string
	// HourlyMax is the widest range the dashboard shows hourly: app.js loads hourly prices
	// when a daily chart is zoomed to this span or less.
	HourlyMax time.Duration
}

// Point is one value of a line.
type Point struct {
	Time  time.Time
	Value float64
}

// Line is one group of the breakdown over time. CoinID or CurrencyCode is empty when that
// dimension is not in the breakdown.
type Line struct {
	Name         string
	CoinID       string
	CurrencyCode string
	Points       []Point
}

// Meta tells app.js how to format what the option cannot: the value mode, per drawn line the
// currency whose symbol its values carry ("" when the values mix currencies) and those
// currencies' symbols, and the zoom span that loads hourly prices.
type Meta struct {
	Kind        Kind               `json:"kind"`
	Mode        Mode               `json:"mode"`
	Scale       Scale              `json:"scale"`
	Granularity domain.Granularity `json:"granularity"`
	Currencies  []string           `json:"currencies"`
	Symbols     map[string]string  `json:"symbols"`
	// HourlyMaxMs is View.HourlyMax in milliseconds, the unit of the chart's time axis.
	HourlyMaxMs int64 `json:"hourlyMaxMs"`
}

// newMeta starts the Meta of a chart of kind; Currencies and Symbols are filled per series.
func newMeta(kind Kind, v View) Meta {
	return Meta{Kind: kind, Mode: v.Mode, Scale: v.Scale, Granularity: v.Granularity,
		Currencies: []string{}, Symbols: map[string]string{}, HourlyMaxMs: v.HourlyMax.Milliseconds()}
}

// addCurrency records the currency of the next line, with its symbol when it has one.
func (m *Meta) addCurrency(code string, v View) {
	m.Currencies = append(m.Currencies, code)
	if sym, ok := v.CurrencySymbols[code]; ok {
		m.Symbols[code] = sym
	}
}

// Chart is what a page embeds: the ECharts option and the formatting hints.
type Chart struct {
	Option map[string]any `json:"option"`
	Meta   Meta           `json:"meta"`
}

// Name gives a group's legend name: "BTC / USD", "BTC" or "USD" following the breakdown, and
// "Average" when only the date is broken down, since each point then averages every selection.
func Name(coinID, currencyCode string, v View) string {
	var parts []string
	if v.Breakdown.Coin {
		sym := v.Symbols[coinID]
		if sym == "" {
			sym = coinID
		}
		parts = append(parts, strings.ToUpper(sym))
	}
	if v.Breakdown.Currency {
		parts = append(parts, strings.ToUpper(currencyCode))
	}
	if len(parts) == 0 {
		return "Average"
	}
	return strings.Join(parts, " / ")
}

// Lines groups rows into one line per coin and currency combination of the breakdown, in the
// order the groups first appear, each line's points in time order. In percent mode every
// line is rebased on its own first value.
func Lines(rows []domain.PriceRow, v View) []Line {
	type key struct{ coin, currency string }
	index := map[key]int{}
	var lines []Line
	for _, r := range rows {
		k := key{r.CoinID, r.CurrencyCode}
		i, ok := index[k]
		if !ok {
			i = len(lines)
			index[k] = i
			lines = append(lines, Line{Name: Name(r.CoinID, r.CurrencyCode, v), CoinID: r.CoinID, CurrencyCode: r.CurrencyCode})
		}
		lines[i].Points = append(lines[i].Points, Point{Time: r.Time, Value: r.Price})
	}
	for i := range lines {
		sort.SliceStable(lines[i].Points, func(a, b int) bool { return lines[i].Points[a].Time.Before(lines[i].Points[b].Time) })
		if v.Mode == ModePercent {
			lines[i].Points = PercentChange(lines[i].Points)
		}
	}
	return lines
}

// PercentChange rebases points on the first one: each value becomes its change from the first
// in percent, so coins priced a million times apart share one axis.
func PercentChange(points []Point) []Point {
	out := make([]Point, len(points))
	if len(points) == 0 {
		return out
	}
	base := points[0].Value
	for i, p := range points {
		out[i] = Point{Time: p.Time, Value: (p.Value/base - 1) * 100}
	}
	return out
}

// Build makes the chart for rows: a time-axis line chart when the date is in the breakdown,
// otherwise a bar per group (percent mode needs time, so bars always show prices).
func Build(rows []domain.PriceRow, v View) Chart {
	if !v.Breakdown.Date {
		return buildBar(rows, v)
	}
	lines := Lines(rows, v)
	meta := newMeta(KindLine, v)
	line := charts.NewLine()
	line.SetGlobalOptions(commonOptions(v)...)
	line.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "time", AxisLabel: &opts.AxisLabel{
			HideOverlap: opts.Bool(true),
			// The axis's first label is often a day or two before the first regular one.
			ShowMinLabel: opts.Bool(false),
			// hideOverlap measures a label's box, which includes its padding only when the
			// label has a background: the transparent one makes ECharts hide a label that
			// would touch its neighbour ("Oct 29Nov"), not only one that would cover it.
			BackgroundColor: "rgba(0,0,0,0)",
		}}),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", Start: 0, End: 100, FilterMode: "none"},
			opts.DataZoom{Type: "slider", Start: 0, End: 100, FilterMode: "none"},
		),
	)
	for _, l := range lines {
		data := make([]opts.LineData, len(l.Points))
		for i, p := range l.Points {
			data[i] = opts.LineData{Value: []any{p.Time.UnixMilli(), p.Value}}
		}
		line.AddSeries(l.Name, data, charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(len(l.Points) <= 60), Symbol: "circle"}))
		meta.addCurrency(v.ValueCurrency(l.CurrencyCode), v)
	}
	line.Validate()
	option := finish(line.JSON())
	x := option["xAxis"].([]opts.XAxis)
	option["xAxis"] = []paddedXAxis{{XAxis: x[0], AxisLabel: paddedLabel{AxisLabel: x[0].AxisLabel, Padding: [2]int{0, 5}}}}
	return Chart{Option: option, Meta: meta}
}

func buildBar(rows []domain.PriceRow, v View) Chart {
	v.Mode = ModePrice
	meta := newMeta(KindBar, v)
	names := make([]string, len(rows))
	data := make([]opts.BarData, len(rows))
	sameCurrency := true
	for i, r := range rows {
		names[i] = Name(r.CoinID, r.CurrencyCode, v)
		data[i] = opts.BarData{Value: r.Price}
		if r.CurrencyCode != rows[0].CurrencyCode {
			sameCurrency = false
		}
	}
	// A bar chart is one series; its values carry a symbol only when every bar is in one
	// currency, and per-bar currencies travel as the category's own name otherwise.
	if len(rows) > 0 && sameCurrency {
		meta.addCurrency(v.ValueCurrency(rows[0].CurrencyCode), v)
	} else {
		meta.addCurrency(v.Currency, v)
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(commonOptions(v)...)
	bar.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: rotation(len(rows))}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
	)
	bar.SetXAxis(names).AddSeries("Mean price", data, charts.WithBarChartOpts(opts.BarChart{ColorBy: "data"}))
	bar.Validate()
	return Chart{Option: finish(bar.JSON()), Meta: meta}
}

// finish adds the options go-echarts has no field for: times on the axis and in tooltips are
// UTC like every time in cryptodash, and a tooltip stays inside the chart, where a phone can
// show it.
func finish(option map[string]any) map[string]any {
	option["useUTC"] = true
	option["tooltip"] = confinedTooltip{Tooltip: option["tooltip"].(opts.Tooltip), Confine: true}
	return option
}

type confinedTooltip struct {
	opts.Tooltip
	Confine bool `json:"confine"`
}

// paddedXAxis gives the time axis's labels the padding go-echarts cannot set; the label's
// transparent background makes hideOverlap count it.
type paddedXAxis struct {
	opts.XAxis
	AxisLabel paddedLabel `json:"axisLabel"`
}

type paddedLabel struct {
	*opts.AxisLabel
	Padding [2]int `json:"padding"`
}

func rotation(n int) float64 {
	if n > 6 {
		return 40
	}
	return 0
}

func valueAxis(v View) opts.YAxis {
	y := opts.YAxis{Type: "value", Scale: opts.Bool(true), SplitLine: &opts.SplitLine{Show: opts.Bool(true)}}
	// Percent changes go negative, which a log axis cannot show.
	if v.Scale == ScaleLog && v.Mode != ModePercent {
		y.Type = "log"
	}
	return y
}

func commonOptions(v View) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "cross"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Type: "scroll", Top: "0"}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "32", Top: "40", Bottom: "64", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(valueAxis(v)),
	}
}

// ValueCurrency is the currency of values whose group has currency code: its own, else the
// only one selected, else "" for a mean across currencies.
func (v View) ValueCurrency(code string) string {
	return cmp.Or(code, v.Currency)
}
