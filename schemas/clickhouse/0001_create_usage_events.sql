-- Raw events: the audit trail. One row per consumed Kafka record, keyed by its position, so a replay
-- of the same offsets converges on the same rows (DESIGN.md §5.6). Duplicates (same account, source,
-- id) are kept with duplicate = 1 for audit and never counted in usage.
CREATE TABLE IF NOT EXISTS usage_events
(
    kafka_partition UInt16,
    kafka_offset UInt64,
    account String,
    source String,
    id String,
    type String,
    subject String,
    team String,
    group_name String,
    event_time DateTime,
    event_time_ms UInt16,
    ingest_id String,
    ingested_at DateTime,
    data String,
    duplicate UInt8,
    errors String
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(event_time)
ORDER BY (account, kafka_partition, kafka_offset);
