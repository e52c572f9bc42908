package pipeline

import (
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// MaxWindow is the longest range asked of CoinGecko at once: above 90 days it answers daily
// points instead of hourly ones.
const MaxWindow = 90 * 24 * time.Hour

// fetchWindow is one CoinGecko call of a run: a series over a range of at most MaxWindow.
// Boundaries fall on whole hours so that every hour is owned by exactly one window; otherwise
// an older window fetched later could overwrite an hour's latest sample with an earlier one.
type fetchWindow struct {
	Series domain.Series
	Range  domain.Range
	// Open means the window reaches now: its last sample is the live price, kept however
	// late in the hour it falls.
	Open bool
}

// minHoleWindow is the shortest window asked for to fill holes: CoinGecko answers a range of
// a day or less in 5-minute points, or not at all that far back, where the store wants hours.
const minHoleWindow = 49 * time.Hour

// planHoles lists the windows that ask again for a series' holes (newest first), each taking
// in as many older holes as fit in MaxWindow and widened to minHoleWindow, within
// [historyStart, tail): from tail on, the series' tail window fetches everything anyway.
func planHoles(series domain.Series, holes []domain.Range, historyStart, tail time.Time) []fetchWindow {
	historyStart = historyStart.UTC().Truncate(time.Hour).Add(time.Hour)
	var out []fetchWindow
	for i := 0; i < len(holes); {
		h := holes[i]
		i++
		if h.End.After(tail) {
			h.End = tail
		}
		if !h.End.After(h.Start) {
			continue
		}
		w := fetchWindow{Series: series, Range: h}
		for ; i < len(holes) && w.Range.End.Sub(holes[i].Start) <= MaxWindow; i++ {
			w.Range.Start = holes[i].Start
		}
		if w.Range.End.Sub(w.Range.Start) < minHoleWindow {
			w.Range.Start = w.Range.End.Add(-minHoleWindow)
			if w.Range.Start.Before(historyStart) {
				w.Range.Start = historyStart
				if end := historyStart.Add(minHoleWindow); end.Before(tail) {
					w.Range.End = end
				} else {
					w.Range.End = tail
				}
			}
		}
		out = append(out, w)
	}
	return out
}

// planWindows splits [start, end) into windows of at most MaxWindow, newest first. With open,
// end is now and the newest window reaches the live price.
func planWindows(series domain.Series, start, end time.Time, open bool) []fetchWindow {
	start = start.UTC().Truncate(time.Hour)
	if open {
		end = end.UTC().Truncate(time.Hour).Add(time.Hour)
	} else {
		end = end.UTC().Truncate(time.Hour)
	}
	var out []fetchWindow
	for to := end; to.After(start); to = to.Add(-MaxWindow) {
		from := to.Add(-MaxWindow)
		if from.Before(start) {
			from = start
		}
		out = append(out, fetchWindow{Series: series, Range: domain.Range{Start: from, End: to}, Open: open && to.Equal(end)})
	}
	return out
}

// planSeries lists the windows one run fetches for a series: the tail from the last stored hour
// minus overlap up to now, then, when an earlier run stopped before reaching historyStart (a
// shutdown, or an older window that failed), the history still missing before the first
// stored hour. A series with nothing stored gets its whole history.
func planSeries(series domain.Series, stored domain.Range, hasStored bool, historyStart, now time.Time, overlap time.Duration) []fetchWindow {
	if !hasStored {
		return planWindows(series, historyStart, now, true)
	}
	tail := tailStart(stored, historyStart, overlap)
	out := planWindows(series, tail, now, true)
	// An hour of slack keeps the oldest stored hour, which sits right at historyStart after a
	// complete backfill, from asking for a sliver every run.
	if stored.Start.After(historyStart.Add(time.Hour)) && stored.Start.Before(tail) {
		out = append(out, planWindows(series, historyStart, stored.Start, false)...)
	}
	return out
}

// tailStart is where the window a run fetches for every stored series starts: the last stored
// hour minus the overlap, or the history start.
func tailStart(stored domain.Range, historyStart time.Time, overlap time.Duration) time.Time {
	tail := stored.LastHour().Add(-overlap)
	if tail.Before(historyStart) {
		tail = historyStart
	}
	return tail.UTC().Truncate(time.Hour)
}

// requestRange is what to ask CoinGecko for. An open window asks up to now; a closed one up to
// its end.
func (w fetchWindow) requestRange(now time.Time) (from, to time.Time) {
	if w.Open {
		return w.Range.Start, now
	}
	return w.Range.Start, w.Range.End
}

// keep says which samples of the window's answer, given the end of its request, are kept.
// Plausible samples lie from the request's start to an hour past its end, since the live
// price may be stamped a little after our clock and no later sample is a real one; anything
// else is bad data. A closed window owns only its own range: the point at its end comes back
// too, as the upstream range is inclusive, and belongs to the next window.
func (w fetchWindow) keep(to time.Time) domain.Window {
	asked := domain.Range{Start: w.Range.Start, End: to.Add(time.Hour)}
	if w.Open {
		return domain.Window{Asked: asked, Own: asked}
	}
	return domain.Window{Asked: asked, Own: w.Range}
}
