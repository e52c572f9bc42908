package ui

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/views"
)

// chartID is stable so app.js can find the chart again after every swap.
const chartID = "chart-prices"

func (d *dashboard) chartView() chart.View {
	v := chart.View{Breakdown: d.state.breakdown(), Granularity: d.gran, Mode: d.state.Mode,
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
	v := d.chartView()
	spec := chart.Dashboard(d.groups, v)
	c := spec.Chart()
	p.Data = c
	p.Figure = figureProps(spec.Figure())
	p.Label = d.chartLabel(v)
	p.Panels = c.Meta.Panels
	if d.state.Breakdown.Date {
		p.Zoom, p.ZoomHelp = d.zoom.timeAxis(), zoomHelp
	}
	if msg := d.errs[zoomParam]; msg != "" {
		p.Note = msg + " " + p.Note
	}
	// A chart of panels, one per currency when the lines are many, is as high as its panels
	// need; the server fixes it so the page does not move when the script draws.
	if c.Meta.Panels > 1 {
		p.Height = 120 + 220*c.Meta.Panels
	}
	return p
}

// legend names the chart's lines with their colours and dashes, on the page rather than the
// canvas, where it wraps and never covers the plot. A chart of panels, one per currency, needs
// only its coins' colours.
func (d *dashboard) legend(panels int) []views.LegendItem {
	v := d.chartView()
	var out []views.LegendItem
	seen := map[string]bool{}
	for _, g := range d.groups {
		if len(g.Points) == 0 {
			continue
		}
		if panels > 1 {
			if !seen[g.CoinID] {
				seen[g.CoinID] = true
				c := chart.CoinColor(g.CoinID)
				out = append(out, views.LegendItem{Name: strings.ToUpper(v.Symbols[g.CoinID]), Light: c.Light, Dark: c.Dark})
			}
			continue
		}
		style := chart.StyleOf(g.CoinID, g.CurrencyCode)
		item := views.LegendItem{Name: chart.Name(g.CoinID, g.CurrencyCode, v), Light: style.Color.Light, Dark: style.Color.Dark,
			Dash: dashArray(style.Dash)}
		if n := len(g.Members); n > 1 {
			item.Detail = strconv.Itoa(n) + " series"
		}
		out = append(out, item)
	}
	return out
}

// dashArray writes a dash pattern as SVG's stroke-dasharray.
func dashArray(dash []int) string {
	parts := make([]string, len(dash))
	for i, n := range dash {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, " ")
}

// chartToolbar is the chart's props without its data: the note and the zoom and reset URLs,
// which the table partial refreshes out of band.
func (d *dashboard) chartToolbar() views.ChartProps {
	s := d.state
	p := views.ChartProps{ID: chartID}

	var notes []string
	switch {
	case !s.Breakdown.Date && s.Mode == chart.ModePercent:
		notes = append(notes, "Change per group over the range (add Date to the breakdown for lines over time)")
	case !s.Breakdown.Date:
		notes = append(notes, "Mean price per group over the range (add Date to the breakdown for lines over time)")
	default:
		if s.benchmarked() {
			notes = append(notes, "% change measured in BTC since the range start: above zero beat bitcoin")
		} else if s.Mode == chart.ModePercent {
			notes = append(notes, "% change since the range start, so any prices share one axis")
		} else if s.Scale == chart.ScaleLog {
			notes = append(notes, "log scale")
		}
		notes = append(notes, "a zoom to 2 days or less loads hours")
	}
	p.Note = strings.ToUpper(notes[0][:1]) + strings.Join(notes, " · ")[1:]

	// The zoom URL has no range: app.js adds the zoomed days. orig keeps the range the first
	// zoom replaced, so "Reset zoom" goes back to it however many zooms follow.
	zoom := s
	zoom.Range, zoom.Page = presetChoice(defaultPreset), 1
	if zoom.Orig.isZero() {
		zoom.Orig = s.Range
	}
	p.ZoomURL = zoom.URL(route.DashboardPartial)
	if !s.Orig.isZero() {
		back := s
		back.Range, back.Orig, back.Page = s.Orig, rangeChoice{}, 1
		p.Reset = views.Link{URL: back.URL(route.Dashboard), Partial: back.URL(route.DashboardPartial)}
	}
	return p
}

// figureProps writes a drawn chart for the page: coordinates in the plot's box with one
// decimal (a tenth of a pixel on the widest chart), ticks as percentages of their axis.
func figureProps(f chart.Figure) views.FigureProps {
	p := views.FigureProps{Bars: f.Kind == chart.KindBar, Slanted: f.Slanted}
	widest := 0
	for _, panel := range f.Panels {
		fp := views.FigurePanel{Name: panel.Name, Axis: "M0 " + coord(panel.Base) + "H" + coord(chart.Size)}
		var grid strings.Builder
		for _, t := range panel.YTicks {
			fp.YTicks = append(fp.YTicks, views.AxisTick{At: percentOf(t.At), Label: t.Label})
			grid.WriteString("M0 " + coord(t.At) + "H" + coord(chart.Size))
			widest = max(widest, utf8.RuneCountInString(t.Label))
		}
		fp.Grid = grid.String()
		for _, l := range panel.Lines {
			fp.Lines = append(fp.Lines, figureLine(l))
		}
		for _, b := range panel.Bars {
			fp.Bars = append(fp.Bars, views.FigureBar{X: coord(b.X), Y: coord(b.Y), Width: coord(b.Width), Height: coord(b.Height),
				Light: b.Color.Light, Dark: b.Color.Dark})
		}
		if panel.Name != "" {
			widest = max(widest, utf8.RuneCountInString(panel.Name))
		}
		p.Panels = append(p.Panels, fp)
	}
	// Digits are a ch wide (the labels use tabular figures), and ECharts leaves 8 px between
	// its labels and the plot.
	p.YWidth = "calc(" + strconv.Itoa(widest) + "ch + 0.5rem)"
	longest := 0
	for _, t := range f.XTicks {
		p.XTicks = append(p.XTicks, views.AxisTick{At: percentOf(t.At), Label: t.Label, Minor: t.Minor})
		longest = max(longest, utf8.RuneCountInString(t.Label))
	}
	if f.Slanted {
		// A name slanted by 40 degrees reaches down sin(40°) of its length.
		p.XHeight = "calc(" + strconv.FormatFloat(float64(longest)*0.65, 'f', 1, 64) + "ch + 1rem)"
	}
	return p
}

// figureLine writes a line's runs as one path, each run starting with a move; a marked line's
// points as dots (zero-length segments with round caps); a line with an area, the area from
// each run down to the plot's bottom.
func figureLine(l chart.Line) views.FigureLine {
	var path, dots, area strings.Builder
	bottom := coord(chart.Size)
	for _, run := range l.Runs {
		points := make([]string, len(run))
		for i, pt := range run {
			points[i] = coord(pt.X) + "," + coord(pt.Y)
			if l.Marked {
				dots.WriteString("M" + points[i] + "h0")
			}
		}
		path.WriteString("M" + strings.Join(points, " "))
		if l.Area {
			area.WriteString("M" + coord(run[0].X) + "," + bottom + "L" + strings.Join(points, " ") +
				"L" + coord(run[len(run)-1].X) + "," + bottom + "Z")
		}
	}
	return views.FigureLine{Path: path.String(), Dots: dots.String(), Area: area.String(),
		Light: l.Color.Light, Dark: l.Color.Dark, Dash: dashArray(l.Dash)}
}

// coord writes a coordinate of the plot's box to a tenth, without a trailing ".0".
func coord(v float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(v, 'f', 1, 64), ".0")
}

