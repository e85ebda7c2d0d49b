extern alias aggregator;

using Confluent.Kafka;
using Metering.ClickHouse;
using Metering.Events;
using Metering.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using AggregatorSetup = aggregator::Microsoft.Extensions.DependencyInjection.AggregatorServiceCollectionExtensions;

namespace Metering.Query.Tests;

/// <summary>
/// Data as production writes it: events produced to a topic of their own on the test broker, the real aggregator
/// (in process) rolling them up into a database of its own, and the query service reading that database. Both
/// services share one <see cref="ShiftedClock"/>, so a test puts "now" where windows are provisional and later
/// moves it past the allowed lateness to see them turn final.
/// </summary>
internal sealed class MeteredWorld : IAsyncDisposable
{
    public const int Partitions = 2;
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    private readonly IProducer<string, byte[]> _producer;
    private readonly IReadOnlyDictionary<string, string?> _aggregatorSettings;
    private WebApplication? _aggregator;
    private long _produced;

    private MeteredWorld(TemporaryTopic topic, ClickHouseTestDatabase database, ShiftedClock clock, IReadOnlyDictionary<string, string?> aggregatorSettings)
    {
        Topic = topic;
        Database = database;
        Clock = clock;
        _aggregatorSettings = aggregatorSettings;
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = topic.Broker.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).Build();
    }

    public TemporaryTopic Topic { get; }

    public ClickHouseTestDatabase Database { get; }

    public ShiftedClock Clock { get; }

    public QueryService Query { get; private set; } = null!;

    /// <summary>
    /// A world whose clock reads <paramref name="now"/>; <paramref name="aggregatorSettings"/> override the aggregator's
    /// configuration (e.g. <c>Aggregator:AllowedLateness</c>) and <paramref name="querySettings"/> the query service's.
    /// </summary>
    public static async Task<MeteredWorld> StartAsync(
        DateTimeOffset now,
        IReadOnlyDictionary<string, string?>? aggregatorSettings = null,
        IReadOnlyDictionary<string, string>? querySettings = null)
    {
        var topic = await TemporaryTopic.CreateAsync(Partitions);
        var server = await ClickHouseServer.GetAsync();
        var world = new MeteredWorld(topic, await server.CreateDatabaseAsync("metered"), new ShiftedClock(now), aggregatorSettings ?? new Dictionary<string, string?>());
        var settings = new Dictionary<string, string>(querySettings ?? new Dictionary<string, string>()) { ["Kafka:Topic"] = topic.Name };
        foreach (var (name, value) in world._aggregatorSettings)
        {
            if (name.StartsWith("Aggregator:", StringComparison.Ordinal) && value is not null)
            {
                settings.TryAdd(name, value);
            }
        }

        world.Query = await QueryService.StartAsync(world.Clock, settings, world.Database);
        return world;
    }

    /// <summary>Produces events as the ingest gateway does (keyed by account, in its encoding) and waits until the aggregator wrote them.</summary>
    public async Task IngestAsync(params UsageEvent[] events)
    {
        await Task.WhenAll(events.Select(e => _producer.ProduceAsync(Topic.Name, new Message<string, byte[]>
        {
            Key = e.Account,
            Value = UsageEventCodec.Serialize(e),
        })));
        _produced += events.Length;
        _aggregator ??= await StartAggregatorAsync();
        await WaitCaughtUpAsync();
    }

    /// <summary>
    /// Moves the clock to <paramref name="now"/> and waits until the aggregator has let every partition's watermark follow
    /// it (idle partitions advance with the clock), so windows whose lateness has passed are final.
    /// </summary>
    public async Task AdvanceClockAsync(DateTimeOffset now)
    {
        Clock.SetUtcNow(now);
        _aggregator ??= await StartAggregatorAsync();
        var wanted = now.ToUnixTimeMilliseconds() - 60_000;
        await Eventually.WaitAsync(
            async () => await Database.Client.QueryScalarAsync(
                $"SELECT if(count() = 0, toInt64(0), min(watermark_ms)) FROM progress FINAL WHERE topic = {ClickHouseSql.Literal(Topic.Name)}",
                TestJsonContext.Default.Int64),
            watermark => watermark >= wanted,
            CatchUpTimeout,
            "every partition's watermark to follow the clock");
    }

    /// <summary>Writes team assignments as <c>POST /v1/directory/assignments</c> stores them (before the events they attribute).</summary>
    public async Task AssignAsync(params (string Account, string Subject, string Team, DateTimeOffset From, DateTimeOffset? To)[] assignments) =>
        await Database.Client.ExecuteAsync("INSERT INTO assignments VALUES " + string.Join(", ", assignments.Select(a =>
            $"({ClickHouseSql.Literal(a.Account)}, {ClickHouseSql.Literal(a.Subject)}, {ClickHouseSql.Literal(a.Team)}, '', "
            + $"{ClickHouseSql.Literal(a.From.ToUnixTimeMilliseconds())}, {ClickHouseSql.Literal(a.To?.ToUnixTimeMilliseconds() ?? long.MaxValue)}, now(), 1)")));

    /// <summary>An event as the gateway stamps it.</summary>
    public static UsageEvent Event(string account, string id, DateTimeOffset time, string type, string? data, string? subject = "u-1") =>
        new(id, "tests", type, time, subject, account, data, "ingest-" + id, time);

    private async Task<WebApplication> StartAggregatorAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = Topic.Broker.BootstrapServers,
            ["Kafka:Topic"] = Topic.Name,
            ["Kafka:FetchWaitMax"] = "00:00:00.010",
            ["Aggregator:ConsumerGroup"] = Topic.ConsumerGroup,
            ["Aggregator:FlushInterval"] = "00:00:00.050",
            ["ClickHouse:Url"] = Query.ClickHouse.Url.ToString(),
            ["ClickHouse:Database"] = Database.Name,
            ["ClickHouse:ApplyMigrations"] = "false",
            ["Meters"] = Path.Combine(RepositoryPaths.Root, "schemas", "meters.json"),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddInMemoryCollection(_aggregatorSettings);
        builder.AddServiceDefaults("http://127.0.0.1:0");
        AggregatorSetup.AddAggregator(builder);
        builder.Services.AddSingleton<TimeProvider>(Clock);
        var app = builder.Build();
        await app.StartAsync();
        return app;
    }

    private async Task WaitCaughtUpAsync() =>
        await Eventually.WaitAsync(
            async () => await Database.Client.QueryScalarAsync(
                $"SELECT toInt64(sum(next_offset)) FROM progress FINAL WHERE topic = {ClickHouseSql.Literal(Topic.Name)}",
                TestJsonContext.Default.Int64),
            covered => covered == _produced,
            CatchUpTimeout,
            $"progress to cover {_produced} records");

    public async ValueTask DisposeAsync()
    {
        if (_aggregator is not null)
        {
            await _aggregator.StopAsync();
            await _aggregator.DisposeAsync();
        }

        _producer.Dispose();
        await Query.DisposeAsync();
        await Database.DisposeAsync();
        await Topic.DisposeAsync();
    }
}
