package analytics_test

import (
	"math"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/analytics"
	"github.com/cryptodash/cryptodash/internal/testkit"
)

func at(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }

func TestChange(t *testing.T) {
	for _, tc := range []struct {
		name        string
		first, last float64
		want        float64
	}{
		{"rise is a positive fraction", 100, 125, 0.25},
		{"fall is a negative fraction", 200, 150, -0.25},
		{"no move", 3, 3, 0},
		{"a tiny move stays a fraction", 100_000, 100_001, 0.00001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := analytics.Change(tc.first, tc.last); !testkit.Near(got, tc.want) {
				t.Fatalf("Change(%v, %v) = %v, want %v", tc.first, tc.last, got, tc.want)
			}
		})
	}
	t.Run("no first value is no change", func(t *testing.T) {
		if got := analytics.Change(0, 5); !math.IsNaN(got) {
			t.Fatalf("Change(0, 5) = %v, want NaN", got)
		}
	})
}

func TestHighLow(t *testing.T) {
	high, low := analytics.HighLow([]analytics.Point{{at(1, 0), 5}, {at(1, 1), 9}, {at(1, 2), 1}, {at(1, 3), 9}, {at(1, 4), 1}})
	if high.Value != 9 || !high.Time.Equal(at(1, 1)) || low.Value != 1 || !low.Time.Equal(at(1, 2)) {
		t.Fatalf("HighLow = %+v, %+v; want 9 at 01:00 and 1 at 02:00 (the earliest of a tie)", high, low)
	}
	if h, l := analytics.HighLow(nil); !h.Time.IsZero() || !l.Time.IsZero() {
		t.Fatalf("HighLow(nil) = %+v, %+v; want zero points", h, l)
	}
}

func TestVolatility(t *testing.T) {
	t.Run("sample deviation of log returns, annualised over 365 days", func(t *testing.T) {
		closes := []float64{100, 110, 99, 108.9}
		// Returns ln 1.1, ln 0.9, ln 1.1: mean m, deviation over n-1 = 2.
		r := []float64{math.Log(1.1), math.Log(0.9), math.Log(1.1)}
		m := (r[0] + r[1] + r[2]) / 3
		sd := math.Sqrt(((r[0]-m)*(r[0]-m) + (r[1]-m)*(r[1]-m) + (r[2]-m)*(r[2]-m)) / 2)
		got, n := analytics.Volatility(closes)
		if n != 3 || !testkit.Near(got, sd*math.Sqrt(365)) {
			t.Fatalf("Volatility = %v over %d returns, want %v over 3", got, n, sd*math.Sqrt(365))
		}
	})
	t.Run("fewer than two returns have none", func(t *testing.T) {
		for _, closes := range [][]float64{nil, {1}, {1, 2}} {
			if got, n := analytics.Volatility(closes); !math.IsNaN(got) || n != max(len(closes)-1, 0) {
				t.Fatalf("Volatility(%v) = %v over %d, want NaN", closes, got, n)
			}
		}
	})
}

func TestDrawdown(t *testing.T) {
	for _, tc := range []struct {
		name         string
		values       []float64
		want         float64
		peak, trough int
	}{
		{"largest fall from a running peak", []float64{100, 120, 90, 130, 104}, -0.25, 1, 2},
		{"never falls", []float64{1, 2, 3}, 0, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dd, peak, trough := analytics.Drawdown(tc.values)
			if !testkit.Near(dd, tc.want) || peak != tc.peak || trough != tc.trough {
				t.Fatalf("Drawdown = %v (%d→%d), want %v (%d→%d)", dd, peak, trough, tc.want, tc.peak, tc.trough)
			}
		})
	}
	if dd, _, _ := analytics.Drawdown(nil); !math.IsNaN(dd) {
		t.Fatalf("Drawdown(nil) = %v, want NaN", dd)
	}
}

func TestDayPartial(t *testing.T) {
	today := at(20, 14)
	for _, tc := range []struct {
		name       string
		day, first time.Time
		want       bool
	}{
		{"today is incomplete", at(20, 0), at(1, 0), true},
		{"a day inside the history is complete", at(10, 0), at(1, 0), false},
		{"the first day cut by the start of the history", at(1, 0), at(1, 15), true},
		{"a history starting at midnight cuts nothing", at(1, 0), at(1, 0), false},
		{"a day before today with no history known", at(19, 0), time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := analytics.DayPartial(tc.day, today, tc.first); got != tc.want {
				t.Fatalf("DayPartial(%s) = %v, want %v", tc.day.Format(time.DateOnly), got, tc.want)
			}
		})
	}
}

func TestWindows(t *testing.T) {
	newest := at(20, 13)
	if s, e := analytics.HoursWindow(newest); !s.Equal(at(19, 14)) || !e.Equal(at(20, 14)) {
		t.Fatalf("HoursWindow = %s..%s, want the 24 hours through 13:00", s, e)
	}
	if s, e := analytics.DaysWindow(newest, 7); !s.Equal(at(14, 0)) || !e.Equal(at(21, 0)) {
		t.Fatalf("DaysWindow = %s..%s, want the 7 days through the 20th", s, e)
	}
	if got := analytics.ReturnFrom(newest, 24*time.Hour); !got.Equal(at(19, 13)) {
		t.Fatalf("ReturnFrom 24h = %s, want a day before the newest hour", got)
	}
}

func TestQuote(t *testing.T) {
	coin := []analytics.Point{{at(1, 0), 10}, {at(1, 1), 12}, {at(1, 2), 14}, {at(1, 4), 8}}
	btc := []analytics.Point{{at(1, 0), 100}, {at(1, 2), 70}, {at(1, 3), 80}, {at(1, 4), 80}}
	got := analytics.Quote(coin, btc)
	want := []analytics.Quoted{{at(1, 0), 0.1, 100}, {at(1, 2), 0.2, 70}, {at(1, 4), 0.1, 80}}
	if len(got) != len(want) {
		t.Fatalf("Quote = %+v, want %+v: an hour missing on either side is a gap", got, want)
	}
	for i := range want {
		if !got[i].Time.Equal(want[i].Time) || !testkit.Near(got[i].Value, want[i].Value) || got[i].Per != want[i].Per {
			t.Fatalf("Quote[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
