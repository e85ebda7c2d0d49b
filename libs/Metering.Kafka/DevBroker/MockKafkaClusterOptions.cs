namespace Metering.Kafka.DevBroker;

/// <summary>How <see cref="MockKafkaCluster.Start"/> sets up the in-memory development broker.</summary>
public sealed class MockKafkaClusterOptions
{
    /// <summary>How many brokers the cluster has; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    /// <value>The default value is 1.</value>
    public int BrokerCount { get; init; } = 1;

    /// <summary>How long a new consumer group waits for more members before its first assignment.</summary>
    /// <value>The default value is zero (a real broker waits 3 s).</value>
    public TimeSpan GroupInitialRebalanceDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Topics created when the cluster starts.</summary>
    /// <value>The default value is empty.</value>
    public IReadOnlyList<MockKafkaTopic> Topics { get; init; } = [];

    /// <summary>The host name the brokers advertise in metadata and in <see cref="MockKafkaCluster.BootstrapServers"/>.</summary>
    /// <value>The default value is <c>127.0.0.1</c>.</value>
    public string AdvertisedHost { get; init; } = "127.0.0.1";

    /// <summary>
    /// The fixed port of broker 1; broker <c>i</c> listens on <c>Port + i - 1</c> on the loopback address and relays to the
    /// mock's own listener. 0 uses the mock's ephemeral listeners directly, without a relay.
    /// </summary>
    /// <value>The default value is 0.</value>
    public int Port { get; init; }

    /// <summary>
    /// When <see langword="true"/>, the fixed ports (<see cref="Port"/> above 0) are reserved at start but refuse
    /// connections, and brokers advertise their own listeners (<see cref="MockKafkaCluster.DirectBootstrapServers"/>), until
    /// <see cref="MockKafkaCluster.OpenFixedPorts"/>: lets the host load data (e.g. restore a journal) before other clients
    /// can connect. Without fixed ports there is nothing to defer.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DeferFixedPorts { get; init; }
}
