package ui

import (
	"strings"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// chartID is stable so app.js can find the chart again after every swap.
const chartID = "chart-prices"

func (d *dashboard) chartView() chart.View {
	v := chart.View{Breakdown: d.state.Breakdown, Granularity: d.gran, Mode: d.state.Mode,
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
	p.Data = chart.Build(d.rows, d.chartView())
	return p
}

// chartToolbar is the chart's props without its data: the note and the zoom and reset URLs,
// which the table partial refreshes out of band.
func (d *dashboard) chartToolbar() views.ChartProps {
	s := d.state
	p := views.ChartProps{ID: chartID}

	var notes []string
	if s.Breakdown.Date {
		if s.Mode == chart.ModePercent {
			notes = append(notes, "% change from each line's first value")
		} else if s.Scale == chart.ScaleLog {
			notes = append(notes, "log scale")
		}
		notes = append(notes, "drag or pinch to zoom; 2 days or less loads hourly prices")
	} else {
		notes = append(notes, "Mean price per group over the range (add Date to the breakdown for lines over time)")
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
