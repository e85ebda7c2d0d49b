using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// Runs the stages on bounded channels (STYLE.md §5): Kafka → decode → windows → ClickHouse, with the durable
/// offsets fed back to the source. A failing stage cancels the others and stops the host.
/// </summary>
internal sealed class AggregatorWorker(
    KafkaSource source, WindowAggregator aggregator, ClickHouseSink sink, IOptions<AggregatorOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var records = Channel.CreateBounded<SourceMessage>(Bounded(o.EventBufferCapacity));
        var decoded = Channel.CreateBounded<SourceMessage>(Bounded(o.EventBufferCapacity));
        var batches = Channel.CreateBounded<WindowBatch>(Bounded(o.BatchBufferCapacity));
        var flushed = Channel.CreateUnbounded<IReadOnlyList<TopicPartitionOffset>>(); // feedback edge: bounded could deadlock
        using var fault = new CancellationTokenSource();                             // cancelled only if a stage fails

        await Task.WhenAll(
            Guard(source.RunAsync(records.Writer, flushed.Reader, stoppingToken, fault.Token), fault),
            Guard(RecordDecoder.RunAsync(records.Reader, decoded.Writer, fault.Token), fault),
            Guard(aggregator.RunAsync(decoded.Reader, batches.Writer, () => batches.Reader.Count + sink.Waiting, fault.Token), fault),
            Guard(sink.RunAsync(batches.Reader, flushed.Writer, fault.Token), fault));
    }

    private static BoundedChannelOptions Bounded(int capacity) => new(capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
        SingleWriter = true,
    };

    private static async Task Guard(Task stage, CancellationTokenSource fault)
    {
        try
        {
            await stage;
        }
        catch
        {
            await fault.CancelAsync();
            throw;
        }
    }
}
