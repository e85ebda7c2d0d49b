using Metering.Aggregator.Storage;
using Metering.ClickHouse;
using Microsoft.Extensions.Options;

namespace Metering.Aggregator.Attribution;

/// <summary>
/// Loads the team directory before the pipeline starts (in <c>StartAsync</c>, after the migrations), then
/// reads it again every <see cref="AggregatorOptions.DirectoryRefreshInterval"/>. A failed refresh keeps
/// the assignments held.
/// </summary>
internal sealed class DirectoryRefreshService(
    TeamDirectory directory, ClickHouseClient clickHouse, IOptions<AggregatorOptions> options, TimeProvider clock, ILogger<DirectoryRefreshService> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        Log.DirectoryLoaded(logger, directory.Count);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DirectoryRefreshInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ClickHouseClient.IsTransient(ex, stoppingToken))
            {
                Log.DirectoryRefreshFailed(logger, directory.Count, ex.Message);
            }
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken) =>
        directory.Replace(await clickHouse.QueryAsync(
            """
            SELECT account, subject, argMax(team, version) AS team, argMax(group_name, version) AS group_name,
                   valid_from_ms, argMax(valid_to_ms, version) AS valid_to_ms
            FROM assignments
            GROUP BY account, subject, valid_from_ms
            """,
            StorageJsonContext.Default.AssignmentRow, cancellationToken: cancellationToken));
}
