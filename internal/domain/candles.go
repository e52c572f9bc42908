package domain

import (
	"time"

	"github.com/cryptodash/cryptodash/internal/analytics"
)

// CandlesFromHours builds the days of hours (oldest first) as prices_daily holds them: open
// and close the first and last stored hour, high and low the extremes, Samples the hours
// present, and Partial by analytics.DayPartial, with first the series' first stored hour. It
// serves series no table stores, such as a coin priced in BTC.
func CandlesFromHours(hours []Sample, today, first time.Time) []Candle {
	var out []Candle
	for _, h := range hours {
		day := UTCDay(h.Time)
		if n := len(out); n > 0 && out[n-1].Day.Equal(day) {
			c := &out[n-1]
			c.Close, c.High, c.Low, c.Samples = h.Price, max(c.High, h.Price), min(c.Low, h.Price), c.Samples+1
			continue
		}
		out = append(out, Candle{Day: day, Open: h.Price, High: h.Price, Low: h.Price, Close: h.Price, Samples: 1,
			Partial: analytics.DayPartial(day, today, first)})
	}
	return out
}
