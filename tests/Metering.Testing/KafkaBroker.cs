using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Metering.Kafka.DevBroker;

namespace Metering.Testing;

/// <summary>
/// The Kafka broker integration tests share: the one named by <c>METERING_TEST_KAFKA</c> (bootstrap servers) when set,
/// otherwise an in-process development broker (<see cref="MockKafkaCluster"/>, ephemeral port, 1 broker) started on
/// first use. Give each test its own topic with <see cref="TemporaryTopic"/>.
/// </summary>
public sealed class KafkaBroker
{
    /// <summary>The environment variable that names an external broker's bootstrap servers.</summary>
    public const string EnvironmentVariable = "METERING_TEST_KAFKA";

    private static readonly Lock Gate = new();
    private static KafkaBroker? _instance;

    private readonly Lazy<IAdminClient> _admin;

    private KafkaBroker(string bootstrapServers, MockKafkaCluster? cluster)
    {
        BootstrapServers = bootstrapServers;
        Cluster = cluster;
        _admin = new Lazy<IAdminClient>(
            () => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build());
    }

    /// <summary>The broker, started on first use.</summary>
    /// <exception cref="InvalidOperationException">The development broker cannot be started.</exception>
    public static KafkaBroker Instance
    {
        get
        {
            lock (Gate)
            {
                return _instance ??= Create();
            }
        }
    }

    /// <summary>The comma-separated <c>host:port</c> list to connect to.</summary>
    public string BootstrapServers { get; }

    /// <summary>The in-process development broker, for fault injection; <see langword="null"/> for an external broker.</summary>
    public MockKafkaCluster? Cluster { get; }

    /// <summary>Returns <see cref="Instance"/>, starting the broker on first use.</summary>
    /// <returns>The broker.</returns>
    public static Task<KafkaBroker> GetAsync() => Task.FromResult(Instance);

    /// <summary>Stops the broker if a test started it; does nothing otherwise. For a root <c>[OneTimeTearDown]</c>.</summary>
    /// <returns>A task that completes when the broker has stopped.</returns>
    public static async ValueTask DisposeIfStartedAsync()
    {
        KafkaBroker? instance;
        lock (Gate)
        {
            instance = _instance;
            _instance = null;
        }

        if (instance is null)
        {
            return;
        }

        if (instance._admin.IsValueCreated)
        {
            instance._admin.Value.Dispose();
        }

        if (instance.Cluster is not null)
        {
            await instance.Cluster.DisposeAsync();
        }
    }

    /// <summary>Creates a topic; an existing topic with the same name is kept.</summary>
    /// <param name="name">The topic name.</param>
    /// <param name="partitions">The partition count.</param>
    /// <returns>A task that completes when the topic's partitions have leaders.</returns>
    public async Task CreateTopicAsync(string name, int partitions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Cluster is not null)
        {
            Cluster.CreateTopic(name, partitions);
            return;
        }

        try
        {
            // ReplicationFactor -1: the broker default.
            await _admin.Value.CreateTopicsAsync(
                [new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 }]);
        }
        catch (CreateTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists))
        {
            return;
        }

        await WaitForLeadersAsync(name, partitions);
    }

    /// <summary>Deletes a topic of an external broker; the development broker keeps it (it lives in memory only).</summary>
    /// <param name="name">The topic name.</param>
    /// <returns>A task that completes when the broker has accepted the deletion.</returns>
    public async Task DeleteTopicAsync(string name)
    {
        if (Cluster is not null)
        {
            return;
        }

        try
        {
            await _admin.Value.DeleteTopicsAsync([name]);
        }
        catch (DeleteTopicsException ex) when (ex.Results.All(r => r.Error.Code is ErrorCode.UnknownTopicOrPart))
        {
            // Already gone.
        }
    }

    private static KafkaBroker Create()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return new KafkaBroker(external.Trim(), cluster: null);
        }

        MockKafkaCluster cluster;
        try
        {
            cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions());
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
        {
            throw new InvalidOperationException(
                $"Cannot start the in-process development Kafka broker ({ex.Message}). Run scripts/setup to build librdkafka, "
                + $"or set {EnvironmentVariable} to the bootstrap servers of a running broker.", ex);
        }

        return new KafkaBroker(cluster.BootstrapServers, cluster);
    }

    private async Task WaitForLeadersAsync(string name, int partitions)
    {
        // Real brokers propagate a new topic's metadata asynchronously.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var topic = _admin.Value.GetMetadata(name, TimeSpan.FromSeconds(5)).Topics.SingleOrDefault(t => t.Topic == name);
            if (topic is { Error.IsError: false } && topic.Partitions.Count == partitions && topic.Partitions.All(p => p.Leader >= 0))
            {
                return;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Topic '{name}' has no leaders for all {partitions} partition(s) after 30 s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
    }
}
