-- Effective-dated team membership (DESIGN.md §5.3), written through POST /v1/directory/assignments.
-- A subject belongs to `team` (and `group_name`) for event times in [valid_from_ms, valid_to_ms), Unix
-- milliseconds; valid_to_ms = 9223372036854775807 is open-ended. Writing the same (account, subject,
-- valid_from_ms) again replaces the assignment (the highest version, the write time in milliseconds,
-- wins). Where assignments overlap, the one with the latest valid_from_ms applies.
CREATE TABLE IF NOT EXISTS assignments
(
    account String,
    subject String,
    team String,
    group_name String,
    valid_from_ms Int64,
    valid_to_ms Int64,
    recorded_at DateTime,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (account, subject, valid_from_ms);
