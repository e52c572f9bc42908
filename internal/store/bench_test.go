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

// The Next.js system this replaces stored 44 series x 90 days of hours; these benchmarks store
// the same 95,040 rows, once through StoreHourly and once as a bare COPY for comparison.
const (
	benchCoins      = 11
	benchCurrencies = 4
	benchHours      = 90 * 24
)

func benchSeries() ([]domain.Coin, []domain.Currency, []domain.Series) {
	var coins []domain.Coin
	var currencies []domain.Currency
	var series []domain.Series
	for i := range benchCoins {
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

func benchHoursOf(i int) []domain.Sample {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]domain.Sample, benchHours)
	for h := range out {
		mc := float64(h) * 1e6
		out[h] = domain.Sample{Time: start.Add(time.Duration(h) * time.Hour), Price: 100 + float64(i) + float64(h)/7, MarketCap: &mc, TotalVolume: &mc}
	}
	return out
}

func newBenchStore(b testing.TB) (*store.Store, string, []domain.Series) {
	b.Helper()
	url := storetest.NewURL(b)
	st, err := store.Open(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	if _, err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	coins, currencies, series := benchSeries()
	if err := st.UpsertCoins(context.Background(), coins); err != nil {
		b.Fatal(err)
	}
	if err := st.UpsertCurrencies(context.Background(), currencies); err != nil {
		b.Fatal(err)
	}
	return st, url, series
}

// BenchmarkStore_StoreHourly44x90Days stores 44 series of 90 days of hours, each in its own
// transaction with its daily rows recomputed: what a 90-day backfill writes.
func BenchmarkStore_StoreHourly44x90Days(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		st, _, series := newBenchStore(b)
		hours := make([][]domain.Sample, len(series))
		for i := range series {
			hours[i] = benchHoursOf(i)
		}
		b.StartTimer()
		for i, s := range series {
			if _, err := st.StoreHourly(ctx, s, hours[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(benchSeriesList())*benchHours), "rows/op")
}

// BenchmarkStore_RawCopy95040 is the floor: the same rows COPYed in one statement into an
// indexed table shaped like prices_hourly but without its foreign keys, with no upsert and no
// daily rows.
func BenchmarkStore_RawCopy95040(b *testing.B) {
	benchRawCopy(b, "raw_copy", `CREATE TABLE raw_copy (LIKE prices_hourly INCLUDING DEFAULTS INCLUDING INDEXES)`)
}

// BenchmarkStore_RawCopyWithForeignKeys95040 COPYes the same rows into prices_hourly itself,
// whose foreign keys PostgreSQL checks row by row: the floor for any write into that table.
func BenchmarkStore_RawCopyWithForeignKeys95040(b *testing.B) {
	benchRawCopy(b, "prices_hourly", "")
}

func benchRawCopy(b *testing.B, table, create string) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		_, url, series := newBenchStore(b)
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
			for _, h := range benchHoursOf(i) {
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

func benchSeriesList() []domain.Series {
	_, _, s := benchSeries()
	return s
}
