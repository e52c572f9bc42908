package domain

import "time"

// Candle is one UTC day of a series as prices_daily stores it: the day's first, highest,
// lowest and last stored hourly prices, and Samples, the number of hours stored for it.
type Candle struct {
	Day                    time.Time
	Open, High, Low, Close float64
	Samples                int
	// Partial is set on an incomplete day: its open, close and range cover only part of it,
	// which a reader must be told. A day is incomplete only while it is today, or when the
	// start of the series' stored history cuts it (its first stored hour is not 00:00). A
	// day missing a few hours inside the history is complete and says how many it holds:
	// CoinGecko leaves such gaps in real data (2 of 29 days of a recorded month), and later
	// runs ask for the missing hours again. prices_daily cannot keep the flag, since today
	// moves; the store applies the rule (store.partialDay) to every daily row it reads.
	Partial bool
}
