package domain

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"
)

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

// WriteCandlesCSV writes a series' days as CSV: each day's open, high, low and close, its
// stored hours, whether it is partial, and the rolling 24-hour volume and market cap read at
// its last stored hour (ends, by day; empty where the source sent none). Numbers are written
// at full precision, as the price CSVs write them.
func WriteCandlesCSV(w io.Writer, candles []Candle, ends map[time.Time]Sample) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"date", "open", "high", "low", "close", ColHours, ColPartial, "total_volume", "market_cap"}); err != nil {
		return err
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	opt := func(v *float64) string {
		if v == nil {
			return ""
		}
		return num(*v)
	}
	for _, c := range candles {
		e := ends[c.Day]
		if err := cw.Write([]string{c.Day.Format(DayLayout), num(c.Open), num(c.High), num(c.Low), num(c.Close),
			strconv.Itoa(c.Samples), strconv.FormatBool(c.Partial), opt(e.TotalVolume), opt(e.MarketCap)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
