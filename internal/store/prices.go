package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// StoreHourly writes hour-bucketed samples of one series and the daily rows of the days they
// changed, all in one transaction, so daily always agrees with hourly and a failure leaves the
// series as it was. Samples must already be bucketed (one per hour, on the hour; of two
// samples of one hour the later in hours wins). It returns how many hours were inserted or
// changed; re-storing identical samples writes nothing.
//
// Hours are stored a day to a row (migration 00012), and the write path is shaped by it:
//   - The window's days already stored are read, locked, merged with the new hours in
//     memory, and only the days whose hours changed are written back: new days by one COPY,
//     changed ones by an UPDATE each. A 90-day window is 90 rows, so PostgreSQL's row-by-row
//     foreign-key checks cost 90 probes, not 2,160, and every role writes the same way (no
//     session_replication_role, which an RDS master user may not set).
//   - Each changed day is then whole in memory, so its daily row is computed here: the mean
//     is the sum in hour order divided by the count, which is how PostgreSQL's
//     avg(price ORDER BY "timestamp") computes it, to the last bit.
//   - series_stats gains the new hours, so the newest hour and the counts never need a scan.
//   - Writers of one series take turns (a transaction-scoped advisory lock on its keys), so
//     two never merge against the same old day.
//
// A run's windows do not bump the data version each: the run bumps it at most every
// versionEvery while it goes on and once when it ends (noteDataChanged, FinishRun), so
// readers' caches are emptied a few times a run, not once per window. A write outside a run
// bumps it at once.
//
// With a fence in ctx (domain.WithFence) the transaction commits only while that fence holds
// the run lease, and fails with domain.ErrLeaseLost otherwise; data the database refuses
// fails with domain.ErrRejected.
func (s *Store) StoreHourly(ctx context.Context, series domain.Series, hours []domain.Sample) (int64, error) {
	if len(hours) == 0 {
		return 0, nil
	}
	for _, h := range hours {
		if !h.Time.Equal(h.Time.Truncate(time.Hour)) {
			return 0, s.writes.note(wrap("store "+series.String(), &pgconn.PgError{Code: "23514", Severity: "ERROR",
				TableName: "prices_hourly_packed", Message: fmt.Sprintf("%s is not on the hour", h.Time.UTC().Format(time.RFC3339))}))
		}
	}
	days := packDays(hours)
	if err := s.EnsurePartitions(ctx, days[0].date, days[len(days)-1].date); err != nil {
		return 0, err
	}
	var written int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		k, err := lockSeriesKeys(ctx, tx, series)
		if err != nil {
			return err
		}
		w, err := mergeDays(ctx, tx, k, days)
		if err != nil || w.hours == 0 {
			return err
		}
		written = w.hours
		if err := writeDays(ctx, tx, series, k, w); err != nil {
			return err
		}
		return holdsLease(ctx, tx)
	})
	if err = s.writes.note(wrap("store "+series.String(), err)); err != nil {
		return 0, err
	}
	if written > 0 {
		s.noteDataChanged(ctx)
	}
	return written, nil
}

// seriesKeys are the small integer keys of a series' coin and currency.
type seriesKeys struct {
	coin     int32
	currency int16
}

// lockSeriesKeys is the foreign-key check of a whole window: the coin and the currency must
// exist, and stay, until the window commits (FOR KEY SHARE is the lock PostgreSQL's own check
// takes). It then waits for any other writer of the series to commit.
func lockSeriesKeys(ctx context.Context, tx pgx.Tx, series domain.Series) (seriesKeys, error) {
	var k seriesKeys
	err := tx.QueryRow(ctx, `SELECT c.key, cur.key, pg_advisory_xact_lock(c.key, cur.key) FROM coins c, currencies cur
		WHERE c.id = $1 AND cur.code = $2 FOR KEY SHARE OF c, cur`, series.CoinID, series.CurrencyCode).Scan(&k.coin, &k.currency, nil)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, &pgconn.PgError{Code: "23503", Severity: "ERROR", TableName: "prices_hourly_packed",
			Message: fmt.Sprintf("coin %q or currency %q is not stored", series.CoinID, series.CurrencyCode)}
	}
	return k, err
}

