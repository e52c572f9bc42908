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
// through StoreHourly; as one bare COPY of the same hours, packed a day to a row, into
// prices_hourly_packed itself (the same constrained table, foreign keys checked row by row);
// and as one COPY of a row per hour into a table shaped as prices_hourly was before
// migration 00012 (text keys, foreign keys, checks), the \copy the issue measured against.
// Each runs as the superuser and as a role that owns the database but is no superuser, as
// RDS's master user. `make bench` names the sizes with -bench, e.g.
// 'Store_Write/coins=11/days=90'.
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

func newBenchStore(b testing.TB, nCoins int, owner bool) (*store.Store, string, []domain.Series) {
	b.Helper()
	url := storetest.NewMigratedURL(b)
	if owner {
		url = storetest.AsOwner(b, url)
	}
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
	if err := st.EnsurePartitions(context.Background(), time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	return st, url, series
}

// oldHourlyTable is prices_hourly as it was before migration 00012: a row per hour.
const oldHourlyTable = `CREATE TABLE prices_hourly_rows (
	coin_id text NOT NULL REFERENCES coins (id) ON DELETE CASCADE,
	currency_code text NOT NULL REFERENCES currencies (code) ON DELETE CASCADE,
	"timestamp" timestamptz NOT NULL CHECK (date_bin('1 hour', "timestamp", TIMESTAMPTZ '2000-01-01 00:00:00+00') = "timestamp"),
	price double precision NOT NULL CHECK (price > 0 AND price < 'Infinity'::float8),
	market_cap double precision,
	total_volume double precision,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (coin_id, currency_code, "timestamp"))`

func BenchmarkStore_Write(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("coins=%d/days=%d", size.coins, size.days), func(b *testing.B) {
			rows := float64(size.coins * benchCurrencies * size.days * 24)
			for _, role := range []string{"superuser", "owner"} {
				owner := role == "owner"
				b.Run("role="+role, func(b *testing.B) {
					b.Run("storehourly", func(b *testing.B) {
						benchStoreHourly(b, size.coins, size.days, owner)
						b.ReportMetric(rows, "rows/op")
					})
					b.Run("copy-packed", func(b *testing.B) {
						benchCopyPacked(b, size.coins, size.days, owner)
						b.ReportMetric(rows, "rows/op")
					})
					b.Run("copy-rows", func(b *testing.B) {
						benchCopyRows(b, size.coins, size.days, owner)
						b.ReportMetric(rows, "rows/op")
					})
				})
			}
		})
	}
}

// benchStoreHourly stores every series in windows of 90 days, each window in its own
// transaction with its daily rows, as a backfill does.
func benchStoreHourly(b *testing.B, nCoins, days int, owner bool) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		st, _, series := newBenchStore(b, nCoins, owner)
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
		if err := st.FlushDataVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCopyPacked is the floor in the same table: the same hours, packed a day to a row as
// StoreHourly packs them, COPYed in one statement, with no daily rows.
func benchCopyPacked(b *testing.B, nCoins, days int, owner bool) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		_, url, series := newBenchStore(b, nCoins, owner)
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		var rows [][]any
		for i, s := range series {
			var coinKey int32
			var currencyKey int16
			if err := conn.QueryRow(ctx, `SELECT c.key, cu.key FROM coins c, currencies cu WHERE c.id = $1 AND cu.code = $2`,
				s.CoinID, s.CurrencyCode).Scan(&coinKey, &currencyKey); err != nil {
				b.Fatal(err)
			}
			hours := benchHoursOf(i, days)
			for d := 0; d < len(hours); d += 24 {
				price, marketCap, volume := make([]*float64, 24), make([]*float64, 24), make([]*float64, 24)
				for h := range 24 {
					p := hours[d+h].Price
					price[h], marketCap[h], volume[h] = &p, hours[d+h].MarketCap, hours[d+h].TotalVolume
				}
				rows = append(rows, []any{coinKey, currencyKey, domain.UTCDay(hours[d].Time), price, marketCap, volume})
			}
		}
		b.StartTimer()
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"prices_hourly_packed"},
			[]string{"coin_key", "currency_key", "date", "price", "market_cap", "total_volume"},
			pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		conn.Close(ctx)
		b.StartTimer()
	}
}

// benchCopyRows is the floor the issue measured against: the same hours a row each, COPYed
// in one statement into a table shaped as prices_hourly was, with no daily rows.
func benchCopyRows(b *testing.B, nCoins, days int, owner bool) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		_, url, series := newBenchStore(b, nCoins, owner)
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := conn.Exec(ctx, oldHourlyTable); err != nil {
			b.Fatal(err)
		}
		var rows [][]any
		for i, s := range series {
			for _, h := range benchHoursOf(i, days) {
				rows = append(rows, []any{s.CoinID, s.CurrencyCode, h.Time, h.Price, h.MarketCap, h.TotalVolume})
			}
		}
		b.StartTimer()
		if _, err := conn.CopyFrom(ctx, pgx.Identifier{"prices_hourly_rows"},
			[]string{"coin_id", "currency_code", "timestamp", "price", "market_cap", "total_volume"},
			pgx.CopyFromRows(rows)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		conn.Close(ctx)
		b.StartTimer()
	}
}
