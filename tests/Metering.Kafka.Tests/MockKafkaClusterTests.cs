using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Metering.Kafka.DevBroker;
using Metering.Testing;

namespace Metering.Kafka.Tests;

[TestFixture]
[Integration]
public sealed class MockKafkaClusterTests
{
    [Test]
    public async Task Produce_IdempotentProducerAcrossPartitions_ConsumerReadsEveryMessage()
    {
        const int Messages = 2_000;
        await using var topic = await TemporaryTopic.CreateAsync(partitions: 4);
        var bootstrap = topic.Broker.BootstrapServers;

        using (var producer = KafkaClients.Producer(bootstrap))
        {
            await ProduceAsync(producer, topic.Name, Messages);
        }

        var consumed = await KafkaClients.ConsumeAsync(bootstrap, topic.Name, 4, topic.ConsumerGroup, Messages);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(consumed.Select(r => r.Message.Value), Is.EquivalentTo(Enumerable.Range(0, Messages).Select(i => $"value-{i}")));
            Assert.That(consumed.Select(r => r.Partition.Value).Distinct(), Is.EquivalentTo(Enumerable.Range(0, 4)));
        }
    }

    [Test]
    public async Task CreateTopic_NewTopic_MetadataHasPartitions()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions());
        cluster.CreateTopic("orders", 6);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata("orders", TimeSpan.FromSeconds(10));

        Assert.That(metadata.Topics.Single().Partitions, Has.Count.EqualTo(6));
    }

    [Test]
    public async Task CreateTopic_ExistingTopicSamePartitions_IsIdempotent()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = [new MockKafkaTopic("orders", 3)] });

        Assert.That(() => cluster.CreateTopic("orders", 3), Throws.Nothing);
    }

    [Test]
    public async Task CreateTopic_ExistingTopicOtherPartitions_ThrowsNamingCounts()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = [new MockKafkaTopic("orders", 3)] });

        Assert.That(
            () => cluster.CreateTopic("orders", 5),
            Throws.InvalidOperationException.With.Message.Contains("already exists with 3 partition(s), not 5"));
    }

    [Test]
    public async Task CreateTopic_InvalidName_ThrowsArgumentException()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions());

        Assert.That(() => cluster.CreateTopic("no spaces", 1), Throws.ArgumentException);
    }

    [Test]
    public async Task Start_FixedPort_MetadataAdvertisesFixedPorts()
    {
        await using var cluster = StartOnFreePorts(brokerCount: 2, out var port);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = $"127.0.0.1:{port}" }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cluster.BootstrapServers, Is.EqualTo($"127.0.0.1:{port},127.0.0.1:{port + 1}"));
            Assert.That(
                metadata.Brokers.OrderBy(b => b.BrokerId).Select(b => $"{b.BrokerId}={b.Host}:{b.Port}"),
                Is.EqualTo(new[] { $"1=127.0.0.1:{port}", $"2=127.0.0.1:{port + 1}" }));
        }
    }

    [Test]
    public async Task Produce_FixedPortWithTwoBrokers_RoundTripsThroughRelay()
    {
        // Partition leaders are spread over both brokers, and the mock rejects a produce sent to a non-leader:
        // this only passes if each fixed port relays to the broker with the matching id.
        const int Messages = 1_000;
        await using var cluster = StartOnFreePorts(brokerCount: 2, out var port);
        cluster.CreateTopic("relayed", 4);
        var bootstrap = $"127.0.0.1:{port}";

        using (var producer = KafkaClients.Producer(bootstrap))
        {
            await ProduceAsync(producer, "relayed", Messages);
        }

        var consumed = await KafkaClients.ConsumeAsync(bootstrap, "relayed", 4, "relayed-group", Messages);

        Assert.That(consumed.Select(r => r.Message.Value), Is.EquivalentTo(Enumerable.Range(0, Messages).Select(i => $"value-{i}")));
    }

    [Test]
    public async Task OpenFixedPorts_Deferred_RefusesConnectionsUntilOpened()
    {
        var port = FreePort.Next();
        await using var cluster = MockKafkaCluster.Start(
            new MockKafkaClusterOptions { Port = port, DeferFixedPorts = true, Topics = [new MockKafkaTopic("t", 1)] });
        using (var producer = KafkaClients.Producer(cluster.DirectBootstrapServers))
        {
            await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "before clients" });
        }

        using (var early = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            Assert.That(
                () => early.Connect(IPAddress.Loopback, port),
                Throws.InstanceOf<SocketException>()
                    .With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused));
        }

        cluster.OpenFixedPorts();
        var consumed = await KafkaClients.ConsumeAsync($"127.0.0.1:{port}", "t", 1, "deferred", 1);

        Assert.That(consumed.Select(r => r.Message.Value).Single(), Is.EqualTo("before clients"));
    }

    [Test]
    public void Start_PortInUse_ThrowsNamingPort()
    {
        using var occupant = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        occupant.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        occupant.Listen();
        var port = ((IPEndPoint)occupant.LocalEndPoint!).Port;

        Assert.That(
            () => MockKafkaCluster.Start(new MockKafkaClusterOptions { Port = port }),
            Throws.InvalidOperationException.With.Message.Contains($"port {port}").And.Message.Contains("already in use"));
    }

    [Test]
    public async Task SetBrokerDown_ThenUp_ProduceFailsThenSucceeds()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = [new MockKafkaTopic("t", 1)] });
        // Short enough to fail fast while the broker is down, long enough for a loaded machine's first produce.
        using var producer = KafkaClients.Producer(cluster.BootstrapServers, c => c.MessageTimeoutMs = 5_000);
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "before" });

        cluster.SetBrokerDown(1);
        Assert.That(
            async () => await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "down" }),
            Throws.InstanceOf<ProduceException<string, string>>());

        cluster.SetBrokerUp(1);
        var delivered = await KafkaClients.EventuallyAsync(
            () => producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "after" }));

        Assert.That(delivered.Status, Is.EqualTo(PersistenceStatus.Persisted));
    }

    [Test]
    public async Task PushRequestErrors_RetriableProduceErrors_IdempotentProducerDeliversExactlyOnce()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = [new MockKafkaTopic("t", 1)] });
        using var producer = KafkaClients.Producer(cluster.BootstrapServers);
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "warm-up" });

        cluster.PushRequestErrors(0, [ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas, ErrorCode.NotEnoughReplicas]);
        var delivered = await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "retried" });

        using var consumer = KafkaClients.Consumer(cluster.BootstrapServers, "g");
        var watermarks = consumer.QueryWatermarkOffsets(new TopicPartition("t", 0), TimeSpan.FromSeconds(10));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(delivered.Offset.Value, Is.EqualTo(1));
            Assert.That(watermarks.High.Value, Is.EqualTo(2), "the retried message landed exactly once");
        }
    }

    [Test]
    public async Task PushRequestErrors_NonRetriableProduceError_FailsDelivery()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = [new MockKafkaTopic("t", 1)] });
        using var producer = KafkaClients.Producer(cluster.BootstrapServers, c => c.EnableIdempotence = false);
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "warm-up" });

        cluster.PushRequestErrors(0, [ErrorCode.InvalidRequiredAcks]);

        Assert.That(
            async () => await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "rejected" }),
            Throws.InstanceOf<ProduceException<string, string>>()
                .With.Property(nameof(KafkaException.Error)).Property(nameof(Error.Code)).EqualTo(ErrorCode.InvalidRequiredAcks));
    }

    [Test]
    public async Task ClearRequestErrors_AfterPush_ProduceSucceeds()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = [new MockKafkaTopic("t", 1)] });
        using var producer = KafkaClients.Producer(cluster.BootstrapServers, c => c.EnableIdempotence = false);
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "warm-up" });

        cluster.PushRequestErrors(0, [ErrorCode.InvalidRequiredAcks]);
        cluster.ClearRequestErrors(0);
        var delivered = await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "accepted" });

        Assert.That(delivered.Status, Is.EqualTo(PersistenceStatus.Persisted));
    }

    [Test]
    public async Task SetRtt_200Milliseconds_DelaysProduce()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = [new MockKafkaTopic("t", 1)] });
        using var producer = KafkaClients.Producer(cluster.BootstrapServers, c => c.LingerMs = 0);
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "warm-up" });

        cluster.SetRtt(1, TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "slow" });

        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(190)));
    }

    [Test]
    public async Task SetBrokerDown_UnknownBroker_ThrowsArgumentOutOfRange()
    {
        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions());

        Assert.That(() => cluster.SetBrokerDown(2), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private static async Task ProduceAsync(IProducer<string, string> producer, string topic, int count)
    {
        var deliveries = Enumerable.Range(0, count)
            .Select(i => producer.ProduceAsync(topic, new Message<string, string> { Key = $"key-{i}", Value = $"value-{i}" }))
            .ToArray();
        var results = await Task.WhenAll(deliveries);
        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(PersistenceStatus.Persisted));
    }

    /// <summary>Starts a cluster on <paramref name="brokerCount"/> consecutive free loopback ports, retrying on a race.</summary>
    private static MockKafkaCluster StartOnFreePorts(int brokerCount, out int port)
    {
        for (var attempt = 1; ; attempt++)
        {
            using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
            {
                probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                port = ((IPEndPoint)probe.LocalEndPoint!).Port;
            }

            if (port + brokerCount - 1 > IPEndPoint.MaxPort)
            {
                continue;
            }

            try
            {
                return MockKafkaCluster.Start(new MockKafkaClusterOptions { BrokerCount = brokerCount, Port = port });
            }
            catch (InvalidOperationException) when (attempt < 10)
            {
                // Another process took one of the ports in between.
            }
        }
    }
}
