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
	rows, _ := s.pool.Query(ctx, `WITH `+historyCuts+`
		SELECT d.date, d.open, d.high, d.low, d.close, d.samples, `+partialDay+` FROM prices_daily d
		WHERE d.coin_id = $1[1] AND d.currency_code = $2[1] AND d.date >= $3 AND d.date < $4
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
	rows, _ := s.pool.Query(ctx, `SELECT DISTINCT ON (("timestamp" AT TIME ZONE 'UTC')::date)
			"timestamp", price, market_cap, total_volume
		FROM prices_hourly
		WHERE coin_id = $1 AND currency_code = $2 AND "timestamp" >= $3 AND "timestamp" < $4
		ORDER BY ("timestamp" AT TIME ZONE 'UTC')::date, "timestamp" DESC`,
		series.CoinID, series.CurrencyCode, days.FirstDay(), days.LastDay().AddDate(0, 0, 1))
	out, err := pgx.CollectRows(rows, scanSample)
	return out, wrap("daily market "+series.String(), err)
}

// HourlyPrices returns the stored hours of one series within the range, oldest first, with
// their market cap and rolling 24-hour volume.
func (s *Store) HourlyPrices(ctx context.Context, series domain.Series, r domain.Range) ([]domain.Sample, error) {
	rows, _ := s.pool.Query(ctx, `SELECT "timestamp", price, market_cap, total_volume
		FROM prices_hourly
		WHERE coin_id = $1 AND currency_code = $2 AND "timestamp" >= $3 AND "timestamp" < $4
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
