package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// StoreHourly writes hour-bucketed samples of one series and recomputes the daily rows of
// every day they touch, all in one transaction, so daily always agrees with hourly and a
// failure leaves the series as it was. Samples must already be bucketed (one per hour, on the
// hour). It returns how many hourly rows were inserted or changed; re-storing identical
// samples writes nothing. With a fence in ctx (domain.WithFence) the transaction commits only
// while that fence holds the run lease, and fails with domain.ErrLeaseLost otherwise; data
// the database refuses fails with domain.ErrRejected.
func (s *Store) StoreHourly(ctx context.Context, series domain.Series, hours []domain.Sample) (int64, error) {
	if len(hours) == 0 {
		return 0, nil
	}
	first, last := hours[0].Time, hours[0].Time
	for _, h := range hours {
		if h.Time.Before(first) {
			first = h.Time
		}
		if h.Time.After(last) {
			last = h.Time
		}
	}
	var written int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// A session-lived temporary table emptied at commit costs no catalog churn per call.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS hourly_load (
			"timestamp" timestamptz NOT NULL, price double precision NOT NULL,
			market_cap double precision, total_volume double precision) ON COMMIT DELETE ROWS`); err != nil {
			return err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"hourly_load"},
			[]string{"timestamp", "price", "market_cap", "total_volume"},
			pgx.CopyFromSlice(len(hours), func(i int) ([]any, error) {
				h := hours[i]
				return []any{h.Time, h.Price, h.MarketCap, h.TotalVolume}, nil
			})); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO prices_hourly AS p
				(coin_id, currency_code, "timestamp", price, market_cap, total_volume)
			SELECT $1, $2, "timestamp", price, market_cap, total_volume FROM hourly_load
			ON CONFLICT (coin_id, currency_code, "timestamp") DO UPDATE
				SET price = EXCLUDED.price, market_cap = EXCLUDED.market_cap,
					total_volume = EXCLUDED.total_volume, updated_at = now()
				WHERE (p.price, p.market_cap, p.total_volume)
					IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.market_cap, EXCLUDED.total_volume)`,
			series.CoinID, series.CurrencyCode)
		if err != nil {
			return fmt.Errorf("upsert hourly: %w", err)
		}
		written = tag.RowsAffected()
		if written == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, recomputeDaily, series.CoinID, series.CurrencyCode,
			domain.UTCDay(first), domain.UTCDay(last).AddDate(0, 0, 1)); err != nil {
			return fmt.Errorf("recompute daily: %w", err)
		}
		if err := bumpVersion(ctx, tx); err != nil {
			return err
		}
		return holdsLease(ctx, tx)
	})
	return written, wrap("store "+series.String(), err)
}

// recomputeDaily rebuilds the daily rows of one series between two UTC midnights from the
// stored hours, so a day is always the exact aggregate of its hours whatever order they came in.
// The mean is accumulated in hour order: floating-point sums depend on order, and a fixed one
// makes the stored mean equal, to the last bit, what `avg(price)` over that day's hours gives
// when PostgreSQL reads them through the primary key.
const recomputeDaily = `INSERT INTO prices_daily AS d
		(coin_id, currency_code, date, price, open, high, low, close, samples)
	SELECT coin_id, currency_code, ("timestamp" AT TIME ZONE 'UTC')::date,
		avg(price ORDER BY "timestamp"), (array_agg(price ORDER BY "timestamp"))[1], max(price), min(price),
		(array_agg(price ORDER BY "timestamp" DESC))[1], count(*)
	FROM prices_hourly
	WHERE coin_id = $1 AND currency_code = $2 AND "timestamp" >= $3 AND "timestamp" < $4
	GROUP BY coin_id, currency_code, 3
	ON CONFLICT (coin_id, currency_code, date) DO UPDATE
		SET price = EXCLUDED.price, open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
			close = EXCLUDED.close, samples = EXCLUDED.samples, updated_at = now()
		WHERE (d.price, d.open, d.high, d.low, d.close, d.samples)
			IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.samples)`

