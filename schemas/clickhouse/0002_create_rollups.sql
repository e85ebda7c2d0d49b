-- Rollups per base window and meter x account x team x subject x group-by values, per Kafka partition
-- (an account's events normally share one partition; the key keeps two partitions from overwriting
-- each other's rows if the partition count changes). Rows hold cumulative values; version is
-- (last applied Kafka offset * 2 + final), so re-applying the same offsets after a crash replaces a row
-- with an identical one and the final row of a window supersedes every provisional one
-- (ReplacingMergeTree(version) + FINAL). finalized_at stays 1970-01-01 00:00:00 while provisional.
CREATE TABLE IF NOT EXISTS rollups
(
    meter String,
    account String,
    team String,
    subject String,
    group_by String,
    window_start DateTime,
    window_end DateTime,
    kafka_partition UInt16,
    event_count UInt64,
    value_count UInt64,
    value_sum Float64,
    value_min Float64,
    value_max Float64,
    latest_value Float64,
    latest_time_ms Int64,
    unique_values Array(String),
    finalized_at DateTime,
    version UInt64,
    updated_at DateTime
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(window_start)
ORDER BY (meter, account, window_start, team, subject, group_by, kafka_partition);
