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
    ILogger<KafkaSource> logger)
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

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
        void Send(SourceMessage message)
        {
            if (!output.TryWrite(message))
            {
                try
                {
                    output.WriteAsync(message, faultToken).AsTask().GetAwaiter().GetResult();
                }
                catch (ChannelClosedException)
                {
                    // The pipeline is ending (the consumer's close revokes partitions after it): nothing to tell.
                }
            }
        }

        // An exception thrown inside a rebalance callback leaves the consumer half-assigned and its close
        // hanging; it is kept here and thrown from the poll loop instead.
        Exception? assignmentFailure = null;

        var config = kafka.Value.CreateConsumerConfig(options.Value.ConsumerGroup);
        // Its own client: a request on the consumer's handle from inside its rebalance callback blocks.
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = config.BootstrapServers }).Build();
        using var consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetErrorHandler((_, error) => Log.ConsumerError(logger, error.Code.ToString(), error.Reason))
            .SetPartitionsAssignedHandler((_, partitions) => partitions.Select(p =>
            {
                try
                {
                    var (nextOffset, watermarkMs, replay) = store.LoadAsync(topic, p.Partition.Value, faultToken).GetAwaiter().GetResult();
                    CheckLog(admin, p, nextOffset);
                    Send(new PartitionAssigned(p.Partition.Value, nextOffset, watermarkMs, replay));
                    return new TopicPartitionOffset(p, new Offset(nextOffset));
                }
                catch (Exception ex)
                {
                    assignmentFailure ??= ex;
                    return new TopicPartitionOffset(p, Offset.End);
                }
            }).ToList())
            .SetPartitionsRevokedHandler((_, partitions) => partitions.ForEach(p => Send(new PartitionRevoked(p.Partition.Value))))
            .SetPartitionsLostHandler((_, partitions) => partitions.ForEach(p => Send(new PartitionRevoked(p.Partition.Value))))
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

                ConsumeResult<string?, byte[]>? result;
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

                if (result is null)
                {
                    output.TryWrite(IdleTick.Instance);
                    continue;
                }

                if (!result.IsPartitionEOF)
                {
                    Send(new ConsumedRecord(result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value ?? []));
                }
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

    private void StoreOffsets(IConsumer<string?, byte[]> consumer, IReadOnlyList<TopicPartitionOffset> offsets)
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
