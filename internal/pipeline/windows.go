package pipeline

import (
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// MaxWindow is the longest range asked of CoinGecko at once: above 90 days it answers daily
// points instead of hourly ones.
const MaxWindow = 90 * 24 * time.Hour

// window is a half-open range [From, To) of one series. Boundaries fall on whole hours so
// that every hour is owned by exactly one window; otherwise an older window fetched later
// could overwrite an hour's latest sample with an earlier one.
type window struct {
	Series domain.Series
	From   time.Time
	To     time.Time
	// Open means the window reaches now: its last sample is the live price, kept however
	// late in the hour it falls.
	Open bool
}

// planWindows splits [start, now] into windows of at most MaxWindow, newest first.
func planWindows(series domain.Series, start, now time.Time) []window {
	start = start.UTC().Truncate(time.Hour)
	end := now.UTC().Truncate(time.Hour).Add(time.Hour)
	var out []window
	for to := end; to.After(start); to = to.Add(-MaxWindow) {
		from := to.Add(-MaxWindow)
		if from.Before(start) {
			from = start
		}
		out = append(out, window{Series: series, From: from, To: to, Open: to.Equal(end)})
	}
	return out
}

// within keeps the samples a window owns.
func (w window) within(samples []domain.Sample) []domain.Sample {
	out := samples[:0:0]
	for _, s := range samples {
		if !s.Time.Before(w.From) && (w.Open || s.Time.Before(w.To)) {
			out = append(out, s)
		}
	}
	return out
}

// requestRange is what to ask CoinGecko for. An open window asks up to now; a closed one up to
// its end. The upstream range is inclusive, so a point exactly at To may come back; within
// drops it.
func (w window) requestRange(now time.Time) (from, to time.Time) {
	if w.Open {
		return w.From, now
	}
	return w.From, w.To
}
