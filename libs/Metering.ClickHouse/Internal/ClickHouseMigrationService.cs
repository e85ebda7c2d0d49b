using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Metering.ClickHouse.Internal;

/// <summary>
/// Applies the migrations when the host starts (<see cref="ClickHouseOptions.ApplyMigrations"/>), waiting for
/// ClickHouse to come up for at most <see cref="ClickHouseOptions.StartupTimeout"/>. It runs in
/// <c>StartAsync</c> so nothing that needs the tables runs before them.
/// </summary>
internal sealed class ClickHouseMigrationService(
    ClickHouseMigrator migrator,
    ClickHouseClient client,
    IOptions<ClickHouseOptions> options,
    ILogger<ClickHouseMigrationService> logger,
    TimeProvider timeProvider) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!o.ApplyMigrations)
        {
            Log.MigrationsOff(logger);
            return;
        }

        var url = client.Endpoint.ToString();
        var started = timeProvider.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(250);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await migrator.ApplyAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (ClickHouseClient.IsTransient(e, cancellationToken))
            {
                var remaining = o.StartupTimeout - timeProvider.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    Log.ServerUnavailable(logger, url, o.StartupTimeout, e);
                    throw new InvalidOperationException(
                        $"ClickHouse at {url} did not answer within {o.StartupTimeout} (ClickHouse:StartupTimeout), so the "
                        + "migrations could not be applied. Start it (locally: scripts/clickhouse-server --dir .cache/clickhouse) "
                        + $"or point ClickHouse:Url at a running server. Last error: {e.Message}",
                        e);
                }

                var wait = delay < remaining ? delay : remaining;
                Log.WaitingForServer(logger, url, attempt, remaining, wait, e);
                await Task.Delay(wait, timeProvider, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
