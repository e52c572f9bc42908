package ui

import (
	"strconv"
	"strings"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
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
	c := chart.Build(d.groups, d.chartView())
	p.Data = c
	p.Panels = c.Meta.Panels
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
		if s.Mode == chart.ModePercent {
			notes = append(notes, "% change since the range start, so any prices share one axis")
		} else if s.Scale == chart.ScaleLog {
			notes = append(notes, "log scale")
		}
		notes = append(notes, "drag to zoom; 2 days or less loads hours")
	}
	p.Note = strings.ToUpper(notes[0][:1]) + strings.Join(notes, " · ")[1:]

	// The zoom URL has no range: app.js adds the zoomed days. orig keeps the range the first
	// zoom replaced, so "Reset zoom" goes back to it however many zooms follow.
	zoom := s
	zoom.Range, zoom.Page = presetChoice(defaultPreset), 1
	if zoom.Orig.isZero() {
		zoom.Orig = s.Range
	}
	p.ZoomURL = zoom.URL("/partials/dashboard")
	if !s.Orig.isZero() {
		back := s
		back.Range, back.Orig, back.Page = s.Orig, rangeChoice{}, 1
		p.Reset = views.Link{URL: back.URL("/"), Partial: back.URL("/partials/dashboard")}
	}
	return p
}
