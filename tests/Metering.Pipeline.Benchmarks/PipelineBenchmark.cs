#pragma warning disable RS0030 // A benchmark prints its figures to standard output.
using System.Diagnostics;
using Confluent.Kafka;
using Metering.Events;
using Metering.Events.Meters;
using Metering.Kafka;
using Metering.Testing;

namespace Metering.Pipeline.Benchmarks;

/// <summary>The phases of <c>make bench-pipeline</c>; every process it starts is stopped again, also on failure.</summary>
internal static class PipelineBenchmark
{
    private const string Topic = "bench-usage-events";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static async Task RunAsync(BenchmarkOptions options, CancellationToken cancellationToken)
    {
        var meters = MeterCatalog.Load(Path.Combine(RepositoryPaths.Root, "schemas", "meters.json"));
        Console.WriteLine(
            $"bench-pipeline: {options.Events:N0} events ({options.Duplicates:P1} exact duplicates), topic of {options.Partitions} "
            + $"partitions, {options.Accounts:N0} accounts x {options.Subjects} subjects, event times over the last {options.Hours} h");

        var kafkaPort = FreePort.Next();
        var bootstrapServers = $"127.0.0.1:{kafkaPort}";
        var clickHouseStart = Task.Run(ClickHouseServer.GetAsync, cancellationToken);
        try
        {
            await using var broker = ServiceProcess.Start("Metering.DevBroker", new Dictionary<string, string>
            {
                ["DevBroker__Port"] = $"{kafkaPort}",
                ["DevBroker__Topics__0__Name"] = Topic,
                ["DevBroker__Topics__0__Partitions"] = $"{options.Partitions}",
                ["DevBroker__DataDirectory"] = "", // in memory only: nothing to clean up
                ["Logging__LogLevel__Default"] = "Warning",
            });
            await broker.WaitReadyAsync(StartTimeout);
            var clickHouse = await clickHouseStart;

            var counts = Preload(options, bootstrapServers, cancellationToken);
            var endOffsets = EndOffsets(bootstrapServers, options.Partitions, counts.Records);

            var raw = await RawAsync(bootstrapServers, endOffsets, cancellationToken);
            var throughput = await ThroughputAsync(clickHouse, bootstrapServers, endOffsets, counts, meters, cancellationToken);
            var pipelineEps = counts.Records / throughput.Elapsed.TotalSeconds;
            var recoverySeconds = options.Recovery
                ? (await RecoveryAsync(options, clickHouse, bootstrapServers, endOffsets, counts, meters, cancellationToken)).TotalSeconds
                : double.NaN;

            var peakRss = throughput.Stats.PeakRssMegabytes;
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT pipeline_eps={pipelineEps:F0} raw_eps={raw:F0} ratio={pipelineEps / raw:F2} peak_rss_mb={peakRss:F0} recovery_s={recoverySeconds:F1}"));
        }
        finally
        {
            if (clickHouseStart.IsCompleted || !cancellationToken.IsCancellationRequested)
            {
                await ClickHouseServer.DisposeIfStartedAsync();
            }
        }
    }