// hourDay is one UTC day of a series as prices_hourly_packed stores it: index i is the hour
// starting at i:00, nil where no price is stored.
type hourDay struct {
	date                     time.Time
	price, marketCap, volume [24]*float64
	stored, changed          bool
}

// packDays groups bucketed samples by UTC day, oldest day first.
func packDays(hours []domain.Sample) []*hourDay {
	byDate := map[time.Time]*hourDay{}
	for _, h := range hours {
		date := domain.UTCDay(h.Time)
		d := byDate[date]
		if d == nil {
			d = &hourDay{date: date}
			byDate[date] = d
		}
		i := h.Time.UTC().Hour()
		price := h.Price
		d.price[i], d.marketCap[i], d.volume[i] = &price, h.MarketCap, h.TotalVolume
	}
	out := slices.Collect(maps.Values(byDate))
	slices.SortFunc(out, func(a, b *hourDay) int { return a.date.Compare(b.date) })
	return out
}

// merged is what a window changes: the days to write (new or changed), how many hours it
// inserted or changed, how many of them are new, and the daily rows of the changed days.
type merged struct {
	days              []*hourDay
	hours, newHours   int64
	newDays           int32
	firstNew, lastNew time.Time
	daily             []dailyRow
}

// mergeDays reads the stored days the window covers (locking them) and lays the window's
// hours over them: an hour counts as written when it is new or any of its figures differs.
func mergeDays(ctx context.Context, tx pgx.Tx, k seriesKeys, days []*hourDay) (merged, error) {
	rows, _ := tx.Query(ctx, `SELECT date, price, market_cap, total_volume FROM prices_hourly_packed
		WHERE coin_key = $1 AND currency_key = $2 AND date BETWEEN $3 AND $4 FOR UPDATE`,
		k.coin, k.currency, days[0].date, days[len(days)-1].date)
	stored := map[time.Time]*hourDay{}
	var date time.Time
	var price, marketCap, volume []*float64
	if _, err := pgx.ForEachRow(rows, []any{&date, &price, &marketCap, &volume}, func() error {
		d := &hourDay{date: date.UTC(), stored: true}
		copy(d.price[:], price)
		copy(d.marketCap[:], marketCap)
		copy(d.volume[:], volume)
		stored[d.date] = d
		return nil
	}); err != nil {
		return merged{}, fmt.Errorf("read stored days: %w", err)
	}
	var m merged
	for _, in := range days {
		d := stored[in.date]
		if d == nil {
			d = &hourDay{date: in.date}
		}
		for i, p := range in.price {
			if p == nil {
				continue
			}
			isNew := d.price[i] == nil
			if !isNew && sameFloat(d.price[i], p) && sameFloat(d.marketCap[i], in.marketCap[i]) && sameFloat(d.volume[i], in.volume[i]) {
				continue
			}
			d.price[i], d.marketCap[i], d.volume[i] = p, in.marketCap[i], in.volume[i]
			d.changed = true
			m.hours++
			if isNew {
				m.newHours++
				at := d.date.Add(time.Duration(i) * time.Hour)
				if m.firstNew.IsZero() || at.Before(m.firstNew) {
					m.firstNew = at
				}
				if at.After(m.lastNew) {
					m.lastNew = at
				}
			}
		}
		if !d.changed {
			continue
		}
		if !d.stored {
			m.newDays++
		}
		m.days = append(m.days, d)
		m.daily = append(m.daily, d.aggregate())
	}
	return m, nil
}

// sameFloat is IS NOT DISTINCT FROM for the doubles PostgreSQL stores: NULLs are alike, and
// so are NaNs.
func sameFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b || (math.IsNaN(*a) && math.IsNaN(*b))
}

// aggregate is the day's daily row from its stored hours.
func (d *hourDay) aggregate() dailyRow {
	r := dailyRow{date: d.date}
	sum := 0.0
	for _, p := range d.price {
		if p == nil {
			continue
		}
		if r.samples == 0 {
			r.open, r.high, r.low = *p, *p, *p
		}
		sum += *p
		r.high, r.low, r.close = max(r.high, *p), min(r.low, *p), *p
		r.samples++
	}
	r.price = sum / float64(r.samples)
	return r
}

