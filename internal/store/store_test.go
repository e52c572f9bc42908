package store_test

import (
	"context"
	"errors"
	"io/fs"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/store"
	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/migrations"
)

var (
	btcUSD = domain.Series{CoinID: "bitcoin", CurrencyCode: "usd"}
	day    = time.Date(2026, 5, 15, 0, 0, 0, 0, time.UTC)
)

// seeded returns a store with bitcoin and usd known, and a raw connection for checks.
func seeded(t *testing.T) (*store.Store, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url := storetest.NewMigratedURL(t)
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertCurrencies(ctx, []domain.Currency{{Code: "usd", Name: "US Dollar"}}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return st, conn
}

func hours(prices ...float64) []domain.Sample {
	out := make([]domain.Sample, len(prices))
	for i, p := range prices {
		out[i] = domain.Sample{Time: day.Add(time.Duration(i) * time.Hour), Price: p}
	}
	return out
}

func TestStore_Migrate(t *testing.T) {
	t.Parallel()
	s, err := store.Open(context.Background(), storetest.NewURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	if applied, err := s.Migrate(context.Background()); err != nil || len(applied) == 0 {
		t.Fatalf("first migrate applied %v, %v", applied, err)
	}
	applied, err := s.Migrate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v, want nothing", applied)
	}
}

func TestStore_OpenCreatesMissingDatabase(t *testing.T) {
	t.Parallel()
	url := storetest.NewURL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, storetest.ServerURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	cfg, _ := pgx.ParseConfig(url)
	if _, err := admin.Exec(ctx, "DROP DATABASE "+cfg.Database); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatalf("open on a missing database: %v", err)
	}
	st.Close()
}