    /// <summary>Produces the events with a plain producer (the gateway's settings, larger batches); not timed for the result.</summary>
    private static EventCounts Preload(BenchmarkOptions options, string bootstrapServers, CancellationToken cancellationToken)
    {
        var config = new KafkaOptions { BootstrapServers = bootstrapServers, MessageTimeout = TimeSpan.FromMinutes(2) }.CreateProducerConfig();
        config.LingerMs = 20;
        config.BatchSize = 1_000_000;
        config.QueueBufferingMaxMessages = 1_000_000;
        using var producer = new ProducerBuilder<string, byte[]>(config).Build();
        var headers = new Headers { { UsageEventCodec.SchemaVersionHeader, "1"u8.ToArray() } };
        var counts = new EventCounts();
        var failed = 0L;
        var now = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds());
        var clock = Stopwatch.StartNew();
        foreach (var (key, usageEvent) in new EventGenerator(options, now).Generate(counts))
        {
            var value = UsageEventCodec.Serialize(usageEvent);
            counts.PayloadBytes += value.Length;
            while (true)
            {
                try
                {
                    producer.Produce(Topic, new Message<string, byte[]> { Key = key, Value = value, Headers = headers },
                        report => { if (report.Error.IsError) Interlocked.Increment(ref failed); });
                    break;
                }
                catch (ProduceException<string, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        while (producer.Flush(TimeSpan.FromMilliseconds(200)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        clock.Stop();
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed:N0} of {counts.Records:N0} preload produces failed.");
        }

        Console.WriteLine(
            $"preload: {counts.Records:N0} records ({counts.Distinct:N0} distinct events, {counts.Duplicates:N0} duplicates), "
            + $"{counts.PayloadBytes / (double)counts.Records:F0} bytes a record, in {clock.Elapsed.TotalSeconds:F1} s "
            + $"({counts.Records / clock.Elapsed.TotalSeconds:N0} records/s)");
        return counts;
    }

    /// <summary>Each partition's end offset; checks that the broker kept every record (the mock's retention, DESIGN.md §3).</summary>
    private static long[] EndOffsets(string bootstrapServers, int partitions, long records)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(
            new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = "bench-offsets" }).Build();
        var offsets = Enumerable.Range(0, partitions)
            .Select(p => consumer.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(10)))
            .ToList();
        if (offsets.Any(o => o.Low.Value != 0) || offsets.Sum(o => o.High.Value) != records)
        {
            throw new InvalidOperationException(
                $"The topic holds offsets {string.Join(", ", offsets.Select(o => $"[{o.Low.Value}, {o.High.Value})"))}, not "
                + $"{records:N0} records from offset 0: the broker dropped records (run scripts/setup: it raises the mock's retention).");
        }

