-- +goose Up
-- Samples a run dropped as unusable, per series: {"bitcoin/usd": 3}.
ALTER TABLE fetch_runs ADD COLUMN samples_dropped jsonb NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE fetch_runs DROP COLUMN samples_dropped;