func TestStore_SchemaRules(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	reject := func(t *testing.T, code, sql string, args ...any) {
		t.Helper()
		_, err := conn.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != code {
			t.Errorf("%s: err = %v, want SQLSTATE %s", sql, err, code)
		}
	}
	// Hours are stored a day to a row: a day's prices, market caps and volumes are arrays
	// of its 24 hours, NULL where an hour is missing.
	var coinKey, currencyKey int
	if err := conn.QueryRow(ctx, `SELECT c.key, cu.key FROM coins c, currencies cu WHERE c.id = 'bitcoin' AND cu.code = 'usd'`).
		Scan(&coinKey, &currencyKey); err != nil {
		t.Fatal(err)
	}
	if err := st.EnsurePartitions(ctx, day, day.AddDate(0, 0, 10)); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO prices_hourly_packed (coin_key, currency_key, date, price, market_cap, total_volume)
		VALUES ($1, $2, $3, array_fill($4::float8, ARRAY[$5::int]), array_fill(NULL::float8, ARRAY[24]), array_fill(NULL::float8, ARRAY[24]))`
	if _, err := conn.Exec(ctx, insert, coinKey, currencyKey, day, 1.5, 24); err != nil {
		t.Fatalf("market_cap and total_volume may be NULL: %v", err)
	}
	t.Run("one row per coin, currency and day", func(t *testing.T) {
		reject(t, "23505", insert, coinKey, currencyKey, day, 2.0, 24)
	})
	t.Run("prices reference known coins and currencies", func(t *testing.T) {
		reject(t, "23503", insert, coinKey+1000, currencyKey, day.AddDate(0, 0, 1), 1.0, 24)
		reject(t, "23503", insert, coinKey, currencyKey+1000, day.AddDate(0, 0, 1), 1.0, 24)
		reject(t, "23503", `INSERT INTO coin_metadata (coin_id) VALUES ('notacoin')`)
		reject(t, "23503", `INSERT INTO prices_daily_keyed (coin_key, currency_key, date, price, open, high, low, close, samples)
			VALUES ($1, $2, '2026-05-15', 1, 1, 1, 1, 1, 1)`, coinKey+1000, currencyKey)
		reject(t, "23503", `INSERT INTO prices_daily_keyed (coin_key, currency_key, date, price, open, high, low, close, samples)
			VALUES ($1, $2, '2026-05-15', 1, 1, 1, 1, 1, 1)`, coinKey, currencyKey+1000)
		reject(t, "23503", `INSERT INTO prices_daily (coin_id, currency_code, date, price, open, high, low, close, samples)
			VALUES ('notacoin', 'usd', '2026-05-15', 1, 1, 1, 1, 1, 1)`)
	})
	t.Run("a day holds 24 hours", func(t *testing.T) {
		reject(t, "23514", insert, coinKey, currencyKey, day.AddDate(0, 0, 2), 1.0, 25)
		reject(t, "23514", insert, coinKey, currencyKey, day.AddDate(0, 0, 2), 1.0, 23)
	})
	t.Run("a stored day has a price", func(t *testing.T) {
		reject(t, "23514", `INSERT INTO prices_hourly_packed (coin_key, currency_key, date, price, market_cap, total_volume)
			VALUES ($1, $2, $3, array_fill(NULL::float8, ARRAY[24]), array_fill(NULL::float8, ARRAY[24]), array_fill(NULL::float8, ARRAY[24]))`,
			coinKey, currencyKey, day.AddDate(0, 0, 3))
	})
	t.Run("no zero, negative, infinite or NaN prices", func(t *testing.T) {
		for i, p := range []float64{0, -1, math.Inf(1), math.NaN()} {
			reject(t, "23514", insert, coinKey, currencyKey, day.AddDate(0, 0, 4+i), p, 24)
		}
	})
	t.Run("the view shows one row per stored hour", func(t *testing.T) {
		var n int
		var first time.Time
		if err := conn.QueryRow(ctx, `SELECT count(*), min("timestamp") FROM prices_hourly WHERE coin_id = 'bitcoin' AND currency_code = 'usd'`).
			Scan(&n, &first); err != nil || n != 24 || !first.Equal(day) {
			t.Errorf("prices_hourly: %d rows from %v (%v), want 24 from %v", n, first, err, day)
		}
	})
	t.Run("currency codes are lower case", func(t *testing.T) {
		reject(t, "23514", `INSERT INTO currencies (code, name) VALUES ('EUR', 'Euro')`)
	})
	t.Run("runs have a known trigger and status, and finish exactly when not running", func(t *testing.T) {
		reject(t, "23514", `INSERT INTO fetch_runs (trigger, status) VALUES ('manual', 'running')`)
		reject(t, "23514", `INSERT INTO fetch_runs (trigger, status) VALUES ('cli', 'done')`)
		reject(t, "23514", `INSERT INTO fetch_runs (trigger, status) VALUES ('cli', 'succeeded')`)
		reject(t, "23514", `INSERT INTO fetch_runs (trigger, status, finished_at) VALUES ('cli', 'running', now())`)
	})
	t.Run("prices are stored as doubles, bit for bit", func(t *testing.T) {
		var typ string
		if err := conn.QueryRow(ctx, `SELECT data_type FROM information_schema.columns
			WHERE table_name = 'prices_hourly' AND column_name = 'price'`).Scan(&typ); err != nil || typ != "double precision" {
			t.Errorf("price column is %q (%v)", typ, err)
		}
	})
}

func TestStore_StoreHourly(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	daily := func(t *testing.T) (price, open, high, low, closing float64, samples int) {
		t.Helper()
		if err := conn.QueryRow(ctx, `SELECT price, open, high, low, close, samples FROM prices_daily
			WHERE coin_id = 'bitcoin' AND currency_code = 'usd' AND date = '2026-05-15'`).
			Scan(&price, &open, &high, &low, &closing, &samples); err != nil {
			t.Fatal(err)
		}
		return
	}
	prices := []float64{49150.53812729935, 49210.11, 48999.999999999993, 50001.25}
	n, err := st.StoreHourly(ctx, btcUSD, hours(prices...))
	if err != nil || n != 4 {
		t.Fatalf("stored %d, %v", n, err)
	}
	t.Run("the daily row is the aggregate of its hours", func(t *testing.T) {
		price, open, high, low, closing, samples := daily(t)
		mean := ((prices[0] + prices[1]) + prices[2] + prices[3]) / 4
		if price != mean || open != prices[0] || closing != prices[3] || high != prices[3] || low != prices[2] || samples != 4 {
			t.Errorf("daily = %v %v %v %v %v %d, want mean %v", price, open, high, low, closing, samples, mean)
		}
	})
	t.Run("prices come back to the last digit", func(t *testing.T) {
		var got float64
		if err := conn.QueryRow(ctx, `SELECT price FROM prices_hourly WHERE "timestamp" = $1`, day).Scan(&got); err != nil || got != prices[0] {
			t.Errorf("got %v (%v), want %v", got, err, prices[0])
		}
	})
	t.Run("storing the same hours again writes nothing", func(t *testing.T) {
		v0, _ := st.DataVersion(ctx)
		n, err := st.StoreHourly(ctx, btcUSD, hours(prices...))
		if err != nil || n != 0 {
			t.Errorf("re-store wrote %d, %v", n, err)
		}
		if v1, _ := st.DataVersion(ctx); v1.Version != v0.Version {
			t.Errorf("data version moved from %d to %d with nothing new", v0.Version, v1.Version)
		}
	})
	t.Run("a changed and a new hour update the day", func(t *testing.T) {
		v0, _ := st.DataVersion(ctx)
		changed := hours(prices[0], prices[1], prices[2], 50100, 50200)[3:]
		n, err := st.StoreHourly(ctx, btcUSD, changed)
		if err != nil || n != 2 {
			t.Fatalf("stored %d, %v", n, err)
		}
		price, _, high, _, closing, samples := daily(t)
		mean := ((((prices[0] + prices[1]) + prices[2]) + 50100) + 50200) / 5
		if samples != 5 || closing != 50200 || high != 50200 || price != mean {
			t.Errorf("daily after update: price %v close %v high %v samples %d", price, closing, high, samples)
		}
		if v1, _ := st.DataVersion(ctx); v1.Version <= v0.Version {
			t.Error("data version did not move when data landed")
		}
	})
	t.Run("hours in two days update both days", func(t *testing.T) {
		late := []domain.Sample{{Time: day.Add(23 * time.Hour), Price: 7}, {Time: day.Add(24 * time.Hour), Price: 9}}
		if _, err := st.StoreHourly(ctx, btcUSD, late); err != nil {
			t.Fatal(err)
		}
		var days int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM prices_daily`).Scan(&days); err != nil || days != 2 {
			t.Errorf("%d daily rows, want 2", days)
		}
	})
	t.Run("a failing window leaves the series as it was", func(t *testing.T) {
		var before int
		_ = conn.QueryRow(ctx, `SELECT count(*) FROM prices_hourly`).Scan(&before)
		bad := []domain.Sample{{Time: day.Add(30 * time.Hour), Price: 1}, {Time: day.Add(31 * time.Hour), Price: -1}}
		if _, err := st.StoreHourly(ctx, btcUSD, bad); !errors.Is(err, domain.ErrRejected) {
			t.Fatalf("a negative price: %v, want ErrRejected", err)
		}
		// No caller sends such a price (domain.ValidPrice refuses it); the database still
		// refuses it alone, without a connection fault that would stop a whole run.
		huge := []domain.Sample{{Time: day.Add(30 * time.Hour), Price: 1e200}, {Time: day.Add(31 * time.Hour), Price: 1e200}}
		if _, err := st.StoreHourly(ctx, btcUSD, huge); !errors.Is(err, domain.ErrRejected) || errors.Is(err, domain.ErrDatabaseDown) {
			t.Fatalf("a price whose mean overflows: %v, want ErrRejected", err)
		}
		var after int
		_ = conn.QueryRow(ctx, `SELECT count(*) FROM prices_hourly`).Scan(&after)
		if after != before {
			t.Errorf("rows went from %d to %d: the good hour of a failed window leaked", before, after)
		}
	})
}

