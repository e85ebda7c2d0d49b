using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Metering.Kafka.DevBroker;

/// <summary>
/// Keeps the development broker's records on disk, so that a restarted broker comes back with the same records at the same
/// offsets: <see cref="RestoreAsync"/> re-produces a journal into a new <see cref="MockKafkaCluster"/>, <see cref="Start"/>
/// then journals every new record of every topic the cluster has, and <see cref="StopAsync"/> catches up with each
/// partition's end and flushes.
/// </summary>
/// <remarks>
/// <para>
/// Layout of <see cref="KafkaJournalOptions.Directory"/>: <c>topics.txt</c> (topic definitions),
/// <c>partitions/&lt;topic&gt;/&lt;partition&gt;.journal</c> (records, see <see cref="JournalFormat"/>) and <c>lock</c>, held
/// while a journal uses the directory.
/// </para>
/// <para>
/// Records are journaled by a consumer that reads all partitions from their restored end (assigned, not subscribed: the
/// mock delays a group's first rebalance by 3 s), and written to the operating system every
/// <see cref="KafkaJournalOptions.FlushInterval"/>, so a crash loses at most that much. Restoring keeps offsets only when
/// each partition's offsets are contiguous from 0, which holds unless transactions (control records) were used; the
/// restore fails with a clear message otherwise.
/// </para>
/// </remarks>
public sealed class KafkaJournal : IAsyncDisposable
{
    private const string PartitionsFolder = "partitions";
    private const string JournalExtension = ".journal";
    private const string ClientId = "metering-dev-broker-journal";
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(10);

    private readonly KafkaJournalOptions _options;
    private readonly FileStream _lock;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly MockKafkaCluster _cluster;
    private readonly Dictionary<string, int> _topics;
    private readonly Dictionary<TopicPartition, (long ValidLength, long NextOffset)> _restored;
    private readonly Dictionary<TopicPartition, JournalFileWriter> _writers = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private long _journaled;
    private int _disposed;

    private KafkaJournal(
        KafkaJournalOptions options, FileStream lockFile, MockKafkaCluster cluster, Dictionary<string, int> topics,
        Dictionary<TopicPartition, (long, long)> restored, ILogger logger, TimeProvider time)
    {
        _options = options;
        _lock = lockFile;
        _cluster = cluster;
        _topics = topics;
        _restored = restored;
        _logger = logger;
        _time = time;
    }

    /// <summary>The journal's directory.</summary>
    public string Directory => _options.Directory;

    /// <summary>How many records <see cref="RestoreAsync"/> restored, over all topics.</summary>
    public long RestoredRecords { get; private init; }

    /// <summary>
    /// Completes when journaling has stopped; faults when journaling failed (from then on new records are not journaled).
    /// </summary>
    public Task Completion => _loop ?? Task.CompletedTask;

    /// <summary>
    /// Opens the journal in <see cref="KafkaJournalOptions.Directory"/> and restores it into <paramref name="cluster"/>:
    /// creates the journaled topics, re-produces every record to its partition in order, with its key, value, headers and
    /// timestamp, and checks that each partition then ends where its journal does. Journals the definitions of the
    /// cluster's own topics too. Call it before other clients can connect (see
    /// <see cref="MockKafkaClusterOptions.DeferFixedPorts"/>), then <see cref="Start"/>.
    /// </summary>
    /// <param name="cluster">A new cluster: its topics must be empty.</param>
    /// <param name="options">Where the journal is and how it flushes.</param>
    /// <param name="logger">Where to log; nothing is logged when <see langword="null"/>.</param>
    /// <param name="timeProvider">
    /// The clock for flushes and deadlines; <see cref="TimeProvider.System"/> when <see langword="null"/>.
    /// </param>
    /// <param name="cancellationToken">Cancels the restore.</param>
    /// <returns>The journal, not yet journaling.</returns>
    /// <exception cref="InvalidOperationException">
    /// The directory is in use by another journal, the journal is corrupt, or the broker did not take the records back
    /// at their offsets; the message says which and what to do.
    /// </exception>
    public static async Task<KafkaJournal> RestoreAsync(
        MockKafkaCluster cluster, KafkaJournalOptions options, ILogger? logger = null, TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.FlushInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.CatchUpTimeout, TimeSpan.Zero);
        logger ??= NullLogger.Instance;
        timeProvider ??= TimeProvider.System;
        options = new KafkaJournalOptions
        {
            Directory = Path.GetFullPath(options.Directory),
            FlushInterval = options.FlushInterval,
            CatchUpTimeout = options.CatchUpTimeout,
        };