// dailyRow is one day's aggregate of one series.
type dailyRow struct {
	date                          time.Time
	price, open, high, low, close float64
	samples                       int32
}

// writeDays stores the days a window changed, new days by one COPY and stored ones by UPDATE,
// then their daily rows and the series' stats, the statements after the COPY sent together
// in one round trip.
func writeDays(ctx context.Context, tx pgx.Tx, series domain.Series, k seriesKeys, m merged) error {
	var fresh [][]any
	batch := &pgx.Batch{}
	for _, d := range m.days {
		if d.stored {
			batch.Queue(`UPDATE prices_hourly_packed SET price = $4, market_cap = $5, total_volume = $6, updated_at = now()
				WHERE coin_key = $1 AND currency_key = $2 AND date = $3`,
				k.coin, k.currency, d.date, d.price[:], d.marketCap[:], d.volume[:])
			continue
		}
		fresh = append(fresh, []any{k.coin, k.currency, d.date, d.price[:], d.marketCap[:], d.volume[:]})
	}
	if len(fresh) > 0 {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"prices_hourly_packed"},
			[]string{"coin_key", "currency_key", "date", "price", "market_cap", "total_volume"},
			pgx.CopyFromRows(fresh)); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	queueDays(batch, k, m.daily)
	if m.newHours > 0 {
		batch.Queue(`INSERT INTO series_stats AS s (coin_key, currency_key, first_hour, last_hour, hours, days)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (coin_key, currency_key) DO UPDATE
				SET first_hour = least(s.first_hour, EXCLUDED.first_hour), last_hour = greatest(s.last_hour, EXCLUDED.last_hour),
					hours = s.hours + EXCLUDED.hours, days = s.days + EXCLUDED.days`,
			k.coin, k.currency, m.firstNew, m.lastNew, m.newHours, m.newDays)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("store days: %w", err)
	}
	return nil
}

// queueDays queues the upsert of daily rows computed from the hours in hand.
func queueDays(batch *pgx.Batch, k seriesKeys, rows []dailyRow) {
	if len(rows) == 0 {
		return
	}
	n := len(rows)
	dates := make([]time.Time, n)
	price, open, high, low, closing := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	samples := make([]int32, n)
	for i, r := range rows {
		dates[i], price[i], open[i], high[i], low[i], closing[i], samples[i] = r.date, r.price, r.open, r.high, r.low, r.close, r.samples
	}
	batch.Queue(`INSERT INTO prices_daily_keyed AS d
			(coin_key, currency_key, date, price, open, high, low, close, samples)
		SELECT $1, $2, r.* FROM unnest($3::date[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[], $9::int[]) AS r
		`+dailyConflict, k.coin, k.currency, dates, price, open, high, low, closing, samples)
}

// dailyConflict makes a daily insert an upsert that leaves unchanged days alone.
const dailyConflict = `ON CONFLICT (coin_key, currency_key, date) DO UPDATE
		SET price = EXCLUDED.price, open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low,
			close = EXCLUDED.close, samples = EXCLUDED.samples, updated_at = now()
		WHERE (d.price, d.open, d.high, d.low, d.close, d.samples)
			IS DISTINCT FROM (EXCLUDED.price, EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.samples)`

// chosenSeries is a CTE naming each series of the coins $1 and currencies $2 that are stored:
// its keys and ids, its coin's and currency's rank among those chosen (the order of an
// answer, by id and by code, so that rows are sorted on integers rather than text), and the
// day the start of its stored history cuts (its first stored hour is not 00:00), NULL when
// none does: with today ($5), the only days partialDay flags (see domain.Candle.Partial).
// series_stats keeps each series' first hour, so this reads one row per series.
const chosenSeries = `s AS MATERIALIZED (
		SELECT c.key AS coin_key, cu.key AS currency_key, c.id AS coin_id, cu.code AS currency_code,
			dense_rank() OVER (ORDER BY c.id) AS coin_rank, dense_rank() OVER (ORDER BY cu.code) AS currency_rank,
			CASE WHEN (st.first_hour AT TIME ZONE 'UTC')::time <> '00:00' THEN (st.first_hour AT TIME ZONE 'UTC')::date END AS cut
		FROM coins c CROSS JOIN currencies cu
		LEFT JOIN series_stats st ON st.coin_key = c.key AND st.currency_key = cu.key
		WHERE c.id = ANY ($1) AND cu.code = ANY ($2))`

