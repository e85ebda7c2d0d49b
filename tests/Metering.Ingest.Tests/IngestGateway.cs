using System.Net.Http.Headers;
using System.Text;
using Confluent.Kafka;
using Metering.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Metering.Ingest.Tests;

/// <summary>The gateway in a test host, producing to a topic of its own on the test broker.</summary>
internal sealed class IngestGateway : WebApplicationFactory<Program>
{
    public const string IngestKey = "test-ingest-key-000000001";
    public const string ScopedKey = "test-scoped-key-000000001";
    public const string ViewerKey = "test-viewer-key-000000001";
    public const string ScopedAccount = "scoped-acct";

    private readonly IReadOnlyDictionary<string, string> _settings;

    private IngestGateway(TemporaryTopic topic, IReadOnlyDictionary<string, string>? settings)
    {
        Topic = topic;
        _settings = settings ?? new Dictionary<string, string>();
    }

    public TemporaryTopic Topic { get; }

    /// <summary>Starts a gateway on a new topic; <paramref name="settings"/> override the test configuration.</summary>
    public static async Task<IngestGateway> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var gateway = new IngestGateway(await TemporaryTopic.CreateAsync(partitions: 4), settings);
        using var warmUp = gateway.CreateClient();
        return gateway;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Kafka:BootstrapServers", Topic.Broker.BootstrapServers);
        builder.UseSetting("Kafka:Topic", Topic.Name);
        builder.UseSetting("Kafka:MessageTimeout", "00:00:03");
        builder.UseSetting("Ingest:QueueFullWait", "00:00:01");
        builder.UseSetting("Auth:Keys:0:Key", IngestKey);
        builder.UseSetting("Auth:Keys:0:Role", "ingest");
        builder.UseSetting("Auth:Keys:1:Key", ScopedKey);
        builder.UseSetting("Auth:Keys:1:Role", "ingest");
        builder.UseSetting("Auth:Keys:1:Account", ScopedAccount);
        builder.UseSetting("Auth:Keys:2:Key", ViewerKey);
        builder.UseSetting("Auth:Keys:2:Role", "viewer");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public Task<HttpResponseMessage> PostAsync(string body, string? contentType = "application/json", string? key = IngestKey) =>
        PostBytesAsync(Encoding.UTF8.GetBytes(body), contentType, key);

    public async Task<HttpResponseMessage> PostBytesAsync(byte[] body, string? contentType = "application/json", string? key = IngestKey)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new ByteArrayContent(body) };
        if (contentType is not null)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The records of the topic that hold <paramref name="tag"/>, read from the start of every partition.</summary>
    public List<ConsumeResult<string, byte[]>> ReadTopic(string tag, int expected) => ReadTopic(Topic, tag, expected);

    /// <summary>The records of a 4-partition <paramref name="topic"/> that hold <paramref name="tag"/>, read from the start.</summary>
    public static List<ConsumeResult<string, byte[]>> ReadTopic(TemporaryTopic topic, string tag, int expected)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = topic.Broker.BootstrapServers,
            GroupId = topic.ConsumerGroup,
            FetchWaitMaxMs = 10,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(topic.Name, p, Offset.Beginning)));
        var records = new List<ConsumeResult<string, byte[]>>();
        var deadline = TimeProvider.System.GetTimestamp() + 30 * TimeProvider.System.TimestampFrequency;
        while (records.Count < expected && TimeProvider.System.GetTimestamp() < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } record
                && Encoding.UTF8.GetString(record.Message.Value).Contains(tag, StringComparison.Ordinal))
            {
                records.Add(record);
            }
        }

        return records;
    }

    /// <summary>Every record holding <paramref name="tag"/> that arrives within <paramref name="wait"/>; for checking absence.</summary>
    public List<ConsumeResult<string, byte[]>> ReadTopicFor(string tag, TimeSpan wait)
    {
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = Topic.Broker.BootstrapServers,
            GroupId = Topic.ConsumerGroup,
            FetchWaitMaxMs = 10,
            EnableAutoCommit = false,
        }).Build();
        consumer.Assign(Enumerable.Range(0, 4).Select(p => new TopicPartitionOffset(Topic.Name, p, Offset.Beginning)));
        var records = new List<ConsumeResult<string, byte[]>>();
        var deadline = TimeProvider.System.GetTimestamp() + (long)(wait.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (TimeProvider.System.GetTimestamp() < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { IsPartitionEOF: false } record
                && Encoding.UTF8.GetString(record.Message.Value).Contains(tag, StringComparison.Ordinal))
            {
                records.Add(record);
            }
        }

        return records;
    }

    public static string Event(string id, string account = "acme", string? time = null, string extra = "") =>
        $$"""{"specversion":"1.0","id":"{{id}}","source":"tests","type":"api.request","account":"{{account}}","subject":"u-1","time":"{{time ?? Now()}}"{{extra}}}""";

    public static string Now(TimeSpan offset = default) =>
        (TimeProvider.System.GetUtcNow() + offset).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Topic.DisposeAsync();
    }
}
