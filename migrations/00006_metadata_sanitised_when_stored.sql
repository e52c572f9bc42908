-- +goose Up
-- From this version the pipeline stores coin descriptions sanitised and at most 8 KB long
-- (internal/sanitize), and pages cut what they show from the stored text. Rows stored before
-- it hold CoinGecko's text as sent, of any length: they are cut to 8,192 characters here, so
-- no page parses more than that (pages pass what they show through the sanitiser again), and
-- dated back so the next run fetches them afresh and stores them clean.
UPDATE coin_metadata
SET description = left(description, 8192),
    updated_at = least(updated_at, now() - interval '1 year');

-- +goose Down
-- Nothing to undo: the cut text and the older date are what the previous version would
-- have read and refreshed anyway.
SELECT 1;
