-- +goose Up
-- The database session that holds the run lease: the backend's pid and start, which together
-- name one session for good (a pid is reused, a pid with its start time is not). While
-- pg_stat_activity still lists that session the holder may be alive; once it does not (the
-- process was killed and its connection closed, or the database restarted), the holder is
-- provably gone and the next claim takes the lease at once instead of waiting out its TTL.
ALTER TABLE fetch_lease ADD COLUMN holder_pid integer;
ALTER TABLE fetch_lease ADD COLUMN holder_backend_start timestamptz;

-- +goose Down
ALTER TABLE fetch_lease DROP COLUMN holder_backend_start;
ALTER TABLE fetch_lease DROP COLUMN holder_pid;
