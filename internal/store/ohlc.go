package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// DailyOHLC returns the daily rows of one series for every day the range touches, oldest
// first, straight from prices_daily: the coin page's candles and its JSON twin. A day is
// flagged partial while it is today or when the start of the stored history cuts it.
func (s *Store) DailyOHLC(ctx context.Context, series domain.Series, days domain.Range, today time.Time) ([]domain.Candle, error) {
	rows, _ := s.pool.Query(ctx, `WITH `+chosenSeries+`
		SELECT d.date, d.open, d.high, d.low, d.close, d.samples, `+partialDay+chosenDays+`
		ORDER BY d.date`,
		[]string{series.CoinID}, []string{series.CurrencyCode}, days.FirstDay(), days.LastDay().AddDate(0, 0, 1), domain.UTCDay(today))
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Candle, error) {
		var c domain.Candle
		err := r.Scan(&c.Day, &c.Open, &c.High, &c.Low, &c.Close, &c.Samples, &c.Partial)
		c.Day = c.Day.UTC()
		return c, err
	})
	return out, wrap("daily ohlc "+series.String(), err)
}

// DailyMarket returns, for every day the range touches that has stored hours, the last stored
// hour of that day, oldest first. prices_daily keeps no volume or market cap; CoinGecko's
// total_volume is already a rolling 24-hour volume, so the day's last hour stands for the day
// (as a daily close does for the price). Either figure is nil when the source sent none for
// that hour.
func (s *Store) DailyMarket(ctx context.Context, series domain.Series, days domain.Range) ([]domain.Sample, error) {
	rows, _ := s.pool.Query(ctx, `SELECT p.date::timestamp AT TIME ZONE 'UTC' + (u.i - 1) * interval '1 hour',
			u.price, u.market_cap, u.total_volume
		FROM prices_hourly_packed p
		JOIN coins c ON c.key = p.coin_key
		JOIN currencies cu ON cu.key = p.currency_key
		CROSS JOIN LATERAL (SELECT * FROM unnest(p.price, p.market_cap, p.total_volume) WITH ORDINALITY
				AS u (price, market_cap, total_volume, i)
			WHERE u.price IS NOT NULL ORDER BY u.i DESC LIMIT 1) u
		WHERE c.id = $1 AND cu.code = $2 AND p.date >= $3 AND p.date < $4
		ORDER BY p.date`,
		series.CoinID, series.CurrencyCode, days.FirstDay(), days.LastDay().AddDate(0, 0, 1))
	out, err := pgx.CollectRows(rows, scanSample)
	return out, wrap("daily market "+series.String(), err)
}

// HourlyPrices returns the stored hours of one series within the range, oldest first, with
// their market cap and rolling 24-hour volume.
func (s *Store) HourlyPrices(ctx context.Context, series domain.Series, r domain.Range) ([]domain.Sample, error) {
	rows, _ := s.pool.Query(ctx, `SELECT "timestamp", price, market_cap, total_volume
		FROM hours_in(ARRAY[$1::text], ARRAY[$2::text], $3, $4)
		ORDER BY "timestamp"`,
		series.CoinID, series.CurrencyCode, r.Start.UTC(), r.End.UTC())
	out, err := pgx.CollectRows(rows, scanSample)
	return out, wrap("hourly prices "+series.String(), err)
}

func scanSample(r pgx.CollectableRow) (domain.Sample, error) {
	var s domain.Sample
	var t time.Time
	err := r.Scan(&t, &s.Price, &s.MarketCap, &s.TotalVolume)
	s.Time = t.UTC()
	return s, err
}

// PricesAt returns, for each instant of at, the series' newest stored hour at or before it
// (a zero Sample where the history does not reach back that far), and the highest and lowest
// stored hours of its whole history: the coin page's returns strip and its "highest in stored
// history".
func (s *Store) PricesAt(ctx context.Context, series domain.Series, at []time.Time) (points []domain.Sample, high, low domain.Sample, err error) {
	points = make([]domain.Sample, len(at))
	// The newest hour at or before an instant is in the newest of the two newest stored days
	// up to its date: a stored day holds at least one hour, and only the first of the two
	// can hold hours after the instant.
	rows, _ := s.pool.Query(ctx, `SELECT a.i, p."timestamp", p.price
		FROM unnest($3::timestamptz[]) WITH ORDINALITY AS a (at, i)
		CROSS JOIN LATERAL (SELECT h."timestamp", h.price
			FROM (SELECT d.* FROM prices_hourly_packed d
				JOIN coins c ON c.key = d.coin_key JOIN currencies cu ON cu.key = d.currency_key
				WHERE c.id = $1 AND cu.code = $2 AND d.date <= (a.at AT TIME ZONE 'UTC')::date
				ORDER BY d.date DESC LIMIT 2) d
			CROSS JOIN LATERAL unnest(d.price) WITH ORDINALITY AS u (price, i)
			CROSS JOIN LATERAL (SELECT d.date::timestamp AT TIME ZONE 'UTC' + (u.i - 1) * interval '1 hour' AS "timestamp", u.price) h
			WHERE h.price IS NOT NULL AND h."timestamp" <= a.at
			ORDER BY h."timestamp" DESC LIMIT 1) p`, series.CoinID, series.CurrencyCode, at)
	var i int
	var p domain.Sample
	if _, err = pgx.ForEachRow(rows, []any{&i, &p.Time, &p.Price}, func() error {
		p.Time = p.Time.UTC()
		points[i-1] = p
		return nil
	}); err != nil {
		return nil, high, low, wrap("prices at "+series.String(), err)
	}
	// The highest hour is the first hour at the highest day's high, found from the daily rows,
	// and the lowest likewise, so a year of hours is not read for two of them.
	err = s.pool.QueryRow(ctx, `WITH k AS (SELECT c.key AS coin_key, cu.key AS currency_key
			FROM coins c, currencies cu WHERE c.id = $1 AND cu.code = $2),
		hi AS (SELECT date, high AS price FROM prices_daily_keyed d, k WHERE d.coin_key = k.coin_key AND d.currency_key = k.currency_key
			ORDER BY high DESC, date LIMIT 1),
		lo AS (SELECT date, low AS price FROM prices_daily_keyed d, k WHERE d.coin_key = k.coin_key AND d.currency_key = k.currency_key
			ORDER BY low, date LIMIT 1)
		SELECT hi.date::timestamp AT TIME ZONE 'UTC' + (array_position(ph.price, hi.price) - 1) * interval '1 hour', hi.price,
			lo.date::timestamp AT TIME ZONE 'UTC' + (array_position(pl.price, lo.price) - 1) * interval '1 hour', lo.price
		FROM k, hi, lo, prices_hourly_packed ph, prices_hourly_packed pl
		WHERE pl.coin_key = k.coin_key AND pl.currency_key = k.currency_key AND pl.date = lo.date
			AND ph.coin_key = k.coin_key AND ph.currency_key = k.currency_key AND ph.date = hi.date`, series.CoinID, series.CurrencyCode).
		Scan(&high.Time, &high.Price, &low.Time, &low.Price)
	high.Time, low.Time = high.Time.UTC(), low.Time.UTC()
	return points, high, low, wrap("history extremes "+series.String(), err)
}
