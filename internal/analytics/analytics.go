// Package analytics holds every rule behind a number cryptodash states about a series: its
// change, its returns, its high and low, its volatility and drawdown, the windows presets and
// returns measure over, and what counts as a complete day. Pages, CSVs and the API call these
// and nothing else, so one name on one screen is one number.
//
// Every ratio is a fraction (0.25 is 25%); only formatting turns it into a percent.
package analytics

import (
	"math"
	"time"
)

// DaysPerYear annualises a daily volatility: crypto trades every day of the year, so the 252
// trading days of stock markets would understate it.
const DaysPerYear = 365

// Change is the move from first to last as a fraction of first: the one definition of a
// change and of a return. A first value of zero or less (never stored) gives NaN.
func Change(first, last float64) float64 {
	if !(first > 0) {
		return math.NaN()
	}
	return last/first - 1
}

// Point is a value at a time, for the rules that say when something happened.
type Point struct {
	Time  time.Time
	Value float64
}

// HighLow is the highest and the lowest of points, each the earliest on a tie; zero Points
// when there are none.
func HighLow(points []Point) (high, low Point) {
	for i, p := range points {
		if i == 0 || p.Value > high.Value {
			high = p
		}
		if i == 0 || p.Value < low.Value {
			low = p
		}
	}
	return high, low
}

// Volatility is the sample standard deviation (n-1) of the log returns ln(c[i]/c[i-1])
// between consecutive closes, times √365, with the number of returns. With fewer than two
// returns a deviation means nothing, and it is NaN. Callers pass the closes of complete days
// (see DayPartial): an unfinished day's close so far is no day's close.
func Volatility(closes []float64) (annual float64, returns int) {
	n := len(closes) - 1
	if n < 2 {
		return math.NaN(), max(n, 0)
	}
	rs := make([]float64, n)
	mean := 0.0
	for i := range rs {
		rs[i] = math.Log(closes[i+1] / closes[i])
		mean += rs[i]
	}
	mean /= float64(n)
	sq := 0.0
	for _, r := range rs {
		sq += (r - mean) * (r - mean)
	}
	return math.Sqrt(sq/float64(n-1)) * math.Sqrt(DaysPerYear), n
}

// Drawdown is the largest fall of values from the highest value before it, as a fraction of
// that peak (≤ 0), with the indexes of the peak and the trough. Values that never fall give 0
// at the first index; no values give NaN.
func Drawdown(values []float64) (dd float64, peak, trough int) {
	if len(values) == 0 {
		return math.NaN(), 0, 0
	}
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

// DayPartial reports whether the UTC day starting at day is incomplete: it is today (or
// later), or the series' stored history starts during it (first, its first stored hour, is
// on that day and not at 00:00). A day missing a few hours inside the history is complete:
// CoinGecko leaves such gaps in real data, and later runs ask for them again. The store's SQL
// applies the same rule (a store test holds it to this one).
func DayPartial(day, today, first time.Time) bool {
	day, today = utcDay(day), utcDay(today)
	if !day.Before(today) {
		return true
	}
	return !first.IsZero() && utcDay(first).Equal(day) && !first.UTC().Equal(day)
}

// HoursWindow is the span of a one-day view: the 24 hours up to and including newest's hour,
// [start, end). A 24h return and the 1D range measure over the same hours.
func HoursWindow(newest time.Time) (start, end time.Time) {
	end = newest.UTC().Truncate(time.Hour).Add(time.Hour)
	return end.Add(-24 * time.Hour), end
}

// DaysWindow is the span of a view of days whole UTC days: the days up to and including
// newest's, [start, end).
func DaysWindow(newest time.Time, days int) (start, end time.Time) {
	last := utcDay(newest)
	return last.AddDate(0, 0, -(days - 1)), last.AddDate(0, 0, 1)
}

// ReturnFrom is the instant a return over span measures from when newest is the newest
// stored hour: the stored price at or before it is the return's start.
func ReturnFrom(newest time.Time, span time.Duration) time.Time { return newest.Add(-span) }

func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Quoted is a value turned into another unit at one time: Value is the quotient, Per the
// divisor it was divided by (so an amount of the same hour, a market cap, divides alike).
type Quoted struct {
	Time       time.Time
	Value, Per float64
}

// Quote prices a in the unit of b, time by time: a coin's USD price divided by bitcoin's USD
// price of the same hour is the coin in BTC. Both are in time order; a time missing on either
// side is a gap in the answer, never a value carried over from another time.
func Quote(a, b []Point) []Quoted {
	out := make([]Quoted, 0, min(len(a), len(b)))
	j := 0
	for _, p := range a {
		for j < len(b) && b[j].Time.Before(p.Time) {
			j++
		}
		if j < len(b) && b[j].Time.Equal(p.Time) && b[j].Value > 0 {
			out = append(out, Quoted{Time: p.Time, Value: p.Value / b[j].Value, Per: b[j].Value})
		}
	}
	return out
}
