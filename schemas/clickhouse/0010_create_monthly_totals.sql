-- The monthly report of a month that is final in every partition (DESIGN.md §5.5: final never changes), kept so
-- that finance's report of a closed month is read from a few rows instead of folded again from every hourly rollup.
-- monthly_totals holds the totals per account x team x meter (enough for any aggregation, as in the query
-- service's RollupTotals); a month counts as kept only once its row in monthly_totals_complete is written, after
-- all of its totals. Both are written by the query service; writing them again (two instances at once, or after a
-- crash between the two inserts) writes identical rows, which the ReplacingMergeTree keeps once.
CREATE TABLE IF NOT EXISTS monthly_totals
(
    month Date,
    account String,
    team String,
    meter String,
    event_count UInt64,
    value_count UInt64,
    value_sum Float64,
    value_min Float64,
    value_max Float64,
    latest_value Float64,
    unique_count UInt64,
    computed_at DateTime
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY toYYYYMM(month)
ORDER BY (month, account, team, meter);

CREATE TABLE IF NOT EXISTS monthly_totals_complete
(
    month Date,
    rows UInt64,
    computed_at DateTime
)
ENGINE = ReplacingMergeTree(computed_at)
ORDER BY month;
