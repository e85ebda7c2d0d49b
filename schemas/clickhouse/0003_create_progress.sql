-- Per-partition progress, written only after the rows it covers (DESIGN.md §5.6). next_offset is
-- where a (re)assigned aggregator resumes; watermark_ms is the partition's event-time watermark;
-- log_end_offset is the partition's end as the aggregator last saw it, so lag = log_end_offset - next_offset.
CREATE TABLE IF NOT EXISTS progress
(
    topic String,
    kafka_partition UInt16,
    next_offset UInt64,
    watermark_ms Int64,
    log_end_offset UInt64,
    updated_at DateTime
)
ENGINE = ReplacingMergeTree(next_offset)
ORDER BY (topic, kafka_partition);
