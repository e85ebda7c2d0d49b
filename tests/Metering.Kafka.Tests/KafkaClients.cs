using System.Diagnostics;
using Confluent.Kafka;

namespace Metering.Kafka.Tests;

/// <summary>Producers and consumers set up for the development broker, and deadline-bound waits.</summary>
internal static class KafkaClients
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    public static IProducer<string, string> Producer(string bootstrapServers, Action<ProducerConfig>? configure = null)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            ReconnectBackoffMs = 50,
            ReconnectBackoffMaxMs = 500,
            RetryBackoffMs = 50,
        };
        configure?.Invoke(config);
        return new ProducerBuilder<string, string>(config).Build();
    }

    public static IConsumer<string, string> Consumer(string bootstrapServers, string group) =>
        new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            // The mock does not wake a waiting fetch on new data: latency is about this value.
            FetchWaitMaxMs = 10,
        }).Build();

    /// <summary>
    /// Reads all partitions of <paramref name="topic"/> from the start until <paramref name="count"/> messages arrived or the
    /// deadline. Assigns the partitions instead of subscribing: the mock delays a new group's first rebalance by 3 s.
    /// </summary>
    public static Task<List<ConsumeResult<string, string>>> ConsumeAsync(
        string bootstrapServers, string topic, int partitions, string group, int count) =>
        Task.Factory.StartNew(
            () =>
            {
                using var consumer = Consumer(bootstrapServers, group);
                consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
                var results = new List<ConsumeResult<string, string>>(count);
                var clock = Stopwatch.StartNew();
                while (results.Count < count && clock.Elapsed < Deadline)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                    {
                        results.Add(result);
                    }
                }

                consumer.Close();
                return results;
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>Retries <paramref name="attempt"/> until it succeeds or <see cref="Deadline"/> passes, then rethrows.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (KafkaException) when (clock.Elapsed < Deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        }
    }
}
