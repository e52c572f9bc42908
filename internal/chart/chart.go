// Package chart decides what each chart shows, once, as a spec (Dashboard from the
// dashboard's groups, CoinDays and CoinHours from a coin's candles or hours): its series with
// their names, colours and dashes, its panels and their value axes. The spec is then translated
// into an ECharts option with go-echarts (Chart) and projected into the geometry the pages draw
// themselves until ECharts is loaded (Figure), so the two cannot disagree. Everything here is a
// pure function of its inputs, so the options and drawings a page embeds can be tested without
// a browser. This package owns how the charts' numbers read (Meta's AxisFormat, written by
// internal/numfmt here and by its browser twin format.js); the browser only adds what JSON
// cannot carry (formatter functions, built from Meta) and what depends on the browser (the dark
// theme's shades, the layout of a narrow chart, the number of x labels, the panels' places).
package chart

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/jsonnum"
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

// Chart translates the spec into the ECharts option and the Meta the browser formats it
// with. Each value axis carries the spec's ends and step, so ECharts draws the ticks the
// server's drawing shows.
func (s Spec) Chart() Chart {
	if s.Kind == KindBar {
		return s.barChart()
	}
	v := s.View
	meta := v.newMeta(KindLine)
	meta.Panels = len(s.Panels)
	meta.Axes = s.formats()

	line := charts.NewLine()
	line.SetGlobalOptions(commonOptions()...)
	axes := make([]int, len(s.Panels))
	for i := range s.Panels {
		axes[i] = i
		if i == 0 {
			line.SetGlobalOptions(charts.WithXAxisOpts(xAxis(i, len(s.Panels))))
			continue
		}
		line.ExtendXAxis(xAxis(i, len(s.Panels)))
	}
	zoomAxes := any(axes)
	line.SetGlobalOptions(charts.WithDataZoomOpts(
		opts.DataZoom{Type: "inside", Start: 0, End: 100, FilterMode: "none", XAxisIndex: zoomAxes},
		opts.DataZoom{Type: "slider", Start: 0, End: 100, FilterMode: "none", XAxisIndex: zoomAxes},
	))
	grids := make([]opts.Grid, len(s.Panels))
	for i := range grids {
		// app.js places the panels; one panel fills the chart.
		grids[i] = opts.Grid{Left: "8", Right: "32", Top: "24", Bottom: "64", ContainLabel: opts.Bool(true)}
	}
	line.SetGlobalOptions(charts.WithGridOpts(grids...))

	var dashes [][]int
	for _, se := range s.Series {
		line.AddSeries(se.Name, nil,
			// A symbol on every point of a long line hides the line; a line of one or two
			// points needs them to be seen at all.
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(se.Marked), Symbol: "circle",
				XAxisIndex: se.Panel, YAxisIndex: se.Panel}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: se.Style.Color.Light, Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: se.Style.Color.Light}),
		)
		dashes = append(dashes, se.Style.Dash)
		meta.Dark = append(meta.Dark, se.Style.Color.Dark)
		meta.addCurrency(se.Currency, v)
	}
	line.Validate()
	option := finish(line.JSON())
	if series, ok := option["series"].(charts.MultiSeries); ok {
		for i, se := range s.Series {
			series[i].Data = linePoints{times: se.Times, values: se.Values}
		}
	}
	withDashes(option, dashes)
	for i, x := range option["xAxis"].([]paddedXAxis) {
		x.AxisLabel.Formatter = timeLabels(v.Granularity)
		option["xAxis"].([]paddedXAxis)[i] = x
	}
	ys := make([]pinnedYAxis, len(s.Panels))
	for i, p := range s.Panels {
		ys[i] = p.Axis.option(opts.YAxis{SplitLine: &opts.SplitLine{Show: opts.Bool(true)},
			Name: strings.ToUpper(p.Currency), GridIndex: i})
	}
	option["yAxis"] = ys
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

func (s Spec) barChart() Chart {
	v := s.View
	meta := v.newMeta(KindBar)
	meta.Panels = 1
	meta.Axes = s.formats()
	var names []string
	var data []opts.BarData
	var currencies []string
	for _, se := range s.Series {
		names = append(names, se.Name)
		data = append(data, opts.BarData{Value: se.Values[0], ItemStyle: &opts.ItemStyle{Color: se.Style.Color.Light}})
		meta.Dark = append(meta.Dark, se.Style.Color.Dark)
		currencies = append(currencies, se.Currency)
	}
	// A bar chart is one series; its values carry a symbol only when every bar is in one
	// currency, and per-bar currencies travel as the category's own name otherwise.
	meta.addCurrency(sharedCode(currencies), v)
	bar := charts.NewBar()
	bar.SetGlobalOptions(commonOptions()...)
	bar.SetGlobalOptions(
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", Rotate: rotation(len(names))}}),
		charts.WithGridOpts(opts.Grid{Left: "8", Right: "32", Top: "24", Bottom: "16", ContainLabel: opts.Bool(true)}),
	)
	label := "Mean price"
	if v.Mode == ModePercent {
		label = "Change"
	}
	bar.SetXAxis(names).AddSeries(label, data)
	bar.Validate()
	option := finish(bar.JSON())
	option["yAxis"] = []pinnedYAxis{s.Panels[0].Axis.option(opts.YAxis{SplitLine: &opts.SplitLine{Show: opts.Bool(true)}})}
	return Chart{Option: option, Meta: meta}
}

// pinnedYAxis is a value axis with the step between its ticks, which go-echarts has no field
// for.
type pinnedYAxis struct {
	opts.YAxis
	Interval float64 `json:"interval,omitempty"`
}

// option is the ECharts value axis y with the axis's type, ends and (on a linear axis) step.
// A log axis's ticks are its powers of ten, which ECharts picks alike when given the ends.
func (a ValueAxis) option(y opts.YAxis) pinnedYAxis {
	if a.log {
		y.Type, y.Min, y.Max = "log", math.Pow(10, a.lo), math.Pow(10, a.hi)
		return pinnedYAxis{YAxis: y}
	}
	y.Type, y.Min, y.Max = "value", a.lo, a.hi
	return pinnedYAxis{YAxis: y, Interval: a.interval}
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

// linePoints is a line's data as go-echarts' opts.LineData writes it, {"value":[ms,value]}
// a point, written straight from the spec's times and values: a point built as LineData
// boxed both numbers in a []any of its own, which encoding/json then walked by reflection,
// a large part of the cost of a dashboard nobody asked for before.
type linePoints struct {
	times  []time.Time
	values []float64
}

// MarshalJSON writes the points with the numbers encoding/json writes for the same values.
func (p linePoints) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 48*len(p.values)+2)
	b = append(b, '[')
	for i, v := range p.values {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"value":[`...)
		b = strconv.AppendInt(b, p.times[i].UnixMilli(), 10)
		b = append(b, ',')
		var err error
		if b, err = jsonnum.AppendFloat(b, v); err != nil {
			return nil, err
		}
		b = append(b, "]}"...)
	}
	return append(b, ']'), nil
}
