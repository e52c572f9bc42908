package ui

import (
	"math"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// daysPerYear annualises a daily volatility: crypto trades every day of the year, so the
// 252 trading days of stock markets would understate it.
const daysPerYear = 365

// rangeStats are the numbers a coin page states about its range. Times say where each number
// comes from, so the page can tell the reader.
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
	// (domain.Candle.Partial): today's close so far is no day's close. left counts the
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
	return s.last - s.first, s.last/s.first - 1
}

// dailyStats reads the stats of a range of whole days from its candles (oldest first, at
// least one) and the last stored hour of each day (ends, oldest first). Volatility and
// drawdown follow the closes of the complete days.
func dailyStats(candles []domain.Candle, ends []domain.Sample) rangeStats {
	first, last := candles[0], candles[len(candles)-1]
	s := rangeStats{first: first.Open, firstAt: first.Day, last: last.Close, lastAt: last.Day,
		high: first.High, highAt: first.Day, low: first.Low, lowAt: first.Day}
	var closes []float64
	var days []time.Time
	for _, c := range candles {
		if c.Partial {
			s.left++
		} else {
			closes, days = append(closes, c.Close), append(days, c.Day)
		}
		if c.High > s.high {
			s.high, s.highAt = c.High, c.Day
		}
		if c.Low < s.low {
			s.low, s.lowAt = c.Low, c.Day
		}
	}
	s.volatility, s.returns = annualVolatility(closes)
	s.drawdown = math.NaN()
	if len(closes) > 0 {
		dd, peak, trough := maxDrawdown(closes)
		s.drawdown, s.peakAt, s.troughAt = dd, days[peak], days[trough]
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
		high: first.Price, highAt: first.Time, low: first.Price, lowAt: first.Time,
		volatility: math.NaN(), marketCap: last.MarketCap, volume: last.TotalVolume, marketAt: last.Time}
	prices := make([]float64, len(hours))
	for i, h := range hours {
		prices[i] = h.Price
		if h.Price > s.high {
			s.high, s.highAt = h.Price, h.Time
		}
		if h.Price < s.low {
			s.low, s.lowAt = h.Price, h.Time
		}
	}
	dd, peak, trough := maxDrawdown(prices)
	s.drawdown, s.peakAt, s.troughAt = dd, hours[peak].Time, hours[trough].Time
	return s
}

// annualVolatility is the sample standard deviation (n-1) of the log returns ln(c[i]/c[i-1])
// between consecutive closes, times √365, and the number of returns. With fewer than two
// returns a deviation means nothing, and it is NaN.
func annualVolatility(closes []float64) (float64, int) {
	n := len(closes) - 1
	if n < 2 {
		return math.NaN(), max(n, 0)
	}
	returns := make([]float64, n)
	mean := 0.0
	for i := range returns {
		returns[i] = math.Log(closes[i+1] / closes[i])
		mean += returns[i]
	}
	mean /= float64(n)
	sq := 0.0
	for _, r := range returns {
		sq += (r - mean) * (r - mean)
	}
	return math.Sqrt(sq/float64(n-1)) * math.Sqrt(daysPerYear), n
}

// maxDrawdown is the largest fall of values from the highest value before it, as a fraction
// of that peak (≤ 0), with the indexes of the peak and the trough. Values that never fall
// give 0 at the first index.
func maxDrawdown(values []float64) (dd float64, peak, trough int) {
	running := 0
	for i, v := range values {
		if v > values[running] {
			running = i
		}
		if fall := v/values[running] - 1; fall < dd {
			dd, peak, trough = fall, running, i
		}
	}
	return dd, peak, trough
}
