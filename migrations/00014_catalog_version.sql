-- +goose Up
-- The catalogue (coins, currencies, the newest hour) read incrementally (issue 21). Every
-- data-version bump had each replica read the whole catalogue again, 1,000 coins with their
-- ranks, though a run's bumps are for prices: the work a run caused on the readers grew with
-- the bumps times the coins. A catalogue version now counts the changes to coins, currencies
-- and the ranks, and stamps each changed row with it; a reader asks for the rows stamped
-- after the version it holds, which is none on most bumps.
ALTER TABLE data_version ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;
ALTER TABLE coins ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;
ALTER TABLE currencies ADD COLUMN catalog_version bigint NOT NULL DEFAULT 0;
CREATE INDEX coins_catalog_version_idx ON coins (catalog_version);

-- The newest hour of any series by index, not by reading every series' row.
CREATE INDEX series_stats_last_hour_idx ON series_stats (last_hour);

-- A catalogue change stamps its rows inside its own transaction and the data version moves
-- on later (a run's metadata writes are announced with its prices): notify only when the
-- data version itself moves.
DROP TRIGGER data_version_notify ON data_version;
CREATE TRIGGER data_version_notify AFTER UPDATE OF version ON data_version
    FOR EACH ROW EXECUTE FUNCTION notify_data_version();

-- +goose Down
DROP TRIGGER data_version_notify ON data_version;
CREATE TRIGGER data_version_notify AFTER UPDATE ON data_version
    FOR EACH ROW EXECUTE FUNCTION notify_data_version();
DROP INDEX series_stats_last_hour_idx;
ALTER TABLE currencies DROP COLUMN catalog_version;
ALTER TABLE coins DROP COLUMN catalog_version;
ALTER TABLE data_version DROP COLUMN catalog_version;
