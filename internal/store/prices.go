package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// StoreHourly writes hour-bucketed samples of one series and recomputes the daily rows of
// the days they changed, all in one transaction, so daily always agrees with hourly and a
// failure leaves the series as it was. Samples must already be bucketed (one per hour, on the
// hour). It returns how many hourly rows were inserted or changed; re-storing identical
// samples writes nothing.
//
// A window is the pipeline's unit of work, and the write path is shaped by it:
//   - A window whose hours are not stored yet (every window of a backfill) is COPYed straight
//     into prices_hourly; one that overlaps stored hours (the tail a daily run fetches again)
//     goes through a temporary table and INSERT ... ON CONFLICT, which skips rows that did not
//     change.
//   - Every row of a window has the same coin and currency, so the foreign keys need checking
//     once, not once per row as PostgreSQL's foreign-key triggers do (they were half the cost
//     of a window). Where the database lets this role SET session_replication_role (a
//     superuser, or a role granted SET on it, PostgreSQL 15+), the window locks its coin and
//     currency rows FOR KEY SHARE, exactly as those triggers would, and writes its rows with
//     the triggers off; the lock keeps either row from being deleted or re-keyed until the
//     window commits, so the keys hold as they would row by row. prices_hourly and
//     prices_daily have no triggers but the foreign keys', which is what makes this safe; a
//     trigger added to them later must be ENABLE ALWAYS. Without that privilege (an RDS
//     master user is not a superuser) the triggers check every row, as before.
//   - Only the days whose hours were inserted or changed are recomputed. A day that a new
//     window covers whole is aggregated here, from the hours in hand, rather than read back:
//     the mean is the sum in hour order divided by the count, which is how PostgreSQL's
//     avg(price ORDER BY "timestamp") computes it, to the last bit. Days the window covers in
//     part (its first and last, which may hold hours of the windows beside it) and days the
//     upsert changed are recomputed in SQL from the stored hours.
//
// With a fence in ctx (domain.WithFence) the transaction commits only while that fence holds
// the run lease, and fails with domain.ErrLeaseLost otherwise; data the database refuses
// fails with domain.ErrRejected.
func (s *Store) StoreHourly(ctx context.Context, series domain.Series, hours []domain.Sample) (int64, error) {
	if len(hours) == 0 {
		return 0, nil
	}
	keysOnce := s.checksKeysOncePerWindow(ctx)
	var written int64
	var v domain.DataVersion
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if keysOnce {
			if err := lockSeriesKeys(ctx, tx, series); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
				return err
			}
		}
		w, err := writeHours(ctx, tx, series, hours)
		if err != nil || w.rows == 0 {
			return err
		}
		written = w.rows
		if err := upsertDays(ctx, tx, series, w.whole); err != nil {
			return err
		}
		if err := recomputeDays(ctx, tx, series, w.partial); err != nil {
			return err
		}
		if keysOnce {
			// Back to normal before the version bump, whose trigger notifies every replica.
			if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = origin`); err != nil {
				return err
			}
		}
		if v, err = bumpVersion(ctx, tx); err != nil {
			return err
		}
		return holdsLease(ctx, tx)
	})
	if err = s.writes.note(wrap("store "+series.String(), err)); err != nil {
		return 0, err
	}
	if written > 0 {
		s.noteVersion(v)
	}
	return written, nil
}

// checksKeysOncePerWindow reports, once per process, whether this role may turn the
// foreign-key triggers off for its own transactions (see StoreHourly).
func (s *Store) checksKeysOncePerWindow(ctx context.Context) bool {
	s.replicaRole.Do(func() {
		// has_parameter_privilege is PostgreSQL 15's; on an older server the query fails,
		// and the row-by-row checks stay.
		err := s.pool.QueryRow(context.WithoutCancel(ctx), `SELECT has_parameter_privilege('session_replication_role', 'SET')`).Scan(&s.replicaRoleOK)
		if err != nil {
			s.replicaRoleOK = false
		}
	})
	return s.replicaRoleOK
}

// lockSeriesKeys is the foreign-key check of a whole window: the coin and the currency must
// exist, and stay, until the window commits. FOR KEY SHARE is the lock PostgreSQL's own check
// takes for each row.
func lockSeriesKeys(ctx context.Context, tx pgx.Tx, series domain.Series) error {
	var n int
	err := tx.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM coins c, currencies cur
		WHERE c.id = $1 AND cur.code = $2 FOR KEY SHARE) k`, series.CoinID, series.CurrencyCode).Scan(&n)
	if err == nil && n == 0 {
		err = &pgconn.PgError{Code: "23503", Severity: "ERROR", TableName: "prices_hourly",
			Message: fmt.Sprintf("coin %q or currency %q is not stored", series.CoinID, series.CurrencyCode)}
	}
	return err
}

