package pipeline

import (
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
)

func TestPlanSeries(t *testing.T) {
	t.Parallel()
	s := domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"}
	now := time.Date(2026, 11, 20, 14, 37, 12, 0, time.UTC)
	historyStart := now.AddDate(0, 0, -365).Add(time.Hour)
	hour := func(t time.Time) time.Time { return t.Truncate(time.Hour) }
	cases := []struct {
		name    string
		stored  domain.Range
		has     bool
		windows int
		// covered is the span the windows must cover without gaps or overlaps.
		from, to time.Time
		open     bool
	}{
		{name: "empty series gets its whole history", windows: 5,
			from: hour(historyStart), to: hour(now).Add(time.Hour)},
		{name: "complete series gets the tail and overlap", has: true,
			stored:  domain.Range{Start: hour(historyStart), End: hour(now).Add(-2 * time.Hour)},
			windows: 1, from: hour(now).Add(-51 * time.Hour), to: hour(now).Add(time.Hour)},
		{name: "interrupted backfill also gets what is missing before the first hour", has: true,
			stored:  domain.Range{Start: hour(now).AddDate(0, 0, -100), End: hour(now).Add(time.Hour)},
			windows: 1 + 3, from: hour(historyStart), to: hour(now).Add(time.Hour)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := planSeries(s, tc.stored, tc.has, historyStart, now, 48*time.Hour)
			if len(ws) != tc.windows {
				t.Fatalf("%d windows %+v, want %d", len(ws), ws, tc.windows)
			}
			if !ws[0].Open {
				t.Error("the newest window must reach now")
			}
			var total time.Duration
			for i, w := range ws {
				if w.Range.End.Sub(w.Range.Start) > MaxWindow || w.Range.Empty() {
					t.Errorf("window %d %s", i, w.Range)
				}
				if w.Range.Start.Minute() != 0 || w.Range.End.Minute() != 0 {
					t.Errorf("window %d is not on whole hours", i)
				}
				if i > 0 && w.Open {
					t.Errorf("window %d is open", i)
				}
				total += w.Range.End.Sub(w.Range.Start)
			}
			oldest := ws[len(ws)-1].Range.Start
			if !oldest.Equal(tc.from) || !ws[0].Range.End.Equal(tc.to) {
				t.Errorf("windows cover %s..%s, want %s..%s", oldest, ws[0].Range.End, tc.from, tc.to)
			}
			if tc.has && tc.stored.Start.After(historyStart.Add(time.Hour)) {
				// The tail and the older part together may leave the stored middle out.
				return
			}
			if total != tc.to.Sub(tc.from) {
				t.Errorf("windows add up to %s, want %s with no overlap", total, tc.to.Sub(tc.from))
			}
		})
	}
}

func TestWindowKeep(t *testing.T) {
	t.Parallel()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := fetchWindow{Range: domain.Range{Start: from, End: from.Add(2 * time.Hour)}}
	samples := []domain.Sample{
		{Time: from.Add(-time.Second), Price: 1},
		{Time: from, Price: 2},
		{Time: from.Add(119 * time.Minute), Price: 3},
		{Time: from.Add(2 * time.Hour), Price: 4},
		{Time: from.Add(3*time.Hour + time.Second), Price: 5},
	}
	_, to := w.requestRange(from.Add(2 * time.Hour))
	hours, dropped := domain.BucketHourly(samples, w.keep(to))
	if len(hours) != 2 || hours[0].Price != 2 || hours[1].Price != 3 {
		t.Errorf("closed window kept %+v; the hour at its end belongs to the next window", hours)
	}
	if dropped.Early != 1 || dropped.Late != 1 || dropped.Total() != 2 {
		t.Errorf("closed window dropped %+v, want the sample before its start and the one over an hour past its end; "+
			"the one at its end is the next window's, not bad data", dropped)
	}
	w.Open = true
	_, to = w.requestRange(from.Add(2 * time.Hour))
	if hours, dropped := domain.BucketHourly(samples, w.keep(to)); len(hours) != 3 || dropped.Total() != 2 {
		t.Errorf("open window kept %+v and dropped %+v, want everything from its start to an hour past now", hours, dropped)
	}
}
