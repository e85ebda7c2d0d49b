using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Metering.Ingest.Producing;

/// <summary>Ready when the broker answers a metadata request for the events topic.</summary>
internal sealed class BrokerHealthCheck(EventProducer producer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var admin = new DependentAdminClientBuilder(producer.Handle).Build();
            var metadata = admin.GetMetadata(producer.Topic, TimeSpan.FromSeconds(2));
            var topic = metadata.Topics.SingleOrDefault(t => t.Topic == producer.Topic);
            return Task.FromResult(topic is { Error.IsError: false, Partitions.Count: > 0 }
                ? HealthCheckResult.Healthy($"{topic.Partitions.Count} partitions")
                : HealthCheckResult.Unhealthy($"topic {producer.Topic}: {topic?.Error.Reason ?? "not found"}"));
        }
        catch (KafkaException ex)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(ex.Error.Reason, ex));
        }
    }
}
