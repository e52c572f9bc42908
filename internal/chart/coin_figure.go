package chart

import (
	"math"
)

// CoinFigure is a coin page's chart as the server draws it (CoinSpec.Figure), as Figure is a
// dashboard's: the three panels on one axis of days or hours, each day or hour in its own band
// of the width.
type CoinFigure struct {
	Step string
	// Bands is the number of days or hours.
	Bands              int
	Price, Volume, Cap Panel
	XTicks             []Tick
	// Colors are the shades of each role, as CoinMeta's.
	Colors map[string]Color
}

// Candle is one day's candle: the heights of its open, close, high and low, at the middle of
// its band. A rising day is hollow, a falling one filled, and a partial day dashed.
type Candle struct {
	X                      float64
	Open, Close, High, Low float64
	Up, Partial            bool
}

// Volume is one day's or hour's volume bar, standing on the panel's bottom up to Y. Dim
// marks a day read before its end, as the option dims it.
type Volume struct {
	X, Y float64
	Dim  bool
}

// Figure projects the spec onto the Size x Size square of each of its three panels: a candle
// a day, or a line of hourly prices, over the volume and the market cap.
func (s CoinSpec) Figure() CoinFigure {
	f := CoinFigure{Step: s.Step, Bands: len(s.Times), Colors: s.Colors,
		Price: Panel{Name: "Price"}, Volume: Panel{Name: "24 h volume"}, Cap: Panel{Name: "Market cap"}}
	f.Price.YTicks, f.Price.Base = s.Price.Ticks(s.View.CurrencySymbols), Size
	every := max(1, int(math.Ceil(float64(len(s.Times))/maxXTicks)))
	for i := 0; i < len(s.Times); i += every {
		label := s.Times[i].Format("Jan 2")
		if s.Step == StepHour && s.Times[i].Hour() != 0 {
			label = s.Times[i].Format("15:04")
		}
		f.XTicks = append(f.XTicks, Tick{At: f.bandX(i), Label: label})
	}
	for i := range f.XTicks {
		f.XTicks[i].Minor = len(f.XTicks) > maxXTicks/2 && i%2 == 1
	}
	ax := s.Price.axis
	for i, c := range s.Candles {
		open, _ := ax.y(c.Open)
		closing, _ := ax.y(c.Close)
		high, _ := ax.y(c.High)
		low, _ := ax.y(c.Low)
		f.Price.Candles = append(f.Price.Candles, Candle{X: f.bandX(i), Open: open, Close: closing, High: high, Low: low,
			Up: c.Close >= c.Open, Partial: c.Partial})
	}
	if s.Step == StepHour {
		price := f.line("Price", ax, s.Prices, s.Colors[rolePrice])
		price.Area = true
		f.Price.Lines = []Line{price}
	}
	f.drawVolumeAndCap(s)
	return f
}

// bandX is the middle of band i.
func (f CoinFigure) bandX(i int) float64 {
	return Size * (float64(i) + 0.5) / float64(f.Bands)
}

// drawVolumeAndCap fills the two thin panels: volume bars from zero, dimmed where the spec
// says, and the market cap as a line in the coin's colour, broken where a value is missing.
func (f *CoinFigure) drawVolumeAndCap(s CoinSpec) {
	f.Volume.Base, f.Cap.Base = Size, Size
	capLine := make([]float64, len(s.Markets))
	hasVolume, hasCap := false, false
	for i, m := range s.Markets {
		capLine[i] = math.NaN()
		if m.TotalVolume != nil {
			hasVolume = true
			y, _ := s.Volume.y(*m.TotalVolume)
			f.Volume.Volumes = append(f.Volume.Volumes, Volume{X: f.bandX(i), Y: y, Dim: s.Early[i]})
		}
		if m.MarketCap != nil {
			hasCap = true
			capLine[i] = *m.MarketCap
		}
	}
	if hasVolume {
		f.Volume.YTicks = s.Volume.Ticks(s.View.CurrencySymbols)
	}
	if !hasCap {
		return
	}
	// The bottom of a fitted axis means nothing, and the option leaves its label out.
	f.Cap.YTicks = s.Cap.Ticks(s.View.CurrencySymbols)[1:]
	f.Cap.Lines = []Line{f.line("Market cap", s.Cap.axis, capLine, f.Colors[roleCap])}
}

// line draws values (NaN for a missing one) at the bands' middles on ax.
func (f CoinFigure) line(name string, ax axis, values []float64, c Color) Line {
	l := Line{Name: name, Color: c}
	var run []Point
	for i, val := range values {
		y, ok := ax.y(val)
		if !ok {
			l.Runs = appendRun(l.Runs, run)
			run = nil
			continue
		}
		run = append(run, Point{X: f.bandX(i), Y: y})
	}
	l.Runs = appendRun(l.Runs, run)
	return l
}
