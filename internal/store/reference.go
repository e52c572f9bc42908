package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// UpsertCoins inserts the coins or refreshes their symbol and name.
func (s *Store) UpsertCoins(ctx context.Context, coins []domain.Coin) error {
	batch := &pgx.Batch{}
	for _, c := range coins {
		batch.Queue(`INSERT INTO coins (id, symbol, name) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET symbol = EXCLUDED.symbol, name = EXCLUDED.name, updated_at = now()
			WHERE (coins.symbol, coins.name) IS DISTINCT FROM (EXCLUDED.symbol, EXCLUDED.name)`,
			c.ID, c.Symbol, c.Name)
	}
	// Autovacuum never analyzes a table this small, and the planner's default guess of
	// hundreds of rows makes every per-series lateral query look expensive.
	batch.Queue(`ANALYZE coins`)
	return wrap("upsert coins", s.pool.SendBatch(ctx, batch).Close())
}

// UpsertCurrencies inserts the currencies or refreshes their names.
func (s *Store) UpsertCurrencies(ctx context.Context, currencies []domain.Currency) error {
	batch := &pgx.Batch{}
	for _, c := range currencies {
		batch.Queue(`INSERT INTO currencies (code, name) VALUES ($1, $2)
			ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
			WHERE currencies.name IS DISTINCT FROM EXCLUDED.name`,
			c.Code, c.Name)
	}
	batch.Queue(`ANALYZE currencies`)
	return wrap("upsert currencies", s.pool.SendBatch(ctx, batch).Close())
}

// Coins lists every known coin sorted by name, as the API promises.
func (s *Store) Coins(ctx context.Context) ([]domain.Coin, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id, symbol, name FROM coins ORDER BY name, id`)
	coins, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Coin, error) {
		var c domain.Coin
		return c, r.Scan(&c.ID, &c.Symbol, &c.Name)
	})
	return coins, wrap("coins", err)
}

// Currencies lists every known currency sorted by code.
func (s *Store) Currencies(ctx context.Context) ([]domain.Currency, error) {
	rows, _ := s.pool.Query(ctx, `SELECT code, name FROM currencies ORDER BY code`)
	currencies, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Currency, error) {
		var c domain.Currency
		return c, r.Scan(&c.Code, &c.Name)
	})
	return currencies, wrap("currencies", err)
}
