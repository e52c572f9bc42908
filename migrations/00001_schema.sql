-- +goose Up
CREATE TABLE coins (
    id         text PRIMARY KEY,
    symbol     text NOT NULL,
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE currencies (
    code       text PRIMARY KEY CHECK (code = lower(code) AND code <> ''),
    name       text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Prices are CoinGecko's IEEE doubles: double precision stores them bit for bit.
CREATE TABLE prices_hourly (
    coin_id       text NOT NULL REFERENCES coins (id) ON DELETE CASCADE,
    currency_code text NOT NULL REFERENCES currencies (code) ON DELETE CASCADE,
    -- date_bin is plain arithmetic; date_trunc at a time zone would triple the cost of a COPY.
    "timestamp"   timestamptz NOT NULL CHECK (date_bin('1 hour', "timestamp", TIMESTAMPTZ '2000-01-01 00:00:00+00') = "timestamp"),
    price         double precision NOT NULL CHECK (price > 0 AND price < 'Infinity'::float8),
    market_cap    double precision,
    total_volume  double precision,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (coin_id, currency_code, "timestamp")
);

CREATE TABLE prices_daily (
    coin_id       text NOT NULL REFERENCES coins (id) ON DELETE CASCADE,
    currency_code text NOT NULL REFERENCES currencies (code) ON DELETE CASCADE,
    date          date NOT NULL,
    price         double precision NOT NULL,
    open          double precision NOT NULL,
    high          double precision NOT NULL,
    low           double precision NOT NULL,
    close         double precision NOT NULL,
    samples       integer NOT NULL CHECK (samples BETWEEN 1 AND 24),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (coin_id, currency_code, date)
);

CREATE TABLE coin_metadata (
    coin_id      text PRIMARY KEY REFERENCES coins (id) ON DELETE CASCADE,
    description  text NOT NULL DEFAULT '',
    image_url    text NOT NULL DEFAULT '',
    homepage_url text NOT NULL DEFAULT '',
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE fetch_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'cron', 'cli', 'startup')),
    status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    series_total  integer NOT NULL DEFAULT 0,
    series_done   integer NOT NULL DEFAULT 0,
    windows_total integer NOT NULL DEFAULT 0,
    windows_done  integer NOT NULL DEFAULT 0,
    rows_written  bigint NOT NULL DEFAULT 0,
    error         text NOT NULL DEFAULT '',
    CHECK ((status = 'running') = (finished_at IS NULL))
);

CREATE INDEX fetch_runs_started_at_idx ON fetch_runs (started_at DESC);

-- One row that every write of prices or metadata bumps, so a page's ETag can change exactly
-- when data lands without scanning the price tables on each request. simulated records that
-- some stored prices came from the CoinGecko simulator, so every page can say so plainly.
CREATE TABLE data_version (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    version    bigint NOT NULL DEFAULT 0,
    simulated  boolean NOT NULL DEFAULT false,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO data_version DEFAULT VALUES;

-- +goose Down
DROP TABLE data_version;
DROP TABLE fetch_runs;
DROP TABLE coin_metadata;
DROP TABLE prices_daily;
DROP TABLE prices_hourly;
DROP TABLE currencies;
DROP TABLE coins;
