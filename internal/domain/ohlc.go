package domain

import "time"

// Candle is one UTC day of a series as prices_daily stores it: the day's first, highest,
// lowest and last stored hourly prices, and Samples, the number of hours stored for it.
type Candle struct {
	Day                    time.Time
	Open, High, Low, Close float64
	Samples                int
}

// Partial reports whether fewer than the day's 24 hours are stored: today until it ends, the
// first day of a history, or a day the source left a gap in. Its open, close and range then
// cover only the stored hours, which a reader must be told.
func (c Candle) Partial() bool { return c.Samples < 24 }
