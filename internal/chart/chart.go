// Package chart turns the dashboard's groups (domain.Aggregate) and view settings into ECharts
// options with go-echarts, and into the same chart as geometry (Draw, DrawCandles, DrawHours)
// that the pages draw themselves until ECharts is loaded. Everything here is a pure function
// of its inputs, so the options and drawings a page embeds can be tested without a browser.
// This package owns the options and how their numbers read (Meta's AxisFormat, written by
// internal/numfmt here and by its browser twin format.js); the browser only adds what JSON
// cannot carry (formatter functions, built from Meta) and what depends on the browser (the dark
// theme's shades, the layout of a narrow chart, the number of x labels, the panels' places).
package chart

import (
	"cmp"
	"slices"
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

// MaxLines is the most lines one plot holds before they are split into panels, one per
// currency: beyond about a dozen, lines of one plot cannot be told apart.
const MaxLines = 12

// View is the part of the dashboard state that shapes the chart.
type View struct {
	// Breakdown is the breakdown the groups were made with.
	Breakdown   domain.Breakdown
	Granularity domain.Granularity
	Mode        Mode
	Scale       Scale
	// Symbols maps coin ids to their ticker ("bitcoin" → "btc") for line names; a coin
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

// Meta tells app.js what the option cannot say: the value mode, per drawn line (or bar) the
// currency whose symbol its values carry ("" when none does) and its shade for the dark theme,
// those currencies' symbols, the zoom span that loads hourly prices, and the panels.
type Meta struct {
	Kind        Kind               `json:"kind"`
	Mode        Mode               `json:"mode"`
	Scale       Scale              `json:"scale"`
	Granularity domain.Granularity `json:"granularity"`
	Currencies  []string           `json:"currencies"`
	Symbols     map[string]string  `json:"symbols"`
	// Dark is each line's (or bar's) colour on the dark theme, where Light is in the option.
	Dark []string `json:"dark"`
	// HourlyMaxMs is View.HourlyMax in milliseconds, the unit of the chart's time axis.
	HourlyMaxMs int64 `json:"hourlyMaxMs"`
	// Panels is how many stacked plots the option has (one per currency when lines are
	// many); app.js places their grids for the chart's width.
	Panels int `json:"panels"`
	// Axes is the format of each panel's value axis, the one the server's drawing uses.
	Axes []AxisFormat `json:"axes"`
}

// Chart is what a page embeds: the ECharts option and the formatting hints.
type Chart struct {
	Option map[string]any `json:"option"`
	Meta   Meta           `json:"meta"`
}

// Name gives a group's name: "BTC / USD", "BTC" or "USD" following the breakdown, and
// "Average" when only the date is broken down, since each point then averages every selection.
func Name(coinID, currencyCode string, v View) string {
	var parts []string
	if v.Breakdown.Coin {
		parts = append(parts, strings.ToUpper(cmp.Or(v.Symbols[coinID], coinID)))
	}
	if v.Breakdown.Currency {
		parts = append(parts, strings.ToUpper(currencyCode))
	}
	if len(parts) == 0 {
		return "Average"
	}
	return strings.Join(parts, " / ")
}

// Style is how a group is drawn in every view: its colour and its dash.
type Style struct {
	Color Color
	Dash  []int
}

// StyleOf gives a group its colours: a coin's line is the coin's colour with its currency's
// dash, so a series looks the same in every view; a currency's line (coins averaged) is the
// currency's colour; the one average line is neutral.
func StyleOf(coinID, currencyCode string) Style {
	switch {
	case coinID != "":
		return Style{Color: CoinColor(coinID), Dash: Dash(currencyCode)}
	case currencyCode != "":
		return Style{Color: CurrencyColor(currencyCode), Dash: Dash(currencyCode)}
	}
	return Style{Color: AverageColor}
}

// value is what a group's point shows in the view's mode.
func (v View) value(r domain.PriceRow) float64 {
	if v.Mode == ModePercent {
		// The axis and the tooltips are in percent units: this is where a change is formatted.
		return r.Change * 100
	}
	return r.Price
}

// ValueCurrency is the currency of values whose group has currency code: its own, else the
// only one selected, else "" for a change in percent, which has no currency.
func (v View) ValueCurrency(code string) string {
	if v.Mode == ModePercent {
		return ""
	}
	return cmp.Or(code, v.Currency)
}

// Build makes the chart of groups: a time-axis line per group when the date is in the
// breakdown, split into one panel per currency when the lines are more than MaxLines;
// otherwise a bar per group.
func Build(groups []domain.Group, v View) Chart {
	if !v.Breakdown.Date {
		return buildBar(groups, v)
	}
	meta := v.newMeta(KindLine)
	panelOf, panels := v.panels(groups)
	meta.Panels = len(panels)
	meta.Axes = v.axisFormats(groups)

	line := charts.NewLine()
	line.SetGlobalOptions(commonOptions()...)
	axes := make([]int, len(panels))
	for i := range panels {
		axes[i] = i
		if i == 0 {
			line.SetGlobalOptions(charts.WithXAxisOpts(xAxis(i, len(panels))), charts.WithYAxisOpts(v.valueAxis(i, panels[i])))
			continue
		}
		line.ExtendXAxis(xAxis(i, len(panels)))
		line.ExtendYAxis(v.valueAxis(i, panels[i]))
	}
	zoomAxes := any(axes)
	line.SetGlobalOptions(charts.WithDataZoomOpts(
		opts.DataZoom{Type: "inside", Start: 0, End: 100, FilterMode: "none", XAxisIndex: zoomAxes},
		opts.DataZoom{Type: "slider", Start: 0, End: 100, FilterMode: "none", XAxisIndex: zoomAxes},
	))
	grids := make([]opts.Grid, len(panels))
	for i := range grids {
		// app.js places the panels; one panel fills the chart.
		grids[i] = opts.Grid{Left: "8", Right: "32", Top: "24", Bottom: "64", ContainLabel: opts.Bool(true)}
	}
	line.SetGlobalOptions(charts.WithGridOpts(grids...))

	var dashes [][]int
	for _, g := range groups {
		if len(g.Points) == 0 {
			continue
		}
		data := make([]opts.LineData, len(g.Points))
		for i, p := range g.Points {
			data[i] = opts.LineData{Value: []any{p.Time.UnixMilli(), v.value(p)}}
		}
		style := StyleOf(g.CoinID, g.CurrencyCode)
		panel := panelOf[g.CurrencyCode]
		line.AddSeries(Name(g.CoinID, g.CurrencyCode, v), data,
			// A symbol on every point of a long line hides the line; a line of one or two
			// points needs them to be seen at all.
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(len(g.Points) <= 2), Symbol: "circle",
				XAxisIndex: panel, YAxisIndex: panel}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: style.Color.Light, Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: style.Color.Light}),
		)
		dashes = append(dashes, style.Dash)
		meta.Dark = append(meta.Dark, style.Color.Dark)
		meta.addCurrency(v.ValueCurrency(g.CurrencyCode), v)
	}
	line.Validate()
	option := finish(line.JSON())
	withDashes(option, dashes)
	for i, x := range option["xAxis"].([]paddedXAxis) {
		x.AxisLabel.Formatter = timeLabels(v.Granularity)
		option["xAxis"].([]paddedXAxis)[i] = x
	}
	return Chart{Option: option, Meta: meta}
}

