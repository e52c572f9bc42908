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
	return s.writes.note(wrap("upsert coins", s.upsertReference(ctx, "coins", `INSERT INTO coins AS c (id, symbol, name, catalog_version)
		SELECT u.*, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS u
		ON CONFLICT (id) DO UPDATE SET symbol = EXCLUDED.symbol, name = EXCLUDED.name, updated_at = now(),
			catalog_version = EXCLUDED.catalog_version
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
	return s.writes.note(wrap("upsert currencies", s.upsertReference(ctx, "currencies", `INSERT INTO currencies AS c (code, name, catalog_version)
		SELECT u.*, $3 FROM unnest($1::text[], $2::text[]) AS u
		ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, updated_at = now(), catalog_version = EXCLUDED.catalog_version
		WHERE c.name IS DISTINCT FROM EXCLUDED.name`, codes, names)))
}

// upsertReference runs an upsert of a small reference table, fenced as every write of a run
// is (a run that lost its lease gets domain.ErrLeaseLost and writes nothing), and, when it
// changed anything, bumps the data version and the catalogue version the upsert stamped its
// rows with (its last argument, see nextCatalogVersion) and refreshes the table's
// statistics: autovacuum never analyzes a table this small, and the planner's default guess
// of hundreds of rows makes every per-series query look expensive.
func (s *Store) upsertReference(ctx context.Context, table, sql string, args ...any) error {
	var changed bool
	var v domain.DataVersion
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		cv, err := nextCatalogVersion(ctx, tx)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, sql, append(args, cv)...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 {
			changed = true
			rows, _ := tx.Query(ctx, `UPDATE data_version SET version = version + 1, catalog_version = $1, changed_at = now()
				RETURNING version, simulated, changed_at`, cv)
			if v, err = pgx.CollectExactlyOneRow(rows, scanVersion); err != nil {
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

// nextCatalogVersion returns the catalogue version a change in tx stamps its rows with, and
// locks the version's row until tx ends: writers of the catalogue take turns, so stamps
// become visible in the order they grow, and a reader holding the catalogue as of stamp n
// misses nothing by reading only the rows stamped after n (versionCache.catalogAt). tx must
// store the stamp in data_version if it changed anything.
func nextCatalogVersion(ctx context.Context, tx pgx.Tx) (int64, error) {
	var cv int64
	err := tx.QueryRow(ctx, `SELECT catalog_version + 1 FROM data_version FOR UPDATE`).Scan(&cv)
	return cv, err
}

// Coins lists every known coin sorted by name, as the API promises.
func (s *Store) Coins(ctx context.Context) ([]domain.Coin, error) {
	coins, err := coinsWhere(ctx, s.pool, ``)
	return coins, wrap("coins", err)
}

// rowsQuerier is the pool or a transaction.
type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// coinsWhere lists the coins the condition where (on coins c) selects, sorted by name.
func coinsWhere(ctx context.Context, q rowsQuerier, where string, args ...any) ([]domain.Coin, error) {
	rows, _ := q.Query(ctx, `SELECT c.id, c.symbol, c.name, c.created_at, coalesce(m.market_cap_rank, 0)
		FROM coins c LEFT JOIN coin_metadata m ON m.coin_id = c.id `+where+` ORDER BY c.name, c.id`, args...)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Coin, error) {
		var c domain.Coin
		err := r.Scan(&c.ID, &c.Symbol, &c.Name, &c.CreatedAt, &c.Rank)
		c.CreatedAt = c.CreatedAt.UTC()
		return c, err
	})
}

// Currencies lists every known currency sorted by code.
func (s *Store) Currencies(ctx context.Context) ([]domain.Currency, error) {
	c, err := currencies(ctx, s.pool)
	return c, wrap("currencies", err)
}

func currencies(ctx context.Context, q rowsQuerier) ([]domain.Currency, error) {
	rows, _ := q.Query(ctx, `SELECT code, name, created_at FROM currencies ORDER BY code`)
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Currency, error) {
		var c domain.Currency
		err := r.Scan(&c.Code, &c.Name, &c.CreatedAt)
		c.CreatedAt = c.CreatedAt.UTC()
		return c, err
	})
}
