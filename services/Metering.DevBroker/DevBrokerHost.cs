using Metering.Kafka.DevBroker;
using Microsoft.Extensions.Options;

namespace Metering.DevBroker;

/// <summary>
/// Runs the development broker for the lifetime of the host. With <see cref="DevBrokerOptions.DataDirectory"/> it restores
/// the journal there before clients can connect, journals new records while it runs, and catches the journal up on stop.
/// </summary>
internal sealed class DevBrokerHost(
    IOptions<DevBrokerOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<MockKafkaCluster> clusterLogger,
    ILogger<KafkaJournal> journalLogger,
    ILogger<DevBrokerHost> logger) : IHostedService
{
    private volatile MockKafkaCluster? _cluster;
    private KafkaJournal? _journal;

    /// <summary>The running cluster, or <see langword="null"/> before start (and restore) and after stop.</summary>
    public MockKafkaCluster? Cluster => _cluster;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var journaled = o.DataDirectory.Length > 0;
        var topics = o.Topics.Select(t => new MockKafkaTopic(t.Name, t.Partitions)).ToArray();
        var cluster = MockKafkaCluster.Start(
            new MockKafkaClusterOptions
            {
                BrokerCount = o.Brokers,
                Port = o.Port,
                AdvertisedHost = o.AdvertisedHost,
                Topics = topics,
                // Clients must never see a partly restored log: the fixed ports open after the restore.
                DeferFixedPorts = journaled,
            },
            clusterLogger);
        try
        {
            if (journaled)
            {
                _journal = await KafkaJournal.RestoreAsync(
                    cluster,
                    new KafkaJournalOptions { Directory = o.DataDirectory, CatchUpTimeout = o.JournalCatchUpTimeout },
                    journalLogger,
                    cancellationToken: cancellationToken);
                cluster.OpenFixedPorts();
                _journal.Start();
                // A broker that silently stops journaling would lose records on the next restart: stop instead.
                _ = _journal.Completion.ContinueWith(
                    _ => lifetime.StopApplication(), CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            }
        }
        catch
        {
            if (_journal is not null)
            {
                await _journal.DisposeAsync();
                _journal = null;
            }

            await cluster.DisposeAsync();
            throw;
        }

        _cluster = cluster;
        Log.Ready(
            logger, cluster.BootstrapServers, string.Join(", ", cluster.Topics.Select(t => $"{t.Name} ({t.Partitions} partitions)")),
            journaled ? o.DataDirectory : "none (in memory only)");
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var cluster = _cluster;
        _cluster = null;
        var journal = _journal;
        _journal = null;
        try
        {
            if (journal is not null)
            {
                // Before the cluster goes: the journal reads the records it still lacks from it.
                await journal.StopAsync(cancellationToken);
            }
        }
        finally
        {
            if (journal is not null)
            {
                await journal.DisposeAsync();
            }

            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }
    }
}
