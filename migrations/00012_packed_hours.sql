-- +goose Up
-- Hours stored a day to a row, for 1,000 coins x 10 currencies (issue 21). A row per hour
-- spent 28 bytes on PostgreSQL's tuple header and line pointer and 36 on a primary-key entry
-- of text ids, more than its 24 bytes of prices: 128 bytes an hour all told. One row per
-- series and UTC day holds the day's 24 hours as arrays indexed by hour (1 = 00:00), a
-- missing hour being NULL; the header and the key are then paid once a day, about 30 bytes
-- an hour all told. prices_hourly stays, as a view of one row per stored hour with the
-- columns it always had, for operators, reports and tests.
--
-- Converting a year of 44 series (386,000 hours) takes seconds on a quiet server and more
-- than the app's 30 s statement timeout on a busy one; the conversion is one transaction, so
-- it may take what it needs.
SET LOCAL statement_timeout = 0;

-- Coins and currencies get small integer keys, so a row's key is 12 bytes, not two texts.
ALTER TABLE coins ADD COLUMN key integer GENERATED ALWAYS AS IDENTITY;
ALTER TABLE coins ADD CONSTRAINT coins_key_key UNIQUE (key);
ALTER TABLE currencies ADD COLUMN key smallint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE currencies ADD CONSTRAINT currencies_key_key UNIQUE (key);

-- Partitioned by month of the day: a month's partition is about 1/12 of a year's data, so
-- dropping old history or vacuuming is per month, and a query for a range reads only the
-- months it touches. The app creates partitions ahead (store.EnsurePartitions, on start and
-- before every run); RDS has no TimescaleDB to do it. The primary key is the only index: it
-- is one entry per series and day (about 1 byte an hour), and every read names its series,
-- so a BRIN index on date would never be chosen.
CREATE TABLE prices_hourly_packed (
    coin_key     integer NOT NULL REFERENCES coins (key) ON DELETE CASCADE,
    currency_key smallint NOT NULL REFERENCES currencies (key) ON DELETE CASCADE,
    date         date NOT NULL,
    -- Prices are CoinGecko's IEEE doubles, stored bit for bit. None is above 1e15
    -- (domain.MaxPrice: no asset trades near it; higher is corrupt data). NaN and Infinity
    -- are above it in PostgreSQL's order, so that test refuses them too; NULLs pass both.
    price        double precision[] NOT NULL CHECK (
        array_ndims(price) = 1 AND array_lower(price, 1) = 1 AND cardinality(price) = 24
        AND 0 < ALL (price) AND 1e15 >= ALL (price)
        AND price <> array_fill(NULL::double precision, ARRAY[24])),
    market_cap   double precision[] NOT NULL CHECK (
        array_ndims(market_cap) = 1 AND array_lower(market_cap, 1) = 1 AND cardinality(market_cap) = 24),
    total_volume double precision[] NOT NULL CHECK (
        array_ndims(total_volume) = 1 AND array_lower(total_volume, 1) = 1 AND cardinality(total_volume) = 24),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (coin_key, currency_key, date)
) PARTITION BY RANGE (date);

-- What each series holds, kept by every write in the write's transaction, so the newest hour,
-- a series' stored range and the row counts of /api/health and /status are read from one
-- small row per series instead of scanning the prices.
CREATE TABLE series_stats (
    coin_key     integer NOT NULL REFERENCES coins (key) ON DELETE CASCADE,
    currency_key smallint NOT NULL REFERENCES currencies (key) ON DELETE CASCADE,
    first_hour   timestamptz NOT NULL,
    last_hour    timestamptz NOT NULL,
    hours        bigint NOT NULL CHECK (hours >= 0),
    days         integer NOT NULL CHECK (days >= 0),
    PRIMARY KEY (coin_key, currency_key),
    CHECK (first_hour <= last_hour)
);

-- A partition for every month the existing hours fall in.
-- +goose StatementBegin
DO $$
DECLARE m date;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', "timestamp" AT TIME ZONE 'UTC')::date FROM prices_hourly LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF prices_hourly_packed FOR VALUES FROM (%L) TO (%L)',
            'prices_hourly_packed_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- Each day's hours are gathered in one pass, then laid into their 24 slots: a join of every
-- slot against the old table would probe its index 24 times a day.
INSERT INTO prices_hourly_packed (coin_key, currency_key, date, price, market_cap, total_volume, created_at, updated_at)
SELECT c.key, cu.key, d.date, a.price, a.market_cap, a.total_volume, d.created_at, d.updated_at
FROM (SELECT coin_id, currency_code, ("timestamp" AT TIME ZONE 'UTC')::date AS date,
        array_agg(extract(hour FROM "timestamp" AT TIME ZONE 'UTC')::int ORDER BY "timestamp") AS hours,
        array_agg(price ORDER BY "timestamp") AS prices,
        array_agg(market_cap ORDER BY "timestamp") AS market_caps,
        array_agg(total_volume ORDER BY "timestamp") AS volumes,
        min(created_at) AS created_at, max(updated_at) AS updated_at
    FROM prices_hourly GROUP BY 1, 2, 3) d
