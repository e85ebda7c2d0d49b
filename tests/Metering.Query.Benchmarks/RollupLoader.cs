using System.Diagnostics;
using System.Globalization;
using Metering.ClickHouse;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Benchmarks;

/// <summary>
/// Fills the aggregator's own tables with a month of final hourly rollups, computed by ClickHouse itself
/// (<c>INSERT INTO rollups SELECT … FROM numbers(N)</c>, one statement a day) instead of streamed through .NET: rows as
/// the aggregator writes them (schemas/clickhouse/0002), for the meters of schemas/meters.json, then progress rows whose
/// watermarks make the whole month final.
/// </summary>
internal sealed class RollupLoader(ClickHouseClient clickHouse, BenchmarkOptions options)
{
    /// <summary>The partitions of the topic; an account's rows are in partition <c>cityHash64(account) % 8</c>.</summary>
    public const int Partitions = 8;

    public const string Month = "2026-10";

    /// <summary>ClickHouse's CANNOT_ASSIGN_OPTIMIZE: OPTIMIZE found nothing it could merge now.</summary>
    private const int CannotOptimize = 388;

    /// <summary>The month's first instant; days 1..<see cref="BenchmarkOptions.Days"/> hold usage.</summary>
    public static readonly DateTimeOffset MonthStart = new(2026, 10, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The meters of schemas/meters.json the rollups are for, with their group-by values as the aggregator stores them:
    /// a JSON object with the names in ordinal order. api_requests (COUNT) carries no value.
    /// </summary>
    private static readonly (string Name, string GroupBy, bool HasValue)[] Meters =
    [
        ("api_requests", """{"method":"GET","route":"/v1/x"}""", false),
        ("tokens", """{"model":"m-1"}""", true),
        ("session_seconds", """{"product":"p"}""", true),
    ];

    private static readonly string[] TeamNames = ["team-a", "team-b", "team-c"];

    /// <summary>Active hours start at 09:00 UTC, earlier when there are more than 15 of them.</summary>
    private readonly int _firstHour = Math.Min(9, 24 - options.Hours);

    private readonly int _accountDigits = Math.Max(4, (options.Accounts - 1).ToString(CultureInfo.InvariantCulture).Length);

    private readonly int _subjectDigits = Math.Max(2, (options.Subjects - 1).ToString(CultureInfo.InvariantCulture).Length);

    public static int MeterCount => Meters.Length;

    /// <summary>The client the rollups are written with, in the benchmark's database.</summary>
    public ClickHouseClient ClickHouse => clickHouse;

    /// <summary>Subjects are spread over (at most) three teams per account.</summary>
    public int Teams => Math.Min(TeamNames.Length, options.Subjects);

    public long RowsPerDay => (long)options.Accounts * options.Subjects * Meters.Length * options.Hours;

    public long Rows => RowsPerDay * options.Days;

    /// <summary>The name of account <paramref name="index"/>, e.g. <c>acct-0421</c>.</summary>
    public string Account(int index) => "acct-" + index.ToString("D" + _accountDigits, CultureInfo.InvariantCulture);

    /// <summary>Writes the rollups, one <c>INSERT … SELECT</c> a day (each a few hundred thousand rows in one partition).</summary>
    public async Task<TimeSpan> LoadAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        for (var day = 0; day < options.Days; day++)
        {
            await clickHouse.ExecuteAsync(DaySql(day), cancellationToken: cancellationToken);
        }

        return clock.Elapsed;
    }

