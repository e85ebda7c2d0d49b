using System.Threading.Channels;
using Confluent.Kafka;
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
                output.WriteAsync(message, faultToken).AsTask().GetAwaiter().GetResult();
            }
        }

        var config = kafka.Value.CreateConsumerConfig(options.Value.ConsumerGroup);
        using var consumer = new ConsumerBuilder<string?, byte[]>(config)
            .SetErrorHandler((_, error) => Log.ConsumerError(logger, error.Code.ToString(), error.Reason))
            .SetPartitionsAssignedHandler((_, partitions) => partitions.Select(p =>
            {
                var (nextOffset, watermarkMs, replay) = store.LoadAsync(topic, p.Partition.Value, faultToken).GetAwaiter().GetResult();
                Send(new PartitionAssigned(p.Partition.Value, nextOffset, watermarkMs, replay));
                return new TopicPartitionOffset(p, new Offset(nextOffset));
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