JOIN coins c ON c.id = d.coin_id
JOIN currencies cu ON cu.code = d.currency_code
CROSS JOIN LATERAL (
    SELECT array_agg(u.price ORDER BY s.i) AS price, array_agg(u.market_cap ORDER BY s.i) AS market_cap,
        array_agg(u.total_volume ORDER BY s.i) AS total_volume
    FROM generate_series(0, 23) AS s (i)
    LEFT JOIN unnest(d.hours, d.prices, d.market_caps, d.volumes) AS u (hour, price, market_cap, total_volume) ON u.hour = s.i) a;

INSERT INTO series_stats (coin_key, currency_key, first_hour, last_hour, hours, days)
SELECT c.key, cu.key, min(p."timestamp"), max(p."timestamp"), count(*),
    count(DISTINCT (p."timestamp" AT TIME ZONE 'UTC')::date)
FROM prices_hourly p
JOIN coins c ON c.id = p.coin_id
JOIN currencies cu ON cu.code = p.currency_code
GROUP BY c.key, cu.key;

DROP TABLE prices_hourly;

CREATE VIEW prices_hourly AS
SELECT c.id AS coin_id, cu.code AS currency_code,
    p.date::timestamp AT TIME ZONE 'UTC' + (h.i - 1) * interval '1 hour' AS "timestamp",
    h.price, h.market_cap, h.total_volume, p.created_at, p.updated_at
FROM prices_hourly_packed p
JOIN coins c ON c.key = p.coin_key
JOIN currencies cu ON cu.key = p.currency_key
CROSS JOIN LATERAL unnest(p.price, p.market_cap, p.total_volume) WITH ORDINALITY AS h (price, market_cap, total_volume, i)
WHERE h.price IS NOT NULL;

-- The hours of the coins and currencies named, from from_ts (included) to to_ts (excluded),
-- as rows of prices_hourly. A plain SQL function of one SELECT, so the planner inlines it
-- into the calling query: it reads only the days, and the partitions, of the range.
-- +goose StatementBegin
CREATE FUNCTION hours_in(coin_ids text[], currency_codes text[], from_ts timestamptz, to_ts timestamptz)
RETURNS TABLE (coin_id text, currency_code text, "timestamp" timestamptz,
    price double precision, market_cap double precision, total_volume double precision)
LANGUAGE sql STABLE AS $$
    SELECT h.coin_id, h.currency_code, h."timestamp", h.price, h.market_cap, h.total_volume
    FROM (SELECT c.id AS coin_id, cu.code AS currency_code,
            p.date::timestamp AT TIME ZONE 'UTC' + (u.i - 1) * interval '1 hour' AS "timestamp",
            u.price, u.market_cap, u.total_volume
        FROM prices_hourly_packed p
        JOIN coins c ON c.key = p.coin_key
        JOIN currencies cu ON cu.key = p.currency_key
        CROSS JOIN LATERAL unnest(p.price, p.market_cap, p.total_volume) WITH ORDINALITY AS u (price, market_cap, total_volume, i)
        WHERE c.id = ANY (coin_ids) AND cu.code = ANY (currency_codes)
            AND p.date >= (from_ts AT TIME ZONE 'UTC')::date AND p.date <= (to_ts AT TIME ZONE 'UTC')::date
            AND u.price IS NOT NULL) h
    WHERE h."timestamp" >= from_ts AND h."timestamp" < to_ts
$$;
-- +goose StatementEnd

-- +goose Down
CREATE TABLE prices_hourly_unpacked (
    coin_id       text NOT NULL REFERENCES coins (id) ON DELETE CASCADE,
    currency_code text NOT NULL REFERENCES currencies (code) ON DELETE CASCADE,
    "timestamp"   timestamptz NOT NULL CHECK (date_bin('1 hour', "timestamp", TIMESTAMPTZ '2000-01-01 00:00:00+00') = "timestamp"),
    price         double precision NOT NULL CHECK (price > 0 AND price < 'Infinity'::float8),
    market_cap    double precision,
    total_volume  double precision,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (coin_id, currency_code, "timestamp")
);
INSERT INTO prices_hourly_unpacked SELECT * FROM prices_hourly;
DROP FUNCTION hours_in(text[], text[], timestamptz, timestamptz);
DROP VIEW prices_hourly;
DROP TABLE series_stats;
DROP TABLE prices_hourly_packed;
ALTER TABLE prices_hourly_unpacked RENAME TO prices_hourly;
ALTER TABLE prices_hourly RENAME CONSTRAINT prices_hourly_unpacked_pkey TO prices_hourly_pkey;
ALTER TABLE prices_hourly RENAME CONSTRAINT prices_hourly_unpacked_coin_id_fkey TO prices_hourly_coin_id_fkey;
ALTER TABLE prices_hourly RENAME CONSTRAINT prices_hourly_unpacked_currency_code_fkey TO prices_hourly_currency_code_fkey;
ALTER TABLE currencies DROP COLUMN key;
ALTER TABLE coins DROP COLUMN key;