    /// <summary>
    /// Merges the rollups into one part per partition, as a month-old table is merged in the background. Waits for the
    /// merges ClickHouse started on its own first: while they run, OPTIMIZE finds nothing to do (code 388).
    /// </summary>
    public async Task<TimeSpan> OptimizeAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var throwIfNoop = new ClickHouseQueryOptions { Settings = new Dictionary<string, string> { ["optimize_throw_if_noop"] = "1" } };
        while (true)
        {
            var merging = await clickHouse.QueryScalarAsync(
                $"SELECT count() FROM system.merges WHERE database = {Literal(clickHouse.Database)} AND table = 'rollups'",
                BenchmarkJsonContext.Default.UInt64, cancellationToken: cancellationToken);
            if (merging == 0)
            {
                try
                {
                    await clickHouse.ExecuteAsync("OPTIMIZE TABLE rollups FINAL", throwIfNoop, cancellationToken);
                    return clock.Elapsed;
                }
                catch (ClickHouseException e) when (e.Code == CannotOptimize && clock.Elapsed < TimeSpan.FromMinutes(10))
                {
                    // A background merge started in between; wait for it.
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }

    /// <summary>Rows and active parts of <c>rollups</c>.</summary>
    public async Task<(ulong Rows, ulong Parts)> CountAsync(CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryScalarAsync("SELECT count() FROM rollups", BenchmarkJsonContext.Default.UInt64,
            cancellationToken: cancellationToken);
        var parts = await clickHouse.QueryScalarAsync(
            $"SELECT count() FROM system.parts WHERE database = {Literal(clickHouse.Database)} AND table = 'rollups' AND active",
            BenchmarkJsonContext.Default.UInt64, cancellationToken: cancellationToken);
        return (rows, parts);
    }

    /// <summary>
    /// One progress row per partition of <paramref name="topic"/>, with a watermark well past the month's end plus the
    /// allowed lateness (2 days), so every window of the month is final.
    /// </summary>
    public async Task<DateTimeOffset> WriteProgressAsync(string topic, CancellationToken cancellationToken)
    {
        var watermark = MonthStart.AddMonths(1).AddDays(9);
        var offsets = Rows / Partitions;
        await clickHouse.ExecuteAsync(
            $"""
            INSERT INTO progress (topic, kafka_partition, next_offset, watermark_ms, log_end_offset, updated_at)
            SELECT {Literal(topic)}, toUInt16(number), {Literal(offsets)}, {Literal(watermark.ToUnixTimeMilliseconds())},
                   {Literal(offsets)}, toDateTime({Literal(watermark.ToUnixTimeSeconds())})
            FROM numbers({Literal(Partitions)})
            """,
            cancellationToken: cancellationToken);
        return watermark;
    }

    /// <summary>
    /// The api_requests count of each of <paramref name="accounts"/> and of all accounts together (key ""), read back
    /// from the table: what the reports must show.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, double>> RequestTotalsAsync(
        IEnumerable<string> accounts, CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT account, toFloat64(sum(event_count)) AS total FROM rollups
            WHERE meter = 'api_requests' AND account IN ({string.Join(", ", accounts.Select(Literal))})
            GROUP BY account
            UNION ALL
            SELECT '' AS account, toFloat64(sum(event_count)) AS total FROM rollups WHERE meter = 'api_requests'
            """,
            BenchmarkJsonContext.Default.AccountTotalRow, cancellationToken: cancellationToken);
        return rows.ToDictionary(r => r.Account, r => r.Total, StringComparer.Ordinal);
    }

    /// <summary>
    /// The rollups of day <paramref name="day"/> (0-based): row n of the day is hour n % H of meter (n / H) % 3 of
    /// subject (n / 3H) % S of account n / 3HS. Values come from a hash of the row's number in the month, so every run
    /// loads the same data: 1–40 events an hour, SUM meters with values 1–550 (min ≤ max, sum = events × (min + max) / 2),
    /// the latest value at a time inside the window, finalized 2 days and a minute after the window's end.
    /// </summary>
    private string DaySql(int day)
    {
        var h = options.Hours;
        var s = options.Subjects;
        var dayStart = MonthStart.AddDays(day).ToUnixTimeSeconds();
        var firstRow = day * RowsPerDay;
        // COUNT rows carry no value: the aggregator leaves min, max, latest at 0 and latest_time_ms at long.MinValue.
        return $"""
            INSERT INTO rollups (meter, account, team, subject, group_by, window_start, window_end, kafka_partition,
                event_count, value_count, value_sum, value_min, value_max, latest_value, latest_time_ms, unique_values,
                finalized_at, version, updated_at)
            SELECT meter, account, team, subject, group_by, toDateTime(start_s), toDateTime(start_s + 3600),
                   toUInt16(cityHash64(account) % {Partitions}),
                   events, if(has_value, events, 0), if(has_value, events * (low + high) / 2, 0),
                   if(has_value, low, 0), if(has_value, high, 0),
                   if(has_value, if(bitAnd(intDiv(r, 1073741824), 1) = 1, high, low), 0),
                   if(has_value, toInt64(start_s) * 1000 + intDiv(r, 4294967296) % 3600000, toInt64('-9223372036854775808')),
                   emptyArrayString(), toDateTime(start_s + 3600 + 172860), (row * 2) + 1, toDateTime(start_s + 3600 + 172860)
            FROM
            (
                SELECT number + {Literal(firstRow)} AS row, intHash64(row) AS r,
                       number % {h} AS hour, intDiv(number, {h}) % {Meters.Length} AS m,
                       intDiv(number, {h * Meters.Length}) % {s} AS subject_index, intDiv(number, {h * Meters.Length * s}) AS account_index,
                       arrayElement({Literal(Meters.Select(x => x.Name))}, m + 1) AS meter,
                       arrayElement({Literal(Meters.Select(x => x.GroupBy))}, m + 1) AS group_by,
                       arrayElement([{string.Join(", ", Meters.Select(x => Literal(x.HasValue)))}], m + 1) = 1 AS has_value,
                       concat('acct-', substring(toString({Literal(Pow10(_accountDigits))} + account_index), 2)) AS account,
                       concat('u-', substring(toString({Literal(Pow10(_subjectDigits))} + subject_index), 2)) AS subject,
                       arrayElement({Literal(TeamNames)}, subject_index % {TeamNames.Length} + 1) AS team,
                       {Literal(dayStart)} + ({_firstHour} + hour) * 3600 AS start_s,
                       1 + r % 40 AS events,
                       toFloat64(1 + intDiv(r, 64) % 50) AS low,
                       low + if(events = 1, 0, toFloat64(intDiv(r, 8192) % 500)) AS high
                FROM numbers({Literal(RowsPerDay)})
            )
            """;
    }

    private static long Pow10(int digits)
    {
        var value = 1L;
        for (var i = 0; i < digits; i++)
        {
            value *= 10;
        }

        return value;
    }
}
