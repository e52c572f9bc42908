package chart

import (
	"math"
	"time"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// KindCoin is the Meta kind of a coin page's chart: three panels (price, volume, market cap)
// on one shared axis of days or hours, formatted by its own block of app.js.
const KindCoin Kind = "coin"

// The steps of a coin chart's axis: one candle a day, or one price an hour.
const (
	StepDay  = "day"
	StepHour = "hour"
)

// The series ids of a coin chart, which are also the roles of CoinMeta.Colors: app.js colours
// each series with its role's shade for the theme.
const (
	roleCandles  = "candles"
	rolePrice    = "price"
	roleVolume   = "volume"
	roleCap      = "cap"
	roleUp       = "up"
	roleDown     = "down"
	roleDownPart = "downPartial"
)

// Up and down candles keep 3:1 against both themes' backgrounds (green 700 and red 600 on
// white, their 400 shades on the dark card), and differ without colour too: a rising day is
// hollow, a falling one filled. A partial day keeps its outline's colour (and so its contrast)
// but draws it dashed, and a falling one is only tinted.
var (
	upColor       = Color{"#15803d", "#4ade80"}
	downColor     = red
	downPartColor = Color{"rgba(220,38,38,0.25)", "rgba(248,113,113,0.25)"}
	// volumeColor is neutral: volume is not a direction, and the candles above carry that.
	volumeColor = slate
)

// earlyOpacity dims the volume bar of a day whose last stored hour is before 23:00 (today,
// mostly): its rolling 24-hour figure is read earlier than its neighbours'. A day that only
// misses an hour in its middle is read at 23:00 like the rest.
const earlyOpacity = 0.45

// CoinView is what a coin chart needs besides its data.
type CoinView struct {
	CoinID   string
	Currency string
	// CurrencySymbols maps currency codes to their symbols, as View's does.
	CurrencySymbols map[string]string
	// Scale is the price panel's: a log axis shows a year's moves of a coin that rose tenfold
	// as moves of the same size. Volume and market cap stay linear.
	Scale Scale
}

// CoinMeta tells app.js how to format and colour a coin chart.
type CoinMeta struct {
	Kind Kind `json:"kind"`
	// Step is StepDay (candles) or StepHour (a line of hourly prices).
	Step     string `json:"step"`
	Currency string `json:"currency"`
	// Symbols holds the currency's symbol when it has one, as Meta's does.
	Symbols map[string]string `json:"symbols"`
	// Colors are the shades of each role (a series id, "up", "down", "downPartial") in the
	// light and dark themes; the option carries the light ones.
	Colors map[string]Color `json:"colors"`
	// Samples is the number of stored hours of each day and Partial whether it is
	// incomplete, for the tooltip's note ("23 of 24 hours", "Partial day: 13 of 24 hours").
	Samples []int  `json:"samples,omitempty"`
	Partial []bool `json:"partial,omitempty"`
	// Ends is the hour ("23:00") each day's volume and market cap were read at: its last
	// stored hour.
	Ends []string `json:"ends,omitempty"`
	// Axes is the format of the price, volume and market cap axes, the one the server's
	// drawing uses.
	Axes []AxisFormat `json:"axes"`
}

// CoinChart is what a coin page embeds: the option and the hints app.js formats it with.
type CoinChart struct {
	Option map[string]any `json:"option"`
	Meta   CoinMeta       `json:"meta"`
}

// candleItem is one day of the candlestick series in ECharts' order: open, close, low, high.
type candleItem struct {
	Value     [4]float64  `json:"value"`
	ItemStyle *partialDay `json:"itemStyle,omitempty"`
}

// partialDay is the style of a partial day's candle or volume bar, which go-echarts' data
// items cannot carry.
type partialDay struct {
	BorderType string  `json:"borderType,omitempty"`
	Color0     string  `json:"color0,omitempty"`
	Opacity    float64 `json:"opacity,omitempty"`
}

// barItem is one volume bar; Value is nil (drawn as a gap) when the source sent no volume.
type barItem struct {
	Value     *float64    `json:"value"`
	ItemStyle *partialDay `json:"itemStyle,omitempty"`
}

// Chart translates the spec into the ECharts option and the CoinMeta the browser formats it
// with. The option leaves the value axes' ends to ECharts, which refits them to the days or
// hours a zoom shows, but splits them as the spec does.
func (s CoinSpec) Chart() CoinChart {
	v := s.View
	labels := make([]string, len(s.Times))
	volumes := make([]barItem, len(s.Markets))
	caps := make([]opts.LineData, len(s.Markets))
	for i, m := range s.Markets {
		volumes[i] = barItem{Value: m.TotalVolume}
		if s.Early[i] {
			volumes[i].ItemStyle = &partialDay{Opacity: earlyOpacity}
		}
		caps[i] = lineValue(m.MarketCap)
	}
	meta := v.meta(s.Step)
	meta.Colors = s.Colors
	meta.Axes = s.formats()
	if s.Step == StepHour {
		prices := make([]opts.LineData, len(s.Prices))
		for i, p := range s.Prices {
			labels[i] = s.Times[i].UTC().Format(readableHour)
			prices[i] = opts.LineData{Value: p}
			if math.IsNaN(p) {
				prices[i] = lineValue(nil)
			}
		}
		coin := s.Colors[rolePrice]
		line := charts.NewLine()
		panels(&line.RectChart, labels, v.Scale)
		line.SetXAxis(labels)
		line.AddSeries("Price", prices,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false), Symbol: "none"}),
			charts.WithLineStyleOpts(opts.LineStyle{Color: coin.Light, Width: 2}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: coin.Light}),
			charts.WithAreaStyleOpts(opts.AreaStyle{Color: coin.Light, Opacity: opts.Float(0.08)}))
		line.MultiSeries[0].Id = rolePrice
		line.Overlap(volumeBars(volumes), capLine(caps, s.Colors[roleCap]))
		line.Validate()
		return CoinChart{Option: finishCoin(line.JSON()), Meta: meta}
	}
	items := make([]candleItem, len(s.Candles))
	for i, c := range s.Candles {
		labels[i] = c.Day.Format(domain.DayLayout)
		items[i] = candleItem{Value: [4]float64{c.Open, c.Close, c.Low, c.High}}
		meta.Samples = append(meta.Samples, c.Samples)
		meta.Partial = append(meta.Partial, c.Partial)
		meta.Ends = append(meta.Ends, "")
		if end := s.Markets[i]; !end.Time.IsZero() {
			meta.Ends[i] = end.Time.Format("15:04")
		}
		if c.Partial {
			items[i].ItemStyle = &partialDay{BorderType: "dashed"}
			if c.Close < c.Open {
				items[i].ItemStyle.Color0 = downPartColor.Light
			}
		}
	}
	k := charts.NewKLine()
	panels(&k.RectChart, labels, v.Scale)
	k.SetXAxis(labels)
	k.AddSeries("Price", nil, charts.WithItemStyleOpts(opts.ItemStyle{
		Color: "transparent", BorderColor: upColor.Light, Color0: downColor.Light, BorderColor0: downColor.Light,
	}), charts.WithKlineChartOpts(opts.KlineChart{BarMaxWidth: "16"}))
	k.MultiSeries[0].Data = items
	k.MultiSeries[0].Id = roleCandles
	k.Overlap(volumeBars(volumes), capLine(caps, s.Colors[roleCap]))
	k.Validate()
	return CoinChart{Option: finishCoin(k.JSON()), Meta: meta}
}

