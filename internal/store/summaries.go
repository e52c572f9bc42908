package store

import (
	"context"
	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// SeriesSummaries reports, for each given series with prices in r, its first and last price
// and its high and low there, for the dashboard's cards. Daily queries read the daily rows of the days r touches (a
// day's open is its first stored hour and its close its last, so the answer is the hourly
// one for whole days at a fraction of the rows); hourly queries read the hours in r.
func (s *Store) SeriesSummaries(ctx context.Context, series []domain.Series, r domain.Range, g domain.Granularity) (map[domain.Series]domain.Summary, error) {
	coins := make([]string, len(series))
	currencies := make([]string, len(series))
	for i, sr := range series {
		coins[i], currencies[i] = sr.CoinID, sr.CurrencyCode
	}
	sql := `SELECT s.coin_id, s.currency_code, f.open, l.close, m.high, m.low
		FROM unnest($1::text[], $2::text[]) AS s (coin_id, currency_code)
		CROSS JOIN LATERAL (SELECT open FROM prices_daily p
			WHERE p.coin_id = s.coin_id AND p.currency_code = s.currency_code AND date >= $3 AND date < $4
			ORDER BY date LIMIT 1) f
		CROSS JOIN LATERAL (SELECT close FROM prices_daily p
			WHERE p.coin_id = s.coin_id AND p.currency_code = s.currency_code AND date >= $3 AND date < $4
			ORDER BY date DESC LIMIT 1) l
		CROSS JOIN LATERAL (SELECT max(high) AS high, min(low) AS low FROM prices_daily p
			WHERE p.coin_id = s.coin_id AND p.currency_code = s.currency_code AND date >= $3 AND date < $4) m`
	from, to := r.FirstDay(), r.LastDay().AddDate(0, 0, 1)
	if g == domain.Hourly {
		// Hourly ranges are two days or so: the hours of the named coins and currencies are
		// few, and one pass over them answers every series.
		sql = `SELECT h.coin_id, h.currency_code, (array_agg(h.price ORDER BY h."timestamp"))[1],
			(array_agg(h.price ORDER BY h."timestamp" DESC))[1], max(h.price), min(h.price)
		FROM hours_in($1, $2, $3, $4) h
		WHERE (h.coin_id, h.currency_code) IN (SELECT * FROM unnest($1::text[], $2::text[]))
		GROUP BY h.coin_id, h.currency_code`
		from, to = r.Start.UTC(), r.End.UTC()
	}
	rows, _ := s.pool.Query(ctx, sql, coins, currencies, from, to)
	out := make(map[domain.Series]domain.Summary, len(series))
	var sr domain.Series
	var sum domain.Summary
	_, err := pgx.ForEachRow(rows, []any{&sr.CoinID, &sr.CurrencyCode, &sum.First, &sum.Last, &sum.High, &sum.Low}, func() error {
		out[sr] = sum
		return nil
	})
	return out, wrap("series summaries", err)
}