// partialDay is whether the daily row d of the series s is incomplete.
const partialDay = `(d.date >= $5 OR coalesce(d.date = s.cut, false))`

// chosenDays joins the daily rows of the chosen series from $3 (included) to $4 (excluded),
// read from the key's index alone (see migration 00013) unless more than price and samples
// are asked for.
const chosenDays = ` FROM s JOIN prices_daily_keyed d ON d.coin_key = s.coin_key AND d.currency_key = s.currency_key
		WHERE d.date >= $3 AND d.date < $4`

// Prices answers a price query with the mean price of each group of the breakdown, ordered by
// date, coin and currency; a daily group also says how many hours its thinnest day holds and
// whether any of its days is incomplete (today, or cut by the start of its series' history).
// Daily queries average the daily rows of every day the range touches (each coin, currency
// and day weighs the same); hourly queries average the hourly rows in the range.
func (s *Store) Prices(ctx context.Context, q domain.PriceQuery) ([]domain.PriceRow, error) {
	if q.Range.Empty() {
		return nil, fmt.Errorf("prices: %s is not a range", q.Range)
	}
	var sql string
	args := []any{q.CoinIDs, q.CurrencyCodes}
	switch q.Granularity {
	case domain.Hourly:
		sql = pricesHourly(q.Breakdown)
		args = append(args, q.Range.Start.UTC(), q.Range.End.UTC())
	case domain.Daily:
		args = append(args, q.Range.FirstDay(), q.Range.LastDay().AddDate(0, 0, 1), domain.UTCDay(q.Today))
		if q.Breakdown.Date && q.Breakdown.Coin && q.Breakdown.Currency {
			return s.dailyRows(ctx, q, args)
		}
		sql = pricesDaily(q.Breakdown)
	default:
		return nil, fmt.Errorf("prices: unknown granularity %q", q.Granularity)
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

// dailyRows answers a daily query broken down by date, coin and currency, whose groups are
// the daily rows themselves, each its own mean. A year of 30 series is 11,000 rows: PostgreSQL
// sorting them took three times as long as finding them, and sending them a message each
// twice as long again, so each series' days come as one row of arrays, in date order, and
// are laid out in the answer's order here, by a sort of small keys (the day and the coin's
// and currency's ranks).
func (s *Store) dailyRows(ctx context.Context, q domain.PriceQuery, args []any) ([]domain.PriceRow, error) {
	rows, _ := s.pool.Query(ctx, `WITH `+chosenSeries+`
		SELECT s.coin_rank, s.currency_rank, s.coin_id, s.currency_code, s.cut, d.dates, d.prices, d.samples
		FROM s CROSS JOIN LATERAL (
			SELECT array_agg(d.date ORDER BY d.date) AS dates, array_agg(d.price ORDER BY d.date) AS prices,
				array_agg(d.samples ORDER BY d.date) AS samples
			FROM prices_daily_keyed d
			WHERE d.coin_key = s.coin_key AND d.currency_key = s.currency_key AND d.date >= $3 AND d.date < $4) d
		WHERE d.dates IS NOT NULL`, args[:4]...)
	// Which days are partial is told here (see partialDay), from each series' cut.
	today := args[4].(time.Time)
	// A year of the series asked for is the common answer; a longer range grows the slices.
	out := make([]domain.PriceRow, 0, min(len(q.CoinIDs)*len(q.CurrencyCodes)*366, 1<<16))
	type key struct {
		order uint64
		i     int
	}
	keys := make([]key, 0, cap(out))
	var coin, currency uint16
	var coinID, currencyCode string
	var cut *time.Time
	var dates []time.Time
	var prices []float64
	var samples []int
	_, err := pgx.ForEachRow(rows, []any{&coin, &currency, &coinID, &currencyCode, &cut, &dates, &prices, &samples}, func() error {
		for i, d := range dates {
			d = d.UTC()
			keys = append(keys, key{order: uint64(d.Unix()/86400)<<32 | uint64(coin)<<16 | uint64(currency), i: len(out)})
			out = append(out, domain.PriceRow{Time: d, CoinID: coinID, CurrencyCode: currencyCode, Price: prices[i], Hours: samples[i],
				Partial: !d.Before(today) || (cut != nil && d.Equal(cut.UTC()))})
		}
		return nil
	})
	if err != nil {
		return nil, wrap("prices", err)
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Compare(a.order, b.order) })
	answer := make([]domain.PriceRow, len(out))
	for i, k := range keys {
		answer[i] = out[k.i]
	}
	return answer, nil
}

// pricesHourly is the query of an hourly price query with breakdown b, for the coins $1 and
// currencies $2 from $3 to $4.
func pricesHourly(b domain.Breakdown) string {
	var cols, groups []string
	add := func(on bool, expr string) {
		if on {
			cols = append(cols, expr)
			groups = append(groups, expr)
		} else {
			cols = append(cols, "NULL")
		}
	}
	add(b.Date, `d."timestamp"`)
	add(b.Coin, "d.coin_id")
	add(b.Currency, "d.currency_code")
	sql := `SELECT ` + strings.Join(cols, ", ") + `, avg(d.price), 0, false FROM hours_in($1, $2, $3, $4) d`
	if len(groups) == 0 {
		return sql + ` HAVING count(*) > 0`
	}
	return sql + ` GROUP BY ` + strings.Join(groups, ", ") + ` ORDER BY ` + strings.Join(groups, ", ")
}

// pricesDaily is the query of a daily price query with breakdown b, for the coins $1 and
// currencies $2 over the days from $3 to $4, today being $5. Groups are formed and ordered on
// the day and the coin's and currency's ranks (chosenSeries), integers all, and named by
// their ids only in the answer.
func pricesDaily(b domain.Breakdown) string {
	var cols, groups, order []string
	add := func(on bool, col string, group ...string) {
		if on {
			cols = append(cols, col)
			groups = append(groups, group...)
			order = append(order, group[0])
		} else {
			cols = append(cols, "NULL")
		}
	}
	add(b.Date, "(d.date::timestamp AT TIME ZONE 'UTC')", "d.date")
	add(b.Coin, "s.coin_id", "s.coin_rank", "s.coin_id")
	add(b.Currency, "s.currency_code", "s.currency_rank", "s.currency_code")
	sql := `WITH ` + chosenSeries + ` SELECT ` + strings.Join(cols, ", ") + `, avg(d.price), min(d.samples), bool_or` + partialDay + chosenDays
	if len(groups) == 0 {
		return sql + ` HAVING count(*) > 0`
	}
	return sql + ` GROUP BY ` + strings.Join(groups, ", ") + ` ORDER BY ` + strings.Join(order, ", ")
}

// Freshness reports how fresh the series are as of staleBefore (a series whose newest hour
// is older is stale): the counts over every coin and currency, and every series of at most
// maxCoins coins, all of them when there are no more, else those with a stale series or one
// without data first, then by name and id as the catalog sorts them. The counts come from
// series_stats (kept on write) aggregated here, so the page gets its figures and at most
// maxCoins coins' series, not a row for each of 10,000 series.
func (s *Store) Freshness(ctx context.Context, staleBefore time.Time, maxCoins int) (domain.FreshnessReport, error) {
	var r domain.FreshnessReport
	rows, _ := s.pool.Query(ctx, `WITH per AS MATERIALIZED (
			SELECT c.key, c.id, c.name, count(st.coin_key) AS stored, count(*) FILTER (WHERE st.last_hour < $1) AS stale
			FROM coins c LEFT JOIN series_stats st ON st.coin_key = c.key
			GROUP BY c.id),
		cur AS MATERIALIZED (SELECT count(*) AS n FROM currencies),
		totals AS (SELECT count(*) AS coins, count(*) * cur.n AS series, sum(per.stored) AS stored, sum(per.stale) AS stale
			FROM per, cur GROUP BY cur.n),
		listed AS (SELECT per.key, per.id FROM per, cur
			ORDER BY per.stored - per.stale < cur.n DESC, per.name, per.id LIMIT $2)
		SELECT t.coins, t.series, t.stored, t.stale, l.id, cu.code, st.first_hour, st.last_hour, coalesce(st.hours, 0)
		FROM totals t CROSS JOIN listed l CROSS JOIN currencies cu
		LEFT JOIN series_stats st ON st.coin_key = l.key AND st.currency_key = cu.key`, staleBefore, maxCoins)
	var stored int64
	var f domain.SeriesFreshness
	var first, last *time.Time
	_, err := pgx.ForEachRow(rows, []any{&r.Coins, &r.Series, &stored, &r.Stale, &f.CoinID, &f.CurrencyCode, &first, &last, &f.Hours}, func() error {
		f.FirstHour, f.LastHour = time.Time{}, time.Time{}
		if first != nil {
			f.FirstHour, f.LastHour = first.UTC(), last.UTC()
		}
		r.Listed = append(r.Listed, f)
		return nil
	})
	r.Missing = r.Series - stored
	return r, wrap("freshness", err)
}

// DailyPrices reads every daily row's mean price and hours, in coin, currency and date order,
// with the data version they belong to and each series' first stored hour (which tells the
// day its history cuts, see chosenSeries), all from one read-only snapshot: the daily series
// change once a day, so a replica reads them whole once per data version and answers daily
// price queries from memory (internal/daily). each is called for every row as it arrives,
// so the rows are never held twice; an error from it stops the read.
func (s *Store) DailyPrices(ctx context.Context, each func(domain.DailyPrice) error) (version int64, firstHours map[domain.Series]time.Time, err error) {
	firstHours = map[domain.Series]time.Time{}
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT version FROM data_version`).Scan(&version); err != nil {
			return err
		}
		// series_stats holds each series' first hour, kept on write (see chosenSeries).
		rows, _ := tx.Query(ctx, `SELECT c.id, cu.code, st.first_hour FROM series_stats st
			JOIN coins c ON c.key = st.coin_key JOIN currencies cu ON cu.key = st.currency_key`)
		var sr domain.Series
		var first time.Time
		if _, err := pgx.ForEachRow(rows, []any{&sr.CoinID, &sr.CurrencyCode, &first}, func() error {
			firstHours[sr] = first.UTC()
			return nil
		}); err != nil {
			return err
		}
		// Series by series in id and code order, the days of each as its own read gives them:
		// in date order, from the key's index alone. Adding the date to the outer ORDER BY
		// has PostgreSQL sort every series' days again, which doubled the time of a read of
		// 3.65 M rows; internal/daily refuses days out of order, so a plan that broke this
		// would fail loudly, not answer wrongly.
		rows, _ = tx.Query(ctx, `SELECT s.coin_id, s.currency_code, d.date, d.price, d.samples
			FROM (SELECT c.key AS coin_key, cu.key AS currency_key, c.id AS coin_id, cu.code AS currency_code
				FROM coins c CROSS JOIN currencies cu ORDER BY c.id, cu.code) s
			CROSS JOIN LATERAL (SELECT date, price, samples FROM prices_daily_keyed d
				WHERE d.coin_key = s.coin_key AND d.currency_key = s.currency_key ORDER BY date) d
			ORDER BY s.coin_id, s.currency_code`)
		var d domain.DailyPrice
		_, err := pgx.ForEachRow(rows, []any{&d.Series.CoinID, &d.Series.CurrencyCode, &d.Date, &d.Price, &d.Hours}, func() error {
			d.Date = d.Date.UTC()
			return each(d)
		})
		return err
	})
	return version, firstHours, wrap("daily prices", err)
}
