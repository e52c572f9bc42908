-- +goose Up
-- A coin's market-cap rank and supply as of the last run, from /coins/{id}'s market_data,
-- for the coin page. Rows stored before are dated back so the next run fills them in.
ALTER TABLE coin_metadata
    ADD COLUMN market_cap_rank integer,
    ADD COLUMN circulating_supply double precision,
    ADD COLUMN total_supply double precision,
    ADD COLUMN max_supply double precision;
UPDATE coin_metadata SET updated_at = least(updated_at, now() - interval '1 year');

-- +goose Down
ALTER TABLE coin_metadata
    DROP COLUMN market_cap_rank,
    DROP COLUMN circulating_supply,
    DROP COLUMN total_supply,
    DROP COLUMN max_supply;
