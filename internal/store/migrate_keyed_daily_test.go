package store_test

import (
	"context"
	"slices"
	"testing"
)

// dailyDump is every daily row, as text that keeps each double bit for bit, in key order.
const dailyDump = `SELECT coin_id || '/' || currency_code || '/' || date || '/' || float8send(price)::text || '/' ||
		float8send(open)::text || '/' || float8send(high)::text || '/' || float8send(low)::text || '/' ||
		float8send(close)::text || '/' || samples || '/' || created_at || '/' || updated_at
	FROM prices_daily ORDER BY coin_id, currency_code, date`

func TestMigrate_KeyedDailyKeepsEveryDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	provider, conn := atMigration(t, 12)
	// Coins inserted in an order other than their ids', so keys and ids sort apart, and
	// doubles with long mantissas.
	for _, q := range []string{
		`INSERT INTO coins (id, symbol, name) VALUES ('dogecoin', 'doge', 'Dogecoin'), ('bitcoin', 'btc', 'Bitcoin')`,
		`INSERT INTO currencies (code, name) VALUES ('usd', 'US Dollar'), ('try', 'Turkish Lira')`,
		`INSERT INTO prices_daily (coin_id, currency_code, date, price, open, high, low, close, samples, created_at, updated_at)
			SELECT c, cu, d, 1.0 / 3 + n, 1.0 / 7 + n, 2.0 / 3 + n, 1.0 / 9 + n, 1.0 / 11 + n, 1 + n % 24,
				TIMESTAMPTZ '2026-01-01 00:00Z' + n * interval '1 minute', TIMESTAMPTZ '2026-02-01 00:00Z' + n * interval '1 second'
			FROM unnest(ARRAY['bitcoin', 'dogecoin']) c, unnest(ARRAY['usd', 'try']) cu,
				generate_series(DATE '2026-01-30', DATE '2026-02-03', interval '1 day') AS d,
				LATERAL (SELECT (d::date - DATE '2026-01-01') * 10 + length(c) + length(cu) AS n) x
			WHERE (c, cu) <> ('dogecoin', 'try')`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	before := dump(t, conn, dailyDump)
	if len(before) != 15 {
		t.Fatalf("%d daily rows before the migration, want 15", len(before))
	}
	if _, err := provider.UpTo(ctx, 13); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if after := dump(t, conn, dailyDump); !slices.Equal(before, after) {
		t.Errorf("daily rows after the migration differ:\n%q\n%q", before, after)
	}
	if _, err := provider.DownTo(ctx, 12); err != nil {
		t.Fatalf("migrate down: %v", err)
	}
	if back := dump(t, conn, dailyDump); !slices.Equal(before, back) {
		t.Errorf("daily rows after migrating down differ:\n%q\n%q", before, back)
	}
}

// Scripts that insert daily rows by ids into prices_daily (the benches' synthetic databases)
// still can: the view stores them under the keys.
func TestStore_DailyRowsInsertedByIDs(t *testing.T) {
	t.Parallel()
	_, conn := seeded(t)
	ctx := context.Background()
	if _, err := conn.Exec(ctx, `INSERT INTO prices_daily (coin_id, currency_code, date, price, open, high, low, close, samples)
		VALUES ('bitcoin', 'usd', '2026-05-15', 2, 1, 3, 0.5, 2.5, 24)`); err != nil {
		t.Fatal(err)
	}
	got := dump(t, conn, `SELECT d.date || '/' || d.price || '/' || d.samples FROM prices_daily_keyed d
		JOIN coins c ON c.key = d.coin_key JOIN currencies cu ON cu.key = d.currency_key WHERE c.id = 'bitcoin' AND cu.code = 'usd'`)
	if !slices.Equal(got, []string{"2026-05-15/2/24"}) {
		t.Errorf("stored %q, want the day under bitcoin's and usd's keys", got)
	}
}
