using Metering.Kafka.DevBroker;
using Microsoft.Extensions.Options;

namespace Metering.DevBroker;

/// <summary>Runs the development broker for the lifetime of the host.</summary>
internal sealed class DevBrokerHost(
    IOptions<DevBrokerOptions> options, ILogger<MockKafkaCluster> clusterLogger, ILogger<DevBrokerHost> logger) : IHostedService
{
    private volatile MockKafkaCluster? _cluster;

    /// <summary>The running cluster, or <see langword="null"/> before start and after stop.</summary>
    public MockKafkaCluster? Cluster => _cluster;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var topics = o.Topics.Select(t => new MockKafkaTopic(t.Name, t.Partitions)).ToArray();
        _cluster = MockKafkaCluster.Start(
            new MockKafkaClusterOptions { BrokerCount = o.Brokers, Port = o.Port, AdvertisedHost = o.AdvertisedHost, Topics = topics },
            clusterLogger);
        Log.Ready(logger, _cluster.BootstrapServers, string.Join(", ", topics.Select(t => $"{t.Name} ({t.Partitions} partitions)")));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var cluster = _cluster;
        _cluster = null;
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
