package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
)

// Metadata returns the hover-card facts of one stored coin, or ErrNotFound when the coin is
// not stored. A coin whose details the pipeline has not fetched yet (a first run still going,
// or CoinGecko refusing /coins/{id}) is still a coin: it comes back with its name and symbol,
// empty details and a zero UpdatedAt.
//
// Paragraphs that touch in a row stored by an older build are spaced as new rows are
// (sanitize.Paragraphs), for the hover cards and the metadata API alike.
//
// The description is read no further than sanitize.MaxDescriptionBytes characters: the
// pipeline stores no more than that, and a row written otherwise (by an older build still
// running during a rolling deploy) then costs a page or an answer no more than one written
// now.
func (s *Store) Metadata(ctx context.Context, coinID string) (domain.Metadata, error) {
	var m domain.Metadata
	var updated *time.Time
	err := s.pool.QueryRow(ctx, `SELECT c.id, c.name, c.symbol, left(coalesce(m.description, ''), $2),
			coalesce(m.image_url, ''), coalesce(m.homepage_url, ''), m.updated_at,
			m.market_cap_rank, m.circulating_supply, m.total_supply, m.max_supply
		FROM coins c LEFT JOIN coin_metadata m ON m.coin_id = c.id WHERE c.id = $1`, coinID, sanitize.MaxDescriptionBytes).
		Scan(&m.CoinID, &m.Name, &m.Symbol, &m.Description, &m.ImageURL, &m.HomepageURL, &updated,
			&m.Market.Rank, &m.Market.CirculatingSupply, &m.Market.TotalSupply, &m.Market.Max)
	if updated != nil {
		m.UpdatedAt = updated.UTC()
	}
	m.Description = sanitize.Paragraphs(m.Description)
	return m, wrap("metadata "+coinID, err)
}

// StaleMetadata returns those of coinIDs whose metadata is missing or older than maxAge.
func (s *Store) StaleMetadata(ctx context.Context, coinIDs []string, maxAge time.Duration) ([]string, error) {
	rows, _ := s.pool.Query(ctx, `SELECT id FROM unnest($1::text[]) AS id
		WHERE NOT EXISTS (SELECT 1 FROM coin_metadata m WHERE m.coin_id = id AND m.updated_at > now() - $2::interval)
		ORDER BY id`, coinIDs, maxAge)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, wrap("stale metadata", err)
}

// UpsertMetadata stores a coin's metadata and has the data version bumped (at most every
// versionEvery, and when the run ends), since hover cards on cached pages change with it. With a fence in ctx it writes only while that fence holds the
// lease, and returns domain.ErrLeaseLost otherwise.
func (s *Store) UpsertMetadata(ctx context.Context, m domain.Metadata) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The rank is part of the catalogue (domain.Coin.Rank): a new one stamps the coin.
		var rankChanged bool
		if err := tx.QueryRow(ctx, `WITH old AS (SELECT market_cap_rank FROM coin_metadata WHERE coin_id = $1)
			INSERT INTO coin_metadata (coin_id, description, image_url, homepage_url,
				market_cap_rank, circulating_supply, total_supply, max_supply)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (coin_id) DO UPDATE SET description = EXCLUDED.description,
				image_url = EXCLUDED.image_url, homepage_url = EXCLUDED.homepage_url,
				market_cap_rank = EXCLUDED.market_cap_rank, circulating_supply = EXCLUDED.circulating_supply,
				total_supply = EXCLUDED.total_supply, max_supply = EXCLUDED.max_supply, updated_at = now()
			RETURNING market_cap_rank IS DISTINCT FROM (SELECT market_cap_rank FROM old)`,
			m.CoinID, m.Description, m.ImageURL, m.HomepageURL,
			m.Market.Rank, m.Market.CirculatingSupply, m.Market.TotalSupply, m.Market.Max).Scan(&rankChanged); err != nil {
			return err
		}
		if rankChanged {
			cv, err := nextCatalogVersion(ctx, tx)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE coins SET catalog_version = $2 WHERE id = $1`, m.CoinID, cv); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE data_version SET catalog_version = $1`, cv); err != nil {
				return err
			}
		}
		return holdsLease(ctx, tx)
	})
	if err == nil {
		s.noteDataChanged(ctx)
	}
	return s.writes.note(wrap("upsert metadata "+m.CoinID, err))
}

// bumpVersion moves the data version on inside tx; its trigger notifies every replica when tx
// commits. The caller hands the returned version to noteVersion once tx has committed, so
// this process serves what it wrote without waiting for its own notification.
func bumpVersion(ctx context.Context, tx pgx.Tx) (domain.DataVersion, error) {
	rows, _ := tx.Query(ctx, `UPDATE data_version SET version = version + 1, changed_at = now()
		RETURNING version, simulated, changed_at`)
	return pgx.CollectExactlyOneRow(rows, scanVersion)
}

func scanVersion(r pgx.CollectableRow) (domain.DataVersion, error) {
	var v domain.DataVersion
	return v, r.Scan(&v.Version, &v.Simulated, &v.ChangedAt)
}