// percentOf writes a place along an axis of chart.Size as a CSS percentage.
func percentOf(at float64) string {
	return strconv.FormatFloat(at/chart.Size*100, 'f', 2, 64) + "%"
}

// chartLabel sums the chart up in words for a screen reader: what it shows, over which times,
// and where each line ends (in price mode, where it starts and ends).
func (d *dashboard) chartLabel(v chart.View) string {
	var b strings.Builder
	what := "prices"
	if d.state.Mode == chart.ModePercent {
		what = "% change since the range start"
		if d.state.benchmarked() {
			what = "% change measured in BTC since the range start"
		}
	} else if d.state.Scale == chart.ScaleLog && d.state.Breakdown.Date {
		what = "prices on a log scale"
	}
	if d.state.Breakdown.Date {
		b.WriteString("Line chart of " + what)
	} else {
		b.WriteString("Bar chart of " + what + " per group")
	}
	if d.gran == domain.Hourly {
		b.WriteString(", hourly, from " + d.span.Start.Format(readableHour) + " to " + d.lastHour().Format(readableHour) + " UTC")
	} else {
		b.WriteString(", daily averages, from " + d.span.FirstDay().Format(domain.DayLayout) + " to " + d.span.LastDay().Format(domain.DayLayout))
	}
	sep := ": "
	for _, g := range d.groups {
		if len(g.Points) == 0 {
			continue
		}
		b.WriteString(sep + chart.Name(g.CoinID, g.CurrencyCode, v) + " ")
		sep = "; "
		first, last := g.Points[0], g.Points[len(g.Points)-1]
		cur := v.ValueCurrency(g.CurrencyCode)
		switch {
		case d.state.Mode == chart.ModePercent:
			b.WriteString(formatPercent(last.Change))
		case !d.state.Breakdown.Date || len(g.Points) == 1:
			b.WriteString(formatPrice(cur, last.Price))
		default:
			b.WriteString("from " + formatPrice(cur, first.Price) + " to " + formatPrice(cur, last.Price))
		}
	}
	b.WriteString(". The table below lists every value.")
	return b.String()
}