// panels decides whether lines share one plot or get one per currency, and gives each
// currency its panel's index.
func (v View) panels(groups []domain.Group) (map[string]int, []string) {
	if len(groups) <= MaxLines || !v.Breakdown.Coin || !v.Breakdown.Currency {
		return map[string]int{}, []string{""}
	}
	var codes []string
	for _, g := range groups {
		if !slices.Contains(codes, g.CurrencyCode) {
			codes = append(codes, g.CurrencyCode)
		}
	}
	slices.Sort(codes)
	index := make(map[string]int, len(codes))
	for i, c := range codes {
		index[c] = i
	}
	return index, codes
}

func buildBar(groups []domain.Group, v View) Chart {
	meta := v.newMeta(KindBar)
	meta.Panels = 1
	meta.Axes = v.axisFormats(groups)
	var names []string
	var data []opts.BarData
	sameCurrency := true
	for _, g := range groups {
		if len(g.Points) == 0 {
			continue
		}
		style := StyleOf(g.CoinID, g.CurrencyCode)
		names = append(names, Name(g.CoinID, g.CurrencyCode, v))
		data = append(data, opts.BarData{Value: v.value(g.Points[0]), ItemStyle: &opts.ItemStyle{Color: style.Color.Light}})
		meta.Dark = append(meta.Dark, style.Color.Dark)
		if g.CurrencyCode != groups[0].CurrencyCode {
			sameCurrency = false
		}
	}
	// A bar chart is one series; its values carry a symbol only when every bar is in one
	// currency, and per-bar currencies travel as the category's own name otherwise.
	if len(groups) > 0 && sameCurrency {
		meta.addCurrency(v.ValueCurrency(groups[0].CurrencyCode), v)
	} else {
		meta.addCurrency(v.ValueCurrency(""), v)
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(commonOptions()...)
	bar.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: rotation(len(names))}}),
		// Bars stand on zero: on a log axis there is no zero, and a bar below 1 would hang
		// down like a loss.
		charts.WithYAxisOpts(opts.YAxis{Type: "value", SplitLine: &opts.SplitLine{Show: opts.Bool(true)}}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "32", Top: "24", Bottom: "16", ContainLabel: opts.Bool(true)}),
	)
	label := "Mean price"
	if v.Mode == ModePercent {
		label = "Change"
	}
	bar.SetXAxis(names).AddSeries(label, data)
	bar.Validate()
	return Chart{Option: finish(bar.JSON()), Meta: meta}
}