func TestStore_Prices(t *testing.T) {
	t.Parallel()
	st, _ := seeded(t)
	ctx := context.Background()
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "dogecoin", Symbol: "doge", Name: "Dogecoin"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertCurrencies(ctx, []domain.Currency{{Code: "eur", Name: "Euro"}}); err != nil {
		t.Fatal(err)
	}
	for s, ps := range map[domain.Series][]float64{
		btcUSD:                                   {10, 20},
		{CoinID: "bitcoin", CurrencyCode: "eur"}: {8, 16},
		{CoinID: "dogecoin", CurrencyCode: "usd"}: {0.1, 0.3},
	} {
		if _, err := st.StoreHourly(ctx, s, hours(ps...)); err != nil {
			t.Fatal(err)
		}
	}
	q := domain.PriceQuery{CoinIDs: []string{"bitcoin", "dogecoin"}, CurrencyCodes: []string{"usd", "eur"},
		Range: domain.Days(day, day), Granularity: domain.Daily}
	cases := []struct {
		name      string
		breakdown domain.Breakdown
		gran      domain.Granularity
		want      []domain.PriceRow
	}{
		{"all three, daily", domain.Breakdown{Date: true, Coin: true, Currency: true}, domain.Daily, []domain.PriceRow{
			{Time: day, CoinID: "bitcoin", CurrencyCode: "eur", Price: 12},
			{Time: day, CoinID: "bitcoin", CurrencyCode: "usd", Price: 15},
			{Time: day, CoinID: "dogecoin", CurrencyCode: "usd", Price: 0.2},
		}},
		{"coin only", domain.Breakdown{Coin: true}, domain.Daily, []domain.PriceRow{
			{CoinID: "bitcoin", Price: 13.5},
			{CoinID: "dogecoin", Price: 0.2},
		}},
		{"date only, hourly", domain.Breakdown{Date: true}, domain.Hourly, []domain.PriceRow{
			{Time: day, Price: (10 + 8 + 0.1) / 3},
			{Time: day.Add(time.Hour), Price: (20 + 16 + 0.3) / 3},
		}},
		{"currency only", domain.Breakdown{Currency: true}, domain.Daily, []domain.PriceRow{
			{CurrencyCode: "eur", Price: 12},
			{CurrencyCode: "usd", Price: (15 + 0.2) / 2},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q.Breakdown, q.Granularity = tc.breakdown, tc.gran
			got, err := st.Prices(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				w := tc.want[i]
				if !got[i].Time.Equal(w.Time) || got[i].CoinID != w.CoinID || got[i].CurrencyCode != w.CurrencyCode ||
					math.Abs(got[i].Price-w.Price) > 1e-12 {
					t.Errorf("row %d = %+v, want %+v", i, got[i], w)
				}
			}
		})
	}
	t.Run("a range with no data is empty, not an error", func(t *testing.T) {
		q.Range = domain.Days(day.AddDate(0, 1, 0), day.AddDate(0, 1, 1))
		q.Breakdown = domain.Breakdown{Date: true}
		got, err := st.Prices(ctx, q)
		if err != nil || len(got) != 0 {
			t.Errorf("got %v, %v", got, err)
		}
	})
}

