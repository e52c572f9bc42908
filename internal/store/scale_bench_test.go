package store_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/cryptodash/cryptodash/internal/daily"
	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
)

// The 1,000-coin database: .ci/bench/scale builds it once (1,000 coins x 10 currencies x 365
// days of hours) and runs these against it with CRYPTODASH_SCALE_DATABASE_URL set; without
// it they are skipped. `go test -run '^$' -bench Scale_ ./internal/store/`.
func scaleStore(b *testing.B) *store.Store {
	b.Helper()
	url := os.Getenv("CRYPTODASH_SCALE_DATABASE_URL")
	if url == "" {
		b.Skip("CRYPTODASH_SCALE_DATABASE_URL names no 1,000-coin database (.ci/bench/scale builds one)")
	}
	st, err := store.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	return st
}

// scaleLastDay is the newest stored day.
func scaleLastDay(b *testing.B, st *store.Store) time.Time {
	b.Helper()
	latest, err := st.LatestHour(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return domain.UTCDay(latest)
}

func BenchmarkScale_Reads(b *testing.B) {
	st := scaleStore(b)
	ctx := context.Background()
	last := scaleLastDay(b, st)
	coins := []string{"bitcoin", "ethereum", "solana", "cardano", "ripple", "polkadot", "dogecoin", "avalanche-2", "chainlink", "uniswap"}
	year := domain.PriceQuery{CoinIDs: coins, CurrencyCodes: []string{"usd", "try", "eur"},
		Range:       domain.Range{Start: last.AddDate(0, 0, -364), End: last.AddDate(0, 0, 1)},
		Granularity: domain.Daily, Breakdown: domain.Breakdown{Date: true, Coin: true, Currency: true}, Today: last.AddDate(0, 0, 1)}
	day := year
	day.Range = domain.Range{Start: last.Add(-24 * time.Hour), End: last.Add(24 * time.Hour)}
	day.Granularity = domain.Hourly
	held := daily.New(st, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if _, ok, err := held.Bytes(ctx); err != nil || !ok {
		b.Fatalf("daily series not held (%t): %v", ok, err)
	}
	cases := []struct {
		name string
		read func() (int, error)
	}{
		{"prices-daily-1y-10x3", func() (int, error) { rows, err := st.Prices(ctx, year); return len(rows), err }},
		// What a miss of the app asks: the same rows from the daily series it holds in memory.
		{"held-daily-1y-10x3", func() (int, error) { rows, err := held.Prices(ctx, year); return len(rows), err }},
		{"prices-hourly-2d-10x3", func() (int, error) { rows, err := st.Prices(ctx, day); return len(rows), err }},
		{"counts", func() (int, error) { c, err := st.Counts(ctx); return int(c.HourlyRows), err }},
		{"latest-hour", func() (int, error) { _, err := st.LatestHour(ctx); return 1, err }},
		{"catalog", func() (int, error) { c, err := st.Catalog(ctx); return len(c.Coins), err }},
		{"freshness", func() (int, error) {
			f, err := st.Freshness(ctx, last.Add(-26*time.Hour), 100)
			return len(f.Listed), err
		}},
		{"coin-ohlc-1y", func() (int, error) {
			c, err := st.DailyOHLC(ctx, domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"}, year.Range, year.Today)
			return len(c), err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var n int
			for range b.N {
				var err error
				if n, err = c.read(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "rows")
		})
	}
}

// BenchmarkScale_DailyRun stores what a daily run stores for every series: the last two days
// fetched again (an overlap of a day, whose hours are unchanged) and the newest day's hours
// changed, so every series' newest day is merged, rewritten and re-aggregated.
func BenchmarkScale_DailyRun(b *testing.B) {
	st := scaleStore(b)
	ctx := context.Background()
	last := scaleLastDay(b, st)
	coins, err := st.Coins(ctx)
	if err != nil {
		b.Fatal(err)
	}
	currencies, err := st.Currencies(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var series []domain.Series
	for _, c := range coins {
		for _, cur := range currencies {
			series = append(series, domain.Series{CoinID: c.ID, CurrencyCode: cur.Code})
		}
	}
	window := domain.Range{Start: last.Add(-24 * time.Hour), End: last.Add(24 * time.Hour)}
	for i := range b.N {
		var written int64
		for _, s := range series {
			b.StopTimer()
			hours, err := st.HourlyPrices(ctx, s, window)
			if err != nil {
				b.Fatal(err)
			}
			for h := range hours {
				if !hours[h].Time.Before(last) {
					// Up or down by a part in a billion, alternating by round, so the data
					// stays where it was however often this runs.
					hours[h].Price *= 1 + float64(1-2*(i%2))*1e-9
				}
			}
			b.StartTimer()
			n, err := st.StoreHourly(ctx, s, hours)
			if err != nil {
				b.Fatal(err)
			}
			written += n
		}
		if err := st.FlushDataVersion(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(series)), "series")
		b.ReportMetric(float64(written), "hours-changed")
	}
}
