package pipeline

import (
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
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

// planWindows splits [start, end) into windows of at most MaxWindow, newest first. With open,
// end is now and the newest window reaches the live price.
func planWindows(series domain.Series, start, end time.Time, open bool) []window {
	start = start.UTC().Truncate(time.Hour)
	if open {
		end = end.UTC().Truncate(time.Hour).Add(time.Hour)
	} else {
		end = end.UTC().Truncate(time.Hour)
	}
	var out []window
	for to := end; to.After(start); to = to.Add(-MaxWindow) {
		from := to.Add(-MaxWindow)
		if from.Before(start) {
			from = start
		}
		out = append(out, window{Series: series, From: from, To: to, Open: open && to.Equal(end)})
	}
	return out
}

// planSeries lists the windows one run fetches for a series: the tail from the last stored hour
// minus overlap up to now, then, when an earlier run stopped before reaching historyStart (a
// shutdown, or an older window that failed), the history still missing before the first
// stored hour. A series with nothing stored gets its whole history.
func planSeries(series domain.Series, span store.Span, stored bool, historyStart, now time.Time, overlap time.Duration) []window {
	if !stored {
		return planWindows(series, historyStart, now, true)
	}
	tail := span.Last.Add(-overlap)
	if tail.Before(historyStart) {
		tail = historyStart
	}
	out := planWindows(series, tail, now, true)
	// An hour of slack keeps the oldest stored hour, which sits right at historyStart after a
	// complete backfill, from asking for a sliver every run.
	if span.First.After(historyStart.Add(time.Hour)) && span.First.Before(tail) {
		out = append(out, planWindows(series, historyStart, span.First, false)...)
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
