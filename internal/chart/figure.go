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
// JavaScript: the same lines (or bars), colours, axes and panels as the spec's option
// (Spec.Chart), as geometry.
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
	// Dash is the currency's dash pattern in pixels, as the option gives ECharts; nil is solid.
	Dash []int
	// Runs are the stretches of the line without a gap: a missing time, or a value the axis
	// cannot show (nothing at or below zero on a log axis), ends one.
	Runs [][]Point
	// Marked lines draw a dot on every point: a line of one or two points is hard to see
	// otherwise, and the option marks those too.
	Marked bool
	// Area fills the plot under the line faintly, as a coin chart's option does under the price.
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

// Figure projects the spec onto the Size x Size square of each panel.
func (s Spec) Figure() Figure {
	if s.Kind == KindBar {
		return s.barFigure()
	}
	fig := Figure{Kind: KindLine}
	x := func(t time.Time) float64 {
		if !s.Last.After(s.First) {
			return Size / 2
		}
		return Size * float64(t.Sub(s.First)) / float64(s.Last.Sub(s.First))
	}
	step := 24 * time.Hour
	if s.View.Granularity == domain.Hourly {
		step = time.Hour
	}
	for i, p := range s.Panels {
		panel := Panel{Name: strings.ToUpper(p.Currency), YTicks: p.Axis.Ticks(s.View.CurrencySymbols), Base: p.Axis.base()}
		for _, se := range s.Series {
			if se.Panel != i {
				continue
			}
			line := Line{Name: se.Name, Color: se.Style.Color, Dash: se.Style.Dash, Marked: se.Marked}
			var run []Point
			for j, val := range se.Values {
				y, ok := p.Axis.y(val)
				if j > 0 && se.Times[j].Sub(se.Times[j-1]) > step*3/2 || !ok {
					line.Runs = appendRun(line.Runs, run)
					run = nil
				}
				if ok {
					run = append(run, Point{X: x(se.Times[j]), Y: y})
				}
			}
			line.Runs = appendRun(line.Runs, run)
			panel.Lines = append(panel.Lines, line)
		}
		fig.Panels = append(fig.Panels, panel)
	}
	if !s.First.IsZero() {
		fig.XTicks = timeTicks(s.First, s.Last, s.View.Granularity, x)
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

// barFigure draws a bar per series standing on zero, with the series' names under them.
func (s Spec) barFigure() Figure {
	fig := Figure{Kind: KindBar}
	ax := s.Panels[0].Axis
	panel := Panel{YTicks: ax.Ticks(s.View.CurrencySymbols), Base: ax.base()}
	band := Size / float64(max(1, len(s.Series)))
	zero, _ := ax.y(0)
	for i, se := range s.Series {
		y, _ := ax.y(se.Values[0])
		panel.Bars = append(panel.Bars, Bar{Name: se.Name, Color: se.Style.Color,
			X: band * (float64(i) + (1-barShare)/2), Width: band * barShare, Y: math.Min(y, zero), Height: math.Abs(zero - y)})
		fig.XTicks = append(fig.XTicks, Tick{At: band * (float64(i) + 0.5), Label: se.Name})
	}
	fig.Slanted = len(s.Series) > 6
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
