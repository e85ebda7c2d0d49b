-- Per-account settings, changed with PUT /v1/accounts/{account}/settings. personal_data = 0 hides the
-- account's subjects in reports behind a keyed hash; no row means personal data is shown. hash_key (32
-- random bytes, 64 lower-case hex characters) is generated with the account's first row and kept by every
-- later write, so a subject's pseudonym stays the same however often the setting is toggled. The highest
-- version (the write time in Unix milliseconds) wins.
CREATE TABLE IF NOT EXISTS account_settings
(
    account String,
    personal_data UInt8,
    hash_key String,
    updated_at DateTime,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY account;