// Prices answers a price query with the mean price of each group of the breakdown, ordered by
// date, coin and currency. Daily queries average the daily rows of every day the range touches
// (each coin, currency and day weighs the same); hourly queries average the hourly rows in the
// range.
func (s *Store) Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error) {
	if q.Range.Empty() {
		return nil, fmt.Errorf("prices: %s is not a range", q.Range)
	}
	var table, timeCol, filterCol string
	from, to := q.Range.Start.UTC(), q.Range.End.UTC()
	switch q.Granularity {
	case domain.Hourly:
		table, timeCol, filterCol = "prices_hourly", `"timestamp"`, `"timestamp"`
	case domain.Daily:
		table, timeCol, filterCol = "prices_daily", "(date::timestamp AT TIME ZONE 'UTC')", "date"
		from, to = q.Range.FirstDay(), q.Range.LastDay().AddDate(0, 0, 1)
	default:
		return nil, fmt.Errorf("prices: unknown granularity %q", q.Granularity)
	}
	var cols, groups []string
	add := func(on bool, expr string) {
		if on {
			cols = append(cols, expr)
			groups = append(groups, expr)
		} else {
			cols = append(cols, "NULL")
		}
	}
	add(q.Breakdown.Date, timeCol)
	add(q.Breakdown.Coin, "coin_id")
	add(q.Breakdown.Currency, "currency_code")
	sql := `SELECT ` + strings.Join(cols, ", ") + `, avg(price) FROM ` + table + `
		WHERE coin_id = ANY($1) AND currency_code = ANY($2) AND ` + filterCol + ` >= $3 AND ` + filterCol + ` < $4`
	if len(groups) > 0 {
		sql += ` GROUP BY ` + strings.Join(groups, ", ") + ` ORDER BY ` + strings.Join(groups, ", ")
	} else {
		sql += ` HAVING count(*) > 0`
	}
	rows, _ := s.pool.Query(ctx, sql, q.CoinIDs, q.CurrencyCodes, from, to)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PriceRow, error) {
		var row domain.PriceRow
		var ts *time.Time
		var coin, currency *string
		if err := r.Scan(&ts, &coin, &currency, &row.Price); err != nil {
			return row, err
		}
		if ts != nil {
			row.Time = ts.UTC()
		}
		if coin != nil {
			row.CoinID = *coin
		}
		if currency != nil {
			row.CurrencyCode = *currency
		}
		return row, nil
	})
	return out, wrap("prices", err)
}

// Freshness reports how far each configured series reaches, including series with no rows yet
// (their times are zero), in coin and currency order.
func (s *Store) Freshness(ctx context.Context) ([]domain.SeriesFreshness, error) {
	rows, _ := s.pool.Query(ctx, `SELECT c.id, cur.code, h.first, h.last, coalesce(d.hours, 0)
		FROM coins c CROSS JOIN currencies cur
		CROSS JOIN LATERAL (SELECT min(p."timestamp") AS first, max(p."timestamp") AS last
			FROM prices_hourly p WHERE p.coin_id = c.id AND p.currency_code = cur.code) h
		CROSS JOIN LATERAL (SELECT sum(samples) AS hours
			FROM prices_daily pd WHERE pd.coin_id = c.id AND pd.currency_code = cur.code) d
		ORDER BY c.id, cur.code`)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.SeriesFreshness, error) {
		var f domain.SeriesFreshness
		var first, last *time.Time
		if err := r.Scan(&f.CoinID, &f.CurrencyCode, &first, &last, &f.Hours); err != nil {
			return f, err
		}
		if first != nil {
			f.FirstHour, f.LastHour = first.UTC(), last.UTC()
		}
		return f, nil
	})
	return out, wrap("freshness", err)
}