func rotation(n int) float64 {
	if n > 6 {
		return 40
	}
	return 0
}

// xAxis is panel i's time axis; only the bottom panel labels its times.
func xAxis(i, panels int) opts.XAxis {
	label := &opts.AxisLabel{
		HideOverlap: opts.Bool(true),
		// The axis's first label is often a day or two before the first regular one.
		ShowMinLabel: opts.Bool(false),
		// hideOverlap measures a label's box, which includes its padding only when the
		// label has a background: the transparent one makes ECharts hide a label that
		// would touch its neighbour ("Oct 29Nov"), not only one that would cover it.
		BackgroundColor: "rgba(0,0,0,0)",
	}
	if i < panels-1 {
		label.Show = opts.Bool(false)
	}
	return opts.XAxis{Type: "time", GridIndex: i, AxisLabel: label}
}

// valueAxis is panel i's value axis; a panel of one currency names it.
func (v View) valueAxis(i int, currency string) opts.YAxis {
	y := opts.YAxis{Type: "value", Scale: opts.Bool(true), SplitLine: &opts.SplitLine{Show: opts.Bool(true)},
		Name: strings.ToUpper(currency), GridIndex: i}
	// Changes go negative, which a log axis cannot show.
	if v.Scale == ScaleLog && v.Mode == ModePrice {
		y.Type = "log"
	}
	return y
}

func commonOptions() []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "cross"}}),
		// The page lists the lines with their colours and dashes beside the chart, where a
		// legend drawn on the canvas would eat a phone's plot.
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
	}
}

func (v View) newMeta(kind Kind) Meta {
	mode := v.Mode
	if mode == "" {
		mode = ModePrice
	}
	return Meta{Kind: kind, Mode: mode, Scale: v.Scale, Granularity: v.Granularity,
		Currencies: []string{}, Symbols: map[string]string{}, Dark: []string{}, HourlyMaxMs: v.HourlyMax.Milliseconds()}
}

// addCurrency records the currency of the next line, with its symbol when it has one.
func (m *Meta) addCurrency(code string, v View) {
	m.Currencies = append(m.Currencies, code)
	if sym, ok := v.CurrencySymbols[code]; ok {
		m.Symbols[code] = sym
	}
}

// finish adds the options go-echarts has no field for: times on the axis and in tooltips are
// UTC like every time in cryptodash; a tooltip stays inside the chart, where a phone can show
// it, and lists the highest value first.
func finish(option map[string]any) map[string]any {
	option["useUTC"] = true
	option["tooltip"] = tooltip{Tooltip: option["tooltip"].(opts.Tooltip), Confine: true, Order: "valueDesc", ClassName: "chart-tip-box"}
	if x, ok := option["xAxis"].([]opts.XAxis); ok {
		padded := make([]paddedXAxis, len(x))
		for i, a := range x {
			padded[i] = paddedXAxis{XAxis: a, AxisLabel: paddedLabel{AxisLabel: a.AxisLabel, Padding: [2]int{0, 5}}}
		}
		option["xAxis"] = padded
	}
	return option
}

type tooltip struct {
	opts.Tooltip
	Confine bool   `json:"confine"`
	Order   string `json:"order"`
	// ClassName is the tooltip box's class, which app.css styles with the content the
	// browser builds (tooltip.js).
	ClassName string `json:"className"`
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
	// Formatter is ECharts' templates for a time axis's labels by the level of the tick,
	// which go-echarts can only write as one string.
	Formatter map[string]string `json:"formatter,omitempty"`
}

// timeLabels writes a time axis's ticks: an hourly axis names its midnights' days and its
// other ticks' hours, a daily one its days, the first of a month its month and of a year its
// year; every time is UTC (option useUTC).
func timeLabels(g domain.Granularity) map[string]string {
	if g == domain.Hourly {
		return map[string]string{"day": "{MMM} {d}", "hour": "{HH}:{mm}", "minute": "{HH}:{mm}"}
	}
	return map[string]string{"year": "{yyyy}", "month": "{MMM}", "day": "{MMM} {d}"}
}

// withDashes gives each line its dash pattern, which go-echarts can only write as a name
// ("dashed") where ECharts also takes the on-off lengths.
func withDashes(option map[string]any, dashes [][]int) {
	series, ok := option["series"].(charts.MultiSeries)
	if !ok {
		return
	}
	out := make([]dashedSeries, len(series))
	for i, s := range series {
		out[i] = dashedSeries{SingleSeries: s, LineStyle: dashedStyle{LineStyle: s.LineStyle}}
		if i < len(dashes) && dashes[i] != nil {
			out[i].LineStyle.Type = dashes[i]
		}
	}
	option["series"] = out
}

type dashedSeries struct {
	charts.SingleSeries
	LineStyle dashedStyle `json:"lineStyle"`
}

type dashedStyle struct {
	*opts.LineStyle
	Type []int `json:"type,omitempty"`
}
