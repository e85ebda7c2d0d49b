using System.Diagnostics.Metrics;
using System.Text;
using System.Threading.Channels;
using Metering.Aggregator.Attribution;
using Metering.Aggregator.Pipeline;
using Metering.Aggregator.Storage;
using Metering.Aggregator.Telemetry;
using Metering.Events;
using Metering.Events.Meters;
using Metering.Kafka;
using Metering.Testing;
using Metering.Windowing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Tests;

/// <summary>How the window stage cuts batches, with a fake clock and no servers.</summary>
public sealed class WindowAggregatorTests
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task RunAsync_LargeEvents_CutsABatchOnceItsRowsReachTheByteLimit()
    {
        const int Limit = 1 << 20;
        const int Records = 40;
        var data = $$"""{"v":1,"pad":"{{new string('x', 100_000)}}"}""";
        var options = new AggregatorOptions { MaxBatchRecords = 1_000_000, MaxBatchBytes = Limit, FlushInterval = TimeSpan.FromHours(1) };
        var input = Channel.CreateUnbounded<SourceMessage>();
        var output = Channel.CreateUnbounded<WindowBatch>();
        await input.Writer.WriteAsync(new PartitionAssigned(0, PartitionSnapshot.Empty));
        for (var i = 0; i < Records; i++)
        {
            var usageEvent = new UsageEvent($"e-{i}", "s", "t", Hour.AddMinutes(1), "u", "acme", null, $"i-{i}", Hour.AddMinutes(1));
            await input.Writer.WriteAsync(new DecodedRecord(new ConsumedRecord(0, i, null, []), usageEvent, Encoding.UTF8.GetBytes(data), null));
        }

        input.Writer.Complete();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await NewAggregator(options, services.GetRequiredService<IMeterFactory>()).RunAsync(input.Reader, output.Writer, () => 0, CancellationToken.None);
        var batches = new List<WindowBatch>();
        await foreach (var batch in output.Reader.ReadAllAsync())
        {
            batches.Add(batch);
        }

        var eventBytes = batches[0].Events.Length / (double)batches[0].Events.Count;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(batches.Sum(b => b.Events.Count), Is.EqualTo(Records));
            Assert.That(batches, Has.Count.GreaterThan(1));
            Assert.That(batches.Select(b => b.Length), Has.All.LessThan(Limit + (2 * eventBytes)), "at most one record past the limit");
            Assert.That(batches.SkipLast(1).Select(b => b.Length), Has.All.GreaterThanOrEqualTo(Limit), "cut only at the limit");
        }
    }

    private static WindowAggregator NewAggregator(AggregatorOptions options, IMeterFactory meterFactory)
    {
        var kafka = Options.Create(new KafkaOptions { BootstrapServers = "127.0.0.1:1", Topic = "usage-events" });
        var meters = MeterCatalog.Parse("""{ "meters": [ { "name": "sum", "eventType": "t", "aggregation": "SUM", "valueProperty": "$.v" } ] }""");
        return new WindowAggregator(meters, new TeamDirectory(), new WindowPolicy(TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromSeconds(5)),
            Options.Create(options), kafka, new AggregatorMetrics(meterFactory, kafka), new FakeTimeProvider(Hour.AddMinutes(2)),
            NullLogger<WindowAggregator>.Instance);
    }
}
