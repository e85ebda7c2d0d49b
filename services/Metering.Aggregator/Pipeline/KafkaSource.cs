using System.Threading.Channels;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Metering.Aggregator.Storage;
using Metering.Kafka;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Pipeline;

/// <summary>
/// The Kafka stage: owns the consumer (STYLE.md §5). On assignment it resumes each partition where
/// its progress row says, after handing the window stage the events to rebuild open windows from.
/// Offsets are stored only once the sink reports them durable; they serve lag monitoring.
/// </summary>
internal sealed class KafkaSource(
    PartitionStore store,
    IOptions<KafkaOptions> kafka,
    IOptions<AggregatorOptions> options,
    TimeProvider clock,
    ILogger<KafkaSource> logger)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>How often idle partitions and the ends of the logs are reported downstream.</summary>
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(1);

    public Task RunAsync(
        ChannelWriter<SourceMessage> output,
        ChannelReader<IReadOnlyList<TopicPartitionOffset>> flushed,
        CancellationToken stoppingToken,
        CancellationToken faultToken) =>
        Task.Factory.StartNew(
            () => Loop(output, flushed, stoppingToken, faultToken),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Loop(
        ChannelWriter<SourceMessage> output,
        ChannelReader<IReadOnlyList<TopicPartitionOffset>> flushed,
        CancellationToken stoppingToken,
        CancellationToken faultToken)
    {
        var topic = kafka.Value.Topic;
        Exception? failure = null;
        // Consume blocks, so this loop has its own thread and writes to the channel synchronously.
        bool Send(SourceMessage message)
        {
            if (output.TryWrite(message))
            {
                return true;
            }

            try
            {
                output.WriteAsync(message, faultToken).AsTask().GetAwaiter().GetResult();
                return true;
            }
            catch (ChannelClosedException)
            {
                return false; // the pipeline is ending (the consumer's close revokes partitions after it): nothing to tell
            }
        }

        // An exception thrown inside a rebalance callback leaves the consumer half-assigned and its close
        // hanging; it is kept here and thrown from the poll loop instead.
        Exception? assignmentFailure = null;

        // Partitions read to their end, by the offset of that end: idle, so their watermark follows the clock.
        var caughtUp = new Dictionary<int, long>();
        var lastReport = clock.GetTimestamp();

        var config = kafka.Value.CreateConsumerConfig(options.Value.ConsumerGroup);
        config.EnablePartitionEof = true;
        // Headers, timestamps and the topic name are not read: copying them into every result costs as much as the value.
        config.ConsumeResultFields = "none";
        // Its own client: a request on the consumer's handle from inside its rebalance callback blocks.
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = config.BootstrapServers }).Build();
        using var consumer = new ConsumerBuilder<byte[]?, byte[]>(config)
            .SetErrorHandler((_, error) => Log.ConsumerError(logger, error.Code.ToString(), error.Reason))
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                try
                {
                    var snapshots = store.LoadAsync(topic, [.. partitions.Select(p => p.Partition.Value)], faultToken).GetAwaiter().GetResult();
                    return partitions.Select(p =>
                    {
                        var snapshot = snapshots[p.Partition.Value];
                        CheckLog(admin, p, snapshot.NextOffset);
                        caughtUp.Remove(p.Partition.Value);
                        Send(new PartitionAssigned(p.Partition.Value, snapshot));
                        return new TopicPartitionOffset(p, new Offset(snapshot.NextOffset));
                    }).ToList();
                }
                catch (Exception ex)
                {
                    assignmentFailure ??= ex;
                    return partitions.Select(p => new TopicPartitionOffset(p, Offset.End)).ToList();
                }
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                // The next owner resumes from the progress rows: hand over only once they cover everything applied.
                var handoff = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                partitions.ForEach(p => caughtUp.Remove(p.Partition.Value));
                var delivered = partitions.Select(p => Send(new PartitionRevoked(p.Partition.Value, p == partitions[^1] ? handoff : null))).ToList();
                if (delivered.Count > 0 && delivered.All(d => d))
                {
                    WaitForHandoff(handoff.Task, faultToken);
                }
            })
            .SetPartitionsLostHandler((_, partitions) => partitions.ForEach(p =>
            {
                // Another member owns them already: nothing to wait for.
                caughtUp.Remove(p.Partition.Value);
                Send(new PartitionRevoked(p.Partition.Value, null));
            }))
            .Build();
        try
        {
            consumer.Subscribe(topic);
            while (!stoppingToken.IsCancellationRequested)
            {
                while (flushed.TryRead(out var offsets))
                {
                    StoreOffsets(consumer, offsets);
                }

                ConsumeResult<byte[]?, byte[]>? result;
                try
                {
                    result = consumer.Consume(PollTimeout);
                }
                catch (ConsumeException ex) when (!ex.Error.IsFatal)
                {
                    Log.ConsumerError(logger, ex.Error.Code.ToString(), ex.Error.Reason);
                    continue;
                }

                if (assignmentFailure is not null)
                {
                    throw new InvalidOperationException($"Cannot resume a partition: {assignmentFailure.Message}", assignmentFailure);
                }

                if (clock.GetElapsedTime(lastReport) >= ReportInterval)
                {
                    Report(consumer, caughtUp, Send);
                    lastReport = clock.GetTimestamp();
                }

                if (result is null)
                {
                    output.TryWrite(IdleTick.Instance);
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    caughtUp[result.Partition.Value] = result.Offset.Value;
                    Send(new PartitionIdle(result.Partition.Value, result.Offset.Value, clock.GetUtcNow().ToUnixTimeMilliseconds()));
                    continue;
                }

                caughtUp.Remove(result.Partition.Value);
                Send(new ConsumedRecord(result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value ?? []));
            }

            consumer.Close();
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

    /// <summary>Reports the partitions still at their end (their watermark follows the clock) and the ends of all logs.</summary>
    private void Report(IConsumer<byte[]?, byte[]> consumer, Dictionary<int, long> caughtUp, Func<SourceMessage, bool> send)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var (partition, end) in caughtUp)
        {
            send(new PartitionIdle(partition, end, now));
        }

        var ends = new List<(int, long)>();
        foreach (var assigned in consumer.Assignment)
        {
            var high = consumer.GetWatermarkOffsets(assigned).High;
            if (high != Offset.Unset)
            {
                ends.Add((assigned.Partition.Value, high.Value));
            }
        }

        send(new LogEnds(ends));
    }

    private static void WaitForHandoff(Task handoff, CancellationToken faultToken)
    {
        try
        {
            handoff.WaitAsync(faultToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // The pipeline failed: nothing more will be written; the next owner resumes from what is durable.
        }
    }

    /// <summary>
    /// Refuses to resume a partition whose log ends before the progress ClickHouse holds: the topic was
    /// recreated or truncated (a restarted in-memory development broker does that), and its new records
    /// would reuse the offsets that key the stored rows. Warns when retention removed records that
    /// were never processed.
    /// </summary>
    private void CheckLog(IAdminClient admin, TopicPartition partition, long nextOffset)
    {
        long Offset(OffsetSpec spec) => admin
            .ListOffsetsAsync([new TopicPartitionOffsetSpec { TopicPartition = partition, OffsetSpec = spec }],
                new ListOffsetsOptions { RequestTimeout = TimeSpan.FromSeconds(30) })
            .GetAwaiter().GetResult().ResultInfos[0].TopicPartitionOffsetError.Offset.Value;

        var (low, high) = (Offset(OffsetSpec.Earliest()), Offset(OffsetSpec.Latest()));
        if (nextOffset > high)
        {
            throw new InvalidOperationException(
                $"Partition {partition.Partition.Value} of topic {partition.Topic} ends at offset {high}, but ClickHouse "
                + $"holds progress up to offset {nextOffset}: the topic was recreated or truncated since. Resuming would "
                + "overwrite stored events. Point the aggregator at a fresh ClickHouse database (with `make run`: `make clean`).");
        }

        if (low > nextOffset)
        {
            Log.RecordsLost(logger, partition.Partition.Value, nextOffset, low);
        }
    }

    private void StoreOffsets(IConsumer<byte[]?, byte[]> consumer, IReadOnlyList<TopicPartitionOffset> offsets)
    {
        foreach (var offset in offsets)
        {
            try
            {
                consumer.StoreOffset(offset);
            }
            catch (KafkaException ex)
            {
                // The partition moved to another instance meanwhile: its offset is that owner's to store.
                Log.OffsetNotStored(logger, offset.Partition.Value, offset.Offset.Value, ex.Error.Reason);
            }
        }
    }
}
