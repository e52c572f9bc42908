package pipeline

import (
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
)

func TestPlanSeries(t *testing.T) {
	s := domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"}
	now := time.Date(2026, 11, 20, 14, 37, 12, 0, time.UTC)
	historyStart := now.AddDate(0, 0, -365).Add(time.Hour)
	hour := func(t time.Time) time.Time { return t.Truncate(time.Hour) }
	cases := []struct {
		name    string
		span    store.Span
		stored  bool
		windows int
		// covered is the span the windows must cover without gaps or overlaps.
		from, to time.Time
		open     bool
	}{
		{name: "empty series gets its whole history", windows: 5,
			from: hour(historyStart), to: hour(now).Add(time.Hour)},
		{name: "complete series gets the tail and overlap", stored: true,
			span:    store.Span{First: hour(historyStart), Last: hour(now).Add(-3 * time.Hour)},
			windows: 1, from: hour(now).Add(-51 * time.Hour), to: hour(now).Add(time.Hour)},
		{name: "interrupted backfill also gets what is missing before the first hour", stored: true,
			span:    store.Span{First: hour(now).AddDate(0, 0, -100), Last: hour(now)},
			windows: 1 + 3, from: hour(historyStart), to: hour(now).Add(time.Hour)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ws := planSeries(s, tc.span, tc.stored, historyStart, now, 48*time.Hour)
			if len(ws) != tc.windows {
				t.Fatalf("%d windows %+v, want %d", len(ws), ws, tc.windows)
			}
			if !ws[0].Open {
				t.Error("the newest window must reach now")
			}
			var total time.Duration
			for i, w := range ws {
				if w.To.Sub(w.From) > MaxWindow || !w.From.Before(w.To) {
					t.Errorf("window %d %s..%s", i, w.From, w.To)
				}
				if w.From.Minute() != 0 || w.To.Minute() != 0 {
					t.Errorf("window %d is not on whole hours", i)
				}
				if i > 0 && w.Open {
					t.Errorf("window %d is open", i)
				}
				total += w.To.Sub(w.From)
			}
			oldest := ws[len(ws)-1].From
			if !oldest.Equal(tc.from) || !ws[0].To.Equal(tc.to) {
				t.Errorf("windows cover %s..%s, want %s..%s", oldest, ws[0].To, tc.from, tc.to)
			}
			if tc.stored && tc.span.First.After(historyStart.Add(time.Hour)) {
				// The tail and the older part together may leave the stored middle out.
				return
			}
			if total != tc.to.Sub(tc.from) {
				t.Errorf("windows add up to %s, want %s with no overlap", total, tc.to.Sub(tc.from))
			}
		})
	}
}

func TestWindowWithin(t *testing.T) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w := window{From: from, To: from.Add(2 * time.Hour)}
	samples := []domain.Sample{
		{Time: from.Add(-time.Second), Price: 1},
		{Time: from, Price: 2},
		{Time: from.Add(119 * time.Minute), Price: 3},
		{Time: from.Add(2 * time.Hour), Price: 4},
	}
	got := w.within(samples)
	if len(got) != 2 || got[0].Price != 2 || got[1].Price != 3 {
		t.Errorf("closed window kept %+v; the hour at To belongs to the next window", got)
	}
	w.Open = true
	if got := w.within(samples); len(got) != 3 {
		t.Errorf("open window kept %+v, want everything from From on", got)
	}
}
