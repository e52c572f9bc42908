-- +goose Up
-- Samples a run dropped as unusable, per series: {"bitcoin/usd": 3}.
ALTER TABLE fetch_runs ADD COLUMN samples_dropped jsonb NOT NULL DEFAULT '{}';

-- The run lease: one row saying which fetch run may write, and until when by the database's
-- clock. A holder renews expires_at while it works; one that vanishes (killed, or its network
-- cut) frees the lease when expires_at passes, whatever became of its connections. token grows
-- with every claim and fences writes: a run's writes check, in their own transaction, that
-- the lease is still held under its token and unexpired.
CREATE TABLE fetch_lease (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    token       bigint NOT NULL DEFAULT 0,
    holder      text NOT NULL DEFAULT '',
    run_id      bigint REFERENCES fetch_runs (id) ON DELETE SET NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL DEFAULT '-infinity'
);
INSERT INTO fetch_lease DEFAULT VALUES;

-- Runs left running are looked up on every read of runs, to close those whose lease lapsed.
CREATE INDEX fetch_runs_running_idx ON fetch_runs (id) WHERE status = 'running';

-- +goose Down
DROP INDEX fetch_runs_running_idx;
DROP TABLE fetch_lease;
ALTER TABLE fetch_runs DROP COLUMN samples_dropped;
