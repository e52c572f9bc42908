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