        System.IO.Directory.CreateDirectory(options.Directory);
        var lockFile = AcquireLock(options.Directory);
        try
        {
            var journaled = LoadTopics(options.Directory);
            var restored = new Dictionary<TopicPartition, (long, long)>();
            var total = 0L;
            if (journaled.Count > 0)
            {
                foreach (var topic in journaled)
                {
                    CreateTopic(cluster, topic, options.Directory);
                }

                total = await RestoreRecordsAsync(cluster, journaled, options.Directory, restored, logger, timeProvider, cancellationToken);
            }
            else
            {
                Log.JournalEmpty(logger, options.Directory);
            }

            var topics = journaled.ToDictionary(t => t.Name, t => t.Partitions, StringComparer.Ordinal);
            var journal = new KafkaJournal(options, lockFile, cluster, topics, restored, logger, timeProvider) { RestoredRecords = total };
            journal.SyncTopics();
            return journal;
        }
        catch
        {
            await lockFile.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Starts journaling: every record after the restored end of each partition, of every topic the cluster has now or
    /// creates later (checked every <see cref="KafkaJournalOptions.FlushInterval"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Journaling was started already.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The journal is running already.");
        }

        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            ClientId = ClientId,
            // Needed by the client, never used: partitions are assigned and no offsets are committed.
            GroupId = ClientId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // Journal what is in the log, like the broker keeps it.
            IsolationLevel = IsolationLevel.ReadUncommitted,
            // The mock does not wake a waiting fetch on new data: the journal's lag is about this value.
            FetchWaitMaxMs = 10,
            MaxPartitionFetchBytes = 16 * 1024 * 1024,
            QueuedMaxMessagesKbytes = 256 * 1024,
        }).Build();
        try
        {
            lock (_topics)
            {
                var assignment = _topics.SelectMany(t => Partitions(t.Key, t.Value)).Select(OpenWriter).ToList();
                consumer.Assign(assignment);
                Log.JournalStarted(_logger, _topics.Count, assignment.Count, _options.Directory);
            }
        }
        catch
        {
            consumer.Dispose();
            CloseWriters();
            throw;
        }

        _loop = Task.Factory.StartNew(
            () => Run(consumer), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Stops journaling after it has caught up with the end of every partition as of now (within
    /// <see cref="KafkaJournalOptions.CatchUpTimeout"/>), and writes the journal to disk.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting (journaling still stops within the catch-up timeout).</param>
    /// <returns>A task that completes when journaling has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_loop is { } loop)
        {
            await loop.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stops journaling (see <see cref="StopAsync"/>) and releases the directory.</summary>
    /// <returns>A task that completes when the journal is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            await StopAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logged by the loop when it failed; closing must still release the directory.
        }
        finally
        {
            CloseWriters();
            await _lock.DisposeAsync();
            _stopping.Dispose();
        }
    }

    private static FileStream AcquireLock(string directory)
    {
        var path = Path.Combine(directory, "lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix, released when the process ends.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"The development broker journal in {directory} is in use by another process (another development broker?); "
                + "stop it or use another DevBroker:DataDirectory.", ex);
        }
    }

    private static List<MockKafkaTopic> LoadTopics(string directory)
    {
        try
        {
            return JournalTopics.Load(directory);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidOperationException($"{ex.Message} Fix or delete the journal in {directory}.", ex);
        }
    }

    private static void CreateTopic(MockKafkaCluster cluster, MockKafkaTopic topic, string directory)
    {
        try
        {
            cluster.CreateTopic(topic.Name, topic.Partitions);
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                $"Cannot restore topic '{topic.Name}' with {topic.Partitions} partition(s) from the journal in {directory}: "
                + $"{ex.Message} Configure the topic as journaled, or delete the journal (make clean) to start empty.", ex);
        }
    }

    private static async Task<long> RestoreRecordsAsync(
        MockKafkaCluster cluster, List<MockKafkaTopic> topics, string directory,
        Dictionary<TopicPartition, (long, long)> restored, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var producerConfig = new ProducerConfig
        {
            BootstrapServers = cluster.DirectBootstrapServers,
            ClientId = ClientId,
            // Keeps each partition's records in order through retries, so they get their old offsets.
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            BatchNumMessages = 10_000,
            QueueBufferingMaxMessages = 500_000,
            DeliveryReportFields = "none",
        };
        Error? firstError = null;
        var counts = new Dictionary<TopicPartition, long>();
        using (var producer = new ProducerBuilder<byte[]?, byte[]?>(producerConfig).Build())
        {
            void OnDelivered(DeliveryReport<byte[]?, byte[]?> report)
            {
                if (report.Error.IsError)
                {
                    Interlocked.CompareExchange(ref firstError, report.Error, null);
                }
            }

            foreach (var topic in topics)
            {
                foreach (var partition in Partitions(topic.Name, topic.Partitions))
                {
                    var path = JournalPath(directory, partition);
                    var (validLength, count) = File.Exists(path)
                        ? await ReproduceAsync(producer, partition, path, OnDelivered, logger, cancellationToken)
                        : (0L, 0L);
                    restored[partition] = (validLength, count);
                    counts[partition] = count;
                }
            }

            while (producer.Flush(TimeSpan.FromSeconds(1)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (firstError is { } error)
        {
            throw new InvalidOperationException(
                $"The development broker refused a record while restoring the journal in {directory}: {error.Reason} ({error.Code}).");
        }

        VerifyEnds(cluster, counts, directory);
        var elapsed = time.GetElapsedTime(started);
        foreach (var topic in topics)
        {
            var records = counts.Where(c => c.Key.Topic == topic.Name).Sum(c => c.Value);
            Log.JournalRestored(logger, records, topic.Name, directory, elapsed);
        }

        return counts.Values.Sum();
    }

    /// <returns>The length of the file's complete records and their count.</returns>
    private static async Task<(long ValidLength, long Count)> ReproduceAsync(
        IProducer<byte[]?, byte[]?> producer, TopicPartition partition, string path,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivered, ILogger logger, CancellationToken cancellationToken)
    {
        using var reader = OpenReader(path);
        var count = 0L;
        while (ReadNext(reader) is { } record)
        {
            if (record.Offset != count || record.Partition != partition.Partition.Value)
            {
                throw new InvalidOperationException(
                    $"Cannot restore {path}: record {count} is at partition {record.Partition} offset {record.Offset}, not at "
                    + $"partition {partition.Partition.Value} offset {count}. The development broker restores only contiguous "
                    + "offsets (were transactions used?). Delete the journal (make clean) to start empty.");
            }

            var message = new Message<byte[]?, byte[]?>
            {
                Key = record.Key,
                Value = record.Value,
                Headers = record.Headers,
                Timestamp = new Timestamp(record.TimestampMs, TimestampType.CreateTime),
            };
            while (true)
            {
                try
                {
                    producer.Produce(partition, message, onDelivered);
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
                }
            }

            count++;
            if (count % 100_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        if (reader.TruncatedTail)
        {
            Log.JournalTruncatedTail(logger, path, reader.ValidLength, reader.FileLength);
        }

        return (reader.ValidLength, count);
    }

    private static JournalFileReader OpenReader(string path)
    {
        try
        {
            return JournalFileReader.Open(path);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidOperationException($"{ex.Message} Delete the journal (make clean) to start empty.", ex);
        }
    }

    private static JournalRecord? ReadNext(JournalFileReader reader)
    {
        try
        {
            return reader.ReadNext();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidOperationException($"{ex.Message} Delete the journal (make clean) to start empty.", ex);
        }
    }

    private static void VerifyEnds(MockKafkaCluster cluster, Dictionary<TopicPartition, long> counts, string directory)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.DirectBootstrapServers,
            ClientId = ClientId,
            GroupId = ClientId,
        }).Build();
        var wrong = new List<string>();
        foreach (var (partition, count) in counts)
        {
            var watermarks = consumer.QueryWatermarkOffsets(partition, QueryTimeout);
            if (watermarks.Low.Value != 0 || watermarks.High.Value != count)
            {
                wrong.Add(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{partition.Topic} [{partition.Partition.Value}] has offsets {watermarks.Low.Value}-{watermarks.High.Value}, "
                    + $"journal 0-{count}"));
            }
        }

        if (wrong.Count > 0)
        {
            throw new InvalidOperationException(
                $"Restoring the journal in {directory} did not reproduce the same offsets: {string.Join("; ", wrong)}. "
                + "If the low offset is above 0 the broker dropped old records (run scripts/setup: it raises the mock's retention "
                + "limits); otherwise delete the journal (make clean) to start empty.");
        }
    }

    private static IEnumerable<TopicPartition> Partitions(string topic, int count) =>
        Enumerable.Range(0, count).Select(p => new TopicPartition(topic, p));

    private static string JournalPath(string directory, TopicPartition partition) =>
        Path.Combine(
            directory, PartitionsFolder, partition.Topic,
            partition.Partition.Value.ToString(CultureInfo.InvariantCulture) + JournalExtension);

    /// <summary>Opens the writer of a partition and returns where to consume it from.</summary>
    private TopicPartitionOffset OpenWriter(TopicPartition partition)
    {
        var (validLength, nextOffset) = _restored.GetValueOrDefault(partition);
        var path = JournalPath(_options.Directory, partition);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _writers[partition] = JournalFileWriter.Open(path, validLength, nextOffset);
        return new TopicPartitionOffset(partition, nextOffset);
    }

    /// <summary>Journals the definitions of topics the cluster has and the journal does not; returns their partitions.</summary>
    private List<TopicPartition> SyncTopics()
    {
        var added = new List<TopicPartition>();
        lock (_topics)
        {
            var created = _cluster.Topics.Where(t => !_topics.ContainsKey(t.Name)).ToList();
            if (created.Count == 0)
            {
                return added;
            }

            foreach (var topic in created)
            {
                _topics[topic.Name] = topic.Partitions;
                added.AddRange(Partitions(topic.Name, topic.Partitions));
            }

            JournalTopics.Save(_options.Directory, _topics.Select(t => new MockKafkaTopic(t.Key, t.Value)));
            foreach (var topic in created)
            {
                Log.JournalTopicAdded(_logger, topic.Name, topic.Partitions);
            }
        }

        return added;
    }

    private void Run(IConsumer<byte[]?, byte[]?> consumer)
    {
        try
        {
            var lastFlush = _time.GetTimestamp();
            while (!_stopping.IsCancellationRequested)
            {
                ConsumeOne(consumer);
                if (_time.GetElapsedTime(lastFlush) >= _options.FlushInterval)
                {
                    AssignNewTopics(consumer);
                    FlushWriters(toDisk: false);
                    lastFlush = _time.GetTimestamp();
                }
            }

            CatchUp(consumer);
            FlushWriters(toDisk: true);
            consumer.Close();
        }
        catch (Exception ex)
        {
            Log.JournalFailed(_logger, _options.Directory, ex);
            throw;
        }
        finally
        {
            consumer.Dispose();
        }
    }

    private void ConsumeOne(IConsumer<byte[]?, byte[]?> consumer)
    {
        ConsumeResult<byte[]?, byte[]?>? result;
        try
        {
            result = consumer.Consume(ConsumeTimeout);
        }
        catch (ConsumeException ex) when (!ex.Error.IsFatal)
        {
            Log.JournalConsumeError(_logger, ex.Error.Reason);
            return;
        }

        if (result is null || result.IsPartitionEOF)
        {
            return;
        }

        var writer = _writers[result.TopicPartition];
        var offset = result.Offset.Value;
        if (offset < writer.NextOffset)
        {
            return;
        }

        if (offset > writer.NextOffset)
        {
            Log.JournalGap(_logger, result.Topic, result.Partition.Value, writer.NextOffset, offset);
        }

        var message = result.Message;
        writer.Append(result.Partition.Value, offset, message.Timestamp, message.Key, message.Value, message.Headers);
        _journaled++;
    }

    private void AssignNewTopics(IConsumer<byte[]?, byte[]?> consumer)
    {
        var added = SyncTopics();
        if (added.Count > 0)
        {
            consumer.IncrementalAssign(added.Select(OpenWriter));
        }
    }

    /// <summary>Consumes until every partition's journal reaches the partition's end as of now, or the timeout.</summary>
    private void CatchUp(IConsumer<byte[]?, byte[]?> consumer)
    {
        var started = _time.GetTimestamp();
        AssignNewTopics(consumer);
        var targets = new Dictionary<TopicPartition, long>();
        foreach (var partition in _writers.Keys)
        {
            var remaining = _options.CatchUpTimeout - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            targets[partition] = consumer.QueryWatermarkOffsets(partition, remaining < QueryTimeout ? remaining : QueryTimeout).High.Value;
        }

        while (_time.GetElapsedTime(started) < _options.CatchUpTimeout && targets.Count == _writers.Count
               && targets.Any(t => _writers[t.Key].NextOffset < t.Value))
        {
            ConsumeOne(consumer);
        }

        var behind = _writers.Where(w => !targets.TryGetValue(w.Key, out var end) || w.Value.NextOffset < end)
            .Select(w => string.Create(
                CultureInfo.InvariantCulture,
                $"{w.Key.Topic} [{w.Key.Partition.Value}] at {w.Value.NextOffset} of "
                + $"{(targets.TryGetValue(w.Key, out var end) ? end : -1)}"))
            .ToList();
        if (behind.Count == 0)
        {
            Log.JournalCaughtUp(_logger, _journaled, _writers.Count, _options.Directory, _time.GetElapsedTime(started));
        }
        else
        {
            Log.JournalBehind(_logger, _options.CatchUpTimeout, string.Join(", ", behind));
        }
    }

    private void FlushWriters(bool toDisk)
    {
        foreach (var writer in _writers.Values)
        {
            writer.Flush(toDisk);
        }
    }

    private void CloseWriters()
    {
        foreach (var writer in _writers.Values)
        {
            writer.Dispose();
        }

        _writers.Clear();
    }
}