// hourGrid places stored hours (oldest first) on every hour from the first to the last, a
// missing one as a sample with a NaN price and no volume or market cap, so a chart's axis
// spaces hours by time and its line breaks at a gap instead of bridging it.
func hourGrid(hours []domain.Sample) []domain.Sample {
	if len(hours) < 2 {
		return hours
	}
	first, last := hours[0].Time, hours[len(hours)-1].Time
	out := make([]domain.Sample, 0, int(last.Sub(first)/time.Hour)+1)
	i := 0
	for t := first; !t.After(last); t = t.Add(time.Hour) {
		if i < len(hours) && hours[i].Time.Equal(t) {
			out = append(out, hours[i])
			i++
			continue
		}
		out = append(out, domain.Sample{Time: t, Price: math.NaN()})
	}
	return out
}

// readableHour labels an hour on the axis as the page's tables write it.
const readableHour = "2006-01-02 15:04"

// colors are the shades of each role of the coin's chart.
func (v CoinView) colors() map[string]Color {
	return map[string]Color{
		rolePrice: CoinColor(v.CoinID), roleCap: CoinColor(v.CoinID), roleVolume: volumeColor,
		roleUp: upColor, roleDown: downColor, roleDownPart: downPartColor,
	}
}

func (v CoinView) meta(step string) CoinMeta {
	m := CoinMeta{Kind: KindCoin, Step: step, Currency: v.Currency, Symbols: map[string]string{}}
	if sym, ok := v.CurrencySymbols[v.Currency]; ok {
		m.Symbols[v.Currency] = sym
	}
	return m
}

func lineValue(v *float64) opts.LineData {
	if v == nil {
		// ECharts' mark of a missing value: the line breaks there instead of dropping to 0.
		return opts.LineData{Value: "-"}
	}
	return opts.LineData{Value: *v}
}

func volumeBars(volumes []barItem) *charts.Bar {
	bar := charts.NewBar()
	bar.AddSeries("24 h volume", nil,
		charts.WithBarChartOpts(opts.BarChart{XAxisIndex: 1, YAxisIndex: 1}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: volumeColor.Light}))
	bar.MultiSeries[0].Data = volumes
	bar.MultiSeries[0].BarMaxWidth = "16"
	bar.MultiSeries[0].Id = roleVolume
	return bar
}

