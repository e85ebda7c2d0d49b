using Confluent.Kafka;
using Microsoft.Extensions.Options;

namespace Metering.Kafka;

/// <summary>Where the events topic is and how the services talk to it (configuration section <c>Kafka</c>).</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <value>The default value is <c>127.0.0.1:9092</c>, the development broker of <c>make run</c>.</value>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <value>The default value is <c>usage-events</c>.</value>
    public string Topic { get; set; } = "usage-events";

    /// <summary>
    /// How long a fetch waits for data. The development broker does not wake a waiting fetch when data
    /// arrives, so end-to-end latency is about this value there.
    /// </summary>
    /// <value>The default value is 100 milliseconds.</value>
    public TimeSpan FetchWaitMax { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the producer keeps trying to deliver one message before reporting a failure.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan MessageTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the group coordinator waits for a silent consumer before it gives the consumer's partitions to
    /// the other members: after a crash, the partitions stall this long.
    /// </summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The idempotent producer of DESIGN.md §2: <c>acks=all</c>, retries without reordering.</summary>
    public ProducerConfig CreateProducerConfig() => new()
    {
        BootstrapServers = BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        MessageTimeoutMs = (int)MessageTimeout.TotalMilliseconds,
        SocketNagleDisable = true,
        // Our delivery handlers read only the error: copying the rest of every report back from librdkafka is waste.
        DeliveryReportFields = "none",
    };

    /// <summary>
    /// A consumer in <paramref name="groupId"/> that stores offsets only when told to (STYLE.md §5):
    /// recovery reads the progress rows in ClickHouse; committed offsets are for lag monitoring.
    /// </summary>
    public ConsumerConfig CreateConsumerConfig(string groupId) => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        EnableAutoCommit = true,
        EnableAutoOffsetStore = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        FetchWaitMaxMs = (int)FetchWaitMax.TotalMilliseconds,
        SessionTimeoutMs = (int)SessionTimeout.TotalMilliseconds,
        HeartbeatIntervalMs = (int)Math.Max(100, SessionTimeout.TotalMilliseconds / 5),
        // Partitions that stay put keep their windows in memory across a rebalance.
        PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        SocketNagleDisable = true,
    };
}

/// <summary>Checks <see cref="KafkaOptions"/> at start (the duration ranges cannot be attributes in an AOT-safe library).</summary>
public sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            failures.Add("Kafka:BootstrapServers is required (host:port[,host:port]).");
        }

        if (string.IsNullOrEmpty(options.Topic) || options.Topic.Length > 249
            || !options.Topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            failures.Add("Kafka:Topic must be 1-249 characters of letters, digits, '.', '_' and '-'.");
        }

        if (options.FetchWaitMax < TimeSpan.FromMilliseconds(1) || options.FetchWaitMax > TimeSpan.FromSeconds(10))
        {
            failures.Add("Kafka:FetchWaitMax must be between 00:00:00.001 and 00:00:10.");
        }

        if (options.SessionTimeout < TimeSpan.FromSeconds(1) || options.SessionTimeout > TimeSpan.FromMinutes(30))
        {
            failures.Add("Kafka:SessionTimeout must be between 00:00:01 and 00:30:00.");
        }

        if (options.MessageTimeout < TimeSpan.FromSeconds(1) || options.MessageTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Kafka:MessageTimeout must be between 00:00:01 and 00:05:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