// written is what writeHours did: how many hourly rows it inserted or changed, the daily rows
// of the days it covered whole and computed from the hours in hand, and the days it touched
// that must be recomputed from the stored hours (one entry per changed hour; repeats are
// fine).
type written struct {
	rows    int64
	whole   []dailyRow
	partial []time.Time
}

// dailyRow is one day's aggregate of one series.
type dailyRow struct {
	date                          time.Time
	price, open, high, low, close float64
	samples                       int32
}

// writeHours writes one window's hours.
func writeHours(ctx context.Context, tx pgx.Tx, series domain.Series, hours []domain.Sample) (written, error) {
	first, last := hours[0].Time, hours[0].Time
	for _, h := range hours {
		if h.Time.Before(first) {
			first = h.Time
		}
		if h.Time.After(last) {
			last = h.Time
		}
	}
	var stored bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM prices_hourly
		WHERE coin_id = $1 AND currency_code = $2 AND "timestamp" BETWEEN $3 AND $4)`,
		series.CoinID, series.CurrencyCode, first, last).Scan(&stored); err != nil {
		return written{}, err
	}
	if !stored {
		err := copyHours(ctx, tx, series, hours)
		if err == nil {
			return aggregateDays(hours, first, last), nil
		}
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
			return written{}, err
		}
		// Another writer stored some of these hours since the check: the upsert below
		// handles them. The failed COPY ended in a savepoint, so the transaction goes on.
	}
	days, err := upsertHours(ctx, tx, series, hours)
	return written{rows: int64(len(days)), partial: days}, err
}

// aggregateDays computes the daily rows of the days that first..last (a window's first and
// last hour, none of them stored before) covers whole; no other hour can belong to those
// days. The other days it touches are left to recomputeDays.
func aggregateDays(hours []domain.Sample, first, last time.Time) written {
	w := written{rows: int64(len(hours))}
	sorted := slices.SortedFunc(slices.Values(hours), func(a, b domain.Sample) int { return a.Time.Compare(b.Time) })
	for i := 0; i < len(sorted); {
		day := domain.UTCDay(sorted[i].Time)
		j := i
		for j < len(sorted) && domain.UTCDay(sorted[j].Time).Equal(day) {
			j++
		}
		if day.Before(first) || day.AddDate(0, 0, 1).Add(-time.Hour).After(last) {
			w.partial = append(w.partial, day)
			i = j
			continue
		}
		r := dailyRow{date: day, open: sorted[i].Price, close: sorted[j-1].Price,
			high: sorted[i].Price, low: sorted[i].Price, samples: int32(j - i)}
		sum := 0.0
		for _, h := range sorted[i:j] {
			sum += h.Price
			r.high, r.low = max(r.high, h.Price), min(r.low, h.Price)
		}
		r.price = sum / float64(j-i)
		w.whole = append(w.whole, r)
		i = j
	}
	return w
}

// copyHours COPYs hours that are not stored yet straight into prices_hourly, inside a
// savepoint so that a clash with a concurrent writer leaves the transaction usable.
func copyHours(ctx context.Context, tx pgx.Tx, series domain.Series, hours []domain.Sample) error {
	sp, err := tx.Begin(ctx)
	if err != nil {
		return err
	}
	row := make([]any, 6)
	row[0], row[1] = series.CoinID, series.CurrencyCode
	if _, err := sp.CopyFrom(ctx, pgx.Identifier{"prices_hourly"},
		[]string{"coin_id", "currency_code", "timestamp", "price", "market_cap", "total_volume"},
		pgx.CopyFromSlice(len(hours), func(i int) ([]any, error) {
			h := hours[i]
			row[2], row[3], row[4], row[5] = h.Time, h.Price, h.MarketCap, h.TotalVolume
			return row, nil
		})); err != nil {
		_ = sp.Rollback(ctx)
		return fmt.Errorf("copy: %w", err)
	}
	return sp.Commit(ctx)
}

// upsertHours loads hours into a temporary table and merges them into prices_hourly, changing
// only rows whose values differ.
func upsertHours(ctx context.Context, tx pgx.Tx, series domain.Series, hours []domain.Sample) ([]time.Time, error) {
	// A session-lived temporary table emptied at commit costs no catalog churn per call.
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS hourly_load (
		"timestamp" timestamptz NOT NULL, price double precision NOT NULL,
		market_cap double precision, total_volume double precision) ON COMMIT DELETE ROWS`); err != nil {
		return nil, err
	}
	row := make([]any, 4)
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"hourly_load"},
		[]string{"timestamp", "price", "market_cap", "total_volume"},
		pgx.CopyFromSlice(len(hours), func(i int) ([]any, error) {
			h := hours[i]
			row[0], row[1], row[2], row[3] = h.Time, h.Price, h.MarketCap, h.TotalVolume
			return row, nil
		})); err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	rows, _ := tx.Query(ctx, `INSERT INTO prices_hourly AS p
			(coin_id, currency_code, "timestamp", price, market_cap, total_volume)
		SELECT $1, $2, "timestamp", price, market_cap, total_volume FROM hourly_load
		ON CONFLICT (coin_id, currency_code, "timestamp") DO UPDATE
			SET price = EXCLUDED.price, market_cap = EXCLUDED.market_cap,
				total_volume = EXCLUDED.total_volume, updated_at = now()
			WHERE (p.price, p.market_cap, p.total_volume)
				IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.market_cap, EXCLUDED.total_volume)
		RETURNING "timestamp"`, series.CoinID, series.CurrencyCode)
	var days []time.Time
	var ts time.Time
	_, err := pgx.ForEachRow(rows, []any{&ts}, func() error {
		days = append(days, domain.UTCDay(ts))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("upsert hourly: %w", err)
	}
	return days, nil
}

