package ui

import (
	"strconv"
	"strings"

	"github.com/cryptodash/cryptodash/internal/chart"
	"github.com/cryptodash/cryptodash/views"
)

// coinRoles are the colour roles a coin figure's CSS reads, as --<role>-l and --<role>-d.
var coinRoles = []string{"up", "down", "downPartial", "volume"}

// coinFigureProps writes a drawn coin chart for the page, as figureProps does the dashboard's.
func coinFigureProps(f chart.CoinFigure) views.CoinFigureProps {
	style := []string{"--n:" + strconv.Itoa(f.Bands)}
	for _, role := range coinRoles {
		c := f.Colors[role]
		style = append(style, "--"+role+"-l:"+c.Light, "--"+role+"-d:"+c.Dark)
	}
	p := views.CoinFigureProps{Style: strings.Join(style, ";")}
	for _, panel := range []struct {
		kind string
		p    chart.Panel
	}{{"price", f.Price}, {"volume", f.Volume}, {"cap", f.Cap}} {
		cp := views.CoinPanel{Kind: panel.kind, Name: panel.p.Name, Axis: "M0 " + coord(panel.p.Base) + "H" + coord(chart.Size)}
		var grid strings.Builder
		for _, t := range panel.p.YTicks {
			cp.YTicks = append(cp.YTicks, views.AxisTick{At: percentOf(t.At), Label: t.Label})
			grid.WriteString("M0 " + coord(t.At) + "H" + coord(chart.Size))
		}
		// Only the price panel has grid lines, as in the coin option.
		if panel.kind == "price" {
			cp.Grid = grid.String()
		}
		for _, l := range panel.p.Lines {
			cp.Lines = append(cp.Lines, figureLine(l))
		}
		for _, c := range panel.p.Candles {
			cp.Candles = append(cp.Candles, views.CandleMark{Left: percentOf(c.X),
				BodyTop: percentOf(min(c.Open, c.Close)), BodyHeight: percentOf(max(c.Open, c.Close) - min(c.Open, c.Close)),
				WickTop: percentOf(c.High), WickHeight: percentOf(c.Low - c.High), Up: c.Up, Partial: c.Partial})
		}
		for _, v := range panel.p.Volumes {
			cp.Volumes = append(cp.Volumes, views.VolumeMark{Left: percentOf(v.X), Top: percentOf(v.Y), Dim: v.Dim})
		}
		p.Panels = append(p.Panels, cp)
	}
	for _, t := range f.XTicks {
		p.XTicks = append(p.XTicks, views.AxisTick{At: percentOf(t.At), Label: t.Label, Minor: t.Minor})
	}
	return p
}
