package store_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/cryptodash/cryptodash/internal/store/storetest"
	"github.com/cryptodash/cryptodash/migrations"
)

// hourDump is every stored hour, as text that keeps each double bit for bit, in key order.
const hourDump = `SELECT coin_id || '/' || currency_code || '/' || to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') || '/' ||
		float8send(price)::text || '/' || coalesce(float8send(market_cap)::text, '-') || '/' || coalesce(float8send(total_volume)::text, '-')
	FROM prices_hourly ORDER BY coin_id, currency_code, "timestamp"`

func TestMigrate_PackedHoursKeepEveryHour(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	provider, conn := atMigration(t, 11)
	// Two months, hours missing at a day's start, middle and end, NULL market data, and a
	// series whose coin sorts after another's currency.
	for _, q := range []string{
		`INSERT INTO coins (id, symbol, name) VALUES ('bitcoin', 'btc', 'Bitcoin'), ('dogecoin', 'doge', 'Dogecoin')`,
		`INSERT INTO currencies (code, name) VALUES ('usd', 'US Dollar'), ('try', 'Turkish Lira')`,
		`INSERT INTO prices_hourly (coin_id, currency_code, "timestamp", price, market_cap, total_volume)
			SELECT c, cu, h, 1 / (extract(epoch FROM h) / 3600 - 490000) + 100, nullif(extract(hour FROM h AT TIME ZONE 'UTC'), 7) * 1e9 / 3, 0.1
			FROM unnest(ARRAY['bitcoin', 'dogecoin']) c, unnest(ARRAY['usd', 'try']) cu,
				generate_series(TIMESTAMPTZ '2026-01-30 05:00Z', TIMESTAMPTZ '2026-02-02 20:00Z', interval '1 hour') h
			WHERE extract(hour FROM h AT TIME ZONE 'UTC') <> 12 AND (c, cu) <> ('dogecoin', 'try')`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := dump(t, conn, hourDump)
	if len(before) == 0 {
		t.Fatal("no hours stored before the migration")
	}
	if _, err := provider.UpTo(ctx, 12); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if after := dump(t, conn, hourDump); !slices.Equal(before, after) {
		t.Errorf("hours after the migration differ: %d rows before, %d after", len(before), len(after))
	}
	var series, hours, days int64
	if err := conn.QueryRow(ctx, `SELECT count(*), sum(hours), sum(days) FROM series_stats`).Scan(&series, &hours, &days); err != nil {
		t.Fatal(err)
	}
	if series != 3 || hours != int64(len(before)) || days != 3*4 {
		t.Errorf("series_stats: %d series, %d hours, %d days; want 3, %d, 12", series, hours, days, len(before))
	}
	if _, err := provider.DownTo(ctx, 11); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if back := dump(t, conn, hourDump); !slices.Equal(before, back) {
		t.Errorf("hours after migrating down differ: %d rows before, %d after", len(before), len(back))
	}
}

// atMigration gives a fresh database migrated up to version, to fill in an old shape, the
// provider that migrates it on, and a connection to it.
func atMigration(t *testing.T, version int64) (*goose.Provider, *pgx.Conn) {
	t.Helper()
	ctx := context.Background()
	url := storetest.NewURL(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.UpTo(ctx, version); err != nil {
		t.Fatalf("migrate to the old shape: %v", err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(ctx) })
	return provider, conn
}

// dump is the rows of a query of one text column, in its order.
func dump(t *testing.T, conn *pgx.Conn, sql string) []string {
	t.Helper()
	rows, _ := conn.Query(context.Background(), sql)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}
