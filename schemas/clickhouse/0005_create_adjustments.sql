-- Late events (DESIGN.md §5.5): an event whose window was already final is never added to the final
-- rollup; it is stored here, one row per event and meter, attributed to the window it belongs to.
-- Keyed by the record's position and the meter, so replays converge. has_value = 0 for an event that
-- carries no value for the meter (it still counts for COUNT meters).
CREATE TABLE IF NOT EXISTS adjustments
(
    meter String,
    account String,
    team String,
    subject String,
    group_by String,
    window_start DateTime,
    window_end DateTime,
    kafka_partition UInt16,
    kafka_offset UInt64,
    source String,
    id String,
    event_time DateTime,
    event_time_ms UInt16,
    has_value UInt8,
    value Float64,
    unique_value String,
    received_at DateTime
)
ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(window_start)
ORDER BY (account, kafka_partition, kafka_offset, meter);