        return [.. offsets.Select(o => o.High.Value)];
    }

    /// <summary>Times kcat and a plain .NET consumer; the kcat figure is the baseline when kcat is installed.</summary>
    private static async Task<double> RawAsync(string bootstrapServers, IReadOnlyList<long> endOffsets, CancellationToken cancellationToken)
    {
        var records = endOffsets.Sum();
        var kcat = await RawConsumers.KcatAsync(bootstrapServers, Topic, cancellationToken);
        if (kcat is { } k)
        {
            Console.WriteLine($"raw kcat -C: {records:N0} records in {k.TotalSeconds:F2} s = {records / k.TotalSeconds:N0} events/s");
        }
        else
        {
            Console.WriteLine("raw kcat -C: kcat is not installed (scripts/setup installs it); the baseline is the .NET consumer");
        }

        var dotNet = RawConsumers.DotNet(bootstrapServers, Topic, endOffsets, cancellationToken);
        Console.WriteLine(
            $"raw Confluent.Kafka consumer: {records:N0} records in {dotNet.TotalSeconds:F2} s = {records / dotNet.TotalSeconds:N0} events/s");
        return records / (kcat ?? dotNet).TotalSeconds;
    }

    private static async Task<(TimeSpan Elapsed, ProcessStats Stats)> ThroughputAsync(
        ClickHouseServer clickHouse, string bootstrapServers, IReadOnlyList<long> endOffsets, EventCounts counts, MeterCatalog meters,
        CancellationToken cancellationToken)
    {
        await using var database = await clickHouse.CreateDatabaseAsync("bench", cancellationToken);
        var probe = new PipelineProbe(database.Client, Topic, endOffsets);
        var clickHouseCpu = ClickHouseCpuSeconds(clickHouse);
        var clock = Stopwatch.StartNew();
        await using var aggregator = StartAggregator(bootstrapServers, clickHouse, database.Name, NewGroup());
        await probe.WaitForAsync(probe.TotalRecords, aggregator, cancellationToken);
        clock.Stop();
        clickHouseCpu = ClickHouseCpuSeconds(clickHouse) - clickHouseCpu;
        var stats = ProcessStats.Read(aggregator.ProcessId);
        var sink = await SinkFiguresAsync(aggregator, probe.TotalRecords, clock.Elapsed, cancellationToken);
        await aggregator.KillAsync();

        Console.WriteLine(
            $"pipeline: {probe.TotalRecords:N0} records in {clock.Elapsed.TotalSeconds:F2} s from process start = "
            + $"{probe.TotalRecords / clock.Elapsed.TotalSeconds:N0} events/s; aggregator CPU {stats.CpuSeconds:F1} s "
            + $"({stats.CpuSeconds / clock.Elapsed.TotalSeconds:F2} cores), peak RSS {stats.PeakRssMegabytes:F0} MB"
            + (clickHouseCpu is { } server ? $"; ClickHouse CPU {server:F1} s ({server / clock.Elapsed.TotalSeconds:F2} cores)" : ""));
        Console.WriteLine($"pipeline sink: {sink}");
        await CheckAsync("pipeline", probe, counts, meters, cancellationToken);
        return (clock.Elapsed, stats);
    }

    /// <summary>Kills an aggregator (SIGKILL) once progress covers half the offsets, restarts it, times the catch-up.</summary>
    private static async Task<TimeSpan> RecoveryAsync(
        BenchmarkOptions options, ClickHouseServer clickHouse, string bootstrapServers, IReadOnlyList<long> endOffsets,
        EventCounts counts, MeterCatalog meters, CancellationToken cancellationToken)
    {
        await using var database = await clickHouse.CreateDatabaseAsync("bench", cancellationToken);
        var probe = new PipelineProbe(database.Client, Topic, endOffsets);
        var group = NewGroup();
        var firstClock = Stopwatch.StartNew();
        var first = StartAggregator(bootstrapServers, clickHouse, database.Name, group);
        long coveredAtKill;
        try
        {
            await probe.WaitForAsync(probe.TotalRecords / 2, first, cancellationToken);
            await first.KillAsync();
            coveredAtKill = await probe.CoveredAsync(cancellationToken);
        }
        finally
        {
            await first.DisposeAsync();
        }

        firstClock.Stop();
        var restartGroup = options.RestartInNewGroup ? NewGroup() : group;
        var clock = Stopwatch.StartNew();
        await using var second = StartAggregator(bootstrapServers, clickHouse, database.Name, restartGroup);
        await probe.WaitForAsync(coveredAtKill + 1, second, cancellationToken);
        var resumed = clock.Elapsed;
        await probe.WaitForAsync(probe.TotalRecords, second, cancellationToken);
        clock.Stop();
        var stats = ProcessStats.Read(second.ProcessId);
        var sink = await SinkFiguresAsync(second, probe.TotalRecords - coveredAtKill, clock.Elapsed, cancellationToken);
        await second.KillAsync();

        Console.WriteLine(
            $"recovery: SIGKILL after {firstClock.Elapsed.TotalSeconds:F1} s at {coveredAtKill:N0} of {probe.TotalRecords:N0} durable "
            + $"offsets; the restart ({(options.RestartInNewGroup ? "new consumer group" : "same consumer group, session timeout 6 s")}) "
            + $"first new progress after {resumed.TotalSeconds:F2} s, caught up in {clock.Elapsed.TotalSeconds:F2} s "
            + $"({(probe.TotalRecords - coveredAtKill) / clock.Elapsed.TotalSeconds:N0} events/s over the rest), peak RSS {stats.PeakRssMegabytes:F0} MB");
        Console.WriteLine($"recovery sink: {sink}");
        await CheckAsync("recovery", probe, counts, meters, cancellationToken);
        return clock.Elapsed;
    }

    private static ServiceProcess StartAggregator(string bootstrapServers, ClickHouseServer clickHouse, string database, string group) =>
        ServiceProcess.Start("Metering.Aggregator", new Dictionary<string, string>
        {
            ["Kafka__BootstrapServers"] = bootstrapServers,
            ["Kafka__Topic"] = Topic,
            // A member killed with SIGKILL holds its partitions this long when the restart joins the same group.
            ["Kafka__SessionTimeout"] = "00:00:06",
            ["ClickHouse__Url"] = clickHouse.Url.ToString(),
            ["ClickHouse__Database"] = database,
            ["Aggregator__ConsumerGroup"] = group,
            ["Logging__LogLevel__Default"] = "Warning",
        });

    /// <summary>The CPU time the ClickHouse server used so far, when this run started it.</summary>
    private static double? ClickHouseCpuSeconds(ClickHouseServer clickHouse) =>
        clickHouse.ProcessId is { } processId ? ProcessStats.TreeCpuSeconds(processId) : null;

    private static string NewGroup() => "bench-aggregator-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Where the aggregator's time went: batches written and their duration, ClickHouse requests per operation.</summary>
    private static async Task<string> SinkFiguresAsync(ServiceProcess aggregator, long records, TimeSpan elapsed, CancellationToken cancellationToken)
    {
        AggregatorMetrics metrics;
        try
        {
            metrics = await AggregatorMetrics.ScrapeAsync(aggregator.Url, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return $"/metrics did not answer ({ex.Message})";
        }

        var figures = new List<string>();
        if (metrics.Histogram(AggregatorMetrics.Flushes).GetValueOrDefault("") is { Count: > 0 } flushes)
        {
            figures.Add($"{flushes.Count:N0} batches of {records / (double)flushes.Count:N0} records on average, "
                + $"{flushes.Seconds / flushes.Count * 1000:F0} ms a batch, sink busy {flushes.Seconds:F1} s "
                + $"({flushes.Seconds / elapsed.TotalSeconds:P0} of the run)");
        }

        figures.AddRange(metrics.Histogram(AggregatorMetrics.ClickHouseOperations, "db_operation_name")
            .Select(o => $"{o.Key} {o.Value.Seconds:F1} s over {o.Value.Count:N0} requests ({o.Value.Seconds / o.Value.Count * 1000:F0} ms each)"));
        var collections = metrics.Counter(AggregatorMetrics.Collections, "gc_heap_generation");
        if (collections.Count > 0)
        {
            // Since the process started: a restarted aggregator's rebuild is included.
            var allocated = metrics.Counter(AggregatorMetrics.Allocated).Values.Sum();
            figures.Add($"GC {string.Join(", ", collections.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value:N0}"))}, "
                + $"paused {metrics.Counter(AggregatorMetrics.PauseTime).Values.Sum():F1} s, allocated {allocated / (1 << 20):N0} MB "
                + $"({allocated / records:N0} bytes a record); JIT {metrics.Counter(AggregatorMetrics.JitTime).Values.Sum():F1} s");
        }

        return figures.Count == 0 ? "no sink figures on /metrics" : string.Join("; ", figures);
    }

    /// <summary>Prints whether what ClickHouse holds matches what was sent; a mismatch is reported, not fatal.</summary>
    private static async Task CheckAsync(string phase, PipelineProbe probe, EventCounts counts, MeterCatalog meters, CancellationToken cancellationToken)
    {
        static string Verdict(bool ok) => ok ? "ok" : "MISMATCH";
        var events = await probe.EventTotalsAsync(cancellationToken);
        Console.WriteLine(
            $"check {phase}: usage_events {events.Rows:N0} rows (expected {counts.Records:N0}, one a record) {Verdict((long)events.Rows == counts.Records)}; "
            + $"non-duplicate {events.NonDuplicate:N0} (expected {counts.Distinct:N0}) {Verdict((long)events.NonDuplicate == counts.Distinct)}"
            + (counts.Duplicates > 0 && (long)events.NonDuplicate == counts.Records ? " (no record marked duplicate)" : ""));
        var totals = (await probe.MeterTotalsAsync(cancellationToken)).ToDictionary(t => t.Meter, StringComparer.Ordinal);
        foreach (var meter in meters.Meters)
        {
            var expected = counts.EventsByType.GetValueOrDefault(meter.EventType);
            var actual = totals.GetValueOrDefault(meter.Name);
            var counted = (long)(actual?.Events ?? 0);
            var line = $"check {phase}: meter {meter.Name}: event_count {counted:N0} (expected {expected:N0}) {Verdict(counted == expected)}";
            if (counted != expected && counted == counts.RecordsByType.GetValueOrDefault(meter.EventType))
            {
                line += " (every duplicate counted: no dedupe)";
            }
            if (meter.Aggregation == Aggregation.Sum)
            {
                var expectedSum = counts.ValueSumByType.GetValueOrDefault(meter.EventType);
                line += $"; value_sum {actual?.ValueSum ?? 0:F0} (expected {expectedSum:F0}) {Verdict((actual?.ValueSum ?? 0) == expectedSum)}";
            }

            Console.WriteLine(line);
        }
    }
}
