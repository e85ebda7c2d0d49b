using System.Text;
using System.Threading.Channels;
using Metering.Aggregator.Attribution;
using Metering.Aggregator.Storage;
using Metering.Aggregator.Telemetry;
using Metering.Events.Meters;
using Metering.Kafka;
using Metering.Windowing;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// The window stage: decodes records, applies them to the state of their partition and hands the rows
/// they produce, with the progress they reach, to the sink in batches.
/// </summary>
internal sealed class WindowAggregator(
    MeterCatalog meters,
    TeamDirectory directory,
    WindowPolicy policy,
    IOptions<AggregatorOptions> options,
    IOptions<KafkaOptions> kafka,
    AggregatorMetrics metrics,
    TimeProvider clock,
    ILogger<WindowAggregator> logger)
{
    private readonly AggregatorOptions _options = options.Value;
    private readonly string _topic = kafka.Value.Topic;
    private readonly Dictionary<int, PartitionAggregator> _partitions = [];
    private WindowBatch _batch = new();
    private DateTimeOffset? _batchStartedAt;

    /// <summary>
    /// Applies <paramref name="input"/> and writes batches to <paramref name="output"/>. A batch is cut once it
    /// holds <see cref="AggregatorOptions.MaxBatchRecords"/> records or <see cref="AggregatorOptions.MaxBatchBytes"/> bytes
    /// of rows, or after <see cref="AggregatorOptions.FlushInterval"/>
    /// (or when the source is idle) while no batch is waiting for the sink (<paramref name="queuedBatches"/> = 0):
    /// a busy sink gets fewer, larger batches, which also fold repeated updates of a rollup row into one.
    /// </summary>
    public async Task RunAsync(
        ChannelReader<SourceMessage> input, ChannelWriter<WindowBatch> output, Func<int> queuedBatches, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await foreach (var message in input.ReadAllAsync(cancellationToken))
            {
                var now = clock.GetUtcNow();
                switch (message)
                {
                    case PartitionAssigned assigned:
                        Assign(assigned, now);
                        break;
                    case PartitionRevoked revoked:
                        if (revoked.Handoff is { } handoff)
                        {
                            _batch.Handoffs.Add(handoff);
                        }

                        await FlushAsync(output, now, cancellationToken);
                        _partitions.Remove(revoked.Partition);
                        metrics.PartitionRevoked(revoked.Partition);
                        break;
                    case DecodedRecord record:
                        Apply(record, now);
                        break;
                    case PartitionIdle idle when _partitions.TryGetValue(idle.Partition, out var partition):
                        Pending(now);
                        partition.AdvanceIdle(idle.EndOffset, idle.ObservedAtMs, _batch, now);
                        break;
                    case LogEnds ends:
                        foreach (var (partitionId, end) in ends.Ends)
                        {
                            if (_partitions.TryGetValue(partitionId, out var owned))
                            {
                                owned.LogEndOffset = Math.Max(owned.LogEndOffset, end);
                            }
                        }

                        break;
                }

                if (_batchStartedAt is { } started
                    && (_batch.RecordCount >= _options.MaxBatchRecords
                        || _batch.Length >= _options.MaxBatchBytes
                        || ((message is IdleTick || now - started >= _options.FlushInterval) && queuedBatches() == 0)))
                {
                    await FlushAsync(output, now, cancellationToken);
                }
            }

            await FlushAsync(output, clock.GetUtcNow(), cancellationToken);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            output.TryComplete(failure);
        }
    }

    private void Pending(DateTimeOffset now) => _batchStartedAt ??= now;

    private void Assign(PartitionAssigned assigned, DateTimeOffset now)
    {
        var snapshot = assigned.Snapshot;
        var partition = new PartitionAggregator(assigned.Partition, snapshot, policy, _options.DedupeHorizon, meters, directory);
        _partitions[assigned.Partition] = partition;
        Pending(now);
        partition.Resume(_batch, now);
        Log.PartitionAssigned(logger, assigned.Partition, snapshot.NextOffset, partition.OpenRollups, partition.DedupeKeys, snapshot.Tail.Count);
    }

    private void Apply(DecodedRecord decoded, DateTimeOffset now)
    {
        var record = decoded.Record;
        if (!_partitions.TryGetValue(record.Partition, out var partition))
        {
            return; // a record of a partition revoked in the meantime; its new owner reads it again
        }

        Pending(now);
        if (decoded.Event is not { } usageEvent)
        {
            var reason = decoded.Reason ?? "record: undecodable";
            partition.Skip(record.Offset);
            var key = record.Key is { } bytes ? Encoding.UTF8.GetString(bytes) : "";
            _batch.DeadLetters.Add(new DeadLetterRow(_topic, (ushort)record.Partition, (ulong)record.Offset, key,
                Convert.ToBase64String(record.Value), reason, now));
            metrics.DeadLetter();
            Log.DeadLetter(logger, record.Partition, record.Offset, reason);
            return;
        }

        metrics.Applied(partition.Apply(record.Offset, usageEvent, decoded.Data, _batch, now));
    }

    private async Task FlushAsync(ChannelWriter<WindowBatch> output, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_batchStartedAt is null && _batch.IsEmpty)
        {
            return;
        }

        metrics.Publish();
        foreach (var partition in _partitions.Values)
        {
            partition.Flush(_batch, _topic, now);
            metrics.PartitionProgress(partition.Partition, partition.LogEndOffset - partition.NextOffset, partition.WatermarkMs);
        }

        var batch = _batch;
        _batch = new WindowBatch();
        _batchStartedAt = null;
        await output.WriteAsync(batch, cancellationToken);
    }
}
