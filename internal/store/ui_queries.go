package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

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
