-- +goose Up
-- Login sessions, in the schema alexedwards/scs pgxstore expects. Kept in PostgreSQL so every
-- replica behind the load balancer sees the same sessions.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- +goose Down
DROP TABLE sessions;
