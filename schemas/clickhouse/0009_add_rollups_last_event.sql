-- The event time, in Unix milliseconds, of the latest event a rollup row counts (with a value or not), so the
-- last access of a subject is exact and read from the rollups, not from the raw events (DESIGN.md §6). Rows
-- written before this column existed read 0. 18.16 has no ADD COLUMN IF NOT EXISTS: the migrator counts
-- ClickHouse's "column already exists" answer to this statement as applied.
ALTER TABLE rollups ADD COLUMN last_event_ms Int64 DEFAULT 0;
