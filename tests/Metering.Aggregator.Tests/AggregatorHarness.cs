using System.Text;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using Metering.ClickHouse;
using Metering.Events;
using Metering.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Metering.Aggregator.Tests;

/// <summary>
/// One test's aggregator world: a topic of its own on the test broker, a database of its own on the
/// test ClickHouse server, and aggregator hosts started in process against them.
/// </summary>
internal sealed class AggregatorHarness : IAsyncDisposable
{
    public const int Partitions = 4;
    private readonly IProducer<string, byte[]> _producer;

    private readonly ClickHouseServer _server;

    private AggregatorHarness(TemporaryTopic topic, ClickHouseServer server, ClickHouseTestDatabase database)
    {
        Topic = topic;
        _server = server;
        Database = database;
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = topic.Broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).Build();
    }

    public TemporaryTopic Topic { get; }

    public ClickHouseTestDatabase Database { get; }

    public ClickHouseClient ClickHouse => Database.Client;

    /// <summary>A harness on the shared test ClickHouse server, or on <paramref name="server"/>.</summary>
    public static async Task<AggregatorHarness> CreateAsync(ClickHouseServer? server = null)
    {
        var topic = await TemporaryTopic.CreateAsync(Partitions);
        server ??= await ClickHouseServer.GetAsync();
        return new AggregatorHarness(topic, server, await server.CreateDatabaseAsync("aggregator"));
    }

    /// <summary>
    /// Starts an aggregator host as <c>Program.cs</c> builds it, configured for this harness;
    /// <paramref name="settings"/> override the test configuration.
    /// </summary>
    public async Task<WebApplication> StartAggregatorAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var server = _server;
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = Topic.Broker.BootstrapServers,
            ["Kafka:Topic"] = Topic.Name,
            ["Kafka:FetchWaitMax"] = "00:00:00.010",
            ["Aggregator:ConsumerGroup"] = Topic.ConsumerGroup,
            ["Aggregator:FlushInterval"] = "00:00:00.050",
            ["ClickHouse:Url"] = server.Url.ToString(),
            ["ClickHouse:Database"] = Database.Name,
            ["Meters"] = Path.Combine(RepositoryPaths.Root, "schemas", "meters.json"),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddServiceDefaults("http://127.0.0.1:0");
        builder.AddAggregator();
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    /// <summary>Produces events as the ingest gateway does: keyed by account, in the gateway's encoding.</summary>
    public async Task ProduceAsync(IEnumerable<UsageEvent> events)
    {
        var deliveries = events.Select(e => _producer.ProduceAsync(Topic.Name, new Message<string, byte[]>
        {
            Key = e.Account,
            Value = UsageEventCodec.Serialize(e),
        })).ToList();
        await Task.WhenAll(deliveries);
    }

    /// <summary>Writes team assignments, as <c>POST /v1/directory/assignments</c> stores them.</summary>
    public async Task AssignAsync(params (string Account, string Subject, string Team, DateTimeOffset From, DateTimeOffset? To)[] assignments) =>
        await ClickHouse.ExecuteAsync("INSERT INTO assignments VALUES " + string.Join(", ", assignments.Select(a =>
            $"({ClickHouseSql.Literal(a.Account)}, {ClickHouseSql.Literal(a.Subject)}, {ClickHouseSql.Literal(a.Team)}, '', "
            + $"{ClickHouseSql.Literal(a.From.ToUnixTimeMilliseconds())}, {ClickHouseSql.Literal(a.To?.ToUnixTimeMilliseconds() ?? long.MaxValue)}, now(), 1)")));

    /// <summary>Produces raw bytes, as a misbehaving producer might.</summary>
    public async Task ProduceRawAsync(string key, byte[] value) =>
        await _producer.ProduceAsync(Topic.Name, new Message<string, byte[]> { Key = key, Value = value });

    /// <summary>Waits until the progress rows cover every record in the topic.</summary>
    public async Task WaitCaughtUpAsync(long records, TimeSpan timeout) =>
        await Eventually.WaitAsync(
            async () => (await ClickHouse.QueryAsync(
                    $"SELECT toUInt64(sum(next_offset)) AS value FROM progress FINAL WHERE topic = {ClickHouseSql.Literal(Topic.Name)}",
                    TestRowsJsonContext.Default.UInt64Row))[0].Value,
            covered => covered == (ulong)records,
            timeout,
            $"progress to cover {records} records");

    public async Task<ulong> ScalarAsync(string sql) =>
        (await ClickHouse.QueryAsync(sql, TestRowsJsonContext.Default.UInt64Row))[0].Value;

    public async Task<Dictionary<string, double>> SumsAsync(string meter, string keyExpression, string valueExpression) =>
        (await ClickHouse.QueryAsync(
            $"""
            SELECT {keyExpression} AS key, {valueExpression} AS value FROM rollups FINAL
            WHERE meter = {ClickHouseSql.Literal(meter)} GROUP BY key
            """,
            TestRowsJsonContext.Default.KeyValueRow))
        .ToDictionary(r => r.Key, r => r.Value);

    public async ValueTask DisposeAsync()
    {
        _producer.Dispose();
        await Database.DisposeAsync();
        await Topic.DisposeAsync();
    }

    public static UsageEvent Event(
        string account, string id, DateTimeOffset time, string type = "flex.tokens", string? data = null, string? subject = "u-1") =>
        new(id, "tests", type, time, subject, account, data, "ingest-" + id, time);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}

internal sealed record UInt64Row(ulong Value);

internal sealed record KeyValueRow(string Key, double Value);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UInt64Row))]
[JsonSerializable(typeof(KeyValueRow))]
internal sealed partial class TestRowsJsonContext : JsonSerializerContext;
