using System.Diagnostics;
using System.Globalization;
using Metering.Chaos.Generation;
using Metering.Chaos.Pipeline;
using Metering.Chaos.Verification;

namespace Metering.Chaos;

/// <summary>
/// One chaos run: start the pipeline, write the assignments, send the events while the aggregator is killed and a second
/// instance comes and goes, let one aggregator cover every offset, then compare ClickHouse with the oracle.
/// </summary>
internal static class ChaosRun
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    public static async Task<ChaosResult> RunAsync(ChaosOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var log = new RunLog(output);
        var clock = TimeProvider.System;
        log.Line(string.Create(CultureInfo.InvariantCulture,
            $"chaos: {options.Events:N0} events ({options.DuplicateShare:P0} duplicates, {options.OutOfOrderShare:P0} out of order, "
            + $"{options.LateShare:P1} late) at {options.EventsPerSecond:N0}/s, {options.Accounts} accounts x {options.SubjectsPerAccount} subjects, "
            + $"{options.Kills} kills, second instance {(options.SecondInstance ? "joins and leaves" : "off")}, seed {options.Seed}"));

        Verifier? verifier = null;
        GeneratorResult? sent = null;
        EventGenerator? generator = null;
        ChaosMonkey? monkey = null;
        try
        {
            await using var pipeline = await ChaosPipeline.StartAsync(options, cancellationToken);
            verifier = new Verifier(pipeline.ClickHouse, log);
            log.Line($"pipeline: broker {pipeline.BootstrapServers}, gateway {pipeline.Gateway.Url}, ClickHouse {pipeline.ClickHouseUrl} "
                + $"database {pipeline.ClickHouse.Database}");

            var startMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
            var plannedMs = (long)options.Events * 1000 / options.EventsPerSecond;
            var directory = new TeamDirectory(options.Accounts, options.SubjectsPerAccount, startMs, startMs + (plannedMs / 2));
            var assignments = directory.Rows.ToList();
            await pipeline.ClickHouse.InsertAsync("assignments", assignments, ChaosJsonContext.Default.AssignmentRow, cancellationToken: cancellationToken);
            log.Line($"assignments: {assignments.Count} written; team changes at {Format.TimeMs(directory.SwitchAtMs)}");

            generator = new EventGenerator(options, directory, new Uri(pipeline.Gateway.Url), ChaosPipeline.IngestKey, clock);
            var g = generator;
            Task<GeneratorResult>? generating = null;
            monkey = new ChaosMonkey(pipeline, options, () => g.Progress, () => generating?.IsCompleted ?? false, log);
            await using var chaos = monkey;
            await monkey.StartMainAsync(cancellationToken);

            using var stopChaos = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            generating = generator.RunAsync(cancellationToken);
            var chaosLoop = monkey.RunAsync(stopChaos.Token);
            var reporting = ReportAsync(generator, monkey, generating, log, stopChaos.Token);
            try
            {
                sent = await generating;
            }
            catch
            {
                await stopChaos.CancelAsync();
                await Task.WhenAll(chaosLoop, reporting).ContinueWith(_ => { }, TaskScheduler.Default);
                throw;
            }

            await chaosLoop;
            await reporting;
            log.Line(string.Create(CultureInfo.InvariantCulture,
                $"sent: {sent.Events:N0} events in {sent.Requests:N0} requests ({sent.Retries:N0} sent again): {sent.Duplicates:N0} duplicates, "
                + $"{sent.OutOfOrder:N0} out of order, {sent.Late:N0} late; {sent.Expected.DistinctEvents:N0} distinct events, "
                + $"{sent.Expected.Rollups.Count:N0} rollups and {sent.Expected.Adjustments.Count:N0} adjustments expected"));

            await monkey.SettleAsync();
            var logRecords = await DrainAsync(pipeline, monkey, verifier, options.DrainTimeout, log, cancellationToken);
            await verifier.CompareAsync(sent.Expected, logRecords, cancellationToken);
            foreach (var exit in monkey.UnexpectedExits)
            {
                verifier.Add("aggregator crashed: " + exit);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            log.Line($"error: the run failed: {ex}");
            if (monkey is not null)
            {
                log.Plain("last aggregator output:" + Environment.NewLine + monkey.RecentOutput);
            }

            verifier ??= new Verifier(null!, log);
            verifier.Add($"run failed: {ex.GetType().Name}: {ex.Message}");
        }

        var mismatches = verifier?.Mismatches ?? [];
        foreach (var kind in mismatches.GroupBy(m => m[..Math.Max(0, m.IndexOf(':', StringComparison.Ordinal))]).OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            log.Plain(string.Create(CultureInfo.InvariantCulture, $"mismatches: {kind.Count(),9:N0} {kind.Key}"));
        }

        foreach (var mismatch in mismatches.Take(Verifier.ListedMismatches))
        {
            log.Plain("MISMATCH " + mismatch);
        }

        if (mismatches.Count > Verifier.ListedMismatches)
        {
            log.Plain(string.Create(CultureInfo.InvariantCulture, $"... and {mismatches.Count - Verifier.ListedMismatches:N0} more mismatches"));
        }

        var result = new ChaosResult(sent?.Events ?? generator?.Sent ?? 0, sent?.Duplicates ?? 0, monkey?.Kills ?? 0, mismatches);
        log.Plain(result.ResultLine);
        return result;
    }

    private static async Task ReportAsync(
        EventGenerator generator, ChaosMonkey monkey, Task generating, RunLog log, CancellationToken cancellationToken)
    {
        while (!generating.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(generating, Task.Delay(ReportEvery, cancellationToken));
            log.Line(string.Create(CultureInfo.InvariantCulture,
                $"progress: {generator.Sent:N0} events sent ({generator.Progress:P1}), {generator.Requests:N0} requests, "
                + $"{generator.Retries:N0} retried, {monkey.Kills} kills"));
        }
    }

    /// <summary>Waits until every partition's progress row reaches the partition's end; returns the records in the log.</summary>
    private static async Task<long> DrainAsync(
        ChaosPipeline pipeline, ChaosMonkey monkey, Verifier verifier, TimeSpan timeout, RunLog log, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var reported = started;
        while (true)
        {
            monkey.CheckMain();
            var ends = pipeline.EndOffsets();
            var progress = (await pipeline.ClickHouse.QueryAsync(
                    "SELECT kafka_partition, max(next_offset) AS next_offset FROM progress FINAL WHERE topic = "
                    + Metering.ClickHouse.ClickHouseSql.Literal(ChaosPipeline.Topic) + " GROUP BY kafka_partition",
                    ChaosJsonContext.Default.StoredProgress, cancellationToken: cancellationToken))
                .ToDictionary(p => p.KafkaPartition, p => p.NextOffset);
            var behind = ends.Where(e => progress.GetValueOrDefault(e.Key) < e.Value).ToList();
            var records = ends.Values.Sum();
            if (behind.Count == 0)
            {
                log.Line(string.Create(CultureInfo.InvariantCulture,
                    $"drain: progress covers all {records:N0} records of {ends.Count} partitions after {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s"));
                return records;
            }

            var lag = behind.Sum(b => b.Value - progress.GetValueOrDefault(b.Key));
            if (Stopwatch.GetElapsedTime(started) > timeout)
            {
                foreach (var (partition, end) in behind)
                {
                    verifier.Add(string.Create(CultureInfo.InvariantCulture,
                        $"progress behind: partition {partition} reaches offset {progress.GetValueOrDefault(partition)} of {end}, "
                        + $"{timeout.TotalSeconds:F0} s after the last event"));
                }

                log.Line(string.Create(CultureInfo.InvariantCulture, $"drain: gave up after {timeout} with {lag:N0} records not covered"));
                log.Plain("last aggregator output:" + Environment.NewLine + string.Join(Environment.NewLine,
                    monkey.RecentOutput.Split(Environment.NewLine).TakeLast(40)));
                return records;
            }

            if (Stopwatch.GetElapsedTime(reported) > ReportEvery)
            {
                reported = Stopwatch.GetTimestamp();
                log.Line(string.Create(CultureInfo.InvariantCulture, $"drain: {lag:N0} records on {behind.Count} partitions not covered yet"));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }
}
