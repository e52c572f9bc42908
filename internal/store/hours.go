package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// StoredRanges returns, for every given series that has hourly rows, the range from its first
// stored hour to the end of its last. The pipeline asks CoinGecko for what lies after it and,
// when an earlier run was cut short, for what is still missing before it.
func (s *Store) StoredRanges(ctx context.Context, series []domain.Series) (map[domain.Series]domain.Range, error) {
	coins := make([]string, len(series))
	currencies := make([]string, len(series))
	for i, sr := range series {
		coins[i], currencies[i] = sr.CoinID, sr.CurrencyCode
	}
	rows, _ := s.pool.Query(ctx, `SELECT s.coin_id, s.currency_code, span.first_hour, span.last_hour
		FROM unnest($1::text[], $2::text[]) AS s (coin_id, currency_code)
		JOIN coins c ON c.id = s.coin_id
		JOIN currencies cu ON cu.code = s.currency_code
		JOIN series_stats span ON span.coin_key = c.key AND span.currency_key = cu.key`, coins, currencies)
	out := make(map[domain.Series]domain.Range, len(series))
	var sr domain.Series
	var first, last time.Time
	_, err := pgx.ForEachRow(rows, []any{&sr.CoinID, &sr.CurrencyCode, &first, &last}, func() error {
		out[sr] = domain.Range{Start: first.UTC(), End: last.UTC().Add(time.Hour)}
		return nil
	})
	return out, wrap("stored ranges", err)
}

