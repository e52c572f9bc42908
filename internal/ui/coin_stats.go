package ui

import (
	"math"
	"time"

	"github.com/cryptodash/cryptodash/internal/analytics"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// rangeStats are the numbers a coin page states about its range, each from the analytics
// package's rule. Times say where each number comes from, so the page can tell the reader.
type rangeStats struct {
	// first is the first price at or after the range's start (the first day's open, which is
	// its first stored hour, or the first stored hour); last is the newest.
	first, last     float64
	firstAt, lastAt time.Time
	// high and low are the extremes of the stored hours in the range.
	high, low     float64
	highAt, lowAt time.Time
	// returns is how many daily log returns the volatility is computed from; volatility is
	// NaN when there are fewer than two. Daily ranges take both from complete days only
	// (analytics.DayPartial): today's close so far is no day's close. left counts the
	// incomplete days left out.
	returns    int
	volatility float64
	left       int
	// drawdown is the largest fall from a running peak, as a fraction (-0.25 is 25% down);
	// zero when the closes never fell below an earlier one, NaN with no complete day.
	drawdown         float64
	peakAt, troughAt time.Time
	// marketCap and volume are read at marketAt, the newest stored hour; nil when the
	// source sent none for it.
	marketCap, volume *float64
	marketAt          time.Time
}

// change is the move from the first price to the last, and the same as a fraction of the
// first.
func (s rangeStats) change() (float64, float64) {
	return s.last - s.first, analytics.Change(s.first, s.last)
}

// dailyStats reads the stats of a range of whole days from its candles (oldest first, at
// least one) and the last stored hour of each day (ends, oldest first). Volatility and
// drawdown follow the closes of the complete days.
func dailyStats(candles []domain.Candle, ends []domain.Sample) rangeStats {
	first, last := candles[0], candles[len(candles)-1]
	s := rangeStats{first: first.Open, firstAt: first.Day, last: last.Close, lastAt: last.Day}
	var closes []float64
	var days []time.Time
	highs, lows := make([]analytics.Point, len(candles)), make([]analytics.Point, len(candles))
	for i, c := range candles {
		if c.Partial {
			s.left++
		} else {
			closes, days = append(closes, c.Close), append(days, c.Day)
		}
		highs[i], lows[i] = analytics.Point{Time: c.Day, Value: c.High}, analytics.Point{Time: c.Day, Value: c.Low}
	}
	high, _ := analytics.HighLow(highs)
	_, low := analytics.HighLow(lows)
	s.high, s.highAt, s.low, s.lowAt = high.Value, high.Time, low.Value, low.Time
	s.volatility, s.returns = analytics.Volatility(closes)
	dd, peak, trough := analytics.Drawdown(closes)
	s.drawdown = dd
	if len(closes) > 0 {
		s.peakAt, s.troughAt = days[peak], days[trough]
	}
	if len(ends) > 0 {
		end := ends[len(ends)-1]
		s.lastAt, s.marketAt, s.marketCap, s.volume = end.Time, end.Time, end.MarketCap, end.TotalVolume
	}
	return s
}

// hourlyStats reads the stats of a range of hours (oldest first, at least one). A day or two
// of hours has no two daily returns, so volatility is left out; the drawdown follows the
// hourly prices.
func hourlyStats(hours []domain.Sample) rangeStats {
	first, last := hours[0], hours[len(hours)-1]
	s := rangeStats{first: first.Price, firstAt: first.Time, last: last.Price, lastAt: last.Time,
		volatility: math.NaN(), marketCap: last.MarketCap, volume: last.TotalVolume, marketAt: last.Time}
	points := samplePoints(hours)
	high, low := analytics.HighLow(points)
	s.high, s.highAt, s.low, s.lowAt = high.Value, high.Time, low.Value, low.Time
	prices := make([]float64, len(hours))
	for i, h := range hours {
		prices[i] = h.Price
	}
	dd, peak, trough := analytics.Drawdown(prices)
	s.drawdown, s.peakAt, s.troughAt = dd, hours[peak].Time, hours[trough].Time
	return s
}

func samplePoints(hours []domain.Sample) []analytics.Point {
	out := make([]analytics.Point, len(hours))
	for i, h := range hours {
		out[i] = analytics.Point{Time: h.Time, Value: h.Price}
	}
	return out
}
