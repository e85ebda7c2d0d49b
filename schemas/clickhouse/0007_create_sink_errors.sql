-- Failed ClickHouse writes of the aggregator (DESIGN.md §5.7): while ClickHouse cannot take a batch the
-- aggregator retries with backoff; once the batch is written it records the outage here: when it began
-- and ended, how many attempts failed and the last error. Read by GET /v1/pipeline/health (sinkErrors).
CREATE TABLE IF NOT EXISTS sink_errors
(
    instance String,
    started_at DateTime,
    ended_at DateTime,
    failed_attempts UInt64,
    last_error String
)
ENGINE = MergeTree()
ORDER BY (ended_at, instance);
