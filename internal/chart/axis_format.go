package chart

import (
	"math"

	"github.com/cryptodash/cryptodash/internal/numfmt"
)

// AxisFormat is how one value axis writes its ticks. The server's drawing labels its ticks
// with it, and the chart's Meta carries it to the browser, whose ECharts labels follow it
// through format.js, so the two drawings of one chart read alike without either copying the
// other's rules.
type AxisFormat struct {
	// Percent marks a % change axis, whose values are in percent ("+10%").
	Percent bool `json:"percent,omitempty"`
	// Log marks a log axis: each power of ten in its own unit ($1, $1,000, $100K, $1M).
	Log bool `json:"log,omitempty"`
	// Currency is the one currency of the axis's values, or "" (none, or several).
	Currency string `json:"currency,omitempty"`
	// Unit is the one unit of every label of a linear axis, chosen from the largest value
	// the axis shows (numfmt.AxisScale).
	Unit numfmt.Unit `json:"unit"`
}

// axisFormat is the format of an axis showing values in currency.
func axisFormat(values []float64, currency string, percent, log bool) AxisFormat {
	most := 0.0
	for _, v := range values {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			most = max(most, math.Abs(v))
		}
	}
	return AxisFormat{Percent: percent, Log: log, Currency: currency, Unit: numfmt.AxisScale(most)}
}

// Label writes a tick at v.
func (f AxisFormat) Label(v float64, symbols map[string]string) string {
	switch {
	case f.Percent:
		return numfmt.AxisPercent(v)
	case f.Log:
		return numfmt.AxisLabel(v, numfmt.AxisScale(math.Abs(v)), f.Currency, symbols)
	}
	return numfmt.AxisLabel(v, f.Unit, f.Currency, symbols)
}
