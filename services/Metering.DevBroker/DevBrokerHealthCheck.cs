using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Metering.DevBroker;

/// <summary>Ready while the development broker runs.</summary>
internal sealed class DevBrokerHealthCheck(DevBrokerHost host) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(host.Cluster is { } cluster
            ? HealthCheckResult.Healthy($"Bootstrap servers {cluster.BootstrapServers}")
            : HealthCheckResult.Unhealthy("The development broker is not running."));
}
