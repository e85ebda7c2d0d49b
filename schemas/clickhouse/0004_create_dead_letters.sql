-- Records the aggregator could not process, with the reason; keyed by position so replays converge.
CREATE TABLE IF NOT EXISTS dead_letters
(
    topic String,
    kafka_partition UInt16,
    kafka_offset UInt64,
    key String,
    payload_base64 String,
    reason String,
    received_at DateTime
)
ENGINE = ReplacingMergeTree()
ORDER BY (topic, kafka_partition, kafka_offset);
