package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// The Next.js system this replaces stored 44 series x 90 days of hours (95,040 rows). These
// benchmarks write that workload and larger ones (a year of hours; ten times the coins)
// three ways, in turn for each size so that a noisy machine weighs on all three alike:
// through StoreHourly, and as one bare COPY of the same rows into prices_hourly itself
// (foreign keys checked row by row) and into a table shaped like it without foreign keys.
// `make bench` names the sizes with -bench, e.g. 'Store_Write/coins=11/days=90'.
const benchCurrencies = 4

var benchSizes = []struct{ coins, days int }{{11, 90}, {11, 365}, {110, 90}}

func benchSeries(nCoins int) ([]domain.Coin, []domain.Currency, []domain.Series) {
	var coins []domain.Coin
	var currencies []domain.Currency
	var series []domain.Series
	for i := range nCoins {
		coins = append(coins, domain.Coin{ID: fmt.Sprintf("coin-%d", i), Symbol: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Coin %d", i)})
	}
	for i := range benchCurrencies {
		currencies = append(currencies, domain.Currency{Code: fmt.Sprintf("cu%c", 'a'+i), Name: fmt.Sprintf("Currency %d", i)})
	}
	for _, c := range coins {
		for _, cur := range currencies {
			series = append(series, domain.Series{CoinID: c.ID, CurrencyCode: cur.Code})
		}
	}
	return coins, currencies, series
}

func benchHoursOf(i, days int) []domain.Sample {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]domain.Sample, days*24)
	for h := range out {
		mc := float64(h) * 1e6
		out[h] = domain.Sample{Time: start.Add(time.Duration(h) * time.Hour), Price: 100 + float64(i) + float64(h)/7, MarketCap: &mc, TotalVolume: &mc}
	}
	return out
}

func newBenchStore(b testing.TB, nCoins int) (*store.Store, string, []domain.Series) {
	b.Helper()
	url := storetest.NewMigratedURL(b)
	st, err := store.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	coins, currencies, series := benchSeries(nCoins)
	if err := st.UpsertCoins(context.Background(), coins); err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertCurrencies(context.Background(), currencies); err != nil {
		b.Fatal(err)
	}
	return st, url, series
}

func BenchmarkStore_Write(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("coins=%d/days=%d", size.coins, size.days), func(b *testing.B) {
			rows := float64(size.coins * benchCurrencies * size.days * 24)
			b.Run("storehourly", func(b *testing.B) {
				benchStoreHourly(b, size.coins, size.days)
				b.ReportMetric(rows, "rows/op")
			})
			b.Run("copy-constrained", func(b *testing.B) {
				benchRawCopy(b, size.coins, size.days, "prices_hourly", "")
				b.ReportMetric(rows, "rows/op")
			})
			b.Run("copy-bare", func(b *testing.B) {
				benchRawCopy(b, size.coins, size.days, "raw_copy", `CREATE TABLE raw_copy (LIKE prices_hourly INCLUDING DEFAULTS INCLUDING INDEXES)`)
				b.ReportMetric(rows, "rows/op")
			})
		})
	}
}

// benchStoreHourly stores every series in windows of 90 days, each window in its own
// transaction with its daily rows, as a backfill does.
func benchStoreHourly(b *testing.B, nCoins, days int) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		st, _, series := newBenchStore(b, nCoins)
		hours := make([][]domain.Sample, len(series))
		for i := range series {
			hours[i] = benchHoursOf(i, days)
		}
		b.StartTimer()
		for i, s := range series {
			for end := len(hours[i]); end > 0; end -= 90 * 24 {
				if _, err := st.StoreHourly(ctx, s, hours[i][max(0, end-90*24):end]); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// benchRawCopy is the floor: the same rows COPYed in one statement, with no upsert and no
// daily rows.
func benchRawCopy(b *testing.B, nCoins, days int, table, create string) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		_, url, series := newBenchStore(b, nCoins)
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		if create != "" {
			if _, err := conn.Exec(ctx, create); err != nil {
				b.Fatal(err)
			}
		}
		var rows [][]any
		for i, s := range series {
			for _, h := range benchHoursOf(i, days) {
				rows = append(rows, []any{s.CoinID, s.CurrencyCode, h.Time, h.Price, h.MarketCap, h.TotalVolume})
			}
		}
		b.StartTimer()
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{table},
			[]string{"coin_id", "currency_code", "timestamp", "price", "market_cap", "total_volume"},
			pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		conn.Close(ctx)
		b.StartTimer()
	}
}
