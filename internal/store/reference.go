package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// UpsertCoins inserts the coins or refreshes their symbol and name. A change bumps the data
// version, since cached pages show the names.
func (s *Store) UpsertCoins(ctx context.Context, coins []domain.Coin) error {
	ids := make([]string, len(coins))
	symbols := make([]string, len(coins))
	names := make([]string, len(coins))
	for i, c := range coins {
		ids[i], symbols[i], names[i] = c.ID, c.Symbol, c.Name
	}
	return s.writes.note(wrap("upsert coins", s.upsertReference(ctx, "coins", `INSERT INTO coins AS c (id, symbol, name)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
		ON CONFLICT (id) DO UPDATE SET symbol = EXCLUDED.symbol, name = EXCLUDED.name, updated_at = now()
		WHERE (c.symbol, c.name) IS DISTINCT FROM (EXCLUDED.symbol, EXCLUDED.name)`, ids, symbols, names)))
}

// UpsertCurrencies inserts the currencies or refreshes their names, bumping the data version
// on a change as UpsertCoins does.
func (s *Store) UpsertCurrencies(ctx context.Context, currencies []domain.Currency) error {
	codes := make([]string, len(currencies))
	names := make([]string, len(currencies))
	for i, c := range currencies {
		codes[i], names[i] = c.Code, c.Name
	}
	return s.writes.note(wrap("upsert currencies", s.upsertReference(ctx, "currencies", `INSERT INTO currencies AS c (code, name)
		SELECT * FROM unnest($1::text[], $2::text[])
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, updated_at = now()
		WHERE c.name IS DISTINCT FROM EXCLUDED.name`, codes, names)))
}

// upsertReference runs an upsert of a small reference table, fenced as every write of a run
// is (a run that lost its lease gets domain.ErrLeaseLost and writes nothing), and, when it
// changed anything,
// bumps the data version and refreshes the table's statistics: autovacuum never analyzes a
// table this small, and the planner's default guess of hundreds of rows makes every
// per-series query look expensive.
func (s *Store) upsertReference(ctx context.Context, table, sql string, args ...any) error {
	var changed bool
	var v domain.DataVersion
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 {
			changed = true
			if v, err = bumpVersion(ctx, tx); err != nil {
				return err
			}
		}
		return holdsLease(ctx, tx)
	})
	if err != nil || !changed {
		return err
	}
	s.noteVersion(v)
	_, err = s.pool.Exec(ctx, "ANALYZE "+table)
	return err
}

// Coins lists every known coin sorted by name, as the API promises.
func (s *Store) Coins(ctx context.Context) ([]domain.Coin, error) {
	rows, _ := s.pool.Query(ctx, `SELECT c.id, c.symbol, c.name, c.created_at, coalesce(m.market_cap_rank, 0)
		FROM coins c LEFT JOIN coin_metadata m ON m.coin_id = c.id ORDER BY c.name, c.id`)
	coins, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Coin, error) {
		var c domain.Coin
		err := r.Scan(&c.ID, &c.Symbol, &c.Name, &c.CreatedAt, &c.Rank)
		c.CreatedAt = c.CreatedAt.UTC()
		return c, err
	})
	return coins, wrap("coins", err)
}

// Currencies lists every known currency sorted by code.
func (s *Store) Currencies(ctx context.Context) ([]domain.Currency, error) {
	rows, _ := s.pool.Query(ctx, `SELECT code, name, created_at FROM currencies ORDER BY code`)
	currencies, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Currency, error) {
		var c domain.Currency
		err := r.Scan(&c.Code, &c.Name, &c.CreatedAt)
		c.CreatedAt = c.CreatedAt.UTC()
		return c, err
	})
	return currencies, wrap("currencies", err)
}
