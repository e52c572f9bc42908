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
	rows, _ := s.pool.Query(ctx, `SELECT s.coin_id, s.currency_code, span.first, span.last
		FROM unnest($1::text[], $2::text[]) AS s (coin_id, currency_code)
		CROSS JOIN LATERAL (SELECT min(p."timestamp") AS first, max(p."timestamp") AS last
			FROM prices_hourly p WHERE p.coin_id = s.coin_id AND p.currency_code = s.currency_code) span
		WHERE span.last IS NOT NULL`, coins, currencies)
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
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM prices_hourly)`).Scan(&ok)
	return ok, wrap("has prices", err)
}

// LatestHour returns the newest stored hour of any series, or ErrNotFound while no price is
// stored. The dashboard anchors its relative ranges on it so that "1M" means the last month
// of data, whatever day the data stopped. Each series' maximum comes from the end of its
// primary-key index, so this stays cheap however many rows there are.
func (s *Store) LatestHour(ctx context.Context) (time.Time, error) {
	var ts *time.Time
	err := s.pool.QueryRow(ctx, `SELECT max(l.ts) FROM coins c CROSS JOIN currencies cur
		CROSS JOIN LATERAL (SELECT max(p."timestamp") AS ts FROM prices_hourly p
			WHERE p.coin_id = c.id AND p.currency_code = cur.code) l`).Scan(&ts)
	if err != nil {
		return time.Time{}, wrap("latest hour", err)
	}
	if ts == nil {
		return time.Time{}, wrap("latest hour", pgx.ErrNoRows)
	}
	return ts.UTC(), nil
}

// missingHours lists, as (coin_id, currency_code, h), the hours missing inside the stored
// range of each series given as arrays $1 and $2: from its first stored hour to its last.
const missingHours = `WITH span AS (
		SELECT s.coin_id, s.currency_code, b.first, b.last
		FROM unnest($1::text[], $2::text[]) AS s (coin_id, currency_code)
		CROSS JOIN LATERAL (SELECT min(p."timestamp") AS first, max(p."timestamp") AS last
			FROM prices_hourly p WHERE p.coin_id = s.coin_id AND p.currency_code = s.currency_code) b
		WHERE b.last IS NOT NULL)
	SELECT span.coin_id, span.currency_code, h
	FROM span CROSS JOIN LATERAL generate_series(span.first, span.last, interval '1 hour') h
	WHERE NOT EXISTS (SELECT 1 FROM prices_hourly p
		WHERE p.coin_id = span.coin_id AND p.currency_code = span.currency_code AND p."timestamp" = h)`

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
				AND m.currency_code = span.currency_code AND m."timestamp" = h AND m.attempts >= $3))
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
		if _, err := tx.Exec(ctx, `DELETE FROM missing_hours m USING prices_hourly p
			WHERE m.coin_id = $1 AND m.currency_code = $2 AND m."timestamp" >= $3 AND m."timestamp" < $4
				AND p.coin_id = $1 AND p.currency_code = $2 AND p."timestamp" = m."timestamp"`,
			sr.CoinID, sr.CurrencyCode, asked.Start, asked.End); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO missing_hours (coin_id, currency_code, "timestamp", attempts, asked_at)
			SELECT $1, $2, h, CASE WHEN h = ANY($5) THEN 1 ELSE $6 END, now()
			FROM generate_series($3::timestamptz, $4::timestamptz - interval '1 hour', interval '1 hour') h
			WHERE NOT EXISTS (SELECT 1 FROM prices_hourly p WHERE p.coin_id = $1 AND p.currency_code = $2 AND p."timestamp" = h)
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
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM (`+missingHours+`) m`, coins, currencies).Scan(&n)
	return n, wrap("hours missing", err)
}
