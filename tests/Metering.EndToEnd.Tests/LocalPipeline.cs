using System.Globalization;
using Metering.Testing;

namespace Metering.EndToEnd.Tests;

/// <summary>
/// The whole pipeline as separate processes, wired as <c>make run</c> wires it: the development broker
/// on a fixed port, the test ClickHouse server with a database of its own, and the three services.
/// </summary>
internal sealed class LocalPipeline : IAsyncDisposable
{
    public const string IngestKey = "test-ingest-key-0123456789";
    public const string ViewerKey = "test-viewer-key-0123456789";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly List<ServiceProcess> _processes = [];

    private LocalPipeline(int kafkaPort, string database)
    {
        KafkaPort = kafkaPort;
        Database = database;
    }

    public int KafkaPort { get; }

    public string Database { get; }

    public ServiceProcess Broker => _processes[0];

    public ServiceProcess Aggregator => _processes[1];

    public ServiceProcess Ingest => _processes[2];

    public ServiceProcess Query => _processes[3];

    public static async Task<LocalPipeline> StartAsync()
    {
        var clickHouse = await ClickHouseServer.GetAsync();
        var pipeline = new LocalPipeline(FreePort.Next(), "e2e_" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var services = new Dictionary<string, string>
            {
                ["Kafka__BootstrapServers"] = $"127.0.0.1:{pipeline.KafkaPort}",
                ["Kafka__FetchWaitMax"] = "00:00:00.010",
                ["ClickHouse__Url"] = clickHouse.Url.ToString(),
                ["ClickHouse__Database"] = pipeline.Database,
                ["Auth__Keys__0__Key"] = IngestKey,
                ["Auth__Keys__0__Role"] = "ingest",
                ["Auth__Keys__1__Key"] = ViewerKey,
                ["Auth__Keys__1__Role"] = "viewer",
            };
            pipeline._processes.Add(ServiceProcess.Start("Metering.DevBroker", new Dictionary<string, string>
            {
                ["DevBroker__Port"] = pipeline.KafkaPort.ToString(CultureInfo.InvariantCulture),
            }));
            await pipeline.Broker.WaitReadyAsync(StartTimeout);
            pipeline._processes.Add(ServiceProcess.Start("Metering.Aggregator", services));
            pipeline._processes.Add(ServiceProcess.Start("Metering.Ingest", services));
            pipeline._processes.Add(ServiceProcess.Start("Metering.Query", services));
            await Task.WhenAll(pipeline._processes.Skip(1).Select(p => p.WaitReadyAsync(StartTimeout)));
            return pipeline;
        }
        catch
        {
            await pipeline.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync();
        }

        var clickHouse = await ClickHouseServer.GetAsync();
        await clickHouse.CreateClient("default").ExecuteAsync($"DROP DATABASE IF EXISTS {Database}");
    }
}
