package chart

import (
	"math"
	"strings"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// Size is the side of the square each plot of a Figure is drawn in. The page stretches the
// square to the chart's box (preserveAspectRatio="none"): a phone's chart is neither as wide
// nor as high as a desktop's, and the server cannot know either. Lines keep their width with
// vector-effect: non-scaling-stroke, and the labels are HTML placed by fractions of Size,
// since text inside a stretched SVG would stretch with it.
const Size = 1000.0

// Figure is the chart the page shows before ECharts is loaded, and the chart itself without
// JavaScript: the same lines (or bars), colours, axes and panels as Build's option, as
// geometry. Draw makes it from the same groups and view as Build.
type Figure struct {
	Kind   Kind
	Panels []Panel
	// XTicks label the x axis under the bottom panel: times for lines, group names for bars.
	XTicks []Tick
	// Slanted writes the bars' names at a slant, as ECharts does when there are more than
	// six of them.
	Slanted bool
}

// Panel is one plot: the only one, or one currency's when many lines are split.
type Panel struct {
	// Name is the panel's currency when lines are split by currency; empty otherwise.
	Name   string
	YTicks []Tick
	// Base is the height the x axis line is drawn at: zero when zero is on the axis (the
	// line a change crosses), else the bottom.
	Base  float64
	Lines []Line
	Bars  []Bar
	// Candles and Volumes are a coin chart's (see CoinFigure).
	Candles []Candle
	Volumes []Volume
}

// Tick is one label of an axis.
type Tick struct {
	// At is where the tick is along its axis, 0 to Size: from the left for x, from the top
	// for y.
	At    float64
	Label string
	// Minor ticks are left out of a narrow chart, which has room for about half of them.
	Minor bool
}

// Line is one group drawn over time.
type Line struct {
	Name  string
	Color Color
	// Dash is the currency's dash pattern in pixels, as Build gives ECharts; nil is solid.
	Dash []int
	// Runs are the stretches of the line without a gap: a missing time, or a value the axis
	// cannot show (nothing at or below zero on a log axis), ends one.
	Runs [][]Point
	// Marked lines draw a dot on every point: a line of one or two points is hard to see
	// otherwise, and Build marks those too.
	Marked bool
	// Area fills the plot under the line faintly, as HourlyPrices does under the price.
	Area bool
}

// Point is a place in a plot's Size x Size square.
type Point struct{ X, Y float64 }

// Bar is one group's bar, standing on zero: Y is its top and Height reaches down to zero
// (for a negative value, Y is zero's height and the bar hangs below).
type Bar struct {
	Name                string
	Color               Color
	X, Y, Width, Height float64
}

// Draw makes the figure of groups: a line per group on a time axis when the date is in the
// breakdown, split into a panel per currency as Build splits them; otherwise a bar per group.
func Draw(groups []domain.Group, v View) Figure {
	if !v.Breakdown.Date {
		return drawBars(groups, v)
	}
	fig := Figure{Kind: KindLine}
	panelOf, names := v.panels(groups)
	var first, last time.Time
	for _, g := range groups {
		if len(g.Points) == 0 {
			continue
		}
		if first.IsZero() || g.Points[0].Time.Before(first) {
			first = g.Points[0].Time
		}
		last = latest(last, g.Points[len(g.Points)-1].Time)
	}
	x := func(t time.Time) float64 {
		if !last.After(first) {
			return Size / 2
		}
		return Size * float64(t.Sub(first)) / float64(last.Sub(first))
	}
	step := 24 * time.Hour
	if v.Granularity == domain.Hourly {
		step = time.Hour
	}
	formats := v.axisFormats(groups)
	for i, name := range names {
		var values []float64
		for _, g := range groups {
			if panelOf[g.CurrencyCode] == i {
				for _, p := range g.Points {
					values = append(values, v.value(p))
				}
			}
		}
		ax := v.lineAxis(values)
		panel := Panel{Name: strings.ToUpper(name), YTicks: ax.ticks(formats[i], v.CurrencySymbols), Base: ax.base()}
		for _, g := range groups {
			if len(g.Points) == 0 || panelOf[g.CurrencyCode] != i {
				continue
			}
			style := StyleOf(g.CoinID, g.CurrencyCode)
			line := Line{Name: Name(g.CoinID, g.CurrencyCode, v), Color: style.Color, Dash: style.Dash, Marked: len(g.Points) <= 2}
			var run []Point
			for j, p := range g.Points {
				y, ok := ax.y(v.value(p))
				if j > 0 && p.Time.Sub(g.Points[j-1].Time) > step*3/2 || !ok {
					line.Runs = appendRun(line.Runs, run)
					run = nil
				}
				if ok {
					run = append(run, Point{X: x(p.Time), Y: y})
				}
			}
			line.Runs = appendRun(line.Runs, run)
			panel.Lines = append(panel.Lines, line)
		}
		fig.Panels = append(fig.Panels, panel)
	}
	if !first.IsZero() {
		fig.XTicks = timeTicks(first, last, v.Granularity, x)
	}
	return fig
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func appendRun(runs [][]Point, run []Point) [][]Point {
	if len(run) == 0 {
		return runs
	}
	return append(runs, run)
}

// drawBars draws a bar per group standing on zero, with the groups' names under them.
func drawBars(groups []domain.Group, v View) Figure {
	fig := Figure{Kind: KindBar}
	var names []string
	var vals []float64
	var colors []Color
	for _, g := range groups {
		if len(g.Points) == 0 {
			continue
		}
		names = append(names, Name(g.CoinID, g.CurrencyCode, v))
		vals = append(vals, v.value(g.Points[0]))
		colors = append(colors, StyleOf(g.CoinID, g.CurrencyCode).Color)
	}
	ax := linearAxis(vals, true, splitNumber)
	panel := Panel{YTicks: ax.ticks(v.axisFormats(groups)[0], v.CurrencySymbols), Base: ax.base()}
	band := Size / float64(max(1, len(vals)))
	zero, _ := ax.y(0)
	for i, val := range vals {
		y, _ := ax.y(val)
		panel.Bars = append(panel.Bars, Bar{Name: names[i], Color: colors[i],
			X: band * (float64(i) + (1-barShare)/2), Width: band * barShare, Y: math.Min(y, zero), Height: math.Abs(zero - y)})
		fig.XTicks = append(fig.XTicks, Tick{At: band * (float64(i) + 0.5), Label: names[i]})
	}
	fig.Slanted = len(names) > 6
	fig.Panels = []Panel{panel}
	return fig
}

// splitNumber is how many steps ECharts divides a value axis into when the option does not say.
const splitNumber = 5

// barShare is the part of its category a bar fills, as in ECharts' drawing of a lone series.
const barShare = 0.7

// sharedCode is the one currency every value is in, or "" when they differ (or have none):
// only then do the axis's labels carry a currency (AxisFormat.Currency).
func sharedCode(codes []string) string {
	for _, c := range codes {
		if c != codes[0] {
			return ""
		}
	}
	if len(codes) == 0 {
		return ""
	}
	return codes[0]
}

// axisFormats is the format of each panel's value axis (the one axis of bars), from the values
// it shows: Draw labels its ticks with them and Build hands them to the browser in Meta.
func (v View) axisFormats(groups []domain.Group) []AxisFormat {
	var currencies []string
	for _, g := range groups {
		if len(g.Points) > 0 {
			currencies = append(currencies, v.ValueCurrency(g.CurrencyCode))
		}
	}
	code, pct := sharedCode(currencies), v.Mode == ModePercent
	if !v.Breakdown.Date {
		var values []float64
		for _, g := range groups {
			if len(g.Points) > 0 {
				values = append(values, v.value(g.Points[0]))
			}
		}
		return []AxisFormat{axisFormat(values, code, pct, false)}
	}
	panelOf, names := v.panels(groups)
	out := make([]AxisFormat, len(names))
	for i := range names {
		var values []float64
		for _, g := range groups {
			if panelOf[g.CurrencyCode] == i {
				for _, p := range g.Points {
					values = append(values, v.value(p))
				}
			}
		}
		out[i] = axisFormat(values, code, pct, v.Scale == ScaleLog && !pct)
	}
	return out
}

// lineAxis is the value axis of a panel of lines holding values: a change is always linear,
// since it goes negative; a price is on the view's scale. Like ECharts' scale: true, a line
// axis fits its values rather than reaching down to zero.
func (v View) lineAxis(values []float64) axis {
	if v.Scale == ScaleLog && v.Mode == ModePrice {
		return logAxis(values)
	}
	return linearAxis(values, false, splitNumber)
}
