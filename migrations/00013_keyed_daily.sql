-- +goose Up
-- Daily rows keyed as the hours are (migration 00012): by the coin's and the currency's small
-- integer keys, not their text ids (issue 21). A one-year query for 10 coins x 3 currencies
-- spent most of its time sorting 11,000 rows on text ids; with integer keys the rows are
-- found and ordered by integers, and the ids are joined on once per series. prices_daily
-- stays, as a view with the columns it always had, for operators, reports and tests.
--
-- Converting 3.65 M daily rows (1,000 coins x 10 currencies x 365 days) is one transaction
-- that may take what it needs, as 00012's did.
SET LOCAL statement_timeout = 0;
-- A replica of the older build still writing (a rolling deploy) waits until the copy is
-- done rather than adding daily rows the copy would not see and the DROP would lose.
LOCK TABLE prices_daily IN EXCLUSIVE MODE;

-- Columns ordered so that no byte is lost to alignment: 16 bytes of keys, date and samples,
-- then the doubles and the times.
CREATE TABLE prices_daily_keyed (
    coin_key     integer NOT NULL REFERENCES coins (key) ON DELETE CASCADE,
    date         date NOT NULL,
    samples      integer NOT NULL CHECK (samples BETWEEN 1 AND 24),
    currency_key smallint NOT NULL REFERENCES currencies (key) ON DELETE CASCADE,
    price        double precision NOT NULL,
    open         double precision NOT NULL,
    high         double precision NOT NULL,
    low          double precision NOT NULL,
    close        double precision NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- Every read names its series and a range of days, and the price queries and the
    -- in-memory daily series (store.DailyPrices) need only the mean and the hours: carried in
    -- the key's index, they are read without visiting the table, whose rows a daily run
    -- scatters a day of every series at a time.
    PRIMARY KEY (coin_key, currency_key, date) INCLUDE (price, samples)
);

INSERT INTO prices_daily_keyed (coin_key, currency_key, date, price, open, high, low, close, samples, created_at, updated_at)
SELECT c.key, cu.key, d.date, d.price, d.open, d.high, d.low, d.close, d.samples, d.created_at, d.updated_at
FROM prices_daily d
JOIN coins c ON c.id = d.coin_id
JOIN currencies cu ON cu.code = d.currency_code
ORDER BY c.key, cu.key, d.date;

DROP TABLE prices_daily;

CREATE VIEW prices_daily AS
SELECT c.id AS coin_id, cu.code AS currency_code, d.date, d.price, d.open, d.high, d.low, d.close, d.samples,
    d.created_at, d.updated_at
FROM prices_daily_keyed d
JOIN coins c ON c.key = d.coin_key
JOIN currencies cu ON cu.key = d.currency_key;

-- Scripts and operators that insert daily rows by ids (the benches' synthetic databases) keep
-- working: a row inserted into the view is stored under its keys, and ids not stored are
-- refused as the old foreign keys refused them.
-- +goose StatementBegin
CREATE FUNCTION prices_daily_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO prices_daily_keyed (coin_key, currency_key, date, price, open, high, low, close, samples, created_at, updated_at)
    SELECT c.key, cu.key, NEW.date, NEW.price, NEW.open, NEW.high, NEW.low, NEW.close, NEW.samples,
        coalesce(NEW.created_at, now()), coalesce(NEW.updated_at, now())
    FROM coins c, currencies cu WHERE c.id = NEW.coin_id AND cu.code = NEW.currency_code;
    IF NOT FOUND THEN
        RAISE foreign_key_violation USING MESSAGE = format('coin %L or currency %L is not stored', NEW.coin_id, NEW.currency_code);
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER prices_daily_insert INSTEAD OF INSERT ON prices_daily
    FOR EACH ROW EXECUTE FUNCTION prices_daily_insert();

ANALYZE prices_daily_keyed;

-- +goose Down
CREATE TABLE prices_daily_text (
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
INSERT INTO prices_daily_text SELECT * FROM prices_daily;
DROP VIEW prices_daily;
DROP FUNCTION prices_daily_insert();
DROP TABLE prices_daily_keyed;
ALTER TABLE prices_daily_text RENAME TO prices_daily;
ALTER TABLE prices_daily RENAME CONSTRAINT prices_daily_text_pkey TO prices_daily_pkey;
ALTER TABLE prices_daily RENAME CONSTRAINT prices_daily_text_coin_id_fkey TO prices_daily_coin_id_fkey;
ALTER TABLE prices_daily RENAME CONSTRAINT prices_daily_text_currency_code_fkey TO prices_daily_currency_code_fkey;
ALTER TABLE prices_daily RENAME CONSTRAINT prices_daily_text_samples_check TO prices_daily_samples_check;