func TestStore_PricesHourBounds(t *testing.T) {
	t.Parallel()
	st, _ := seeded(t)
	ctx := context.Background()
	// Two whole days, the price of each hour being its index: 0 … 47 (plus 1, as a price
	// must be positive).
	prices := make([]float64, 48)
	for i := range prices {
		prices[i] = float64(i + 1)
	}
	if _, err := st.StoreHourly(ctx, btcUSD, hours(prices...)); err != nil {
		t.Fatal(err)
	}
	// A rolling 24-hour window from 20:00 on the first day to 19:00 on the second.
	start, end := day.Add(20*time.Hour), day.Add(44*time.Hour)
	q := domain.PriceQuery{CoinIDs: []string{"bitcoin"}, CurrencyCodes: []string{"usd"},
		Range: domain.Range{Start: start, End: end}, Granularity: domain.Hourly}

	t.Run("a group without the date averages only the hours in the range", func(t *testing.T) {
		q := q
		q.Breakdown = domain.Breakdown{Coin: true}
		got, err := st.Prices(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		// Hours 20 … 43; the two whole days would give 24.5.
		if want := (20.0+43)/2 + 1; len(got) != 1 || got[0].Price != want {
			t.Fatalf("got %+v, want one row of %v", got, want)
		}
		q.Range = domain.Range{Start: day.Add(30 * time.Hour), End: day.Add(48 * time.Hour)}
		got, err = st.Prices(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if want := (30.0+47)/2 + 1; len(got) != 1 || got[0].Price != want {
			t.Errorf("hours 30 … 47: got %+v, want %v", got, want)
		}
	})
	t.Run("the end is excluded", func(t *testing.T) {
		q := q
		q.Breakdown = domain.Breakdown{Date: true}
		got, err := st.Prices(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 24 || !got[0].Time.Equal(start) || !got[23].Time.Equal(end.Add(-time.Hour)) {
			t.Fatalf("got %d rows from %v to %v, want 24 from %v to %v", len(got), got[0].Time, got[len(got)-1].Time, start, end.Add(-time.Hour))
		}
	})
	t.Run("a range of whole days counts every hour of them", func(t *testing.T) {
		q := q
		q.Range = domain.Days(day, day.AddDate(0, 0, 1))
		q.Breakdown = domain.Breakdown{Date: true}
		got, err := st.Prices(ctx, q)
		if err != nil || len(got) != 48 {
			t.Errorf("got %d rows, %v; want 48", len(got), err)
		}
	})
	for name, bad := range map[string]domain.PriceQuery{
		"a daily query without a range": {Granularity: domain.Daily},
		"a reversed range":              {Range: domain.Range{Start: end, End: start}, Granularity: domain.Hourly},
		"only a start":                  {Range: domain.Range{Start: start}, Granularity: domain.Hourly},
		"an unknown granularity":        {Range: domain.Range{Start: start, End: end}, Granularity: "weekly"},
	} {
		t.Run(name+" is an error", func(t *testing.T) {
			bad.CoinIDs, bad.CurrencyCodes = q.CoinIDs, q.CurrencyCodes
			if _, err := st.Prices(ctx, bad); err == nil {
				t.Error("no error")
			}
		})
	}
}

func TestStore_ReplicasMigratingTogether(t *testing.T) {
	t.Parallel()
	url := storetest.NewURL(t)
	ctx := context.Background()
	errs := make(chan error, 3)
	for range 3 {
		go func() {
			st, err := store.Open(ctx, url)
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			_, err = st.Migrate(ctx)
			errs <- err
		}()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Errorf("replica migrate: %v", err)
		}
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var applied int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM goose_db_version WHERE version_id > 0`).Scan(&applied); err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(migrations.FS, "*.sql")
	if applied != len(files) {
		t.Errorf("%d migrations recorded, want each of the %d once", applied, len(files))
	}
}

func TestStore_ReferenceChangesBumpTheDataVersion(t *testing.T) {
	t.Parallel()
	st, _ := seeded(t)
	ctx := context.Background()
	v0, _ := st.DataVersion(ctx)
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin"}}); err != nil {
		t.Fatal(err)
	}
	if v1, _ := st.DataVersion(ctx); v1.Version != v0.Version {
		t.Errorf("an unchanged coin moved the version from %d to %d", v0.Version, v1.Version)
	}
	if err := st.UpsertCoins(ctx, []domain.Coin{{ID: "bitcoin", Symbol: "btc", Name: "Bitcoin (renamed)"}}); err != nil {
		t.Fatal(err)
	}
	if v2, _ := st.DataVersion(ctx); v2.Version <= v0.Version {
		t.Error("a renamed coin did not move the data version, so cached pages would keep the old name")
	}
	coins, err := st.Coins(ctx)
	if err != nil || len(coins) != 1 || coins[0].Name != "Bitcoin (renamed)" {
		t.Errorf("coins = %+v, %v", coins, err)
	}
}

func TestStore_OpenErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		// Nothing listens on port 1.
		"postgres://app:hunter2-secret@127.0.0.1:1/cryptodash?connect_timeout=5",
		"postgres://app@127.0.0.1:1/cryptodash?password=hunter2-secret&connect_timeout=5",
		"postgres://app@127.0.0.1:1/cryptodash?sslpassword=hunter2-secret&password=hunter2-secret&connect_timeout=5",
		// A setting pgx cannot parse.
		"postgres://app@127.0.0.1:5432/cryptodash?password=hunter2-secret&pool_max_conns=many",
	} {
		_, err := store.Open(context.Background(), u)
		if err == nil {
			t.Fatalf("%s opened", u)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the error shows the password: %v", err)
		}
	}
}

func TestStore_Metadata(t *testing.T) {
	t.Parallel()
	st, _ := seeded(t)
	ctx := context.Background()

	t.Run("a stored coin before its details are fetched", func(t *testing.T) {
		m, err := st.Metadata(ctx, "bitcoin")
		if err != nil || m.Name != "Bitcoin" || m.Symbol != "btc" || m.Description != "" || m.ImageURL != "" || !m.UpdatedAt.IsZero() {
			t.Errorf("metadata = %+v, %v", m, err)
		}
	})
	t.Run("details once fetched", func(t *testing.T) {
		rank, supply, maxSupply := 1, 19.7e6, 21e6
		if err := st.UpsertMetadata(ctx, domain.Metadata{CoinID: "bitcoin", Description: "<p>gold</p>", HomepageURL: "https://bitcoin.org",
			Market: domain.MarketData{Rank: &rank, CirculatingSupply: &supply, Max: &maxSupply}}); err != nil {
			t.Fatal(err)
		}
		m, err := st.Metadata(ctx, "bitcoin")
		if err != nil || m.Description != "<p>gold</p>" || m.HomepageURL != "https://bitcoin.org" || m.UpdatedAt.IsZero() {
			t.Errorf("metadata = %+v, %v", m, err)
		}
		if mk := m.Market; mk.Rank == nil || *mk.Rank != 1 || mk.CirculatingSupply == nil || *mk.CirculatingSupply != supply ||
			mk.TotalSupply != nil || mk.Max == nil || *mk.Max != maxSupply {
			t.Errorf("market data %+v: want the rank and supplies stored, no total", mk)
		}
	})
	t.Run("a coin not stored", func(t *testing.T) {
		if _, err := st.Metadata(ctx, "nope"); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("err = %v, want ErrNotFound", err)
		}
	})
}

// readmeCheck is the query of README "Checking the numbers": the days whose daily row is not
// the aggregate of their hours.
const readmeCheck = `SELECT count(*) FROM prices_daily d
	JOIN (SELECT coin_id, currency_code, ("timestamp" AT TIME ZONE 'UTC')::date AS date,
			avg(price ORDER BY "timestamp") AS mean, count(*) AS n, min(price) AS low, max(price) AS high
		FROM prices_hourly GROUP BY 1, 2, 3) h USING (coin_id, currency_code, date)
	WHERE d.price <> h.mean OR d.samples <> h.n OR d.low <> h.low OR d.high <> h.high`

func TestStore_StoreHourlyWindowsSplittingDays(t *testing.T) {
	t.Parallel()
	st, conn := seeded(t)
	ctx := context.Background()
	// Three windows as the pipeline cuts them, on hour boundaries that split days, stored
	// newest first; prices with long mantissas so any change of summation order shows.
	start := day.Add(5 * time.Hour)
	all := make([]domain.Sample, 24*6)
	for i := range all {
		all[i] = domain.Sample{Time: start.Add(time.Duration(i) * time.Hour), Price: 40000 + 1000*math.Sin(float64(i)/3) + 1.0/3}
	}
	for _, w := range [][2]int{{100, 144}, {37, 100}, {0, 37}} {
		if _, err := st.StoreHourly(ctx, btcUSD, all[w[0]:w[1]]); err != nil {
			t.Fatal(err)
		}
	}
	var bad, days int
	if err := conn.QueryRow(ctx, readmeCheck).Scan(&bad); err != nil || bad != 0 {
		t.Errorf("%d daily rows differ from their hours (%v)", bad, err)
	}
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM prices_daily`).Scan(&days); err != nil || days != 7 {
		t.Errorf("%d daily rows, want 7", days)
	}

	t.Run("a changed hour changes its day alone", func(t *testing.T) {
		var before time.Time
		if err := conn.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&before); err != nil {
			t.Fatal(err)
		}
		changed := slices.Clone(all[90:110])
		changed[5].Price += 0.5
		n, err := st.StoreHourly(ctx, btcUSD, changed)
		if err != nil || n != 1 {
			t.Fatalf("stored %d, %v; want the one changed hour", n, err)
		}
		var bad, touched int
		if err := conn.QueryRow(ctx, readmeCheck).Scan(&bad); err != nil || bad != 0 {
			t.Errorf("%d daily rows differ from their hours (%v)", bad, err)
		}
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM prices_daily WHERE updated_at > $1`, before).Scan(&touched); err != nil || touched != 1 {
			t.Errorf("%d daily rows updated, want 1 (%v)", touched, err)
		}
	})
	t.Run("a window of an unknown coin is refused whole", func(t *testing.T) {
		_, err := st.StoreHourly(ctx, domain.Series{CoinID: "notacoin", CurrencyCode: "usd"}, all[:3])
		var n int
		_ = conn.QueryRow(ctx, `SELECT count(*) FROM prices_hourly WHERE coin_id = 'notacoin'`).Scan(&n)
		if err == nil || n != 0 {
			t.Errorf("stored %d rows of an unknown coin, err %v", n, err)
		}
	})
}