// upsertDays stores daily rows computed from the hours in hand.
func upsertDays(ctx context.Context, tx pgx.Tx, series domain.Series, rows []dailyRow) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	dates := make([]time.Time, n)
	price, open, high, low, closing := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	samples := make([]int32, n)
	for i, r := range rows {
		dates[i], price[i], open[i], high[i], low[i], closing[i], samples[i] = r.date, r.price, r.open, r.high, r.low, r.close, r.samples
	}
	if _, err := tx.Exec(ctx, `INSERT INTO prices_daily AS d
			(coin_id, currency_code, date, price, open, high, low, close, samples)
		SELECT $1, $2, r.* FROM unnest($3::date[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::int[]) AS r
		`+dailyConflict, series.CoinID, series.CurrencyCode, dates, price, open, high, low, closing, samples); err != nil {
		return fmt.Errorf("store daily: %w", err)
	}
	return nil
}

// recomputeDays rebuilds the daily rows of the given UTC days (one entry per changed hour;
// repeats are fine) from the stored hours.
func recomputeDays(ctx context.Context, tx pgx.Tx, series domain.Series, days []time.Time) error {
	if len(days) == 0 {
		return nil
	}
	slices.SortFunc(days, time.Time.Compare)
	days = slices.CompactFunc(days, time.Time.Equal)
	if _, err := tx.Exec(ctx, recomputeDaily, series.CoinID, series.CurrencyCode, days); err != nil {
		return fmt.Errorf("recompute daily: %w", err)
	}
	return nil
}

// recomputeDaily rebuilds the daily rows of one series on a list of UTC days from the stored
// hours, so a day is always the exact aggregate of its hours whatever order they came in.
// The mean is accumulated in hour order: floating-point sums depend on order, and a fixed one
// makes the stored mean equal, to the last bit, what `avg(price)` over that day's hours gives
// when PostgreSQL reads them through the primary key.
const recomputeDaily = `INSERT INTO prices_daily AS d
		(coin_id, currency_code, date, price, open, high, low, close, samples)
	SELECT $1, $2, day.date,
		avg(p.price ORDER BY p."timestamp"), (array_agg(p.price ORDER BY p."timestamp"))[1], max(p.price), min(p.price),
		(array_agg(p.price ORDER BY p."timestamp" DESC))[1], count(*)
	FROM unnest($3::date[]) AS day (date)
	JOIN prices_hourly p ON p.coin_id = $1 AND p.currency_code = $2
		AND p."timestamp" >= day.date::timestamp AT TIME ZONE 'UTC'
		AND p."timestamp" < (day.date + 1)::timestamp AT TIME ZONE 'UTC'
	GROUP BY day.date
	` + dailyConflict

// dailyConflict makes a daily insert an upsert that leaves unchanged days alone.
const dailyConflict = `ON CONFLICT (coin_id, currency_code, date) DO UPDATE
		SET price = EXCLUDED.price, open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
			close = EXCLUDED.close, samples = EXCLUDED.samples, updated_at = now()
		WHERE (d.price, d.open, d.high, d.low, d.close, d.samples)
			IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.samples)`

// historyCuts is a CTE naming, per series of the coins $1 and currencies $2, the day its
// stored history starts part way through (its first stored hour is not 00:00): with today
// ($5), the only days partialDay flags (see domain.Candle.Partial). min() over the primary
// key's prefix is one index probe per series; MATERIALIZED keeps the planner from inlining
// it and probing again for every daily row (30 s for a year of 44 series).
const historyCuts = `cuts AS MATERIALIZED (
		SELECT co.coin_id, cu.currency_code, (f.first AT TIME ZONE 'UTC')::date AS date
		FROM unnest($1::text[]) AS co (coin_id) CROSS JOIN unnest($2::text[]) AS cu (currency_code)
		CROSS JOIN LATERAL (SELECT min(p."timestamp") AS first FROM prices_hourly p
			WHERE p.coin_id = co.coin_id AND p.currency_code = cu.currency_code) f
		WHERE (f.first AT TIME ZONE 'UTC')::time <> '00:00')`

