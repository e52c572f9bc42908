-- The 1,000-coin database of make bench (.ci/bench/scale): :coins coins (1,000) x 10 currencies x 365
-- whole days of hours ending yesterday (87.6 M hours), synthesised here in the shape the app
-- writes, with the daily rows and series_stats computed from those hours. Prices are made
-- up (a wave per coin), and data_version says simulated, so no page shows them as real.
\set ON_ERROR_STOP on
\timing on
SET synchronous_commit = off;
SET max_parallel_workers_per_gather = 0;

INSERT INTO coins (id, symbol, name)
SELECT id, left(id, 4), initcap(replace(id, '-', ' '))
FROM unnest(ARRAY['bitcoin', 'ethereum', 'solana', 'cardano', 'ripple', 'polkadot', 'dogecoin',
    'avalanche-2', 'chainlink', 'uniswap', 'litecoin']) AS id
UNION ALL
SELECT 'coin-' || lpad(n::text, 4, '0'), 'c' || n, 'Coin ' || n FROM generate_series(12, :coins) AS n;

INSERT INTO currencies (code, name) VALUES ('usd', 'US Dollar'), ('try', 'Turkish Lira'), ('eur', 'Euro'),
    ('gbp', 'British Pound'), ('jpy', 'Japanese Yen'), ('cad', 'Canadian Dollar'), ('aud', 'Australian Dollar'),
    ('chf', 'Swiss Franc'), ('cny', 'Chinese Yuan'), ('inr', 'Indian Rupee');

-- The partitions of the year of history and the months ahead (the app makes them as it writes).
DO $$
DECLARE m date;
BEGIN
    FOR m IN SELECT generate_series(date_trunc('month', current_date - 366), date_trunc('month', current_date + 62), interval '1 month')::date LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF prices_hourly_packed FOR VALUES FROM (%L) TO (%L)',
            'prices_hourly_packed_' || to_char(m, 'YYYY_MM'), m, (m + interval '1 month')::date);
    END LOOP;
END
$$;

-- A day per row, a currency at a time, in the order a backfill leaves them (series by
-- series), so the table is laid out as the app lays it out.
INSERT INTO prices_hourly_packed (coin_key, currency_key, date, price, market_cap, total_volume)
SELECT c.key, cu.key, d.date, a.price, a.market_cap, a.total_volume
FROM coins c CROSS JOIN currencies cu
CROSS JOIN LATERAL (SELECT current_date - n AS date, 365 - n AS day FROM generate_series(1, 365) AS n) d
CROSS JOIN LATERAL (
    SELECT array_agg(p ORDER BY h) AS price, array_agg(p * 1.9e7 ORDER BY h) AS market_cap, array_agg(p * 3.1e5 ORDER BY h) AS total_volume
    FROM (SELECT h, (10 + c.key % 997) * (1 + cu.key) * (1.5 + sin((d.day * 24 + h) / (40.0 + c.key % 13)) * 0.3 + d.day / 730.0) AS p
        FROM generate_series(0, 23) AS h) x) a
ORDER BY c.key, cu.key, d.date;

INSERT INTO prices_daily_keyed (coin_key, currency_key, date, price, open, high, low, close, samples)
SELECT p.coin_key, p.currency_key, p.date, a.mean, p.price[1], a.high, a.low, p.price[24], 24
FROM prices_hourly_packed p
CROSS JOIN LATERAL (SELECT avg(u.v ORDER BY u.i) AS mean, max(u.v) AS high, min(u.v) AS low
    FROM unnest(p.price) WITH ORDINALITY AS u (v, i)) a
ORDER BY p.coin_key, p.currency_key, p.date;

INSERT INTO series_stats (coin_key, currency_key, first_hour, last_hour, hours, days)
SELECT coin_key, currency_key, min(date)::timestamp AT TIME ZONE 'UTC', max(date)::timestamp AT TIME ZONE 'UTC' + interval '23 hours',
    24 * count(*), count(*)
FROM prices_hourly_packed GROUP BY coin_key, currency_key;

INSERT INTO fetch_runs (trigger, status, started_at, finished_at, series_total, series_done, rows_written)
VALUES ('cli', 'succeeded', now() - interval '1 hour', now() - interval '50 minutes', 10000, 10000, 87600000);
UPDATE data_version SET version = version + 1, simulated = true, changed_at = now();

-- The app analyzes coins and currencies whenever it changes them (store.upsertReference).
ANALYZE coins;
ANALYZE currencies;
VACUUM (ANALYZE) prices_hourly_packed;
VACUUM (ANALYZE) prices_daily_keyed;
VACUUM (ANALYZE) series_stats;