func capLine(caps []opts.LineData, coin Color) *charts.Line {
	line := charts.NewLine()
	line.AddSeries("Market cap", caps,
		charts.WithLineChartOpts(opts.LineChart{XAxisIndex: 2, YAxisIndex: 2, ShowSymbol: opts.Bool(false), Symbol: "none"}),
		charts.WithLineStyleOpts(opts.LineStyle{Color: coin.Light, Width: 1.5}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: coin.Light}))
	line.MultiSeries[0].Id = roleCap
	return line
}

// The three panels share the chart's width: prices on top, then volume, then market cap, the
// slider at the bottom. Their heights are fixed in pixels from the bottom, so the price panel
// takes whatever height the page gives the chart. The value labels sit on the right, where a
// trader looks for the last price, in a fixed margin rather than containLabel, which would
// size each panel's margin to its own labels and misalign the three time axes.
var coinGrids = []opts.Grid{
	{Left: "24", Right: "72", Top: "28", Bottom: "222"},
	{Left: "24", Right: "72", Height: "58", Bottom: "140"},
	{Left: "24", Right: "72", Height: "52", Bottom: "62"},
}

// panels sets the grids, axes, zoom and tooltip every coin chart shares.
func panels(c *charts.RectChart, categories []string, scale Scale) {
	price := opts.YAxis{Type: "value", Scale: opts.Bool(true), Position: "right", Name: "Price",
		SplitNumber: coinPriceSplits, SplitLine: &opts.SplitLine{Show: opts.Bool(true)}, AxisLabel: &opts.AxisLabel{}}
	if scale == ScaleLog {
		price.Type, price.Name = "log", "Price (log)"
	}
	c.SetGlobalOptions(
		charts.WithInitializationOpts(opts.Initialization{BackgroundColor: "transparent"}),
		charts.WithAnimation(false),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis", AxisPointer: &opts.AxisPointer{Type: "cross"}}),
		charts.WithGridOpts(coinGrids...),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", Start: 0, End: 100, XAxisIndex: []int{0, 1, 2}},
			opts.DataZoom{Type: "slider", Start: 0, End: 100, XAxisIndex: []int{0, 1, 2}},
		),
		charts.WithXAxisOpts(categoryAxis(0, categories)),
		charts.WithYAxisOpts(price),
	)
	c.ExtendXAxis(categoryAxis(1, categories), categoryAxis(2, categories))
	// Volume starts at zero, so bar heights compare; both stay linear (a bar on a log axis
	// hangs from 1 and reads as a negative number below it). Market cap moves with the price,
	// so its axis fits the range like the price's.
	c.ExtendYAxis(
		opts.YAxis{Type: "value", GridIndex: 1, Position: "right", Name: "24 h volume", Min: 0, SplitNumber: coinThinSplits,
			SplitLine: &opts.SplitLine{Show: opts.Bool(false)}, AxisLabel: &opts.AxisLabel{FontSize: 10}},
		// The bottom of a fitted axis means nothing, and its label would crowd the thin panel.
		opts.YAxis{Type: "value", GridIndex: 2, Position: "right", Name: "Market cap", Scale: opts.Bool(true), SplitNumber: coinThinSplits,
			SplitLine: &opts.SplitLine{Show: opts.Bool(false)}, AxisLabel: &opts.AxisLabel{FontSize: 10, ShowMinLabel: opts.Bool(false)}},
	)
}

// categoryAxis is the time axis of panel i. Days and hours are categories rather than times:
// a candle's or a bar's width then follows the number shown, and each sits in its own band,
// clear of the panel's edges. Only the bottom panel labels its axis.
func categoryAxis(i int, categories []string) opts.XAxis {
	return opts.XAxis{Type: "category", GridIndex: i, Data: categories,
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(i == 2), HideOverlap: opts.Bool(true)},
		AxisTick:  &opts.AxisTick{Show: opts.Bool(i == 2)},
		// The pointer's date label shows once, under the bottom panel.
		AxisPointer: &opts.AxisPointer{Label: &opts.Label{Show: opts.Bool(i == 2)}},
		SplitLine:   &opts.SplitLine{Show: opts.Bool(false)},
	}
}

// finishCoin adds what go-echarts has no field for: one pointer across the three panels, the
// axis names placed above each panel's labels, and no title, legend or toolbox, which the
// chart does not use (so the trimmed ECharts build needs none of them).
func finishCoin(option map[string]any) map[string]any {
	option = finish(option)
	delete(option, "title")
	delete(option, "legend")
	delete(option, "toolbox")
	// Every series has its colours; the default palette would only be noise.
	delete(option, "color")
	option["axisPointer"] = map[string]any{"link": []map[string]any{{"xAxisIndex": "all"}}}
	ys := option["yAxis"].([]opts.YAxis)
	named := make([]namedYAxis, len(ys))
	for i, y := range ys {
		y.NameLocation, y.NameGap = "end", 8
		named[i] = namedYAxis{YAxis: y, NameTextStyle: map[string]any{"align": "right", "fontSize": 11}}
	}
	option["yAxis"] = named
	return option
}

// namedYAxis sets the style of an axis's name, which go-echarts cannot.
type namedYAxis struct {
	opts.YAxis
	NameTextStyle map[string]any `json:"nameTextStyle"`
}