// partialDay is whether the daily row d is incomplete. IN makes a hashed lookup of the few
// cuts, where a join on prices_daily's often stale row estimates became a nested loop.
const partialDay = `(d.date >= $5 OR (d.coin_id, d.currency_code, d.date) IN (SELECT coin_id, currency_code, date FROM cuts))`

// Prices answers a price query with the mean price of each group of the breakdown, ordered by
// date, coin and currency; a daily group also says how many hours its thinnest day holds and
// whether any of its days is incomplete (today, or cut by the start of its series' history).
// Daily queries average the daily rows of every day the range touches (each coin, currency
// and day weighs the same); hourly queries average the hourly rows in the range.
func (s *Store) Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error) {
	if q.Range.Empty() {
		return nil, fmt.Errorf("prices: %s is not a range", q.Range)
	}
	var from, to any
	var sql string
	var timeCol string
	switch q.Granularity {
	case domain.Hourly:
		timeCol = `d."timestamp"`
		from, to = q.Range.Start.UTC(), q.Range.End.UTC()
	case domain.Daily:
		timeCol = "(d.date::timestamp AT TIME ZONE 'UTC')"
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
	add(q.Breakdown.Coin, "d.coin_id")
	add(q.Breakdown.Currency, "d.currency_code")
	args := []any{q.CoinIDs, q.CurrencyCodes, from, to}
	if q.Granularity == domain.Hourly {
		sql = `SELECT ` + strings.Join(cols, ", ") + `, avg(d.price), 0, false FROM prices_hourly d
		WHERE d.coin_id = ANY($1) AND d.currency_code = ANY($2) AND d."timestamp" >= $3 AND d."timestamp" < $4`
	} else {
		sql = `WITH ` + historyCuts + `
		SELECT ` + strings.Join(cols, ", ") + `, avg(d.price), min(d.samples), bool_or` + partialDay + ` FROM prices_daily d
		WHERE d.coin_id = ANY($1) AND d.currency_code = ANY($2) AND d.date >= $3 AND d.date < $4`
		args = append(args, domain.UTCDay(q.Today))
	}
	if len(groups) > 0 {
		sql += ` GROUP BY ` + strings.Join(groups, ", ") + ` ORDER BY ` + strings.Join(groups, ", ")
	} else {
		sql += ` HAVING count(*) > 0`
	}
	rows, _ := s.pool.Query(ctx, sql, args...)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.PriceRow, error) {
		var row domain.PriceRow
		var ts *time.Time
		var coin, currency *string
		if err := r.Scan(&ts, &coin, &currency, &row.Price, &row.Hours, &row.Partial); err != nil {
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

// DailyPrices reads every daily row's mean price and hours, in coin, currency and date order,
// with the data version they belong to and each series' first stored hour (which tells the
// day its history cuts, see historyCuts), all from one read-only snapshot: the daily series
// change once a day, so a replica reads them whole once per data version and answers daily
// price queries from memory (internal/daily). each is called for every row as it arrives,
// so the rows are never held twice; an error from it stops the read.
func (s *Store) DailyPrices(ctx context.Context, each func(domain.DailyPrice) error) (version int64, firstHours map[domain.Series]time.Time, err error) {
	firstHours = map[domain.Series]time.Time{}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT version FROM data_version`).Scan(&version); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT c.id, cur.code, f.first FROM coins c CROSS JOIN currencies cur
			CROSS JOIN LATERAL (SELECT min(p."timestamp") AS first FROM prices_hourly p
				WHERE p.coin_id = c.id AND p.currency_code = cur.code) f
			WHERE f.first IS NOT NULL`)
		var sr domain.Series
		var first time.Time
		if _, err := pgx.ForEachRow(rows, []any{&sr.CoinID, &sr.CurrencyCode, &first}, func() error {
			firstHours[sr] = first.UTC()
			return nil
		}); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT coin_id, currency_code, date, price, samples FROM prices_daily
			ORDER BY coin_id, currency_code, date`)
		var d domain.DailyPrice
		_, err := pgx.ForEachRow(rows, []any{&d.Series.CoinID, &d.Series.CurrencyCode, &d.Date, &d.Price, &d.Hours}, func() error {
			d.Date = d.Date.UTC()
			return each(d)
		})
		return err
	})
	return version, firstHours, wrap("daily prices", err)
}
