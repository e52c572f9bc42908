-- +goose Up
-- Every replica keeps the data version in memory and learns of a change from this
-- notification. A trigger sends it in the transaction that bumps the version, so every path
-- that bumps it notifies, and PostgreSQL delivers the notification only when that
-- transaction commits: a listener never hears of data it cannot read yet.
-- +goose StatementBegin
CREATE FUNCTION notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('cryptodash_data_version', NEW.version::text);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER data_version_notify AFTER UPDATE ON data_version
    FOR EACH ROW EXECUTE FUNCTION notify_data_version();

-- +goose Down
DROP TRIGGER data_version_notify ON data_version;
DROP FUNCTION notify_data_version();