// HasPrices reports whether any hourly price is stored, without counting them.
func (s *Store) HasPrices(ctx context.Context) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM series_stats)`).Scan(&ok)
	return ok, wrap("has prices", err)
}

// LatestHour returns the newest stored hour of any series, or ErrNotFound while no price is
// stored. The dashboard anchors its relative ranges on it so that "1M" means the last month
// of data, whatever day the data stopped. series_stats keeps each series' last hour, so this
// reads one small row per series however many hours are stored.
func (s *Store) LatestHour(ctx context.Context) (time.Time, error) {
	var ts *time.Time
	err := s.pool.QueryRow(ctx, `SELECT max(last_hour) FROM series_stats`).Scan(&ts)
	if err != nil {
		return time.Time{}, wrap("latest hour", err)
	}
	if ts == nil {
		return time.Time{}, wrap("latest hour", pgx.ErrNoRows)
	}
	return ts.UTC(), nil
}

// seriesSpans is a CTE naming, for every series given as arrays $1 and $2 that has hours, its
// keys and its stored range, from its first stored hour to its last, and how many hours are
// missing inside that range (every stored hour lies inside it).
const seriesSpans = `span AS (
		SELECT s.coin_id, s.currency_code, st.coin_key, st.currency_key, st.first_hour AS first, st.last_hour AS last,
			(extract(epoch FROM st.last_hour - st.first_hour)::bigint / 3600 + 1 - st.hours) AS missing
		FROM unnest($1::text[], $2::text[]) AS s (coin_id, currency_code)
		JOIN coins c ON c.id = s.coin_id
		JOIN currencies cu ON cu.code = s.currency_code
		JOIN series_stats st ON st.coin_key = c.key AND st.currency_key = cu.key)`

// missingHours lists, as (coin_id, currency_code, h), the hours missing inside the stored
// range of each series given as arrays $1 and $2. Only series missing some hours are read,
// a day at a time: an hour is missing where its day is not stored or holds no price at it.
const missingHours = `WITH ` + seriesSpans + `
	SELECT span.coin_id, span.currency_code, t.h
	FROM span
	CROSS JOIN LATERAL generate_series(0, (span.last AT TIME ZONE 'UTC')::date - (span.first AT TIME ZONE 'UTC')::date) AS n
	CROSS JOIN LATERAL (SELECT (span.first AT TIME ZONE 'UTC')::date + n AS date) day
	LEFT JOIN prices_hourly_packed p ON p.coin_key = span.coin_key AND p.currency_key = span.currency_key AND p.date = day.date
	CROSS JOIN LATERAL generate_series(1, 24) AS i
	CROSS JOIN LATERAL (SELECT day.date::timestamp AT TIME ZONE 'UTC' + (i - 1) * interval '1 hour' AS h) t
	WHERE span.missing > 0 AND p.price[i] IS NULL AND t.h BETWEEN span.first AND span.last`

func seriesArrays(series []domain.Series) (coins, currencies []string) {
	coins = make([]string, len(series))
	currencies = make([]string, len(series))
	for i, sr := range series {
		coins[i], currencies[i] = sr.CoinID, sr.CurrencyCode
	}
	return coins, currencies
}

// Holes returns, for every given series with hours missing inside its stored range, those
// hours as ranges of consecutive hours, newest first, leaving out hours already asked for
// for giveUpAfter times (NoteAsked): a run asks CoinGecko for the rest once more.
func (s *Store) Holes(ctx context.Context, series []domain.Series, giveUpAfter int) (map[domain.Series][]domain.Range, error) {
	coins, currencies := seriesArrays(series)
	// Consecutive missing hours share h minus their rank in hours: one group per hole.
	rows, _ := s.pool.Query(ctx, `WITH missing AS (`+missingHours+`
			AND NOT EXISTS (SELECT 1 FROM missing_hours m WHERE m.coin_id = span.coin_id
				AND m.currency_code = span.currency_code AND m."timestamp" = t.h AND m.attempts >= $3))
		SELECT coin_id, currency_code, min(h), max(h) + interval '1 hour'
		FROM (SELECT *, h - row_number() OVER (PARTITION BY coin_id, currency_code ORDER BY h) * interval '1 hour' AS hole
			FROM missing) m
		GROUP BY coin_id, currency_code, hole
		ORDER BY coin_id, currency_code, 3 DESC`, coins, currencies, giveUpAfter)
	out := map[domain.Series][]domain.Range{}
	var sr domain.Series
	var start, end time.Time
	_, err := pgx.ForEachRow(rows, []any{&sr.CoinID, &sr.CurrencyCode, &start, &end}, func() error {
		out[sr] = append(out[sr], domain.Range{Start: start.UTC(), End: end.UTC()})
		return nil
	})
	return out, wrap("holes", err)
}

// NoteAsked records what a run learnt of the hours of asked, a range it asked CoinGecko for
// and stored: an hour still missing that retry names (a sample of it was dropped as unusable,
// a null price) counts one more attempt, and one CoinGecko sent nothing for is given up at
// once (giveUpAfter attempts), since CoinGecko leaves some hours out for good; hours now
// stored are forgotten. With a fence in ctx it writes only while that fence holds the lease,
// and returns domain.ErrLeaseLost otherwise.
func (s *Store) NoteAsked(ctx context.Context, sr domain.Series, asked domain.Range, retry []time.Time, giveUpAfter int) error {
	return wrap("note hours asked", pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM missing_hours m
			WHERE m.coin_id = $1 AND m.currency_code = $2 AND m."timestamp" >= $3 AND m."timestamp" < $4
				AND m."timestamp" IN (SELECT "timestamp" FROM hours_in(ARRAY[$1::text], ARRAY[$2::text], $3, $4))`,
			sr.CoinID, sr.CurrencyCode, asked.Start, asked.End); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `WITH stored AS MATERIALIZED (
				SELECT "timestamp" FROM hours_in(ARRAY[$1::text], ARRAY[$2::text], $3, $4))
			INSERT INTO missing_hours (coin_id, currency_code, "timestamp", attempts, asked_at)
			SELECT $1, $2, h, CASE WHEN h = ANY($5) THEN 1 ELSE $6 END, now()
			FROM generate_series($3::timestamptz, $4::timestamptz - interval '1 hour', interval '1 hour') h
			WHERE h NOT IN (SELECT "timestamp" FROM stored)
			ON CONFLICT (coin_id, currency_code, "timestamp")
			DO UPDATE SET attempts = greatest(missing_hours.attempts + 1, excluded.attempts), asked_at = excluded.asked_at`,
			sr.CoinID, sr.CurrencyCode, asked.Start, asked.End, retry, giveUpAfter); err != nil {
			return err
		}
		return holdsLease(ctx, tx)
	}))
}

// HoursMissing counts the hours missing inside the stored ranges of the given series, holes
// CoinGecko never filled included.
func (s *Store) HoursMissing(ctx context.Context, series []domain.Series) (int, error) {
	coins, currencies := seriesArrays(series)
	var n int
	err := s.pool.QueryRow(ctx, `WITH `+seriesSpans+` SELECT coalesce(sum(missing), 0) FROM span`, coins, currencies).Scan(&n)
	return n, wrap("hours missing", err)
}
