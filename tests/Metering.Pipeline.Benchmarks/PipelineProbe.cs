using System.Diagnostics;
using Metering.ClickHouse;
using Metering.Testing;

namespace Metering.Pipeline.Benchmarks;

/// <summary>Reads what an aggregator made durable in one ClickHouse database: progress, raw events, rollups.</summary>
internal sealed class PipelineProbe(ClickHouseClient clickHouse, string topic, IReadOnlyList<long> endOffsets)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    /// <summary>How long progress may stand still before the run is declared stuck.</summary>
    private static readonly TimeSpan StallTimeout = TimeSpan.FromMinutes(3);

    public long TotalRecords { get; } = endOffsets.Sum();

    /// <summary>Offsets covered by progress rows, each partition counted up to its end.</summary>
    public async Task<long> CoveredAsync(CancellationToken cancellationToken)
    {
        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT kafka_partition, max(next_offset) AS next_offset
            FROM progress FINAL
            WHERE topic = {ClickHouseSql.Literal(topic)}
            GROUP BY kafka_partition
            """,
            BenchmarkJsonContext.Default.ProgressRow, cancellationToken: cancellationToken);
        return rows.Where(r => r.KafkaPartition < endOffsets.Count)
            .Sum(r => Math.Min((long)r.NextOffset, endOffsets[r.KafkaPartition]));
    }

    /// <summary>
    /// Polls progress until it covers <paramref name="target"/> offsets; fails when <paramref name="aggregator"/> exits
    /// or progress stands still for <see cref="StallTimeout"/>.
    /// </summary>
    public async Task WaitForAsync(long target, ServiceProcess aggregator, CancellationToken cancellationToken)
    {
        var covered = -1L;
        var lastAdvance = Stopwatch.StartNew();
        while (true)
        {
            if (aggregator.HasExited)
            {
                throw new InvalidOperationException($"The aggregator exited; its output:{Environment.NewLine}{aggregator.RecentOutput}");
            }

            long now;
            try
            {
                now = await CoveredAsync(cancellationToken);
            }
            catch (ClickHouseException) when (lastAdvance.Elapsed < StallTimeout)
            {
                now = covered; // e.g. the progress table is being created; try again
            }

            if (now >= target)
            {
                return;
            }

            if (now > covered)
            {
                covered = now;
                lastAdvance.Restart();
            }
            else if (lastAdvance.Elapsed > StallTimeout)
            {
                throw new TimeoutException(
                    $"Progress stood at {covered:N0} of {target:N0} offsets for {StallTimeout}; aggregator output:"
                    + $"{Environment.NewLine}{aggregator.RecentOutput}");
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }

    public async Task<EventTotalsRow> EventTotalsAsync(CancellationToken cancellationToken) =>
        (await clickHouse.QueryAsync(
            "SELECT count() AS rows, countIf(duplicate = 0) AS non_duplicate FROM usage_events FINAL",
            BenchmarkJsonContext.Default.EventTotalsRow, cancellationToken: cancellationToken))[0];

    public async Task<IReadOnlyList<MeterTotalsRow>> MeterTotalsAsync(CancellationToken cancellationToken) =>
        await clickHouse.QueryAsync(
            "SELECT meter, sum(event_count) AS events, sum(value_sum) AS value_sum FROM rollups FINAL GROUP BY meter ORDER BY meter",
            BenchmarkJsonContext.Default.MeterTotalsRow, cancellationToken: cancellationToken);
}
