using System.Globalization;
using Confluent.Kafka;
using Metering.ClickHouse;
using Metering.Testing;

namespace Metering.Chaos.Pipeline;

/// <summary>
/// Everything a run needs, started by the run and stopped with it: the test ClickHouse server with a fresh database, the
/// development broker (in memory, on a free port), the gateway, and aggregator processes on demand.
/// </summary>
internal sealed class ChaosPipeline : IAsyncDisposable
{
    public const string Topic = "usage-events";
    public const string IngestKey = "chaos-ingest-key-0123456789";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly List<ServiceProcess> _services = [];
    private readonly bool _keepDatabase;
    private ClickHouseTestDatabase? _database;
    private IConsumer<byte[], byte[]>? _probe;

    private ChaosPipeline(int kafkaPort, bool keepDatabase)
    {
        KafkaPort = kafkaPort;
        _keepDatabase = keepDatabase;
    }

    public int KafkaPort { get; }

    public string BootstrapServers => $"127.0.0.1:{KafkaPort}";

    public ClickHouseClient ClickHouse => _database?.Client ?? throw new InvalidOperationException("Not started.");

    public string ClickHouseUrl { get; private set; } = "";

    public ServiceProcess Gateway => _services[1];

    public static async Task<ChaosPipeline> StartAsync(ChaosOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var pipeline = new ChaosPipeline(FreePort.Next(), options.KeepDatabase);
        try
        {
            var server = await ClickHouseServer.GetAsync();
            pipeline.ClickHouseUrl = server.Url.ToString();
            pipeline._database = await server.CreateDatabaseAsync("chaos", cancellationToken);

            pipeline._services.Add(ServiceProcess.Start("Metering.DevBroker", new Dictionary<string, string>
            {
                ["DevBroker__Port"] = pipeline.KafkaPort.ToString(CultureInfo.InvariantCulture),
                ["DevBroker__DataDirectory"] = "",
                ["Logging__LogLevel__Default"] = "Warning",
            }));
            await pipeline._services[0].WaitReadyAsync(StartTimeout);
            pipeline._services.Add(ServiceProcess.Start("Metering.Ingest", new Dictionary<string, string>
            {
                ["Kafka__BootstrapServers"] = pipeline.BootstrapServers,
                ["Auth__Keys__0__Key"] = IngestKey,
                ["Auth__Keys__0__Role"] = "ingest",
                ["Logging__LogLevel__Default"] = "Warning",
            }));
            await pipeline.Gateway.WaitReadyAsync(StartTimeout);
            pipeline._probe = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
            {
                BootstrapServers = pipeline.BootstrapServers,
                GroupId = "chaos-probe",
                EnableAutoCommit = false,
            }).Build();
            return pipeline;
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
    }

    /// <summary>The environment of an aggregator instance of this run.</summary>
    public IReadOnlyDictionary<string, string> AggregatorEnvironment() => new Dictionary<string, string>
    {
        ["Kafka__BootstrapServers"] = BootstrapServers,
        ["Kafka__FetchWaitMax"] = "00:00:00.010",
        ["Kafka__SessionTimeout"] = "00:00:06",
        ["ClickHouse__Url"] = ClickHouseUrl,
        ["ClickHouse__Database"] = ClickHouse.Database,
        ["Aggregator__WindowSize"] = ChaosOptions.WindowSize.ToString("c", CultureInfo.InvariantCulture),
        ["Aggregator__AllowedLateness"] = ChaosOptions.AllowedLateness.ToString("c", CultureInfo.InvariantCulture),
        ["Aggregator__OutOfOrderness"] = ChaosOptions.OutOfOrderness.ToString("c", CultureInfo.InvariantCulture),
        ["Auth__Keys__0__Key"] = IngestKey,
        ["Auth__Keys__0__Role"] = "ingest",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__Metering"] = "Information",
    };

    /// <summary>The end offset of every partition of the topic, from the broker.</summary>
    public IReadOnlyDictionary<int, long> EndOffsets()
    {
        var probe = _probe ?? throw new InvalidOperationException("Not started.");
        using var admin = new DependentAdminClientBuilder(probe.Handle).Build();
        var topic = admin.GetMetadata(Topic, TimeSpan.FromSeconds(10)).Topics.Single(t => t.Topic == Topic);
        return topic.Partitions.ToDictionary(
            p => p.PartitionId,
            p => probe.QueryWatermarkOffsets(new TopicPartition(Topic, p.PartitionId), TimeSpan.FromSeconds(10)).High.Value);
    }

    public async ValueTask DisposeAsync()
    {
        _probe?.Dispose();
        for (var i = _services.Count - 1; i >= 0; i--)
        {
            await _services[i].DisposeAsync();
        }

        if (_database is not null && !_keepDatabase)
        {
            await _database.DisposeAsync();
        }
    }
}
