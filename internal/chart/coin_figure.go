package chart

import (
	"math"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// CoinFigure is a coin page's chart as the server draws it, the counterpart of Candlesticks
// and HourlyPrices as Figure is of Build: the three panels on one axis of days or hours, each
// day or hour in its own band of the width.
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
// marks a day read before its end, as Candlesticks dims it.
type Volume struct {
	X, Y float64
	Dim  bool
}

// The value axes of a coin chart split as Candlesticks' option says: the price in about four
// steps, volume and market cap in one, their panels being thin.
const (
	coinPriceSplits = 4
	coinThinSplits  = 1
)

// DrawCandles draws the days of Candlesticks: a candle a day over its volume and market cap,
// read at the day's last stored hour (ends).
func DrawCandles(candles []domain.Candle, ends []domain.Sample, v CoinView) CoinFigure {
	byDay := make(map[time.Time]domain.Sample, len(ends))
	for _, e := range ends {
		byDay[domain.UTCDay(e.Time)] = e
	}
	var prices []float64
	samples := make([]domain.Sample, len(candles))
	early := make([]bool, len(candles))
	times := make([]time.Time, len(candles))
	for i, c := range candles {
		prices = append(prices, c.Low, c.High)
		end, ok := byDay[c.Day]
		samples[i] = domain.Sample{MarketCap: end.MarketCap, TotalVolume: end.TotalVolume}
		early[i] = ok && end.Time.Hour() != 23
		times[i] = c.Day
	}
	f, ax := v.newCoinFigure(StepDay, times, prices)
	for i, c := range candles {
		open, _ := ax.y(c.Open)
		closing, _ := ax.y(c.Close)
		high, _ := ax.y(c.High)
		low, _ := ax.y(c.Low)
		f.Price.Candles = append(f.Price.Candles, Candle{X: f.bandX(i), Open: open, Close: closing, High: high, Low: low,
			Up: c.Close >= c.Open, Partial: c.Partial})
	}
	f.drawVolumeAndCap(v, samples, early)
	return f
}

// DrawHours draws the hours of HourlyPrices: a line of prices in the coin's colour over the
// rolling 24-hour volume and the market cap of each hour.
func DrawHours(hours []domain.Sample, v CoinView) CoinFigure {
	hours = hourGrid(hours)
	prices := make([]float64, len(hours))
	times := make([]time.Time, len(hours))
	for i, h := range hours {
		prices[i], times[i] = h.Price, h.Time
	}
	f, ax := v.newCoinFigure(StepHour, times, prices)
	price := f.line("Price", ax, prices, CoinColor(v.CoinID))
	price.Area = true
	f.Price.Lines = []Line{price}
	f.drawVolumeAndCap(v, hours, make([]bool, len(hours)))
	return f
}

// newCoinFigure starts the figure of the bands at times: its time labels, and the price
// panel's axis fitted to prices, which it also returns.
func (v CoinView) newCoinFigure(step string, times []time.Time, prices []float64) (CoinFigure, axis) {
	f := CoinFigure{Step: step, Bands: len(times), Colors: v.meta(step).Colors,
		Price: Panel{Name: "Price"}, Volume: Panel{Name: "24 h volume"}, Cap: Panel{Name: "Market cap"}}
	// A missing hour's NaN has no place on the axis.
	var known []float64
	for _, p := range prices {
		if !math.IsNaN(p) {
			known = append(known, p)
		}
	}
	ax := linearAxis(known, false, coinPriceSplits)
	if v.Scale == ScaleLog {
		ax = logAxis(known)
	}
	f.Price.YTicks, f.Price.Base = ax.ticks(v.priceFormat(known), v.CurrencySymbols), Size
	every := max(1, int(math.Ceil(float64(len(times))/maxXTicks)))
	for i := 0; i < len(times); i += every {
		label := times[i].Format("Jan 2")
		if step == StepHour && times[i].Hour() != 0 {
			label = times[i].Format("15:04")
		}
		f.XTicks = append(f.XTicks, Tick{At: f.bandX(i), Label: label})
	}
	for i := range f.XTicks {
		f.XTicks[i].Minor = len(f.XTicks) > maxXTicks/2 && i%2 == 1
	}
	return f, ax
}

// bandX is the middle of band i.
func (f CoinFigure) bandX(i int) float64 {
	return Size * (float64(i) + 0.5) / float64(f.Bands)
}

// drawVolumeAndCap fills the two thin panels: volume bars from zero, dimmed where early says,
// and the market cap as a line in the coin's colour, broken where a value is missing.
func (f *CoinFigure) drawVolumeAndCap(v CoinView, samples []domain.Sample, early []bool) {
	var volumes, caps []float64
	capLine := make([]float64, len(samples))
	for i, s := range samples {
		capLine[i] = math.NaN()
		if s.TotalVolume != nil {
			volumes = append(volumes, *s.TotalVolume)
		}
		if s.MarketCap != nil {
			caps = append(caps, *s.MarketCap)
			capLine[i] = *s.MarketCap
		}
	}
	vol := linearAxis(volumes, true, coinThinSplits)
	f.Volume.Base = Size
	if len(volumes) > 0 {
		f.Volume.YTicks = vol.ticks(v.valueFormat(volumes), v.CurrencySymbols)
	}
	for i, s := range samples {
		if s.TotalVolume != nil {
			y, _ := vol.y(*s.TotalVolume)
			f.Volume.Volumes = append(f.Volume.Volumes, Volume{X: f.bandX(i), Y: y, Dim: early[i]})
		}
	}
	if len(caps) == 0 {
		return
	}
	capAxis := linearAxis(caps, false, coinThinSplits)
	// The bottom of a fitted axis means nothing, and Candlesticks leaves its label out.
	f.Cap.YTicks, f.Cap.Base = capAxis.ticks(v.valueFormat(caps), v.CurrencySymbols)[1:], Size
	f.Cap.Lines = []Line{f.line("Market cap", capAxis, capLine, f.Colors[roleCap])}
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

// valueFormat is the format of a coin axis showing values in the page's currency.
func (v CoinView) valueFormat(values []float64) AxisFormat {
	return axisFormat(values, v.Currency, false, false)
}

// priceFormat is the format of the price axis, which the page may draw on a log scale.
func (v CoinView) priceFormat(values []float64) AxisFormat {
	return axisFormat(values, v.Currency, false, v.Scale == ScaleLog)
}

// axisFormats are the formats of the price, volume and market cap axes of a chart of prices
// over samples, the ones the server's drawing labels its ticks with.
func (v CoinView) axisFormats(prices []float64, samples []domain.Sample) []AxisFormat {
	var volumes, caps []float64
	for _, s := range samples {
		if s.TotalVolume != nil {
			volumes = append(volumes, *s.TotalVolume)
		}
		if s.MarketCap != nil {
			caps = append(caps, *s.MarketCap)
		}
	}
	return []AxisFormat{v.priceFormat(prices), v.valueFormat(volumes), v.valueFormat(caps)}
}
