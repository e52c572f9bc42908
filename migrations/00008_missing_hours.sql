-- +goose Up
-- Hours missing inside a series' stored range that a run asked CoinGecko for again and still
-- did not get: CoinGecko leaves some hours out for good, and a run stops asking for an hour
-- after a few tries rather than spend its call budget on it every day.
CREATE TABLE missing_hours (
    coin_id       text NOT NULL,
    currency_code text NOT NULL,
    "timestamp"   timestamptz NOT NULL,
    attempts      integer NOT NULL,
    asked_at      timestamptz NOT NULL,
    PRIMARY KEY (coin_id, currency_code, "timestamp"),
    FOREIGN KEY (coin_id) REFERENCES coins (id) ON DELETE CASCADE,
    FOREIGN KEY (currency_code) REFERENCES currencies (code) ON DELETE CASCADE
);

-- How many hours were still missing inside the stored ranges of a run's series when it
-- ended, holes CoinGecko never filled included: a run can succeed and still leave some.
ALTER TABLE fetch_runs ADD COLUMN hours_missing integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE fetch_runs DROP COLUMN hours_missing;
DROP TABLE missing_hours;
