using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Metering.Kafka.DevBroker;
using Metering.Testing;

namespace Metering.Kafka.Tests;

[TestFixture]
[Integration]
public sealed class KafkaJournalTests
{
    private const long BaseTimestampMs = 1_700_000_000_000;

    private string _directory = "";

    [SetUp]
    public void SetUp() =>
        _directory = Path.Combine(Path.GetTempPath(), "metering-journal-tests", Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Test]
    public async Task RestoreAsync_AfterRestarts_RecordsComeBackAtSameOffsetsAndNewRecordsContinue()
    {
        var topic = new MockKafkaTopic("journaled", 3);
        List<string> firstRun;
        await using (var broker = await Broker.StartAsync(_directory, [topic]))
        {
            Assert.That(broker.Journal.RestoredRecords, Is.Zero);
            firstRun = await ProduceAsync(broker.Cluster, topic, first: 0, count: 300);
        }

        List<string> secondRun;
        await using (var broker = await Broker.StartAsync(_directory, [topic]))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(broker.Journal.RestoredRecords, Is.EqualTo(300));
                Assert.That(await ReadAllAsync(broker.Cluster, topic), Is.EqualTo(InLogOrder(firstRun)));
            }

            secondRun = await ProduceAsync(broker.Cluster, topic, first: 300, count: 150);
        }

        await using (var broker = await Broker.StartAsync(_directory, [topic]))
        {
            var all = InLogOrder(firstRun.Concat(secondRun));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(broker.Journal.RestoredRecords, Is.EqualTo(450));
                Assert.That(await ReadAllAsync(broker.Cluster, topic), Is.EqualTo(all));
                // Each partition got 100 records first (round robin), so records after the restart continue at offset 100.
                Assert.That(secondRun.Select(r => Position(r).Offset).Min(), Is.EqualTo(100));
            }
        }
    }

    [Test]
    public async Task RestoreAsync_TopicCreatedWhileJournaling_IsRestoredWithItsRecords()
    {
        var later = new MockKafkaTopic("created-later", 2);
        List<string> produced;
        await using (var broker = await Broker.StartAsync(_directory, [new MockKafkaTopic("configured", 1)]))
        {
            broker.Cluster.CreateTopic(later.Name, later.Partitions);
            produced = await ProduceAsync(broker.Cluster, later, first: 0, count: 50);
        }

        await using (var broker = await Broker.StartAsync(_directory, [new MockKafkaTopic("configured", 1)]))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(broker.Cluster.Topics, Does.Contain(later));
                Assert.That(await ReadAllAsync(broker.Cluster, later), Is.EqualTo(InLogOrder(produced)));
            }
        }
    }

    [Test]
    public async Task RestoreAsync_TruncatedLastRecord_DropsItAndAppendsAfterTheRest()
    {
        var topic = new MockKafkaTopic("truncated", 1);
        List<string> produced;
        await using (var broker = await Broker.StartAsync(_directory, [topic]))
        {
            produced = await ProduceAsync(broker.Cluster, topic, first: 0, count: 20);
        }

        // A crash while the last record was being written: its end is missing.
        var file = Path.Combine(_directory, "partitions", topic.Name, "0.journal");
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.SetLength(stream.Length - 3);
        }

        List<string> appended;
        await using (var broker = await Broker.StartAsync(_directory, [topic]))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(broker.Journal.RestoredRecords, Is.EqualTo(19));
                Assert.That(await ReadAllAsync(broker.Cluster, topic), Is.EqualTo(produced.Take(19)));
            }

            appended = await ProduceAsync(broker.Cluster, topic, first: 100, count: 2);
        }

        await using (var broker = await Broker.StartAsync(_directory, [topic]))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(appended[0], Does.StartWith("0/19 "));
                Assert.That(await ReadAllAsync(broker.Cluster, topic), Is.EqualTo(produced.Take(19).Concat(appended)));
            }
        }
    }

    [Test]
    public async Task RestoreAsync_DirectoryInUse_ThrowsNamingDirectory()
    {
        await using var broker = await Broker.StartAsync(_directory, [new MockKafkaTopic("t", 1)]);
        await using var other = MockKafkaCluster.Start(new MockKafkaClusterOptions());

        Assert.That(
            async () => await KafkaJournal.RestoreAsync(other, new KafkaJournalOptions { Directory = _directory }),
            Throws.InvalidOperationException.With.Message.Contains(_directory).And.Message.Contains("in use"));
    }

    [Test]
    public async Task RestoreAsync_CorruptFile_ThrowsNamingFile()
    {
        var topic = new MockKafkaTopic("corrupt", 1);
        await using (var broker = await Broker.StartAsync(_directory, [topic]))
        {
            await ProduceAsync(broker.Cluster, topic, first: 0, count: 5);
        }

        var file = Path.Combine(_directory, "partitions", topic.Name, "0.journal");
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Write("garbage!"u8);
        }

        await using var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions());
        Assert.That(
            async () => await KafkaJournal.RestoreAsync(cluster, new KafkaJournalOptions { Directory = _directory }),
            Throws.InvalidOperationException.With.Message.Contains(file));
    }

    /// <summary>
    /// Produces <paramref name="count"/> records round robin over the partitions, with null, empty and non-empty keys and
    /// values, headers (a null value, a repeated name) and explicit timestamps; returns them as <see cref="Describe"/> does.
    /// </summary>
    private static async Task<List<string>> ProduceAsync(MockKafkaCluster cluster, MockKafkaTopic topic, int first, int count)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        }).Build();
        var messages = new List<Message<byte[]?, byte[]?>>(count);
        var deliveries = new List<Task<DeliveryResult<byte[]?, byte[]?>>>(count);
        for (var i = first; i < first + count; i++)
        {
            var headers = new Headers();
            if (i % 3 != 0)
            {
                headers.Add("trace", BitConverter.GetBytes(i));
                headers.Add("nullable", i % 2 == 0 ? null : []);
                headers.Add("trace", [1, 2, 3]);
            }

            var message = new Message<byte[]?, byte[]?>
            {
                Key = (i % 4) switch { 0 => null, 1 => [], _ => BitConverter.GetBytes(i) },
                Value = (i % 5) switch { 0 => null, 1 => [], _ => System.Text.Encoding.UTF8.GetBytes($"value-{i}") },
                Headers = headers,
                Timestamp = new Timestamp(BaseTimestampMs + i, TimestampType.CreateTime),
            };
            messages.Add(message);
            deliveries.Add(producer.ProduceAsync(new TopicPartition(topic.Name, i % topic.Partitions), message));
        }

        // The delivery report carries the broker's timestamp, not the record's: describe the record as produced.
        var results = await Task.WhenAll(deliveries);
        return [.. results.Select((r, i) => Describe(r.Partition.Value, r.Offset.Value, messages[i]))];
    }

    /// <summary>Reads every record of a topic, up to each partition's end, in partition and offset order.</summary>
    private static Task<List<string>> ReadAllAsync(MockKafkaCluster cluster, MockKafkaTopic topic) =>
        Task.Factory.StartNew(
            () =>
            {
                using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
                {
                    BootstrapServers = cluster.BootstrapServers,
                    GroupId = "journal-tests",
                    EnableAutoCommit = false,
                    FetchWaitMaxMs = 10,
                }).Build();
                var partitions = Enumerable.Range(0, topic.Partitions).Select(p => new TopicPartition(topic.Name, p)).ToList();
                var ends = partitions.ToDictionary(
                    p => p.Partition.Value, p => consumer.QueryWatermarkOffsets(p, TimeSpan.FromSeconds(10)).High.Value);
                consumer.Assign(partitions.Select(p => new TopicPartitionOffset(p, Offset.Beginning)));
                var records = new List<(int Partition, long Offset, string Text)>();
                var clock = Stopwatch.StartNew();
                while (records.Count < ends.Values.Sum() && clock.Elapsed < KafkaClients.Deadline)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } result)
                    {
                        records.Add((result.Partition.Value, result.Offset.Value,
                            Describe(result.Partition.Value, result.Offset.Value, result.Message)));
                    }
                }

                consumer.Close();
                return records.OrderBy(r => r.Partition).ThenBy(r => r.Offset).Select(r => r.Text).ToList();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    /// <summary>A record as text: partition/offset, timestamp, key, value and headers, with null told apart from empty.</summary>
    private static string Describe(int partition, long offset, Message<byte[]?, byte[]?> message)
    {
        var headers = (message.Headers ?? []).Select(h => $"{h.Key}={Hex(h.GetValueBytes())}");
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{partition}/{offset} ts={message.Timestamp.UnixTimestampMs}:{message.Timestamp.Type} key={Hex(message.Key)} "
            + $"value={Hex(message.Value)} headers=[{string.Join(",", headers)}]");
    }

    private static List<string> InLogOrder(IEnumerable<string> records) =>
        [.. records.OrderBy(r => Position(r).Partition).ThenBy(r => Position(r).Offset)];

    /// <summary>The partition and offset of a record described by <see cref="Describe"/>.</summary>
    private static (int Partition, long Offset) Position(string record)
    {
        var position = record[..record.IndexOf(' ', StringComparison.Ordinal)].Split('/');
        return (int.Parse(position[0], CultureInfo.InvariantCulture), long.Parse(position[1], CultureInfo.InvariantCulture));
    }

    private static string Hex(byte[]? bytes) => bytes is null ? "null" : $"'{Convert.ToHexString(bytes)}'";

    /// <summary>What the DevBroker host does: a cluster, its journal restored, then journaling.</summary>
    private sealed class Broker : IAsyncDisposable
    {
        private Broker(MockKafkaCluster cluster, KafkaJournal journal)
        {
            Cluster = cluster;
            Journal = journal;
        }

        public MockKafkaCluster Cluster { get; }

        public KafkaJournal Journal { get; }

        public static async Task<Broker> StartAsync(string directory, IReadOnlyList<MockKafkaTopic> topics)
        {
            var cluster = MockKafkaCluster.Start(new MockKafkaClusterOptions { Topics = topics, DeferFixedPorts = true });
            try
            {
                var journal = await KafkaJournal.RestoreAsync(
                    cluster, new KafkaJournalOptions { Directory = directory, CatchUpTimeout = KafkaClients.Deadline });
                cluster.OpenFixedPorts();
                journal.Start();
                return new Broker(cluster, journal);
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Journal.DisposeAsync();
            await Cluster.DisposeAsync();
        }
    }
}
